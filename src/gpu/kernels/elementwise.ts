/** Launchers for shaders/elementwise.wgsl: activations forward/backward, axpby, scale. */
import elementwiseCode from '../../../shaders/elementwise.wgsl?raw';
import { ACTIVATION_CODE, type Activation } from '../activation';
import { packUniform } from '../buffers';
import type { GpuContext } from '../device';
import { dispatchKernel, gridFor, type Kernel } from '../kernel';
import { kernelShader } from '../shader-source';

export const ELEMENTWISE_SHADER = kernelShader('elementwise', elementwiseCode, [
  'params',
  'first',
  'result',
  'second',
  'result2',
]);
const SHADER = ELEMENTWISE_SHADER;

function elementwise(
  ctx: GpuContext,
  label: string,
  entryPoint: string,
  n: number,
  scalars: { alpha?: number; beta?: number; activation?: Activation },
  bindings: Partial<Record<keyof typeof SHADER.slots, GPUBuffer>>,
): Kernel {
  // One thread per element: the profile's elementwiseWorkgroup (src/gpu/tuning.ts), here and in the shader.
  const WORKGROUP_SIZE = ctx.tuning.elementwiseWorkgroup;
  const [x, y] = gridFor(Math.ceil(n / WORKGROUP_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension);
  const params = ctx.buffers.uniform(
    `${label}.params`,
    packUniform([{ u32: n }, { f32: scalars.alpha ?? 0 }, { f32: scalars.beta ?? 0 }, { u32: x * WORKGROUP_SIZE }]),
  );
  const pipeline = ctx.pipelines.compute({
    family: SHADER.family,
    code: SHADER.code,
    entryPoint,
    constants: { WORKGROUP_SIZE, ACT: ACTIVATION_CODE[scalars.activation ?? 'identity'] },
  });
  return dispatchKernel(ctx, { label, pipeline, bindings: SHADER.bind({ params, ...bindings }), workgroups: [x, y] });
}

export interface ActivationArgs {
  n: number;
  activation: Activation;
  /** LeakyReLU's negative slope (ignored by the others). */
  slope?: number;
}

/** y = act(x). x and y may not be the same buffer. */
export function prepareActivation(ctx: GpuContext, a: ActivationArgs & { x: GPUBuffer; y: GPUBuffer }): Kernel {
  return elementwise(
    ctx,
    `activation.${a.activation}`,
    'activate_forward',
    a.n,
    { alpha: a.slope, activation: a.activation },
    { first: a.x, result: a.y },
  );
}

/** dx = dy · act'(x), computed from the forward OUTPUT y. */
export function prepareActivationBackward(
  ctx: GpuContext,
  a: ActivationArgs & { y: GPUBuffer; dy: GPUBuffer; dx: GPUBuffer },
): Kernel {
  return elementwise(
    ctx,
    `activation.${a.activation}.backward`,
    'activate_backward',
    a.n,
    { alpha: a.slope, activation: a.activation },
    { first: a.y, second: a.dy, result2: a.dx },
  );
}

/** out = alpha·a + beta·b (add: 1, 1; subtract: 1, −1), or out += that with `accumulate`. out must differ from a and b. */
export function prepareAxpby(
  ctx: GpuContext,
  a: {
    n: number;
    a: GPUBuffer;
    b: GPUBuffer;
    out: GPUBuffer;
    alpha: number;
    beta: number;
    accumulate?: boolean;
    label?: string;
  },
): Kernel {
  const entry = a.accumulate ? 'axpby_accumulate' : 'axpby';
  return elementwise(
    ctx,
    a.label ?? entry,
    entry,
    a.n,
    { alpha: a.alpha, beta: a.beta },
    { first: a.a, second: a.b, result2: a.out },
  );
}

/** y = alpha·x. */
export function prepareScale(ctx: GpuContext, a: { n: number; x: GPUBuffer; y: GPUBuffer; alpha: number }): Kernel {
  return elementwise(ctx, 'scale', 'scale', a.n, { alpha: a.alpha }, { first: a.x, result: a.y });
}
