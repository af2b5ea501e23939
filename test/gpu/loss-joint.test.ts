/**
 * D's loss on a joint batch (shaders/loss.wgsl's discriminator_joint): the real logits and then
 * the fake ones in one array, their gradients in another. The trainer uses it when D sees the real
 * and generated batches in one pass; it must give exactly the gradients and statistics the loss
 * on separate halves gives (bit for bit: the same loops and tree), alone and batched over members.
 */
import { describe, expect, it } from 'vitest';
import type { GanLossKind } from '../../src/core/loss';
import { viewOf } from '../../src/gpu/binding';
import { submitKernels } from '../../src/gpu/kernel';
import { prepareDiscriminatorLoss, prepareJointDiscriminatorLoss } from '../../src/gpu/kernels/loss';
import { Rng } from '../../src/reference/random';
import { testGpu } from '../helpers/gpu';

const KINDS: GanLossKind[] = ['standard', 'hinge', 'wgan'];
/** Floats between members: 256-byte aligned, and more than any member's 2n here so they never touch. */
const SLOT = 2048 + 64;
const SENTINEL = Math.fround(1e30);

async function read(ctx: Awaited<ReturnType<typeof testGpu>>, buffer: GPUBuffer, n: number): Promise<number[]> {
  return Array.from(await ctx.buffers.read(buffer, n));
}

describe('D’s loss on a joint batch', () => {
  it.each(KINDS)('%s: the same gradients and statistics as on the halves, alone and for 3 members', async (kind) => {
    const ctx = await testGpu();
    const rng = new Rng(7);
    for (const n of [1, 7, 33, 127, 1000]) {
      const members = 3;
      const logits = new Float32Array(members * SLOT).fill(SENTINEL);
      for (let m = 0; m < members; m++) {
        for (let i = 0; i < 2 * n; i++) logits[m * SLOT + i] = rng.uniform() < 0.1 ? 0 : 6 * rng.normal();
      }
      const jointLogits = ctx.buffers.storage('joint.logits', logits.length, logits);
      const jointGrads = ctx.buffers.storage(
        'joint.grads',
        logits.length,
        new Float32Array(logits.length).fill(SENTINEL),
      );
      const jointStats = ctx.buffers.storage('joint.stats', members * 64);
      const offsets = Array.from({ length: members }, (_, m) => m * SLOT);
      submitKernels(ctx, [
        prepareJointDiscriminatorLoss(
          ctx,
          { kind, logits: jointLogits, nReal: n, nFake: n, grads: jointGrads, stats: jointStats },
          { count: members, offsets: { real: offsets, dReal: offsets, stats: offsets.map((_, m) => m * 64) } },
        ),
      ]);
      const grads = await read(ctx, jointGrads, logits.length);
      const stats = await read(ctx, jointStats, members * 64);
      for (let m = 0; m < members; m++) {
        // The same member on separate halves, each in a buffer of its own.
        const part = (from: number) => logits.subarray(m * SLOT + from, m * SLOT + from + n);
        const real = ctx.buffers.storage('real', n, part(0));
        const fake = ctx.buffers.storage('fake', n, part(n));
        const dReal = ctx.buffers.storage('dReal', n);
        const dFake = ctx.buffers.storage('dFake', n);
        const s = ctx.buffers.storage('stats', 3);
        submitKernels(ctx, [
          prepareDiscriminatorLoss(ctx, { kind, real, nReal: n, fake, nFake: n, dReal, dFake, stats: s }),
        ]);
        const label = `${kind} n=${n} member ${m}`;
        expect(grads.slice(m * SLOT, m * SLOT + 2 * n), label).toEqual([
          ...(await read(ctx, dReal, n)),
          ...(await read(ctx, dFake, n)),
        ]);
        expect(stats.slice(m * 64, m * 64 + 3), label).toEqual(await read(ctx, s, 3));
        expect(stats.slice(m * 64, m * 64 + 3).every(Number.isFinite), label).toBe(true);
        // Nothing written past the member's 2n gradients.
        expect(
          grads.slice(m * SLOT + 2 * n, (m + 1) * SLOT).every((v) => v === SENTINEL),
          label,
        ).toBe(true);
        for (const b of [real, fake, dReal, dFake, s]) ctx.buffers.destroy(b);
      }
      for (const b of [jointLogits, jointGrads, jointStats]) ctx.buffers.destroy(b);
    }
  });

  it('works on a view at a non-zero offset', async () => {
    const ctx = await testGpu();
    const buffer = ctx.buffers.storage(
      'joint.view',
      256,
      Float32Array.from({ length: 256 }, (_, i) => Math.sin(i)),
    );
    const grads = ctx.buffers.storage('joint.view.grads', 256);
    const stats = ctx.buffers.storage('joint.view.stats', 4);
    const view = viewOf(buffer, 256, 14);
    submitKernels(ctx, [
      prepareJointDiscriminatorLoss(ctx, {
        kind: 'hinge',
        logits: view,
        nReal: 7,
        nFake: 7,
        grads: viewOf(grads, 512, 14),
        stats,
      }),
    ]);
    const g = await read(ctx, grads, 256);
    // hinge: −1/7 where a real logit is below 1 (sin values are), 1/7 where a fake one is above −1.
    const expected = Array.from({ length: 14 }, (_, i) => {
      const l = Math.fround(Math.sin(64 + i));
      return i < 7 ? (l < 1 ? Math.fround(-1 / 7) : 0) : l > -1 ? Math.fround(1 / 7) : 0;
    });
    expect(g.slice(128, 142)).toEqual(expected);
    expect(g.slice(0, 128).every((v) => v === 0) && g.slice(142).every((v) => v === 0)).toBe(true);
  });
});
