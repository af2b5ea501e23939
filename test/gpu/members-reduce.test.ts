/**
 * Batched column sums (bias gradients): every pass of the deterministic multi-pass reduction runs
 * all members in one dispatch, each member with its own partials, so each member's sums are
 * bit-identical to the reduction run alone on that member's buffers, within the float64 twin's
 * tolerance (the one test/gpu/reduce.test.ts uses), and nothing outside the members' tensors is
 * written (the partials included: they live in the launcher's own scratch buffers).
 */
import { describe, expect, it } from 'vitest';
import { viewOf } from '../../src/gpu/binding';
import { prepareColumnReduce, type ReduceOptions } from '../../src/gpu/kernels/reduce';
import { columnReduce } from '../../src/reference/reduce';
import { Rng } from '../../src/reference/random';
import { expectClose, testGpu } from '../helpers/gpu';
import { asFloats, runBatchedCase } from '../helpers/member-tensors';

/** f32 unit roundoff. */
const U = 2 ** -24;
/**
 * As reduce.test.ts: with every x (and every accumulated prior) positive, the classic bound
 * |fl(Σ) − Σ| ≤ D·u·Σ|x| is a relative tolerance D·u on every output; D = 160 covers the longest
 * chain of roundings of the shapes here (rows ≤ 1000, default or perThread = 1 plans).
 */
const POSITIVE = { atol: 0, rtol: 160 * U };

/** rows × cols: single-pass and multi-pass plans (1000 rows take two or more passes), awkward widths. */
const SHAPES: Array<[number, number]> = [
  [1, 1],
  [7, 1],
  [1, 7],
  [33, 3],
  [127, 33],
  [1000, 1],
  [1000, 7],
  [7, 127],
];
const COUNTS = [1, 2, 3, 6];

const OPTIONS: Array<[string, ReduceOptions]> = [
  ['sum', {}],
  ['mean, scaled, accumulated', { op: 'mean', scale: 0.75, accumulate: true }],
  ['sum, perThread 1 (more passes)', { perThread: 1 }],
];

function memberData(seed: number, n: number, low: number, high: number) {
  const cache = new Map<number, Float32Array>();
  return (member: number): Float32Array => {
    if (!cache.has(member)) cache.set(member, new Rng(seed * 131 + member).uniformArray(n, low, high));
    return cache.get(member)!;
  };
}

describe('batched column sums', () => {
  for (const [name, options] of OPTIONS) {
    it(`${name}: awkward shapes, 1, 2, 3 and 6 members`, async () => {
      const ctx = await testGpu();
      for (const [rows, cols] of SHAPES) {
        for (const count of COUNTS) {
          const x = memberData(rows * 7 + cols + count, rows * cols, 1, 1.5);
          const prior = memberData(rows + cols * 7 + count, cols, 0, 1);
          const label = `reduce.cols ${name} ${rows}x${cols} members=${count}`;
          const got = await runBatchedCase(ctx, {
            label,
            count,
            args: {
              x: { elements: rows * cols, data: x },
              out: { elements: cols, data: options.accumulate ? prior : () => new Float32Array(cols) },
            },
            prepare: (b, batch) => [prepareColumnReduce(ctx, { ...options, x: b.x, out: b.out, rows, cols }, batch)],
          });
          got.out.forEach((out, m) =>
            expectClose(
              `${label} member ${m}`,
              asFloats(out),
              columnReduce(x(m), rows, cols, {
                op: options.op,
                scale: options.scale,
                accumulateInto: options.accumulate ? prior(m) : undefined,
              }),
              POSITIVE,
            ),
          );
        }
      }
    });
  }

  it('a shared x gives every member the same sums', async () => {
    const ctx = await testGpu();
    const [rows, cols] = [1000, 7];
    const x = memberData(3, rows * cols, 1, 1.5);
    const got = await runBatchedCase(ctx, {
      label: 'reduce.cols shared x',
      count: 6,
      args: {
        x: { elements: rows * cols, data: x, shared: true },
        out: { elements: cols, data: () => new Float32Array(cols) },
      },
      prepare: (b, batch) => [prepareColumnReduce(ctx, { x: b.x, out: b.out, rows, cols }, batch)],
    });
    for (const out of got.out) expect(Array.from(out)).toEqual(Array.from(got.out[0]));
    expectClose('reduce.cols shared x', asFloats(got.out[5]), columnReduce(x(0), rows, cols), POSITIVE);
  });

  it('refuses a bad layout before making anything, naming the argument and member', async () => {
    const ctx = await testGpu();
    const xs = ctx.buffers.storage('layout.x', 64 * 4);
    const outs = ctx.buffers.storage('layout.out', 64 * 2);
    const x = viewOf(xs, 0, 64 * 4);
    const out = viewOf(outs, 0, 64 * 2);
    const made = ctx.buffers.buffersMade;
    const prepare = (offsets: Record<string, number[]>) => () =>
      prepareColumnReduce(ctx, { x, out, rows: 9, cols: 7 }, { count: 2, offsets });
    expect(prepare({ x: [0, 200], out: [0, 64] })).toThrow(/member 1's x \[200, 263\) passes the end/);
    expect(prepare({ x: [0, 64], out: [0, 3] })).toThrow(/members 0 and 1 write overlapping out/);
    // WebGPU refuses a dispatch that writes one range of a buffer and reads another, even disjoint.
    expect(() => prepareColumnReduce(ctx, { x: viewOf(xs, 0, 63), out: viewOf(xs, 256, 7), rows: 9, cols: 7 })).toThrow(
      /out is written, so x \(read\) must lie in another buffer/,
    );
    expect(ctx.buffers.buffersMade).toBe(made);
    ctx.buffers.destroy(xs);
    ctx.buffers.destroy(outs);
  });
});
