import { describe, it } from 'vitest';
import { prepareMixRows, preparePenaltySeed } from '../../src/gpu/kernels/gradient-penalty';
import { mixRows, penaltySeed } from '../../src/reference/gradient-penalty';
import { Rng } from '../../src/reference/random';
import { expectClose, runAndRead, testGpu } from '../helpers/gpu';

const SHAPES: Array<[number, number]> = [
  [1, 1],
  [7, 2],
  [33, 7],
  [127, 33],
  [64, 1024],
];

describe('gradient penalty kernels against float64 twins', () => {
  it('mix_rows interpolates each row with its own ε', async () => {
    const ctx = await testGpu();
    const rng = new Rng(21);
    for (const [rows, cols] of SHAPES) {
      const real = rng.normalArray(rows * cols);
      const fake = rng.normalArray(rows * cols);
      const eps = rng.uniformArray(rows, 0, 1);
      const out = ctx.buffers.storage('out', rows * cols);
      const kernel = prepareMixRows(ctx, {
        real: ctx.buffers.storage('real', real.length, real),
        fake: ctx.buffers.storage('fake', fake.length, fake),
        eps: ctx.buffers.storage('eps', rows, eps),
        out,
        rows,
        cols,
      });
      const got = await runAndRead(ctx, [kernel], out, rows * cols);
      // Two products and a sum of values ≤ ~4: a few float32 ulps.
      expectClose(`gp.mix ${rows}x${cols}`, got, mixRows(real, fake, eps, rows, cols), { atol: 2e-6, rtol: 1e-6 });
    }
  });

  it('penalty_seed gives R and ∂R/∂g, including zero rows', async () => {
    const ctx = await testGpu();
    const rng = new Rng(22);
    for (const [rows, cols] of SHAPES) {
      const g = rng.normalArray(rows * cols, 1 / Math.sqrt(cols));
      g.fill(0, 0, cols); // a zero row: its seed is 0, its penalty λ/rows
      const seed = ctx.buffers.storage('seed', rows * cols);
      const stats = ctx.buffers.storage('stats', 1);
      const kernel = preparePenaltySeed(ctx, {
        grad: ctx.buffers.storage('g', g.length, g),
        seed,
        stats,
        rows,
        cols,
        lambda: 10,
      });
      const got = await runAndRead(ctx, [kernel], seed, rows * cols);
      const want = penaltySeed(g, rows, cols, 10);
      // Norms are sums of `cols` squares: relative error ~cols·u; the seed inherits it.
      const rtol = 4 * cols * 2 ** -24 + 1e-6;
      expectClose(`gp.seed ${rows}x${cols}`, got, want.seed, { atol: 1e-7, rtol });
      expectClose(`gp.penalty ${rows}x${cols}`, await ctx.buffers.read(stats, 1), [want.penalty], {
        atol: 1e-6,
        rtol: 4 * (rows + cols) * 2 ** -24,
      });
    }
  });

  it('the twin seed matches finite differences of the twin penalty', () => {
    const rng = new Rng(23);
    const [rows, cols] = [5, 3];
    const g = Float64Array.from(rng.normalArray(rows * cols));
    const { seed } = penaltySeed(g, rows, cols, 10);
    const h = 1e-6;
    const numeric = Float64Array.from(g, (_, k) => {
      const plus = Float64Array.from(g);
      const minus = Float64Array.from(g);
      plus[k] += h;
      minus[k] -= h;
      return (penaltySeed(plus, rows, cols, 10).penalty - penaltySeed(minus, rows, cols, 10).penalty) / (2 * h);
    });
    expectClose('gp.seed.fd', seed, numeric, { atol: 1e-7, rtol: 1e-6 });
  });
});
