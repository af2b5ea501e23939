/**
 * Float64 twin of shaders/spectral_norm.wgsl: spectral normalization as in Miyato et al. 2018,
 * Algorithm 1, for W seen as the d_out × d_in row-major matrix.
 */
import { normalize } from '../core/spectral-norm-init';

export { spectralNormInitialVectors } from '../core/spectral-norm-init';

/** Wx for W (dOut × dIn) and x ∈ R^{dIn}. */
export function matVec(w: ArrayLike<number>, x: ArrayLike<number>, dOut: number, dIn: number): Float64Array {
  const y = new Float64Array(dOut);
  for (let i = 0; i < dOut; i++) {
    let acc = 0;
    for (let j = 0; j < dIn; j++) acc += w[i * dIn + j] * x[j];
    y[i] = acc;
  }
  return y;
}

/** Wᵀx for W (dOut × dIn) and x ∈ R^{dOut}. */
export function matTVec(w: ArrayLike<number>, x: ArrayLike<number>, dOut: number, dIn: number): Float64Array {
  const y = new Float64Array(dIn);
  for (let i = 0; i < dOut; i++) {
    const xi = x[i];
    for (let j = 0; j < dIn; j++) y[j] += w[i * dIn + j] * xi;
  }
  return y;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += a[i] * b[i];
  return acc;
}

export interface PowerIterationResult {
  u: Float64Array;
  v: Float64Array;
  /** σ̃ = ũᵀWṽ with the final ũ, ṽ. */
  sigma: number;
}

/** `rounds` rounds of ṽ ← normalize(Wᵀũ), ũ ← normalize(Wṽ) on the raw W, then σ̃ = ũᵀWṽ. */
export function spectralNormPowerIteration(
  w: ArrayLike<number>,
  u0: ArrayLike<number>,
  v0: ArrayLike<number>,
  dOut: number,
  dIn: number,
  rounds: number,
  eps = 1e-12,
): PowerIterationResult {
  let u: Float64Array = Float64Array.from(u0);
  let v: Float64Array = Float64Array.from(v0);
  for (let r = 0; r < rounds; r++) {
    v = normalize(matTVec(w, u, dOut, dIn), eps);
    u = normalize(matVec(w, v, dOut, dIn), eps);
  }
  return { u, v, sigma: dot(u, matVec(w, v, dOut, dIn)) };
}

/** W̄ = W / σ̃. */
export function spectralNormApply(w: ArrayLike<number>, sigma: number): Float64Array {
  return Float64Array.from(w, (value) => value / sigma);
}

/**
 * ∂L/∂W from g = ∂L/∂W̄ with ũ, ṽ held fixed (no gradient through them): L(W/σ̃(W)) with
 * σ̃ = ũᵀWṽ gives ∂L/∂W = g/σ̃ − ⟨g, W⟩_F/σ̃² ũṽᵀ = (g − λ ũṽᵀ)/σ̃, λ = ⟨g, W̄⟩_F (paper eq. 12).
 */
export function spectralNormBackward(
  g: ArrayLike<number>,
  wBar: ArrayLike<number>,
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  sigma: number,
  dOut: number,
  dIn: number,
): Float64Array {
  const lambda = dot(g, wBar);
  const out = new Float64Array(dOut * dIn);
  for (let i = 0; i < dOut; i++) {
    for (let j = 0; j < dIn; j++) out[i * dIn + j] = (g[i * dIn + j] - lambda * u[i] * v[j]) / sigma;
  }
  return out;
}
