/** Launchers for shaders/gradient_penalty.wgsl: the interpolated batch and the penalty's seed. */
import gradientPenaltyCode from '../../../shaders/gradient_penalty.wgsl?raw';
import { packUniform } from '../buffers';
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
  a: { real: GPUBuffer; fake: GPUBuffer; eps: GPUBuffer; out: GPUBuffer; rows: number; cols: number; label?: string },
): Kernel {
  const label = a.label ?? 'gp.mix';
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
  a: { grad: GPUBuffer; seed: GPUBuffer; stats: GPUBuffer; rows: number; cols: number; lambda: number; label?: string },
): Kernel {
  const label = a.label ?? 'gp.seed';
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
