/**
 * Launchers for shaders/spectral_norm.wgsl: spectral normalization (Miyato et al. 2018,
 * Algorithm 1) of a raw weight W seen as the d_out × d_in row-major matrix.
 *
 * The power iteration and the forward are separate kernels on purpose: a trainer encodes
 * `prepareSpectralNormPowerIteration` once per discriminator update, and the layer's forward is
 * `prepareSpectralNormApply` only, so calling D on the real and the fake batch (or inside the
 * generator step) never advances ũ again. A warm-up at creation is the same launcher with
 * rounds = 15, submitted once.
 */
import spectralNormCode from '../../../shaders/spectral_norm.wgsl?raw';
import { spectralNormInitialVectors } from '../../core/spectral-norm-init';
import { packUniform } from '../buffers';
import type { GpuContext } from '../device';
import { dispatchKernel, gridFor, sequence, type Kernel } from '../kernel';
import { kernelShader } from '../shader-source';

export const SPECTRAL_NORM_SHADER = kernelShader('spectral_norm', spectralNormCode, [
  'params',
  'mat',
  'x',
  'y',
  's',
  'z',
  'sigma',
  'mat2',
]);
const SHADER = SPECTRAL_NORM_SHADER;

/** Inside the norms: x / max(‖x‖, ε), as PyTorch's normalize(eps=1e-12). */
export const SPECTRAL_NORM_EPS = 1e-12;

/** A layer's persistent power-iteration state. */
export interface SpectralNormState {
  dOut: number;
  dIn: number;
  /** ũ ∈ R^{d_out}, kept across updates. */
  u: GPUBuffer;
  /** ṽ ∈ R^{d_in}, from the latest round (the backward needs it). */
  v: GPUBuffer;
  /** σ̃ = ũᵀWṽ, one float. */
  sigma: GPUBuffer;
}

/**
 * Buffers for one layer: ũ and ṽ drawn once from N(0, I) with the seed and scaled to unit
 * length, σ̃ = 1 until the first power iteration runs (so W̄ = W, not NaN, before it).
 */
export function createSpectralNormState(
  ctx: GpuContext,
  a: { dOut: number; dIn: number; seed: number; label?: string },
): SpectralNormState {
  const label = a.label ?? 'spectralNorm';
  const { u, v } = spectralNormInitialVectors(a.dOut, a.dIn, a.seed);
  return {
    dOut: a.dOut,
    dIn: a.dIn,
    u: ctx.buffers.storage(`${label}.u`, a.dOut, u),
    v: ctx.buffers.storage(`${label}.v`, a.dIn, v),
    sigma: ctx.buffers.storage(`${label}.sigma`, 1, [1]),
  };
}

/**
 * The profile's sizes (ctx.tuning): WG threads for the reductions and the elementwise entry
 * points (a power of two: tree reductions), TCOLS × TLANES for mat_t_vec (TLANES a power of two).
 */
function sizes(ctx: GpuContext): { WG: number; TCOLS: number; TLANES: number } {
  return { WG: ctx.tuning.reductionWorkgroup, ...ctx.tuning.spectralNorm };
}

function pipeline(ctx: GpuContext, entryPoint: string): GPUComputePipeline {
  return ctx.pipelines.compute({ family: SHADER.family, code: SHADER.code, entryPoint, constants: sizes(ctx) });
}

function uniform(
  ctx: GpuContext,
  label: string,
  rows: number,
  cols: number,
): { params: GPUBuffer; grid: [number, number] } {
  const n = rows * cols;
  const { WG } = sizes(ctx);
  const grid = gridFor(Math.ceil(n / WG), ctx.limits.maxComputeWorkgroupsPerDimension);
  const params = ctx.buffers.uniform(
    `${label}.params`,
    packUniform([{ u32: rows }, { u32: cols }, { u32: n }, { u32: grid[0] * WG }, { f32: SPECTRAL_NORM_EPS }]),
  );
  return { params, grid };
}

function checkShape(label: string, dOut: number, dIn: number): void {
  if (!(Number.isInteger(dOut) && Number.isInteger(dIn) && dOut >= 1 && dIn >= 1)) {
    throw new Error(`${label}: bad shape ${dOut} × ${dIn}`);
  }
}

export interface PowerIterationArgs {
  /** Raw weight, d_out × d_in row-major (never W̄). */
  w: GPUBuffer;
  u: GPUBuffer;
  v: GPUBuffer;
  sigma: GPUBuffer;
  dOut: number;
  dIn: number;
  /** Ip: 1 per discriminator update (the paper's default), 15 for a warm-up; 0 only recomputes σ̃. */
  rounds?: number;
  label?: string;
}

/**
 * `rounds` rounds of ṽ ← Wᵀũ/‖Wᵀũ‖, ũ ← Wṽ/‖Wṽ‖ (updating u and v in place), then σ̃ = ũᵀWṽ.
 * 4 dispatches per round (2 with rounds = 0); owns a d_out scratch vector for Wṽ.
 */
export function prepareSpectralNormPowerIteration(ctx: GpuContext, a: PowerIterationArgs): Kernel {
  const label = a.label ?? `${a.w.label}.sn.power`;
  const rounds = a.rounds ?? 1;
  checkShape(label, a.dOut, a.dIn);
  if (!(Number.isInteger(rounds) && rounds >= 0)) throw new Error(`${label}: rounds must be ≥ 0, got ${rounds}`);
  const { params } = uniform(ctx, label, a.dOut, a.dIn);
  const wv = ctx.buffers.storage(`${label}.wv`, a.dOut);
  const rowGrid = gridFor(a.dOut, ctx.limits.maxComputeWorkgroupsPerDimension);
  const matVec = dispatchKernel(ctx, {
    label: `${label}.Wv`,
    pipeline: pipeline(ctx, 'mat_vec'),
    bindings: SHADER.bind({ params, mat: a.w, x: a.v, y: wv }),
    workgroups: rowGrid,
  });
  if (rounds === 0) {
    const dot = dispatchKernel(ctx, {
      label: `${label}.sigma`,
      pipeline: pipeline(ctx, 'dot_rows'),
      bindings: SHADER.bind({ params, x: wv, s: a.sigma, z: a.u }),
      workgroups: [1],
    });
    return sequence(label, [matVec, dot]);
  }
  const round = [
    dispatchKernel(ctx, {
      label: `${label}.WTu`,
      pipeline: pipeline(ctx, 'mat_t_vec'),
      bindings: SHADER.bind({ params, mat: a.w, x: a.u, y: a.v }),
      workgroups: [Math.ceil(a.dIn / sizes(ctx).TCOLS)],
    }),
    dispatchKernel(ctx, {
      label: `${label}.normalizeV`,
      pipeline: pipeline(ctx, 'normalize_cols'),
      bindings: SHADER.bind({ params, y: a.v }),
      workgroups: [1],
    }),
    matVec,
    dispatchKernel(ctx, {
      label: `${label}.normalizeU`,
      pipeline: pipeline(ctx, 'normalize_rows_dot'),
      bindings: SHADER.bind({ params, x: wv, y: a.u, s: a.sigma }),
      workgroups: [1],
    }),
  ];
  return sequence(label, Array.from({ length: rounds }, () => round).flat());
}

/** Forward: W̄ = W / σ̃ over n = d_out·d_in elements. Leaves ũ, ṽ, σ̃ alone. */
export function prepareSpectralNormApply(
  ctx: GpuContext,
  a: { w: GPUBuffer; sigma: GPUBuffer; wBar: GPUBuffer; n: number; label?: string },
): Kernel {
  const label = a.label ?? `${a.w.label}.sn.apply`;
  const { params, grid } = uniform(ctx, label, 1, a.n);
  return dispatchKernel(ctx, {
    label,
    pipeline: pipeline(ctx, 'divide_by_sigma'),
    bindings: SHADER.bind({ params, mat: a.w, y: a.wBar, sigma: a.sigma }),
    workgroups: grid,
  });
}

export interface SpectralNormBackwardArgs {
  /** g = ∂L/∂W̄, d_out × d_in. */
  gWbar: GPUBuffer;
  /** The forward's W̄ (for λ = ⟨g, W̄⟩_F). */
  wBar: GPUBuffer;
  u: GPUBuffer;
  v: GPUBuffer;
  sigma: GPUBuffer;
  /** Out: ∂L/∂W, d_out × d_in; must differ from gWbar. */
  gW: GPUBuffer;
  dOut: number;
  dIn: number;
  label?: string;
}

/**
 * ∂L/∂W = (g − λ ũṽᵀ)/σ̃ with λ = ⟨g, W̄⟩_F = Σ g ⊙ W̄ — the exact gradient of L(W/σ̃(W)) with
 * σ̃ = ũᵀWṽ and ũ, ṽ held fixed (paper eq. 12). 3 dispatches; owns a d_out scratch and λ.
 */
export function prepareSpectralNormBackward(ctx: GpuContext, a: SpectralNormBackwardArgs): Kernel {
  const label = a.label ?? `${a.gWbar.label}.sn.backward`;
  checkShape(label, a.dOut, a.dIn);
  const { params, grid } = uniform(ctx, label, a.dOut, a.dIn);
  const rowDots = ctx.buffers.storage(`${label}.rowDots`, a.dOut);
  const lambda = ctx.buffers.storage(`${label}.lambda`, 1);
  return sequence(label, [
    dispatchKernel(ctx, {
      label: `${label}.rowDots`,
      pipeline: pipeline(ctx, 'row_dots'),
      bindings: SHADER.bind({ params, mat: a.gWbar, y: rowDots, mat2: a.wBar }),
      workgroups: gridFor(a.dOut, ctx.limits.maxComputeWorkgroupsPerDimension),
    }),
    dispatchKernel(ctx, {
      label: `${label}.lambda`,
      pipeline: pipeline(ctx, 'sum_rows'),
      bindings: SHADER.bind({ params, x: rowDots, s: lambda }),
      workgroups: [1],
    }),
    dispatchKernel(ctx, {
      label: `${label}.gradient`,
      pipeline: pipeline(ctx, 'backward'),
      bindings: SHADER.bind({ params, mat: a.gWbar, x: a.v, y: a.gW, s: lambda, z: a.u, sigma: a.sigma }),
      workgroups: grid,
    }),
  ]);
}
