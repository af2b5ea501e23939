import { describe, expect, it } from 'vitest';
import type { VariantName } from '../../src/gan/config';
import { BoundedMetricsHistory, HISTORY_CAPACITY, HISTORY_RECENT } from '../../src/gan/metrics-history';
import type { StepMetrics } from '../../src/gan/trainer';

function capture(variant: VariantName, step: number, lossD = 1): StepMetrics {
  return {
    step,
    variant,
    lossD,
    lossG: 1,
    dReal: 0.5,
    dFake: 0.5,
    modesCovered: null,
    highQuality: null,
    sigma: [],
    gradNorm: 1,
    inceptionScore: null,
    fid: null,
  };
}

describe('BoundedMetricsHistory', () => {
  it('keeps a million captures per variant within its bound: first, latest, steps in order, the gaps', () => {
    const history = new BoundedMetricsHistory();
    const captures = 1_000_000;
    // 'sn' has one NaN capture in the middle of the run (a transient gap) and one early on;
    // 'none' diverges (∞) at step 700 000 and, like the trainer's diverged variants, stops there.
    const gaps = [12_345, 500_001];
    const divergedAt = 700_000;
    for (let step = 1; step <= captures; step++) {
      const batch = [capture('sn', step, gaps.includes(step) ? NaN : 1)];
      if (step < divergedAt) batch.push(capture('none', step));
      else if (step === divergedAt) batch.push(capture('none', step, Infinity));
      history.append(batch);
    }
    const byVariant = history.byVariant();
    expect([...byVariant.keys()]).toEqual(['sn', 'none']);
    for (const [variant, list] of byVariant) {
      expect(list.length, variant).toBeLessThanOrEqual(HISTORY_CAPACITY);
      // Thinned, not merely truncated: far more than the recent window survives.
      expect(list.length, variant).toBeGreaterThan(HISTORY_CAPACITY / 2);
      expect(list[0].step, variant).toBe(1);
      for (let i = 1; i < list.length; i++) expect(list[i].step).toBeGreaterThan(list[i - 1].step);
    }
    const sn = byVariant.get('sn')!;
    expect(sn.at(-1)!.step).toBe(captures);
    // The latest captures are kept at full resolution.
    expect(sn.slice(-HISTORY_RECENT).map((m) => m.step)).toEqual(
      Array.from({ length: HISTORY_RECENT }, (_, i) => captures - HISTORY_RECENT + 1 + i),
    );
    expect(sn.filter((m) => Number.isNaN(m.lossD)).map((m) => m.step)).toEqual(gaps);
    const none = byVariant.get('none')!;
    expect(none.at(-1)!.step).toBe(divergedAt);
    expect(none.at(-1)!.lossD).toBe(Infinity);
    // The archive spans the whole run evenly: no stretch of it is left without points.
    const spacing = sn.slice(1).map((m, i) => m.step - sn[i].step);
    expect(Math.max(...spacing)).toBeLessThanOrEqual((4 * captures) / (HISTORY_CAPACITY - HISTORY_RECENT));

    const all = history.all();
    expect(all.length).toBe(sn.length + none.length);
    for (let i = 1; i < all.length; i++) expect(all[i].step).toBeGreaterThanOrEqual(all[i - 1].step);
  });

  it('keeps everything while under its bound, in capture order', () => {
    // Room for 63 at full resolution: the 64th slot is for a merge group in progress.
    const history = new BoundedMetricsHistory(64, 16);
    for (let step = 1; step <= 63; step++) history.append([capture('sn', step), capture('wn', step)]);
    expect(history.all().map((m) => `${m.step}:${m.variant}`)).toEqual(
      Array.from({ length: 63 }, (_, i) => [`${i + 1}:sn`, `${i + 1}:wn`]).flat(),
    );
  });

  it('adopts another history up to a step', () => {
    const old = new BoundedMetricsHistory(64, 16);
    for (let step = 1; step <= 10; step++) old.append([capture('sn', step), capture('wn', step)]);
    const resumed = new BoundedMetricsHistory(64, 16);
    resumed.adopt(old, 6);
    expect(
      resumed
        .byVariant()
        .get('wn')!
        .map((m) => m.step),
    ).toEqual([1, 2, 3, 4, 5, 6]);
    expect(resumed.all().length).toBe(12);
  });
});
