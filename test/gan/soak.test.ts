/**
 * Soak, short form (issue 14): all six variants on 2-D data train a few hundred steps on Dawn.
 * After the warm-up (the first statistics and spectrum read-backs have put their staging buffers
 * in the pool) the GPU registry's buffers and bytes stay identical, the heap after a full GC stays
 * within a margin, the history stays within its bound, and every variant that did not diverge
 * reports finite numbers. The full form (20,000 steps, figures printed) is `npm run soak`.
 */
import { describe, expect, it } from 'vitest';
import { GpuBackend } from '../../src/engine/gpu-backend';
import { DEFAULT_MLP, defaultConfig, VARIANT_NAMES } from '../../src/gan/config';
import { GanTrainer } from '../../src/gan/trainer';
import { soak, soakVerdict } from '../../tools/soak/node-soak';
import { testGpu } from '../helpers/gpu';

const STEPS = 300;
const SAMPLE_EVERY = 50;
/** By step 50 the trainer has read statistics (every 10) and spectra (at step 1): pool complete. */
const WARMUP_STEP = 50;
/**
 * Heap margin over the 250 steps after the warm-up. Expected growth: the history gains 25
 * captures × 6 variants, well under 0.2 MB; V8's heap after GC moved by ±0.1 MB between equal
 * readings. Keeping each capture's read-backs (a 48² field, 256 samples and 128 arrows per
 * variant, ~12 KB) would add ~1.8 MB (2.0 MB measured with that mutation): 1 MB is between.
 */
const HEAP_MARGIN = 1 << 20;

describe('soak (short form)', () => {
  // 52 s on a loaded 2-core machine; past the default 120 s when four test processes shared it.
  it(
    'keeps GPU buffers identical, the heap flat and the history bounded over 300 steps of six variants',
    { timeout: 300_000 },
    async () => {
      const trainer = new GanTrainer(
        new GpuBackend(await testGpu()),
        defaultConfig({
          model: { ...DEFAULT_MLP, generatorHidden: [16, 16], discriminatorHidden: [16, 16] },
          variants: [...VARIANT_NAMES],
          batch: 64,
          statsEvery: 10,
          evalSamples: 256,
        }),
      );
      const samples = await soak(trainer, { steps: STEPS, sampleEvery: SAMPLE_EVERY });
      expect(samples.map((s) => s.step)).toEqual([0, 50, 100, 150, 200, 250, 300]);
      const verdict = soakVerdict(trainer, samples, WARMUP_STEP, HEAP_MARGIN);
      expect(verdict.problems).toEqual([]);
      // The history really grew with the run (one capture per 10 steps, plus step 1), per variant.
      expect(samples.at(-1)!.history).toBe(STEPS / 10 + 1);
      expect(trainer.history.byVariant().size).toBe(VARIANT_NAMES.length);
      // Something was allocated beyond the model itself: the warm-up really happened.
      expect(samples[1].buffers).toBeGreaterThan(samples[0].buffers);
    },
  );
});
