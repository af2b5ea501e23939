/**
 * Batched Adam: one tick and one update dispatch for all members, several optimizer steps in a
 * row; each member's param, m, v and step counter bit-identical to the same steps run alone on
 * that member's own buffers, within the float64 twin's tolerances (those of test/gpu/adam.test.ts),
 * and nothing outside the members' tensors written. Counters per member (each at its own t) or one
 * counter shared by every member (ticked once, unbatched, as a shared counter must be).
 */
import { describe, expect, it } from 'vitest';
import { viewOf, type GpuBinding } from '../../src/gpu/binding';
import type { Kernel } from '../../src/gpu/kernel';
import { prepareAdamTick, prepareAdamUpdate } from '../../src/gpu/kernels/adam';
import type { MemberBatch } from '../../src/gpu/members';
import { adamInit, adamStep, type AdamHyper } from '../../src/reference/adam';
import { Rng } from '../../src/reference/random';
import { expectClose, testGpu } from '../helpers/gpu';
import { asFloats, runBatchedCase } from '../helpers/member-tensors';

const SIZES = [1, 7, 33, 127, 1000];
const COUNTS = [1, 2, 3, 6];
const STEPS = 3;
/** Paper Table 1 setting F (the most aggressive Adam there). */
const HYPER: AdamHyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
// As adam.test.ts: parameters O(1) moving by ~lr per step; moments in units of the gradient scale.
const PARAM_TOL = { atol: 1e-6, rtol: 5e-7 };
const MOMENT_TOL = { atol: 1e-6, rtol: 1e-6 };

/** adam.test.ts's gradients: per-element scales over five decades, every 11th exactly 0. */
function memberGradients(seed: number, n: number) {
  const cache = new Map<number, { scales: Float64Array; grad: Float32Array; param: Float32Array }>();
  return (member: number) => {
    if (!cache.has(member)) {
      const rng = new Rng(seed * 131 + member);
      const scales = Float64Array.from({ length: n }, () => Math.pow(10, -4 + 5 * rng.uniform()));
      const grad = Float32Array.from(scales, (s, i) => (i % 11 === 5 ? 0 : rng.normal() * s));
      cache.set(member, { scales, grad, param: rng.normalArray(n) });
    }
    return cache.get(member)!;
  };
}
const perScale = (x: ArrayLike<number>, scales: Float64Array, power: number) =>
  Float64Array.from(scales, (s, i) => x[i] / Math.pow(s, power));

describe('batched Adam', () => {
  for (const sharedStep of [false, true]) {
    it(`${STEPS} updates, awkward sizes, 1, 2, 3 and 6 members, ${sharedStep ? 'one shared counter' : 'a counter per member'}`, async () => {
      const ctx = await testGpu();
      for (const n of SIZES) {
        for (const count of COUNTS) {
          const data = memberGradients(n + count, n);
          // Members at different t (2 per member) show that each reads its own counter.
          const t0 = (member: number) => (sharedStep ? 5 : 2 * member);
          const label = `adam n=${n} members=${count}${sharedStep ? ' shared step' : ''}`;
          const prepare = (b: Record<string, GpuBinding>, batch?: MemberBatch): Kernel[] => {
            const update = prepareAdamUpdate(
              ctx,
              { param: b.param, grad: b.grad, m: b.m, v: b.v, step: b.step, n, ...HYPER },
              batch,
            );
            // A shared counter is ticked once, unbatched; per-member counters in one batched tick.
            const tick = sharedStep
              ? prepareAdamTick(ctx, { step: b.step })
              : prepareAdamTick(ctx, { step: b.step }, batch && { count, offsets: { step: batch.offsets.step } });
            return [tick, update];
          };
          const got = await runBatchedCase(ctx, {
            label,
            count,
            submits: STEPS,
            args: {
              param: { elements: n, data: (m) => data(m).param },
              grad: { elements: n, data: (m) => data(m).grad },
              m: { elements: n, data: () => new Float32Array(n) },
              v: { elements: n, data: () => new Float32Array(n) },
              step: { elements: 1, data: (m) => Uint32Array.of(t0(m)), shared: sharedStep },
            },
            prepare,
          });
          for (let member = 0; member < count; member++) {
            const { scales, grad, param } = data(member);
            const twin = adamInit(param);
            twin.t = t0(member);
            for (let s = 0; s < STEPS; s++) adamStep(twin, grad, HYPER);
            const at = `${label} member ${member}`;
            expectClose(`${at} param`, asFloats(got.param[member]), twin.param, PARAM_TOL);
            expectClose(
              `${at} m/s`,
              perScale(asFloats(got.m[member]), scales, 1),
              perScale(twin.m, scales, 1),
              MOMENT_TOL,
            );
            expectClose(
              `${at} v/s²`,
              perScale(asFloats(got.v[member]), scales, 2),
              perScale(twin.v, scales, 2),
              MOMENT_TOL,
            );
            expect(got.step[member][0], `${at} t`).toBe(t0(member) + STEPS);
          }
        }
      }
    });
  }

  it('refuses a bad layout before making anything, naming the argument and member', async () => {
    const ctx = await testGpu();
    // What the update writes (param, m, v) in one buffer, what it reads (grad, step) in another.
    const written = ctx.buffers.storage('layout.written', 64 * 8);
    const read = ctx.buffers.storage('layout.read', 64 * 3);
    const w = (block: number, floats: number) => viewOf(written, block * 256, floats);
    const args = {
      param: w(0, 128),
      m: w(2, 128),
      v: w(4, 128),
      grad: viewOf(read, 0, 128),
      step: viewOf(read, 512, 64),
      n: 7,
      ...HYPER,
    };
    const fine = { param: [0, 64], grad: [0, 64], m: [0, 64], v: [0, 64], step: [0, 1] };
    const batch = (changed: Record<string, number[]>) => ({ count: 2, offsets: { ...fine, ...changed } });
    const made = ctx.buffers.buffersMade;
    expect(() => prepareAdamUpdate(ctx, args, batch({ v: [0, 122] }))).toThrow(/member 1's v \[122, 129\) passes/);
    expect(() => prepareAdamUpdate(ctx, args, batch({ step: [0, 64] }))).toThrow(/member 1's step \[64, 65\) passes/);
    expect(() => prepareAdamUpdate(ctx, args, batch({ m: [0, 3] }))).toThrow(/members 0 and 1 write overlapping m/);
    expect(() => prepareAdamUpdate(ctx, { ...args, v: w(3, 16) })).toThrow(
      /m and v are both written and must not overlap/,
    );
    // WebGPU refuses a dispatch that writes one range of a buffer and reads another, even disjoint.
    expect(() => prepareAdamUpdate(ctx, { ...args, grad: w(6, 7) })).toThrow(
      /param is written, so grad \(read\) must lie in another buffer/,
    );
    // Two members on one counter would both add one (and race): a shared counter is ticked unbatched.
    expect(() => prepareAdamTick(ctx, { step: args.step }, { count: 2, offsets: { step: [3, 3] } })).toThrow(
      /members 0 and 1 write overlapping step/,
    );
    expect(() => prepareAdamTick(ctx, { step: args.step }, { count: 2, offsets: { param: [0, 64] } })).toThrow(
      /no member slot "param"/,
    );
    expect(() => prepareAdamUpdate(ctx, { ...args, beta1: 1 }, batch({}))).toThrow(/beta1 must lie in \[0, 1\), got 1/);
    expect(ctx.buffers.buffersMade).toBe(made);
    ctx.buffers.destroy(written);
    ctx.buffers.destroy(read);
  });
});
