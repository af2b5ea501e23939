import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CLIP,
  prepareWeightClip,
  prepareWeightNormBackward,
  prepareWeightNormForward,
} from '../../src/gpu/kernels/weight-norm';
import { Rng } from '../../src/reference/random';
import { weightClip, weightNormBackward, weightNormForward } from '../../src/reference/weight-norm';
import { expectClose, runAndRead, testGpu } from '../helpers/gpu';
import { oracleSingularValues } from '../helpers/svd-oracle';

const SHAPES: Array<[number, number]> = [
  [1, 1],
  [7, 33],
  [33, 7],
  [127, 257],
  [64, 27],
  [1, 4608],
  [1000, 3],
  [512, 4608],
];

/** The shape whose row 1 is all zero: W̄'s row is 0 there (norm taken as ε), not NaN. */
const ZERO_ROW_SHAPE = '33x7';

/** Rows at scales from 1e-3 to 1e2, so the division matters. */
function weights(rng: Rng, dOut: number, dIn: number): Float32Array {
  const w = new Float32Array(dOut * dIn);
  for (let i = 0; i < dOut; i++) {
    const scale = `${dOut}x${dIn}` === ZERO_ROW_SHAPE && i === 1 ? 0 : Math.pow(10, -3 + 5 * rng.uniform());
    for (let j = 0; j < dIn; j++) w[i * dIn + j] = scale * rng.normal();
  }
  return w;
}

function sumOfSquares(x: ArrayLike<number>): number {
  let acc = 0;
  for (let k = 0; k < x.length; k++) acc += x[k] * x[k];
  return acc;
}

// W̄ entries are ≤ 1 in size with one float32 division and a norm from a tree sum: ≲ 3 ulps.
const WBAR_TOL = { atol: 1e-7, rtol: 1e-6 };
const NORM_TOL = { atol: 0, rtol: 1e-6 };

describe('weight normalization (gain 1) against the float64 twin', () => {
  it('forward, Σσ²(W̄) = d_out and backward on awkward shapes', async () => {
    const ctx = await testGpu();
    const rng = new Rng(123);
    for (const [dOut, dIn] of SHAPES) {
      const tag = `${dOut}x${dIn}`;
      const n = dOut * dIn;
      const w = weights(rng, dOut, dIn);
      const wBuf = ctx.buffers.storage(`wn.${tag}.w`, n, w);
      const wBar = ctx.buffers.storage(`wn.${tag}.wBar`, n);
      const norms = ctx.buffers.storage(`wn.${tag}.norms`, dOut);
      const gotBar = await runAndRead(
        ctx,
        [prepareWeightNormForward(ctx, { w: wBuf, wBar, norms, dOut, dIn })],
        wBar,
        n,
      );
      const gotNorms = await ctx.buffers.read(norms, dOut);
      const twin = weightNormForward(w, dOut, dIn);
      expectClose(`wn.forward ${tag}`, gotBar, twin.wBar, WBAR_TOL);
      // The zero row's norm is ε = 1e-12 on both sides.
      expectClose(`wn.norms ${tag}`, gotNorms, twin.norms, NORM_TOL);

      // Every row of W̄ is a unit vector, so Σσᵢ²(W̄) = ‖W̄‖²_F = d_out (less the zero row).
      const rows = tag === ZERO_ROW_SHAPE ? dOut - 1 : dOut;
      expectClose(`wn.frobenius² ${tag}`, [sumOfSquares(gotBar)], [rows], { atol: 0, rtol: 1e-6 });
      if (n <= 40_000) {
        const s = oracleSingularValues(gotBar, dOut, dIn);
        expectClose(`wn.Σσ² ${tag}`, [sumOfSquares(s)], [rows], { atol: 0, rtol: 1e-6 });
      }

      const g = rng.normalArray(n);
      const gWbar = ctx.buffers.storage(`wn.${tag}.gWbar`, n, g);
      const gW = ctx.buffers.storage(`wn.${tag}.gW`, n);
      const gotGrad = await runAndRead(
        ctx,
        [prepareWeightNormBackward(ctx, { gWbar, wBar, norms, gW, dOut, dIn })],
        gW,
        n,
      );
      const twinGrad = weightNormBackward(g, gotBar, gotNorms, dOut, dIn);
      // Row i is (g_i − (g_i·W̄_i) W̄_i)/‖W_i‖: the projection cancels much of g_i (nearly all of
      // it when d_in = 3), so float32 errors are ulps of |g| ~ 1, not of the result. Compared in
      // units of 1/‖W_i‖ (entries times ‖W_i‖, which spans 1e-12 on the zero row … ~1e4 here).
      const perNorm = (x: ArrayLike<number>): Float64Array =>
        Float64Array.from({ length: n }, (_, k) => x[k] * gotNorms[Math.floor(k / dIn)]);
      expectClose(`wn.backward·‖W_i‖ ${tag}`, perNorm(gotGrad), perNorm(twinGrad), { atol: 1e-6, rtol: 1e-6 });
      for (const b of [wBuf, wBar, norms, gWbar, gW]) ctx.buffers.destroy(b);
    }
  });

  it('twin backward matches central finite differences of L(W) = Σ G ⊙ W̄(W)', () => {
    const rng = new Rng(4);
    for (const [dOut, dIn] of [
      [1, 1],
      [3, 5],
      [7, 4],
      [12, 27],
    ] as Array<[number, number]>) {
      const w = Float64Array.from(rng.normalArray(dOut * dIn));
      const g = rng.normalArray(dOut * dIn);
      const loss = (x: Float64Array): number =>
        weightNormForward(x, dOut, dIn).wBar.reduce((acc, value, k) => acc + value * g[k], 0);
      const h = 1e-6;
      const numeric = Float64Array.from(w, (x, k) => {
        const plus = Float64Array.from(w);
        const minus = Float64Array.from(w);
        plus[k] = x + h;
        minus[k] = x - h;
        return (loss(plus) - loss(minus)) / (2 * h);
      });
      const { wBar, norms } = weightNormForward(w, dOut, dIn);
      // h² truncation and 1e-16·|L|/h cancellation are both < 1e-8; the projection term alone is O(1).
      expectClose(`wn.twin.fd ${dOut}x${dIn}`, weightNormBackward(g, wBar, norms, dOut, dIn), numeric, {
        atol: 1e-7,
        rtol: 1e-6,
      });
    }
  });
});

describe('weight clipping', () => {
  it('clamps in place to ±c, exactly', async () => {
    const ctx = await testGpu();
    const rng = new Rng(9);
    for (const c of [DEFAULT_CLIP, 0.05]) {
      for (const n of [1, 7, 33, 127, 70_000]) {
        // Mostly inside and outside ±c, plus ±c itself and values one ulp either side of it.
        const w = rng.uniformArray(n, -3 * c, 3 * c);
        const edges = [c, -c, Math.fround(c) * (1 + 2 ** -23), -Math.fround(c) * (1 - 2 ** -24), 0, 10];
        edges.forEach((x, k) => {
          if (k * 5 + 3 < n) w[k * 5 + 3] = x;
        });
        const buf = ctx.buffers.storage('clip.w', n, w);
        const got = await runAndRead(ctx, [prepareWeightClip(ctx, { w: buf, n, c })], buf, n);
        // The shader clamps to f32(c), the value the uniform holds.
        expectClose(`clip c=${c} n=${n}`, got, weightClip(w, Math.fround(c)), { atol: 0, rtol: 0 });
        expect(Math.max(...got.map(Math.abs))).toBeLessThanOrEqual(Math.fround(c));
        ctx.buffers.destroy(buf);
      }
    }
  });
});
