/**
 * Float64 twin of shaders/weight_norm.wgsl: row-wise weight normalization with the gain fixed to
 * 1 (Miyato et al. 2018, footnote 8) and WGAN weight clipping, for W as the d_out × d_in
 * row-major matrix.
 */

/** W̄_i = W_i / max(‖W_i‖₂, ε) for every row i, and those norms (kept for the backward). */
export function weightNormForward(
  w: ArrayLike<number>,
  dOut: number,
  dIn: number,
  eps = 1e-12,
): { wBar: Float64Array; norms: Float64Array } {
  const wBar = new Float64Array(dOut * dIn);
  const norms = new Float64Array(dOut);
  for (let i = 0; i < dOut; i++) {
    let sum = 0;
    for (let j = 0; j < dIn; j++) sum += w[i * dIn + j] ** 2;
    norms[i] = Math.max(Math.sqrt(sum), eps);
    for (let j = 0; j < dIn; j++) wBar[i * dIn + j] = w[i * dIn + j] / norms[i];
  }
  return { wBar, norms };
}

/**
 * ∂L/∂W from g = ∂L/∂W̄: W̄_i = W_i/‖W_i‖ has Jacobian (I − W̄_i W̄_iᵀ)/‖W_i‖, so
 * ∂L/∂W_i = (g_i − (g_i·W̄_i) W̄_i) / ‖W_i‖.
 */
export function weightNormBackward(
  g: ArrayLike<number>,
  wBar: ArrayLike<number>,
  norms: ArrayLike<number>,
  dOut: number,
  dIn: number,
): Float64Array {
  const out = new Float64Array(dOut * dIn);
  for (let i = 0; i < dOut; i++) {
    let along = 0;
    for (let j = 0; j < dIn; j++) along += g[i * dIn + j] * wBar[i * dIn + j];
    for (let j = 0; j < dIn; j++) out[i * dIn + j] = (g[i * dIn + j] - along * wBar[i * dIn + j]) / norms[i];
  }
  return out;
}

/** WGAN weight clipping: clamp(W, −c, c); c is the run's clip bound (its default is in the settings table). */
export function weightClip(w: ArrayLike<number>, c: number): Float64Array {
  return Float64Array.from(w, (x) => Math.min(Math.max(x, -c), c));
}
