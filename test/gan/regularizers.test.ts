import { describe, expect, it } from 'vitest';
import { CpuBackend, valuesOf } from '../../src/engine/cpu-backend';
import type { Tensor } from '../../src/engine/backend';
import { normalizeWeight } from '../../src/gan/normalization';
import { initMlp } from '../../src/nn/init';
import { mlp } from '../../src/nn/sequential';
import { initPaperCnn, PaperCnn } from '../../src/nn/paper-cnn';
import { Rng } from '../../src/reference/random';
import { expectClose } from '../helpers/gpu';

/** Central differences of a float64 function of one tensor's entries, at a few indices. */
function finiteDifferences(
  values: Float32Array,
  indices: number[],
  f: (v: Float32Array) => number,
  h: number,
): number[] {
  return indices.map((k) => {
    const plus = values.slice();
    const minus = values.slice();
    plus[k] += h;
    minus[k] -= h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

describe('D regularizers on the CPU backend against finite differences', () => {
  it('orthonormal regularization adds ∂/∂W of β‖WᵀW − I‖²_F', async () => {
    const backend = new CpuBackend();
    const rng = new Rng(31);
    const [dOut, dIn] = [5, 7];
    const w = backend.tensor('w', dOut * dIn, rng.normalArray(dOut * dIn, 0.5));
    const gW = backend.tensor('gW', dOut * dIn);
    const prior = rng.normalArray(dOut * dIn);
    backend.write(gW, prior);
    const beta = 0.3;
    const ortho = normalizeWeight(
      backend,
      'orthonormal',
      { name: 'layer', dOut, dIn, w, gW },
      { snRounds: 1, clip: 0.01, orthoBeta: beta, seed: 1 },
    );
    await backend.run(ortho.backward());
    const analytic = (await backend.read(gW)).map((g, i) => g - prior[i]);
    // R(W) = β Σ_jk ((WᵀW)_jk − δ_jk)², in float64.
    const penalty = (v: Float32Array) => {
      let sum = 0;
      for (let j = 0; j < dIn; j++) {
        for (let k = 0; k < dIn; k++) {
          let dot = 0;
          for (let i = 0; i < dOut; i++) dot += v[i * dIn + j] * v[i * dIn + k];
          sum += (dot - (j === k ? 1 : 0)) ** 2;
        }
      }
      return beta * sum;
    };
    const indices = Array.from({ length: dOut * dIn }, (_, i) => i);
    const numeric = finiteDifferences(await backend.read(w), indices, penalty, 1e-3);
    // float32 weights, float64 penalty, h = 1e-3 on a quartic: truncation ~h²·|R'''| ≈ 1e-5.
    expectClose('ortho.fd', analytic, numeric, { atol: 2e-4, rtol: 1e-3 });
    expect(Math.max(...analytic.map(Math.abs))).toBeGreaterThan(0.1);
  });

  it('the gradient penalty’s weight gradient matches finite differences of R(W)', async () => {
    const backend = new CpuBackend();
    const rng = new Rng(32);
    const B = 6;
    const sizes = [2, 8, 8, 1];
    const stack = mlp(backend, 'D', { sizes, hidden: 'leaky_relu', slope: 0.1 }, initMlp(3, sizes));
    const input = backend.tensor('x', B * 2, rng.normalArray(B * 2));
    const ones = backend.tensor('ones', B, new Float32Array(B).fill(1));
    const trace = stack.trace('gp', input, B, { outputGrad: ones });
    const seed = backend.tensor('seed', B * 2);
    const stats = backend.tensor('stats', 1);
    const targets: Tensor[] = stack.weighted.map((l) => backend.tensor(`${l.name}.gpGrad`, l.dOut * l.dIn));
    const lambda = 10;
    const penaltyOps = [
      ...trace.forward(),
      ...trace.backward({ label: 'inputGrad', weightGrads: 'none', inputGrad: true }),
      backend.penaltySeed({ label: 'seed', grad: trace.inputGrad, seed, stats, rows: B, cols: 2, lambda }),
    ];
    await backend.run([...penaltyOps, ...trace.doubleBackward({ seed, targets, label: 'gp' })]);
    for (const [l, layer] of stack.weighted.entries()) {
      const analytic = await backend.read(targets[l]);
      const original = await backend.read(layer.w);
      const penaltyAt = (v: Float32Array) => {
        backend.write(layer.w, v);
        void backend.run(penaltyOps); // the CPU backend runs synchronously
        return valuesOf(stats)[0];
      };
      const indices = Array.from(
        { length: Math.min(12, layer.dOut * layer.dIn) },
        (_, i) => (i * 7) % (layer.dOut * layer.dIn),
      );
      const numeric = finiteDifferences(original, indices, penaltyAt, 1e-3);
      backend.write(layer.w, original);
      // R is piecewise quadratic in each W_i (masks fixed): central differences are exact up to
      // float32 rounding of R (~1e-6·R/h); a probe that crosses a LeakyReLU kink would differ by O(1).
      expectClose(
        `gp.fd.layer${l}`,
        indices.map((k) => analytic[k]),
        numeric,
        { atol: 2e-3, rtol: 2e-3 },
      );
    }
  });

  it('the gradient penalty through the paper CNN (width 1/8) matches finite differences', async () => {
    const backend = new CpuBackend();
    const rng = new Rng(33);
    const B = 2;
    const spec = { size: 32, channels: 1, width: 1 / 8, noiseDim: 128, slope: 0.1 };
    // PyTorch's initialization keeps D's activations O(1) (with N(0, 0.02²) they are ~1e-6 deep
    // in the net, where finite differences drown in float32 rounding).
    const cnn = new PaperCnn(backend, 'gp', spec, initPaperCnn(spec, 4, 'pytorch'));
    const input = backend.tensor('x', B * cnn.imageSize, rng.uniformArray(B * cnn.imageSize, -1, 1));
    const ones = backend.tensor('ones', B, new Float32Array(B).fill(1));
    const trace = cnn.discriminatorTrace('gp', input, B, { outputGrad: ones });
    const seed = backend.tensor('seed', B * cnn.imageSize);
    const stats = backend.tensor('stats', 1);
    const layers = cnn.normalizable;
    const targets = layers.map((l) => backend.tensor(`${l.name}.gpGrad`, l.dOut * l.dIn));
    const penaltyOps = [
      ...trace.forward(),
      ...trace.backward({ label: 'inputGrad', weightGrads: 'none', inputGrad: true }),
      backend.penaltySeed({
        label: 'seed',
        grad: trace.inputGrad,
        seed,
        stats,
        rows: B,
        cols: cnn.imageSize,
        lambda: 10,
      }),
    ];
    await backend.run([...penaltyOps, ...trace.doubleBackward({ seed, targets, label: 'gp' })]);
    for (const l of [0, 3, 6, 7]) {
      const layer = layers[l];
      const analytic = await backend.read(targets[l]);
      const original = await backend.read(layer.w);
      // R recomputed in float64 from the input gradient: at ‖∇ₓD‖ ≈ 1e-3, R ≈ λ and its float32
      // value would hide the O(h) changes finite differences look for.
      const penaltyAt = (v: Float32Array) => {
        backend.write(layer.w, v);
        void backend.run(penaltyOps);
        const g = valuesOf(trace.inputGrad);
        let sum = 0;
        for (let i = 0; i < B; i++) {
          let sq = 0;
          for (let j = 0; j < cnn.imageSize; j++) sq += g[i * cnn.imageSize + j] ** 2;
          sum += (Math.sqrt(sq) - 1) ** 2;
        }
        return (10 / B) * sum;
      };
      // Probe the largest-gradient entries: their differences stand well above float32 noise.
      const order = Array.from(analytic.keys()).sort((a, b) => Math.abs(analytic[b]) - Math.abs(analytic[a]));
      const indices = order.slice(0, 4);
      // A small step: a first-layer weight moves thousands of pre-activations, and a step that
      // carries one across a LeakyReLU kink changes the masks the derivative assumes fixed.
      const numeric = finiteDifferences(original, indices, penaltyAt, 1e-5);
      backend.write(layer.w, original);
      const scale = Math.abs(analytic[order[0]]);
      // R is piecewise quadratic in each W (LeakyReLU masks fixed): exact central differences up
      // to float32 rounding of R; a wrong index or a missing mask is off by O(scale).
      expectClose(
        `gp.cnn.fd.layer${l}`,
        indices.map((k) => analytic[k]),
        numeric,
        { atol: 0.02 * scale, rtol: 0.02 },
      );
    }
  });
});
