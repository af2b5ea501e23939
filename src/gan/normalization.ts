/**
 * Discriminator weight normalizations as wrappers around a dense or conv layer's raw W (a conv
 * kernel seen as the d_out × d_in·kh·kw matrix). Each wrapper says which weight D's forward uses (W̄), where D's backward writes ∂L/∂W̄, and
 * which ops turn that into ∂L/∂W. Spectral normalization advances its ũ only in `perUpdate`,
 * once per discriminator update, never in `refresh` (the G step) or in forward calls.
 */
import type { Backend, Op, Tensor } from '../engine/backend';
import { spectralNormInitialVectors } from '../core/spectral-norm-init';
import type { VariantName } from './config';

export interface NormalizableLayer {
  name: string;
  dOut: number;
  dIn: number;
  w: Tensor;
  gW: Tensor;
  /** The layer's bias (length d_out), if any: weight clipping clamps it too, as WGAN does. */
  b?: Tensor;
}

export interface NormalizedWeight {
  readonly kind: VariantName;
  readonly layer: NormalizableLayer;
  /** The weight D computes with. */
  readonly wBar: Tensor;
  /** Where D's backward puts ∂L/∂W̄. */
  readonly gWbar: Tensor;
  /** Spectral normalization's state (σ̃, ũ, ṽ); absent for the others. */
  readonly spectral?: { sigma: Tensor; u: Tensor; v: Tensor };
  /** Once per D update, before D's forward. */
  perUpdate(): Op[];
  /** Recomputes W̄ from the current W without advancing any state (before the G step). */
  refresh(): Op[];
  /** ∂L/∂W̄ → ∂L/∂W, after D's backward. */
  backward(): Op[];
  /** After the optimizer updated W (clipping; WN's W̄). */
  afterOptimizer(): Op[];
  /** Once, when the run is built (WN's first W̄). */
  initial(): Op[];
}

export interface NormalizationOptions {
  snRounds: number;
  clip: number;
  /** Orthonormal regularization strength β. */
  orthoBeta: number;
  /** Seed of ũ's draw (the same for every variant: only SN uses it). */
  seed: number;
}

/** Whether a variant's D computes with a W̄ of its own (SN, WN) rather than with its raw W. */
export const hasOwnNormalizedWeight = (kind: VariantName): boolean => kind === 'sn' || kind === 'wn';

export function normalizeWeight(
  backend: Backend,
  kind: VariantName,
  layer: NormalizableLayer,
  options: NormalizationOptions,
): NormalizedWeight {
  switch (kind) {
    case 'sn':
      return spectral(backend, layer, options);
    case 'wn':
      return weightNorm(backend, layer);
    case 'none':
    case 'wgan-gp':
      // WGAN-GP regularizes D through its input gradient, not its weights (see GanVariant).
      return plain(kind, layer, []);
    case 'orthonormal':
      return orthonormal(backend, layer, options.orthoBeta);
    case 'clip':
      return plain(kind, layer, [
        backend.clip({ label: `${layer.name}.clip`, w: layer.w, n: layer.dOut * layer.dIn, c: options.clip }),
        ...(layer.b
          ? [backend.clip({ label: `${layer.name}.clipBias`, w: layer.b, n: layer.dOut, c: options.clip })]
          : []),
      ]);
  }
}

function plain(kind: VariantName, layer: NormalizableLayer, afterOptimizer: Op[]): NormalizedWeight {
  return {
    kind,
    layer,
    wBar: layer.w,
    gWbar: layer.gW,
    perUpdate: () => [],
    refresh: () => [],
    backward: () => [],
    afterOptimizer: () => afterOptimizer,
    initial: () => [],
  };
}

function spectral(backend: Backend, layer: NormalizableLayer, options: NormalizationOptions): NormalizedWeight {
  const { dOut, dIn, name } = layer;
  const init = spectralNormInitialVectors(dOut, dIn, options.seed);
  const u = backend.tensor(`${name}.sn.u`, dOut, init.u);
  const v = backend.tensor(`${name}.sn.v`, dIn, init.v);
  const sigma = backend.tensor(`${name}.sn.sigma`, 1, [1]);
  const wBar = backend.tensor(`${name}.sn.wBar`, dOut * dIn);
  const gWbar = backend.tensor(`${name}.sn.gWbar`, dOut * dIn);
  const common = { w: layer.w, u, v, sigma, wBar, dOut, dIn };
  const update = [backend.spectralNorm({ ...common, rounds: options.snRounds, label: `${name}.sn.powerIteration` })];
  const refresh = [backend.spectralNorm({ ...common, rounds: 0, label: `${name}.sn.refresh` })];
  const backward = [
    backend.spectralNormBackward({ gWbar, wBar, u, v, sigma, gW: layer.gW, dOut, dIn, label: `${name}.sn.backward` }),
  ];
  return {
    kind: 'sn',
    layer,
    wBar,
    gWbar,
    spectral: { sigma, u, v },
    perUpdate: () => update,
    refresh: () => refresh,
    backward: () => backward,
    afterOptimizer: () => [],
    initial: () => [],
  };
}

/** Warm-up rounds at creation (run once, outside training steps). */
export function spectralWarmup(backend: Backend, weight: NormalizedWeight, rounds: number): Op[] {
  if (!weight.spectral || rounds <= 0) return [];
  const { dOut, dIn, name, w } = weight.layer;
  return [
    backend.spectralNorm({ w, ...weight.spectral, wBar: weight.wBar, dOut, dIn, rounds, label: `${name}.sn.warmup` }),
  ];
}

function weightNorm(backend: Backend, layer: NormalizableLayer): NormalizedWeight {
  const { dOut, dIn, name } = layer;
  const wBar = backend.tensor(`${name}.wn.wBar`, dOut * dIn);
  const gWbar = backend.tensor(`${name}.wn.gWbar`, dOut * dIn);
  const norms = backend.tensor(`${name}.wn.norms`, dOut);
  const forward = [backend.weightNorm({ w: layer.w, wBar, norms, dOut, dIn, label: `${name}.wn.forward` })];
  const backward = [
    backend.weightNormBackward({ gWbar, wBar, norms, gW: layer.gW, dOut, dIn, label: `${name}.wn.backward` }),
  ];
  // W̄ depends on W alone and W changes only in the optimizer: W̄ is made once at the start and
  // after each update of W, and is then current for every later D update and G step.
  return {
    kind: 'wn',
    layer,
    wBar,
    gWbar,
    perUpdate: () => [],
    refresh: () => [],
    backward: () => backward,
    afterOptimizer: () => forward,
    initial: () => forward,
  };
}

/**
 * Orthonormal regularization (Brock et al. 2016, as the paper compares it): β‖WᵀW − I‖²_F joins
 * D's loss, so ∂/∂W = 4β·W(WᵀW − I) = 4β·((WWᵀ)W − W) is added to D's gradient. Computed through
 * the d_out × d_out product WWᵀ, the cheaper side for conv layers (d_out ≤ d_in·kh·kw).
 */
function orthonormal(backend: Backend, layer: NormalizableLayer, beta: number): NormalizedWeight {
  const { dOut, dIn, name, w, gW } = layer;
  const gram = backend.tensor(`${name}.ortho.WWt`, dOut * dOut);
  const product = backend.tensor(`${name}.ortho.WWtW`, dOut * dIn);
  const backward = [
    backend.matmul({ label: `${name}.ortho.gram`, a: w, b: w, c: gram, m: dOut, n: dOut, k: dIn, transB: true }),
    backend.matmul({ label: `${name}.ortho.product`, a: gram, b: w, c: product, m: dOut, n: dIn, k: dOut }),
    backend.axpby({
      label: `${name}.ortho.grad`,
      a: product,
      b: w,
      out: gW,
      n: dOut * dIn,
      alpha: 4 * beta,
      beta: -4 * beta,
      accumulate: true,
    }),
  ];
  return { ...plain('orthonormal', layer, []), backward: () => backward };
}
