import { describe, it } from 'vitest';
import type { Activation } from '../../src/gpu/activation';
import {
  prepareActivation,
  prepareActivationBackward,
  prepareAxpby,
  prepareScale,
} from '../../src/gpu/kernels/elementwise';
import { activate, activationBackward, activationForward, axpby, scale } from '../../src/reference/elementwise';
import { Rng } from '../../src/reference/random';
import { expectClose, runAndRead, testGpu } from '../helpers/gpu';

const SIZES = [1, 7, 33, 127, 257, 70_000];
const ACTIVATIONS: Activation[] = ['identity', 'relu', 'leaky_relu', 'tanh', 'sigmoid'];
// f32 rounding of one transcendental: a few ulps of values of order 1.
const TOL = { atol: 1e-6, rtol: 1e-5 };

describe('elementwise kernels against float64 twins', () => {
  for (const activation of ACTIVATIONS) {
    it(`${activation} forward and backward on awkward sizes`, async () => {
      const ctx = await testGpu();
      const rng = new Rng(11);
      for (const n of SIZES) {
        // Wide range so sigmoid/tanh saturate on both sides and ReLU sees both signs.
        const x = rng.uniformArray(n, -12, 12);
        const dy = rng.normalArray(n);
        const bx = ctx.buffers.storage('x', n, x);
        const by = ctx.buffers.storage('y', n);
        const bdy = ctx.buffers.storage('dy', n, dy);
        const bdx = ctx.buffers.storage('dx', n);
        const slope = 0.1;
        const y = await runAndRead(ctx, [prepareActivation(ctx, { x: bx, y: by, n, activation, slope })], by, n);
        expectClose(`${activation}.forward n=${n}`, y, activationForward(x, activation, slope), TOL);
        const dx = await runAndRead(
          ctx,
          [prepareActivationBackward(ctx, { y: by, dy: bdy, dx: bdx, n, activation, slope })],
          bdx,
          n,
        );
        expectClose(`${activation}.backward n=${n}`, dx, activationBackward(y, dy, activation, slope), TOL);
      }
    });

    it(`${activation} backward matches finite differences`, () => {
      // The twin's derivative-from-output against a central difference of the twin's forward.
      const rng = new Rng(5);
      const slope = 0.2;
      for (let i = 0; i < 200; i++) {
        const x = rng.uniform() * 8 - 4;
        if (Math.abs(x) < 1e-3) continue; // ReLU kinks
        const h = 1e-6;
        const numeric = (activate(x + h, activation, slope) - activate(x - h, activation, slope)) / (2 * h);
        const analytic = activationBackward([activate(x, activation, slope)], [1], activation, slope)[0];
        expectClose(`${activation}.fd x=${x.toFixed(3)}`, [analytic], [numeric], { atol: 1e-7, rtol: 1e-6 });
      }
    });
  }

  it('axpby and scale on awkward sizes', async () => {
    const ctx = await testGpu();
    const rng = new Rng(3);
    for (const n of SIZES) {
      const a = rng.normalArray(n);
      const b = rng.normalArray(n);
      const ba = ctx.buffers.storage('a', n, a);
      const bb = ctx.buffers.storage('b', n, b);
      const out = ctx.buffers.storage('out', n);
      const got = await runAndRead(ctx, [prepareAxpby(ctx, { n, a: ba, b: bb, out, alpha: 0.75, beta: -2 })], out, n);
      expectClose(`axpby n=${n}`, got, axpby(a, b, 0.75, -2), { atol: 1e-6, rtol: 1e-6 });
      const prior = rng.normalArray(n);
      ctx.buffers.write(out, prior);
      const accumulated = await runAndRead(
        ctx,
        [prepareAxpby(ctx, { n, a: ba, b: bb, out, alpha: 0.75, beta: -2, accumulate: true })],
        out,
        n,
      );
      expectClose(`axpby.accumulate n=${n}`, accumulated, axpby(a, b, 0.75, -2, prior), { atol: 2e-6, rtol: 1e-6 });
      const scaled = await runAndRead(ctx, [prepareScale(ctx, { n, x: ba, y: out, alpha: -3.5 })], out, n);
      expectClose(`scale n=${n}`, scaled, scale(a, -3.5), { atol: 1e-6, rtol: 1e-6 });
    }
  });
});
