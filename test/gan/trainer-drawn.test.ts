// A drawn data set trains like a mixture: both backends sample the same real batch around the drawn
// points (the anchor kernel and its twin), and coverage counts every drawn point as a mode.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/engine/cpu-backend';
import { GpuBackend } from '../../src/engine/gpu-backend';
import { DEFAULT_MLP, defaultConfig } from '../../src/gan/config';
import { GanTrainer } from '../../src/gan/trainer';
import { DRAWN_STD, shapePoints } from '../../src/data/drawn';
import { expectClose, testGpu } from '../helpers/gpu';

const realBatch = async (trainer: GanTrainer) =>
  (await trainer.checkpoint()).entries.find((e) => e.label === 'data.real')!.values!;

describe('training on a drawing', () => {
  it('GPU and CPU sample the same real batch around the drawn points; each point is a mode', async () => {
    const points = shapePoints('dots');
    const config = defaultConfig({
      model: { ...DEFAULT_MLP, generatorHidden: [16], discriminatorHidden: [16] },
      data: 'drawn',
      points,
      variants: ['sn'],
      batch: 257,
      evalSamples: 300,
      statsEvery: 2,
    });
    const gpu = new GanTrainer(new GpuBackend(await testGpu()), config);
    const cpu = new GanTrainer(new CpuBackend(), config);
    expect(gpu.extent).toEqual([-3, 3, -3, 3]);
    await gpu.train(2);
    await cpu.train(2);
    const [g, c] = [await realBatch(gpu), await realBatch(cpu)];
    expectClose('trainer.drawn.real', g, c, { atol: DRAWN_STD * 1e-3, rtol: 0 }); // float32 Box–Muller against float64
    // Every real point lies within 5 std of a drawn point, and all nine dots are visited.
    const hit = new Set<number>();
    for (let i = 0; i < g.length; i += 2) {
      let best = 0;
      let dist = Infinity;
      for (let a = 0; a < points.length; a += 2) {
        const d = Math.hypot(g[i] - points[a], g[i + 1] - points[a + 1]);
        if (d < dist) [best, dist] = [a / 2, d];
      }
      expect(dist).toBeLessThan(5 * DRAWN_STD);
      hit.add(best);
    }
    expect(hit.size).toBe(9);
    await gpu.statsSettled();
    expect(gpu.metrics.at(-1)!.modesCovered).not.toBeNull();
    expect(gpu.dataset!.modes!.length).toBe(points.length);
  });
});
