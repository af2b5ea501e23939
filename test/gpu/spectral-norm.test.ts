import { Matrix, QrDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/device';
import { submitKernels } from '../../src/gpu/kernel';
import {
  createSpectralNormState,
  prepareSpectralNormApply,
  prepareSpectralNormBackward,
  prepareSpectralNormPowerIteration,
  type SpectralNormState,
} from '../../src/gpu/kernels/spectral-norm';
import { Rng } from '../../src/reference/random';
import {
  matVec,
  spectralNormApply,
  spectralNormBackward,
  spectralNormInitialVectors,
  spectralNormPowerIteration,
} from '../../src/reference/spectral-norm';
import { expectClose, runAndRead, testGpu } from '../helpers/gpu';
import { oracleSingularValues } from '../helpers/svd-oracle';

const SHAPES: Array<[number, number]> = [
  [1, 1],
  [7, 33],
  [33, 7],
  [127, 257],
  [64, 27],
];

function gaussian(rng: Rng, rows: number, cols: number): Float32Array {
  return rng.normalArray(rows * cols, 1 / Math.sqrt(cols));
}

/** U·diag(s)·Vᵀ with U, V random orthonormal (QR of Gaussians): σ₁ = s[0], gap s[1]/s[0]. */
function withSpectrum(rng: Rng, rows: number, cols: number, s: (k: number) => number): Float32Array {
  const k = Math.min(rows, cols);
  const orthonormal = (n: number): Matrix => {
    const g = new Matrix(Array.from({ length: n }, () => Array.from({ length: k }, () => rng.normal())));
    return new QrDecomposition(g).orthogonalMatrix.subMatrix(0, n - 1, 0, k - 1);
  };
  const w = orthonormal(rows)
    .mmul(Matrix.diag(Array.from({ length: k }, (_, i) => s(i))))
    .mmul(orthonormal(cols).transpose());
  return Float32Array.from(w.to1DArray());
}

/** [5, 3, 2, 1, 0.9, 0.81, …]: gap 0.6. */
const SPECTRUM = (i: number): number => (i < 4 ? [5, 3, 2, 1][i] : Math.pow(0.9, i - 3));

/** The exact σ₁ (float64 SVD of the float32 matrix the GPU sees). */
function exactSigma1(w: ArrayLike<number>, rows: number, cols: number): { s1: number; gap: number } {
  const s = oracleSingularValues(w, rows, cols);
  return { s1: s[0], gap: s.length > 1 ? s[1] / s[0] : 0 };
}

async function readState(ctx: GpuContext, st: SpectralNormState) {
  const [u, v, sigma] = await Promise.all([
    ctx.buffers.read(st.u, st.dOut),
    ctx.buffers.read(st.v, st.dIn),
    ctx.buffers.read(st.sigma, 1),
  ]);
  return { u, v, sigma: sigma[0] };
}

async function run(ctx: GpuContext, kernels: Parameters<typeof submitKernels>[1]): Promise<void> {
  ctx.device.pushErrorScope('validation');
  submitKernels(ctx, kernels, 'sn');
  const error = await ctx.device.popErrorScope();
  if (error) throw new Error(`WebGPU validation error: ${error.message}`);
}

// Unit vectors and σ̃ from float32 matvecs of up to 4608 terms (tree sums): errors ≲ 1e-7 seen.
// A wrong index or a missed normalization moves components by O(1/√d) ≥ 0.015.
const VEC_TOL = { atol: 5e-7, rtol: 1e-6 };
const SIGMA_TOL = { atol: 0, rtol: 1e-6 };
// W̄ = W/σ̃ carries σ̃'s relative error and one rounding.
const WBAR_TOL = { atol: 1e-7, rtol: 3e-6 };

/** The GPU's whole SN cycle on W against the twin; `bwdAtol` scales with max|G|/σ̃. */
async function checkAgainstTwin(ctx: GpuContext, rng: Rng, dOut: number, dIn: number, w: Float32Array): Promise<void> {
  const tag = `${dOut}x${dIn}`;
  const seed = 17 + dOut * 31 + dIn;
  const st = createSpectralNormState(ctx, { dOut, dIn, seed, label: `sn.${tag}` });
  const init = spectralNormInitialVectors(dOut, dIn, seed);
  const wBuf = ctx.buffers.storage(`sn.${tag}.w`, dOut * dIn, w);
  const one = prepareSpectralNormPowerIteration(ctx, { w: wBuf, ...st, rounds: 1 });
  const two = prepareSpectralNormPowerIteration(ctx, { w: wBuf, ...st, rounds: 2 });

  // First update: one round from the fresh ũ.
  await run(ctx, [one]);
  let twin = spectralNormPowerIteration(w, init.u, init.v, dOut, dIn, 1);
  let got = await readState(ctx, st);
  expectClose(`sn.power.u ${tag} r=1`, got.u, twin.u, VEC_TOL);
  expectClose(`sn.power.v ${tag} r=1`, got.v, twin.v, VEC_TOL);
  expectClose(`sn.power.sigma ${tag} r=1`, [got.sigma], [twin.sigma], SIGMA_TOL);

  // Later updates continue from the persistent ũ.
  await run(ctx, [two]);
  twin = spectralNormPowerIteration(w, twin.u, twin.v, dOut, dIn, 2);
  got = await readState(ctx, st);
  expectClose(`sn.power.u ${tag} r=1+2`, got.u, twin.u, VEC_TOL);
  expectClose(`sn.power.v ${tag} r=1+2`, got.v, twin.v, VEC_TOL);
  expectClose(`sn.power.sigma ${tag} r=1+2`, [got.sigma], [twin.sigma], SIGMA_TOL);

  // Forward and backward with the GPU's own ũ, ṽ, σ̃ (the twin of these kernels alone).
  const n = dOut * dIn;
  const wBar = ctx.buffers.storage(`sn.${tag}.wBar`, n);
  const gotBar = await runAndRead(ctx, [prepareSpectralNormApply(ctx, { w: wBuf, sigma: st.sigma, wBar, n })], wBar, n);
  const twinBar = spectralNormApply(w, got.sigma);
  expectClose(`sn.apply ${tag}`, gotBar, twinBar, WBAR_TOL);

  const g = rng.normalArray(n);
  const gWbar = ctx.buffers.storage(`sn.${tag}.gWbar`, n, g);
  const gW = ctx.buffers.storage(`sn.${tag}.gW`, n);
  const back = prepareSpectralNormBackward(ctx, { gWbar, wBar, u: st.u, v: st.v, sigma: st.sigma, gW, dOut, dIn });
  const gotGrad = await runAndRead(ctx, [back], gW, n);
  const twinGrad = spectralNormBackward(g, gotBar, got.u, got.v, got.sigma, dOut, dIn);
  // Entries are O(|G|/σ̃) with G ~ N(0, 1); the float32 error of λ = ⟨G, W̄⟩ (a sum of n terms)
  // enters through |ũ_i ṽ_j| ≤ 1, so the bound is absolute, in units of 1/σ̃.
  expectClose(`sn.backward ${tag}`, gotGrad, twinGrad, { atol: 2e-6 / got.sigma, rtol: 2e-6 });

  for (const b of [st.u, st.v, st.sigma, wBuf, wBar, gWbar, gW]) ctx.buffers.destroy(b);
}

describe('spectral normalization kernels against the float64 twin', () => {
  it('power iteration, W̄ and backward on awkward shapes', async () => {
    const ctx = await testGpu();
    const rng = new Rng(2024);
    for (const [dOut, dIn] of SHAPES) await checkAgainstTwin(ctx, rng, dOut, dIn, gaussian(rng, dOut, dIn));
  });

  it('the paper-width conv shape 512 × 4608 (512 channels, 3×3 over 512)', async () => {
    const ctx = await testGpu();
    const rng = new Rng(77);
    await checkAgainstTwin(ctx, rng, 512, 4608, gaussian(rng, 512, 4608));
  });

  it('rounds = 0 recomputes σ̃ = ũᵀWṽ without moving ũ, ṽ', async () => {
    const ctx = await testGpu();
    const rng = new Rng(5);
    const [dOut, dIn] = [33, 7];
    const w = gaussian(rng, dOut, dIn);
    const st = createSpectralNormState(ctx, { dOut, dIn, seed: 1 });
    const init = spectralNormInitialVectors(dOut, dIn, 1);
    const wBuf = ctx.buffers.storage('sn.w', dOut * dIn, w);
    await run(ctx, [prepareSpectralNormPowerIteration(ctx, { w: wBuf, ...st, rounds: 0 })]);
    const got = await readState(ctx, st);
    expectClose('sn.rounds0.u', got.u, init.u, { atol: 0, rtol: 0 });
    expectClose('sn.rounds0.v', got.v, init.v, { atol: 0, rtol: 0 });
    const wv = matVec(w, init.v, dOut, dIn);
    const sigma = wv.reduce((acc, x, i) => acc + x * init.u[i], 0);
    expectClose('sn.rounds0.sigma', [got.sigma], [sigma], { atol: 1e-7, rtol: 2e-6 });
  });

  it('forward is apply only: encoding it again leaves ũ, ṽ, σ̃ untouched', async () => {
    const ctx = await testGpu();
    const rng = new Rng(8);
    const [dOut, dIn] = [7, 33];
    const st = createSpectralNormState(ctx, { dOut, dIn, seed: 3 });
    const w = ctx.buffers.storage('sn.w', dOut * dIn, gaussian(rng, dOut, dIn));
    const wBar = ctx.buffers.storage('sn.wBar', dOut * dIn);
    await run(ctx, [prepareSpectralNormPowerIteration(ctx, { w, ...st, rounds: 1 })]);
    const before = await readState(ctx, st);
    const apply = prepareSpectralNormApply(ctx, { w, sigma: st.sigma, wBar, n: dOut * dIn });
    await run(ctx, [apply, apply, apply]); // D(real), D(fake), D inside the G step
    const after = await readState(ctx, st);
    expectClose('sn.forward-only.u', after.u, before.u, { atol: 0, rtol: 0 });
    expectClose('sn.forward-only.v', after.v, before.v, { atol: 0, rtol: 0 });
    expectClose('sn.forward-only.sigma', [after.sigma], [before.sigma], { atol: 0, rtol: 0 });
  });

  it('a warm-up of rounds = 15 is exactly 15 single rounds', async () => {
    const ctx = await testGpu();
    const rng = new Rng(9);
    const [dOut, dIn] = [64, 27];
    const w = ctx.buffers.storage('sn.w', dOut * dIn, gaussian(rng, dOut, dIn));
    const a = createSpectralNormState(ctx, { dOut, dIn, seed: 4, label: 'sn.warm' });
    const b = createSpectralNormState(ctx, { dOut, dIn, seed: 4, label: 'sn.single' });
    await run(ctx, [prepareSpectralNormPowerIteration(ctx, { w, ...a, rounds: 15 })]);
    const single = prepareSpectralNormPowerIteration(ctx, { w, ...b, rounds: 1 });
    for (let r = 0; r < 15; r++) await run(ctx, [single]);
    const [ga, gb] = [await readState(ctx, a), await readState(ctx, b)];
    expectClose('sn.warmup.u', ga.u, gb.u, { atol: 0, rtol: 0 });
    expectClose('sn.warmup.v', ga.v, gb.v, { atol: 0, rtol: 0 });
    expectClose('sn.warmup.sigma', [ga.sigma], [gb.sigma], { atol: 0, rtol: 0 });
  });
});

describe('σ̃ against the exact σ₁ (ml-matrix SVD)', () => {
  it('30 rounds from a fresh ũ reach σ₁ within 1e-4 relative', async () => {
    const ctx = await testGpu();
    const rng = new Rng(31);
    const cases: Array<{ name: string; dOut: number; dIn: number; w: Float32Array }> = [
      { name: 'spectrum', dOut: 64, dIn: 27, w: withSpectrum(rng, 64, 27, SPECTRUM) },
      { name: 'spectrum', dOut: 127, dIn: 257, w: withSpectrum(rng, 127, 257, SPECTRUM) },
      // conv3×3 from 64 to 128 channels in the paper's CNN.
      { name: 'spectrum', dOut: 128, dIn: 576, w: withSpectrum(rng, 128, 576, SPECTRUM) },
      // Plain Gaussians where the gap suffices: the error after k rounds shrinks like (σ₂/σ₁)^{4k},
      // so 30 rounds want σ₂/σ₁ ≲ 0.92. A Gaussian's gap is itself random (64 × 27 draws range
      // over ≈ 0.85–0.96; 127 × 257 sits near 0.98 and needs ~100 rounds), so each case takes
      // the first draw below 0.92 and says how many it took.
      ...[
        [64, 27],
        [33, 7],
      ].map(([dOut, dIn]) => {
        for (let draw = 1; ; draw++) {
          const w = gaussian(rng, dOut, dIn);
          if (exactSigma1(w, dOut, dIn).gap < 0.92 || draw === 100) return { name: `gaussian#${draw}`, dOut, dIn, w };
        }
      }),
    ];
    for (const c of cases) {
      const { s1, gap } = exactSigma1(c.w, c.dOut, c.dIn);
      expect(gap, `${c.name} ${c.dOut}x${c.dIn}: spectral gap`).toBeLessThan(0.92);
      const st = createSpectralNormState(ctx, { dOut: c.dOut, dIn: c.dIn, seed: c.dOut });
      const w = ctx.buffers.storage('sn.w', c.dOut * c.dIn, c.w);
      await run(ctx, [prepareSpectralNormPowerIteration(ctx, { w, ...st, rounds: 30 })]);
      const { sigma } = await readState(ctx, st);
      expectClose(`sn.sigma30.${c.name} ${c.dOut}x${c.dIn} gap=${gap.toFixed(3)}`, [sigma], [s1], {
        atol: 0,
        rtol: 1e-4,
      });
    }
  });

  it('one round per step tracks σ₁ of a drifting W within 1% after 20 steps', async () => {
    const ctx = await testGpu();
    const rng = new Rng(41);
    const cases = [
      { name: 'spectrum', dOut: 127, dIn: 257, w: withSpectrum(rng, 127, 257, SPECTRUM) },
      { name: 'gaussian', dOut: 64, dIn: 27, w: gaussian(rng, 64, 27) },
    ];
    for (const c of cases) {
      const n = c.dOut * c.dIn;
      const w = Float64Array.from(c.w);
      // Per step W moves by 1e-3 of its Frobenius norm in a random direction.
      const drift = 1e-3 * Math.sqrt(w.reduce((acc, x) => acc + x * x, 0) / n);
      const st = createSpectralNormState(ctx, { dOut: c.dOut, dIn: c.dIn, seed: 99 });
      const wBuf = ctx.buffers.storage('sn.w', n);
      const round = prepareSpectralNormPowerIteration(ctx, { w: wBuf, ...st, rounds: 1 });
      const errors: number[] = [];
      for (let t = 0; t <= 25; t++) {
        const wt = Float32Array.from(w);
        ctx.buffers.write(wBuf, wt);
        await run(ctx, [round]);
        const { sigma } = await readState(ctx, st);
        const { s1 } = exactSigma1(wt, c.dOut, c.dIn);
        errors.push((sigma - s1) / s1);
        if (t >= 20)
          expectClose(`sn.track.${c.name} ${c.dOut}x${c.dIn} t=${t}`, [sigma], [s1], { atol: 0, rtol: 1e-2 });
        for (let k = 0; k < n; k++) w[k] += drift * rng.normal();
      }
      // The first estimate from a fresh ũ is poor (why the warm-up exists); it improves after.
      expect(Math.abs(errors[20])).toBeLessThan(Math.abs(errors[0]));
      console.log(`sn.track.${c.name}: relative error by step`, errors.map((e) => e.toExponential(1)).join(' '));
    }
  });
});

describe('twin backward against central finite differences (float64)', () => {
  /** L(W) = Σ G ⊙ W̄(W), W̄ = W / (ũᵀWṽ), with ũ, ṽ held fixed (no gradient through them). */
  function loss(
    w: Float64Array,
    g: ArrayLike<number>,
    u: ArrayLike<number>,
    v: ArrayLike<number>,
    dIn: number,
  ): number {
    const wv = matVec(w, v, u.length, dIn);
    const sigma = wv.reduce((acc, x, i) => acc + x * u[i], 0);
    return spectralNormApply(w, sigma).reduce((acc, x, k) => acc + x * g[k], 0);
  }

  function finiteDifferences(
    w: Float64Array,
    g: ArrayLike<number>,
    u: ArrayLike<number>,
    v: ArrayLike<number>,
    dIn: number,
  ): Float64Array {
    const h = 1e-6;
    return Float64Array.from(w, (x, k) => {
      const plus = Float64Array.from(w);
      const minus = Float64Array.from(w);
      plus[k] = x + h;
      minus[k] = x - h;
      return (loss(plus, g, u, v, dIn) - loss(minus, g, u, v, dIn)) / (2 * h);
    });
  }

  // Central differences with h = 1e-6 on L = O(√n): truncation ~h² and cancellation ~1e-16·|L|/h,
  // both below 1e-8; a wrong term in the formula is off by O(|G|/σ̃) ~ 0.1–1.
  const FD_TOL = { atol: 1e-7, rtol: 1e-6 };

  for (const [dOut, dIn] of [
    [1, 1],
    [7, 5],
    [5, 7],
    [33, 7],
    [12, 27],
  ] as Array<[number, number]>) {
    it(`(g − ⟨g, W̄⟩ ũṽᵀ)/σ̃ on ${dOut}×${dIn}`, () => {
      const rng = new Rng(dOut * 100 + dIn);
      const w = Float64Array.from(gaussian(rng, dOut, dIn));
      const g = rng.normalArray(dOut * dIn);
      const init = spectralNormInitialVectors(dOut, dIn, 6);
      // Two rounds: ũ, ṽ near but not at the singular vectors, as in training.
      const { u, v, sigma } = spectralNormPowerIteration(w, init.u, init.v, dOut, dIn, 2);
      const analytic = spectralNormBackward(g, spectralNormApply(w, sigma), u, v, sigma, dOut, dIn);
      expectClose(`sn.twin.fd ${dOut}x${dIn}`, analytic, finiteDifferences(w, g, u, v, dIn), FD_TOL);
    });
  }

  it('λ must be ⟨g, W̄⟩_F: the ũᵀgṽ variant misses the finite differences', () => {
    // Guards the formula: with λ = ũᵀgṽ the gradient is right only when W̄ = ũṽᵀ (rank one).
    const [dOut, dIn] = [7, 5];
    const rng = new Rng(12);
    const w = Float64Array.from(gaussian(rng, dOut, dIn));
    const g = rng.normalArray(dOut * dIn);
    const init = spectralNormInitialVectors(dOut, dIn, 6);
    const { u, v, sigma } = spectralNormPowerIteration(w, init.u, init.v, dOut, dIn, 2);
    const numeric = finiteDifferences(w, g, u, v, dIn);
    const uGv = matVec(g, v, dOut, dIn).reduce((acc, x, i) => acc + x * u[i], 0);
    const variant = Float64Array.from(g, (x, k) => (x - uGv * u[Math.floor(k / dIn)] * v[k % dIn]) / sigma);
    const worst = Math.max(...variant.map((x, k) => Math.abs(x - numeric[k])));
    expect(worst).toBeGreaterThan(1e-2);
  });
});
