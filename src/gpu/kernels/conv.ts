/**
 * Convolution as matmul (shaders/conv.wgsl + src/gpu/kernels/matmul.ts).
 *
 * Layouts: activations NHWC row-major, so a conv's matmul output (B·Ho·Wo) × Cout IS the NHWC
 * output. Conv2d weight [Cout][Cin][kh][kw] = the Cout × (Cin·kh·kw) matrix spectral normalization
 * sees; ConvTranspose2d weight [Cin][Cout][kh][kw] = a Cin × (Cout·kh·kw) matrix. Square stride and
 * padding, any kh × kw, zero padding.
 *   Conv2d           Ho = floor((H + 2p − kh)/s) + 1
 *   ConvTranspose2d  Ho = (H − 1)·s − 2p + kh   (the conv with the same kernel maps it back to H)
 *
 * Composition (M = B·Ho·Wo conv output pixels, K = Cin·kh·kw):
 *   conv forward    cols = im2col(x) [M × K];  y = act(cols · Wᵀ + bias)            (matmul NT)
 *   conv backward   dW (+)= dyᵀ · cols (TN);  db (+)= colsum(dy);  dcols = dy · W (NN);
 *                   dx (+)= col2im(dcols)
 *   transposed fwd  cols = x · W (NN, x as (B·H·W) × Cin);  y = act(col2im(cols) + bias)
 *                   (col2im with the geometry of the matching conv, y playing the conv's input)
 *   transposed bwd  dcols = im2col(dy);  dx (+)= dcols · Wᵀ (NT);  dW (+)= xᵀ · dcols (TN);
 *                   db (+)= colsum(dy)
 * The bias gradient is a column sum of dy through the reductions family (prepareColumnReduce),
 * not a ones-vector matmul. Backward launchers take dy = ∂L/∂(PRE-activation output): run
 * prepareActivationBackward first when the forward fused an activation.
 *
 * Every buffer is allocated by the caller up front; `conv2dSizes` / `convTranspose2dSizes` give the
 * element counts, scratch included. Scratch reuse: the conv backward computes dW before dcols, so
 * `dcols` may be the forward's `cols` buffer (the default); the transposed conv's forward `cols`
 * and backward `dcols` have the same size and no lifetime overlap, so one buffer serves both, and
 * one buffer of the largest size can serve every layer of a network (pass `x` to the conv
 * backward so it recomputes cols instead of relying on what the forward left there).
 */
import activationCode from '../../../shaders/activation.wgsl?raw';
import convCode from '../../../shaders/conv.wgsl?raw';
import { ACTIVATION_CODE, type Activation } from '../activation';
import { packUniform } from '../buffers';
import type { GpuContext } from '../device';
import { dispatchKernel, gridFor, sequence, type Kernel } from '../kernel';
import { prepareMatmul } from './matmul';
import { prepareColumnReduce } from './reduce';

const code = `${activationCode}\n${convCode}`;

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

function checkGeometry(label: string, g: PatchGeometry): void {
  const ints = [g.batch, g.height, g.width, g.channels, g.kh, g.kw, g.stride];
  if (!ints.every((v) => Number.isInteger(v) && v >= 1) || !Number.isInteger(g.pad) || g.pad < 0) {
    throw new Error(`${label}: bad geometry ${JSON.stringify(g)}`);
  }
  const { gridH, gridW, rows, k } = patchGrid(g);
  if (gridH < 1 || gridW < 1) throw new Error(`${label}: kernel larger than the padded image ${JSON.stringify(g)}`);
  if (rows * k >= 2 ** 32 || g.batch * g.height * g.width * g.channels >= 2 ** 32) {
    throw new Error(`${label}: more than 2^32 elements; split the batch`);
  }
}

/** Throws at prepare time when a caller's buffer is smaller than the layer needs. */
function checkSize(label: string, name: string, buffer: GPUBuffer, count: number): void {
  if (buffer.size < count * 4) {
    throw new Error(`${label}: ${name} holds ${buffer.size / 4} floats, needs ${count}`);
  }
}

function patchKernel(
  ctx: GpuContext,
  label: string,
  entryPoint: string,
  g: PatchGeometry,
  total: number,
  extra: { accumulate?: boolean; slope?: number; activation?: Activation },
  bindings: Record<number, GPUBuffer>,
): Kernel {
  checkGeometry(label, g);
  // One thread per element: the profile's elementwiseWorkgroup (src/gpu/tuning.ts), here and in the shader.
  const WORKGROUP_SIZE = ctx.tuning.elementwiseWorkgroup;
  const { gridH, gridW } = patchGrid(g);
  const [x, y] = gridFor(Math.ceil(total / WORKGROUP_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension);
  const params = ctx.buffers.uniform(
    `${label}.params`,
    packUniform([
      { u32: g.batch },
      { u32: g.height },
      { u32: g.width },
      { u32: g.channels },
      { u32: gridH },
      { u32: gridW },
      { u32: g.kh },
      { u32: g.kw },
      { u32: g.stride },
      { u32: g.pad },
      { u32: total },
      { u32: x * WORKGROUP_SIZE },
      { u32: extra.accumulate ? 1 : 0 },
      { f32: extra.slope ?? 0 },
    ]),
  );
  const pipeline = ctx.pipelines.compute({
    family: 'conv',
    code,
    entryPoint,
    constants: { WORKGROUP_SIZE, ACT: ACTIVATION_CODE[extra.activation ?? 'identity'] },
  });
  return dispatchKernel(ctx, { label, pipeline, bindings: { 0: params, ...bindings }, workgroups: [x, y] });
}

export interface Im2colArgs {
  geom: PatchGeometry;
  /** NHWC, batch × height × width × channels. */
  image: GPUBuffer;
  /** rows × k (patchGrid), written. Must differ from image. */
  cols: GPUBuffer;
  label?: string;
}

/** cols[(b,oy,ox)][c·kh·kw + ky·kw + kx] = image[b][oy·s − p + ky][ox·s − p + kx][c] (0 outside). */
export function prepareIm2col(ctx: GpuContext, a: Im2colArgs): Kernel {
  const label = a.label ?? 'conv.im2col';
  if (a.image === a.cols) throw new Error(`${label}: image and cols must be different buffers`);
  const { rows, k } = patchGrid(a.geom);
  checkSize(label, 'image', a.image, a.geom.batch * a.geom.height * a.geom.width * a.geom.channels);
  checkSize(label, 'cols', a.cols, rows * k);
  return patchKernel(ctx, label, 'im2col', a.geom, rows * k, {}, { 1: a.image, 2: a.cols });
}

export interface Col2imArgs {
  geom: PatchGeometry;
  /** rows × k (patchGrid), read. Must differ from image. */
  cols: GPUBuffer;
  /** NHWC, written: image = act(Σ contributions + bias[c] (+ image if accumulate)). */
  image: GPUBuffer;
  /** Length channels. */
  bias?: GPUBuffer;
  activation?: Activation;
  slope?: number;
  /** Add to what image holds (only with the identity activation). */
  accumulate?: boolean;
  label?: string;
}

/** The adjoint of im2col, in gather form (one thread per image element; no atomics). */
export function prepareCol2im(ctx: GpuContext, a: Col2imArgs): Kernel {
  const label = a.label ?? 'conv.col2im';
  const activation = a.activation ?? 'identity';
  if (a.image === a.cols) throw new Error(`${label}: image and cols must be different buffers`);
  if (a.accumulate && activation !== 'identity') {
    throw new Error(`${label}: accumulate with a fused activation is ambiguous; accumulate pre-activations`);
  }
  const { rows, k } = patchGrid(a.geom);
  const total = a.geom.batch * a.geom.height * a.geom.width * a.geom.channels;
  checkSize(label, 'cols', a.cols, rows * k);
  checkSize(label, 'image', a.image, total);
  const bindings: Record<number, GPUBuffer> = { 1: a.cols, 2: a.image };
  if (a.bias) {
    checkSize(label, 'bias', a.bias, a.geom.channels);
    bindings[3] = a.bias;
  }
  const entry = a.bias ? 'col2im_bias' : 'col2im';
  return patchKernel(
    ctx,
    label,
    entry,
    a.geom,
    total,
    { accumulate: a.accumulate, slope: a.slope, activation },
    bindings,
  );
}

// ---------------------------------------------------------------------------------------------
// Layers.

export interface Conv2dForwardArgs {
  /** NHWC input, conv2dSizes(g).x. */
  x: GPUBuffer;
  /** [Cout][Cin][kh][kw]. */
  w: GPUBuffer;
  bias?: GPUBuffer;
  /** NHWC output, written: act(conv(x) + bias). */
  y: GPUBuffer;
  /** Scratch, conv2dSizes(g).cols; holds im2col(x) afterwards (the backward reads it). */
  cols: GPUBuffer;
  activation?: Activation;
  slope?: number;
  label?: string;
}

export function prepareConv2dForward(ctx: GpuContext, g: ConvGeometry, a: Conv2dForwardArgs): Kernel {
  const label = a.label ?? 'conv2d';
  const s = conv2dSizes(g);
  const { rows, k } = patchGrid(conv2dPatches(g));
  checkSize(label, 'w', a.w, s.w);
  checkSize(label, 'y', a.y, s.y);
  if (a.bias) checkSize(label, 'bias', a.bias, s.bias);
  return sequence(label, [
    prepareIm2col(ctx, { geom: conv2dPatches(g), image: a.x, cols: a.cols, label: `${label}.im2col` }),
    prepareMatmul(ctx, {
      a: a.cols,
      b: a.w,
      c: a.y,
      m: rows,
      n: g.outC,
      k,
      transB: true,
      bias: a.bias,
      activation: a.activation,
      slope: a.slope,
      label: `${label}.matmul`,
    }),
  ]);
}

export interface Conv2dBackwardArgs {
  /** ∂L/∂(pre-activation y), NHWC. */
  dy: GPUBuffer;
  w: GPUBuffer;
  /** im2col(x) as the forward left it, or scratch to recompute it into when `x` is given. */
  cols: GPUBuffer;
  /** When given, cols = im2col(x) is recomputed first (lets layers share one scratch buffer). */
  x?: GPUBuffer;
  /** [Cout][Cin][kh][kw], written (or added to). */
  dw: GPUBuffer;
  /** Length Cout, written (or added to). */
  db?: GPUBuffer;
  /** NHWC ∂L/∂x, written (or added to); leave out for a first layer. */
  dx?: GPUBuffer;
  /** Scratch for dy·W, conv2dSizes(g).cols; defaults to (and may be) `cols`, overwriting it. */
  dcols?: GPUBuffer;
  /** dw and db += instead of =. */
  accumulate?: boolean;
  /** dx += instead of =. */
  accumulateInput?: boolean;
  label?: string;
}

export function prepareConv2dBackward(ctx: GpuContext, g: ConvGeometry, a: Conv2dBackwardArgs): Kernel {
  const label = a.label ?? 'conv2d.backward';
  const s = conv2dSizes(g);
  const patches = conv2dPatches(g);
  const { rows, k } = patchGrid(patches);
  checkSize(label, 'dy', a.dy, s.y);
  checkSize(label, 'w', a.w, s.w);
  checkSize(label, 'cols', a.cols, s.cols);
  checkSize(label, 'dw', a.dw, s.w);
  const kernels: Kernel[] = [];
  if (a.x) kernels.push(prepareIm2col(ctx, { geom: patches, image: a.x, cols: a.cols, label: `${label}.im2col` }));
  // dW [Cout × K] = dyᵀ · cols: dy is stored M × Cout = k × m.
  kernels.push(
    prepareMatmul(ctx, {
      a: a.dy,
      b: a.cols,
      c: a.dw,
      m: g.outC,
      n: k,
      k: rows,
      transA: true,
      accumulate: a.accumulate,
      label: `${label}.dw`,
    }),
  );
  if (a.db) {
    checkSize(label, 'db', a.db, s.bias);
    kernels.push(
      prepareColumnReduce(ctx, {
        x: a.dy,
        rows,
        cols: g.outC,
        out: a.db,
        accumulate: a.accumulate,
        label: `${label}.db`,
      }),
    );
  }
  if (a.dx) {
    // After dW: cols is dead, so dcols may be the same buffer.
    const dcols = a.dcols ?? a.cols;
    checkSize(label, 'dcols', dcols, s.cols);
    kernels.push(
      prepareMatmul(ctx, { a: a.dy, b: a.w, c: dcols, m: rows, n: k, k: g.outC, label: `${label}.dcols` }),
      prepareCol2im(ctx, {
        geom: patches,
        cols: dcols,
        image: a.dx,
        accumulate: a.accumulateInput,
        label: `${label}.col2im`,
      }),
    );
  }
  return sequence(label, kernels);
}

export interface ConvTranspose2dForwardArgs {
  /** NHWC input, convTranspose2dSizes(g).x. */
  x: GPUBuffer;
  /** [Cin][Cout][kh][kw]. */
  w: GPUBuffer;
  bias?: GPUBuffer;
  /** NHWC output, written: act(convT(x) + bias). */
  y: GPUBuffer;
  /** Scratch, convTranspose2dSizes(g).cols (not needed by the backward). */
  cols: GPUBuffer;
  activation?: Activation;
  slope?: number;
  label?: string;
}

export function prepareConvTranspose2dForward(ctx: GpuContext, g: ConvGeometry, a: ConvTranspose2dForwardArgs): Kernel {
  const label = a.label ?? 'convTranspose2d';
  const s = convTranspose2dSizes(g);
  const patches = convTranspose2dPatches(g);
  checkGeometry(label, patches);
  checkSize(label, 'x', a.x, s.x);
  checkSize(label, 'w', a.w, s.w);
  const pixels = g.batch * g.inH * g.inW;
  return sequence(label, [
    // cols [(B·H·W) × (Cout·kh·kw)] = x · W: row (b, iy, ix) is the patch pixel (iy, ix) spreads.
    prepareMatmul(ctx, {
      a: a.x,
      b: a.w,
      c: a.cols,
      m: pixels,
      n: g.outC * g.kh * g.kw,
      k: g.inC,
      label: `${label}.matmul`,
    }),
    prepareCol2im(ctx, {
      geom: patches,
      cols: a.cols,
      image: a.y,
      bias: a.bias,
      activation: a.activation,
      slope: a.slope,
      label: `${label}.col2im`,
    }),
  ]);
}

export interface ConvTranspose2dBackwardArgs {
  /** The forward's input, NHWC. */
  x: GPUBuffer;
  /** ∂L/∂(pre-activation y), NHWC. */
  dy: GPUBuffer;
  w: GPUBuffer;
  /** Scratch, convTranspose2dSizes(g).cols (the forward's cols buffer will do). */
  dcols: GPUBuffer;
  /** [Cin][Cout][kh][kw], written (or added to). */
  dw: GPUBuffer;
  /** Length Cout, written (or added to). */
  db?: GPUBuffer;
  /** NHWC ∂L/∂x, written (or added to); leave out when x is the network input. */
  dx?: GPUBuffer;
  /** dw and db += instead of =. */
  accumulate?: boolean;
  /** dx += instead of =. */
  accumulateInput?: boolean;
  label?: string;
}

export function prepareConvTranspose2dBackward(
  ctx: GpuContext,
  g: ConvGeometry,
  a: ConvTranspose2dBackwardArgs,
): Kernel {
  const label = a.label ?? 'convTranspose2d.backward';
  const s = convTranspose2dSizes(g);
  const patches = convTranspose2dPatches(g);
  const pixels = g.batch * g.inH * g.inW;
  const n = g.outC * g.kh * g.kw;
  checkSize(label, 'x', a.x, s.x);
  checkSize(label, 'w', a.w, s.w);
  checkSize(label, 'dw', a.dw, s.w);
  const kernels: Kernel[] = [
    prepareIm2col(ctx, { geom: patches, image: a.dy, cols: a.dcols, label: `${label}.im2col` }),
    // dW [Cin × (Cout·kh·kw)] = xᵀ · dcols: x is stored (B·H·W) × Cin = k × m.
    prepareMatmul(ctx, {
      a: a.x,
      b: a.dcols,
      c: a.dw,
      m: g.inC,
      n,
      k: pixels,
      transA: true,
      accumulate: a.accumulate,
      label: `${label}.dw`,
    }),
  ];
  if (a.db) {
    checkSize(label, 'db', a.db, s.bias);
    const outPixels = s.y / g.outC;
    kernels.push(
      prepareColumnReduce(ctx, {
        x: a.dy,
        rows: outPixels,
        cols: g.outC,
        out: a.db,
        accumulate: a.accumulate,
        label: `${label}.db`,
      }),
    );
  }
  if (a.dx) {
    checkSize(label, 'dx', a.dx, s.x);
    // dx [(B·H·W) × Cin] = dcols · Wᵀ: W is stored Cin × (Cout·kh·kw) = n × k.
    kernels.push(
      prepareMatmul(ctx, {
        a: a.dcols,
        b: a.w,
        c: a.dx,
        m: pixels,
        n: g.inC,
        k: n,
        transB: true,
        accumulate: a.accumulateInput,
        label: `${label}.dx`,
      }),
    );
  }
  return sequence(label, kernels);
}
