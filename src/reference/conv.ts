/**
 * Float64 twins of the convolution layers (src/gpu/kernels/conv.ts) and of the im2col / col2im
 * kernels (shaders/conv.wgsl), written as direct loops from the definitions, not from the shaders.
 *
 * Layouts: activations NHWC row-major; Conv2d weight [Cout][Cin][kh][kw]; ConvTranspose2d weight
 * [Cin][Cout][kh][kw] (both PyTorch order). Output sizes: conv Ho = floor((H + 2p − kh)/s) + 1;
 * transposed Ho = (H − 1)·s − 2p + kh. Zero padding.
 *
 * The backward twins take the gradient with respect to the layer's PRE-activation output.
 */
import type { Activation } from '../core/activation';
import type { ConvGeometry, PatchGeometry } from '../core/conv-geometry';
import { activate } from './elementwise';

type Vec = ArrayLike<number>;

function convOut(size: number, k: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - k) / stride) + 1;
}

function transposeOut(size: number, k: number, stride: number, pad: number): number {
  return (size - 1) * stride - 2 * pad + k;
}

/** cols[(b, oy, ox)][c·kh·kw + ky·kw + kx] = image[b][oy·s − p + ky][ox·s − p + kx][c], 0 outside. */
export function im2col(image: Vec, g: PatchGeometry): Float64Array {
  const gh = convOut(g.height, g.kh, g.stride, g.pad);
  const gw = convOut(g.width, g.kw, g.stride, g.pad);
  const k = g.channels * g.kh * g.kw;
  const cols = new Float64Array(g.batch * gh * gw * k);
  for (let b = 0; b < g.batch; b++)
    for (let oy = 0; oy < gh; oy++)
      for (let ox = 0; ox < gw; ox++) {
        const row = (b * gh + oy) * gw + ox;
        for (let c = 0; c < g.channels; c++)
          for (let ky = 0; ky < g.kh; ky++)
            for (let kx = 0; kx < g.kw; kx++) {
              const y = oy * g.stride - g.pad + ky;
              const x = ox * g.stride - g.pad + kx;
              if (y < 0 || y >= g.height || x < 0 || x >= g.width) continue;
              cols[row * k + (c * g.kh + ky) * g.kw + kx] = image[((b * g.height + y) * g.width + x) * g.channels + c];
            }
      }
  return cols;
}

/** The adjoint of im2col: every cols entry is added back onto the image element it came from. */
export function col2im(cols: Vec, g: PatchGeometry): Float64Array {
  const gh = convOut(g.height, g.kh, g.stride, g.pad);
  const gw = convOut(g.width, g.kw, g.stride, g.pad);
  const k = g.channels * g.kh * g.kw;
  const image = new Float64Array(g.batch * g.height * g.width * g.channels);
  for (let b = 0; b < g.batch; b++)
    for (let oy = 0; oy < gh; oy++)
      for (let ox = 0; ox < gw; ox++) {
        const row = (b * gh + oy) * gw + ox;
        for (let c = 0; c < g.channels; c++)
          for (let ky = 0; ky < g.kh; ky++)
            for (let kx = 0; kx < g.kw; kx++) {
              const y = oy * g.stride - g.pad + ky;
              const x = ox * g.stride - g.pad + kx;
              if (y < 0 || y >= g.height || x < 0 || x >= g.width) continue;
              image[((b * g.height + y) * g.width + x) * g.channels + c] += cols[row * k + (c * g.kh + ky) * g.kw + kx];
            }
      }
  return image;
}

/** db[j] = Σ_r dy[r][j] over a rows × n matrix (the bias gradient of either layer). */
export function biasGrad(dy: Vec, rows: number, n: number): Float64Array {
  const db = new Float64Array(n);
  for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) db[j] += dy[r * n + j];
  return db;
}

// Visits every (output position, input position, weight) triple of a conv: the one loop nest the
// conv twins share. oIdx indexes y (NHWC, outC), iIdx indexes x (NHWC, inC), wIdx the weight.
function forEachConvTap(g: ConvGeometry, visit: (oIdx: number, iIdx: number, wIdx: number) => void): void {
  const ho = convOut(g.inH, g.kh, g.stride, g.pad);
  const wo = convOut(g.inW, g.kw, g.stride, g.pad);
  for (let b = 0; b < g.batch; b++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let co = 0; co < g.outC; co++)
          for (let ci = 0; ci < g.inC; ci++)
            for (let ky = 0; ky < g.kh; ky++)
              for (let kx = 0; kx < g.kw; kx++) {
                const iy = oy * g.stride - g.pad + ky;
                const ix = ox * g.stride - g.pad + kx;
                if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) continue;
                visit(
                  ((b * ho + oy) * wo + ox) * g.outC + co,
                  ((b * g.inH + iy) * g.inW + ix) * g.inC + ci,
                  ((co * g.inC + ci) * g.kh + ky) * g.kw + kx,
                );
              }
}

function addBiasAndActivate(
  y: Float64Array,
  channels: number,
  bias: Vec | undefined,
  activation: Activation,
  slope: number,
): Float64Array {
  for (let i = 0; i < y.length; i++) {
    const v = y[i] + (bias ? bias[i % channels] : 0);
    y[i] = activate(v, activation, slope);
  }
  return y;
}

/** y[b,oy,ox,co] = act(bias[co] + Σ_{ci,ky,kx} x[b, oy·s−p+ky, ox·s−p+kx, ci] · w[co,ci,ky,kx]). */
export function conv2dForward(
  x: Vec,
  w: Vec,
  bias: Vec | undefined,
  g: ConvGeometry,
  activation: Activation = 'identity',
  slope = 0,
): Float64Array {
  const ho = convOut(g.inH, g.kh, g.stride, g.pad);
  const wo = convOut(g.inW, g.kw, g.stride, g.pad);
  const y = new Float64Array(g.batch * ho * wo * g.outC);
  forEachConvTap(g, (o, i, k) => {
    y[o] += x[i] * w[k];
  });
  return addBiasAndActivate(y, g.outC, bias, activation, slope);
}

/** dx = ∂L/∂x given dy = ∂L/∂(pre-activation y). */
export function conv2dInputGrad(dy: Vec, w: Vec, g: ConvGeometry): Float64Array {
  const dx = new Float64Array(g.batch * g.inH * g.inW * g.inC);
  forEachConvTap(g, (o, i, k) => {
    dx[i] += dy[o] * w[k];
  });
  return dx;
}

/** dw = ∂L/∂w given dy = ∂L/∂(pre-activation y); layout [Cout][Cin][kh][kw]. */
export function conv2dWeightGrad(x: Vec, dy: Vec, g: ConvGeometry): Float64Array {
  const dw = new Float64Array(g.outC * g.inC * g.kh * g.kw);
  forEachConvTap(g, (o, i, k) => {
    dw[k] += dy[o] * x[i];
  });
  return dw;
}

// Every (input position, output position, weight) triple of a transposed conv: input pixel
// (iy, ix) spreads x·w onto output pixel (iy·s − p + ky, ix·s − p + kx).
function forEachTransposeTap(g: ConvGeometry, visit: (iIdx: number, oIdx: number, wIdx: number) => void): void {
  const ho = transposeOut(g.inH, g.kh, g.stride, g.pad);
  const wo = transposeOut(g.inW, g.kw, g.stride, g.pad);
  for (let b = 0; b < g.batch; b++)
    for (let iy = 0; iy < g.inH; iy++)
      for (let ix = 0; ix < g.inW; ix++)
        for (let ci = 0; ci < g.inC; ci++)
          for (let co = 0; co < g.outC; co++)
            for (let ky = 0; ky < g.kh; ky++)
              for (let kx = 0; kx < g.kw; kx++) {
                const oy = iy * g.stride - g.pad + ky;
                const ox = ix * g.stride - g.pad + kx;
                if (oy < 0 || oy >= ho || ox < 0 || ox >= wo) continue;
                visit(
                  ((b * g.inH + iy) * g.inW + ix) * g.inC + ci,
                  ((b * ho + oy) * wo + ox) * g.outC + co,
                  ((ci * g.outC + co) * g.kh + ky) * g.kw + kx,
                );
              }
}

/** y[b, iy·s−p+ky, ix·s−p+kx, co] += x[b,iy,ix,ci] · w[ci,co,ky,kx]; then y = act(y + bias[co]). */
export function convTranspose2dForward(
  x: Vec,
  w: Vec,
  bias: Vec | undefined,
  g: ConvGeometry,
  activation: Activation = 'identity',
  slope = 0,
): Float64Array {
  const ho = transposeOut(g.inH, g.kh, g.stride, g.pad);
  const wo = transposeOut(g.inW, g.kw, g.stride, g.pad);
  const y = new Float64Array(g.batch * ho * wo * g.outC);
  forEachTransposeTap(g, (i, o, k) => {
    y[o] += x[i] * w[k];
  });
  return addBiasAndActivate(y, g.outC, bias, activation, slope);
}

export function convTranspose2dInputGrad(dy: Vec, w: Vec, g: ConvGeometry): Float64Array {
  const dx = new Float64Array(g.batch * g.inH * g.inW * g.inC);
  forEachTransposeTap(g, (i, o, k) => {
    dx[i] += dy[o] * w[k];
  });
  return dx;
}

/** dw layout [Cin][Cout][kh][kw]. */
export function convTranspose2dWeightGrad(x: Vec, dy: Vec, g: ConvGeometry): Float64Array {
  const dw = new Float64Array(g.inC * g.outC * g.kh * g.kw);
  forEachTransposeTap(g, (i, o, k) => {
    dw[k] += dy[o] * x[i];
  });
  return dw;
}
