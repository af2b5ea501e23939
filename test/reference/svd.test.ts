/**
 * The float64 SVD oracle (src/reference/svd.ts), both methods, against the independent library
 * ml-matrix (Golub–Kahan bidiagonal QR, itself backward stable: error ~c·ε·σ₁) on Gaussian matrices
 * up to 256×2048, and against prescribed spectra A = U·diag(s)·Vᵀ (random orthonormal U, V from
 * Gram–Schmidt) where ml-matrix would be slow (512×2304) or where the answer must be exact:
 * rank-deficient, rank-one, repeated and graded spectra.
 *
 * Tolerances (ε = 2.2e-16), from the accuracy argument in svd.ts; measured worst in brackets:
 * - top 10 singular values, both methods: 1e-10 relative [3.7e-14];
 * - 'gram', every value: |σ̂ᵢ² − σᵢ²| ≤ tol·σ₁², so |Δσᵢ| ≤ tol·σ₁²/(σ̂ᵢ + σᵢ) and a true zero reads
 *   at most √tol·σ₁; 'bidiagonal', every value: |σ̂ᵢ − σᵢ| ≤ tol·σ₁, zeros included;
 *   tol = 1e-13 against exact spectra ['gram' 3.8e-15·σ₁², zeros up to 2e-8·σ₁; 'bidiagonal'
 *   1.3e-14·σ₁] and 1e-12 against ml-matrix, whose own error reaches ~4e-14·σ₁ at 256×2048
 *   ['gram' 7.3e-14·σ₁², 'bidiagonal' 3.6e-14·σ₁ — the same deviation for both methods, which agree
 *   with each other to ~4e-15·σ₁];
 * - the two methods against each other at 512×2304 and 512×4608: 1e-12·σ₁ [3.7e-15·σ₁].
 * A wrong index, a lost reflector or a mis-sorted spectrum moves values by O(σ), far above these.
 * Every comparison's largest error goes to test-artifacts/kernel-errors.jsonl (labels "svd …").
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/reference/random';
import { singularValues, spectralNorm, tridiagonalEigenvalues, type SvdMethod } from '../../src/reference/svd';
import { expectClose } from '../helpers/gpu';
import { oracleSingularValues } from '../helpers/svd-oracle';

const METHODS: SvdMethod[] = ['gram', 'bidiagonal'];
const TOP10_RTOL = 1e-10;
/** Against an exact spectrum: 'gram' on σ² in units of σ₁², 'bidiagonal' on σ in units of σ₁. */
const EXACT_TOL = 1e-13;
/** Against ml-matrix, whose own error is ~c·ε·σ₁ (measured up to ~4e-14·σ₁ at 256×2048). */
const ML_TOL = 1e-12;

/**
 * r×c (r ≤ c) with orthonormal rows: Gaussian rows, modified Gram–Schmidt. MGS loses orthogonality
 * like ε·κ; a Gaussian r×c with c ≥ 2r has κ ≲ (1 + √½)/(1 − √½) ≈ 6, so one pass leaves ‖QQᵀ − I‖
 * at a few ε; squarer ones (κ up to ~√r·…) get a second pass ("twice is enough").
 */
function orthonormalRows(rng: Rng, r: number, c: number): Float64Array {
  const q = new Float64Array(r * c);
  const passes = c >= 2 * r ? 1 : 2;
  for (let i = 0; i < r; i++) {
    const o = i * c;
    for (let t = 0; t < c; t++) q[o + t] = rng.normal();
    for (let pass = 0; pass < passes; pass++) {
      for (let j = 0; j < i; j++) {
        const oj = j * c;
        let dot0 = 0;
        let dot1 = 0;
        let t = 0;
        for (; t + 1 < c; t += 2) {
          dot0 += q[oj + t] * q[o + t];
          dot1 += q[oj + t + 1] * q[o + t + 1];
        }
        if (t < c) dot0 += q[oj + t] * q[o + t];
        const dot = dot0 + dot1;
        for (t = 0; t < c; t++) q[o + t] -= dot * q[oj + t];
      }
    }
    let norm = 0;
    for (let t = 0; t < c; t++) norm += q[o + t] * q[o + t];
    norm = Math.sqrt(norm);
    for (let t = 0; t < c; t++) q[o + t] /= norm;
  }
  return q;
}

/** Row-major m×n A = U·diag(s)·Vᵀ with random orthonormal U (m×k), V (n×k); s has k = min(m, n) values. */
function withSpectrum(rng: Rng, m: number, n: number, s: ArrayLike<number>): Float64Array {
  const k = Math.min(m, n);
  expect(s.length).toBe(k);
  const ut = orthonormalRows(rng, k, m);
  const vt = orthonormalRows(rng, k, n);
  const a = new Float64Array(m * n);
  for (let r = 0; r < k; r++) {
    if (s[r] === 0) continue;
    for (let i = 0; i < m; i++) {
      const f = s[r] * ut[r * m + i];
      const o = i * n;
      for (let c = 0; c < n; c++) a[o + c] += f * vt[r * n + c];
    }
  }
  return a;
}

const descending = (s: ArrayLike<number>): Float64Array => Float64Array.from(s).sort().reverse();
const squares = (s: ArrayLike<number>): Float64Array => Float64Array.from(s, (x) => x * x);

/**
 * Both methods against the descending spectrum `want`: the top 10 to TOP10_RTOL relative (when
 * `top10`), then every value to the method's bound — 'gram': |σ̂ᵢ² − σᵢ²| ≤ tol·σ₁² (so a true zero
 * reads at most √tol·σ₁, checked and logged separately); 'bidiagonal': |σ̂ᵢ − σᵢ| ≤ tol·σ₁.
 */
function checkSpectrum(
  label: string,
  a: ArrayLike<number>,
  m: number,
  n: number,
  want: ArrayLike<number>,
  { tol, top10 = true }: { tol: number; top10?: boolean },
) {
  const s1 = want[0];
  for (const method of METHODS) {
    const got = singularValues(a, m, n, { method });
    expect(got.length, `${label} ${method}: count`).toBe(Math.min(m, n));
    for (let i = 1; i < got.length; i++) expect(got[i], `${label} ${method}: order`).toBeLessThanOrEqual(got[i - 1]);
    if (top10) {
      const t = Math.min(10, got.length);
      expectClose(`svd ${label} ${method} top10`, got.subarray(0, t), Array.from(want).slice(0, t), {
        atol: 0,
        rtol: TOP10_RTOL,
      });
    }
    if (method === 'gram') {
      expectClose(`svd ${label} gram σ²`, squares(got), squares(want), { atol: tol * s1 * s1, rtol: 0 });
      const zeros = Array.from(want).flatMap((w, i) => (w === 0 ? [got[i]] : []));
      if (zeros.length > 0) {
        expectClose(`svd ${label} gram zeros`, zeros, new Array(zeros.length).fill(0), {
          atol: Math.sqrt(tol) * s1,
          rtol: 0,
        });
      }
    } else {
      expectClose(`svd ${label} bidiagonal σ`, got, want, { atol: tol * s1, rtol: 0 });
    }
  }
}

describe('singularValues against ml-matrix on Gaussian matrices', () => {
  // Awkward shapes, then the paper CNN discriminator layers reshaped to out × (in·kh·kw), up to
  // 256×2048 (ml-matrix takes ~1 s there; 512×2304 is checked against a prescribed spectrum below).
  const SHAPES: [number, number][] = [
    [1, 1],
    [1, 7],
    [7, 1],
    [7, 33],
    [33, 7],
    [127, 257],
    [257, 127],
    [64, 27],
    [128, 1152],
    [64, 1024],
    [128, 576],
    [128, 1024],
    [256, 1152],
    [256, 2048],
    [1, 8192],
  ];
  for (const [m, n] of SHAPES) {
    it(`${m}×${n}`, () => {
      const rng = new Rng(1000 * m + n);
      const a = rng.normalArray(m * n);
      checkSpectrum(`gaussian ${m}×${n}`, a, m, n, oracleSingularValues(a, m, n), { tol: ML_TOL });
    });
  }

  it('spectralNorm is σ₁ (ml-matrix norm2) for both methods', () => {
    const rng = new Rng(5);
    const [m, n] = [48, 75];
    const a = rng.normalArray(m * n);
    const want = oracleSingularValues(a, m, n)[0];
    for (const method of METHODS) {
      expectClose(`svd spectralNorm ${method}`, [spectralNorm(a, m, n, { method })], [want], { atol: 0, rtol: 1e-13 });
    }
    expect(spectralNorm(new Float32Array(0), 0, 3)).toBe(0);
  });
});

describe('singularValues against prescribed spectra', () => {
  it('512×2304 (the paper CNN’s largest D layer), condition number 1e3', () => {
    const rng = new Rng(2304);
    const k = 512;
    // Geometric 5 → 5e-3, handed over shuffled (U and V are random, so order is immaterial).
    const s = Float64Array.from({ length: k }, (_, i) => 5 * 1e-3 ** (i / (k - 1)));
    for (let i = k - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [s[i], s[j]] = [s[j], s[i]];
    }
    checkSpectrum('prescribed 512×2304', withSpectrum(rng, 512, 2304, s), 512, 2304, descending(s), { tol: EXACT_TOL });
  });

  it('rank-deficient: prescribed zeros, wide and tall', () => {
    const rng = new Rng(77);
    for (const [m, n, rank] of [
      [64, 200, 40],
      [200, 64, 40],
      [96, 96, 50],
      [128, 1152, 100],
    ]) {
      const k = Math.min(m, n);
      const s = Float64Array.from({ length: k }, (_, i) => (i < rank ? 1 + rng.uniform() * 9 : 0));
      checkSpectrum(`rank ${rank} ${m}×${n}`, withSpectrum(rng, m, n, s), m, n, descending(s), { tol: EXACT_TOL });
    }
  });

  it('rank one: an outer product u·vᵀ', () => {
    const rng = new Rng(3);
    for (const [m, n] of [
      [33, 7],
      [7, 33],
      [300, 300],
    ]) {
      const u = Float64Array.from({ length: m }, () => rng.normal());
      const v = Float64Array.from({ length: n }, () => rng.normal());
      const a = Float64Array.from({ length: m * n }, (_, i) => u[Math.floor(i / n)] * v[i % n]);
      const want = new Float64Array(Math.min(m, n));
      want[0] = Math.hypot(...u) * Math.hypot(...v);
      checkSpectrum(`rank 1 ${m}×${n}`, a, m, n, want, { tol: EXACT_TOL, top10: false });
      for (const method of METHODS) {
        const got = singularValues(a, m, n, { method });
        expectClose(`svd rank 1 ${m}×${n} ${method} σ₁`, [got[0]], [want[0]], { atol: 0, rtol: 1e-14 });
      }
    }
  });

  it('repeated singular values', () => {
    const rng = new Rng(4);
    // Five distinct values, each 20 times, on a wide and a tall matrix; plus all-equal (A = 3·orthonormal rows).
    const s = Float64Array.from({ length: 100 }, (_, i) => [8, 8 - 1e-9, 2, 1, 0.5][i % 5]);
    checkSpectrum('repeated 100×300', withSpectrum(rng, 100, 300, s), 100, 300, descending(s), { tol: EXACT_TOL });
    checkSpectrum('repeated 300×100', withSpectrum(rng, 300, 100, s), 300, 100, descending(s), { tol: EXACT_TOL });
    const q = orthonormalRows(rng, 50, 120).map((x) => 3 * x);
    checkSpectrum('all equal 50×120', q, 50, 120, new Float64Array(50).fill(3), { tol: EXACT_TOL });
  });

  it('tiny singular values: bidiagonal keeps them to ε·σ₁, gram to its σ² bound', () => {
    const rng = new Rng(6);
    const s = Float64Array.from({ length: 64 }, (_, i) => 1e-12 ** (i / 63));
    checkSpectrum('graded 64×200', withSpectrum(rng, 64, 200, s), 64, 200, descending(s), { tol: EXACT_TOL });
  });

  it('all-zero matrices give exact zeros', () => {
    for (const [m, n] of [
      [1, 1],
      [7, 33],
      [33, 7],
      [64, 64],
    ]) {
      for (const method of METHODS) {
        expect(Array.from(singularValues(new Float32Array(m * n), m, n, { method }))).toEqual(
          new Array(Math.min(m, n)).fill(0),
        );
      }
    }
  });
});

describe('singularValues edge cases', () => {
  it('vectors and scalars: σ = ‖a‖₂', () => {
    const rng = new Rng(8);
    const v = rng.normalArray(8192);
    const norm = Math.hypot(...v); // correctly scaled and compensated in V8
    for (const method of METHODS) {
      expectClose(`svd 1×8192 ${method}`, singularValues(v, 1, 8192, { method }), [norm], { atol: 0, rtol: 1e-13 });
      expectClose(`svd 8192×1 ${method}`, singularValues(v, 8192, 1, { method }), [norm], { atol: 0, rtol: 1e-13 });
      expect(Array.from(singularValues([-2.5], 1, 1, { method }))).toEqual([2.5]);
    }
  });

  it('transposing, the input array type and power-of-two scaling give bit-identical spectra', () => {
    const rng = new Rng(9);
    const [m, n] = [37, 91];
    const a = rng.normalArray(m * n);
    const at = new Float32Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a[i * n + j];
    for (const method of METHODS) {
      const s = singularValues(a, m, n, { method });
      expect(singularValues(at, n, m, { method })).toEqual(s);
      expect(singularValues(Float64Array.from(a), m, n, { method })).toEqual(s);
      expect(singularValues(Array.from(a), m, n, { method })).toEqual(s);
      // Entries near 1e±270 would overflow/underflow a naive Gram matrix; scaling is exact.
      for (const e of [900, -900]) {
        const scaled = singularValues(
          Float64Array.from(a, (x) => x * 2 ** e),
          m,
          n,
          { method },
        );
        expect(scaled).toEqual(s.map((x) => x * 2 ** e));
      }
    }
  });

  it('non-finite input gives NaN; bad shapes and methods throw; empty shapes give empty spectra', () => {
    const a = new Float64Array(6).fill(1);
    a[4] = NaN;
    expect(Array.from(singularValues(a, 2, 3))).toEqual([NaN, NaN]);
    a[4] = -Infinity;
    expect(Array.from(singularValues(a, 3, 2, { method: 'bidiagonal' }))).toEqual([NaN, NaN]);
    expect(() => singularValues(new Float32Array(5), 2, 3)).toThrow(RangeError);
    expect(() => singularValues(new Float32Array(6), 2.5, 2.4)).toThrow(RangeError);
    expect(() => singularValues(new Float32Array(6), 2, 3, { method: 'jacobi' as SvdMethod })).toThrow(RangeError);
    expect(singularValues([], 0, 5).length).toBe(0);
  });

  it('tridiagonalEigenvalues: closed-form spectra, including the zero-diagonal Golub–Kahan form', () => {
    for (const n of [1, 2, 7, 100, 301]) {
      // 1-D Laplacian tridiag(−1, 2, −1): λⱼ = 2 − 2cos(jπ/(n+1)).
      const d = new Float64Array(n).fill(2);
      const e = new Float64Array(n).fill(-1);
      tridiagonalEigenvalues(d, e);
      const want = Float64Array.from({ length: n }, (_, j) => 2 - 2 * Math.cos(((j + 1) * Math.PI) / (n + 1)));
      expectClose(`svd laplacian n=${n}`, d.sort(), want.sort(), { atol: 1e-14, rtol: 0 });
      // tridiag(1, 0, 1): λⱼ = 2cos(jπ/(n+1)), symmetric about 0 (a zero eigenvalue for odd n).
      const z = new Float64Array(n);
      const f = new Float64Array(n).fill(1);
      tridiagonalEigenvalues(z, f);
      const wantZ = Float64Array.from({ length: n }, (_, j) => 2 * Math.cos(((j + 1) * Math.PI) / (n + 1)));
      expectClose(`svd zero-diagonal n=${n}`, z.sort(), wantZ.sort(), { atol: 1e-14, rtol: 0 });
    }
  });
});

describe('singularValues at the largest sizes', () => {
  it('512×2304 and 512×4608: time both methods and cross-check them', () => {
    const rng = new Rng(4608);
    for (const [m, n] of [
      [512, 2304],
      [512, 4608],
    ]) {
      const a = rng.normalArray(m * n);
      const results: Float64Array[] = [];
      const times: string[] = [];
      for (const method of METHODS) {
        const start = performance.now();
        results.push(singularValues(a, m, n, { method }));
        times.push(`${method} ${(performance.now() - start).toFixed(0)} ms`);
      }
      console.log(`singularValues ${m}×${n} (Float32Array in, one Node thread): ${times.join(', ')}`);
      const [gram, bidiagonal] = results;
      expectClose(`svd cross ${m}×${n} top10`, gram.subarray(0, 10), bidiagonal.subarray(0, 10), {
        atol: 0,
        rtol: TOP10_RTOL,
      });
      expectClose(`svd cross ${m}×${n} all`, gram, bidiagonal, { atol: 1e-12 * bidiagonal[0], rtol: 0 });
    }
  });
});
