/**
 * What the page needs from the trainer beyond plain training: single D or G steps, the 2-D
 * pictures (D on a grid, ∇ₓD arrows) captured with the statistics, and checkpoints that resume a
 * run exactly, also on the other backend (a lost GPU resumed on the CPU).
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/backend';
import { CpuBackend } from '../../src/engine/cpu-backend';
import { GpuBackend } from '../../src/engine/gpu-backend';
import { DEFAULT_MLP, defaultConfig, SETTINGS, type TrainerConfig } from '../../src/gan/config';
import { ARROW_COUNT, FIELD_GRID, fieldExtent, fieldGridPoints, GanTrainer } from '../../src/gan/trainer';
import { dataset2d } from '../../src/data/mixtures';
import { expectClose, testGpu } from '../helpers/gpu';

function smallConfig(overrides: Partial<TrainerConfig> = {}): TrainerConfig {
  return defaultConfig({
    model: { ...DEFAULT_MLP, generatorHidden: [16, 16], discriminatorHidden: [16, 16] },
    batch: 33,
    evalSamples: 300,
    statsEvery: 5,
    ...overrides,
  });
}

const gpuBackend = async (): Promise<Backend> => new GpuBackend(await testGpu());

async function weights(trainer: GanTrainer, side: 'D' | 'G'): Promise<Float32Array[]> {
  const v = trainer.variants[0];
  const params = side === 'D' ? v.model.discriminatorParams() : v.model.generatorParams();
  return Promise.all(params.map((p) => trainer.backend.read(p.param)));
}

/** Whether any entry of any of the (same-length, non-empty) lists of tensors differs. */
function changed(a: Float32Array[], b: Float32Array[]): boolean {
  expect(a.length).toBeGreaterThan(0);
  expect(b.map((x) => x.length)).toEqual(a.map((x) => x.length));
  return a.some((x, i) => x.some((y, j) => y !== b[i][j]));
}

describe('trainer features for the page', () => {
  it('steps D alone (n_dis updates, G untouched) and G alone (D untouched)', async () => {
    const trainer = new GanTrainer(await gpuBackend(), smallConfig({ variants: ['sn'], adam: SETTINGS.A }));
    await trainer.train(1);
    const [d0, g0] = [await weights(trainer, 'D'), await weights(trainer, 'G')];
    await trainer.step({ phase: 'D', capture: true });
    const [d1, g1] = [await weights(trainer, 'D'), await weights(trainer, 'G')];
    expect(changed(d0, d1)).toBe(true);
    expect(changed(g0, g1)).toBe(false);
    await trainer.step({ phase: 'G', capture: true });
    const [d2, g2] = [await weights(trainer, 'D'), await weights(trainer, 'G')];
    expect(changed(d1, d2)).toBe(false);
    expect(changed(g1, g2)).toBe(true);
    // Forced captures: statistics at steps 1, 2 and 3 although statsEvery is 5.
    expect(trainer.metrics.map((m) => m.step)).toEqual([1, 2, 3]);
    // SN's ũ moves in the D step and not in the G step (how far: spectral-state.test.ts).
    const u = () => Promise.all(trainer.variants[0].normalized.map((n) => trainer.backend.read(n.spectral!.u)));
    await trainer.step({ phase: 'G' });
    const u0 = await u();
    await trainer.step({ phase: 'D' });
    const u1 = await u();
    await trainer.step({ phase: 'G' });
    expect(u1.length).toBe(3);
    expect(u1.every((x, l) => x.some((y, i) => y !== u0[l][i]))).toBe(true);
    expect(await u()).toEqual(u1);
  });

  it('frames every 2-D data set with room around it, and lays the grid out row 0 at yMin', () => {
    expect(fieldExtent(dataset2d('ring8'))).toEqual([-3, 3, -3, 3]);
    for (const name of ['grid25', 'spiral', 'moons'] as const) {
      const d = dataset2d(name);
      const [x0, x1] = fieldExtent(d);
      for (const a of d.anchors) expect(a > x0 && a < x1).toBe(true);
    }
    const g = fieldGridPoints([-1, 1, -2, 2], 4);
    expect(Array.from(g.slice(0, 4))).toEqual([-0.75, -1.5, -0.25, -1.5]);
    expect(Array.from(g.slice(-2))).toEqual([0.75, 1.5]);
  });

  it('captures D on the grid and ∇ₓD arrows; GPU and CPU agree', async () => {
    const config = smallConfig({ variants: ['sn', 'none'], statsEvery: 4 });
    const gpu = new GanTrainer(await gpuBackend(), config);
    const cpu = new GanTrainer(new CpuBackend(), config);
    await gpu.train(4);
    await cpu.train(4);
    for (const name of config.variants) {
      const [g, c] = [gpu.status.get(name)!, cpu.status.get(name)!];
      expect(g.capturedAt).toBe(4);
      expect(g.field!.length).toBe(FIELD_GRID ** 2);
      expect(g.arrows!.length).toBe(2 * Math.min(ARROW_COUNT, config.batch));
      // The standard loss shows D as a probability.
      expect(g.field!.every((p) => p > 0 && p < 1)).toBe(true);
      expectClose(`trainer.field.${name}`, g.field!, c.field!, { atol: 2e-5, rtol: 1e-3 });
      expectClose(`trainer.arrows.${name}`, g.arrows!, c.arrows!, { atol: 2e-5, rtol: 1e-3 });
      // A field that were all one value would draw nothing: D must vary over the plane.
      expect(Math.max(...g.field!) - Math.min(...g.field!)).toBeGreaterThan(1e-4);
    }
  });

  it('resumes from a checkpoint exactly (CPU) and within float tolerance from a GPU checkpoint on the CPU', async () => {
    const config = smallConfig({ variants: ['sn', 'wn', 'wgan-gp'], adam: SETTINGS.D, statsEvery: 3 });
    // Reference: 9 uninterrupted steps on the CPU.
    const straight = new GanTrainer(new CpuBackend(), config);
    await straight.train(9);
    // Interrupted at step 6 and resumed in a fresh CPU trainer.
    const first = new GanTrainer(new CpuBackend(), config);
    await first.train(6);
    const checkpoint = await first.checkpoint();
    expect(checkpoint.step).toBe(6);
    const resumed = new GanTrainer(new CpuBackend(), config);
    resumed.restore(checkpoint);
    await resumed.train(3);
    expect(resumed.steps).toBe(9);
    const last = (t: GanTrainer) => t.metrics.filter((m) => m.step === 9);
    expect(last(straight).map((m) => m.variant)).toEqual(config.variants);
    expect(last(resumed)).toEqual(last(straight));
    // The same interruption on the GPU, resumed on the CPU backend (u32 counters become floats).
    const onGpu = new GanTrainer(await gpuBackend(), config);
    await onGpu.train(6);
    const fromGpu = new GanTrainer(new CpuBackend(), config);
    fromGpu.restore(await onGpu.checkpoint());
    await fromGpu.train(3);
    expect(last(fromGpu).map((m) => m.variant)).toEqual(config.variants);
    for (const [r, s] of last(fromGpu).map((m, i) => [m, last(straight)[i]] as const)) {
      expectClose(`trainer.resume.${r.variant}`, [r.lossD, r.lossG, ...r.sigma], [s.lossD, s.lossG, ...s.sigma], {
        atol: 1e-4,
        rtol: 1e-3,
      });
    }
  });

  it('refuses a checkpoint of a different configuration with a clear message', async () => {
    const a = new GanTrainer(new CpuBackend(), smallConfig({ variants: ['sn'] }));
    const b = new GanTrainer(new CpuBackend(), smallConfig({ variants: ['sn', 'wn'] }));
    expect(() => b.restore({ step: 0, diverged: [], entries: [] })).toThrow(/checkpoint has 0 tensors/);
    const checkpoint = await a.checkpoint();
    expect(() => b.restore(checkpoint)).toThrow(/checkpoint/);
  });
});

describe('retiring a variant mid-run', () => {
  it('stops it and leaves the others exactly as if it had never been there', async () => {
    const config = smallConfig({ variants: ['sn', 'wn', 'none'], statsEvery: 2 });
    const all = new GanTrainer(new CpuBackend(), config);
    await all.train(6);
    const without = new GanTrainer(new CpuBackend(), config);
    await without.train(2);
    without.retire('wn');
    await without.train(4);
    expect(without.metrics.filter((m) => m.variant === 'wn').map((m) => m.step)).toEqual([1, 2]);
    const at6 = (t: GanTrainer) => t.metrics.filter((m) => m.step === 6 && m.variant !== 'wn');
    expect(at6(all).map((m) => m.variant)).toEqual(['sn', 'none']);
    expect(at6(without)).toEqual(at6(all));
  });
});
