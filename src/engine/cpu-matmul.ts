/**
 * The CPU backend's matmul: the same float64 arithmetic as the twin (src/reference/matmul.ts),
 * blocked for speed, so the CPU fallback and the recordings made with it run several times faster.
 * Every output is still 0 + Σ_p a·b summed in ascending p, then + c, + bias and the activation,
 * exactly as the twin does, so the two agree bit for bit (test/engine/cpu-matmul.test.ts).
 *
 * op(A) is packed row-major and op(B) column-major (both contiguous along p) into reused float64
 * scratch, and a 2×4 block of outputs is summed at once: eight independent running sums give the
 * CPU parallel work without changing any one sum's order.
 */
import { activate } from '../reference/elementwise';
import type { MatmulReferenceOptions } from '../reference/matmul';

// Scratch reused between calls: a training step runs thousands of matmuls, and fresh arrays of
// up to tens of MB each time would spend much of the step in the garbage collector.
let scratchA = new Float64Array(0);
let scratchB = new Float64Array(0);

function scratch(which: 'a' | 'b', size: number): Float64Array {
  if (which === 'a') {
    if (scratchA.length < size) scratchA = new Float64Array(size);
    return scratchA;
  }
  if (scratchB.length < size) scratchB = new Float64Array(size);
  return scratchB;
}

/** The rows × cols matrix op(X) packed row-major, from X stored as given or transposed. */
function pack(into: Float64Array, x: ArrayLike<number>, rows: number, cols: number, transposed: boolean): void {
  if (transposed) {
    for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) into[r * cols + q] = x[q * rows + r];
  } else {
    for (let i = 0; i < rows * cols; i++) into[i] = x[i];
  }
}

/** C = act(op(A)·op(B) + bias), or c + op(A)·op(B), written into out (length m·n). */
export function matmulInto(
  out: Float32Array,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: MatmulReferenceOptions,
): void {
  const { m, n, k, transA = false, transB = false, bias, activation = 'identity', slope = 0, c } = options;
  if (c && (bias || activation !== 'identity')) throw new Error('matmul: accumulate excludes bias/activation');
  if (a.length < m * k || b.length < k * n) throw new Error('matmul: A or B is too short');
  const pa = scratch('a', m * k);
  pack(pa, a, m, k, transA);
  // op(B) column-major is Bᵀ row-major: B stored n×k when transB, else k×n to transpose.
  const pb = scratch('b', n * k);
  pack(pb, b, n, k, !transB);
  const plain = activation === 'identity';
  const finish = (i: number, j: number, sum: number): void => {
    const at = i * n + j;
    if (c) sum += c[at];
    if (bias) sum += bias[j];
    out[at] = plain ? sum : activate(sum, activation, slope);
  };
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = i * k;
    const a1 = a0 + k;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0; // prettier-ignore
      for (let p = 0; p < k; p++) {
        const x0 = pa[a0 + p];
        const x1 = pa[a1 + p];
        const y0 = pb[b0 + p];
        const y1 = pb[b1 + p];
        const y2 = pb[b2 + p];
        const y3 = pb[b3 + p];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      finish(i, j, s00);
      finish(i, j + 1, s01);
      finish(i, j + 2, s02);
      finish(i, j + 3, s03);
      finish(i + 1, j, s10);
      finish(i + 1, j + 1, s11);
      finish(i + 1, j + 2, s12);
      finish(i + 1, j + 3, s13);
    }
    for (; j < n; j++) {
      const b0 = j * k;
      let s0 = 0;
      let s1 = 0;
      for (let p = 0; p < k; p++) {
        s0 += pa[a0 + p] * pb[b0 + p];
        s1 += pa[a1 + p] * pb[b0 + p];
      }
      finish(i, j, s0);
      finish(i + 1, j, s1);
    }
  }
  for (; i < m; i++) {
    const a0 = i * k;
    for (let j = 0; j < n; j++) {
      const b0 = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += pa[a0 + p] * pb[b0 + p];
      finish(i, j, s);
    }
  }
}
