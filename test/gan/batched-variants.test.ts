/**
 * Variants batched into shared dispatches (issue 12): on WebGPU the trainer runs the same op of
 * every live variant as one dispatch, each variant's tensors being views into a shared buffer. A
 * batched kernel computes each member with exactly the arithmetic of that member's own kernel, so
 * a variant trained beside others must follow, bit for bit, the trajectory it follows alone; and
 * retiring one variant (which re-batches the rest) must not move the others by a single bit.
 */
import { describe, expect, it } from 'vitest';
import { countTrainingStep } from '../../bench/step-counts';
import { RANDOM_IMAGES } from '../../bench/train';
import { GpuBackend } from '../../src/engine/gpu-backend';
import { DEFAULT_CNN, DEFAULT_MLP, defaultConfig, type TrainerConfig, type VariantName } from '../../src/gan/config';
import { GanTrainer, type TrainerCheckpoint } from '../../src/gan/trainer';
import { trainerConfig, DEFAULT_SETTINGS } from '../../src/ui/state/settings';
import { KERNEL_PROFILES } from '../../src/gpu/tuning';
import { acquireNodeGpu } from '../../src/node/webgpu-node';
import { testGpu } from '../helpers/gpu';

const ALL: VariantName[] = ['sn', 'wn', 'none', 'clip', 'orthonormal', 'wgan-gp'];

/** Batch 64: D sees the real and generated batches as one joint batch; 63: as two passes. */
function smallConfig(variants: VariantName[], batch: number): TrainerConfig {
  return defaultConfig({
    model: { ...DEFAULT_MLP, generatorHidden: [33, 7], discriminatorHidden: [33, 7] },
    variants,
    batch,
    evalSamples: 127,
    statsEvery: 1,
    spectraEvery: 0,
  });
}

/** The statistics each capture reports, per variant, in step order. */
function trajectory(trainer: GanTrainer, name: VariantName): number[][] {
  return trainer.metrics
    .filter((m) => m.variant === name)
    .map((m) => [m.step, m.lossD, m.lossG, m.dReal, m.dFake, m.gradNorm, ...m.sigma]);
}

/** A variant's own tensors in a checkpoint (weights, Adam moments, ũ, counters…), by label. */
function stateOf(checkpoint: TrainerCheckpoint, name: VariantName): Map<string, number[] | number | null> {
  const entries = checkpoint.entries.filter((e) => e.label.startsWith(`${name}.`));
  return new Map(entries.map((e) => [e.label, e.values ? Array.from(e.values) : e.counter]));
}

async function trained(config: TrainerConfig, steps: number, retire?: { name: VariantName; after: number }) {
  const trainer = new GanTrainer(new GpuBackend(await testGpu()), config);
  if (retire) {
    await trainer.train(retire.after);
    trainer.retire(retire.name);
    await trainer.train(steps - retire.after);
  } else {
    await trainer.train(steps);
  }
  return { trainer, checkpoint: await trainer.checkpoint() };
}

describe('variants batched into shared dispatches', () => {
  it('each of the six variants, trained beside the others, follows its trajectory alone bit for bit', async () => {
    const steps = 5;
    const together = await trained(smallConfig(ALL, 64), steps);
    for (const name of ALL) {
      const alone = await trained(smallConfig([name], 64), steps);
      expect(trajectory(together.trainer, name), name).toEqual(trajectory(alone.trainer, name));
      expect(trajectory(together.trainer, name).length).toBe(steps);
      const state = stateOf(together.checkpoint, name);
      expect(state.size, name).toBeGreaterThan(10);
      expect(state, name).toEqual(stateOf(alone.checkpoint, name));
    }
  }, 240_000);

  // About two minutes on SwiftShader, so CI runs the kernels' member tests for conv and batch norm
  // (test/gpu/members-conv-bn.test.ts) and this runs in full with `npm run test:batched-cnn`.
  it.runIf(process.env.BATCHED_CNN === 'full')(
    'the paper CNN (width 1/8, digits-shaped data) batched follows each variant alone bit for bit',
    async () => {
      const config = (variants: VariantName[]): TrainerConfig =>
        defaultConfig({
          model: { ...DEFAULT_CNN, width: 1 / 8 },
          data: 'mnist',
          variants,
          batch: 64,
          evalSamples: 16,
          statsEvery: 1,
          spectraEvery: 0,
        });
      // One step (with statistics) of SN beside no normalization: ~25 s on SwiftShader for the pair.
      const variants: VariantName[] = ['sn', 'none'];
      const run = async (v: VariantName[]) => {
        const trainer = new GanTrainer(new GpuBackend(await testGpu()), config(v), RANDOM_IMAGES);
        await trainer.train(1);
        return { trainer, checkpoint: await trainer.checkpoint() };
      };
      const together = await run(variants);
      for (const name of variants) {
        const alone = await run([name]);
        expect(trajectory(together.trainer, name), name).toEqual(trajectory(alone.trainer, name));
        expect(stateOf(together.checkpoint, name), name).toEqual(stateOf(alone.checkpoint, name));
      }
    },
    300_000,
  );

  it('retiring a variant leaves the others bit-identical', async () => {
    const variants: VariantName[] = ['sn', 'wn', 'none'];
    const kept = await trained(smallConfig(variants, 63), 6);
    const retired = await trained(smallConfig(variants, 63), 6, { name: 'wn', after: 3 });
    for (const name of ['sn', 'none'] as const) {
      expect(trajectory(retired.trainer, name), name).toEqual(trajectory(kept.trainer, name));
      expect(stateOf(retired.checkpoint, name), name).toEqual(stateOf(kept.checkpoint, name));
    }
    // The retired variant really stopped: its last capture is at step 3.
    expect(trajectory(retired.trainer, 'wn').map((t) => t[0])).toEqual([1, 2, 3]);
  }, 120_000);

  it('batches: the page’s MLP with sn, wn and none takes at most 90 dispatches per step, under either kernel profile', async () => {
    const config = { ...trainerConfig(DEFAULT_SETTINGS), variants: ['sn', 'wn', 'none'] as VariantName[] };
    for (const profile of ['software', 'gpu'] as const) {
      const ctx = await acquireNodeGpu({ label: `batched.${profile}`, tuning: KERNEL_PROFILES[profile] });
      try {
        const counts = await countTrainingStep(ctx, config);
        // 263 before batching; 83 under the software profile when this test was written.
        expect(counts.step.dispatches, profile).toBeLessThanOrEqual(90);
        expect(counts.step.submits, profile).toBe(1);
      } finally {
        ctx.device.destroy();
      }
    }
  });
});
