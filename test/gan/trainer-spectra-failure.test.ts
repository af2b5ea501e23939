/**
 * A spectrum computation that fails (the page's worker died mid-job) costs only that step's
 * spectra: training goes on, later steps get theirs, `spectraSettled` resolves (a reset awaits
 * it), and nothing is left as an unhandled rejection. On real WebGPU (Dawn), small 2-D MLP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpuBackend } from '../../src/engine/gpu-backend';
import { DEFAULT_MLP, defaultConfig } from '../../src/gan/config';
import { GanTrainer } from '../../src/gan/trainer';
import { computeInline, type SpectrumComputer } from '../../src/spectra/spectra';
import { testGpu } from '../helpers/gpu';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => void process.off('unhandledRejection', onUnhandled));

describe('a failing spectrum computer', () => {
  it('leaves a gap at the failed step only, and training and later spectra go on', async () => {
    const config = defaultConfig({
      model: { ...DEFAULT_MLP, generatorHidden: [16], discriminatorHidden: [16] },
      variants: ['sn', 'none'],
      batch: 32,
      evalSamples: 256,
      statsEvery: 1,
      spectraEvery: 2,
    });
    // The job for the second variant at step 2 fails, as a worker stopped mid-job would.
    let calls = 0;
    const failing: SpectrumComputer = (layers) =>
      ++calls === 4 ? Promise.reject(new Error('spectrum worker was stopped (test)')) : computeInline(layers);
    const trainer = new GanTrainer(new GpuBackend(await testGpu()), config, undefined, undefined, failing);
    const announced: number[] = [];
    trainer.onSpectra((batch) => announced.push(batch[0].step));
    await trainer.train(4);
    await trainer.spectraSettled();
    await new Promise((resolve) => setTimeout(resolve, 50)); // let a stray rejection surface

    expect(trainer.steps).toBe(4);
    const withSpectra = (v: 'sn' | 'none') =>
      trainer.history
        .byVariant()
        .get(v)!
        .filter((m) => m.spectra)
        .map((m) => m.step);
    expect(withSpectra('sn')).toEqual([1, 2, 4]);
    expect(withSpectra('none')).toEqual([1, 4]);
    expect(announced).toEqual([1, 2, 4]);
    expect(unhandled).toEqual([]);
    trainer.backend.destroy();
  });
});
