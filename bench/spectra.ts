/**
 * Time to compute every spectrum of every D layer (W̄ and the raw W) of the paper-width CNN and
 * of the 2-D MLP — the work a spectrum step hands to the worker, per variant. For comparison, the
 * GPU's share of the alternative (the d_out × d_out Gram matrix W·Wᵀ with our matmul, in float32).
 */
import { prepareMatmul } from '../src/gpu/kernels/matmul';
import { GpuTimer } from '../src/gpu/timing';
import { Rng } from '../src/reference/random';
import { layerSpectrum } from '../src/spectra/spectra';
import type { BenchEnv, BenchReport } from './main';

const MODELS: Record<string, Array<[number, number]>> = {
  'paper CNN, width 1 (3 channels)': [
    [64, 27],
    [64, 1024],
    [128, 576],
    [128, 2048],
    [256, 1152],
    [256, 4096],
    [512, 2304],
    [1, 8192],
  ],
  '2-D MLP (default)': [
    [64, 2],
    [64, 64],
    [1, 64],
  ],
};

export async function benchSpectra(env: BenchEnv): Promise<BenchReport> {
  const rng = new Rng(7);
  const rows: BenchReport['rows'] = [];
  const timer = new GpuTimer(env.ctx);
  for (const [model, shapes] of Object.entries(MODELS)) {
    let cpuTotal = 0;
    let gramTotal = 0;
    for (const [dOut, dIn] of shapes) {
      const W = rng.normalArray(dOut * dIn, 0.05);
      const Wbar = W.map((x) => x / 3);
      const start = performance.now();
      layerSpectrum({ name: 'bench', shape: [dOut, dIn], W, Wbar, sigmaEstimate: 3 });
      const cpuMs = performance.now() - start;
      cpuTotal += cpuMs;
      const w = env.ctx.buffers.storage('bench.w', W.length, W);
      const gram = env.ctx.buffers.storage('bench.gram', dOut * dOut);
      const kernel = prepareMatmul(env.ctx, { a: w, b: w, c: gram, m: dOut, n: dOut, k: dIn, transB: true });
      await timer.time((pass) => kernel.encode(pass));
      const gpuMs = (await timer.time((pass) => kernel.encode(pass))) ?? NaN;
      gramTotal += 2 * gpuMs;
      env.ctx.buffers.destroy(w);
      env.ctx.buffers.destroy(gram);
      rows.push({ model, layer: `${dOut}×${dIn}`, 'cpu ms (W̄ and W)': cpuMs, 'gpu Gram ms (×2)': 2 * gpuMs });
    }
    rows.push({ model, layer: 'all layers', 'cpu ms (W̄ and W)': cpuTotal, 'gpu Gram ms (×2)': gramTotal });
  }
  timer.destroy();
  return {
    title: 'Exact spectra of all D layers, one variant',
    columns: ['model', 'layer', 'cpu ms (W̄ and W)', 'gpu Gram ms (×2)'],
    rows,
    notes: [
      'cpu: the float64 reference SVD (Gram + Householder tridiagonalization + implicit QL) on one thread, as the worker runs it',
      'gpu Gram: only the W·Wᵀ products of the GPU alternative (float32; the eigenvalues would still be computed on the CPU)',
    ],
  };
}
