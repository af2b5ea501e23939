/**
 * Launchers for shaders/conv.wgsl: im2col and its adjoint col2im on NHWC images (geometry in
 * src/core/conv-geometry.ts). The conv layers (src/nn/conv2d.ts, src/nn/conv-transpose2d.ts) are
 * these two around the matmul kernel, composed through the engine's Backend so the GPU and the CPU
 * backend run the same sequence of ops:
 *   conv forward    cols = im2col(x);  y = act(cols · Wᵀ + b)
 *   conv backward   dW (+)= dzᵀ · im2col(x);  db (+)= colsum(dz);  dx = col2im(dz · W)
 *   convT forward   cols = x · W;  y = act(col2im(cols) + b)
 *   convT backward  cols = im2col(dz);  dW (+)= xᵀ · cols;  db (+)= colsum(dz);  dx = cols · Wᵀ
 * (dz: the gradient with respect to the pre-activation output.)
 */
import convCode from '../../../shaders/conv.wgsl?raw';
import { ACTIVATION_CODE, type Activation } from '../activation';
import { bindingsOverlap, type GpuBinding } from '../binding';
import { packUniform } from '../buffers';
import { requireMemberFloats } from '../member-fit';
import type { GpuContext } from '../device';
import { dispatchKernel, gridFor, type Kernel } from '../kernel';
import { memberCount, memberUniform, packMemberTable, type MemberBatch } from '../members';
import { kernelShader } from '../shader-source';
import { patchGrid, type PatchGeometry } from '../../core/conv-geometry';

export const CONV_SHADER = kernelShader('conv', convCode, ['params', 'src', 'dst', 'bias', 'members']);
const SHADER = CONV_SHADER;

/**
 * Member slots (the backend keys member offsets by these names). The shader numbers its bindings
 * src = 0, dst = 1, bias = 2, so each list names the argument bound there.
 */
export const IM2COL_MEMBER_SLOTS = ['image', 'cols'] as const;
export const COL2IM_MEMBER_SLOTS = ['cols', 'image', 'bias'] as const;

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

function patchKernel(
  ctx: GpuContext,
  label: string,
  entryPoint: string,
  g: PatchGeometry,
  total: number,
  extra: { accumulate?: boolean; slope?: number; activation?: Activation },
  buffers: { src: GpuBinding; dst: GpuBinding; bias?: GpuBinding },
  slots: readonly string[],
  batch?: MemberBatch,
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
    family: SHADER.family,
    code: SHADER.code,
    entryPoint,
    constants: { WORKGROUP_SIZE, ACT: ACTIVATION_CODE[extra.activation ?? 'identity'] },
  });
  const members = memberUniform(ctx, label, slots, batch);
  return dispatchKernel(ctx, {
    label,
    pipeline,
    bindings: SHADER.bind({ params, members, ...buffers }),
    workgroups: [x, y, memberCount(batch)],
  });
}

export interface Im2colArgs {
  geom: PatchGeometry;
  /** NHWC, batch × height × width × channels. */
  image: GpuBinding;
  /** rows × k (patchGrid), written. Must differ from image. */
  cols: GpuBinding;
  label?: string;
}

/**
 * cols[(b,oy,ox)][c·kh·kw + ky·kw + kx] = image[b][oy·s − p + ky][ox·s − p + kx][c] (0 outside).
 * With a batch, one dispatch does it for every member (offsets keyed by IM2COL_MEMBER_SLOTS).
 */
export function prepareIm2col(ctx: GpuContext, a: Im2colArgs, batch?: MemberBatch): Kernel {
  const label = a.label ?? 'conv.im2col';
  if (bindingsOverlap(a.image, a.cols)) throw new Error(`${label}: image and cols must not overlap`);
  const { rows, k } = patchGrid(a.geom);
  packMemberTable(label, IM2COL_MEMBER_SLOTS, batch); // names, count and offsets first, by name
  const pixels = a.geom.batch * a.geom.height * a.geom.width * a.geom.channels;
  requireMemberFloats(label, 'image', a.image, pixels, batch, false);
  requireMemberFloats(label, 'cols', a.cols, rows * k, batch, true);
  const buffers = { src: a.image, dst: a.cols };
  return patchKernel(ctx, label, 'im2col', a.geom, rows * k, {}, buffers, IM2COL_MEMBER_SLOTS, batch);
}

export interface Col2imArgs {
  geom: PatchGeometry;
  /** rows × k (patchGrid), read. Must differ from image. */
  cols: GpuBinding;
  /** NHWC, written: image = act(Σ contributions + bias[c] (+ image if accumulate)). */
  image: GpuBinding;
  /** Length channels. */
  bias?: GpuBinding;
  activation?: Activation;
  slope?: number;
  /** Add to what image holds (only with the identity activation). */
  accumulate?: boolean;
  label?: string;
}

/**
 * The adjoint of im2col, in gather form (one thread per image element; no atomics). With a batch,
 * one dispatch does it for every member (offsets keyed by COL2IM_MEMBER_SLOTS).
 */
export function prepareCol2im(ctx: GpuContext, a: Col2imArgs, batch?: MemberBatch): Kernel {
  const label = a.label ?? 'conv.col2im';
  const activation = a.activation ?? 'identity';
  if (bindingsOverlap(a.image, a.cols)) throw new Error(`${label}: image and cols must not overlap`);
  if (a.accumulate && activation !== 'identity') {
    throw new Error(`${label}: accumulate with a fused activation is ambiguous; accumulate pre-activations`);
  }
  const { rows, k } = patchGrid(a.geom);
  const total = a.geom.batch * a.geom.height * a.geom.width * a.geom.channels;
  packMemberTable(label, COL2IM_MEMBER_SLOTS, batch); // names, count and offsets first, by name
  requireMemberFloats(label, 'cols', a.cols, rows * k, batch, false);
  requireMemberFloats(label, 'image', a.image, total, batch, true);
  if (a.bias) requireMemberFloats(label, 'bias', a.bias, a.geom.channels, batch, false);
  // Only col2im_bias reads bias: col2im's automatic pipeline layout has no slot for it.
  const buffers = a.bias ? { src: a.cols, dst: a.image, bias: a.bias } : { src: a.cols, dst: a.image };
  const entry = a.bias ? 'col2im_bias' : 'col2im';
  const extra = { accumulate: a.accumulate, slope: a.slope, activation };
  return patchKernel(ctx, label, entry, a.geom, total, extra, buffers, COL2IM_MEMBER_SLOTS, batch);
}
