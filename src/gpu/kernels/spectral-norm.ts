/**
 * Launchers for shaders/spectral_norm.wgsl: spectral normalization (Miyato et al. 2018,
 * Algorithm 1) of a raw weight W seen as the d_out × d_in row-major matrix.
 *
 * The power iteration and the forward are separate kernels on purpose: a trainer encodes
 * `prepareSpectralNormPowerIteration` once per discriminator update, and the layer's forward is
 * `prepareSpectralNormApply` only, so calling D on the real and the fake batch (or inside the
 * generator step) never advances ũ again. A warm-up at creation is the same launcher with
 * rounds = 15, submitted once.
 *
 * Small layers take a single-dispatch path (see SPECTRAL_NORM_FUSED_MAX_ELEMENTS):
 * `prepareSpectralNorm` (rounds + σ̃ + W̄) and `prepareSpectralNormBackward` pick it themselves, so
 * callers need not know; `spectralNormDispatches` says what either path costs. Every buffer
 * argument may be a view (GpuBinding) of a shared buffer.
 */
import spectralNormCode from '../../../shaders/spectral_norm.wgsl?raw';
import { spectralNormInitialVectors } from '../../core/spectral-norm-init';
import { bindingBytes, bindingsOverlap, bufferOfBinding, type GpuBinding } from '../binding';
import { packUniform } from '../buffers';
import type { GpuContext } from '../device';
import { SPECTRAL_NORM_FUSED_VECTOR_FLOATS } from '../limits';
import { dispatchKernel, gridFor, sequence, type DispatchSpec, type Kernel } from '../kernel';
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
  'u_state',
  'v_state',
]);
const SHADER = SPECTRAL_NORM_SHADER;
type ShaderName = keyof typeof SHADER.slots;

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
 * points (a power of two: tree reductions), TCOLS × TLANES for mat_t_vec (TLANES a power of two);
 * FUSED_FLOATS of workgroup memory for the fused path's ũ, ṽ.
 */
function sizes(ctx: GpuContext): { WG: number; TCOLS: number; TLANES: number; FUSED_FLOATS: number } {
  return {
    WG: ctx.tuning.reductionWorkgroup,
    ...ctx.tuning.spectralNorm,
    FUSED_FLOATS: SPECTRAL_NORM_FUSED_VECTOR_FLOATS,
  };
}

/**
 * Largest d_out·d_in the single-workgroup path takes. One workgroup (one GPU core) streams W twice
 * per round plus once for W̄: at 262144 floats (1 MiB) a pass is a few µs on a GPU core, the order
 * of the 4 µs each saved dispatch costs (docs/gpu.md), so past it the many-workgroup path wins. An
 * estimate from those figures, not a measurement; the MLP's 128 × 128 is 1/16 of it.
 */
export const SPECTRAL_NORM_FUSED_MAX_ELEMENTS = 262144;

/** Whether (d_out, d_in) takes the single-dispatch path on this device. */
export function spectralNormFuses(ctx: GpuContext, dOut: number, dIn: number): boolean {
  const { WG, TCOLS, TLANES } = sizes(ctx);
  const sharedBytes = 4 * (SPECTRAL_NORM_FUSED_VECTOR_FLOATS + Math.max(WG, TCOLS * TLANES));
  return fusesShape(dOut, dIn) && sharedBytes <= ctx.limits.maxComputeWorkgroupStorageSize;
}

function fusesShape(dOut: number, dIn: number): boolean {
  return dOut * dIn <= SPECTRAL_NORM_FUSED_MAX_ELEMENTS && dOut + dIn <= SPECTRAL_NORM_FUSED_VECTOR_FLOATS;
}

/**
 * Dispatches one SN step encodes for a d_out × d_in layer (the bench's count): `update` is
 * prepareSpectralNorm with `rounds` (power iteration + W̄), `backward` prepareSpectralNormBackward.
 * Assumes a device with the spec's default workgroup storage (every adapter has it).
 */
export function spectralNormDispatches(
  dOut: number,
  dIn: number,
  rounds: number,
): { update: number; backward: number } {
  if (fusesShape(dOut, dIn)) return { update: 1, backward: 1 };
  return { update: (rounds === 0 ? 2 : 4 * rounds) + 1, backward: 3 };
}

/** Which path a launcher takes: 'auto' picks by size; tests force one to compare them. */
export type SpectralNormPath = 'auto' | 'fused' | 'multi';

function choosePath(ctx: GpuContext, label: string, dOut: number, dIn: number, path: SpectralNormPath): boolean {
  const fits = spectralNormFuses(ctx, dOut, dIn);
  if (path === 'fused' && !fits) {
    throw new Error(
      `${label}: ${dOut} × ${dIn} is too large for the single-dispatch path ` +
        `(d_out·d_in ≤ ${SPECTRAL_NORM_FUSED_MAX_ELEMENTS}, d_out + d_in ≤ ${SPECTRAL_NORM_FUSED_VECTOR_FLOATS})`,
    );
  }
  return path === 'fused' || (path === 'auto' && fits);
}

/** Largest power of two ≤ x (x ≥ 1). */
function floorPow2(x: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, x)));
}

/**
 * Threads sharing one row (or column) of a length-`length` product over `count` rows (columns):
 * spread the workgroup over all of them in one pass where it can (WG/count per row), but no more
 * lanes than the row has entries worth (the tree would only add zeros).
 */
function lanesFor(WG: number, count: number, length: number): number {
  return Math.min(floorPow2(WG / count), 2 ** Math.ceil(Math.log2(length)), WG);
}

/** Throws unless `binding` reaches `floats` floats; names the argument. */
function checkFits(label: string, name: string, binding: GpuBinding, floats: number): void {
  const bytes = bindingBytes(binding);
  if (bytes < floats * 4) {
    throw new Error(`${label}: ${name} binds ${bytes} B, needs ${floats} floats (${floats * 4} B)`);
  }
}

/** Throws if the written binding `out` shares bytes with any of the others; names both. */
function checkDisjoint(label: string, out: [string, GpuBinding], others: Record<string, GpuBinding>): void {
  for (const [name, other] of Object.entries(others)) {
    if (bindingsOverlap(out[1], other)) {
      throw new Error(`${label}: ${out[0]} overlaps ${name} (a kernel must not write what it reads elsewhere)`);
    }
  }
}

/** The shader's bindings it writes (declared read_write), read from the WGSL. */
const WRITTEN = new Set([...SHADER.code.matchAll(/var<storage,\s*read_write>\s+(\w+)/g)].map((m) => m[1]));

/**
 * dispatchKernel after a check WebGPU would otherwise fail only at submit, with a vaguer message:
 * one dispatch may not bind a buffer both read-only and writable, even at disjoint ranges (a
 * usage-scope rule: Dawn's "includes writable usage and another usage"), nor two overlapping
 * writable ranges.
 */
function dispatch(
  ctx: GpuContext,
  spec: Omit<DispatchSpec, 'bindings'> & { buffers: Partial<Record<ShaderName, GpuBinding>> },
): Kernel {
  const entries = Object.entries(spec.buffers) as Array<[ShaderName, GpuBinding]>;
  for (const [name, binding] of entries) {
    if (!WRITTEN.has(name)) continue;
    for (const [other, b] of entries) {
      if (other === name) continue;
      const shared = bufferOfBinding(b) === bufferOfBinding(binding);
      if ((shared && !WRITTEN.has(other)) || bindingsOverlap(b, binding)) {
        throw new Error(
          `${spec.label}: ${other} and the written ${name} are both in buffer "${labelOf(binding)}" ` +
            `(one dispatch may not bind a buffer read-only and writable, nor overlapping writable ranges)`,
        );
      }
    }
  }
  const { buffers, ...rest } = spec;
  return dispatchKernel(ctx, { ...rest, bindings: SHADER.bind(buffers) });
}

function labelOf(binding: GpuBinding): string {
  return bufferOfBinding(binding).label;
}

function pipeline(ctx: GpuContext, entryPoint: string): GPUComputePipeline {
  return ctx.pipelines.compute({ family: SHADER.family, code: SHADER.code, entryPoint, constants: sizes(ctx) });
}

function uniform(
  ctx: GpuContext,
  label: string,
  rows: number,
  cols: number,
  rounds = 0,
): { params: GPUBuffer; grid: [number, number] } {
  const n = rows * cols;
  const { WG } = sizes(ctx);
  const grid = gridFor(Math.ceil(n / WG), ctx.limits.maxComputeWorkgroupsPerDimension);
  const params = ctx.buffers.uniform(
    `${label}.params`,
    packUniform([
      { u32: rows },
      { u32: cols },
      { u32: n },
      { u32: grid[0] * WG },
      { f32: SPECTRAL_NORM_EPS },
      { u32: rounds },
      { u32: lanesFor(WG, rows, cols) },
      { u32: lanesFor(WG, cols, rows) },
    ]),
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
  w: GpuBinding;
  u: GpuBinding;
  v: GpuBinding;
  sigma: GpuBinding;
  dOut: number;
  dIn: number;
  /** Ip: 1 per discriminator update (the paper's default), 15 for a warm-up; 0 only recomputes σ̃. */
  rounds?: number;
  label?: string;
}

/** Shape, rounds, sizes and aliasing of a power iteration's arguments; returns the rounds. */
function checkPowerIteration(label: string, a: PowerIterationArgs): number {
  const rounds = a.rounds ?? 1;
  checkShape(label, a.dOut, a.dIn);
  if (!(Number.isInteger(rounds) && rounds >= 0)) throw new Error(`${label}: rounds must be ≥ 0, got ${rounds}`);
  checkFits(label, 'w', a.w, a.dOut * a.dIn);
  checkFits(label, 'u', a.u, a.dOut);
  checkFits(label, 'v', a.v, a.dIn);
  checkFits(label, 'sigma', a.sigma, 1);
  checkDisjoint(label, ['u', a.u], { w: a.w, v: a.v, sigma: a.sigma });
  checkDisjoint(label, ['v', a.v], { w: a.w, sigma: a.sigma });
  checkDisjoint(label, ['sigma', a.sigma], { w: a.w });
  return rounds;
}

/**
 * `rounds` rounds of ṽ ← Wᵀũ/‖Wᵀũ‖, ũ ← Wṽ/‖Wṽ‖ (updating u and v in place), then σ̃ = ũᵀWṽ.
 * The multi-dispatch path, whatever the size: 4 dispatches per round (2 with rounds = 0); owns a
 * d_out scratch vector for Wṽ. prepareSpectralNorm adds W̄ and picks the fused path when it fits.
 */
export function prepareSpectralNormPowerIteration(ctx: GpuContext, a: PowerIterationArgs): Kernel {
  const label = a.label ?? `${labelOf(a.w)}.sn.power`;
  const rounds = checkPowerIteration(label, a);
  const { params } = uniform(ctx, label, a.dOut, a.dIn);
  const wv = ctx.buffers.storage(`${label}.wv`, a.dOut);
  const rowGrid = gridFor(a.dOut, ctx.limits.maxComputeWorkgroupsPerDimension);
  const matVec = dispatch(ctx, {
    label: `${label}.Wv`,
    pipeline: pipeline(ctx, 'mat_vec'),
    buffers: { params, mat: a.w, x: a.v, y: wv },
    workgroups: rowGrid,
  });
  if (rounds === 0) {
    const dot = dispatch(ctx, {
      label: `${label}.sigma`,
      pipeline: pipeline(ctx, 'dot_rows'),
      buffers: { params, x: wv, s: a.sigma, z: a.u },
      workgroups: [1],
    });
    return sequence(label, [matVec, dot]);
  }
  const round = [
    dispatch(ctx, {
      label: `${label}.WTu`,
      pipeline: pipeline(ctx, 'mat_t_vec'),
      buffers: { params, mat: a.w, x: a.u, y: a.v },
      workgroups: [Math.ceil(a.dIn / sizes(ctx).TCOLS)],
    }),
    dispatch(ctx, {
      label: `${label}.normalizeV`,
      pipeline: pipeline(ctx, 'normalize_cols'),
      buffers: { params, y: a.v },
      workgroups: [1],
    }),
    matVec,
    dispatch(ctx, {
      label: `${label}.normalizeU`,
      pipeline: pipeline(ctx, 'normalize_rows_dot'),
      buffers: { params, x: wv, y: a.u, s: a.sigma },
      workgroups: [1],
    }),
  ];
  return sequence(label, Array.from({ length: rounds }, () => round).flat());
}

/** Forward: W̄ = W / σ̃ over n = d_out·d_in elements. Leaves ũ, ṽ, σ̃ alone. */
export function prepareSpectralNormApply(
  ctx: GpuContext,
  a: { w: GpuBinding; sigma: GpuBinding; wBar: GpuBinding; n: number; label?: string },
): Kernel {
  const label = a.label ?? `${labelOf(a.w)}.sn.apply`;
  if (!(Number.isInteger(a.n) && a.n >= 1)) throw new Error(`${label}: bad element count ${a.n}`);
  checkFits(label, 'w', a.w, a.n);
  checkFits(label, 'sigma', a.sigma, 1);
  checkFits(label, 'wBar', a.wBar, a.n);
  checkDisjoint(label, ['wBar', a.wBar], { w: a.w, sigma: a.sigma });
  const { params, grid } = uniform(ctx, label, 1, a.n);
  return dispatch(ctx, {
    label,
    pipeline: pipeline(ctx, 'divide_by_sigma'),
    buffers: { params, mat: a.w, y: a.wBar, sigma: a.sigma },
    workgroups: grid,
  });
}

export interface SpectralNormArgs extends PowerIterationArgs {
  /** Out: W̄ = W / σ̃, d_out × d_in. */
  wBar: GpuBinding;
  /** Default 'auto': the single dispatch when the layer is small (spectralNormFuses). */
  path?: SpectralNormPath;
}

/**
 * One SN update of a layer: `rounds` power-iteration rounds on the raw W (0: the refresh, σ̃ = ũᵀWṽ
 * only), then W̄ = W / σ̃. Small layers: one dispatch; others: the power iteration then the apply.
 */
export function prepareSpectralNorm(ctx: GpuContext, a: SpectralNormArgs): Kernel {
  const label = a.label ?? `${labelOf(a.w)}.sn`;
  const rounds = checkPowerIteration(label, a);
  checkFits(label, 'wBar', a.wBar, a.dOut * a.dIn);
  checkDisjoint(label, ['wBar', a.wBar], { w: a.w, u: a.u, v: a.v, sigma: a.sigma });
  if (!choosePath(ctx, label, a.dOut, a.dIn, a.path ?? 'auto')) {
    return sequence(label, [
      prepareSpectralNormPowerIteration(ctx, { ...a, label: `${label}.power` }),
      prepareSpectralNormApply(ctx, {
        w: a.w,
        sigma: a.sigma,
        wBar: a.wBar,
        n: a.dOut * a.dIn,
        label: `${label}.apply`,
      }),
    ]);
  }
  const { params } = uniform(ctx, label, a.dOut, a.dIn, rounds);
  return dispatch(ctx, {
    label: `${label}.fused`,
    pipeline: pipeline(ctx, 'fused_update'),
    buffers: { params, mat: a.w, u_state: a.u, v_state: a.v, s: a.sigma, y: a.wBar },
    workgroups: [1],
  });
}

export interface SpectralNormBackwardArgs {
  /** g = ∂L/∂W̄, d_out × d_in. */
  gWbar: GpuBinding;
  /** The forward's W̄ (for λ = ⟨g, W̄⟩_F). */
  wBar: GpuBinding;
  u: GpuBinding;
  v: GpuBinding;
  sigma: GpuBinding;
  /** Out: ∂L/∂W, d_out × d_in; must not overlap any input. */
  gW: GpuBinding;
  dOut: number;
  dIn: number;
  /** Default 'auto': the single dispatch when the layer is small (spectralNormFuses). */
  path?: SpectralNormPath;
  label?: string;
}

/**
 * ∂L/∂W = (g − λ ũṽᵀ)/σ̃ with λ = ⟨g, W̄⟩_F = Σ g ⊙ W̄ — the exact gradient of L(W/σ̃(W)) with
 * σ̃ = ũᵀWṽ and ũ, ṽ held fixed (paper eq. 12). Small layers: one dispatch; others: 3 dispatches
 * owning a d_out scratch and λ.
 */
export function prepareSpectralNormBackward(ctx: GpuContext, a: SpectralNormBackwardArgs): Kernel {
  const label = a.label ?? `${labelOf(a.gWbar)}.sn.backward`;
  checkShape(label, a.dOut, a.dIn);
  const n = a.dOut * a.dIn;
  checkFits(label, 'gWbar', a.gWbar, n);
  checkFits(label, 'wBar', a.wBar, n);
  checkFits(label, 'u', a.u, a.dOut);
  checkFits(label, 'v', a.v, a.dIn);
  checkFits(label, 'sigma', a.sigma, 1);
  checkFits(label, 'gW', a.gW, n);
  checkDisjoint(label, ['gW', a.gW], { gWbar: a.gWbar, wBar: a.wBar, u: a.u, v: a.v, sigma: a.sigma });
  const { params, grid } = uniform(ctx, label, a.dOut, a.dIn);
  if (choosePath(ctx, label, a.dOut, a.dIn, a.path ?? 'auto')) {
    return dispatch(ctx, {
      label: `${label}.fused`,
      pipeline: pipeline(ctx, 'fused_backward'),
      buffers: { params, mat: a.gWbar, mat2: a.wBar, x: a.v, z: a.u, sigma: a.sigma, y: a.gW },
      workgroups: [1],
    });
  }
  const rowDots = ctx.buffers.storage(`${label}.rowDots`, a.dOut);
  const lambda = ctx.buffers.storage(`${label}.lambda`, 1);
  return sequence(label, [
    dispatch(ctx, {
      label: `${label}.rowDots`,
      pipeline: pipeline(ctx, 'row_dots'),
      buffers: { params, mat: a.gWbar, y: rowDots, mat2: a.wBar },
      workgroups: gridFor(a.dOut, ctx.limits.maxComputeWorkgroupsPerDimension),
    }),
    dispatch(ctx, {
      label: `${label}.lambda`,
      pipeline: pipeline(ctx, 'sum_rows'),
      buffers: { params, x: rowDots, s: lambda },
      workgroups: [1],
    }),
    dispatch(ctx, {
      label: `${label}.gradient`,
      pipeline: pipeline(ctx, 'backward'),
      buffers: { params, mat: a.gWbar, x: a.v, y: a.gW, s: lambda, z: a.u, sigma: a.sigma },
      workgroups: grid,
    }),
  ]);
}
