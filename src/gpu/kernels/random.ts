/** Launchers for shaders/random.wgsl: GPU-side noise and data draws, advanced by a GPU counter. */
import randomCode from '../../../shaders/random.wgsl?raw';
import { bindingsOverlap, type GpuBinding } from '../binding';
import { packUniform, requireFloats } from '../buffers';
import type { GpuContext } from '../device';
import { dispatchKernel, gridFor, type Kernel } from '../kernel';
import { kernelShader } from '../shader-source';

export const RANDOM_SHADER = kernelShader('random', randomCode, ['params', 'counter', 'out', 'anchors']);
const SHADER = RANDOM_SHADER;

/** The draw counter: one u32 on the GPU. Each `tick` makes every later draw a fresh one. */
export function createDrawCounter(ctx: GpuContext, label: string, start = 0): GPUBuffer {
  const buffer = ctx.buffers.create(
    label,
    16,
    GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  );
  ctx.device.queue.writeBuffer(buffer, 0, new Uint32Array([start, 0, 0, 0]));
  return buffer;
}

function randomKernel(
  ctx: GpuContext,
  label: string,
  entryPoint: string,
  threads: number,
  fields: { seed: number; stream: number; anchorCount?: number; std: number; dim?: number },
  tensors: { counter: GpuBinding; out: GpuBinding; anchors?: GpuBinding },
  sizes: { out: number; anchors?: number },
): Kernel {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`${label}: the draw must have a positive whole number of values, got ${threads}`);
  }
  // Both are read_write: Dawn rejects a bind group whose writable ranges alias.
  if (bindingsOverlap(tensors.out, tensors.counter)) throw new Error(`${label}: out must not overlap counter`);
  requireFloats(label, 'counter', tensors.counter, 1);
  requireFloats(label, 'out', tensors.out, sizes.out);
  if (tensors.anchors && sizes.anchors !== undefined) {
    requireFloats(label, 'anchors', tensors.anchors, sizes.anchors);
  }
  // One thread per element: the profile's elementwiseWorkgroup (src/gpu/tuning.ts), here and in the shader.
  const WORKGROUP_SIZE = ctx.tuning.elementwiseWorkgroup;
  const [x, y] = gridFor(Math.ceil(threads / WORKGROUP_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension);
  const params = ctx.buffers.uniform(
    `${label}.params`,
    packUniform([
      { u32: threads },
      { u32: fields.seed >>> 0 },
      { u32: fields.stream >>> 0 },
      { u32: fields.anchorCount ?? 0 },
      { f32: fields.std },
      { u32: x * WORKGROUP_SIZE },
      { u32: fields.dim ?? 0 },
    ]),
  );
  const pipeline = ctx.pipelines.compute({
    family: SHADER.family,
    code: SHADER.code,
    entryPoint,
    constants: { WORKGROUP_SIZE },
  });
  return dispatchKernel(ctx, { label, pipeline, bindings: SHADER.bind({ params, ...tensors }), workgroups: [x, y] });
}

export function prepareDrawTick(ctx: GpuContext, counter: GpuBinding, label = 'random.tick'): Kernel {
  requireFloats(label, 'counter', counter, 1);
  const pipeline = ctx.pipelines.compute({
    family: SHADER.family,
    code: SHADER.code,
    entryPoint: 'tick',
    constants: { WORKGROUP_SIZE: ctx.tuning.elementwiseWorkgroup },
  });
  return dispatchKernel(ctx, { label, pipeline, bindings: SHADER.bind({ counter }), workgroups: [1] });
}

/** out[0..n) ~ N(0, std²), fixed by (seed, stream, current counter). */
export function prepareNormalDraw(
  ctx: GpuContext,
  a: { out: GpuBinding; n: number; std?: number; seed: number; stream: number; counter: GpuBinding; label?: string },
): Kernel {
  return randomKernel(
    ctx,
    a.label ?? 'random.normal',
    'normal',
    a.n,
    { seed: a.seed, stream: a.stream, std: a.std ?? 1 },
    { counter: a.counter, out: a.out },
    { out: a.n },
  );
}

/** out[0..n) ~ U(0, 1), open interval, fixed by (seed, stream, current counter). */
export function prepareUniformDraw(
  ctx: GpuContext,
  a: { out: GpuBinding; n: number; seed: number; stream: number; counter: GpuBinding; label?: string },
): Kernel {
  return randomKernel(
    ctx,
    a.label ?? 'random.uniform',
    'uniform_draw',
    a.n,
    { seed: a.seed, stream: a.stream, std: 0 },
    { counter: a.counter, out: a.out },
    { out: a.n },
  );
}

/** out = n points (n×2): uniformly chosen anchors (anchorCount×2) plus N(0, std²) noise. */
export function prepareAnchorSample(
  ctx: GpuContext,
  a: {
    out: GpuBinding;
    n: number;
    anchors: GpuBinding;
    anchorCount: number;
    std: number;
    seed: number;
    stream: number;
    counter: GpuBinding;
    label?: string;
  },
): Kernel {
  return randomKernel(
    ctx,
    a.label ?? 'random.sampleAnchors',
    'sample_anchors',
    a.n,
    { seed: a.seed, stream: a.stream, anchorCount: a.anchorCount, std: a.std },
    { counter: a.counter, out: a.out, anchors: a.anchors },
    { out: 2 * a.n, anchors: 2 * a.anchorCount },
  );
}

/** out = n rows (n × dim) chosen uniformly from `rows` (count × dim): data batches such as digits. */
export function prepareRowSample(
  ctx: GpuContext,
  a: {
    out: GpuBinding;
    n: number;
    rows: GpuBinding;
    count: number;
    dim: number;
    seed: number;
    stream: number;
    counter: GpuBinding;
    label?: string;
  },
): Kernel {
  return randomKernel(
    ctx,
    a.label ?? 'random.sampleRows',
    'sample_rows',
    a.n * a.dim,
    { seed: a.seed, stream: a.stream, anchorCount: a.count, std: 0, dim: a.dim },
    { counter: a.counter, out: a.out, anchors: a.rows },
    { out: a.n * a.dim, anchors: a.count * a.dim },
  );
}
