/**
 * Convolution geometry, shared by the im2col / col2im launchers, their float64 twins and the conv
 * layers (src/nn/conv2d.ts, src/nn/conv-transpose2d.ts). Square stride and padding, any kh × kw,
 * zero padding:
 *   Conv2d           Ho = floor((H + 2p − kh)/s) + 1
 *   ConvTranspose2d  Ho = (H − 1)·s − 2p + kh   (the conv with the same kernel maps it back to H)
 */

/** An NHWC image cut into kh × kw patches (the input side of a conv). */
export interface PatchGeometry {
  batch: number;
  height: number;
  width: number;
  channels: number;
  kh: number;
  kw: number;
  stride: number;
  pad: number;
}

/** One conv layer. For a transposed conv, inH/inW/inC describe ITS input (the generator side). */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outC: number;
  kh: number;
  kw: number;
  stride: number;
  pad: number;
}

/** The patch grid: gridH × gridW positions per image, rows = batch·gridH·gridW, k = channels·kh·kw. */
export function patchGrid(g: PatchGeometry): { gridH: number; gridW: number; rows: number; k: number } {
  const gridH = Math.floor((g.height + 2 * g.pad - g.kh) / g.stride) + 1;
  const gridW = Math.floor((g.width + 2 * g.pad - g.kw) / g.stride) + 1;
  return { gridH, gridW, rows: g.batch * gridH * gridW, k: g.channels * g.kh * g.kw };
}

export function conv2dOutputSize(g: ConvGeometry): { outH: number; outW: number } {
  return {
    outH: Math.floor((g.inH + 2 * g.pad - g.kh) / g.stride) + 1,
    outW: Math.floor((g.inW + 2 * g.pad - g.kw) / g.stride) + 1,
  };
}

export function convTranspose2dOutputSize(g: ConvGeometry): { outH: number; outW: number } {
  return {
    outH: (g.inH - 1) * g.stride - 2 * g.pad + g.kh,
    outW: (g.inW - 1) * g.stride - 2 * g.pad + g.kw,
  };
}

/** The conv's input seen as patches: im2col(x) is its cols, col2im(dcols) its dx. */
export function conv2dPatches(g: ConvGeometry): PatchGeometry {
  return {
    batch: g.batch,
    height: g.inH,
    width: g.inW,
    channels: g.inC,
    kh: g.kh,
    kw: g.kw,
    stride: g.stride,
    pad: g.pad,
  };
}

/** The transposed conv's OUTPUT seen as patches (the matching conv's input). */
export function convTranspose2dPatches(g: ConvGeometry): PatchGeometry {
  const { outH, outW } = convTranspose2dOutputSize(g);
  return {
    batch: g.batch,
    height: outH,
    width: outW,
    channels: g.outC,
    kh: g.kh,
    kw: g.kw,
    stride: g.stride,
    pad: g.pad,
  };
}

/** Element counts of every buffer a layer uses (cols: the one scratch buffer). */
export interface ConvSizes {
  x: number;
  y: number;
  w: number;
  bias: number;
  cols: number;
}

export function conv2dSizes(g: ConvGeometry): ConvSizes {
  const { outH, outW } = conv2dOutputSize(g);
  const { rows, k } = patchGrid(conv2dPatches(g));
  return {
    x: g.batch * g.inH * g.inW * g.inC,
    y: g.batch * outH * outW * g.outC,
    w: g.outC * g.inC * g.kh * g.kw,
    bias: g.outC,
    cols: rows * k,
  };
}

export function convTranspose2dSizes(g: ConvGeometry): ConvSizes {
  const { outH, outW } = convTranspose2dOutputSize(g);
  return {
    x: g.batch * g.inH * g.inW * g.inC,
    y: g.batch * outH * outW * g.outC,
    w: g.inC * g.outC * g.kh * g.kw,
    bias: g.outC,
    cols: g.batch * g.inH * g.inW * g.outC * g.kh * g.kw,
  };
}
