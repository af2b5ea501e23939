/** Launchers for shaders/gradient_penalty.wgsl: the interpolated batch and the penalty's seed. */
import gradientPenaltyCode from '../../../shaders/gradient_penalty.wgsl?raw';
import { bindingsOverlap, type GpuBinding } from '../binding';
import { packUniform, requireFloats } from '../buffers';
import type { GpuContext } from '../device';
import { dispatchKernel, gridFor, type Kernel } from '../kernel';
import { kernelShader } from '../shader-source';

export const GRADIENT_PENALTY_SHADER = kernelShader('gradient_penalty', gradientPenaltyCode, [
  'params',
  'a',
  'b',
  'eps',
  'out',
  'stats',
]);
const SHADER = GRADIENT_PENALTY_SHADER;

function params(
  ctx: GpuContext,
  label: string,
  rows: number,
  cols: number,
  lambda: number,
  rowStride: number,
): GPUBuffer {
  return ctx.buffers.uniform(
    `${label}.params`,
    packUniform([{ u32: rows }, { u32: cols }, { f32: lambda }, { u32: rowStride }]),
  );
}

function checkShape(label: string, rows: number, cols: number): void {
  for (const [name, value] of [
    ['rows', rows],
    ['cols', cols],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${label}: ${name} must be a positive integer, got ${value}`);
  }
}

function pipeline(ctx: GpuContext, entryPoint: string): GPUComputePipeline {
  return ctx.pipelines.compute({
    family: SHADER.family,
    code: SHADER.code,
    entryPoint,
    constants: { WG: ctx.tuning.reductionWorkgroup },
  });
}

/** out = ε_i·real_i + (1 − ε_i)·fake_i per row; out must differ from the inputs. */
export function prepareMixRows(
  ctx: GpuContext,
  a: {
    real: GpuBinding;
    fake: GpuBinding;
    eps: GpuBinding;
    out: GpuBinding;
    rows: number;
    cols: number;
    label?: string;
  },
): Kernel {
  const label = a.label ?? 'gp.mix';
  checkShape(label, a.rows, a.cols);
  if (bindingsOverlap(a.out, a.real) || bindingsOverlap(a.out, a.fake) || bindingsOverlap(a.out, a.eps)) {
    throw new Error(`${label}: out must not overlap real, fake or eps`);
  }
  requireFloats(label, 'real', a.real, a.rows * a.cols);
  requireFloats(label, 'fake', a.fake, a.rows * a.cols);
  requireFloats(label, 'eps', a.eps, a.rows);
  requireFloats(label, 'out', a.out, a.rows * a.cols);
  const wg = ctx.tuning.reductionWorkgroup;
  const grid = gridFor(Math.ceil((a.rows * a.cols) / wg), ctx.limits.maxComputeWorkgroupsPerDimension);
  return dispatchKernel(ctx, {
    label,
    pipeline: pipeline(ctx, 'mix_rows'),
    bindings: SHADER.bind({
      params: params(ctx, label, a.rows, a.cols, 0, grid[0] * wg),
      a: a.real,
      b: a.fake,
      eps: a.eps,
      out: a.out,
    }),
    workgroups: grid,
  });
}

/** seed = ∂R/∂g for R = (λ/rows)·Σ(‖g_i‖ − 1)², and stats[0] = R. One workgroup. */
export function preparePenaltySeed(
  ctx: GpuContext,
  a: {
    grad: GpuBinding;
    seed: GpuBinding;
    stats: GpuBinding;
    rows: number;
    cols: number;
    lambda: number;
    label?: string;
  },
): Kernel {
  const label = a.label ?? 'gp.seed';
  checkShape(label, a.rows, a.cols);
  if (bindingsOverlap(a.seed, a.grad) || bindingsOverlap(a.stats, a.grad) || bindingsOverlap(a.stats, a.seed)) {
    throw new Error(`${label}: grad, seed and stats must not overlap`);
  }
  requireFloats(label, 'grad', a.grad, a.rows * a.cols);
  requireFloats(label, 'seed', a.seed, a.rows * a.cols);
  requireFloats(label, 'stats', a.stats, 1);
  return dispatchKernel(ctx, {
    label,
    pipeline: pipeline(ctx, 'penalty_seed'),
    bindings: SHADER.bind({
      params: params(ctx, label, a.rows, a.cols, a.lambda, 0),
      a: a.grad,
      out: a.seed,
      stats: a.stats,
    }),
    workgroups: [1],
  });
}
