import { describe, expect, it } from 'vitest';
import type { GanLossKind } from '../../src/core/loss';
import { LOSS_STATS, prepareDiscriminatorLoss, prepareGeneratorLoss } from '../../src/gpu/kernels/loss';
import { discriminatorLoss, generatorLoss, sigmoid, softplus } from '../../src/reference/loss';
import { Rng } from '../../src/reference/random';
import { expectClose, runAndRead, testGpu } from '../helpers/gpu';

const KINDS: GanLossKind[] = ['standard', 'hinge', 'wgan'];
/** f32 unit roundoff. */
const U = 2 ** -24;
/**
 * Per-logit gradients are one σ (or a constant) divided by N. WGSL allows exp an error of
 * 3 + 2|x| ulp, ≤ 103 ulp for the |logit| ≤ 50 here where σ is not 0 or 1 to f32 precision, plus a
 * few ulp for 1 + e and the division: ≤ 128 ulp relative. Logits of ±100 and ±1000 give σ values
 * that underflow (denormal or 0) on the GPU: atol 1e-30 covers those.
 */
const GRAD_TOL = { atol: 1e-30, rtol: 128 * U };
/**
 * Means of N terms: ≤ 128 roundings along any chain (≤ 4 serial adds per thread at N = 1000, an
 * 8-level tree, a division) gives D·u·mean|term|; softplus adds per term WGSL's log accuracy near 1
 * (absolute 2^-21) and the exp error of e^−|z| (≤ (3 + 2|z|)·u·e^−|z| ≤ 4u): twice, for two means.
 */
const meanTol = (meanAbs: number, log: boolean) => ({
  atol: 128 * U * meanAbs + (log ? 2 * (2 ** -21 + 4 * U) : 0),
  rtol: 0,
});

const SPECIALS = [50, -50, 1, -1, 0, 100, -100, 1000, -1000, 20, -20];

/** Mostly N(0, 4²), a fifth of them from SPECIALS: saturated, far out, exactly on the hinge kinks. */
function logits(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () =>
    rng.uniform() < 0.2 ? SPECIALS[Math.floor(rng.uniform() * SPECIALS.length)] : 4 * rng.normal(),
  );
}

const meanAbsOf = (a: ArrayLike<number>, f: (v: number) => number) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(f(a[i]));
  return s / a.length;
};

function realTerm(kind: GanLossKind, l: number): number {
  return kind === 'standard' ? softplus(-l) : kind === 'hinge' ? Math.max(0, 1 - l) : l;
}
function fakeTerm(kind: GanLossKind, l: number): number {
  return kind === 'standard' ? softplus(l) : kind === 'hinge' ? Math.max(0, 1 + l) : l;
}
const dValue = (kind: GanLossKind, l: number) => (kind === 'standard' ? sigmoid(l) : l);

const PAIRS: Array<[number, number]> = [
  [1, 1],
  [7, 64],
  [64, 7],
  [257, 1000],
  [1000, 257],
  [1, 1000],
];

describe('GAN losses against the float64 twin', () => {
  for (const kind of KINDS) {
    it(`${kind} discriminator loss, gradients and stats`, async () => {
      const ctx = await testGpu();
      const rng = new Rng(41 + KINDS.indexOf(kind));
      const cases: Array<{ real: Float32Array; fake: Float32Array }> = PAIRS.map(([nr, nf]) => ({
        real: logits(rng, nr),
        fake: logits(rng, nf),
      }));
      // Single logits at the extremes, both ways round.
      for (const [r, f] of [
        [50, -50],
        [-50, 50],
        [1000, -1000],
        [-1000, 1000],
      ]) {
        cases.push({ real: Float32Array.of(r), fake: Float32Array.of(f) });
      }
      for (const [index, { real, fake }] of cases.entries()) {
        const nr = real.length;
        const nf = fake.length;
        const statsOffset = index % 2 === 0 ? 0 : 5;
        const b = {
          real: ctx.buffers.storage('real', nr, real),
          fake: ctx.buffers.storage('fake', nf, fake),
          dReal: ctx.buffers.storage('dReal', nr),
          dFake: ctx.buffers.storage('dFake', nf),
          stats: ctx.buffers.storage('stats', 8, [9, 9, 9, 9, 9, 9, 9, 9]),
        };
        const kernel = prepareDiscriminatorLoss(ctx, { ...b, kind, nReal: nr, nFake: nf, statsOffset });
        const stats = await runAndRead(ctx, [kernel], b.stats, 8);
        const [dReal, dFake] = await Promise.all([ctx.buffers.read(b.dReal, nr), ctx.buffers.read(b.dFake, nf)]);
        const want = discriminatorLoss(kind, real, fake);
        const shape = `Nr=${nr} Nf=${nf} [${real[0]}, ${fake[0]}…]`;
        expectClose(`loss.${kind}.D.dReal ${shape}`, dReal, want.dReal, GRAD_TOL);
        expectClose(`loss.${kind}.D.dFake ${shape}`, dFake, want.dFake, GRAD_TOL);
        const lossScale = meanAbsOf(real, (l) => realTerm(kind, l)) + meanAbsOf(fake, (l) => fakeTerm(kind, l));
        expectClose(
          `loss.${kind}.D.loss ${shape}`,
          [stats[statsOffset + LOSS_STATS.loss]],
          [want.loss],
          meanTol(lossScale, kind === 'standard'),
        );
        expectClose(
          `loss.${kind}.D.meanDReal ${shape}`,
          [stats[statsOffset + LOSS_STATS.meanDReal]],
          [want.meanDReal],
          meanTol(
            meanAbsOf(real, (l) => dValue(kind, l)),
            false,
          ),
        );
        expectClose(
          `loss.${kind}.D.meanDFake ${shape}`,
          [stats[statsOffset + LOSS_STATS.meanDFake]],
          [want.meanDFake],
          meanTol(
            meanAbsOf(fake, (l) => dValue(kind, l)),
            false,
          ),
        );
        // Nothing outside the record is touched.
        const outside = Array.from(stats).filter((_, i) => i < statsOffset || i >= statsOffset + LOSS_STATS.length);
        expect(outside.every((v) => v === 9)).toBe(true);
        for (const buffer of Object.values(b)) ctx.buffers.destroy(buffer);
      }
    });

    it(`${kind} generator loss, gradients and stats`, async () => {
      const ctx = await testGpu();
      const rng = new Rng(51 + KINDS.indexOf(kind));
      const batches = [1, 7, 64, 257, 1000].map((n) => logits(rng, n));
      batches.push(Float32Array.of(50), Float32Array.of(-50), Float32Array.of(-1000));
      for (const fake of batches) {
        const nf = fake.length;
        const b = {
          fake: ctx.buffers.storage('fake', nf, fake),
          dFake: ctx.buffers.storage('dFake', nf),
          stats: ctx.buffers.storage('stats', 4, [9, 9, 9, 9]),
        };
        const stats = await runAndRead(ctx, [prepareGeneratorLoss(ctx, { ...b, kind, nFake: nf })], b.stats, 4);
        const dFake = await ctx.buffers.read(b.dFake, nf);
        const want = generatorLoss(kind, fake);
        const shape = `Nf=${nf} [${fake[0]}…]`;
        expectClose(`loss.${kind}.G.dFake ${shape}`, dFake, want.dFake, GRAD_TOL);
        const lossScale = meanAbsOf(fake, (l) => (kind === 'standard' ? softplus(-l) : l));
        expectClose(`loss.${kind}.G.loss ${shape}`, [stats[0]], [want.loss], meanTol(lossScale, kind === 'standard'));
        expect(stats[LOSS_STATS.meanDReal]).toBe(0);
        expectClose(
          `loss.${kind}.G.meanDFake ${shape}`,
          [stats[LOSS_STATS.meanDFake]],
          [want.meanDFake],
          meanTol(
            meanAbsOf(fake, (l) => dValue(kind, l)),
            false,
          ),
        );
        expect(stats[3]).toBe(9);
        for (const buffer of Object.values(b)) ctx.buffers.destroy(buffer);
      }
    });

    it(`${kind} twin gradients match central differences`, () => {
      const rng = new Rng(61 + KINDS.indexOf(kind));
      const h = 1e-5;
      // Central differences in float64: truncation ≤ h²/6·max|L'''| (≤ 1e-11), cancellation
      // ≈ 2e-16·|L|/(2h) ≤ 1e-9 for |L| ≤ 50.
      const tol = { atol: 2e-9, rtol: 1e-6 };
      // |l| ≤ 50 keeps |L| ≤ 50 for the cancellation bound; hinge kinks have no derivative.
      const usable = (l: number) =>
        Math.abs(l) <= 50 && (kind !== 'hinge' || (Math.abs(l - 1) > 10 * h && Math.abs(l + 1) > 10 * h));
      // Redraws until n usable logits: every size below is checked, none skipped.
      const usableLogits = (n: number) => {
        const out: number[] = [];
        while (out.length < n) out.push(...Array.from(logits(rng, n - out.length)).filter(usable));
        return Float64Array.from(out);
      };
      for (const [nr, nf] of [
        [1, 1],
        [3, 5],
        [8, 4],
      ]) {
        const real = usableLogits(nr);
        const fake = usableLogits(nf);
        expect([real.length, fake.length]).toEqual([nr, nf]);
        const central = (f: () => number, arr: Float64Array, i: number) => {
          const keep = arr[i];
          arr[i] = keep + h;
          const up = f();
          arr[i] = keep - h;
          const down = f();
          arr[i] = keep;
          return (up - down) / (2 * h);
        };
        const dLoss = () => discriminatorLoss(kind, real, fake).loss;
        const gLoss = () => generatorLoss(kind, fake).loss;
        const d = discriminatorLoss(kind, real, fake);
        const g = generatorLoss(kind, fake);
        const shape = `Nr=${real.length} Nf=${fake.length}`;
        expectClose(
          `loss.${kind}.fd.D.dReal ${shape}`,
          d.dReal,
          real.map((_, i) => central(dLoss, real, i)),
          tol,
        );
        expectClose(
          `loss.${kind}.fd.D.dFake ${shape}`,
          d.dFake,
          fake.map((_, i) => central(dLoss, fake, i)),
          tol,
        );
        expectClose(
          `loss.${kind}.fd.G.dFake ${shape}`,
          g.dFake,
          fake.map((_, i) => central(gLoss, fake, i)),
          tol,
        );
      }
    });
  }
});
