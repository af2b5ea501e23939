/**
 * Launchers for shaders/adam.wgsl. One step counter per optimizer (all the parameter tensors it
 * updates share it): per update, encode `prepareAdamTick` once, then every `prepareAdamUpdate`.
 * The hyper-parameters sit in each update's uniform, written once at prepare time; the changing
 * step count is read from the counter on the GPU, so a training step writes nothing from the CPU.
 *
 * Both can be batched (src/gpu/members.ts), grid z = member: a batched tick advances one counter
 * per member (each its own), a batched update reads each member's counter, or one shared by all.
 */
import adamCode from '../../../shaders/adam.wgsl?raw';
import { bufferOfBinding, type GpuBinding } from '../binding';
import { packUniform, storageUsage } from '../buffers';
import type { GpuContext } from '../device';
import { dispatchKernel, gridFor, type Kernel } from '../kernel';
import { checkBindingUsage, checkMemberFit, checkMemberOutput } from '../member-fit';
import { memberCount, packMemberTable, type MemberBatch } from '../members';
import { kernelShader } from '../shader-source';

export const ADAM_SHADER = kernelShader('adam', adamCode, [
  'params',
  'grad',
  'param',
  'm',
  'v',
  'counter',
  'step',
  'members',
]);
const SHADER = ADAM_SHADER;

/** Member slots (PARAM_SLOT … STEP_SLOT in adam.wgsl); the tick's counter is 'step' too. */
const ADAM_MEMBER_SLOTS = ['param', 'grad', 'm', 'v', 'step'] as const;

/** β = 0 would make ln β infinite; e^−80 is already 0 next to 1 in float32. */
const MIN_LOG_BETA = -80;

/** A zeroed step counter (one u32: the number of updates taken). */
export function createAdamStep(ctx: GpuContext, label = 'adam.step'): GPUBuffer {
  return ctx.buffers.create(label, 4, storageUsage());
}

/**
 * Advances the counter by one; encode once per optimizer update, before the parameter updates.
 * Member slot 'step' (offsets in u32s): every member ticks its own counter, so members that share
 * one must tick it unbatched, once.
 */
export function prepareAdamTick(ctx: GpuContext, a: { step: GpuBinding; label?: string }, batch?: MemberBatch): Kernel {
  const label = a.label ?? `${bufferOfBinding(a.step).label}.tick`;
  for (const name of Object.keys(batch?.offsets ?? {})) {
    if (name !== 'step') throw new Error(`${label}: no member slot "${name}" (slots: step)`);
  }
  const table = packMemberTable(label, ADAM_MEMBER_SLOTS, batch);
  // Two members on one counter would both add 1 (racing): refused as overlapping outputs.
  checkMemberOutput(label, 'step', a.step, 1, batch);
  const members = ctx.buffers.uniform(`${label}.members`, table.buffer as ArrayBuffer);
  const pipeline = ctx.pipelines.compute({ family: SHADER.family, code: SHADER.code, entryPoint: 'tick' });
  return dispatchKernel(ctx, {
    label,
    pipeline,
    bindings: SHADER.bind({ counter: a.step, members }),
    workgroups: [1, 1, memberCount(batch)],
  });
}

export interface AdamUpdateArgs {
  param: GpuBinding;
  grad: GpuBinding;
  /** First and second moments, zero at the start (see resetAdam). */
  m: GpuBinding;
  v: GpuBinding;
  step: GpuBinding;
  n: number;
  lr: number;
  beta1: number;
  beta2: number;
  /** Added to sqrt(v̂); default 1e-8. */
  eps?: number;
  label?: string;
}

/**
 * param, m, v ← one Adam update with the bias corrections of the counter's t (ticked first).
 * Member slots 'param', 'grad', 'm', 'v', 'step' (the step counter may be shared: same offset).
 */
export function prepareAdamUpdate(ctx: GpuContext, a: AdamUpdateArgs, batch?: MemberBatch): Kernel {
  const label = a.label ?? `${bufferOfBinding(a.param).label}.adam`;
  // One thread per element: the profile's elementwiseWorkgroup (src/gpu/tuning.ts), here and in the shader.
  const WORKGROUP_SIZE = ctx.tuning.elementwiseWorkgroup;
  for (const [name, beta] of [
    ['beta1', a.beta1],
    ['beta2', a.beta2],
  ] as const) {
    if (!(beta >= 0 && beta < 1)) throw new Error(`${label}: ${name} must lie in [0, 1), got ${beta}`);
  }
  const table = packMemberTable(label, ADAM_MEMBER_SLOTS, batch);
  checkMemberFit(label, 'grad', a.grad, a.n, batch);
  checkMemberFit(label, 'step', a.step, 1, batch);
  checkBindingUsage(label, [
    { name: 'param', binding: a.param, written: true },
    { name: 'grad', binding: a.grad },
    { name: 'm', binding: a.m, written: true },
    { name: 'v', binding: a.v, written: true },
    { name: 'step', binding: a.step },
  ]);
  for (const [name, binding] of [
    ['param', a.param],
    ['m', a.m],
    ['v', a.v],
  ] as const) {
    checkMemberOutput(label, name, binding, a.n, batch);
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
  const members = ctx.buffers.uniform(`${label}.members`, table.buffer as ArrayBuffer);
  const pipeline = ctx.pipelines.compute({
    family: SHADER.family,
    code: SHADER.code,
    entryPoint: 'adam_update',
    constants: { WORKGROUP_SIZE },
  });
  return dispatchKernel(ctx, {
    label,
    pipeline,
    bindings: SHADER.bind({ params, grad: a.grad, param: a.param, m: a.m, v: a.v, step: a.step, members }),
    workgroups: [x, y, memberCount(batch)],
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
