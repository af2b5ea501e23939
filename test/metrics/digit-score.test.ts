/**
 * The digit-quality scores of src/metrics/digit-score.ts and the symmetric eigensolver they use.
 *
 * Tolerances: IS of exactly known cases 1e-12 (relative); FID of a set with itself 1e-9
 * (absolute, features of scale ~1 in 16–64 dimensions, well-conditioned covariances); FID
 * against closed forms (diagonal, and commuting covariances Q·diag·Qᵀ) 1e-8; Tr((ΣA^½ΣBΣA^½)^½)
 * against a float64 brute-force sqrtm (ml-matrix eigendecompositions: ΣA^½ = V·√Λ·Vᵀ, then the
 * square root of ΣA^½ΣBΣA^½ the same way) 1e-9 relative. Rank-deficient covariances make the
 * trace itself sensitive (a zero eigenvalue known to ±ε·‖Σ‖² has a root known to ±√ε·‖Σ‖, in the
 * brute force too): 1e-6 relative there; features constant in both sets drop out exactly (1e-9).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  featureStatistics,
  frechetDistance,
  frechetDistanceFromStats,
  inceptionScore,
  traceSqrtProduct,
  type GaussianStats,
} from '../../src/metrics/digit-score';
import { Rng } from '../../src/reference/random';

/** Random orthogonal d×d (Gram–Schmidt of a Gaussian matrix), row-major float64. */
function randomOrthogonal(d: number, rng: Rng): Float64Array {
  const q = Float64Array.from(rng.normalArray(d * d));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += q[i * d + k] * q[j * d + k];
      for (let k = 0; k < d; k++) q[i * d + k] -= dot * q[j * d + k];
    }
    let norm = 0;
    for (let k = 0; k < d; k++) norm += q[i * d + k] ** 2;
    for (let k = 0; k < d; k++) q[i * d + k] /= Math.sqrt(norm);
  }
  return q;
}

/** Qᵀ·diag(s)·Q. */
function withSpectrum(q: Float64Array, s: ArrayLike<number>, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += q[k * d + i] * s[k] * q[k * d + j];
      out[i * d + j] = v;
    }
  }
  // Exactly symmetric.
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) out[j * d + i] = out[i * d + j];
  return out;
}

/** A random SPD (or PSD of rank r) matrix G·Gᵀ/r with G d×r Gaussian. */
function randomCovariance(d: number, rng: Rng, rank = 2 * d): Float64Array {
  const g = rng.normalArray(d * rank);
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let v = 0;
      for (let k = 0; k < rank; k++) v += g[i * rank + k] * g[j * rank + k];
      out[i * d + j] = out[j * d + i] = v / rank;
    }
  }
  return out;
}

function toMatrix(a: Float64Array, d: number): Matrix {
  return new Matrix(Array.from({ length: d }, (_, i) => Array.from(a.subarray(i * d, (i + 1) * d))));
}

/** Symmetric PSD square root by eigendecomposition (float64, ml-matrix). */
function sqrtm(m: Matrix): Matrix {
  const sym = m.add(m.transpose()).div(2);
  const evd = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  const v = evd.eigenvectorMatrix;
  const root = Matrix.diag(evd.realEigenvalues.map((l) => Math.sqrt(Math.max(l, 0))));
  return v.mmul(root).mmul(v.transpose());
}

/** Brute-force Tr((ΣA^½ ΣB ΣA^½)^½). */
function bruteTraceSqrt(a: Float64Array, b: Float64Array, d: number): number {
  const ra = sqrtm(toMatrix(a, d));
  return sqrtm(ra.mmul(toMatrix(b, d)).mmul(ra)).trace();
}

function stats(mean: ArrayLike<number>, cov: Float64Array): GaussianStats {
  return { dim: mean.length, mean: Float64Array.from(mean), cov };
}

describe('inceptionScore', () => {
  it('is 10 for confident, balanced one-hot predictions over 10 classes', () => {
    const count = 50;
    const probs = new Float32Array(count * 10);
    for (let i = 0; i < count; i++) probs[i * 10 + (i % 10)] = 1;
    expect(inceptionScore(probs, count)).toBeCloseTo(10, 12);
  });

  it('is 1 when every image gets the same prediction', () => {
    const rng = new Rng(5);
    const row = rng.uniformArray(10, 0.1, 1);
    const sum = row.reduce((s, v) => s + v, 0);
    const probs = new Float64Array(40 * 10);
    for (let i = 0; i < 40; i++) for (let j = 0; j < 10; j++) probs[i * 10 + j] = row[j] / sum;
    expect(Math.abs(inceptionScore(probs, 40) - 1)).toBeLessThan(1e-12);
    const oneHot = new Float32Array(30 * 10);
    for (let i = 0; i < 30; i++) oneHot[i * 10 + 3] = 1;
    expect(inceptionScore(oneHot, 30)).toBe(1);
  });

  it('is the number of classes used when those are balanced and confident (here 4)', () => {
    const probs = new Float32Array(20 * 10);
    for (let i = 0; i < 20; i++) probs[i * 10 + (i % 4)] = 1;
    expect(inceptionScore(probs, 20)).toBeCloseTo(4, 12);
  });
});

describe('frechetDistance', () => {
  it('is 0 for a set with itself', () => {
    const rng = new Rng(21);
    for (const [count, dim] of [
      [500, 16],
      [1000, 64],
    ]) {
      // Correlated features: x = z·M + offset, scale ~1.
      const m = rng.normalArray(dim * dim, 0.3);
      const z = rng.normalArray(count * dim);
      const x = new Float32Array(count * dim);
      for (let i = 0; i < count; i++) {
        for (let j = 0; j < dim; j++) {
          let v = 0.5;
          for (let k = 0; k < dim; k++) v += z[i * dim + k] * m[k * dim + j];
          x[i * dim + j] = v;
        }
      }
      expect(Math.abs(frechetDistance(x, count, x, count, dim))).toBeLessThan(1e-9);
    }
  });

  it('matches the closed form for diagonal covariances: Σ(√a − √b)² + ‖Δμ‖²', () => {
    const rng = new Rng(22);
    for (const d of [1, 3, 64]) {
      const a = rng.uniformArray(d, 0.01, 4);
      const b = rng.uniformArray(d, 0.01, 4);
      const ma = rng.normalArray(d);
      const mb = rng.normalArray(d);
      const diag = (s: Float32Array) => {
        const out = new Float64Array(d * d);
        for (let i = 0; i < d; i++) out[i * d + i] = s[i];
        return out;
      };
      let expected = 0;
      for (let i = 0; i < d; i++) expected += (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2 + (ma[i] - mb[i]) ** 2;
      const got = frechetDistanceFromStats(stats(ma, diag(a)), stats(mb, diag(b)));
      expect(Math.abs(got - expected)).toBeLessThan(1e-8);
    }
  });

  it('matches the closed form for commuting covariances Qᵀ·diag·Q (non-diagonal)', () => {
    const rng = new Rng(23);
    const d = 24;
    const q = randomOrthogonal(d, rng);
    const a = rng.uniformArray(d, 0.05, 3);
    const b = rng.uniformArray(d, 0.05, 3);
    const mean = rng.normalArray(d);
    let expected = 0;
    for (let i = 0; i < d; i++) expected += (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2;
    const got = frechetDistanceFromStats(stats(mean, withSpectrum(q, a, d)), stats(mean, withSpectrum(q, b, d)));
    expect(Math.abs(got - expected)).toBeLessThan(1e-8);
  });

  it('matches a float64 brute-force sqrtm on random SPD matrices', () => {
    const rng = new Rng(24);
    for (const d of [2, 10, 64]) {
      for (let trial = 0; trial < 3; trial++) {
        const a = randomCovariance(d, rng);
        const b = randomCovariance(d, rng);
        const brute = bruteTraceSqrt(a, b, d);
        expect(Math.abs(traceSqrtProduct(a, b, d) - brute)).toBeLessThan(1e-9 * brute);
        // The trace is symmetric in A and B.
        expect(Math.abs(traceSqrtProduct(b, a, d) - brute)).toBeLessThan(1e-9 * brute);
        const ma = rng.normalArray(d);
        const mb = rng.normalArray(d);
        let expected = 0;
        for (let i = 0; i < d; i++) expected += (ma[i] - mb[i]) ** 2 + a[i * d + i] + b[i * d + i];
        expected -= 2 * brute;
        const got = frechetDistanceFromStats(stats(ma, a), stats(mb, b));
        expect(Math.abs(got - expected)).toBeLessThan(1e-9 * Math.max(1, expected));
      }
    }
  });

  it('handles rank-deficient covariances (dead features)', () => {
    const rng = new Rng(25);
    const d = 32;
    const singular = randomCovariance(d, rng, 20); // rank 20
    const full = randomCovariance(d, rng);
    const brute = bruteTraceSqrt(full, singular, d);
    // The brute force takes square roots of eigenvalues that are 0 ± ε·‖Σ‖², i.e. carries ~√ε
    // errors; so may the truncation of the pivoted Cholesky: 1e-6 relative.
    expect(Math.abs(traceSqrtProduct(singular, full, d) - brute)).toBeLessThan(1e-6 * brute);
    expect(Math.abs(traceSqrtProduct(full, singular, d) - brute)).toBeLessThan(1e-6 * brute);
    // Both singular.
    const other = randomCovariance(d, rng, 24);
    const bruteBoth = bruteTraceSqrt(singular, other, d);
    expect(Math.abs(traceSqrtProduct(singular, other, d) - bruteBoth)).toBeLessThan(1e-6 * bruteBoth);
    // Fewer samples than dimensions (rank count − 1 covariances) on both sides.
    const fa = rng.normalArray(20 * d);
    const fb = rng.normalArray(25 * d);
    const sa = featureStatistics(fa, 20, d);
    const sb = featureStatistics(fb, 25, d);
    const bruteFew = bruteTraceSqrt(sa.cov, sb.cov, d);
    expect(Math.abs(traceSqrtProduct(sa.cov, sb.cov, d) - bruteFew)).toBeLessThan(1e-6 * bruteFew);
    // Features that are always 0 (or constant) in both sets are dropped exactly: FID with itself 0.
    const count = 300;
    const x = rng.normalArray(count * 8);
    for (let i = 0; i < count; i++) {
      x[i * 8 + 5] = 0;
      x[i * 8 + 2] = 1.5;
    }
    expect(Math.abs(frechetDistance(x, count, x, count, 8))).toBeLessThan(1e-9);
    // ... and a constant feature that differs between the sets only adds its squared mean gap.
    const y = x.slice();
    for (let i = 0; i < count; i++) y[i * 8 + 5] = 2;
    expect(Math.abs(frechetDistance(x, count, y, count, 8) - 4)).toBeLessThan(1e-9);
  });

  it('uses the unbiased (n − 1) covariance and the sample means', () => {
    // Two samples (0, 0) and (2, 4): mean (1, 2), covariance [[2, 4], [4, 8]].
    const s = featureStatistics([0, 0, 2, 4], 2, 2);
    expect(Array.from(s.mean)).toEqual([1, 2]);
    expect(Array.from(s.cov)).toEqual([2, 4, 4, 8]);
    // One-dimensional sets: FID = (μa − μb)² + (σa − σb)².
    const a = [1, 3]; // μ 2, σ² 2
    const b = [0, 4, 8]; // μ 4, σ² 16
    expect(frechetDistance(a, 2, b, 3, 1)).toBeCloseTo(4 + (Math.sqrt(2) - 4) ** 2, 12);
  });
});
