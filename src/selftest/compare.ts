/** Worst-case error of a GPU result against its float64 twin, as the self-test reports it. */
export interface Comparison {
  maxAbs: number;
  ok: boolean;
}

export function compare(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { atol: number; rtol: number },
): Comparison {
  let maxAbs = 0;
  let ok = actual.length === expected.length;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    // NaN fails the comparison rather than disappearing into max().
    if (!(err <= tol.atol + tol.rtol * Math.abs(expected[i]))) ok = false;
    if (err > maxAbs || Number.isNaN(err)) maxAbs = err;
  }
  return { maxAbs, ok };
}
