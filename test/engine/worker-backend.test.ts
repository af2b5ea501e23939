/**
 * The CPU backend off the main thread, driven over a real MessageChannel (structured clone and
 * transfers as between the page and its worker; the browser's own Worker is in
 * test/e2e/cpu-worker.test.ts): a trainer on it must compute exactly what a trainer on a CpuBackend
 * computes, and a failure in the worker must reach the caller with its reason.
 */
import { describe, expect, it } from 'vitest';
import { hostCpuBackend } from '../../src/engine/cpu-backend-host';
import { CpuBackend } from '../../src/engine/cpu-backend';
import type { FromWorker } from '../../src/engine/worker-protocol';
import { DEFAULT_MLP, defaultConfig, SETTINGS, type TrainerConfig } from '../../src/gan/config';
import { GanTrainer } from '../../src/gan/trainer';
import { channelBackend } from '../helpers/channel-backend';

/** Every variant (so every kind of op crosses the channel), small enough for a few quick steps. */
const CONFIG: TrainerConfig = defaultConfig({
  model: { ...DEFAULT_MLP, generatorHidden: [16, 16], discriminatorHidden: [16, 16] },
  variants: ['sn', 'wn', 'none', 'clip', 'orthonormal', 'wgan-gp'],
  batch: 32,
  evalSamples: 256,
  statsEvery: 2,
  spectraEvery: 4,
  adam: SETTINGS.B,
});

/** What a run computed: every capture, the latest pictures, and every tensor's contents. */
async function outcome(trainer: GanTrainer) {
  await trainer.spectraSettled();
  const checkpoint = await trainer.checkpoint();
  return {
    metrics: trainer.metrics.map((m) => ({ ...m })),
    status: [...trainer.status.values()].map((s) => ({ ...s })),
    checkpoint,
  };
}

describe('the CPU backend in a worker', () => {
  it('trains bit-identically to the CPU backend on the calling thread', async () => {
    const local = new GanTrainer(new CpuBackend(), CONFIG);
    const remote = new GanTrainer(channelBackend(), CONFIG);
    await remote.backend.ready();
    for (const trainer of [local, remote]) {
      await trainer.train(3);
      // The page's single steps and its variant toggle go through the same calls.
      await trainer.step({ phase: 'D', capture: true });
      await trainer.step({ phase: 'G' });
      trainer.retire('clip');
      await trainer.train(1);
    }
    const expected = await outcome(local);
    const got = await outcome(remote);
    expect(got.metrics.length).toBe(expected.metrics.length);
    expect(got.metrics.some((m) => m.spectra && m.spectra.length > 0)).toBe(true);
    expect(got.checkpoint.step).toBe(6);
    expect(got).toEqual(expected);
    expect(await remote.snapshot('sn')).toEqual(await local.snapshot('sn'));
  }, 60_000);

  it('resumes a checkpoint taken on the calling thread and continues bit-identically', async () => {
    const local = new GanTrainer(new CpuBackend(), CONFIG);
    await local.train(2);
    const checkpoint = await local.checkpoint();
    const remote = new GanTrainer(channelBackend(), CONFIG);
    remote.restore(checkpoint);
    await local.train(2);
    await remote.train(2);
    const [expected, got] = [await outcome(local), await outcome(remote)];
    expect(got.checkpoint).toEqual(expected.checkpoint);
    expect(got.metrics.at(-1)).toEqual(expected.metrics.at(-1));
  }, 60_000);

  it('reports a failure in the worker with its reason, once, and refuses later calls', async () => {
    const backend = channelBackend();
    const failures: string[] = [];
    backend.onFailure((e) => failures.push(e.message));
    const ok = backend.tensor('ok', 3, [1, 2, 3]);
    expect(Array.from(await backend.read(ok))).toEqual([1, 2, 3]);
    backend.tensor('bad', -1);
    await expect(backend.idle()).rejects.toThrow(/worker failed: .*-1/);
    await expect(backend.read(ok)).rejects.toThrow(/worker failed: .*-1/);
    expect(failures).toHaveLength(1);
  });

  it('refuses a message that names an op it never prepared', async () => {
    const replies: FromWorker[] = [];
    const handle = hostCpuBackend((m) => replies.push(m));
    handle({ type: 'tensor', id: 0, label: 'x', size: 2, counter: false });
    handle({ type: 'run', reply: 0, ops: Uint32Array.of(7), capture: Uint32Array.of(0) });
    handle({ type: 'idle', reply: 1 });
    expect(replies).toEqual([
      { type: 'ready' },
      { type: 'failed', reply: 0, message: 'unknown op #7 (0 made)' },
      { type: 'failed', reply: 1, message: 'unknown op #7 (0 made)' },
    ]);
  });

  it('rejects a tensor of another backend at once, naming it', () => {
    const backend = channelBackend();
    const foreign = new CpuBackend().tensor('elsewhere.w', 4);
    expect(() => backend.write(foreign, [1])).toThrow('tensor elsewhere.w belongs to another backend');
  });
});
