/**
 * The page's frame loop with the CPU backend in a worker (over a MessageChannel here): like on the
 * GPU, a frame sends no new steps while the worker still runs the previous frame's, so the queue
 * of steps never grows behind a slow CPU, and sends again once the worker has caught up.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu-backend';
import { DEFAULT_MLP, defaultConfig } from '../../src/gan/config';
import { GanTrainer } from '../../src/gan/trainer';
import { FrameLoop } from '../../src/ui/session/frame-loop';
import type { Run } from '../../src/ui/session/run';
import { channelBackend } from '../helpers/channel-backend';

describe('the frame loop with the CPU backend in a worker', () => {
  it("waits for the worker to run a frame's steps before sending more", async () => {
    const backend = channelBackend();
    const config = defaultConfig({
      model: { ...DEFAULT_MLP, generatorHidden: [16], discriminatorHidden: [16] },
      variants: ['sn'],
      batch: 16,
      evalSamples: 64,
      spectraEvery: 0,
    });
    const trainer = new GanTrainer(backend, config);
    const run: Run = { config, backend, trainer, scorer: null };
    const loop = new FrameLoop(
      () => false,
      () => false,
    );
    const errors: Error[] = [];
    loop.submitSteps(run, 5, (e) => errors.push(e));
    expect(trainer.steps).toBe(5);
    // The next frames come while the worker is still busy: nothing more is sent.
    loop.submitSteps(run, 5, (e) => errors.push(e));
    loop.submitSteps(run, 5, (e) => errors.push(e));
    expect(trainer.steps).toBe(5);
    await backend.idle();
    await new Promise((resolve) => setTimeout(resolve, 0));
    loop.submitSteps(run, 5, (e) => errors.push(e));
    expect(trainer.steps).toBe(10);
    // What was sent was run, once each: the state is that of 10 steps on the calling thread.
    const local = new GanTrainer(new CpuBackend(), config);
    await local.train(10);
    expect(await trainer.checkpoint()).toEqual(await local.checkpoint());
    expect(errors).toEqual([]);
  });
});
