import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/backend';
import { CpuBackend } from '../../src/engine/cpu-backend';
import { GpuBackend } from '../../src/engine/gpu-backend';
import { DEFAULT_MLP, defaultConfig, SETTINGS, type TrainerConfig } from '../../src/gan/config';
import { GanTrainer } from '../../src/gan/trainer';
import { singularValues } from '../../src/reference/svd';
import { expectClose, testGpu } from '../helpers/gpu';

/** A small 2-D GAN that trains at a usable pace on SwiftShader and on the CPU backend. */
function smallConfig(overrides: Partial<TrainerConfig> = {}): TrainerConfig {
  return defaultConfig({
    model: { ...DEFAULT_MLP, generatorHidden: [32, 32], discriminatorHidden: [32, 32] },
    batch: 64,
    evalSamples: 2500,
    ...overrides,
  });
}

/** float32 rounding of σ̃ and of W̄ = W/σ̃, relative. */
const FP_REL = 1e-5;

async function gpuBackend(): Promise<Backend> {
  return new GpuBackend(await testGpu());
}

describe('GAN trainer', () => {
  it('GPU and CPU backends agree over the first 5 steps (every variant)', async () => {
    const config = smallConfig({
      variants: ['sn', 'wn', 'none', 'clip', 'orthonormal', 'wgan-gp'],
      statsEvery: 1,
      adam: SETTINGS.A,
    });
    const gpu = new GanTrainer(await gpuBackend(), config);
    const cpu = new GanTrainer(new CpuBackend(), config);
    await gpu.train(5);
    await cpu.train(5);
    // Five steps of n_dis = 5 are 25 D updates of float32 arithmetic in different orders; the
    // losses, σ̃ and weights agree to ~2e-6 (Adam amplifies rounding where gradients are near 0:
    // 10× headroom). A wrong index is off by O(1).
    const tol = { atol: 2e-5, rtol: 1e-3 };
    for (const [g, c] of gpu.metrics.map((m, i) => [m, cpu.metrics[i]] as const)) {
      expect(g.variant).toBe(c.variant);
      expectClose(
        `trainer.gpuVsCpu.${g.variant}.step${g.step}.stats`,
        [g.lossD, g.lossG, g.dReal, g.dFake, ...g.sigma],
        [c.lossD, c.lossG, c.dReal, c.dFake, ...c.sigma],
        tol,
      );
    }
    for (const v of config.variants) {
      const [gs, cs] = [await gpu.snapshot(v), await cpu.snapshot(v)];
      for (let l = 0; l < gs.length; l++) {
        expectClose(`trainer.gpuVsCpu.${v}.${gs[l].name}.W`, gs[l].W, cs[l].W, tol);
        expectClose(`trainer.gpuVsCpu.${v}.${gs[l].name}.Wbar`, gs[l].Wbar, cs[l].Wbar, tol);
      }
    }
  });

  it('after 200 steps of the default model: σ̃ ≤ σ₁(W) and within 2% (8% where σ₂ crowds σ₁), so σ₁(W̄) ∈ [1, 1/(1 − margin)] for SN; Σσ²(W̄) = d_out for WN, |W| ≤ c with clipping', async () => {
    const config = defaultConfig({ variants: ['sn', 'wn', 'clip'], statsEvery: 100 });
    const trainer = new GanTrainer(await gpuBackend(), config);
    await trainer.train(200);
    for (const layer of await trainer.snapshot('sn')) {
      const [rows, cols] = layer.shape;
      const sigmaTilde = layer.sigmaEstimate!;
      const [sigma1, sigma2] = singularValues(layer.W, rows, cols);
      const sigma1Bar = singularValues(layer.Wbar, rows, cols)[0];
      // ũᵀWṽ with unit ũ, ṽ never exceeds σ₁(W) (float32 rounding aside).
      expect(sigmaTilde, `${layer.name} σ̃ ≤ σ₁(W) = ${sigma1}`).toBeLessThanOrEqual(sigma1 * (1 + FP_REL));
      expect(sigma1Bar, `${layer.name} σ₁(W̄) ≥ 1`).toBeGreaterThanOrEqual(1 - FP_REL);
      // One round per update from a persistent ũ tracks the top singular pair: closely when it
      // stands apart, more loosely when σ₂ crowds σ₁ (the power iteration converges as (σ₂/σ₁)^k).
      const margin = (sigma2 ?? 0) / sigma1 < 0.95 ? 0.02 : 0.08;
      expect(
        sigmaTilde,
        `${layer.name} σ̃ within ${margin * 100}% of σ₁(W) = ${sigma1} (σ₂ = ${sigma2})`,
      ).toBeGreaterThanOrEqual(sigma1 * (1 - margin));
      expect(sigma1Bar, `${layer.name} σ₁(W̄)`).toBeLessThanOrEqual(1 / (1 - margin));
      // W̄ = W/σ̃ for the W and σ̃ the snapshot holds.
      expectClose(
        `trainer.sn.${layer.name}.WbarIsWOverSigma`,
        layer.Wbar,
        layer.W.map((w) => w / layer.sigmaEstimate!),
        { atol: 1e-7, rtol: 1e-6 },
      );
    }
    for (const layer of await trainer.snapshot('wn')) {
      const [rows, cols] = layer.shape;
      const sumSquares = singularValues(layer.Wbar, rows, cols).reduce((a, s) => a + s * s, 0);
      expectClose(`trainer.wn.${layer.name}.sumSigma2`, [sumSquares], [rows], { atol: 0, rtol: 1e-4 });
    }
    const clip = trainer.variants.find((v) => v.name === 'clip')!;
    for (const layer of clip.model.normalizable) {
      for (const tensor of [layer.w, layer.b!]) {
        const values = await trainer.backend.read(tensor);
        expect(Math.max(...values.map(Math.abs)), `${tensor.label} max |value|`).toBeLessThanOrEqual(config.clip);
      }
    }
  });

  // ũ's accounting per D update, in the G step and in forward calls is read back and checked
  // against the float64 twin in spectral-state.test.ts, for D-only and G-only steps. A full step
  // must be exactly those two phases in order; variants without SN hold no SN state at all.
  it('a full step moves ũ exactly as a D-only step then a G-only step; only SN layers hold ũ', async () => {
    const config = smallConfig({ variants: ['sn', 'none'], adam: SETTINGS.D, statsEvery: 3 });
    const full = new GanTrainer(await gpuBackend(), config);
    const phased = new GanTrainer(await gpuBackend(), config);
    await full.train(3);
    for (let i = 0; i < 3; i++) {
      await phased.step({ phase: 'D' });
      await phased.step({ phase: 'G' });
    }
    await phased.statsSettled();
    const [a, b] = [await full.snapshot('sn'), await phased.snapshot('sn')];
    expect(a.length).toBe(3);
    expect(a.map((l) => l.u)).toEqual(b.map((l) => l.u));
    expect(a.map((l) => l.sigmaEstimate)).toEqual(b.map((l) => l.sigmaEstimate));
    expect(a.every((l) => l.u !== null && l.u.length === l.shape[0])).toBe(true);
    const none = await full.snapshot('none');
    expect(none.length).toBe(3);
    expect(none.map((l) => [l.u, l.sigmaEstimate])).toEqual(none.map(() => [null, null]));
    const snTensors = (prefix: string) =>
      full.backend.tensors.filter((t) => t.label.startsWith(prefix) && t.label.includes('.sn.'));
    expect(snTensors('none.')).toEqual([]);
    expect(snTensors('sn.').length).toBe(3 * 5);
  });

  it('flags a deliberately divergent run as diverged instead of crashing', async () => {
    // An absurd learning rate overflows the weights to Inf within a couple of steps.
    const config = smallConfig({ variants: ['none'], statsEvery: 2, adam: { ...SETTINGS.C, lr: 1e30 } });
    const trainer = new GanTrainer(await gpuBackend(), config);
    await trainer.train(20);
    for (const v of config.variants) {
      const diverged = trainer.status.get(v)!.diverged;
      expect(diverged, `${v} diverged at`).not.toBeNull();
      // Caught at the first capture after it happened: within statsEvery steps.
      expect(diverged!).toBeLessThanOrEqual(4);
      // Its recorded metrics keep the NaN/Inf (never turned into 0).
      const bad = trainer.metrics.find((m) => m.variant === v && m.step === diverged)!;
      expect([bad.lossD, bad.lossG, bad.dReal, bad.dFake].some((x) => !Number.isFinite(x))).toBe(true);
    }
    expect(trainer.liveVariants).toEqual([]);
  });

  it('stops only the variant that produced NaN; the others go on', async () => {
    const config = smallConfig({ variants: ['sn', 'none'], statsEvery: 2 });
    const backend = await gpuBackend();
    const trainer = new GanTrainer(backend, config);
    await trainer.train(2);
    // Poison one weight of the 'none' discriminator.
    const none = trainer.variants.find((v) => v.name === 'none')!;
    const w = none.model.normalizable[1].w;
    const values = await backend.read(w);
    values[3] = NaN;
    backend.write(w, values);
    await trainer.train(6);
    expect(trainer.status.get('none')!.diverged).toBe(4);
    expect(trainer.status.get('sn')!.diverged).toBeNull();
    expect(trainer.steps).toBe(8);
    const snSteps = trainer.metrics.filter((m) => m.variant === 'sn').map((m) => m.step);
    expect(snSteps).toEqual([1, 2, 4, 6, 8]);
    expect(trainer.metrics.filter((m) => m.variant === 'none').map((m) => m.step)).toEqual([1, 2, 4]);
  });
});
