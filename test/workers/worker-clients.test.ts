/**
 * The page's two worker clients over real threads (test/workers/thread-worker.ts) that fail on
 * request: after a worker throws or is stopped mid-job, the spectrum client answers the next job,
 * and the digit scorer's fresh worker is sent the same held-out digits again (its result shows it).
 */
import { describe, expect, it } from 'vitest';
import { workerDigitScorer } from '../../src/metrics/digit-score-client';
import { workerSpectrumComputer } from '../../src/spectra/worker-client';
import type { LayerWeights } from '../../src/spectra/spectra';
import { threadWorker, type ThreadWorker } from './thread-worker';

const layer = (name: string, rows: number, cols: number): LayerWeights => {
  const W = new Float32Array(rows * cols).fill(0.1);
  return { name, shape: [rows, cols], W, Wbar: W, sigmaEstimate: null };
};

describe('the spectrum worker client', () => {
  it('reports a worker that threw, and computes the next spectra on a fresh worker', async () => {
    const made: ThreadWorker[] = [];
    const spectra = workerSpectrumComputer(() => {
      made.push(threadWorker());
      return made.at(-1)!;
    });
    const failures: string[] = [];
    spectra.onFailure = (e) => failures.push(e.message);
    const first = await spectra.compute([layer('D.fc1', 4, 2)]);
    expect(first.map((s) => [s.name, s.shape])).toEqual([['D.fc1', [4, 2]]]);
    await expect(spectra.throwInWorker()).rejects.toThrow(/spectrum worker threw: .*fault injected/);
    expect(failures).toEqual([expect.stringMatching(/^spectrum worker threw: .*fault injected/)]);
    await made[0].exited;
    const next = await spectra.compute([layer('D.fc2', 3, 5), layer('D.out', 1, 3)]);
    expect(next.map((s) => s.shape)).toEqual([
      [3, 5],
      [1, 3],
    ]);
    expect(spectra.workersStarted).toBe(2);
    spectra.stop('end of test');
  });
});

describe('the digit-score worker client', () => {
  it('sends a fresh worker the same held-out digits, so scores after a failure are as before', async () => {
    const heldOut = Float32Array.from({ length: 6 }, (_, i) => i + 0.5); // Σ = 18
    const made: ThreadWorker[] = [];
    const scorer = workerDigitScorer('http://127.0.0.1/', heldOut, 3, () => {
      made.push(threadWorker());
      return made.at(-1)!;
    });
    await scorer.ready;
    const failures: string[] = [];
    scorer.onFailure = (e) => failures.push(e.message);
    const job = [{ images: new Float32Array(4), count: 1 }];
    expect(await scorer.score(job)).toEqual([{ inceptionScore: 18, fid: 3 }]);

    const held = scorer.score(job);
    scorer.stop('stopped by the test');
    await expect(held).rejects.toThrow('digit-score worker was stopped (stopped by the test)');
    await made[0].exited;
    expect(await scorer.score(job)).toEqual([{ inceptionScore: 18, fid: 3 }]);

    await expect(scorer.throwInWorker()).rejects.toThrow(/digit-score worker threw: .*fault injected/);
    expect(await scorer.score(job)).toEqual([{ inceptionScore: 18, fid: 3 }]);
    expect(scorer.workersStarted).toBe(3);
    expect(failures).toEqual([
      'digit-score worker was stopped (stopped by the test)',
      expect.stringMatching(/^digit-score worker threw: .*fault injected/),
    ]);
    // The caller's array is its own: each worker was sent a copy.
    expect(heldOut.length).toBe(6);
    scorer.stop('end of test');
  });
});
