/**
 * Issue 14, "divergence under the aggressive settings": every variant under the paper's setting F
 * (β1 = 0.9, β2 = 0.999, n_dis = 5) with α = 1e-2 either trains (finite numbers at every capture) or
 * is marked "diverged at step N", its chart series finite before N, a gap (null, never 0) at N and
 * nothing after, while the others go on.
 *
 * Measured (CPU backend, 2-D MLP 2→128→128, all six variants, batch 64, seeds 1 and 2, 150 steps):
 * no variant diverged under F with α = 1e-2, nor with α = 100. So the diverged path is also driven
 * on purpose below: one variant's weight is poisoned mid-run under the same setting.
 */
import { describe, expect, it } from 'vitest';
import { GpuBackend } from '../../src/engine/gpu-backend';
import { DEFAULT_MLP, defaultConfig, SETTINGS, VARIANT_NAMES, type TrainerConfig } from '../../src/gan/config';
import { GanTrainer } from '../../src/gan/trainer';
import { metricSeries } from '../../src/ui/charts/series';
import { testGpu } from '../helpers/gpu';

const STEPS = 9;
const STATS_EVERY = 3;

/** Setting F at α = 1e-2 on a small MLP (so six variants × n_dis 5 run at a usable pace on SwiftShader). */
function aggressive(seed: number): TrainerConfig {
  return defaultConfig({
    model: { ...DEFAULT_MLP, generatorHidden: [32, 32], discriminatorHidden: [32, 32] },
    variants: [...VARIANT_NAMES],
    adam: { ...SETTINGS.F, lr: 1e-2 },
    batch: 64,
    evalSamples: 256,
    statsEvery: STATS_EVERY,
    seed,
  });
}

/** Each variant trains (finite throughout, to the last step) or diverged at N (finite before, a gap at N, nothing after). */
function expectTrainsOrDiverges(trainer: GanTrainer): Record<string, number | null> {
  const history = trainer.history.byVariant();
  const lossD = metricSeries(history, VARIANT_NAMES, (m) => m.lossD);
  const out: Record<string, number | null> = {};
  VARIANT_NAMES.forEach((v, i) => {
    const diverged = trainer.status.get(v)!.diverged;
    out[v] = diverged;
    const points = lossD[i].points;
    const last = diverged ?? trainer.steps;
    expect(points.at(-1)!.x, `${v}: last capture`).toBe(last);
    for (const p of points) {
      if (p.x < last || diverged === null) expect(p.y, `${v} step ${p.x} finite`).not.toBeNull();
      else expect(p.y, `${v} at its divergence step ${p.x}: a gap, not a number`).toBeNull();
    }
    expect(points.every((p) => p.y === null || Number.isFinite(p.y))).toBe(true);
  });
  return out;
}

describe('setting F with α = 1e-2', () => {
  it('every variant trains or is marked diverged with a gap from that step (two seeds)', async () => {
    const backend = new GpuBackend(await testGpu());
    for (const seed of [1, 2]) {
      const trainer = new GanTrainer(backend, aggressive(seed));
      await trainer.train(STEPS);
      expect(trainer.steps).toBe(STEPS);
      console.log(`F, α = 1e-2, seed ${seed}: diverged at`, JSON.stringify(expectTrainsOrDiverges(trainer)));
      backend.destroy();
    }
  }, 60_000);

  it('a variant that diverges mid-run gets a gap from that step; the other five go on', async () => {
    const backend = new GpuBackend(await testGpu());
    const trainer = new GanTrainer(backend, aggressive(1));
    await trainer.train(STATS_EVERY);
    // Poison one of WN's D weights: its next capture sees NaN.
    const wn = trainer.variants.find((v) => v.name === 'wn')!;
    const w = wn.model.normalizable[1].w;
    const values = await backend.read(w);
    values[5] = NaN;
    backend.write(w, values);
    await trainer.train(STEPS - STATS_EVERY);
    const diverged = expectTrainsOrDiverges(trainer);
    expect(diverged.wn).toBe(2 * STATS_EVERY);
    for (const v of VARIANT_NAMES.filter((n) => n !== 'wn')) {
      expect(diverged[v], `${v} still training`).toBeNull();
      const steps = trainer.metrics.filter((m) => m.variant === v).map((m) => m.step);
      expect(steps.at(-1), `${v} kept advancing after WN diverged`).toBe(STEPS);
    }
    backend.destroy();
  }, 60_000);
});
