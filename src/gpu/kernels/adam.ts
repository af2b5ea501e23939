/**
 * Launchers for shaders/adam.wgsl. One step counter per optimizer (all the parameter tensors it
 * updates share it): per update, encode `prepareAdamTick` once, then every `prepareAdamUpdate`.
 * The hyper-parameters sit in each update's uniform, written once at prepare time; the changing
 * step count is read from the counter on the GPU, so a training step writes nothing from the CPU.
 */
import adamCode from '../../../shaders/adam.wgsl?raw';
import { packUniform, storageUsage } from '../buffers';
import type { GpuContext } from '../device';
import { dispatchKernel, gridFor, type Kernel } from '../kernel';
import { kernelShader } from '../shader-source';

export const ADAM_SHADER = kernelShader('adam', adamCode, ['params', 'grad', 'param', 'm', 'v', 'counter', 'step']);
const SHADER = ADAM_SHADER;

/** β = 0 would make ln β infinite; e^−80 is already 0 next to 1 in float32. */
const MIN_LOG_BETA = -80;

/** A zeroed step counter (one u32: the number of updates taken). */
export function createAdamStep(ctx: GpuContext, label = 'adam.step'): GPUBuffer {
  return ctx.buffers.create(label, 4, storageUsage());
}

/** Advances the counter by one; encode once per optimizer update, before the parameter updates. */
export function prepareAdamTick(ctx: GpuContext, a: { step: GPUBuffer; label?: string }): Kernel {
  const label = a.label ?? `${a.step.label}.tick`;
  const pipeline = ctx.pipelines.compute({ family: SHADER.family, code: SHADER.code, entryPoint: 'tick' });
  return dispatchKernel(ctx, { label, pipeline, bindings: SHADER.bind({ counter: a.step }), workgroups: [1] });
}

export interface AdamUpdateArgs {
  param: GPUBuffer;
  grad: GPUBuffer;
  /** First and second moments, zero at the start (see resetAdam). */
  m: GPUBuffer;
  v: GPUBuffer;
  step: GPUBuffer;
  n: number;
  lr: number;
  beta1: number;
  beta2: number;
  /** Added to sqrt(v̂); default 1e-8. */
  eps?: number;
  label?: string;
}

/** param, m, v ← one Adam update with the bias corrections of the counter's t (ticked first). */
export function prepareAdamUpdate(ctx: GpuContext, a: AdamUpdateArgs): Kernel {
  const label = a.label ?? `${a.param.label}.adam`;
  // One thread per element: the profile's elementwiseWorkgroup (src/gpu/tuning.ts), here and in the shader.
  const WORKGROUP_SIZE = ctx.tuning.elementwiseWorkgroup;
  for (const [name, beta] of [
    ['beta1', a.beta1],
    ['beta2', a.beta2],
  ] as const) {
    if (!(beta >= 0 && beta < 1)) throw new Error(`${label}: ${name} must lie in [0, 1), got ${beta}`);
  }
  const [x, y] = gridFor(Math.ceil(a.n / WORKGROUP_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension);
  const params = ctx.buffers.uniform(
    `${label}.params`,
    packUniform([
      { u32: a.n },
      { u32: x * WORKGROUP_SIZE },
      { f32: a.lr },
      { f32: a.eps ?? 1e-8 },
      { f32: a.beta1 },
      { f32: 1 - a.beta1 },
      { f32: a.beta2 },
      { f32: 1 - a.beta2 },
      { f32: Math.max(Math.log(a.beta1), MIN_LOG_BETA) },
      { f32: Math.max(Math.log(a.beta2), MIN_LOG_BETA) },
    ]),
  );
  const pipeline = ctx.pipelines.compute({
    family: SHADER.family,
    code: SHADER.code,
    entryPoint: 'adam_update',
    constants: { WORKGROUP_SIZE },
  });
  return dispatchKernel(ctx, {
    label,
    pipeline,
    bindings: SHADER.bind({ params, grad: a.grad, param: a.param, m: a.m, v: a.v, step: a.step }),
    workgroups: [x, y],
  });
}

/**
 * Restarts an optimizer: t ← 0 and the given moment buffers zeroed. Submits its own clears, so
 * call it between training steps, never while one is being encoded.
 */
export function resetAdam(ctx: GpuContext, a: { step: GPUBuffer; moments?: GPUBuffer[]; label?: string }): void {
  const encoder = ctx.device.createCommandEncoder({ label: `${a.label ?? a.step.label}.reset` });
  encoder.clearBuffer(a.step);
  for (const buffer of a.moments ?? []) encoder.clearBuffer(buffer);
  ctx.device.queue.submit([encoder.finish()]);
}

/** Reads the counter's t (a round trip: tests and tools only). */
export async function readAdamStep(ctx: GpuContext, step: GPUBuffer): Promise<number> {
  const words = await ctx.buffers.read(step, 1);
  return new Uint32Array(words.buffer, words.byteOffset, 1)[0];
}
