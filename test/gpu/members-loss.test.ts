/**
 * Batched GAN losses: one workgroup per member in one dispatch; each member's gradients and
 * statistics record bit-identical to the loss run alone on that member's buffers, within the
 * float64 twin's tolerances (those of test/gpu/loss.test.ts), and nothing outside the members'
 * tensors written.
 */
import { describe, expect, it } from 'vitest';
import { viewOf } from '../../src/gpu/binding';
import type { GanLossKind } from '../../src/core/loss';
import { LOSS_STATS, prepareDiscriminatorLoss, prepareGeneratorLoss } from '../../src/gpu/kernels/loss';
import { discriminatorLoss, generatorLoss, sigmoid, softplus } from '../../src/reference/loss';
import { Rng } from '../../src/reference/random';
import { expectClose, runAndRead, testGpu } from '../helpers/gpu';
import { asFloats, runBatchedCase } from '../helpers/member-tensors';

const KINDS: GanLossKind[] = ['standard', 'hinge', 'wgan'];
const COUNTS = [1, 2, 3, 6];
/** (nReal, nFake): awkward sizes, one logit, and batches several times the workgroup. */
const PAIRS: Array<[number, number]> = [
  [1, 1],
  [7, 33],
  [33, 7],
  [127, 1000],
  [1000, 127],
];
/** f32 unit roundoff. */
const U = 2 ** -24;
/** loss.test.ts: a σ (or a constant) over N, WGSL's exp error included; underflowed σ within 1e-30. */
const GRAD_TOL = { atol: 1e-30, rtol: 128 * U };
/** loss.test.ts: means of N terms, plus WGSL's log accuracy near 1 for softplus. */
const meanTol = (meanAbs: number, log: boolean) => ({
  atol: 128 * U * meanAbs + (log ? 2 * (2 ** -21 + 4 * U) : 0),
  rtol: 0,
});
const SPECIALS = [50, -50, 1, -1, 0, 100, -100, 1000, -1000, 20, -20];

/** loss.test.ts's logits: mostly N(0, 4²), a fifth saturated, far out or on the hinge kinks. */
function logits(seed: number, n: number) {
  const cache = new Map<number, Float32Array>();
  return (member: number): Float32Array => {
    if (!cache.has(member)) {
      const rng = new Rng(seed * 131 + member);
      cache.set(
        member,
        Float32Array.from({ length: n }, () =>
          rng.uniform() < 0.2 ? SPECIALS[Math.floor(rng.uniform() * SPECIALS.length)] : 4 * rng.normal(),
        ),
      );
    }
    return cache.get(member)!;
  };
}
const meanAbsOf = (a: ArrayLike<number>, f: (v: number) => number) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(f(a[i]));
  return s / a.length;
};
const realTerm = (kind: GanLossKind, l: number) =>
  kind === 'standard' ? softplus(-l) : kind === 'hinge' ? Math.max(0, 1 - l) : l;
const fakeTerm = (kind: GanLossKind, l: number) =>
  kind === 'standard' ? softplus(l) : kind === 'hinge' ? Math.max(0, 1 + l) : l;
const dValue = (kind: GanLossKind, l: number) => (kind === 'standard' ? sigmoid(l) : l);
/** A stats record's words before the kernel runs: 9s, so the words before statsOffset show if touched. */
const nines = (n: number) => () => new Float32Array(n).fill(9);

describe('batched GAN losses', () => {
  for (const kind of KINDS) {
    it(`${kind} discriminator: awkward sizes, 1, 2, 3 and 6 members, real per member or shared`, async () => {
      const ctx = await testGpu();
      for (const [nr, nf] of PAIRS) {
        for (const count of COUNTS) {
          for (const sharedReal of [false, true]) {
            const real = logits(nr * 3 + nf + count, nr);
            const fake = logits(nr + nf * 3 + count, nf);
            const statsOffset = count % 2 === 0 ? 2 : 0;
            const label = `loss.${kind}.D Nr=${nr} Nf=${nf} members=${count}${sharedReal ? ' shared real' : ''}`;
            const got = await runBatchedCase(ctx, {
              label,
              count,
              args: {
                real: { elements: nr, data: real, shared: sharedReal },
                fake: { elements: nf, data: fake },
                dReal: { elements: nr, data: () => new Float32Array(nr) },
                dFake: { elements: nf, data: () => new Float32Array(nf) },
                stats: { elements: statsOffset + LOSS_STATS.length, data: nines(statsOffset + LOSS_STATS.length) },
              },
              prepare: (b, batch) => [
                prepareDiscriminatorLoss(
                  ctx,
                  {
                    kind,
                    real: b.real,
                    fake: b.fake,
                    dReal: b.dReal,
                    dFake: b.dFake,
                    stats: b.stats,
                    nReal: nr,
                    nFake: nf,
                    statsOffset,
                  },
                  batch,
                ),
              ],
            });
            for (let m = 0; m < count; m++) {
              const r = real(sharedReal ? 0 : m);
              const f = fake(m);
              const want = discriminatorLoss(kind, r, f);
              const stats = asFloats(got.stats[m]);
              expectClose(`${label} member ${m} dReal`, asFloats(got.dReal[m]), want.dReal, GRAD_TOL);
              expectClose(`${label} member ${m} dFake`, asFloats(got.dFake[m]), want.dFake, GRAD_TOL);
              const lossScale = meanAbsOf(r, (l) => realTerm(kind, l)) + meanAbsOf(f, (l) => fakeTerm(kind, l));
              const at = statsOffset;
              expectClose(
                `${label} member ${m} loss`,
                [stats[at]],
                [want.loss],
                meanTol(lossScale, kind === 'standard'),
              );
              const dTol = (x: Float32Array) =>
                meanTol(
                  meanAbsOf(x, (l) => dValue(kind, l)),
                  false,
                );
              expectClose(`${label} member ${m} meanDReal`, [stats[at + 1]], [want.meanDReal], dTol(r));
              expectClose(`${label} member ${m} meanDFake`, [stats[at + 2]], [want.meanDFake], dTol(f));
              expect(Array.from(stats.subarray(0, at))).toEqual(new Array(at).fill(9));
            }
          }
        }
      }
    });

    it(`${kind} generator: awkward sizes, 1, 2, 3 and 6 members`, async () => {
      const ctx = await testGpu();
      for (const nf of [1, 7, 33, 127, 1000]) {
        for (const count of COUNTS) {
          const fake = logits(nf + count, nf);
          const statsOffset = count % 2 === 0 ? 0 : 1;
          const label = `loss.${kind}.G Nf=${nf} members=${count}`;
          const got = await runBatchedCase(ctx, {
            label,
            count,
            args: {
              fake: { elements: nf, data: fake },
              dFake: { elements: nf, data: () => new Float32Array(nf) },
              stats: { elements: statsOffset + LOSS_STATS.length, data: nines(statsOffset + LOSS_STATS.length) },
            },
            prepare: (b, batch) => [
              prepareGeneratorLoss(
                ctx,
                { kind, fake: b.fake, dFake: b.dFake, stats: b.stats, nFake: nf, statsOffset },
                batch,
              ),
            ],
          });
          for (let m = 0; m < count; m++) {
            const f = fake(m);
            const want = generatorLoss(kind, f);
            const stats = asFloats(got.stats[m]);
            expectClose(`${label} member ${m} dFake`, asFloats(got.dFake[m]), want.dFake, GRAD_TOL);
            const lossScale = meanAbsOf(f, (l) => (kind === 'standard' ? softplus(-l) : l));
            const at = statsOffset;
            expectClose(`${label} member ${m} loss`, [stats[at]], [want.loss], meanTol(lossScale, kind === 'standard'));
            expect(stats[at + LOSS_STATS.meanDReal]).toBe(0);
            expectClose(
              `${label} member ${m} meanDFake`,
              [stats[at + LOSS_STATS.meanDFake]],
              [want.meanDFake],
              meanTol(
                meanAbsOf(f, (l) => dValue(kind, l)),
                false,
              ),
            );
          }
        }
      }
    });
  }

  it('written outputs may share one buffer (disjoint views), and so may the inputs', async () => {
    // The layout a trainer may use: all outputs of the loss in one buffer, all logits in another.
    const ctx = await testGpu();
    const [nr, nf, count] = [7, 33, 2];
    const real = logits(1, nr);
    const fake = logits(2, nf);
    const inputs = ctx.buffers.storage('loss.inputs', 64 * 4);
    const outputs = ctx.buffers.storage('loss.outputs', 64 * 6);
    for (let m = 0; m < count; m++) {
      ctx.buffers.write(inputs, real(m), 64 * m);
      ctx.buffers.write(inputs, fake(m), 128 + 64 * m);
    }
    const kernel = prepareDiscriminatorLoss(
      ctx,
      {
        kind: 'standard',
        real: viewOf(inputs, 0, 128),
        fake: viewOf(inputs, 512, 128),
        dReal: viewOf(outputs, 0, 128),
        dFake: viewOf(outputs, 512, 128),
        stats: viewOf(outputs, 1024, 128),
        nReal: nr,
        nFake: nf,
      },
      { count, offsets: { real: [0, 64], fake: [0, 64], dReal: [0, 64], dFake: [0, 64], stats: [0, 64] } },
    );
    const words = await runAndRead(ctx, [kernel], outputs, 64 * 6);
    for (let m = 0; m < count; m++) {
      const want = discriminatorLoss('standard', real(m), fake(m));
      expectClose(`shared buffers member ${m} dReal`, words.subarray(64 * m, 64 * m + nr), want.dReal, GRAD_TOL);
      expectClose(
        `shared buffers member ${m} dFake`,
        words.subarray(128 + 64 * m, 128 + 64 * m + nf),
        want.dFake,
        GRAD_TOL,
      );
      const r = real(m);
      const f = fake(m);
      const lossScale = meanAbsOf(r, (l) => realTerm('standard', l)) + meanAbsOf(f, (l) => fakeTerm('standard', l));
      expectClose(`shared buffers member ${m} loss`, [words[256 + 64 * m]], [want.loss], meanTol(lossScale, true));
    }
    ctx.buffers.destroy(inputs);
    ctx.buffers.destroy(outputs);
  });

  it('refuses a bad layout before making anything, naming the argument and member', async () => {
    const ctx = await testGpu();
    const inputs = ctx.buffers.storage('layout.inputs', 64 * 4);
    const outputs = ctx.buffers.storage('layout.outputs', 64 * 6);
    const args = {
      kind: 'hinge' as const,
      real: viewOf(inputs, 0, 128),
      fake: viewOf(inputs, 512, 128),
      dReal: viewOf(outputs, 0, 128),
      dFake: viewOf(outputs, 512, 128),
      stats: viewOf(outputs, 1024, 128),
      nReal: 7,
      nFake: 7,
    };
    const made = ctx.buffers.buffersMade;
    const fine = { real: [0, 0], fake: [0, 64], dReal: [0, 64], dFake: [0, 64], stats: [0, 64] };
    const batch = (changed: Record<string, number[]>) => ({ count: 2, offsets: { ...fine, ...changed } });
    expect(() => prepareDiscriminatorLoss(ctx, args, batch({ dFake: [0, 125] }))).toThrow(
      /member 1's dFake \[125, 132\) passes the end/,
    );
    expect(() => prepareDiscriminatorLoss(ctx, args, batch({ stats: [0, 2] }))).toThrow(
      /members 0 and 1 write overlapping stats/,
    );
    expect(() => prepareDiscriminatorLoss(ctx, { ...args, dFake: viewOf(outputs, 256, 16) })).toThrow(
      /dReal and dFake are both written and must not overlap/,
    );
    // WebGPU refuses a dispatch that writes one range of a buffer and reads another, even disjoint.
    expect(() => prepareDiscriminatorLoss(ctx, { ...args, fake: viewOf(outputs, 1280, 16) })).toThrow(
      /is written, so fake \(read\) must lie in another buffer/,
    );
    expect(() =>
      prepareGeneratorLoss(ctx, { ...args, statsOffset: 0 }, { count: 2, offsets: { real: [0, 64] } }),
    ).toThrow(/no member slot "real"/);
    expect(ctx.buffers.buffersMade).toBe(made);
    ctx.buffers.destroy(inputs);
    ctx.buffers.destroy(outputs);
  });
});
