/**
 * Digit-quality scores from the digit classifier (src/metrics/digit-classifier.ts), the MNIST
 * stand-ins for the Inception Score and FID:
 *
 * - `inceptionScore`: exp(E_x KL(p(y|x) ‖ p(y))) with p(y) the mean of p(y|x) over the set — one
 *   split over all the images (no 10-split averaging). 1 when every image gets the same
 *   prediction, 10 when the predictions are confident and the classes balanced.
 * - `frechetDistance`: the Fréchet distance between Gaussians fitted to the classifier's
 *   penultimate features (64-d), ‖μA − μB‖² + Tr(ΣA + ΣB − 2(ΣA^½ ΣB ΣA^½)^½), with unbiased
 *   (n − 1) covariances. Everything in float64. Tr((ΣA^½ΣBΣA^½)^½) = Σᵢ √λᵢ with λᵢ the eigenvalues
 *   of Lᵀ ΣB L where ΣA = L·Lᵀ (Cholesky; the same eigenvalues as ΣA·ΣB); `traceSqrtProduct` takes
 *   the √λᵢ as singular values (accurate near 0) and handles singular covariances without a ridge.
 *
 * FID has a positive bias that shrinks with the sample size, so compare values at equal counts
 * (`referenceScores` gives the real-digit values at two sizes).
 */
import { toPaddedImages, type MnistSet } from '../data/mnist';
import { singularValues } from '../reference/svd';
import { DIGIT_CLASSES, DigitClassifier } from './digit-classifier';
import { alternatingHalves, digitSplit } from './digit-split';

/** exp(E_x KL(p(y|x) ‖ p(y))) over `count` rows of `classes` probabilities (one split). */
export function inceptionScore(probs: ArrayLike<number>, count: number, classes = DIGIT_CLASSES): number {
  if (count <= 0) throw new RangeError('inceptionScore: no images');
  if (probs.length < count * classes) throw new RangeError(`inceptionScore: ${probs.length} values for ${count} rows`);
  const marginal = new Float64Array(classes);
  for (let i = 0; i < count; i++) for (let j = 0; j < classes; j++) marginal[j] += probs[i * classes + j];
  for (let j = 0; j < classes; j++) marginal[j] /= count;
  let kl = 0;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < classes; j++) {
      const p = probs[i * classes + j];
      if (p > 0) kl += p * (Math.log(p) - Math.log(marginal[j]));
    }
  }
  return Math.exp(kl / count);
}

/** Mean and covariance (row-major d×d) of a Gaussian, float64. */
export interface GaussianStats {
  dim: number;
  mean: Float64Array;
  cov: Float64Array;
}

/** Mean and unbiased (n − 1) covariance of `count` rows of `dim` features (two passes, float64). */
export function featureStatistics(features: ArrayLike<number>, count: number, dim: number): GaussianStats {
  if (count < 2) throw new RangeError(`featureStatistics: need at least 2 samples, got ${count}`);
  if (features.length < count * dim)
    throw new RangeError(`featureStatistics: ${features.length} values for ${count}×${dim}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += features[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= count;
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) centred[j] = features[i * dim + j] - mean[j];
    for (let r = 0; r < dim; r++) {
      const x = centred[r];
      if (x === 0) continue;
      const o = r * dim;
      for (let c = 0; c <= r; c++) cov[o + c] += x * centred[c];
    }
  }
  for (let r = 0; r < dim; r++) {
    for (let c = 0; c <= r; c++) {
      const v = cov[r * dim + c] / (count - 1);
      cov[r * dim + c] = v;
      cov[c * dim + r] = v;
    }
  }
  return { dim, mean, cov };
}

/**
 * Semidefinite (diagonally pivoted, truncated) Cholesky of the symmetric PSD d×d `a`: returns L
 * (d×r, row-major, rows in the original order) with a ≈ L·Lᵀ, stopping when every remaining
 * Schur-complement pivot is ≤ PIVOT_TOL·max diag(a) (r < d for a numerically singular `a`).
 * For a positive definite `a` whose pivots stay above that, r = d and L is a row permutation of
 * the ordinary Cholesky factor.
 */
function semidefiniteCholesky(a: Float64Array, d: number): { l: Float64Array; rank: number } {
  const diag = new Float64Array(d);
  let maxDiag = 0;
  for (let i = 0; i < d; i++) {
    diag[i] = a[i * d + i];
    if (!(diag[i] >= 0)) throw new Error(`frechetDistance: covariance has a negative or NaN diagonal (${diag[i]})`);
    maxDiag = Math.max(maxDiag, diag[i]);
  }
  const cols: Float64Array[] = [];
  const used = new Uint8Array(d);
  const stop = PIVOT_TOL * maxDiag;
  for (let t = 0; t < d; t++) {
    let p = -1;
    for (let i = 0; i < d; i++) if (!used[i] && (p < 0 || diag[i] > diag[p])) p = i;
    if (p < 0 || !(diag[p] > stop)) break;
    used[p] = 1;
    const root = Math.sqrt(diag[p]);
    const col = new Float64Array(d);
    col[p] = root;
    for (let i = 0; i < d; i++) {
      if (used[i]) continue;
      let s = a[i * d + p];
      for (const prev of cols) s -= prev[i] * prev[p];
      col[i] = s / root;
      diag[i] -= col[i] * col[i];
    }
    cols.push(col);
  }
  const rank = cols.length;
  const l = new Float64Array(d * rank);
  for (let t = 0; t < rank; t++) for (let i = 0; i < d; i++) l[i * rank + t] = cols[t][i];
  return { l, rank };
}

/** Relative pivot below which the semidefinite Cholesky stops (a few ε per dimension). */
const PIVOT_TOL = 1e-14;

/**
 * Tr((ΣA^½ ΣB ΣA^½)^½) for symmetric positive semidefinite d×d ΣA, ΣB (row-major), float64.
 *
 * With ΣA = LA·LAᵀ (Cholesky, see `semidefiniteCholesky`), the trace is Σ√λᵢ over the eigenvalues
 * λᵢ of LAᵀ·ΣB·LA (the same non-zero eigenvalues as ΣA^½ΣBΣA^½). With also ΣB = LB·LBᵀ,
 * LAᵀΣBLA = CᵀC for C = LBᵀ·LA, so √λᵢ = σᵢ(C): the sum of C's singular values, found by the
 * backward-stable 'bidiagonal' route of src/reference/svd.ts (|Δσᵢ| ≲ c·ε·‖Σ‖). Taking σᵢ
 * directly avoids squaring the condition number: an eigenvalue of LAᵀΣBLA near 0 is only known
 * to ±ε·‖Σ‖², so its root to ±√ε·‖Σ‖, while σᵢ is known to ±ε·‖Σ‖. Rank-deficient covariances
 * (dead ReLU features, fewer samples than dimensions) need no ridge: the pivoted factorisation
 * stops at the numerical rank, which perturbs Σ by at most ~1e-14·max diag(Σ) and so the trace by
 * ~1e-7 relative at worst (the square root is not Lipschitz at 0); features with zero variance in
 * both sets drop out exactly.
 */
export function traceSqrtProduct(sigmaA: Float64Array, sigmaB: Float64Array, d: number): number {
  const a = semidefiniteCholesky(sigmaA, d);
  const b = semidefiniteCholesky(sigmaB, d);
  const ra = a.rank;
  const rb = b.rank;
  if (ra === 0 || rb === 0) return 0;
  // C = LBᵀ·LA (rb×ra).
  const c = new Float64Array(rb * ra);
  for (let m = 0; m < d; m++) {
    for (let i = 0; i < rb; i++) {
      const x = b.l[m * rb + i];
      if (x === 0) continue;
      for (let j = 0; j < ra; j++) c[i * ra + j] += x * a.l[m * ra + j];
    }
  }
  let sum = 0;
  for (const sigma of singularValues(c, rb, ra, { method: 'bidiagonal' })) sum += sigma;
  return sum;
}

/** Fréchet distance between two Gaussians. */
export function frechetDistanceFromStats(a: GaussianStats, b: GaussianStats): number {
  const d = a.dim;
  if (b.dim !== d) throw new RangeError(`frechetDistance: dimensions ${a.dim} and ${b.dim} differ`);
  let meanTerm = 0;
  let trace = 0;
  for (let i = 0; i < d; i++) {
    const diff = a.mean[i] - b.mean[i];
    meanTerm += diff * diff;
    trace += a.cov[i * d + i] + b.cov[i * d + i];
  }
  return meanTerm + trace - 2 * traceSqrtProduct(a.cov, b.cov, d);
}

/** Fréchet distance between Gaussians fitted to two feature sets (rows of `dim` values). */
export function frechetDistance(
  featuresA: ArrayLike<number>,
  countA: number,
  featuresB: ArrayLike<number>,
  countB: number,
  dim: number,
): number {
  return frechetDistanceFromStats(featureStatistics(featuresA, countA, dim), featureStatistics(featuresB, countB, dim));
}

/** Rows `indices` of a row-major matrix with `width` columns. */
function gatherRows(values: Float32Array, width: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * width);
  for (let i = 0; i < indices.length; i++)
    out.set(values.subarray(indices[i] * width, (indices[i] + 1) * width), i * width);
  return out;
}

export interface ReferenceScores {
  /** Classifier accuracy on the held-out digits of the split (src/metrics/digit-split.ts). */
  heldOutAccuracy: number;
  heldOutCount: number;
  /** Inception-style score of the held-out real digits. */
  inceptionScoreHeldOut: number;
  /** FID between the two alternating halves of all the digits (class-balanced, disjoint). */
  fidAllHalves: { value: number; countA: number; countB: number };
  /** FID between the two alternating halves of the held-out digits (about 1,000 each). */
  fidHeldOutHalves: { value: number; countA: number; countB: number };
}

/** The real-digit reference values of the scores for a classifier and the MNIST set. */
export function referenceScores(classifier: DigitClassifier, set: MnistSet): ReferenceScores {
  const images = toPaddedImages(set);
  const { probs, features } = classifier.classify(images, set.count);
  const dim = classifier.featureDim;
  const { heldOut } = digitSplit(set.labels);
  const predicted = DigitClassifier.predictions(probs, set.count);
  let correct = 0;
  for (const i of heldOut) if (predicted[i] === set.labels[i]) correct++;
  const fid = (indices: ArrayLike<number>) => {
    const [a, b] = alternatingHalves(indices, set.labels);
    const value = frechetDistance(gatherRows(features, dim, a), a.length, gatherRows(features, dim, b), b.length, dim);
    return { value, countA: a.length, countB: b.length };
  };
  return {
    heldOutAccuracy: correct / heldOut.length,
    heldOutCount: heldOut.length,
    inceptionScoreHeldOut: inceptionScore(gatherRows(probs, DIGIT_CLASSES, heldOut), heldOut.length),
    fidAllHalves: fid(Array.from({ length: set.count }, (_, i) => i)),
    fidHeldOutHalves: fid(heldOut),
  };
}
