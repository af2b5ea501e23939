/**
 * Exact singular-value spectra of discriminator layers, and the series the charts need:
 * (a) σᵢ²/σ₁² of W̄ sorted (the paper's Fig. 3), (b) σᵢ of W̄ (log-scale plots), (c) σ̃ against the
 * exact σ₁ of the raw W, (d) σ₁(W̄) (Fig. 9), (e) Σσ²(W̄) against d_out (WN's invariant), (f) the
 * stable rank Σσ²/σ₁². Singular values come from the float64 reference SVD (src/reference/svd.ts),
 * run off the training path: in a Web Worker on the page, after the readback in Node.
 */
import { singularValues } from '../reference/svd';

/** One layer's weights as the spectrum needs them: the d_out × d_in_flat matrices W and W̄. */
export interface LayerWeights {
  name: string;
  shape: [number, number];
  W: ArrayLike<number>;
  Wbar: ArrayLike<number>;
  /** σ̃ from the power iteration (SN only). */
  sigmaEstimate: number | null;
}

export interface LayerSpectrum {
  name: string;
  shape: [number, number];
  /** All singular values of W̄, descending. */
  singularValues: number[];
  /** All singular values of the raw W, descending. */
  singularValuesRaw: number[];
  /** (a) σᵢ(W̄)² / σ₁(W̄)², descending. */
  normalizedSquared: number[];
  /** (c) σ̃ and the exact σ₁(W) it estimates. */
  sigmaEstimate: number | null;
  sigma1Raw: number;
  /** (d) σ₁(W̄). */
  sigma1: number;
  /** (e) Σσᵢ(W̄)² and d_out (equal for weight normalization). */
  sumSquares: number;
  dOut: number;
  /** (f) Σσᵢ(W̄)² / σ₁(W̄)². */
  stableRank: number;
}

export function layerSpectrum(layer: LayerWeights): LayerSpectrum {
  const [rows, cols] = layer.shape;
  const sv = Array.from(singularValues(layer.Wbar, rows, cols));
  const raw = layer.W === layer.Wbar ? sv : Array.from(singularValues(layer.W, rows, cols));
  const sigma1 = sv[0] ?? 0;
  const sumSquares = sv.reduce((a, s) => a + s * s, 0);
  return {
    name: layer.name,
    shape: layer.shape,
    singularValues: sv,
    singularValuesRaw: raw,
    normalizedSquared: sv.map((s) => (sigma1 > 0 ? (s * s) / (sigma1 * sigma1) : NaN)),
    sigmaEstimate: layer.sigmaEstimate,
    sigma1Raw: raw[0] ?? 0,
    sigma1,
    sumSquares,
    dOut: rows,
    stableRank: sigma1 > 0 ? sumSquares / (sigma1 * sigma1) : NaN,
  };
}

/** Computes spectra of many layers; the page runs it in a worker, Node inline. */
export type SpectrumComputer = (layers: LayerWeights[]) => Promise<LayerSpectrum[]>;

export const computeInline: SpectrumComputer = async (layers) => layers.map(layerSpectrum);
