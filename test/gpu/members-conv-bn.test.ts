/**
 * Batched dispatches (src/gpu/members.ts) of the conv and batch-norm launchers: one dispatch runs
 * every member (workgroup_id.z), each on its own tensor inside a buffer the members share. Each case
 * runs the launcher once batched and once per member, unbatched, on buffers of the member's own, and
 * asserts: every member's outputs bit-identical to its own run, inputs unchanged, every sentinel
 * word of the shared buffers outside the members' tensors untouched, and each member within the
 * existing tests' tolerance of the float64 twin (test/gpu/conv.test.ts, test/gpu/batchnorm.test.ts).
 *
 * Layout, chosen to catch the ways a kernel could mix members up: one buffer per argument (WebGPU
 * refuses a buffer bound read-only and writable in one dispatch); the members' range starts 256 B
 * into it (a view offset on top of the member offsets); each argument leaves its own gap between
 * members, so two arguments never share offsets (a kernel reading one slot's offset for another
 * lands on other data or on sentinels); odd-numbered arguments store their members in reverse order.
 * Member data differ per member (batch norm: per-member channel offsets), so statistics taken over
 * another member's rows do not match. Shapes are awkward (1, 7, 33, 127), counts 1, 2, 3 and 6, and
 * some cases give all members one shared input (the same offset for every member).
 */
import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/core/activation';
import { patchGrid, type PatchGeometry } from '../../src/core/conv-geometry';
import { Rng } from '../../src/core/random';
import { viewOf, type GpuBinding } from '../../src/gpu/binding';
import type { GpuContext } from '../../src/gpu/device';
import { submitKernels, type Kernel } from '../../src/gpu/kernel';
import {
  prepareBatchNormBackward,
  prepareBatchNormEval,
  prepareBatchNormForward,
} from '../../src/gpu/kernels/batchnorm';
import { prepareCol2im, prepareIm2col } from '../../src/gpu/kernels/conv';
import type { MemberBatch } from '../../src/gpu/members';
import { batchNormBackward, batchNormEval, batchNormForward, updateRunningStats } from '../../src/reference/batchnorm';
import { col2im, im2col } from '../../src/reference/conv';
import { activationForward } from '../../src/reference/elementwise';
import { expectClose, testGpu, type Tolerance } from '../helpers/gpu';

/** A finite float (≈ −6.96) none of these kernels produces from these inputs; compared as raw bits. */
const SENTINEL_BITS = 0xc0dedbad;
/** Floats before the members' range in each buffer: 256 B, so the view offset is not 0. */
const VIEW_START = 64;
const MEMBER_COUNTS = [1, 2, 3, 6];
const U = 2 ** -24;

interface Arg {
  /** Floats of one member's tensor. */
  floats: number;
  /** Contents per member (outputs too: their initial garbage, the same in both runs); one array when shared. */
  data: Float32Array[];
  output?: boolean;
}

type Args = Record<string, Arg>;
type Launch = (b: Record<string, GpuBinding>, batch?: MemberBatch) => Kernel;

const shared = (arg: Arg): boolean => arg.data.length === 1;
const memberData = (arg: Arg, m: number): Float32Array => arg.data[shared(arg) ? 0 : m];
const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

function firstDifference(a: Float32Array, b: Float32Array): string | undefined {
  const [x, y] = [bitsOf(a), bitsOf(b)];
  if (x.length !== y.length) return `lengths ${x.length} and ${y.length}`;
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) return `word ${i}: 0x${x[i].toString(16)} (${a[i]}) vs 0x${y[i].toString(16)} (${b[i]})`;
  }
  return undefined;
}

async function submitChecked(ctx: GpuContext, kernels: Kernel[]): Promise<void> {
  ctx.device.pushErrorScope('validation');
  submitKernels(ctx, kernels, 'members');
  const error = await ctx.device.popErrorScope();
  if (error) throw new Error(`WebGPU validation error: ${error.message}`);
}

interface Host {
  buffer: GPUBuffer;
  /** Member m's element offset into the bound range. */
  offsets: number[];
  total: number;
  initial: Float32Array;
}

function hostFor(ctx: GpuContext, label: string, arg: Arg, argIndex: number, count: number): Host {
  const stride = Math.ceil(arg.floats / 64) * 64 + 64 * (1 + (argIndex % 3));
  const slots = shared(arg) ? 1 : count;
  const offsets = Array.from({ length: count }, (_, m) => {
    if (shared(arg)) return 0;
    return (argIndex % 2 === 1 ? count - 1 - m : m) * stride;
  });
  const total = VIEW_START + slots * stride + 64;
  const initial = new Float32Array(new Uint32Array(total).fill(SENTINEL_BITS).buffer);
  for (let m = 0; m < count; m++) initial.set(memberData(arg, m), VIEW_START + offsets[m]);
  return { buffer: ctx.buffers.storage(label, total, initial), offsets, total, initial };
}

/**
 * Runs `launch` batched over `count` members and per member on own buffers; asserts the batched
 * outputs bit-identical, inputs and sentinels untouched. Returns each output per member.
 */
async function expectBatchMatchesMembers(
  ctx: GpuContext,
  label: string,
  count: number,
  args: Args,
  launch: Launch,
): Promise<Record<string, Float32Array[]>> {
  const names = Object.keys(args);
  const hosts: Record<string, Host> = {};
  names.forEach((name, i) => (hosts[name] = hostFor(ctx, `${label}.${name}`, args[name], i, count)));
  const views: Record<string, GpuBinding> = {};
  for (const name of names) {
    const host = hosts[name];
    views[name] = viewOf(host.buffer, VIEW_START * 4, host.total - VIEW_START - 64);
  }
  const batch: MemberBatch = { count, offsets: Object.fromEntries(names.map((n) => [n, hosts[n].offsets])) };
  await submitChecked(ctx, [launch(views, batch)]);
  const after: Record<string, Float32Array> = {};
  for (const name of names) after[name] = await ctx.buffers.read(hosts[name].buffer, hosts[name].total);
  for (const name of names) ctx.buffers.destroy(hosts[name].buffer);

  const outputs: Record<string, Float32Array[]> = {};
  for (let m = 0; m < count; m++) {
    const own: Record<string, GPUBuffer> = {};
    for (const name of names)
      own[name] = ctx.buffers.storage(`${label}.own.${name}`, args[name].floats, memberData(args[name], m));
    await submitChecked(ctx, [launch(own)]);
    for (const name of names.filter((n) => args[n].output)) {
      const want = await ctx.buffers.read(own[name], args[name].floats);
      const start = VIEW_START + hosts[name].offsets[m];
      const got = after[name].slice(start, start + args[name].floats);
      expect(firstDifference(got, want), `${label}: ${name} of member ${m} (batched vs own buffers)`).toBeUndefined();
      (outputs[name] ??= []).push(got);
    }
    for (const name of names) ctx.buffers.destroy(own[name]);
  }

  for (const name of names) {
    const { offsets, initial } = hosts[name];
    if (!args[name].output) {
      expect(firstDifference(after[name], initial), `${label}: input ${name} changed`).toBeUndefined();
      continue;
    }
    // Every word outside the members' tensors still holds the sentinel.
    const inside = new Uint8Array(after[name].length);
    for (const offset of offsets) inside.fill(1, VIEW_START + offset, VIEW_START + offset + args[name].floats);
    const bits = bitsOf(after[name]);
    const touched = bits.findIndex((b, i) => !inside[i] && b !== SENTINEL_BITS);
    expect(touched, `${label}: ${name} word ${touched} outside every member's tensor was written`).toBe(-1);
  }
  return outputs;
}

const maxAbs = (v: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
};
const abs = (v: ArrayLike<number>): Float64Array => Float64Array.from(v, Math.abs);
const perMember = (count: number, make: (m: number) => Float32Array): Float32Array[] =>
  Array.from({ length: count }, (_, m) => make(m));

// ---------------------------------------------------------------- conv

const PATCHES: PatchGeometry[] = [
  { batch: 1, height: 1, width: 7, channels: 1, kh: 1, kw: 3, stride: 1, pad: 1 },
  { batch: 2, height: 7, width: 7, channels: 3, kh: 3, kw: 3, stride: 2, pad: 1 },
  { batch: 1, height: 5, width: 3, channels: 33, kh: 4, kw: 4, stride: 2, pad: 1 },
  { batch: 1, height: 3, width: 3, channels: 127, kh: 3, kw: 3, stride: 1, pad: 0 },
];
const geomName = (g: PatchGeometry): string =>
  `B${g.batch} ${g.height}x${g.width}x${g.channels} k${g.kh}x${g.kw} s${g.stride} p${g.pad}`;
const imageFloats = (g: PatchGeometry): number => g.batch * g.height * g.width * g.channels;

describe('batched im2col and col2im', () => {
  it('im2col: every member bit-identical to its own run, and exact against the twin', async () => {
    const ctx = await testGpu();
    const rng = new Rng(71);
    for (const g of PATCHES) {
      for (const count of MEMBER_COUNTS) {
        const { rows, k } = patchGrid(g);
        // Count 3 reads one shared image (every member the same offset).
        const images = perMember(count === 3 ? 1 : count, () => rng.uniformArray(imageFloats(g)));
        const args: Args = {
          image: { floats: imageFloats(g), data: images },
          cols: { floats: rows * k, data: perMember(count, () => rng.uniformArray(rows * k, 5, 6)), output: true },
        };
        const label = `im2col ${geomName(g)} ×${count}`;
        const out = await expectBatchMatchesMembers(ctx, label, count, args, (b, batch) =>
          prepareIm2col(ctx, { geom: g, image: b.image, cols: b.cols }, batch),
        );
        out.cols.forEach((cols, m) => {
          const exact: Tolerance = { atol: 0, rtol: 0 };
          expectClose(`${label} member ${m}`, cols, im2col(images[count === 3 ? 0 : m], g), exact);
        });
      }
    }
  });

  it('col2im plain, with bias and activation, and accumulating: bit-identical and within the twin bound', async () => {
    const ctx = await testGpu();
    const rng = new Rng(72);
    const modes = ['plain', 'bias+leaky', 'accumulate'] as const;
    let caseIndex = 0;
    for (const g of PATCHES) {
      for (const count of MEMBER_COUNTS) {
        const mode = modes[caseIndex++ % modes.length];
        const { rows, k } = patchGrid(g);
        const n = imageFloats(g);
        const cols = perMember(count, () => rng.uniformArray(rows * k));
        // Count 6 with a bias reads one shared bias.
        const bias = perMember(count === 6 ? 1 : count, () => rng.uniformArray(g.channels));
        const before = perMember(count, () => rng.uniformArray(n));
        const args: Args = {
          cols: { floats: rows * k, data: cols },
          image: { floats: n, data: before, output: true },
          ...(mode === 'bias+leaky' ? { bias: { floats: g.channels, data: bias } } : {}),
        };
        const activation: Activation = mode === 'bias+leaky' ? 'leaky_relu' : 'identity';
        const slope = 0.2;
        const label = `col2im ${mode} ${geomName(g)} ×${count}`;
        const out = await expectBatchMatchesMembers(ctx, label, count, args, (b, batch) =>
          prepareCol2im(
            ctx,
            {
              geom: g,
              cols: b.cols,
              image: b.image,
              bias: b.bias,
              activation,
              slope,
              accumulate: mode === 'accumulate',
            },
            batch,
          ),
        );
        // The tolerance of test/gpu/conv.test.ts: 4·√terms·u·Σ|terms| (terms: contributions, bias, prior value).
        const terms = Math.ceil(g.kh / g.stride) * Math.ceil(g.kw / g.stride) + 1;
        out.image.forEach((image, m) => {
          const sum = col2im(cols[m], g);
          const absSum = col2im(abs(cols[m]), g);
          const b = bias[count === 6 ? 0 : m];
          const extra = (i: number) =>
            mode === 'bias+leaky' ? b[i % g.channels] : mode === 'accumulate' ? before[m][i] : 0;
          const want = activationForward(
            Float64Array.from(sum, (v, i) => v + extra(i)),
            activation,
            slope,
          );
          const scale = Float64Array.from(absSum, (v, i) => v + Math.abs(extra(i)));
          const tol = { atol: 4 * Math.sqrt(terms) * U * maxAbs(scale), rtol: 2 * U };
          expectClose(`${label} member ${m}`, image, want, tol);
        });
      }
    }
  });
});

// ---------------------------------------------------------------- batch norm

const BN_SHAPES: Array<[number, number]> = [
  [1, 7],
  [7, 33],
  [127, 1],
  [33, 127],
];
const D = 128; // test/gpu/batchnorm.test.ts: longest chain of f32 roundings in a statistic
const EPS = 1e-5;
const MOMENTUM = 0.1;

/** Per-channel data with its own offset and spread, shifted per member so members differ widely. */
function channelData(rng: Rng, rows: number, cols: number, member: number): Float32Array {
  const offset = rng.uniformArray(cols, -3, 3);
  const spread = rng.uniformArray(cols, 0.5, 2);
  return Float32Array.from(
    { length: rows * cols },
    (_, i) => 4 * member + offset[i % cols] + spread[i % cols] * rng.normal(),
  );
}

/** max over channels of max_r |x_rc| · w(c). */
function channelScale(x: ArrayLike<number>, rows: number, cols: number, w: (c: number) => number): number {
  let m = 0;
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) m = Math.max(m, Math.abs(x[r * cols + c]) * w(c));
  return m;
}

describe('batched batch normalization', () => {
  it('forward: each member’s statistics from its own rows only, bit-identical, within the twin bound', async () => {
    const ctx = await testGpu();
    const rng = new Rng(81);
    const modes = ['xhat+running', 'running', 'plain'] as const;
    let caseIndex = 0;
    for (const [rows, cols] of BN_SHAPES) {
      for (const count of MEMBER_COUNTS) {
        const mode = modes[caseIndex++ % modes.length];
        // Even counts split the rows into many chunks (perThread 1): the partials hold a block per member.
        const perThread = count % 2 === 0 ? 1 : undefined;
        const n = rows * cols;
        const x = perMember(count, (m) => channelData(rng, rows, cols, m));
        // Count 2 shares gamma and beta among its members.
        const params = count === 2 ? 1 : count;
        const gamma = perMember(params, () => Float32Array.from({ length: cols }, () => 1 + 0.3 * rng.normal()));
        const beta = perMember(params, () => rng.normalArray(cols, 0.5));
        const rm0 = perMember(count, () => rng.normalArray(cols));
        const rv0 = perMember(count, () => rng.uniformArray(cols, 0.5, 2));
        const garbage = (floats: number) => perMember(count, () => rng.uniformArray(floats, -5, 5));
        const args: Args = {
          x: { floats: n, data: x },
          gamma: { floats: cols, data: gamma },
          beta: { floats: cols, data: beta },
          y: { floats: n, data: garbage(n), output: true },
          mean: { floats: cols, data: garbage(cols), output: true },
          invstd: { floats: cols, data: garbage(cols), output: true },
          ...(mode !== 'plain'
            ? {
                runningMean: { floats: cols, data: rm0, output: true },
                runningVariance: { floats: cols, data: rv0, output: true },
              }
            : {}),
          ...(mode === 'xhat+running' ? { xhat: { floats: n, data: garbage(n), output: true } } : {}),
        };
        const label = `batchnorm.forward ${mode} ${rows}x${cols} ×${count}${perThread ? ' perThread=1' : ''}`;
        const out = await expectBatchMatchesMembers(ctx, label, count, args, (b, batch) =>
          prepareBatchNormForward(
            ctx,
            {
              x: b.x,
              gamma: b.gamma,
              beta: b.beta,
              y: b.y,
              mean: b.mean,
              invstd: b.invstd,
              xhat: b.xhat,
              running: b.runningMean
                ? { mean: b.runningMean, variance: b.runningVariance, momentum: MOMENTUM }
                : undefined,
              rows,
              cols,
              perThread,
            },
            batch,
          ),
        );
        for (let m = 0; m < count; m++) {
          const g = gamma[count === 2 ? 0 : m];
          const bt = beta[count === 2 ? 0 : m];
          const want = batchNormForward(x[m], rows, cols, g, bt, EPS);
          // test/gpu/batchnorm.test.ts's bounds.
          const xScale = channelScale(x[m], rows, cols, () => 1);
          const cond = channelScale(x[m], rows, cols, (c) => want.invstd[c]);
          const at = `${label} member ${m}`;
          expectClose(`${at} mean`, out.mean[m], want.mean, { atol: D * U * xScale, rtol: 0 });
          expectClose(`${at} invstd`, out.invstd[m], want.invstd, { atol: 0, rtol: D * U });
          const xhatTol = { atol: D * U * cond, rtol: D * U };
          if (out.xhat) expectClose(`${at} xhat`, out.xhat[m], want.xhat, xhatTol);
          expectClose(`${at} y`, out.y[m], want.y, {
            atol: maxAbs(g) * xhatTol.atol + 4 * U * maxAbs(bt),
            rtol: D * U,
          });
          if (out.runningMean) {
            const running = updateRunningStats(rm0[m], rv0[m], want.mean, want.variance, rows, MOMENTUM);
            expectClose(`${at} runningMean`, out.runningMean[m], running.runningMean, {
              atol: MOMENTUM * D * U * xScale + 4 * U * maxAbs(rm0[m]),
              rtol: 0,
            });
            expectClose(`${at} runningVariance`, out.runningVariance[m], running.runningVar, { atol: 0, rtol: D * U });
          }
        }
      }
    }
  });

  it('eval: bit-identical per member, within the twin bound', async () => {
    const ctx = await testGpu();
    const rng = new Rng(82);
    for (const [rows, cols] of BN_SHAPES) {
      for (const count of MEMBER_COUNTS) {
        const n = rows * cols;
        // Count 3 evaluates one shared input with each member's own parameters and statistics.
        const x = perMember(count === 3 ? 1 : count, (m) => channelData(rng, rows, cols, m));
        const gamma = perMember(count, () => rng.uniformArray(cols, 0.5, 1.5));
        const beta = perMember(count, () => rng.normalArray(cols));
        const rm = perMember(count, () => rng.normalArray(cols));
        const rv = perMember(count, () => rng.uniformArray(cols, 0.25, 4));
        const args: Args = {
          x: { floats: n, data: x },
          gamma: { floats: cols, data: gamma },
          beta: { floats: cols, data: beta },
          runningMean: { floats: cols, data: rm },
          runningVar: { floats: cols, data: rv },
          y: { floats: n, data: perMember(count, () => rng.uniformArray(n, -5, 5)), output: true },
        };
        const label = `batchnorm.eval ${rows}x${cols} ×${count}`;
        const out = await expectBatchMatchesMembers(ctx, label, count, args, (b, batch) =>
          prepareBatchNormEval(
            ctx,
            {
              x: b.x,
              gamma: b.gamma,
              beta: b.beta,
              runningMean: b.runningMean,
              runningVar: b.runningVar,
              y: b.y,
              rows,
              cols,
            },
            batch,
          ),
        );
        out.y.forEach((y, m) => {
          const xm = x[count === 3 ? 0 : m];
          const scale = maxAbs(gamma[m]) * (maxAbs(xm) + maxAbs(rm[m])) * 2 + maxAbs(beta[m]);
          const want = batchNormEval(xm, rows, cols, gamma[m], beta[m], rm[m], rv[m]);
          expectClose(`${label} member ${m}`, y, want, { atol: 8 * U * scale, rtol: 0 });
        });
      }
    }
  });

  it('backward from xhat and from x, overwriting and accumulating: bit-identical, within the twin bound', async () => {
    const ctx = await testGpu();
    const rng = new Rng(83);
    let caseIndex = 0;
    for (const [rows, cols] of BN_SHAPES) {
      for (const count of MEMBER_COUNTS) {
        const from = caseIndex % 2 === 0 ? 'xhat' : 'x';
        const accumulate = caseIndex % 3 === 0;
        caseIndex++;
        const perThread = count % 2 === 0 ? 1 : undefined;
        const n = rows * cols;
        const x = perMember(count, (m) => channelData(rng, rows, cols, m));
        // Count 6 shares gamma among its members.
        const gamma = perMember(count === 6 ? 1 : count, () =>
          Float32Array.from({ length: cols }, () => 1 + 0.3 * rng.normal()),
        );
        const gammaOf = (m: number) => gamma[count === 6 ? 0 : m];
        const fwd = x.map((xm, m) => batchNormForward(xm, rows, cols, gammaOf(m), new Float64Array(cols), EPS));
        const mean = fwd.map((f) => Float32Array.from(f.mean));
        const invstd = fwd.map((f) => Float32Array.from(f.invstd));
        // The xhat the kernel reads or recomputes, as test/gpu/batchnorm.test.ts's twin takes it.
        const xhat = fwd.map((f, m) =>
          from === 'xhat'
            ? Float32Array.from(f.xhat)
            : Float64Array.from(x[m], (v, i) => (v - mean[m][i % cols]) * invstd[m][i % cols]),
        );
        const dy = perMember(count, () => rng.normalArray(n));
        const dgamma0 = perMember(count, () => rng.uniformArray(cols));
        const dbeta0 = perMember(count, () => rng.uniformArray(cols));
        const args: Args = {
          dy: { floats: n, data: dy },
          [from]: { floats: n, data: from === 'xhat' ? xhat.map((v) => Float32Array.from(v)) : x },
          mean: { floats: cols, data: mean },
          invstd: { floats: cols, data: invstd },
          gamma: { floats: cols, data: gamma },
          dx: { floats: n, data: perMember(count, () => rng.uniformArray(n, -5, 5)), output: true },
          dgamma: { floats: cols, data: dgamma0, output: true },
          dbeta: { floats: cols, data: dbeta0, output: true },
        };
        const label = `batchnorm.backward from ${from}${accumulate ? ' accumulate' : ''} ${rows}x${cols} ×${count}`;
        const out = await expectBatchMatchesMembers(ctx, label, count, args, (b, batch) =>
          prepareBatchNormBackward(
            ctx,
            {
              dy: b.dy,
              x: b.x,
              xhat: b.xhat,
              mean: b.mean,
              invstd: b.invstd,
              gamma: b.gamma,
              dx: b.dx,
              dgamma: b.dgamma,
              dbeta: b.dbeta,
              accumulate,
              rows,
              cols,
              perThread,
            },
            batch,
          ),
        );
        for (let m = 0; m < count; m++) {
          const want = batchNormBackward(dy[m], xhat[m], invstd[m], gammaOf(m), rows, cols);
          const at = `${label} member ${m}`;
          // test/gpu/batchnorm.test.ts's bounds; accumulating adds one rounding at the prior value's scale.
          const sumAbs = (f: (i: number, c: number) => number) => {
            let most = 0;
            for (let c = 0; c < cols; c++) {
              let s = 0;
              for (let r = 0; r < rows; r++) s += Math.abs(f(r * cols + c, c));
              most = Math.max(most, s);
            }
            return most;
          };
          const prior = (v: Float32Array) => (accumulate ? v : new Float32Array(cols));
          const dbetaTol = D * U * sumAbs((i) => dy[m][i]);
          const dgammaTol =
            D *
            U *
            sumAbs(
              (i, c) => dy[m][i] * (Math.abs(xhat[m][i]) + (Math.abs(x[m][i]) + Math.abs(mean[m][c])) * invstd[m][c]),
            );
          const priorTol = (v: Float32Array) => (accumulate ? 2 * U * maxAbs(v) : 0);
          const plus = (a: ArrayLike<number>, b: Float32Array) => Float64Array.from(a, (v, i) => v + b[i]);
          expectClose(`${at} dbeta`, out.dbeta[m], plus(want.dbeta, prior(dbeta0[m])), {
            atol: dbetaTol + priorTol(dbeta0[m]),
            rtol: 0,
          });
          expectClose(`${at} dgamma`, out.dgamma[m], plus(want.dgamma, prior(dgamma0[m])), {
            atol: dgammaTol + priorTol(dgamma0[m]),
            rtol: 0,
          });
          const g = gammaOf(m);
          let a = 0;
          for (let c = 0; c < cols; c++) a = Math.max(a, Math.abs(g[c] * invstd[m][c]));
          const terms = maxAbs(dy[m]) + (maxAbs(xhat[m]) * maxAbs(want.dgamma) + maxAbs(want.dbeta)) / rows;
          const dxTol = (a * (dbetaTol + dgammaTol * (maxAbs(xhat[m]) + 1))) / rows + 8 * U * a * terms;
          expectClose(`${at} dx`, out.dx[m], want.dx, { atol: dxTol, rtol: 0 });
        }
      }
    }
  });
});

describe('bad batches are refused by name', () => {
  it('a member past its binding, an unknown member name, a bad member count', async () => {
    const ctx = await testGpu();
    const g = PATCHES[1];
    const { rows, k } = patchGrid(g);
    const image = ctx.buffers.storage('bad.image', imageFloats(g));
    // Two members' cols: the second starts one float too late to fit.
    const cols = ctx.buffers.storage('bad.cols', 2 * rows * k);
    const im2colWith = (batch: MemberBatch) => () => prepareIm2col(ctx, { geom: g, image, cols }, batch);
    expect(im2colWith({ count: 2, offsets: { cols: [0, rows * k + 1] } })).toThrow(
      /member 1's cols \[\d+, \d+\) passes the end of the \d+ elements bound for cols/,
    );
    expect(im2colWith({ count: 2, offsets: { cols: [0, rows * k] } })).not.toThrow();
    expect(im2colWith({ count: 2, offsets: { colz: [0, 0] } })).toThrow(/no member slot "colz"/);
    expect(im2colWith({ count: 9, offsets: {} })).toThrow(/1 to 8 members, got 9/);

    const [r, c] = [7, 3];
    const t = (name: string, floats: number) => ctx.buffers.storage(`bad.${name}`, floats);
    // Two members over one shared x, gamma and beta; outputs at [0, r·c) and [r·c, 2·r·c) (or c).
    const forward = {
      x: t('x', r * c),
      gamma: t('gamma', c),
      beta: t('beta', c),
      y: t('y', 2 * r * c),
      mean: t('mean', 2 * c),
      invstd: t('invstd', 2 * c),
      running: { mean: t('rm', 2 * c), variance: t('rv', 2 * c) },
      rows: r,
      cols: c,
    };
    const offsets = { y: [0, r * c], mean: [0, c], invstd: [0, c], runningMean: [0, c], runningVariance: [0, c] };
    const withOffsets =
      (changed: Record<string, number[]>, count = 2) =>
      () =>
        prepareBatchNormForward(ctx, forward, { count, offsets: { ...offsets, ...changed } });
    expect(withOffsets({})).not.toThrow();
    expect(withOffsets({ runningVariance: [c, c + 1] })).toThrow(/member 1's runningVariance \[4, 7\) passes the end/);
    expect(withOffsets({ running: [0, c] })).toThrow(/no member slot "running"/);
    expect(withOffsets({}, 0)).toThrow(/1 to 8 members, got 0/);
    // An output without offsets: both members would write one tensor.
    expect(withOffsets({ y: [0, 0] })).toThrow(/members 0 and 1 write overlapping y/);
    expect(withOffsets({ mean: [0, 2] })).toThrow(/members 0 and 1 write overlapping mean/);
  });
});
