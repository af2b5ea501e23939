// Every "look for" line of the lesson is a claim about what a run shows. Each is checked here on
// the scene's own settings (the page's trainer configuration of that scene), on the CPU backend
// (float64, deterministic), over five seeds — the scene opens with seed 1, and a claim that held
// for one lucky seed would mislead a class. The frequencies the lines state are the ones asserted.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu-backend';
import { GanTrainer } from '../../src/gan/trainer';
import type { TrainerConfig } from '../../src/gan/config';
import { SCENES } from '../../src/lesson/scenes';
import { singularValues } from '../../src/reference/svd';
import { parseLocation } from '../../src/ui/lesson/lesson-url';
import { trainerConfig } from '../../src/ui/state/settings';

const SEEDS = [1, 2, 3, 4, 5];

/**
 * The trainer configuration the page builds for a scene (by slug) opened with another seed and,
 * optionally, the scene's toggle query on top — the same path a link or the toggle takes.
 */
function sceneConfig(slug: string, seed: number, extra = ''): TrainerConfig {
  const n = SCENES.findIndex((s) => s.slug === slug) + 1;
  const { settings, notices } = parseLocation(`?lesson=${n}&seed=${seed}${extra ? `&${extra}` : ''}`);
  expect(notices).toEqual([]);
  return trainerConfig(settings);
}

const lookFor = (slug: string): string[] => SCENES.find((s) => s.slug === slug)!.lookFor;

/** (σ₁(W) − σ̃)/σ₁(W) of every SN layer after the current step, from the trainer's own state. */
async function estimateGaps(trainer: GanTrainer): Promise<number[]> {
  const layers = await trainer.snapshot('sn');
  return layers.map((l) => {
    const exact = singularValues(l.W, l.shape[0], l.shape[1])[0];
    return (exact - l.sigmaEstimate!) / exact;
  });
}

describe('scene 3: the power iteration', () => {
  it('has look-for lines that these checks confirm', () => {
    expect(lookFor('power-iteration')).toHaveLength(3);
  });

  // One test per seed: together they are the "5 of 5".
  for (const seed of SEEDS) {
    it(
      `seed ${seed}: σ̃ ≤ σ₁(W) at every step; a cold ũ starts a fifth or more low and is within 5% by step 10; the 64 × 64 layer then lags by 10% or more`,
      { timeout: 600_000 },
      async () => {
        const config = sceneConfig('power-iteration', seed);
        expect(config.snWarmup).toBe(0);
        expect(config.snRounds).toBe(1);
        const trainer = new GanTrainer(new CpuBackend(), { ...config, spectraEvery: 0, statsEvery: 1000 });
        const gaps: number[][] = [];
        for (let step = 1; step <= 200; step++) {
          await trainer.train(1);
          gaps.push(await estimateGaps(trainer));
        }
        const hidden = 1; // the 64 × 64 layer
        // σ̃ = ũᵀWṽ with unit vectors never exceeds σ₁(W) (float32 rounding aside).
        for (const g of gaps) for (const gap of g) expect(gap, `seed ${seed}`).toBeGreaterThan(-1e-6);
        // The first estimate from a random ũ is far too low in the hidden layer…
        expect(gaps[0][hidden], `seed ${seed}`).toBeGreaterThan(0.2);
        // …and every layer is within 5% by step 10.
        for (let l = 0; l < gaps[0].length; l++) {
          const first = gaps.findIndex((g) => Math.abs(g[l]) <= 0.05) + 1;
          expect(first, `seed ${seed}, layer ${l}`).toBeGreaterThan(0);
          expect(first, `seed ${seed}, layer ${l}`).toBeLessThanOrEqual(10);
        }
        // While D learns fast, one round per update falls behind in the crowded hidden layer.
        const later = Math.max(...gaps.slice(49, 200).map((g) => g[hidden]));
        expect(later, `seed ${seed}`).toBeGreaterThanOrEqual(0.1);
      },
    );
  }

  it(`with 15 warm-up rounds the first estimate is within 1% in every layer (${SEEDS.length} of ${SEEDS.length} seeds)`, async () => {
    const toggle = SCENES.find((s) => s.slug === 'power-iteration')!.toggle!;
    for (const seed of SEEDS) {
      const config = sceneConfig('power-iteration', seed, toggle.on);
      expect(config.snWarmup).toBe(15);
      const trainer = new GanTrainer(new CpuBackend(), { ...config, spectraEvery: 0, statsEvery: 1000 });
      await trainer.train(1);
      for (const gap of await estimateGaps(trainer)) {
        expect(gap, `seed ${seed}`).toBeGreaterThan(-1e-6);
        expect(gap, `seed ${seed}`).toBeLessThan(0.01);
      }
    }
  });
});
