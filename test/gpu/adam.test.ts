import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../../src/gpu/device';
import { submitKernels } from '../../src/gpu/kernel';
import {
  createAdamStep,
  prepareAdamTick,
  prepareAdamUpdate,
  readAdamStep,
  resetAdam,
} from '../../src/gpu/kernels/adam';
import { adamInit, adamStep, type AdamHyper } from '../../src/reference/adam';
import { Rng } from '../../src/reference/random';
import { expectClose, testGpu } from '../helpers/gpu';

const SIZES = [1, 7, 33, 127, 70_000];
const STEPS = 6;
// Parameters are O(1) and move by about lr (1e-4 … 1e-3) per step: a wrong index, a wrong
// moment or a bias correction off by one step is off by ≥ 1e-5, while float32 rounding of the
// stored values stays below a few ulps of each (params ≲ 5, so ≤ 1e-6 after six steps).
const PARAM_TOL = { atol: 1e-6, rtol: 5e-7 };
// Moments are compared in units of each element's gradient scale (m / s, v / s²): the moving
// averages of signed gradients cancel, so float32 rounding is a few ulps of s, not of m.
const M_TOL = { atol: 1e-6, rtol: 1e-6 };
const V_TOL = { atol: 1e-6, rtol: 1e-6 };

/** Paper Table 1 settings A and F: the mildest and the most aggressive Adam, plus β1 = 0. */
const SETTINGS: Record<string, AdamHyper> = {
  A: { lr: 1e-4, beta1: 0.5, beta2: 0.9, eps: 1e-8 },
  F: { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  beta1zero: { lr: 2e-4, beta1: 0, beta2: 0.99, eps: 1e-8 },
};

/** Per-element gradient scales over five decades (1e-4 … 10), so ε and the moment ratios matter. */
function gradientScales(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => Math.pow(10, -4 + 5 * rng.uniform()));
}

/** A fresh gradient at the given scales, with every 11th element exactly 0. */
function gradients(rng: Rng, scales: Float64Array): Float32Array {
  return Float32Array.from(scales, (s, i) => (i % 11 === 5 ? 0 : rng.normal() * s));
}

/** m / s and v / s²: moments in units of each element's gradient scale. */
function perScale(x: ArrayLike<number>, scales: Float64Array, power: number): Float64Array {
  return Float64Array.from(scales, (s, i) => x[i] / Math.pow(s, power));
}

async function readAll(ctx: GpuContext, buffers: GPUBuffer[], n: number): Promise<Float32Array[]> {
  return Promise.all(buffers.map((b) => ctx.buffers.read(b, n)));
}

describe('Adam kernel against the float64 twin', () => {
  for (const [name, hyper] of Object.entries(SETTINGS)) {
    it(`setting ${name}: ${STEPS} consecutive updates on awkward sizes`, async () => {
      const ctx = await testGpu();
      const rng = new Rng(42);
      for (const n of SIZES) {
        const init = rng.normalArray(n);
        const scales = gradientScales(rng, n);
        const param = ctx.buffers.storage('adam.param', n, init);
        const grad = ctx.buffers.storage('adam.grad', n);
        const m = ctx.buffers.storage('adam.m', n);
        const v = ctx.buffers.storage('adam.v', n);
        const step = createAdamStep(ctx);
        const tick = prepareAdamTick(ctx, { step });
        const update = prepareAdamUpdate(ctx, { param, grad, m, v, step, n, ...hyper });
        const twin = adamInit(init);
        for (let s = 1; s <= STEPS; s++) {
          const g = gradients(rng, scales);
          ctx.buffers.write(grad, g);
          ctx.device.pushErrorScope('validation');
          submitKernels(ctx, [tick, update], 'adam');
          expect(await ctx.device.popErrorScope()).toBeNull();
          adamStep(twin, g, hyper);
          const [gp, gm, gv] = await readAll(ctx, [param, m, v], n);
          expectClose(`adam.${name}.param n=${n} t=${s}`, gp, twin.param, PARAM_TOL);
          expectClose(`adam.${name}.m/s n=${n} t=${s}`, perScale(gm, scales, 1), perScale(twin.m, scales, 1), M_TOL);
          expectClose(`adam.${name}.v/s² n=${n} t=${s}`, perScale(gv, scales, 2), perScale(twin.v, scales, 2), V_TOL);
        }
        expect(await readAdamStep(ctx, step)).toBe(STEPS);
        for (const b of [param, grad, m, v, step]) ctx.buffers.destroy(b);
      }
    });
  }

  it('bias corrections are float32-exact at any t (the update measured from param = 0)', async () => {
    // Starting from param = 0 the result is −lr·m̂/(√v̂ + ε) itself, so it can be compared with a
    // relative tolerance: an error of 1e-5 in 1 − β^t shows. t = 1 and 2 are where 1 − β2^t is
    // ~1e-3 and a plain 1 − exp(x) would cancel; for β2 = 0.999, t·ln β2 crosses −1 (where the
    // shader switches from its series to exp) between t = 999 and 1000.
    const ctx = await testGpu();
    const rng = new Rng(7);
    const n = 257;
    for (const hyper of [SETTINGS.F, SETTINGS.A]) {
      for (const t of [1, 2, 5, 400, 996, 999, 1000, 1003, 5000]) {
        const scales = gradientScales(rng, n);
        const param = ctx.buffers.storage('adam.param', n);
        const grad = ctx.buffers.storage('adam.grad', n);
        // Moments as a run would have left them: m ~ s/10, v ~ s².
        const m0 = Float32Array.from(scales, (x) => 0.1 * x * rng.normal());
        const v0 = Float32Array.from(scales, (x) => x * x * (0.5 + rng.uniform()));
        const m = ctx.buffers.storage('adam.m', n, m0);
        const v = ctx.buffers.storage('adam.v', n, v0);
        const step = createAdamStep(ctx);
        ctx.device.queue.writeBuffer(step, 0, new Uint32Array([t - 1]));
        const twin = adamInit(new Float64Array(n));
        twin.m.set(m0);
        twin.v.set(v0);
        twin.t = t - 1;
        const g = gradients(rng, scales);
        ctx.buffers.write(grad, g);
        submitKernels(ctx, [
          prepareAdamTick(ctx, { step }),
          prepareAdamUpdate(ctx, { param, grad, m, v, step, n, ...hyper }),
        ]);
        adamStep(twin, g, hyper);
        // A few float32 roundings of the update (≲ 5e-7 relative); atol covers m̂ cancelling to ~0.
        expectClose(`adam.update β2=${hyper.beta2} t=${t}`, await ctx.buffers.read(param, n), twin.param, {
          atol: 1e-10,
          rtol: 2e-6,
        });
        expect(await readAdamStep(ctx, step)).toBe(t);
        for (const b of [param, grad, m, v, step]) ctx.buffers.destroy(b);
      }
    }
  });

  it('one tick serves several tensors; reset restarts t and the moments', async () => {
    const ctx = await testGpu();
    const rng = new Rng(3);
    const hyper = SETTINGS.A;
    const sizes = [33, 7];
    const tensors = sizes.map((n) => {
      const init = rng.normalArray(n);
      return {
        n,
        init,
        scales: gradientScales(rng, n),
        param: ctx.buffers.storage('adam.param', n, init),
        grad: ctx.buffers.storage('adam.grad', n),
        m: ctx.buffers.storage('adam.m', n),
        v: ctx.buffers.storage('adam.v', n),
      };
    });
    const step = createAdamStep(ctx);
    const kernels = [
      prepareAdamTick(ctx, { step }),
      ...tensors.map((x) => prepareAdamUpdate(ctx, { ...x, step, ...hyper })),
    ];
    const twins = tensors.map((x) => adamInit(x.init));
    const run = async (steps: number, tag: string): Promise<void> => {
      for (let s = 0; s < steps; s++) {
        tensors.forEach((x, i) => {
          const g = gradients(rng, x.scales);
          ctx.buffers.write(x.grad, g);
          adamStep(twins[i], g, hyper);
        });
        submitKernels(ctx, kernels, 'adam');
      }
      for (const [i, x] of tensors.entries()) {
        const [gp, gm] = await readAll(ctx, [x.param, x.m], x.n);
        expectClose(`adam.shared.${tag}.param n=${x.n}`, gp, twins[i].param, PARAM_TOL);
        expectClose(
          `adam.shared.${tag}.m/s n=${x.n}`,
          perScale(gm, x.scales, 1),
          perScale(twins[i].m, x.scales, 1),
          M_TOL,
        );
      }
    };
    await run(4, 'before-reset');
    expect(await readAdamStep(ctx, step)).toBe(4);

    resetAdam(ctx, { step, moments: tensors.flatMap((x) => [x.m, x.v]) });
    expect(await readAdamStep(ctx, step)).toBe(0);
    for (const [i, x] of tensors.entries()) {
      expectClose(`adam.reset.m n=${x.n}`, await ctx.buffers.read(x.m, x.n), new Float64Array(x.n), {
        atol: 0,
        rtol: 0,
      });
      twins[i] = adamInit(await ctx.buffers.read(x.param, x.n));
    }
    await run(3, 'after-reset');
    expect(await readAdamStep(ctx, step)).toBe(3);
  });
});
