/**
 * Batched elementwise kernels (activation forward/backward, axpby): one dispatch for all members,
 * each member's result bit-identical to the kernel run alone on that member's own buffers, within
 * the float64 twin's tolerance (the one test/gpu/elementwise.test.ts uses), and nothing outside the
 * members' tensors written.
 */
import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/gpu/activation';
import { viewOf } from '../../src/gpu/binding';
import { prepareActivation, prepareActivationBackward, prepareAxpby } from '../../src/gpu/kernels/elementwise';
import { activationBackward, activationForward, axpby } from '../../src/reference/elementwise';
import { Rng } from '../../src/reference/random';
import { expectClose, testGpu } from '../helpers/gpu';
import { asFloats, runBatchedCase } from '../helpers/member-tensors';

const SIZES = [1, 7, 33, 127, 1000];
const COUNTS = [1, 2, 3, 6];
const ACTIVATIONS: Activation[] = ['identity', 'relu', 'leaky_relu', 'tanh', 'sigmoid'];
// As in elementwise.test.ts: f32 rounding of one transcendental, a few ulps of values of order 1.
const TOL = { atol: 1e-6, rtol: 1e-5 };
const SLOPE = 0.1;

/** Deterministic per-member data: member m of a case gets its own stream. */
function memberData(seed: number, n: number, draw: (rng: Rng, n: number) => Float32Array) {
  const cache = new Map<number, Float32Array>();
  return (member: number): Float32Array => {
    if (!cache.has(member)) cache.set(member, draw(new Rng(seed * 131 + member), n));
    return cache.get(member)!;
  };
}
const wide = (rng: Rng, n: number) => rng.uniformArray(n, -12, 12);
const normal = (rng: Rng, n: number) => rng.normalArray(n);

describe('batched elementwise kernels', () => {
  it('activation forward: every activation, awkward sizes, 1, 2, 3 and 6 members', async () => {
    const ctx = await testGpu();
    for (const activation of ACTIVATIONS) {
      for (const count of COUNTS) {
        for (const n of SIZES) {
          const x = memberData(n + count, n, wide);
          const got = await runBatchedCase(ctx, {
            label: `activation.${activation} n=${n} members=${count}`,
            count,
            args: { x: { elements: n, data: x }, y: { elements: n, data: () => new Float32Array(n) } },
            prepare: (b, batch) => [prepareActivation(ctx, { x: b.x, y: b.y, n, activation, slope: SLOPE }, batch)],
          });
          got.y.forEach((y, m) =>
            expectClose(
              `activation.${activation} n=${n} member ${m}/${count}`,
              asFloats(y),
              activationForward(x(m), activation, SLOPE),
              TOL,
            ),
          );
        }
      }
    }
  });

  it('activation backward: every activation, awkward sizes, 1, 2, 3 and 6 members', async () => {
    const ctx = await testGpu();
    for (const activation of ACTIVATIONS) {
      for (const count of COUNTS) {
        for (const n of SIZES) {
          // y as the forward would leave it (so tanh/sigmoid outputs lie in their ranges).
          const y = memberData(n + count, n, (rng, k) =>
            Float32Array.from(activationForward(wide(rng, k), activation, SLOPE)),
          );
          const dy = memberData(n + count + 1000, n, normal);
          const got = await runBatchedCase(ctx, {
            label: `activation.${activation}.backward n=${n} members=${count}`,
            count,
            args: {
              y: { elements: n, data: y },
              dy: { elements: n, data: dy },
              dx: { elements: n, data: () => new Float32Array(n) },
            },
            prepare: (b, batch) => [
              prepareActivationBackward(ctx, { y: b.y, dy: b.dy, dx: b.dx, n, activation, slope: SLOPE }, batch),
            ],
          });
          got.dx.forEach((dx, m) =>
            expectClose(
              `activation.${activation}.backward n=${n} member ${m}/${count}`,
              asFloats(dx),
              activationBackward(y(m), dy(m), activation, SLOPE),
              TOL,
            ),
          );
        }
      }
    }
  });

  for (const accumulate of [false, true]) {
    it(`axpby${accumulate ? ' accumulate' : ''}: awkward sizes, 1, 2, 3 and 6 members, b per member or shared`, async () => {
      const ctx = await testGpu();
      for (const count of COUNTS) {
        for (const n of SIZES) {
          for (const sharedB of [false, true]) {
            const a = memberData(n + count, n, normal);
            const b = memberData(n + count + 1000, n, normal);
            const prior = memberData(n + count + 2000, n, normal);
            const got = await runBatchedCase(ctx, {
              label: `axpby${accumulate ? '.accumulate' : ''} n=${n} members=${count}${sharedB ? ' shared b' : ''}`,
              count,
              args: {
                a: { elements: n, data: a },
                b: { elements: n, data: b, shared: sharedB },
                out: { elements: n, data: accumulate ? prior : () => new Float32Array(n) },
              },
              prepare: (v, batch) => [
                prepareAxpby(ctx, { n, a: v.a, b: v.b, out: v.out, alpha: 0.75, beta: -2, accumulate }, batch),
              ],
            });
            got.out.forEach((out, m) =>
              expectClose(
                `axpby n=${n} member ${m}/${count}`,
                asFloats(out),
                axpby(a(m), b(sharedB ? 0 : m), 0.75, -2, accumulate ? prior(m) : undefined),
                // As elementwise.test.ts: the accumulate adds one more rounding of a value of order 1.
                { atol: accumulate ? 2e-6 : 1e-6, rtol: 1e-6 },
              ),
            );
          }
        }
      }
    });
  }

  it('a shared x gives every member the same y', async () => {
    const ctx = await testGpu();
    const n = 127;
    const x = memberData(7, n, wide);
    const got = await runBatchedCase(ctx, {
      label: 'activation.tanh shared x',
      count: 6,
      args: { x: { elements: n, data: x, shared: true }, y: { elements: n, data: () => new Float32Array(n) } },
      prepare: (b, batch) => [prepareActivation(ctx, { x: b.x, y: b.y, n, activation: 'tanh' }, batch)],
    });
    for (const y of got.y) expect(Array.from(y)).toEqual(Array.from(got.y[0]));
    expectClose('activation.tanh shared x', asFloats(got.y[5]), activationForward(x(0), 'tanh'), TOL);
  });

  it('refuses a bad layout before making anything, naming the argument and member', async () => {
    const ctx = await testGpu();
    const n = 33;
    const xs = ctx.buffers.storage('layout.x', 64 * 4);
    const ys = ctx.buffers.storage('layout.y', 64 * 4);
    const x = viewOf(xs, 0, 64 * 3);
    const y = viewOf(ys, 0, 64 * 3);
    const made = ctx.buffers.buffersMade;
    const prepare =
      (offsets: Record<string, number[]>, count = 3) =>
      () =>
        prepareActivation(ctx, { x, y, n, activation: 'relu' }, { count, offsets });
    // Member 2's y would run from 160 to 193, past the 192 floats bound.
    expect(prepare({ x: [0, 64, 128], y: [0, 64, 160] })).toThrow(/member 2's y \[160, 193\) passes the end/);
    // Two members writing one range would overwrite each other.
    expect(prepare({ x: [0, 64, 128], y: [0, 20, 128] })).toThrow(/members 0 and 1 write overlapping y/);
    // WebGPU refuses a dispatch that writes one range of a buffer and reads another, even disjoint.
    expect(() => prepareActivation(ctx, { x, y: viewOf(xs, 768, 33), n, activation: 'relu' })).toThrow(
      /y is written, so x \(read\) must lie in another buffer/,
    );
    expect(prepare({ x: [0, 64, 128], z: [0, 0, 0] })).toThrow(/no member slot "z"/);
    expect(prepare({ x: [0, 64] })).toThrow(/2 offsets for "x", the batch has 3 members/);
    expect(prepare({}, 9)).toThrow(/1 to 8 members, got 9/);
    // Unbatched, a view too small for n.
    expect(() => prepareAxpby(ctx, { n: 100, a: x, b: x, out: viewOf(ys, 0, 64), alpha: 1, beta: 1 })).toThrow(
      /out holds 64 elements, the kernel reaches 100/,
    );
    expect(ctx.buffers.buffersMade).toBe(made);
    ctx.buffers.destroy(xs);
    ctx.buffers.destroy(ys);
  });
});
