/** Float64 twin of shaders/matmul.wgsl: C = act(op(A)·op(B) + bias), or C + op(A)·op(B). */
import type { Activation } from '../core/activation';
import { activate } from './elementwise';

export interface MatmulReferenceOptions {
  /** C is m×n; op(A) is m×k; op(B) is k×n (all row-major). */
  m: number;
  n: number;
  k: number;
  /** A is stored k×m and op(A) = Aᵀ. */
  transA?: boolean;
  /** B is stored n×k and op(B) = Bᵀ. */
  transB?: boolean;
  /** Length n, added to every row before the activation. */
  bias?: ArrayLike<number>;
  activation?: Activation;
  slope?: number;
  /** Accumulate: the result is c + op(A)·op(B) (no bias or activation with it). */
  c?: ArrayLike<number>;
}

export function matmulReference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: MatmulReferenceOptions,
): Float64Array {
  const { m, n, k, transA = false, transB = false, bias, activation = 'identity', slope = 0, c } = options;
  if (c && (bias || activation !== 'identity')) throw new Error('matmulReference: accumulate excludes bias/activation');
  if (a.length < m * k || b.length < k * n) throw new Error('matmulReference: A or B is too short');
  // op(A)[i][p] and op(B)[p][j] as flat-index strides into the stored arrays.
  const [aRow, aCol] = transA ? [1, m] : [k, 1];
  const [bRow, bCol] = transB ? [1, k] : [n, 1];
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * aRow + p * aCol] * b[p * bRow + j * bCol];
      if (c) sum += c[i * n + j];
      if (bias) sum += bias[j];
      out[i * n + j] = activate(sum, activation, slope);
    }
  }
  return out;
}

/** The r×c row-major matrix x transposed (c×r), for tests and tools. */
export function transpose(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
  return out;
}
