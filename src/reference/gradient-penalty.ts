/** Float64 twins of shaders/gradient_penalty.wgsl. */
export function mixRows(
  real: ArrayLike<number>,
  fake: ArrayLike<number>,
  eps: ArrayLike<number>,
  rows: number,
  cols: number,
): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = eps[i] * real[i * cols + j] + (1 - eps[i]) * fake[i * cols + j];
  }
  return out;
}

/** R = (λ/rows)·Σ_i (‖g_i‖ − 1)² and its gradient with respect to g (0 for a zero row). */
export function penaltySeed(
  g: ArrayLike<number>,
  rows: number,
  cols: number,
  lambda: number,
): { penalty: number; seed: Float64Array } {
  const seed = new Float64Array(rows * cols);
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    let sq = 0;
    for (let j = 0; j < cols; j++) sq += g[i * cols + j] ** 2;
    const norm = Math.sqrt(sq);
    sum += (norm - 1) ** 2;
    const factor = norm > 0 ? ((2 * lambda) / rows) * ((norm - 1) / norm) : 0;
    for (let j = 0; j < cols; j++) seed[i * cols + j] = factor * g[i * cols + j];
  }
  return { penalty: (lambda / rows) * sum, seed };
}
