// The claims of scenes 4 and 6 about the spectrum of D's 64 × 64 hidden layer, checked on each
// scene's own settings over five seeds on the CPU backend (see claims.test.ts). Variants of a run
// read the same shared draws and never interact, so a claim about some of them trains only those.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu-backend';
import { GanTrainer } from '../../src/gan/trainer';
import type { VariantName } from '../../src/gan/config';
import { SCENES } from '../../src/lesson/scenes';
import { singularValues } from '../../src/reference/svd';
import { parseLocation } from '../../src/ui/lesson/lesson-url';
import { trainerConfig } from '../../src/ui/state/settings';

const SEEDS = [1, 2, 3, 4, 5];
const HIDDEN = 1;

/** Stable rank Σσᵢ²/σ₁² and Σσᵢ² of W̄ of the hidden layer, per variant, after `steps` steps. */
async function hiddenSpectra(
  slug: string,
  seed: number,
  variants: VariantName[],
  steps: number,
): Promise<Map<VariantName, { stableRank: number; sumSquares: number }>> {
  const n = SCENES.findIndex((s) => s.slug === slug) + 1;
  const { settings, notices } = parseLocation(`?lesson=${n}&seed=${seed}`);
  expect(notices).toEqual([]);
  for (const v of variants) expect(settings.variants).toContain(v);
  const config = { ...trainerConfig({ ...settings, variants }), spectraEvery: 0, statsEvery: 1000 };
  const trainer = new GanTrainer(new CpuBackend(), config);
  await trainer.train(steps);
  const out = new Map<VariantName, { stableRank: number; sumSquares: number }>();
  for (const v of variants) {
    const layer = (await trainer.snapshot(v))[HIDDEN];
    expect(layer.shape).toEqual([64, 64]);
    const s = singularValues(layer.Wbar, 64, 64);
    const sumSquares = s.reduce((sum, x) => sum + x * x, 0);
    out.set(v, { stableRank: sumSquares / (s[0] * s[0]), sumSquares });
  }
  return out;
}

const lookFor = (slug: string): string[] => SCENES.find((s) => s.slug === slug)!.lookFor;

describe('scene 4: what each normalization does to the spectrum (ring of 8, setting C)', () => {
  for (const seed of SEEDS) {
    it(
      `seed ${seed}: after 1,000 steps SN's W̄ has the highest stable rank, WN's Σσ² = 64 exactly`,
      { timeout: 1_200_000 },
      async () => {
        const spectra = await hiddenSpectra('spectra', seed, ['sn', 'wn', 'clip'], 1000);
        const rank = (v: VariantName) => spectra.get(v)!.stableRank;
        console.log(
          `seed ${seed}: stable rank sn ${rank('sn').toFixed(1)}, wn ${rank('wn').toFixed(1)}, clip ${rank('clip').toFixed(1)}`,
        );
        expect(rank('sn')).toBeGreaterThan(rank('wn'));
        expect(rank('sn')).toBeGreaterThan(rank('clip'));
        expect(spectra.get('wn')!.sumSquares).toBeCloseTo(64, 3);
      },
    );
  }
  it('says so in its look-for line', () => {
    expect(lookFor('spectra').join(' ')).toContain('5 of 5');
  });
});

describe('scene 6: other ways to tame D (grid of 25, setting C)', () => {
  const ranks: Map<VariantName, number>[] = [];
  for (const seed of SEEDS) {
    it(`seed ${seed}: after 1,000 steps clipping's W̄ has the lowest stable rank`, { timeout: 1_200_000 }, async () => {
      const spectra = await hiddenSpectra('others', seed, ['sn', 'orthonormal', 'clip'], 1000);
      const rank = new Map([...spectra].map(([v, s]) => [v, s.stableRank]));
      ranks.push(rank);
      console.log(
        `seed ${seed}: stable rank sn ${rank.get('sn')!.toFixed(1)}, orthonormal ${rank.get('orthonormal')!.toFixed(1)}, clip ${rank.get('clip')!.toFixed(1)}`,
      );
      expect(rank.get('clip')!).toBeLessThan(rank.get('sn')!);
      expect(rank.get('clip')!).toBeLessThan(rank.get('orthonormal')!);
    });
  }

  it('orthonormal regularization (β = 1e-4) beat SN’s stable rank in only 3 of 5 seeds', () => {
    expect(ranks).toHaveLength(SEEDS.length);
    expect(ranks.filter((r) => r.get('orthonormal')! > r.get('sn')!)).toHaveLength(3);
    expect(lookFor('others').join(' ')).toContain('3 of 5');
  });
});
