/**
 * The page's on-demand kernel self-test (its "Kernel self-test" panel): one case per kernel family,
 * run on the visitor's adapter and compared with the float64 twin. Awkward small shapes, so it finishes in a
 * moment even on a software adapter; the thorough checks live in test/gpu.
 */
import { Rng } from '../core/random';
import { GpuBackend } from '../engine/gpu-backend';
import type { GpuContext } from '../gpu/device';
import { submitKernels, type Kernel } from '../gpu/kernel';
import { createAdamStep, prepareAdamTick, prepareAdamUpdate } from '../gpu/kernels/adam';
import { prepareBatchNormForward } from '../gpu/kernels/batchnorm';
import { prepareActivation } from '../gpu/kernels/elementwise';
import { prepareDiscriminatorLoss } from '../gpu/kernels/loss';
import { prepareMatmul } from '../gpu/kernels/matmul';
import { createDrawCounter, prepareDrawTick, prepareNormalDraw } from '../gpu/kernels/random';
import { prepareColumnReduce } from '../gpu/kernels/reduce';
import { prepareSpectralNormPowerIteration } from '../gpu/kernels/spectral-norm';
import { prepareWeightNormForward } from '../gpu/kernels/weight-norm';
import { Conv2d } from '../nn/conv2d';
import { convGeometry, type ConvSpec } from '../nn/conv-layer';
import { adamInit, adamStep } from '../reference/adam';
import { batchNormForward } from '../reference/batchnorm';
import { conv2dForward } from '../reference/conv';
import { normalDraw } from '../reference/counter-rng';
import { activationForward } from '../reference/elementwise';
import { discriminatorLoss } from '../reference/loss';
import { matmulReference } from '../reference/matmul';
import { columnReduce } from '../reference/reduce';
import { spectralNormPowerIteration } from '../reference/spectral-norm';
import { weightNormForward } from '../reference/weight-norm';
import { compare, type Comparison } from './compare';

export interface SelfTestCase {
  family: string;
  name: string;
  run(ctx: GpuContext): Promise<Comparison>;
}

async function runOnGpu(ctx: GpuContext, kernels: Kernel[], out: GPUBuffer, count: number): Promise<Float32Array> {
  submitKernels(ctx, kernels, 'selftest');
  return ctx.buffers.read(out, count);
}

const rng = new Rng(2018);
const input = (label: string, ctx: GpuContext, values: Float32Array) =>
  ctx.buffers.storage(`selftest.${label}`, values.length, values);
const output = (label: string, ctx: GpuContext, n: number) => ctx.buffers.storage(`selftest.${label}`, n);

export const SELF_TEST_CASES: SelfTestCase[] = [
  {
    family: 'elementwise',
    name: 'LeakyReLU(0.1) forward, n = 257',
    async run(ctx) {
      const n = 257;
      const x = rng.uniformArray(n, -4, 4);
      const y = output('y', ctx, n);
      const got = await runOnGpu(
        ctx,
        [prepareActivation(ctx, { x: input('x', ctx, x), y, n, activation: 'leaky_relu', slope: 0.1 })],
        y,
        n,
      );
      return compare(got, activationForward(x, 'leaky_relu', 0.1), { atol: 1e-6, rtol: 1e-6 });
    },
  },
  {
    family: 'matmul',
    name: 'C = A·Bᵀ + bias, tanh; 33×7 · (127×7)ᵀ',
    async run(ctx) {
      const [m, n, k] = [33, 127, 7];
      const a = rng.normalArray(m * k);
      const b = rng.normalArray(n * k);
      const bias = rng.normalArray(n);
      const c = output('c', ctx, m * n);
      const kernel = prepareMatmul(ctx, {
        a: input('a', ctx, a),
        b: input('b', ctx, b),
        c,
        m,
        n,
        k,
        transB: true,
        bias: input('bias', ctx, bias),
        activation: 'tanh',
      });
      const got = await runOnGpu(ctx, [kernel], c, m * n);
      return compare(got, matmulReference(a, b, { m, n, k, transB: true, bias, activation: 'tanh' }), {
        atol: 2e-6,
        rtol: 1e-5,
      });
    },
  },
  {
    family: 'convolution',
    name: 'Conv2d layer as trained (im2col + matmul), 4×4 stride 2 pad 1, 7×9×3 → 5 channels',
    async run(ctx) {
      const spec: ConvSpec = { inH: 7, inW: 9, inC: 3, outC: 5, kh: 4, kw: 4, stride: 2, pad: 1 };
      const batch = 2;
      const x = rng.normalArray(batch * spec.inH * spec.inW * spec.inC);
      const w = rng.normalArray(spec.outC * spec.inC * spec.kh * spec.kw);
      const backend = new GpuBackend(ctx);
      const conv = new Conv2d(backend, 'selftest.conv', spec, { w });
      const trace = conv.trace('selftest.conv', backend.tensor('selftest.conv.x', x.length, x), batch);
      const [got] = await backend.run(trace.forward(), [trace.output]);
      return compare(got, conv2dForward(x, w, undefined, convGeometry(spec, batch)), { atol: 1e-5, rtol: 1e-5 });
    },
  },
  {
    family: 'reductions',
    name: 'column sums of 1000 × 33',
    async run(ctx) {
      const [rows, cols] = [1000, 33];
      const x = rng.uniformArray(rows * cols, 1, 1.5);
      const out = output('out', ctx, cols);
      const got = await runOnGpu(
        ctx,
        [prepareColumnReduce(ctx, { x: input('x', ctx, x), rows, cols, out })],
        out,
        cols,
      );
      return compare(got, columnReduce(x, rows, cols), { atol: 0, rtol: 1e-5 });
    },
  },
  {
    family: 'batch norm',
    name: 'training-mode forward, 127 × 7',
    async run(ctx) {
      const [rows, cols] = [127, 7];
      const x = rng.normalArray(rows * cols);
      const gamma = rng.normalArray(cols);
      const beta = rng.normalArray(cols);
      const y = output('y', ctx, rows * cols);
      const kernel = prepareBatchNormForward(ctx, {
        x: input('x', ctx, x),
        rows,
        cols,
        gamma: input('gamma', ctx, gamma),
        beta: input('beta', ctx, beta),
        y,
        mean: output('mean', ctx, cols),
        invstd: output('invstd', ctx, cols),
      });
      const got = await runOnGpu(ctx, [kernel], y, rows * cols);
      return compare(got, batchNormForward(x, rows, cols, gamma, beta).y, { atol: 1e-5, rtol: 1e-5 });
    },
  },
  {
    family: 'GAN losses',
    name: 'standard D loss gradients, 64 + 64 logits',
    async run(ctx) {
      const n = 64;
      const real = rng.uniformArray(n, -20, 20);
      const fake = rng.uniformArray(n, -20, 20);
      const dReal = output('dReal', ctx, n);
      const kernel = prepareDiscriminatorLoss(ctx, {
        kind: 'standard',
        real: input('real', ctx, real),
        nReal: n,
        fake: input('fake', ctx, fake),
        nFake: n,
        dReal,
        dFake: output('dFake', ctx, n),
        stats: output('stats', ctx, 3),
      });
      const got = await runOnGpu(ctx, [kernel], dReal, n);
      return compare(got, discriminatorLoss('standard', real, fake).dReal, { atol: 1e-9, rtol: 1e-5 });
    },
  },
  {
    family: 'Adam',
    name: 'three updates with bias correction, n = 33',
    async run(ctx) {
      const n = 33;
      const param = rng.normalArray(n);
      const grads = [rng.normalArray(n), rng.normalArray(n), rng.normalArray(n)];
      const hyper = { lr: 1e-3, beta1: 0.5, beta2: 0.999, eps: 1e-8 };
      const p = input('param', ctx, param);
      const g = output('grad', ctx, n);
      const step = createAdamStep(ctx, 'selftest.step');
      const update = prepareAdamUpdate(ctx, {
        param: p,
        grad: g,
        m: output('m', ctx, n),
        v: output('v', ctx, n),
        step,
        n,
        ...hyper,
      });
      const twin = adamInit(param);
      for (const grad of grads) {
        ctx.buffers.write(g, grad);
        submitKernels(ctx, [prepareAdamTick(ctx, { step }), update]);
        adamStep(twin, grad, hyper);
      }
      return compare(await ctx.buffers.read(p, n), twin.param, { atol: 1e-7, rtol: 1e-6 });
    },
  },
  {
    family: 'spectral norm',
    name: 'σ̃ after 5 power-iteration rounds, 64 × 27',
    async run(ctx) {
      const [dOut, dIn] = [64, 27];
      const w = rng.normalArray(dOut * dIn);
      const u0 = rng.normalArray(dOut);
      const v0 = rng.normalArray(dIn);
      const sigma = output('sigma', ctx, 1);
      const kernel = prepareSpectralNormPowerIteration(ctx, {
        w: input('w', ctx, w),
        u: input('u', ctx, u0),
        v: input('v', ctx, v0),
        sigma,
        dOut,
        dIn,
        rounds: 5,
      });
      const got = await runOnGpu(ctx, [kernel], sigma, 1);
      return compare(got, [spectralNormPowerIteration(w, u0, v0, dOut, dIn, 5).sigma], { atol: 0, rtol: 1e-5 });
    },
  },
  {
    family: 'weight norm',
    name: 'rows scaled to unit norm (gain 1), 33 × 127',
    async run(ctx) {
      const [dOut, dIn] = [33, 127];
      const w = rng.normalArray(dOut * dIn);
      const wBar = output('wBar', ctx, dOut * dIn);
      const kernel = prepareWeightNormForward(ctx, {
        w: input('w', ctx, w),
        wBar,
        norms: output('norms', ctx, dOut),
        dOut,
        dIn,
      });
      const got = await runOnGpu(ctx, [kernel], wBar, dOut * dIn);
      return compare(got, weightNormForward(w, dOut, dIn).wBar, { atol: 1e-7, rtol: 1e-5 });
    },
  },
  {
    family: 'random',
    name: 'counter-based normal draws, n = 1000',
    async run(ctx) {
      const n = 1000;
      const counter = createDrawCounter(ctx, 'selftest.counter');
      const out = output('out', ctx, n);
      const got = await runOnGpu(
        ctx,
        [prepareDrawTick(ctx, counter), prepareNormalDraw(ctx, { out, n, seed: 7, stream: 1, counter })],
        out,
        n,
      );
      // WGSL allows cos 2^-11 absolute error; values here are at most ~5.8 in size.
      return compare(got, normalDraw(n, 1, { seed: 7, stream: 1, draw: 1 }), { atol: 3e-3, rtol: 0 });
    },
  },
];
