import { describe, expect, it } from 'vitest';
import {
  prepareBatchNormBackward,
  prepareBatchNormEval,
  prepareBatchNormForward,
} from '../../src/gpu/kernels/batchnorm';
import { batchNormBackward, batchNormEval, batchNormForward, updateRunningStats } from '../../src/reference/batchnorm';
import { Rng } from '../../src/reference/random';
import { expectClose, runAndRead, testGpu } from '../helpers/gpu';

/** f32 unit roundoff. */
const U = 2 ** -24;
/**
 * Longest chain of f32 roundings in a per-channel statistic: the partial pass adds ≤ 32 rows per
 * lane (perThread = 1 here: ≤ 1) plus ≤ 6 tree levels, the finalize adds ≤ 256/WG_K splits per lane
 * plus ≤ 6 levels, and a few more for the divisions, the merge terms and inverseSqrt (2 ulp):
 * well under D = 128, so a sum's error is ≤ D·u·Σ|terms| (the classic γ_D bound).
 */
const D = 128;
const EPS = 1e-5;
const MOMENTUM = 0.1;

const ROWS = [1, 2, 7, 127, 4096];
const COLS = [1, 3, 33, 64];

const maxAbs = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

/** Per-channel data with its own offset and spread, so a wrong channel or row is visible. */
function channelData(rng: Rng, rows: number, cols: number): Float32Array {
  const offset = rng.uniformArray(cols, -3, 3);
  const spread = rng.uniformArray(cols, 0.5, 2);
  return Float32Array.from({ length: rows * cols }, (_, i) => offset[i % cols] + spread[i % cols] * rng.normal());
}

/** Largest over channels of f(c) (f gets the channel index). */
function overChannels(cols: number, f: (c: number) => number): number {
  let m = 0;
  for (let c = 0; c < cols; c++) m = Math.max(m, f(c));
  return m;
}

/** max over channels of max_r |x_rc| · w_c (w = 1: the data's scale; w = invstd: xhat's condition scale). */
function channelScale(x: ArrayLike<number>, rows: number, cols: number, w: (c: number) => number): number {
  return overChannels(cols, (c) => {
    let m = 0;
    for (let r = 0; r < rows; r++) m = Math.max(m, Math.abs(x[r * cols + c]));
    return m * w(c);
  });
}

describe('batch normalization against the float64 twin', () => {
  for (const perThread of [undefined, 1]) {
    it(`training forward and running statistics (perThread ${perThread ?? 'default'})`, async () => {
      const ctx = await testGpu();
      const rng = new Rng(perThread ? 31 : 32);
      for (const rows of ROWS) {
        for (const cols of COLS) {
          const x = channelData(rng, rows, cols);
          const gamma = Float32Array.from({ length: cols }, () => 1 + 0.3 * rng.normal());
          const beta = rng.normalArray(cols, 0.5);
          const rm0 = rng.normalArray(cols);
          const rv0 = rng.uniformArray(cols, 0.5, 2);
          const n = rows * cols;
          const b = {
            x: ctx.buffers.storage('x', n, x),
            gamma: ctx.buffers.storage('gamma', cols, gamma),
            beta: ctx.buffers.storage('beta', cols, beta),
            y: ctx.buffers.storage('y', n),
            xhat: ctx.buffers.storage('xhat', n),
            mean: ctx.buffers.storage('mean', cols),
            invstd: ctx.buffers.storage('invstd', cols),
            rm: ctx.buffers.storage('runningMean', cols, rm0),
            rv: ctx.buffers.storage('runningVar', cols, rv0),
          };
          const kernel = prepareBatchNormForward(ctx, {
            ...b,
            rows,
            cols,
            perThread,
            running: { mean: b.rm, variance: b.rv, momentum: MOMENTUM },
          });
          const y = await runAndRead(ctx, [kernel], b.y, n);
          const [xhat, mean, invstd, rm, rv] = await Promise.all([
            ctx.buffers.read(b.xhat, n),
            ctx.buffers.read(b.mean, cols),
            ctx.buffers.read(b.invstd, cols),
            ctx.buffers.read(b.rm, cols),
            ctx.buffers.read(b.rv, cols),
          ]);
          const want = batchNormForward(x, rows, cols, gamma, beta, EPS);
          const running = updateRunningStats(rm0, rv0, want.mean, want.variance, rows, MOMENTUM);
          const shape = `${rows}x${cols}${perThread ? ' perThread=1' : ''}`;
          // Per channel, the mean's error is ≤ D·u·max|x_c|, and xhat = (x − mean)·invstd inherits
          // it scaled by invstd: the condition scale of each channel is max|x_c|·invstd_c.
          const xScale = channelScale(x, rows, cols, () => 1);
          const cond = channelScale(x, rows, cols, (c) => want.invstd[c]);
          if (rows === 1) {
            // One row: the mean is x itself, so xhat is exactly 0 and y exactly beta (var = 0 → invstd = 1/√eps).
            expect(Array.from(xhat).every((v) => v === 0)).toBe(true);
            expect(Array.from(y)).toEqual(Array.from(beta));
          }
          expectClose(`batchnorm.mean ${shape}`, mean, want.mean, { atol: D * U * xScale, rtol: 0 });
          // invstd: relative error of the centred M2 (≤ D·u) halved by the square root, plus 2 ulp.
          expectClose(`batchnorm.invstd ${shape}`, invstd, want.invstd, { atol: 0, rtol: D * U });
          const xhatTol = { atol: D * U * cond, rtol: D * U };
          expectClose(`batchnorm.xhat ${shape}`, xhat, want.xhat, xhatTol);
          expectClose(`batchnorm.y ${shape}`, y, want.y, {
            atol: maxAbs(gamma) * xhatTol.atol + 4 * U * maxAbs(beta),
            rtol: D * U,
          });
          expectClose(`batchnorm.runningMean ${shape}`, rm, running.runningMean, {
            atol: MOMENTUM * D * U * xScale + 4 * U * maxAbs(rm0),
            rtol: 0,
          });
          expectClose(`batchnorm.runningVar ${shape}`, rv, running.runningVar, { atol: 0, rtol: D * U });
          for (const buffer of Object.values(b)) ctx.buffers.destroy(buffer);
        }
      }
    });
  }

  it('forward without xhat or running statistics writes the same y', async () => {
    const ctx = await testGpu();
    const rng = new Rng(33);
    const [rows, cols] = [257, 33];
    const x = channelData(rng, rows, cols);
    const gamma = rng.uniformArray(cols, 0.5, 1.5);
    const beta = rng.normalArray(cols);
    const by = ctx.buffers.storage('y', rows * cols);
    const kernel = prepareBatchNormForward(ctx, {
      x: ctx.buffers.storage('x', rows * cols, x),
      gamma: ctx.buffers.storage('gamma', cols, gamma),
      beta: ctx.buffers.storage('beta', cols, beta),
      y: by,
      mean: ctx.buffers.storage('mean', cols),
      invstd: ctx.buffers.storage('invstd', cols),
      rows,
      cols,
    });
    const y = await runAndRead(ctx, [kernel], by, rows * cols);
    const want = batchNormForward(x, rows, cols, gamma, beta);
    // The same bound as above: |gamma| times xhat's condition scale D·u·max|x_c|·invstd_c.
    const cond = channelScale(x, rows, cols, (c) => want.invstd[c]);
    expectClose(`batchnorm.y.plain ${rows}x${cols}`, y, want.y, { atol: maxAbs(gamma) * D * U * cond, rtol: D * U });
  });

  it('eval mode from running statistics', async () => {
    const ctx = await testGpu();
    const rng = new Rng(34);
    for (const [rows, cols] of [
      [1, 1],
      [7, 3],
      [127, 33],
      [4096, 64],
    ] as Array<[number, number]>) {
      const x = channelData(rng, rows, cols);
      const gamma = rng.uniformArray(cols, 0.5, 1.5);
      const beta = rng.normalArray(cols);
      const rm = rng.normalArray(cols);
      const rv = rng.uniformArray(cols, 0.25, 4);
      const by = ctx.buffers.storage('y', rows * cols);
      const kernel = prepareBatchNormEval(ctx, {
        x: ctx.buffers.storage('x', rows * cols, x),
        gamma: ctx.buffers.storage('gamma', cols, gamma),
        beta: ctx.buffers.storage('beta', cols, beta),
        runningMean: ctx.buffers.storage('rm', cols, rm),
        runningVar: ctx.buffers.storage('rv', cols, rv),
        y: by,
        rows,
        cols,
      });
      const y = await runAndRead(ctx, [kernel], by, rows * cols);
      // Per element ≤ 6 roundings (subtract, inverseSqrt at 2 ulp, 2 products, add) of terms no
      // larger than |gamma|·(|x| + |rm|)·invstd + |beta|.
      const scale = maxAbs(gamma) * (maxAbs(x) + maxAbs(rm)) * 2 + maxAbs(beta);
      expectClose(`batchnorm.eval ${rows}x${cols}`, y, batchNormEval(x, rows, cols, gamma, beta, rm, rv), {
        atol: 8 * U * scale,
        rtol: 0,
      });
    }
  });

  for (const from of ['xhat', 'x'] as const) {
    it(`backward from ${from} against the twin's backward`, async () => {
      const ctx = await testGpu();
      const rng = new Rng(from === 'xhat' ? 35 : 36);
      for (const rows of ROWS) {
        for (const cols of COLS) {
          for (const perThread of rows >= 127 && from === 'xhat' ? [undefined, 1] : [undefined]) {
            const n = rows * cols;
            const x = channelData(rng, rows, cols);
            const gamma = Float32Array.from({ length: cols }, () => 1 + 0.3 * rng.normal());
            const fwd = batchNormForward(x, rows, cols, gamma, new Float64Array(cols), EPS);
            // The saved forward values as the GPU would hold them (f32); the twin uses the same.
            const mean = Float32Array.from(fwd.mean);
            const invstd = Float32Array.from(fwd.invstd);
            // From x, the kernel recomputes xhat from the f32 x, mean and invstd: the twin does the same in f64.
            const xhat =
              from === 'xhat'
                ? Float32Array.from(fwd.xhat)
                : Float64Array.from(x, (v, i) => (v - mean[i % cols]) * invstd[i % cols]);
            const dy = rng.normalArray(n);
            const b = {
              dy: ctx.buffers.storage('dy', n, dy),
              source: ctx.buffers.storage(from, n, from === 'xhat' ? xhat : x),
              mean: ctx.buffers.storage('mean', cols, mean),
              invstd: ctx.buffers.storage('invstd', cols, invstd),
              gamma: ctx.buffers.storage('gamma', cols, gamma),
              dx: ctx.buffers.storage('dx', n),
              dgamma: ctx.buffers.storage('dgamma', cols),
              dbeta: ctx.buffers.storage('dbeta', cols),
            };
            const kernel = prepareBatchNormBackward(ctx, {
              ...b,
              [from]: b.source,
              rows,
              cols,
              perThread,
            });
            const dx = await runAndRead(ctx, [kernel], b.dx, n);
            const [dgamma, dbeta] = await Promise.all([
              ctx.buffers.read(b.dgamma, cols),
              ctx.buffers.read(b.dbeta, cols),
            ]);
            const want = batchNormBackward(dy, xhat, invstd, gamma, rows, cols);
            const shape = `${rows}x${cols}${perThread ? ' perThread=1' : ''}`;
            // Sums: D·u·Σ|terms| per channel; recomputing xhat from x adds ≤ 3u·(|x| + |mean|)·invstd
            // per element to the dgamma terms.
            const sumAbs = (f: (i: number, c: number) => number) =>
              overChannels(cols, (c) => {
                let s = 0;
                for (let r = 0; r < rows; r++) s += Math.abs(f(r * cols + c, c));
                return s;
              });
            const dbetaTol = D * U * sumAbs((i) => dy[i]);
            const dgammaTol =
              D * U * sumAbs((i, c) => dy[i] * (Math.abs(xhat[i]) + (Math.abs(x[i]) + Math.abs(mean[c])) * invstd[c]));
            expectClose(`batchnorm.dbeta.${from} ${shape}`, dbeta, want.dbeta, { atol: dbetaTol, rtol: 0 });
            expectClose(`batchnorm.dgamma.${from} ${shape}`, dgamma, want.dgamma, { atol: dgammaTol, rtol: 0 });
            // dx = a·dy + b + k·xhat: the sums' errors enter through a/R, plus a few roundings of
            // each term (and of the recomputed xhat) at the scale |a|·(|dy| + |xhat|·|dgamma|/R + |dbeta|/R).
            const a = overChannels(cols, (c) => Math.abs(gamma[c] * invstd[c]));
            const terms = maxAbs(dy) + (maxAbs(xhat) * maxAbs(want.dgamma) + maxAbs(want.dbeta)) / rows;
            const dxTol = (a * (dbetaTol + dgammaTol * (maxAbs(xhat) + 1))) / rows + 8 * U * a * terms;
            expectClose(`batchnorm.dx.${from} ${shape}`, dx, want.dx, { atol: dxTol, rtol: 0 });
            for (const buffer of Object.values(b)) ctx.buffers.destroy(buffer);
          }
        }
      }
    });
  }

  it('backward accumulates into dgamma and dbeta when asked', async () => {
    const ctx = await testGpu();
    const rng = new Rng(37);
    const [rows, cols] = [127, 33];
    const xhat = rng.normalArray(rows * cols);
    const dy = rng.normalArray(rows * cols);
    const gamma = rng.uniformArray(cols, 0.5, 1.5);
    const invstd = rng.uniformArray(cols, 0.5, 2);
    const prior = rng.normalArray(cols);
    const b = {
      dgamma: ctx.buffers.storage('dgamma', cols, prior),
      dbeta: ctx.buffers.storage('dbeta', cols, prior),
    };
    const kernel = prepareBatchNormBackward(ctx, {
      ...b,
      dy: ctx.buffers.storage('dy', rows * cols, dy),
      xhat: ctx.buffers.storage('xhat', rows * cols, xhat),
      mean: ctx.buffers.storage('mean', cols),
      invstd: ctx.buffers.storage('invstd', cols, invstd),
      gamma: ctx.buffers.storage('gamma', cols, gamma),
      dx: ctx.buffers.storage('dx', rows * cols),
      rows,
      cols,
      accumulate: true,
    });
    const dgamma = await runAndRead(ctx, [kernel], b.dgamma, cols);
    const dbeta = await ctx.buffers.read(b.dbeta, cols);
    const want = batchNormBackward(dy, xhat, invstd, gamma, rows, cols);
    // 127 terms of |dy·xhat| ≲ 10 each: D·u·Σ|terms| ≤ 128·6e-8·127·10 ≈ 1e-2 worst case; 1e-3
    // still far below one dropped term (~0.6 on average).
    const tol = { atol: 1e-3, rtol: 0 };
    expectClose(
      'batchnorm.dgamma.accumulate',
      dgamma,
      Float64Array.from(prior, (p, c) => p + want.dgamma[c]),
      tol,
    );
    expectClose(
      'batchnorm.dbeta.accumulate',
      dbeta,
      Float64Array.from(prior, (p, c) => p + want.dbeta[c]),
      tol,
    );
  });

  it("twin backward matches central differences of the twin's forward (loss Σ w·y)", () => {
    const rng = new Rng(38);
    for (const [rows, cols] of [
      [1, 1],
      [1, 3],
      [2, 1],
      [2, 3],
      [7, 3],
      [13, 2],
    ] as Array<[number, number]>) {
      const x = Float64Array.from(channelData(rng, rows, cols));
      const gamma = Float64Array.from({ length: cols }, () => 1 + 0.3 * rng.normal());
      const beta = Float64Array.from(rng.normalArray(cols));
      const w = Float64Array.from(rng.normalArray(rows * cols));
      const loss = (xs: Float64Array, g: Float64Array, bt: Float64Array) =>
        batchNormForward(xs, rows, cols, g, bt, EPS).y.reduce((s, v, i) => s + w[i] * v, 0);
      const fwd = batchNormForward(x, rows, cols, gamma, beta, EPS);
      const analytic = batchNormBackward(w, fwd.xhat, fwd.invstd, gamma, rows, cols);
      const h = 1e-6;
      const central = (arr: Float64Array, i: number) => {
        const keep = arr[i];
        arr[i] = keep + h;
        const up = loss(x, gamma, beta);
        arr[i] = keep - h;
        const down = loss(x, gamma, beta);
        arr[i] = keep;
        return (up - down) / (2 * h);
      };
      const numeric = {
        dx: Float64Array.from(x, (_, i) => central(x, i)),
        dgamma: Float64Array.from(gamma, (_, i) => central(gamma, i)),
        dbeta: Float64Array.from(beta, (_, i) => central(beta, i)),
      };
      // Central differences: truncation O(h²·|L'''|) plus cancellation ~1e-16·|L|/h ≈ 1e-9.
      const tol = { atol: 1e-6, rtol: 1e-6 };
      for (const key of ['dx', 'dgamma', 'dbeta'] as const) {
        expectClose(`batchnorm.fd.${key} ${rows}x${cols}`, analytic[key], numeric[key], tol);
      }
    }
  });
});
