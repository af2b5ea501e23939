import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu-backend';
import { DEFAULT_CNN, defaultConfig } from '../../src/gan/config';
import { GanTrainer } from '../../src/gan/trainer';
import { initPaperCnn, PaperCnn, paperCnnWidths } from '../../src/nn/paper-cnn';
import { Rng } from '../../src/reference/random';
import { singularValues } from '../../src/reference/svd';
import { layerSpectrum } from '../../src/spectra/spectra';
import { oracleSingularValues } from '../helpers/svd-oracle';

/** Every D layer of the paper CNN at width 1 as d_out × d_in·kh·kw, and of the default MLP. */
const PAPER_D_SHAPES: Array<[number, number]> = [
  [64, 3 * 9],
  [64, 64 * 16],
  [128, 64 * 9],
  [128, 128 * 16],
  [256, 128 * 9],
  [256, 256 * 16],
  [512, 256 * 9],
  [1, 512 * 4 * 4],
];
const MLP_D_SHAPES: Array<[number, number]> = [
  [64, 2],
  [64, 64],
  [1, 64],
];

/** The acceptance bounds: top 10 within 1e-4 relative, all within 1e-3·σ₁ of the oracle. */
function expectMatchesOracle(label: string, values: number[], w: ArrayLike<number>, rows: number, cols: number): void {
  const oracle = oracleSingularValues(w, rows, cols);
  expect(values.length, `${label}: count`).toBe(Math.min(rows, cols));
  const sigma1 = oracle[0];
  values.forEach((s, i) => {
    expect(Math.abs(s - oracle[i]), `${label}: σ${i + 1}`).toBeLessThanOrEqual(
      i < 10 ? 1e-4 * oracle[i] + 1e-12 : 1e-3 * sigma1,
    );
  });
}

/** `count` orthonormal rows of length n (modified Gram–Schmidt, twice for safety). */
function orthonormalRows(rng: Rng, count: number, n: number): Float64Array {
  const q = Float64Array.from(rng.normalArray(count * n));
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < count; i++) {
      const row = q.subarray(i * n, (i + 1) * n);
      for (let k = 0; k < i; k++) {
        const other = q.subarray(k * n, (k + 1) * n);
        let dot = 0;
        for (let j = 0; j < n; j++) dot += row[j] * other[j];
        for (let j = 0; j < n; j++) row[j] -= dot * other[j];
      }
      const norm = Math.hypot(...row);
      for (let j = 0; j < n; j++) row[j] /= norm;
    }
  }
  return q;
}

describe('exact layer spectra', () => {
  it('match ml-matrix’s SVD for every D layer shape of the paper CNN (width 1) and the MLP, random weights', () => {
    const rng = new Rng(51);
    for (const [rows, cols] of [...PAPER_D_SHAPES, ...MLP_D_SHAPES]) {
      // ml-matrix's SVD takes minutes on the two largest shapes: they get a known spectrum instead.
      if (rows * rows * cols > 256 * 256 * 1152) continue;
      const W = rng.normalArray(rows * cols, 0.05);
      const sigmaTilde = 3;
      const Wbar = W.map((x) => x / sigmaTilde);
      const s = layerSpectrum({ name: `${rows}x${cols}`, shape: [rows, cols], W, Wbar, sigmaEstimate: sigmaTilde });
      expectMatchesOracle(`W̄ ${rows}×${cols}`, s.singularValues, Wbar, rows, cols);
      expectMatchesOracle(`W ${rows}×${cols}`, s.singularValuesRaw, W, rows, cols);
      expect(s.sigma1 * sigmaTilde).toBeCloseTo(s.sigma1Raw, 6);
      expect(s.normalizedSquared[0]).toBe(1);
      expect(s.stableRank).toBeCloseTo(s.sumSquares / s.sigma1 ** 2, 10);
    }
  }, 300_000);

  it('recover a known spectrum on the two largest paper-CNN shapes (256 × 4096, 512 × 2304)', () => {
    const rng = new Rng(52);
    for (const [rows, cols] of [
      [256, 4096],
      [512, 2304],
    ]) {
      // W = U·diag(σ)·Vᵀ with orthonormal U (rows × rows) and V (cols × rows), σ decaying over 4 decades.
      const sigma = Array.from({ length: rows }, (_, i) => 2 * 10 ** (-4 * (i / (rows - 1))));
      const U = orthonormalRows(rng, rows, rows);
      const Vt = orthonormalRows(rng, rows, cols);
      const W = new Float64Array(rows * cols);
      for (let i = 0; i < rows; i++) {
        for (let k = 0; k < rows; k++) {
          const f = U[i * rows + k] * sigma[k];
          for (let j = 0; j < cols; j++) W[i * cols + j] += f * Vt[k * cols + j];
        }
      }
      const s = layerSpectrum({ name: 'known', shape: [rows, cols], W, Wbar: W, sigmaEstimate: null });
      s.singularValues.forEach((value, i) => {
        expect(Math.abs(value - sigma[i]), `σ${i + 1} of ${rows}×${cols}`).toBeLessThanOrEqual(
          i < 10 ? 1e-4 * sigma[i] : 1e-3 * sigma[0],
        );
      });
    }
  }, 300_000);

  it('match ml-matrix on trained weights, and the trainer records the series after step 1 and every spectraEvery steps', async () => {
    const config = defaultConfig({ variants: ['sn', 'wn'], statsEvery: 25, spectraEvery: 50 });
    const trainer = new GanTrainer(new CpuBackend(), config);
    await trainer.train(100);
    await trainer.spectraSettled();
    const withSpectra = trainer.metrics.filter((m) => m.spectra);
    expect(withSpectra.map((m) => `${m.step}:${m.variant}`)).toEqual([
      '1:sn',
      '1:wn',
      '50:sn',
      '50:wn',
      '100:sn',
      '100:wn',
    ]);
    for (const v of config.variants) {
      const final = withSpectra.filter((m) => m.variant === v).at(-1)!.spectra!;
      const snapshot = await trainer.snapshot(v);
      snapshot.forEach((layer, i) => {
        const [rows, cols] = layer.shape;
        expectMatchesOracle(`${v} trained W̄ ${layer.name}`, final[i].singularValues, layer.Wbar, rows, cols);
        expectMatchesOracle(`${v} trained W ${layer.name}`, final[i].singularValuesRaw, layer.W, rows, cols);
        if (v === 'wn') expect(final[i].sumSquares / final[i].dOut).toBeCloseTo(1, 4);
        if (v === 'sn') expect(final[i].sigmaEstimate).toBeCloseTo(layer.sigmaEstimate!, 6);
      });
    }
  }, 120_000);

  it('trained weights of the paper-width CNN: every layer against ml-matrix or, for the two largest, the independent Householder SVD', async () => {
    // Two Adam steps of SN at width 1 on 32×32×3 images (synthetic pixels: only the weights matter).
    const rng = new Rng(53);
    const images = { images: rng.uniformArray(8 * 3072, -1, 1), count: 8, size: 3072 };
    const config = defaultConfig({
      model: { ...DEFAULT_CNN, width: 1, channels: 3 },
      data: 'mnist',
      variants: ['sn'],
      batch: 2,
      evalSamples: 2,
      statsEvery: 2,
      spectraEvery: 2,
    });
    const trainer = new GanTrainer(new CpuBackend(), config, images);
    await trainer.train(2);
    await trainer.spectraSettled();
    const spectra = trainer.metrics.find((m) => m.step === 2)!.spectra!;
    const snapshot = await trainer.snapshot('sn');
    expect(snapshot.map((l) => l.shape)).toEqual(PAPER_D_SHAPES);
    snapshot.forEach((layer, i) => {
      const [rows, cols] = layer.shape;
      if (rows * rows * cols <= 256 * 256 * 1152) {
        expectMatchesOracle(`trained CNN W̄ ${layer.name}`, spectra[i].singularValues, layer.Wbar, rows, cols);
        return;
      }
      const householder = singularValues(layer.Wbar, rows, cols, { method: 'bidiagonal' });
      spectra[i].singularValues.forEach((value, k) => {
        const bound = k < 10 ? 1e-4 * householder[k] : 1e-3 * householder[0];
        expect(Math.abs(value - householder[k]), `trained CNN ${layer.name} σ${k + 1}`).toBeLessThanOrEqual(bound);
      });
    });
  }, 600_000);

  it('the shapes above are the paper CNN’s D layers (the model itself checked at width 1/8)', () => {
    const shapesAt = (width: number, channels: number): Array<[number, number]> => {
      const { d } = paperCnnWidths({ size: 32, channels, width, noiseDim: 128, slope: 0.1 });
      const kernels = [3, 4, 3, 4, 3, 4, 3];
      const convs = d.map((out, i): [number, number] => [out, (i === 0 ? channels : d[i - 1]) * kernels[i] ** 2]);
      return [...convs, [1, d[6] * 4 * 4]];
    };
    expect(shapesAt(1, 3)).toEqual(PAPER_D_SHAPES);
    const small = new PaperCnn(
      new CpuBackend(),
      'shapes',
      { ...DEFAULT_CNN, size: 32, width: 1 / 8 },
      initPaperCnn({ ...DEFAULT_CNN, size: 32, width: 1 / 8 }, 1),
    );
    expect(small.normalizable.map((l) => [l.dOut, l.dIn])).toEqual(shapesAt(1 / 8, 1));
  });
});
