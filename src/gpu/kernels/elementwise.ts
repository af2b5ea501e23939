/**
 * Launchers for shaders/elementwise.wgsl: activations forward/backward, axpby, scale.
 * Activations and axpby can be batched (src/gpu/members.ts): one dispatch, grid z = member.
 */
import elementwiseCode from '../../../shaders/elementwise.wgsl?raw';
import { ACTIVATION_CODE, type Activation } from '../activation';
import type { GpuBinding } from '../binding';
import { packUniform } from '../buffers';
import type { GpuContext } from '../device';
import { dispatchKernel, gridFor, type Kernel } from '../kernel';
import { checkBindingUsage, checkMemberFit, checkMemberOutput } from '../member-fit';
import { memberCount, packMemberTable, type MemberBatch } from '../members';
import { kernelShader } from '../shader-source';

export const ELEMENTWISE_SHADER = kernelShader('elementwise', elementwiseCode, [
  'params',
  'first',
  'result',
  'second',
  'result2',
  'members',
]);
const SHADER = ELEMENTWISE_SHADER;
type ElementwiseBinding = Exclude<keyof typeof SHADER.slots, 'params' | 'members'>;

/**
 * Member slots by the shader's binding (FIRST_SLOT … in elementwise.wgsl): `result` and `second`
 * share slot 1, as no entry point binds both. Each launcher names its arguments after these.
 */
const SLOT_OF: Record<ElementwiseBinding, number> = { first: 0, result: 1, second: 1, result2: 2 };

/** One launcher argument: its name (the batch's key), the binding it goes to, whether it is written. */
interface ElementwiseArg {
  name: string;
  binding: ElementwiseBinding;
  buffer: GpuBinding;
  written?: boolean;
}

function elementwise(
  ctx: GpuContext,
  label: string,
  entryPoint: string,
  n: number,
  scalars: { alpha?: number; beta?: number; activation?: Activation },
  args: ElementwiseArg[],
  batch?: MemberBatch,
): Kernel {
  // Every check comes before anything is made on the device, so a refused call leaves nothing behind.
  const slots: string[] = [];
  for (const arg of args) slots[SLOT_OF[arg.binding]] = arg.name;
  const table = packMemberTable(
    label,
    Array.from(slots, (name) => name ?? ''),
    batch,
  );
  checkBindingUsage(
    label,
    args.map((arg) => ({ name: arg.name, binding: arg.buffer, written: arg.written })),
  );
  for (const arg of args) (arg.written ? checkMemberOutput : checkMemberFit)(label, arg.name, arg.buffer, n, batch);
  // One thread per element: the profile's elementwiseWorkgroup (src/gpu/tuning.ts), here and in the shader.
  const WORKGROUP_SIZE = ctx.tuning.elementwiseWorkgroup;
  const [x, y] = gridFor(Math.ceil(n / WORKGROUP_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension);
  const params = ctx.buffers.uniform(
    `${label}.params`,
    packUniform([{ u32: n }, { f32: scalars.alpha ?? 0 }, { f32: scalars.beta ?? 0 }, { u32: x * WORKGROUP_SIZE }]),
  );
  const members = ctx.buffers.uniform(`${label}.members`, table.buffer as ArrayBuffer);
  const pipeline = ctx.pipelines.compute({
    family: SHADER.family,
    code: SHADER.code,
    entryPoint,
    constants: { WORKGROUP_SIZE, ACT: ACTIVATION_CODE[scalars.activation ?? 'identity'] },
  });
  const bindings = Object.fromEntries(args.map((a) => [a.binding, a.buffer]));
  return dispatchKernel(ctx, {
    label,
    pipeline,
    bindings: SHADER.bind({ params, members, ...bindings }),
    workgroups: [x, y, memberCount(batch)],
  });
}

export interface ActivationArgs {
  n: number;
  activation: Activation;
  /** LeakyReLU's negative slope (ignored by the others). */
  slope?: number;
}

/** y = act(x). x and y may not share memory. Member slots 'x', 'y'. */
export function prepareActivation(
  ctx: GpuContext,
  a: ActivationArgs & { x: GpuBinding; y: GpuBinding },
  batch?: MemberBatch,
): Kernel {
  return elementwise(
    ctx,
    `activation.${a.activation}`,
    'activate_forward',
    a.n,
    { alpha: a.slope, activation: a.activation },
    [
      { name: 'x', binding: 'first', buffer: a.x },
      { name: 'y', binding: 'result', buffer: a.y, written: true },
    ],
    batch,
  );
}

/** dx = dy · act'(x), computed from the forward OUTPUT y. Member slots 'y', 'dy', 'dx'. */
export function prepareActivationBackward(
  ctx: GpuContext,
  a: ActivationArgs & { y: GpuBinding; dy: GpuBinding; dx: GpuBinding },
  batch?: MemberBatch,
): Kernel {
  return elementwise(
    ctx,
    `activation.${a.activation}.backward`,
    'activate_backward',
    a.n,
    { alpha: a.slope, activation: a.activation },
    [
      { name: 'y', binding: 'first', buffer: a.y },
      { name: 'dy', binding: 'second', buffer: a.dy },
      { name: 'dx', binding: 'result2', buffer: a.dx, written: true },
    ],
    batch,
  );
}

/**
 * out = alpha·a + beta·b (add: 1, 1; subtract: 1, −1), or out += that with `accumulate`. out must
 * not share memory with a or b. Member slots 'a', 'b', 'out'.
 */
export function prepareAxpby(
  ctx: GpuContext,
  a: {
    n: number;
    a: GpuBinding;
    b: GpuBinding;
    out: GpuBinding;
    alpha: number;
    beta: number;
    accumulate?: boolean;
    label?: string;
  },
  batch?: MemberBatch,
): Kernel {
  const entry = a.accumulate ? 'axpby_accumulate' : 'axpby';
  return elementwise(
    ctx,
    a.label ?? entry,
    entry,
    a.n,
    { alpha: a.alpha, beta: a.beta },
    [
      { name: 'a', binding: 'first', buffer: a.a },
      { name: 'b', binding: 'second', buffer: a.b },
      { name: 'out', binding: 'result2', buffer: a.out, written: true },
    ],
    batch,
  );
}

/** y = alpha·x (not batched). */
export function prepareScale(ctx: GpuContext, a: { n: number; x: GpuBinding; y: GpuBinding; alpha: number }): Kernel {
  return elementwise(ctx, 'scale', 'scale', a.n, { alpha: a.alpha }, [
    { name: 'x', binding: 'first', buffer: a.x },
    { name: 'y', binding: 'result', buffer: a.y, written: true },
  ]);
}
