import { describe, expect, it } from 'vitest';
import {
  prepareColumnReduce,
  prepareRowReduce,
  prepareSquaredNorm,
  prepareSum,
  type ReduceOptions,
} from '../../src/gpu/kernels/reduce';
import { columnReduce, rowReduce, squaredNorm, totalReduce } from '../../src/reference/reduce';
import { Rng } from '../../src/reference/random';
import { expectClose, runAndRead, testGpu } from '../helpers/gpu';

/** f32 unit roundoff. */
const U = 2 ** -24;
/**
 * Longest chain of f32 roundings any output goes through, for the shapes here (reduced axis
 * ≤ 65536, default perThread = 32), plus rounding 1/n and the scale, the square and the
 * accumulate add (4): with the GPU profile's 256-thread workgroups ≤ 3 passes × (32 serial adds
 * + 8 tree adds) + 4 = 124; with the software profile's 16 threads ≤ 4 passes × (32 + 4) + 4 =
 * 148. The classic bound |fl(Σ) − Σ| ≤ γ_D · Σ|x_i| ≈ D·u·Σ|x_i| then holds with D = 160 (with
 * perThread = 1 a pass is ≤ 9 roundings, so the forced multi-pass plans stay inside it too).
 * 160·u = 9.5e-6 still sits below the 1.02e-5 relative change of dropping one term of 65536.
 */
const D = 160;
/**
 * With every x in [1, 1.5), Σ|x| = Σx, so the bound above is a relative tolerance D·u
 * ≈ 9.5e-6 on every sum, mean or sum of squares. It catches a single dropped or doubled term
 * (an off-by-one at a chunk edge): that moves a K-term sum by ≥ 1, i.e. by ≥ 1/(1.5·K) ≥ 1.0e-5
 * relative for K ≤ 65536; a transposed or wrong-column index moves it much more.
 */
const POSITIVE = { atol: 0, rtol: D * U };

const COLUMN_SHAPES: Array<[number, number]> = [
  [1, 1],
  [7, 1],
  [1, 7],
  [33, 3],
  [127, 33],
  [257, 64],
  [64, 1],
  [7, 257],
  [65536, 3],
  [65536, 64],
];
const ROW_SHAPES: Array<[number, number]> = [
  [1, 1],
  [1, 7],
  [7, 1],
  [3, 33],
  [33, 127],
  [64, 257],
  [257, 7],
  [3, 65536],
  [65536, 3],
];
const VECTOR_SIZES = [1, 7, 33, 127, 257, 65536];

describe('reduction kernels against float64 twins', () => {
  it('column sums and means on awkward shapes, and repeatable bit for bit', async () => {
    const ctx = await testGpu();
    const rng = new Rng(21);
    for (const [rows, cols] of COLUMN_SHAPES) {
      const x = rng.uniformArray(rows * cols, 1, 1.5);
      const bx = ctx.buffers.storage('x', rows * cols, x);
      const out = ctx.buffers.storage('out', cols);
      const sums = await runAndRead(ctx, [prepareColumnReduce(ctx, { x: bx, rows, cols, out })], out, cols);
      expectClose(`reduce.cols.sum ${rows}x${cols}`, sums, columnReduce(x, rows, cols), POSITIVE);
      const again = await runAndRead(ctx, [prepareColumnReduce(ctx, { x: bx, rows, cols, out })], out, cols);
      expect(Array.from(again), `reduce.cols.sum ${rows}x${cols} repeatable`).toEqual(Array.from(sums));
      const means = await runAndRead(
        ctx,
        [prepareColumnReduce(ctx, { x: bx, rows, cols, out, op: 'mean' })],
        out,
        cols,
      );
      expectClose(`reduce.cols.mean ${rows}x${cols}`, means, columnReduce(x, rows, cols, { op: 'mean' }), POSITIVE);
      ctx.buffers.destroy(bx);
    }
  });

  it('row sums and means on awkward shapes', async () => {
    const ctx = await testGpu();
    const rng = new Rng(22);
    for (const [rows, cols] of ROW_SHAPES) {
      const x = rng.uniformArray(rows * cols, 1, 1.5);
      const bx = ctx.buffers.storage('x', rows * cols, x);
      const out = ctx.buffers.storage('out', rows);
      const sums = await runAndRead(ctx, [prepareRowReduce(ctx, { x: bx, rows, cols, out })], out, rows);
      expectClose(`reduce.rows.sum ${rows}x${cols}`, sums, rowReduce(x, rows, cols), POSITIVE);
      const means = await runAndRead(ctx, [prepareRowReduce(ctx, { x: bx, rows, cols, out, op: 'mean' })], out, rows);
      expectClose(`reduce.rows.mean ${rows}x${cols}`, means, rowReduce(x, rows, cols, { op: 'mean' }), POSITIVE);
      ctx.buffers.destroy(bx);
    }
  });

  it('sum, mean and squared norm of vectors', async () => {
    const ctx = await testGpu();
    const rng = new Rng(23);
    const out = ctx.buffers.storage('out', 1);
    for (const n of VECTOR_SIZES) {
      const x = rng.uniformArray(n, 1, 1.5);
      const bx = ctx.buffers.storage('x', n, x);
      const sum = await runAndRead(ctx, [prepareSum(ctx, { x: bx, n, out })], out, 1);
      expectClose(`reduce.all.sum n=${n}`, sum, totalReduce(x), POSITIVE);
      const mean = await runAndRead(ctx, [prepareSum(ctx, { x: bx, n, out, op: 'mean' })], out, 1);
      expectClose(`reduce.all.mean n=${n}`, mean, totalReduce(x, { op: 'mean' }), POSITIVE);
      const norm = await runAndRead(ctx, [prepareSquaredNorm(ctx, { x: bx, n, out })], out, 1);
      expectClose(`reduce.squaredNorm n=${n}`, norm, [squaredNorm(x)], POSITIVE);
      ctx.buffers.destroy(bx);
    }
  });

  it('multi-pass plans (perThread = 1) agree with the twin', async () => {
    const ctx = await testGpu();
    const rng = new Rng(24);
    const cases: Array<{ what: string; rows: number; cols: number }> = [
      // cols: WG_K = 64 → 65536 → 1024 → 16 → 1 (3 passes); rows: WG_K = 256 → 20000 → 79 → 1;
      // all: 70001 → 274 → 2 → 1.
      { what: 'cols', rows: 65536, cols: 3 },
      { what: 'rows', rows: 3, cols: 20000 },
      { what: 'all', rows: 70001, cols: 1 },
    ];
    for (const { what, rows, cols } of cases) {
      const n = rows * cols;
      const x = rng.uniformArray(n, 1, 1.5);
      const bx = ctx.buffers.storage('x', n, x);
      const size = what === 'cols' ? cols : what === 'rows' ? rows : 1;
      const out = ctx.buffers.storage('out', size);
      const opts: ReduceOptions = { perThread: 1, op: 'mean', square: true };
      const kernel =
        what === 'cols'
          ? prepareColumnReduce(ctx, { x: bx, rows, cols, out, ...opts })
          : what === 'rows'
            ? prepareRowReduce(ctx, { x: bx, rows, cols, out, ...opts })
            : prepareSum(ctx, { x: bx, n, out, ...opts });
      const got = await runAndRead(ctx, [kernel], out, size);
      const twin =
        what === 'cols'
          ? columnReduce(x, rows, cols, opts)
          : what === 'rows'
            ? rowReduce(x, rows, cols, opts)
            : totalReduce(x, opts);
      expectClose(`reduce.${what}.meanSquares.multipass ${rows}x${cols}`, got, twin, POSITIVE);
      ctx.buffers.destroy(bx);
    }
  });

  it('scale and accumulate into existing contents, on signed data', async () => {
    const ctx = await testGpu();
    const rng = new Rng(25);
    for (const [rows, cols] of [
      [127, 33],
      [4096, 64],
      [64, 1],
    ] as Array<[number, number]>) {
      const x = rng.normalArray(rows * cols);
      const before = rng.normalArray(Math.max(rows, cols));
      const bx = ctx.buffers.storage('x', rows * cols, x);
      const scale = -0.75;
      for (const axis of ['cols', 'rows'] as const) {
        const size = axis === 'cols' ? cols : rows;
        const prior = before.subarray(0, size);
        const out = ctx.buffers.storage('out', size, prior);
        const args = { x: bx, rows, cols, out, scale, accumulate: true };
        const kernel = axis === 'cols' ? prepareColumnReduce(ctx, args) : prepareRowReduce(ctx, args);
        const got = await runAndRead(ctx, [kernel], out, size);
        const want =
          axis === 'cols'
            ? columnReduce(x, rows, cols, { scale, accumulateInto: prior })
            : rowReduce(x, rows, cols, { scale, accumulateInto: prior });
        // Signed terms: the same D·u bound, now on |scale|·Σ|x| + |prior| of the worst output.
        const abs =
          axis === 'cols' ? columnReduce(x.map(Math.abs), rows, cols) : rowReduce(x.map(Math.abs), rows, cols);
        const bound = Math.max(...abs.map((s, j) => Math.abs(scale) * s + Math.abs(prior[j])));
        expectClose(`reduce.${axis}.scaleAccumulate ${rows}x${cols}`, got, want, { atol: D * U * bound, rtol: 0 });
      }
      ctx.buffers.destroy(bx);
    }
  });
});
