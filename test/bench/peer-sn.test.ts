/**
 * The TF.js peer of `npm run bench -- peers` must run the same spectral normalization as ours, or
 * the comparison means nothing: checked here against the float64 twins (src/reference/), on TF.js's
 * WebGPU backend as the bench runs it. Paper, Algorithm 1: one round per D update on the raw W,
 * ũ persistent, W̄ = W/σ̃ with σ̃ = ũᵀWṽ, ∂L/∂W = (g − λũṽᵀ)/σ̃ (λ = ⟨g, W̄⟩), and the G update
 * does not advance ũ.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { denseLayer, effectiveWeight, powerRound, sigmaOf, TfjsGan } from '../../bench/peers/tfjs-gan';
import { Rng } from '../../src/core/random';
import { dataset2d } from '../../src/data/mixtures';
import { initMlp } from '../../src/nn/init';
import { nodeGpu } from '../../src/node/webgpu-node';
import {
  spectralNormApply,
  spectralNormBackward,
  spectralNormInitialVectors,
  spectralNormPowerIteration,
} from '../../src/reference/spectral-norm';
import { spectralNorm } from '../../src/reference/svd';
import { weightNormForward } from '../../src/reference/weight-norm';

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(atol);
};

const D_OUT = 5;
const D_IN = 3;
const SEED = 7;

beforeAll(async () => {
  const g = globalThis as { navigator?: object };
  g.navigator ??= {};
  Object.defineProperty(g.navigator, 'gpu', { value: await nodeGpu(), configurable: true });
  // The backend registers itself on import only if navigator.gpu exists by then.
  await import('@tensorflow/tfjs-backend-webgpu');
  expect(await tf.setBackend('webgpu')).toBe(true);
});

describe('TF.js peer: spectral normalization as in the paper', () => {
  const rng = new Rng(3);
  const w = rng.uniformArray(D_OUT * D_IN, -1, 1);
  const init = spectralNormInitialVectors(D_OUT, D_IN, SEED);

  it('runs one power round per call on the raw W, keeping ũ and ṽ, and σ̃ = ũᵀWṽ', async () => {
    const layer = denseLayer(w, new Float32Array(D_OUT), D_OUT, D_IN, SEED);
    for (let rounds = 1; rounds <= 3; rounds++) {
      powerRound(layer);
      const ref = spectralNormPowerIteration(w, init.u, init.v, D_OUT, D_IN, rounds);
      close(await layer.u!.data(), ref.u, 1e-5);
      close(await layer.v!.data(), ref.v, 1e-5);
      expect(Math.abs((await sigmaOf(layer).data())[0] - ref.sigma)).toBeLessThan(1e-5);
    }
    // ũ persists, so the estimate converges to σ₁(W) over updates.
    for (let i = 0; i < 100; i++) powerRound(layer);
    expect(Math.abs((await sigmaOf(layer).data())[0] - spectralNorm(w, D_OUT, D_IN))).toBeLessThan(1e-4);
  });

  it('uses W̄ = W/σ̃ and gives ∂L/∂W = (g − λũṽᵀ)/σ̃', async () => {
    const layer = denseLayer(w, new Float32Array(D_OUT), D_OUT, D_IN, SEED);
    powerRound(layer);
    const ref = spectralNormPowerIteration(w, init.u, init.v, D_OUT, D_IN, 1);
    const wBar = spectralNormApply(w, ref.sigma);
    close(await effectiveWeight('sn', layer).data(), wBar, 1e-5);
    const g = new Rng(4).uniformArray(D_OUT * D_IN, -1, 1);
    const gTensor = tf.tensor2d(g, [D_OUT, D_IN]);
    const loss = (wRaw: tf.Tensor) =>
      tf.sum(tf.mul(gTensor, effectiveWeight('sn', { ...layer, w: wRaw as tf.Variable })));
    const grad = tf.grad(loss)(layer.w);
    close(await grad.data(), spectralNormBackward(g, wBar, ref.u, ref.v, ref.sigma, D_OUT, D_IN), 1e-5);
  });

  it('normalizes each row to unit length for WN (gain 1)', async () => {
    const layer = denseLayer(w, new Float32Array(D_OUT), D_OUT, D_IN);
    close(await effectiveWeight('wn', layer).data(), weightNormForward(w, D_OUT, D_IN).wBar, 1e-6);
  });

  it('advances ũ once per training step (the D update), not again in the G update', async () => {
    const data = dataset2d('ring8');
    const spec = {
      noiseDim: 2,
      generatorHidden: [8],
      discriminatorHidden: [8, 8],
      batch: 16,
      lr: 2e-4,
      beta1: 0.5,
      beta2: 0.999,
      slope: 0.1,
      anchors: Float32Array.from(data.anchors),
      std: data.std,
      seed: 1,
    };
    const gan = new TfjsGan('sn', spec);
    gan.step();
    // Expected: one round from the initial ũ, ṽ on the initial W (before D's Adam update).
    const sizes = [2, 8, 8, 1];
    const initial = initMlp(spec.seed * 2 + 2, sizes);
    for (let i = 0; i < initial.length; i++) {
      const [dOut, dIn] = [sizes[i + 1], sizes[i]];
      const start = spectralNormInitialVectors(dOut, dIn, spec.seed * 1000 + i);
      const ref = spectralNormPowerIteration(initial[i].w, start.u, start.v, dOut, dIn, 1);
      close(await gan.d[i].u!.data(), ref.u, 1e-5);
    }
    gan.dispose();
  });
});
