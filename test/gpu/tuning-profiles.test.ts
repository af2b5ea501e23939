/**
 * Kernel tuning profiles (src/gpu/tuning.ts). On SwiftShader every other kernel test runs the
 * software profile, so this file forces the OTHER one — GPU_TUNING, the design for real GPUs — and
 * runs one representative case per kernel family against the float64 twins, with the tolerances
 * of the family tests, so CI keeps covering the GPU profile's code paths (256-thread trees, 64×64
 * matmul tiles, split-K, the 32×8 mat_t_vec). On a real GPU it checks GPU_TUNING once more.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { summarizeAdapter } from '../../src/gpu/device';
import { submitKernels } from '../../src/gpu/kernel';
import { createAdamStep, prepareAdamTick, prepareAdamUpdate } from '../../src/gpu/kernels/adam';
import { prepareBatchNormBackward, prepareBatchNormForward } from '../../src/gpu/kernels/batchnorm';
import { conv2dSizes, patchGrid } from '../../src/core/conv-geometry';
import { GpuBackend } from '../../src/engine/gpu-backend';
import { prepareIm2col } from '../../src/gpu/kernels/conv';
import { prepareActivation, prepareAxpby } from '../../src/gpu/kernels/elementwise';
import { prepareDiscriminatorLoss, prepareGeneratorLoss, LOSS_STATS } from '../../src/gpu/kernels/loss';
import { chooseSplits, prepareMatmul } from '../../src/gpu/kernels/matmul';
import { prepareColumnReduce, prepareRowReduce } from '../../src/gpu/kernels/reduce';
import {
  createSpectralNormState,
  prepareSpectralNormApply,
  prepareSpectralNormBackward,
  prepareSpectralNormPowerIteration,
} from '../../src/gpu/kernels/spectral-norm';
import { prepareWeightNormBackward, prepareWeightNormForward } from '../../src/gpu/kernels/weight-norm';
import { GPU_TUNING, PROFILE_ENV, SOFTWARE_TUNING, checkTuning, tuningFor } from '../../src/gpu/tuning';
import { adamInit, adamStep } from '../../src/reference/adam';
import { batchNormBackward, batchNormForward } from '../../src/reference/batchnorm';
import { conv2dForward, im2col } from '../../src/reference/conv';
import { activationForward, axpby } from '../../src/reference/elementwise';
import { discriminatorLoss, generatorLoss, sigmoid, softplus } from '../../src/reference/loss';
import { matmulReference } from '../../src/reference/matmul';
import { Rng } from '../../src/reference/random';
import { columnReduce, rowReduce } from '../../src/reference/reduce';
import {
  spectralNormApply,
  spectralNormBackward,
  spectralNormInitialVectors,
  spectralNormPowerIteration,
} from '../../src/reference/spectral-norm';
import { weightNormBackward, weightNormForward } from '../../src/reference/weight-norm';
import { Conv2d } from '../../src/nn/conv2d';
import { expectClose, runAndRead, testGpu, type Tolerance } from '../helpers/gpu';

const U = 2 ** -24;
const gpuProfile = () => testGpu(GPU_TUNING);
const maxAbs = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};
const abs = (v: ArrayLike<number>): Float64Array => Float64Array.from(v, Math.abs);

describe('tuningFor', () => {
  const saved = process.env[PROFILE_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[PROFILE_ENV];
    else process.env[PROFILE_ENV] = saved;
  });
  const swiftshader = summarizeAdapter(
    {
      vendor: 'google',
      architecture: 'swiftshader',
      device: '',
      description: 'SwiftShader Device (Subzero)',
    } as GPUAdapterInfo,
    false,
  );
  const nvidia = summarizeAdapter(
    { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100 80GB HBM3' } as GPUAdapterInfo,
    false,
  );

  it('picks the software profile for SwiftShader and the GPU profile for an NVIDIA adapter', () => {
    delete process.env[PROFILE_ENV];
    expect(swiftshader.isSoftware).toBe(true);
    expect(tuningFor(swiftshader)).toBe(SOFTWARE_TUNING);
    expect(tuningFor(nvidia)).toBe(GPU_TUNING);
    expect(tuningFor(summarizeAdapter(undefined, true))).toBe(SOFTWARE_TUNING); // fallback adapter
  });

  it(`honours ${PROFILE_ENV}=gpu|software and rejects anything else`, () => {
    process.env[PROFILE_ENV] = 'gpu';
    expect(tuningFor(swiftshader)).toBe(GPU_TUNING);
    process.env[PROFILE_ENV] = 'software';
    expect(tuningFor(nvidia)).toBe(SOFTWARE_TUNING);
    process.env[PROFILE_ENV] = ' GPU ';
    expect(tuningFor(swiftshader)).toBe(GPU_TUNING);
    process.env[PROFILE_ENV] = '';
    expect(tuningFor(swiftshader)).toBe(SOFTWARE_TUNING);
    process.env[PROFILE_ENV] = 'fast';
    expect(() => tuningFor(nvidia)).toThrow(PROFILE_ENV);
  });

  it('GPU_TUNING is the GPU design; both profiles keep the power-of-two assumptions', () => {
    expect(GPU_TUNING.matmul).toEqual({ WG_X: 16, WG_Y: 16, TILE_K: 16, GROUP_M: 8 });
    expect(GPU_TUNING.reductionWorkgroup).toBe(256);
    expect(GPU_TUNING.elementwiseWorkgroup).toBe(256);
    expect(GPU_TUNING.spectralNorm).toEqual({ TCOLS: 32, TLANES: 8 });
    expect(GPU_TUNING.matmulSplitTargetWorkgroups).toBe(256);
    expect(() => checkTuning(GPU_TUNING)).not.toThrow();
    expect(() => checkTuning(SOFTWARE_TUNING)).not.toThrow();
    expect(() => checkTuning({ ...SOFTWARE_TUNING, reductionWorkgroup: 48 })).toThrow(/power of two/);
    expect(() => checkTuning({ ...SOFTWARE_TUNING, spectralNorm: { TCOLS: 16, TLANES: 3 } })).toThrow(/TLANES/);
  });

  it('the device context carries the forced profile', async () => {
    const ctx = await gpuProfile();
    expect(ctx.tuning).toBe(GPU_TUNING);
  });
});

// ---- one case per family under GPU_TUNING (tolerances as in the family's own test file) ----

/** matmul.test.ts: atol = 4u·k + 4u (+1e-6 for transcendentals), rtol = 4u (1e-5). */
function matmulTolerance(k: number, transcendental: boolean): Tolerance {
  return { atol: 4 * U * k + 4 * U + (transcendental ? 1e-6 : 0), rtol: transcendental ? 1e-5 : 4 * U };
}

describe('GPU_TUNING kernels against the float64 twins', () => {
  it('matmul NN / NT / TN on 127×33×257 with bias and activation, and a split-K case', async () => {
    const ctx = await gpuProfile();
    const rng = new Rng(101);
    const cases = [
      { m: 127, n: 33, k: 257, activation: 'leaky_relu' as const, bias: true },
      { m: 127, n: 33, k: 257, transB: true, activation: 'tanh' as const, bias: true },
      { m: 127, n: 33, k: 257, transA: true, activation: 'relu' as const, bias: true },
      // A weight gradient (TN): 1 tile of 64×64, long k → split-K picked by the GPU heuristic.
      { m: 33, n: 60, k: 1000, transA: true, bias: false, splitK: undefined },
      { m: 33, n: 7, k: 257, bias: true, activation: 'sigmoid' as const, splitK: 3 },
    ];
    expect(chooseSplits(33, 60, 1000, GPU_TUNING.matmul, GPU_TUNING.matmulSplitTargetWorkgroups)).toBeGreaterThan(1);
    for (const c of cases) {
      const { m, n, k } = c;
      const a = rng.uniformArray(m * k);
      const b = rng.uniformArray(k * n);
      const bias = c.bias ? rng.uniformArray(n) : undefined;
      const ba = ctx.buffers.storage('a', m * k, a);
      const bb = ctx.buffers.storage('b', k * n, b);
      const bc = ctx.buffers.storage('c', m * n);
      const bbias = bias ? ctx.buffers.storage('bias', n, bias) : undefined;
      const label = `gpuProfile.matmul.${c.transA ? 'T' : 'N'}${c.transB ? 'T' : 'N'} ${m}x${n}x${k}`;
      const kernel = prepareMatmul(ctx, {
        a: ba,
        b: bb,
        c: bc,
        m,
        n,
        k,
        transA: c.transA,
        transB: c.transB,
        bias: bbias,
        activation: c.activation,
        slope: 0.2,
        splitK: c.splitK,
        label,
      });
      const got = await runAndRead(ctx, [kernel], bc, m * n);
      const want = matmulReference(a, b, {
        m,
        n,
        k,
        transA: c.transA,
        transB: c.transB,
        bias,
        activation: c.activation,
        slope: 0.2,
      });
      expectClose(label, got, want, matmulTolerance(k, c.activation === 'tanh' || c.activation === 'sigmoid'));
      for (const buffer of [ba, bb, bc, bbias]) if (buffer) ctx.buffers.destroy(buffer);
    }
  });

  it('spectral norm power iteration, W̄ and backward on 127×257', async () => {
    const ctx = await gpuProfile();
    const rng = new Rng(102);
    const [dOut, dIn] = [127, 257];
    const n = dOut * dIn;
    const w = rng.normalArray(n, 1 / Math.sqrt(dIn));
    const st = createSpectralNormState(ctx, { dOut, dIn, seed: 7, label: 'gpuProfile.sn' });
    const init = spectralNormInitialVectors(dOut, dIn, 7);
    const wBuf = ctx.buffers.storage('sn.w', n, w);
    await runAndRead(ctx, [prepareSpectralNormPowerIteration(ctx, { w: wBuf, ...st, rounds: 2 })], st.sigma, 1);
    const [u, v, sigma] = await Promise.all([
      ctx.buffers.read(st.u, dOut),
      ctx.buffers.read(st.v, dIn),
      ctx.buffers.read(st.sigma, 1),
    ]);
    const twin = spectralNormPowerIteration(w, init.u, init.v, dOut, dIn, 2);
    // spectral-norm.test.ts: VEC_TOL, SIGMA_TOL, WBAR_TOL, backward atol 2e-6/σ̃.
    expectClose('gpuProfile.sn.u', u, twin.u, { atol: 5e-7, rtol: 1e-6 });
    expectClose('gpuProfile.sn.v', v, twin.v, { atol: 5e-7, rtol: 1e-6 });
    expectClose('gpuProfile.sn.sigma', sigma, [twin.sigma], { atol: 0, rtol: 1e-6 });
    const wBar = ctx.buffers.storage('sn.wBar', n);
    const gotBar = await runAndRead(
      ctx,
      [prepareSpectralNormApply(ctx, { w: wBuf, sigma: st.sigma, wBar, n })],
      wBar,
      n,
    );
    expectClose('gpuProfile.sn.apply', gotBar, spectralNormApply(w, sigma[0]), { atol: 1e-7, rtol: 3e-6 });
    const g = rng.normalArray(n);
    const gWbar = ctx.buffers.storage('sn.gWbar', n, g);
    const gW = ctx.buffers.storage('sn.gW', n);
    const back = prepareSpectralNormBackward(ctx, { gWbar, wBar, u: st.u, v: st.v, sigma: st.sigma, gW, dOut, dIn });
    const gotGrad = await runAndRead(ctx, [back], gW, n);
    expectClose('gpuProfile.sn.backward', gotGrad, spectralNormBackward(g, gotBar, u, v, sigma[0], dOut, dIn), {
      atol: 2e-6 / sigma[0],
      rtol: 2e-6,
    });
  });

  it('weight norm forward and backward on 127×257', async () => {
    const ctx = await gpuProfile();
    const rng = new Rng(103);
    const [dOut, dIn] = [127, 257];
    const n = dOut * dIn;
    const w = rng.normalArray(n);
    const wBuf = ctx.buffers.storage('wn.w', n, w);
    const wBar = ctx.buffers.storage('wn.wBar', n);
    const norms = ctx.buffers.storage('wn.norms', dOut);
    const gotBar = await runAndRead(ctx, [prepareWeightNormForward(ctx, { w: wBuf, wBar, norms, dOut, dIn })], wBar, n);
    const gotNorms = await ctx.buffers.read(norms, dOut);
    const twin = weightNormForward(w, dOut, dIn);
    expectClose('gpuProfile.wn.forward', gotBar, twin.wBar, { atol: 1e-7, rtol: 1e-6 });
    expectClose('gpuProfile.wn.norms', gotNorms, twin.norms, { atol: 0, rtol: 1e-6 });
    const g = rng.normalArray(n);
    const gWbar = ctx.buffers.storage('wn.gWbar', n, g);
    const gW = ctx.buffers.storage('wn.gW', n);
    const gotGrad = await runAndRead(
      ctx,
      [prepareWeightNormBackward(ctx, { gWbar, wBar, norms, gW, dOut, dIn })],
      gW,
      n,
    );
    const twinGrad = weightNormBackward(g, gotBar, gotNorms, dOut, dIn);
    const perNorm = (x: ArrayLike<number>): Float64Array =>
      Float64Array.from({ length: n }, (_, k) => x[k] * gotNorms[Math.floor(k / dIn)]);
    expectClose('gpuProfile.wn.backward·‖W_i‖', perNorm(gotGrad), perNorm(twinGrad), { atol: 1e-6, rtol: 1e-6 });
  });

  it('column and row reductions on 1000×33', async () => {
    const ctx = await gpuProfile();
    const rng = new Rng(104);
    const [rows, cols] = [1000, 33];
    const x = rng.uniformArray(rows * cols, 1, 1.5);
    const bx = ctx.buffers.storage('x', rows * cols, x);
    const outC = ctx.buffers.storage('outCols', cols);
    const outR = ctx.buffers.storage('outRows', rows);
    // reduce.test.ts: POSITIVE = rtol D·u with D = 128, on data in [1, 1.5).
    const tol = { atol: 0, rtol: 128 * U };
    const colSums = await runAndRead(ctx, [prepareColumnReduce(ctx, { x: bx, rows, cols, out: outC })], outC, cols);
    expectClose('gpuProfile.reduce.cols', colSums, columnReduce(x, rows, cols), tol);
    const rowMeans = await runAndRead(
      ctx,
      [prepareRowReduce(ctx, { x: bx, rows, cols, out: outR, op: 'mean' })],
      outR,
      rows,
    );
    expectClose('gpuProfile.reduce.rows.mean', rowMeans, rowReduce(x, rows, cols, { op: 'mean' }), tol);
    // The transposed shape reduces 1000 long rows through a 256-lane tree.
    const xt = rng.uniformArray(cols * rows, 1, 1.5);
    const bxt = ctx.buffers.storage('xt', cols * rows, xt);
    const outT = ctx.buffers.storage('outT', cols);
    const rowSums = await runAndRead(
      ctx,
      [prepareRowReduce(ctx, { x: bxt, rows: cols, cols: rows, out: outT })],
      outT,
      cols,
    );
    expectClose('gpuProfile.reduce.rows 33x1000', rowSums, rowReduce(xt, cols, rows), tol);
  });

  it('losses (standard and hinge) on 257 logits', async () => {
    const ctx = await gpuProfile();
    const rng = new Rng(105);
    // loss.test.ts: GRAD_TOL and meanTol.
    const GRAD_TOL = { atol: 1e-30, rtol: 128 * U };
    const meanTol = (scale: number, log: boolean) => ({
      atol: 128 * U * scale + (log ? 2 * (2 ** -21 + 4 * U) : 0),
      rtol: 0,
    });
    for (const kind of ['standard', 'hinge'] as const) {
      const real = Float32Array.from({ length: 257 }, () => 4 * rng.normal());
      const fake = Float32Array.from({ length: 257 }, () => 4 * rng.normal());
      const b = {
        real: ctx.buffers.storage('real', 257, real),
        fake: ctx.buffers.storage('fake', 257, fake),
        dReal: ctx.buffers.storage('dReal', 257),
        dFake: ctx.buffers.storage('dFake', 257),
        stats: ctx.buffers.storage('stats', 3),
      };
      const d = prepareDiscriminatorLoss(ctx, { ...b, kind, nReal: 257, nFake: 257 });
      const stats = await runAndRead(ctx, [d], b.stats, 3);
      const want = discriminatorLoss(kind, real, fake);
      expectClose(`gpuProfile.loss.${kind}.D.dReal`, await ctx.buffers.read(b.dReal, 257), want.dReal, GRAD_TOL);
      expectClose(`gpuProfile.loss.${kind}.D.dFake`, await ctx.buffers.read(b.dFake, 257), want.dFake, GRAD_TOL);
      const meanAbs = (ls: Float32Array, f: (l: number) => number) =>
        ls.reduce((acc, l) => acc + Math.abs(f(l)), 0) / ls.length;
      const realTerm = (l: number) => (kind === 'standard' ? softplus(-l) : Math.max(0, 1 - l));
      const fakeTerm = (l: number) => (kind === 'standard' ? softplus(l) : Math.max(0, 1 + l));
      const dValue = (l: number) => (kind === 'standard' ? sigmoid(l) : l);
      const log = kind === 'standard';
      const lossTol = meanTol(meanAbs(real, realTerm) + meanAbs(fake, fakeTerm), log);
      expectClose(`gpuProfile.loss.${kind}.D.loss`, [stats[LOSS_STATS.loss]], [want.loss], lossTol);
      const dRealTol = meanTol(meanAbs(real, dValue), false);
      expectClose(`gpuProfile.loss.${kind}.D.meanDReal`, [stats[LOSS_STATS.meanDReal]], [want.meanDReal], dRealTol);
      const dFakeTol = meanTol(meanAbs(fake, dValue), false);
      expectClose(`gpuProfile.loss.${kind}.D.meanDFake`, [stats[LOSS_STATS.meanDFake]], [want.meanDFake], dFakeTol);

      const gen = prepareGeneratorLoss(ctx, { kind, fake: b.fake, nFake: 257, dFake: b.dFake, stats: b.stats });
      const gStats = await runAndRead(ctx, [gen], b.stats, 3);
      const gWant = generatorLoss(kind, fake);
      expectClose(`gpuProfile.loss.${kind}.G.dFake`, await ctx.buffers.read(b.dFake, 257), gWant.dFake, GRAD_TOL);
      const gTerm = (l: number) => (kind === 'standard' ? softplus(-l) : l);
      expectClose(
        `gpuProfile.loss.${kind}.G.loss`,
        [gStats[LOSS_STATS.loss]],
        [gWant.loss],
        meanTol(meanAbs(fake, gTerm), log),
      );
      for (const buffer of Object.values(b)) ctx.buffers.destroy(buffer);
    }
  });

  it('batchnorm forward and backward on 127×33', async () => {
    const ctx = await gpuProfile();
    const rng = new Rng(106);
    const [rows, cols] = [127, 33];
    const n = rows * cols;
    const D = 128;
    const offset = rng.uniformArray(cols, -3, 3);
    const spread = rng.uniformArray(cols, 0.5, 2);
    const x = Float32Array.from({ length: n }, (_, i) => offset[i % cols] + spread[i % cols] * rng.normal());
    const gamma = Float32Array.from({ length: cols }, () => 1 + 0.3 * rng.normal());
    const beta = rng.normalArray(cols, 0.5);
    const b = {
      x: ctx.buffers.storage('x', n, x),
      gamma: ctx.buffers.storage('gamma', cols, gamma),
      beta: ctx.buffers.storage('beta', cols, beta),
      y: ctx.buffers.storage('y', n),
      xhat: ctx.buffers.storage('xhat', n),
      mean: ctx.buffers.storage('mean', cols),
      invstd: ctx.buffers.storage('invstd', cols),
    };
    const y = await runAndRead(ctx, [prepareBatchNormForward(ctx, { ...b, rows, cols })], b.y, n);
    const [xhat, mean, invstd] = await Promise.all([
      ctx.buffers.read(b.xhat, n),
      ctx.buffers.read(b.mean, cols),
      ctx.buffers.read(b.invstd, cols),
    ]);
    const want = batchNormForward(x, rows, cols, gamma, beta, 1e-5);
    // batchnorm.test.ts: the mean within D·u·max|x_c|, invstd within D·u, xhat scaled by invstd.
    let xScale = 0;
    let cond = 0;
    for (let i = 0; i < n; i++) {
      xScale = Math.max(xScale, Math.abs(x[i]));
      cond = Math.max(cond, Math.abs(x[i]) * want.invstd[i % cols]);
    }
    expectClose('gpuProfile.batchnorm.mean', mean, want.mean, { atol: D * U * xScale, rtol: 0 });
    expectClose('gpuProfile.batchnorm.invstd', invstd, want.invstd, { atol: 0, rtol: D * U });
    const xhatTol = { atol: D * U * cond, rtol: D * U };
    expectClose('gpuProfile.batchnorm.xhat', xhat, want.xhat, xhatTol);
    expectClose('gpuProfile.batchnorm.y', y, want.y, {
      atol: maxAbs(gamma) * xhatTol.atol + 4 * U * maxAbs(beta),
      rtol: D * U,
    });

    const dy = rng.normalArray(n);
    const g = {
      dy: ctx.buffers.storage('dy', n, dy),
      dx: ctx.buffers.storage('dx', n),
      dgamma: ctx.buffers.storage('dgamma', cols),
      dbeta: ctx.buffers.storage('dbeta', cols),
    };
    const back = prepareBatchNormBackward(ctx, {
      ...g,
      xhat: b.xhat,
      mean: b.mean,
      invstd: b.invstd,
      gamma: b.gamma,
      rows,
      cols,
    });
    const dx = await runAndRead(ctx, [back], g.dx, n);
    const [dgamma, dbeta] = await Promise.all([ctx.buffers.read(g.dgamma, cols), ctx.buffers.read(g.dbeta, cols)]);
    const wantB = batchNormBackward(dy, xhat, invstd, gamma, rows, cols);
    const sumAbs = (f: (i: number) => number) => {
      let m = 0;
      for (let c = 0; c < cols; c++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += Math.abs(f(r * cols + c));
        m = Math.max(m, s);
      }
      return m;
    };
    const dbetaTol = D * U * sumAbs((i) => dy[i]);
    const dgammaTol = D * U * sumAbs((i) => dy[i] * xhat[i]);
    expectClose('gpuProfile.batchnorm.dbeta', dbeta, wantB.dbeta, { atol: dbetaTol, rtol: 0 });
    expectClose('gpuProfile.batchnorm.dgamma', dgamma, wantB.dgamma, { atol: dgammaTol, rtol: 0 });
    let a = 0;
    for (let c = 0; c < cols; c++) a = Math.max(a, Math.abs(gamma[c] * invstd[c]));
    const terms = maxAbs(dy) + (maxAbs(xhat) * maxAbs(wantB.dgamma) + maxAbs(wantB.dbeta)) / rows;
    const dxTol = (a * (dbetaTol + dgammaTol * (maxAbs(xhat) + 1))) / rows + 8 * U * a * terms;
    expectClose('gpuProfile.batchnorm.dx', dx, wantB.dx, { atol: dxTol, rtol: 0 });
  });

  it('adam: three updates on 70 000 parameters', async () => {
    const ctx = await gpuProfile();
    const rng = new Rng(107);
    const n = 70_000;
    const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const init = rng.normalArray(n);
    const param = ctx.buffers.storage('adam.param', n, init);
    const grad = ctx.buffers.storage('adam.grad', n);
    const m = ctx.buffers.storage('adam.m', n);
    const v = ctx.buffers.storage('adam.v', n);
    const step = createAdamStep(ctx);
    const tick = prepareAdamTick(ctx, { step });
    const update = prepareAdamUpdate(ctx, { param, grad, m, v, step, n, ...hyper });
    const twin = adamInit(init);
    for (let s = 1; s <= 3; s++) {
      const g = rng.normalArray(n, 0.1);
      ctx.buffers.write(grad, g);
      submitKernels(ctx, [tick, update], 'adam');
      adamStep(twin, g, hyper);
      // adam.test.ts: PARAM_TOL.
      expectClose(`gpuProfile.adam.param t=${s}`, await ctx.buffers.read(param, n), twin.param, {
        atol: 1e-6,
        rtol: 5e-7,
      });
    }
  });

  it('elementwise: activation and axpby on 70 000 elements', async () => {
    const ctx = await gpuProfile();
    const rng = new Rng(108);
    const n = 70_000;
    const x = rng.uniformArray(n, -12, 12);
    const z = rng.normalArray(n);
    const bx = ctx.buffers.storage('x', n, x);
    const bz = ctx.buffers.storage('z', n, z);
    const by = ctx.buffers.storage('y', n);
    // elementwise.test.ts: TOL.
    const TOL = { atol: 1e-6, rtol: 1e-5 };
    const y = await runAndRead(ctx, [prepareActivation(ctx, { x: bx, y: by, n, activation: 'tanh' })], by, n);
    expectClose('gpuProfile.tanh.forward', y, activationForward(x, 'tanh'), TOL);
    const s = await runAndRead(ctx, [prepareAxpby(ctx, { n, a: bx, b: bz, out: by, alpha: 0.5, beta: -2 })], by, n);
    expectClose('gpuProfile.axpby', s, axpby(x, z, 0.5, -2), TOL);
  });

  it('im2col and a small conv forward', async () => {
    const ctx = await gpuProfile();
    const rng = new Rng(109);
    const patch = { batch: 2, height: 8, width: 8, channels: 7, kh: 4, kw: 4, stride: 2, pad: 1 };
    const { rows, k } = patchGrid(patch);
    const np = patch.batch * patch.height * patch.width * patch.channels;
    const xp = rng.uniformArray(np);
    const image = ctx.buffers.storage('image', np, xp);
    const cols = ctx.buffers.storage('cols', rows * k, rng.uniformArray(rows * k, 5, 6));
    const got = await runAndRead(ctx, [prepareIm2col(ctx, { geom: patch, image, cols })], cols, rows * k);
    expectClose('gpuProfile.conv.im2col', got, im2col(xp, patch), { atol: 0, rtol: 0 });

    // The Conv2d layer as the trainer runs it (im2col + matmul through the engine's GpuBackend).
    const g = { batch: 2, inH: 16, inW: 16, inC: 33, outC: 64, kh: 4, kw: 4, stride: 2, pad: 1 };
    const s = conv2dSizes(g);
    const K = g.inC * g.kh * g.kw;
    const x = rng.uniformArray(s.x);
    const w = rng.uniformArray(s.w, -1 / Math.sqrt(K), 1 / Math.sqrt(K));
    const bias = rng.uniformArray(s.bias);
    const backend = new GpuBackend(ctx);
    const conv = new Conv2d(backend, 'conv', { ...g, activation: 'leaky_relu', slope: 0.1 }, { w, b: bias });
    const trace = conv.trace('conv', backend.tensor('x', s.x, x), g.batch);
    const [y] = await backend.run(trace.forward(), [trace.output]);
    // conv.test.ts: atol = 4·√k·u·max(Σ|terms|), rtol 2u for LeakyReLU.
    const absSums = conv2dForward(abs(x), abs(w), abs(bias), g);
    expectClose('gpuProfile.conv2d.forward', y, conv2dForward(x, w, bias, g, 'leaky_relu', 0.1), {
      atol: 4 * Math.sqrt(K + 1) * U * maxAbs(absSums),
      rtol: 2 * U,
    });
  });
});
