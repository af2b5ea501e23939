/**
 * Small float32 matrix kernels for the digit classifier (inference here, training in
 * tools/train-digit-classifier.ts). Plain TypeScript loops over Float32Arrays, register-blocked
 * 4×4 so that each step of the inner loop does 8 loads for 16 multiply-adds; accumulation is in
 * float64 registers (V8 computes in doubles) and rounded to float32 once per output. Every output
 * is summed in the same order (k ascending, then the bias) whichever block it falls in, so a row's
 * result does not depend on which other rows share the call (classifying in chunks is exact).
 */

/**
 * C[m·N + n] = Σₖ A[m·K + k]·B[n·K + k] (+ bias[n]) for row-major A (M×K), B (N×K), C (M×N):
 * "A times B transposed", the only product the layers need (the others transpose first).
 * With `accumulate`, the sum is added to what C holds.
 */
export function gemmABt(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  bias?: Float32Array,
  accumulate = false,
): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0,
        s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0,
        s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      for (let t = 0; t < k; t++) {
        const x0 = a[a0 + t];
        const x1 = a[a1 + t];
        const x2 = a[a2 + t];
        const x3 = a[a3 + t];
        const y0 = b[b0 + t];
        const y1 = b[b1 + t];
        const y2 = b[b2 + t];
        const y3 = b[b3 + t];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s22 += x2 * y2;
        s23 += x2 * y3;
        s30 += x3 * y0;
        s31 += x3 * y1;
        s32 += x3 * y2;
        s33 += x3 * y3;
      }
      if (bias) {
        const q0 = bias[j];
        const q1 = bias[j + 1];
        const q2 = bias[j + 2];
        const q3 = bias[j + 3];
        s00 += q0;
        s10 += q0;
        s20 += q0;
        s30 += q0;
        s01 += q1;
        s11 += q1;
        s21 += q1;
        s31 += q1;
        s02 += q2;
        s12 += q2;
        s22 += q2;
        s32 += q2;
        s03 += q3;
        s13 += q3;
        s23 += q3;
        s33 += q3;
      }
      const c0 = i * n + j;
      const c1 = c0 + n;
      const c2 = c1 + n;
      const c3 = c2 + n;
      if (accumulate) {
        c[c0] += s00;
        c[c0 + 1] += s01;
        c[c0 + 2] += s02;
        c[c0 + 3] += s03;
        c[c1] += s10;
        c[c1 + 1] += s11;
        c[c1 + 2] += s12;
        c[c1 + 3] += s13;
        c[c2] += s20;
        c[c2 + 1] += s21;
        c[c2 + 2] += s22;
        c[c2 + 3] += s23;
        c[c3] += s30;
        c[c3 + 1] += s31;
        c[c3 + 2] += s32;
        c[c3 + 3] += s33;
      } else {
        c[c0] = s00;
        c[c0 + 1] = s01;
        c[c0 + 2] = s02;
        c[c0 + 3] = s03;
        c[c1] = s10;
        c[c1 + 1] = s11;
        c[c1 + 2] = s12;
        c[c1 + 3] = s13;
        c[c2] = s20;
        c[c2 + 1] = s21;
        c[c2 + 2] = s22;
        c[c2 + 3] = s23;
        c[c3] = s30;
        c[c3 + 1] = s31;
        c[c3 + 2] = s32;
        c[c3 + 3] = s33;
      }
    }
    // Leftover columns (n not a multiple of 4): one column against the four rows.
    for (let j = n4; j < n; j++) {
      const bj = j * k;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let t = 0; t < k; t++) {
        const y = b[bj + t];
        s0 += a[a0 + t] * y;
        s1 += a[a1 + t] * y;
        s2 += a[a2 + t] * y;
        s3 += a[a3 + t] * y;
      }
      if (bias) {
        s0 += bias[j];
        s1 += bias[j];
        s2 += bias[j];
        s3 += bias[j];
      }
      if (accumulate) {
        c[i * n + j] += s0;
        c[(i + 1) * n + j] += s1;
        c[(i + 2) * n + j] += s2;
        c[(i + 3) * n + j] += s3;
      } else {
        c[i * n + j] = s0;
        c[(i + 1) * n + j] = s1;
        c[(i + 2) * n + j] = s2;
        c[(i + 3) * n + j] = s3;
      }
    }
  }
  // Leftover rows: plain dot products.
  for (let i = m4; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let t = 0; t < k; t++) s += a[ai + t] * b[bj + t];
      if (bias) s += bias[j];
      if (accumulate) c[i * n + j] += s;
      else c[i * n + j] = s;
    }
  }
}

/** The transpose of the row-major rows×cols matrix `a`, written into `out` (cols×rows). */
export function transpose(a: Float32Array, rows: number, cols: number, out: Float32Array): Float32Array {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[o + c];
  }
  return out;
}
