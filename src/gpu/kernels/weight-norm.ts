/**
 * Launchers for shaders/weight_norm.wgsl: weight normalization with the gain fixed to 1 (each row
 * of the d_out × d_in weight divided by its ℓ2 norm, Miyato et al. 2018 footnote 8) and WGAN
 * weight clipping. Clipping is not a reparametrization: a trainer encodes it right after the
 * discriminator's optimizer update, and the layer's forward uses W itself.
 */
import weightNormCode from '../../../shaders/weight_norm.wgsl?raw';
import { bindingsOverlap, type GpuBinding } from '../binding';
import { labelOfBinding, packUniform, requireFloats } from '../buffers';
import type { GpuContext } from '../device';
import { dispatchKernel, gridFor, type Kernel } from '../kernel';
import { kernelShader } from '../shader-source';

export const WEIGHT_NORM_SHADER = kernelShader('weight_norm', weightNormCode, [
  'params',
  'input',
  'normalized',
  'output',
  'norms',
]);
const SHADER = WEIGHT_NORM_SHADER;

/** Guards an all-zero row: ‖W_i‖ is taken as max(‖W_i‖, ε), like PyTorch's normalize. */
export const WEIGHT_NORM_EPS = 1e-12;
/** WGAN's default clipping constant. */
export const DEFAULT_CLIP = 0.01;

function checkShape(label: string, dOut: number, dIn: number): void {
  if (!Number.isInteger(dOut) || dOut < 1 || !Number.isInteger(dIn) || dIn < 1) {
    throw new Error(`${label}: the weight must be a positive whole number of rows and columns, got ${dOut} × ${dIn}`);
  }
}

/** The shader's WG: the profile's reductionWorkgroup (a power of two: tree reduction), also clip's workgroup. */
function pipeline(ctx: GpuContext, entryPoint: string): GPUComputePipeline {
  return ctx.pipelines.compute({
    family: SHADER.family,
    code: SHADER.code,
    entryPoint,
    constants: { WG: ctx.tuning.reductionWorkgroup },
  });
}

function params(ctx: GpuContext, label: string, rows: number, cols: number, rowStride = 0, clip = 0): GPUBuffer {
  return ctx.buffers.uniform(
    `${label}.params`,
    packUniform([
      { u32: rows },
      { u32: cols },
      { u32: rows * cols },
      { u32: rowStride },
      { f32: WEIGHT_NORM_EPS },
      { f32: clip },
    ]),
  );
}

export interface WeightNormForwardArgs {
  /** Raw weight, d_out × d_in row-major. */
  w: GpuBinding;
  /** Out: W̄, d_out × d_in; must differ from w. */
  wBar: GpuBinding;
  /** Out: the d_out row norms, kept for the backward. */
  norms: GpuBinding;
  dOut: number;
  dIn: number;
  label?: string;
}

/** W̄_i = W_i / ‖W_i‖₂ per row, and the norms. One workgroup per row. */
export function prepareWeightNormForward(ctx: GpuContext, a: WeightNormForwardArgs): Kernel {
  const label = a.label ?? `${labelOfBinding(a.w)}.wn.forward`;
  checkShape(label, a.dOut, a.dIn);
  if (bindingsOverlap(a.wBar, a.w) || bindingsOverlap(a.norms, a.w) || bindingsOverlap(a.norms, a.wBar)) {
    throw new Error(`${label}: w, wBar and norms must not overlap`);
  }
  requireFloats(label, 'w', a.w, a.dOut * a.dIn);
  requireFloats(label, 'wBar', a.wBar, a.dOut * a.dIn);
  requireFloats(label, 'norms', a.norms, a.dOut);
  return dispatchKernel(ctx, {
    label,
    pipeline: pipeline(ctx, 'forward'),
    bindings: SHADER.bind({ params: params(ctx, label, a.dOut, a.dIn), input: a.w, output: a.wBar, norms: a.norms }),
    workgroups: gridFor(a.dOut, ctx.limits.maxComputeWorkgroupsPerDimension),
  });
}

export interface WeightNormBackwardArgs {
  /** g = ∂L/∂W̄, d_out × d_in. */
  gWbar: GpuBinding;
  /** The forward's W̄ and row norms. */
  wBar: GpuBinding;
  norms: GpuBinding;
  /** Out: ∂L/∂W; must differ from gWbar and wBar. */
  gW: GpuBinding;
  dOut: number;
  dIn: number;
  label?: string;
}

/** ∂L/∂W_i = (g_i − (g_i·W̄_i) W̄_i) / ‖W_i‖ per row. One workgroup per row. */
export function prepareWeightNormBackward(ctx: GpuContext, a: WeightNormBackwardArgs): Kernel {
  const label = a.label ?? `${labelOfBinding(a.gWbar)}.wn.backward`;
  checkShape(label, a.dOut, a.dIn);
  if (bindingsOverlap(a.gW, a.gWbar) || bindingsOverlap(a.gW, a.wBar) || bindingsOverlap(a.gW, a.norms)) {
    throw new Error(`${label}: gW must not overlap gWbar, wBar or norms`);
  }
  for (const [name, binding] of [
    ['gWbar', a.gWbar],
    ['wBar', a.wBar],
    ['gW', a.gW],
  ] as const) {
    requireFloats(label, name, binding, a.dOut * a.dIn);
  }
  requireFloats(label, 'norms', a.norms, a.dOut);
  return dispatchKernel(ctx, {
    label,
    pipeline: pipeline(ctx, 'backward'),
    bindings: SHADER.bind({
      params: params(ctx, label, a.dOut, a.dIn),
      input: a.gWbar,
      normalized: a.wBar,
      output: a.gW,
      norms: a.norms,
    }),
    workgroups: gridFor(a.dOut, ctx.limits.maxComputeWorkgroupsPerDimension),
  });
}

/** WGAN weight clipping in place: W ← clamp(W, −c, c) over n elements (c = 0.01 by default). */
export function prepareWeightClip(
  ctx: GpuContext,
  a: { w: GpuBinding; n: number; c?: number; label?: string },
): Kernel {
  const label = a.label ?? `${labelOfBinding(a.w)}.clip`;
  const c = a.c ?? DEFAULT_CLIP;
  if (!(c > 0)) throw new Error(`${label}: the clipping constant must be positive, got ${c}`);
  checkShape(label, 1, a.n);
  requireFloats(label, 'w', a.w, a.n);
  const WG = ctx.tuning.reductionWorkgroup;
  const grid = gridFor(Math.ceil(a.n / WG), ctx.limits.maxComputeWorkgroupsPerDimension);
  return dispatchKernel(ctx, {
    label,
    pipeline: pipeline(ctx, 'clip'),
    bindings: SHADER.bind({ params: params(ctx, label, 1, a.n, grid[0] * WG, c), output: a.w }),
    workgroups: grid,
  });
}
