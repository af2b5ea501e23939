/**
 * Views (src/gpu/binding.ts): a tensor that is one slice of a shared buffer must compute exactly
 * what it computes in a buffer of its own. Each launcher runs twice on the same inputs — once with
 * every tensor in its own buffer, once with every tensor a view at a non-zero 256-byte-aligned
 * offset of a larger buffer whose other bytes hold a sentinel — and the test asserts: outputs
 * bit-identical, inputs unchanged, every sentinel word untouched (a kernel that ignored the view's
 * offset would read or write a neighbour). Shapes are awkward on purpose (1, 7, 33, 127).
 */
import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/core/activation';
import type { PatchGeometry } from '../../src/core/conv-geometry';
import { Rng } from '../../src/core/random';
import { VIEW_ALIGN_BYTES, viewOf, type GpuBinding } from '../../src/gpu/binding';
import type { GpuContext } from '../../src/gpu/device';
import { submitKernels, type Kernel } from '../../src/gpu/kernel';
import {
  prepareBatchNormBackward,
  prepareBatchNormEval,
  prepareBatchNormForward,
} from '../../src/gpu/kernels/batchnorm';
import { prepareCol2im, prepareIm2col } from '../../src/gpu/kernels/conv';
import { prepareMixRows, preparePenaltySeed } from '../../src/gpu/kernels/gradient-penalty';
import {
  prepareAnchorSample,
  prepareDrawTick,
  prepareNormalDraw,
  prepareRowSample,
  prepareUniformDraw,
} from '../../src/gpu/kernels/random';
import {
  prepareWeightClip,
  prepareWeightNormBackward,
  prepareWeightNormForward,
} from '../../src/gpu/kernels/weight-norm';
import { patchGrid } from '../../src/core/conv-geometry';
import { testGpu } from '../helpers/gpu';

/** A finite float (≈ −6.96) no kernel here produces from these inputs; compared as raw bits. */
const SENTINEL_BITS = 0xc0dedbad;
/** Sentinel words after a tensor (besides its padding up to a multiple of 64 floats). */
const GAP_FLOATS = 64;

interface TensorSpec {
  /** Floats the launcher is told the tensor holds. */
  floats: number;
  /** Initial contents, the same in both runs (outputs get garbage too: unwritten elements show). */
  data: Float32Array;
  /** Whether the kernels write it (compared bit for bit); the others must come back unchanged. */
  output?: boolean;
}

type Tensors = Record<string, TensorSpec>;

const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** Float32 words whose bits are the given u32s (the draw counter is a u32 in a float buffer). */
const u32Words = (values: number[]): Float32Array => new Float32Array(Uint32Array.from(values).buffer);

function input(data: Float32Array): TensorSpec {
  return { floats: data.length, data };
}

function output(rng: Rng, floats: number): TensorSpec {
  return { floats, data: rng.uniformArray(floats, -5, 5), output: true };
}

async function submitChecked(ctx: GpuContext, kernels: Kernel[]): Promise<void> {
  ctx.device.pushErrorScope('validation');
  submitKernels(ctx, kernels, 'views');
  const error = await ctx.device.popErrorScope();
  if (error) throw new Error(`WebGPU validation error: ${error.message}`);
}

/** Index of the first differing word and both bit patterns, or undefined when identical. */
function firstDifference(a: Uint32Array, b: Uint32Array): string | undefined {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return `word ${i}: 0x${a[i].toString(16)} vs 0x${b[i].toString(16)}`;
  }
  return undefined;
}

/**
 * Runs `prepare` on own buffers, then on views of one sentinel-filled buffer, and compares.
 * Returns the outputs (own-buffer run) so a caller can add checks of its own.
 */
async function expectViewsMatchOwnBuffers(
  ctx: GpuContext,
  label: string,
  tensors: Tensors,
  prepare: (b: Record<string, GpuBinding>) => Kernel[],
): Promise<Record<string, Float32Array>> {
  const names = Object.keys(tensors);

  // Run 1: a buffer per tensor.
  const own: Record<string, GPUBuffer> = {};
  for (const name of names)
    own[name] = ctx.buffers.storage(`${label}.own.${name}`, tensors[name].floats, tensors[name].data);
  await submitChecked(ctx, prepare(own));
  const expected: Record<string, Float32Array> = {};
  for (const name of names) expected[name] = await ctx.buffers.read(own[name], tensors[name].floats);
  for (const name of names) ctx.buffers.destroy(own[name]);

  // Run 2: every tensor a view at a non-zero offset of a larger sentinel-filled buffer. (One buffer
  // per tensor: WebGPU refuses a buffer bound read-only and writable in the same dispatch, whatever
  // the ranges, so a kernel's input and output cannot share one.)
  const hosts: Record<string, { buffer: GPUBuffer; offset: number; floats: number }> = {};
  try {
    const views: Record<string, GpuBinding> = {};
    names.forEach((name, i) => {
      const offset = VIEW_ALIGN_BYTES * (1 + (i % 3));
      const floats = offset / 4 + Math.ceil(tensors[name].floats / 64) * 64 + GAP_FLOATS;
      const sentinels = new Float32Array(new Uint32Array(floats).fill(SENTINEL_BITS).buffer);
      hosts[name] = { buffer: ctx.buffers.storage(`${label}.host.${name}`, floats, sentinels), offset, floats };
      views[name] = viewOf(hosts[name].buffer, offset, tensors[name].floats);
      ctx.buffers.write(views[name], tensors[name].data);
    });
    await submitChecked(ctx, prepare(views));

    for (const name of names) {
      const got = await ctx.buffers.read(views[name], tensors[name].floats);
      const want = tensors[name].output ? expected[name] : tensors[name].data;
      const diff = firstDifference(bitsOf(got), bitsOf(want));
      const what = tensors[name].output ? 'view vs own buffer' : 'input changed';
      expect(diff, `${label}: ${name} (${what})`).toBeUndefined();

      // Every word outside the tensor's own floats, the alignment padding inside the bound view too.
      const { buffer, offset, floats } = hosts[name];
      const all = bitsOf(await ctx.buffers.read(buffer, floats));
      const start = offset / 4;
      const end = start + tensors[name].floats;
      const touched = [...all.keys()].filter((i) => (i < start || i >= end) && all[i] !== SENTINEL_BITS);
      expect(touched, `${label}: ${name}'s buffer: sentinel words overwritten`).toEqual([]);
    }
  } finally {
    for (const host of Object.values(hosts)) ctx.buffers.destroy(host.buffer);
  }
  return expected;
}

/** Per-channel data with its own offset and spread, as batch-norm inputs look. */
function channelData(rng: Rng, rows: number, cols: number): Float32Array {
  const offset = rng.uniformArray(cols, -3, 3);
  const spread = rng.uniformArray(cols, 0.5, 2);
  return Float32Array.from({ length: rows * cols }, (_, i) => offset[i % cols] + spread[i % cols] * rng.normal());
}

describe('batch normalization on views', () => {
  const SHAPES: Array<{ rows: number; cols: number; perThread?: number }> = [
    { rows: 7, cols: 33 },
    { rows: 127, cols: 7, perThread: 1 },
    { rows: 1, cols: 33 },
  ];

  it('training forward (with and without xhat and running statistics) and eval', async () => {
    const ctx = await testGpu();
    const rng = new Rng(101);
    for (const { rows, cols, perThread } of SHAPES) {
      const n = rows * cols;
      const common = {
        x: input(channelData(rng, rows, cols)),
        gamma: input(rng.uniformArray(cols, 0.5, 2)),
        beta: input(rng.uniformArray(cols, -1, 1)),
      };
      const full = {
        ...common,
        y: output(rng, n),
        mean: output(rng, cols),
        invstd: output(rng, cols),
        xhat: output(rng, n),
        runMean: { ...input(rng.uniformArray(cols, -1, 1)), output: true },
        runVar: { ...input(rng.uniformArray(cols, 0.5, 2)), output: true },
      };
      const outs = await expectViewsMatchOwnBuffers(ctx, `bn.forward ${rows}x${cols}`, full, (b) => [
        prepareBatchNormForward(ctx, {
          rows,
          cols,
          perThread,
          x: b.x,
          gamma: b.gamma,
          beta: b.beta,
          y: b.y,
          mean: b.mean,
          invstd: b.invstd,
          xhat: b.xhat,
          running: { mean: b.runMean, variance: b.runVar },
        }),
      ]);
      // The running statistics moved (rows = 1 skips them): the in-place update ran on the view.
      if (rows > 1) expect(outs.runMean).not.toEqual(full.runMean.data);

      const plain = { ...common, y: output(rng, n), mean: output(rng, cols), invstd: output(rng, cols) };
      await expectViewsMatchOwnBuffers(ctx, `bn.forward.plain ${rows}x${cols}`, plain, (b) => [
        prepareBatchNormForward(ctx, {
          rows,
          cols,
          perThread,
          x: b.x,
          gamma: b.gamma,
          beta: b.beta,
          y: b.y,
          mean: b.mean,
          invstd: b.invstd,
        }),
      ]);

      const evalTensors = {
        ...common,
        runningMean: input(rng.uniformArray(cols, -1, 1)),
        runningVar: input(rng.uniformArray(cols, 0.5, 2)),
        y: output(rng, n),
      };
      await expectViewsMatchOwnBuffers(ctx, `bn.eval ${rows}x${cols}`, evalTensors, (b) => [
        prepareBatchNormEval(ctx, {
          rows,
          cols,
          x: b.x,
          gamma: b.gamma,
          beta: b.beta,
          runningMean: b.runningMean,
          runningVar: b.runningVar,
          y: b.y,
        }),
      ]);
    }
  });

  it('backward from xhat and from x, overwriting and accumulating', async () => {
    const ctx = await testGpu();
    const rng = new Rng(102);
    for (const { rows, cols, perThread } of SHAPES) {
      const n = rows * cols;
      for (const fromXhat of [true, false]) {
        const accumulate = !fromXhat;
        const tensors: Tensors = {
          dy: input(rng.normalArray(n)),
          source: input(fromXhat ? rng.normalArray(n) : channelData(rng, rows, cols)),
          mean: input(rng.uniformArray(cols, -3, 3)),
          invstd: input(rng.uniformArray(cols, 0.5, 2)),
          gamma: input(rng.uniformArray(cols, 0.5, 2)),
          dx: output(rng, n),
          dgamma: output(rng, cols),
          dbeta: output(rng, cols),
        };
        await expectViewsMatchOwnBuffers(
          ctx,
          `bn.backward ${rows}x${cols} ${fromXhat ? 'xhat' : 'x'}${accumulate ? ' accumulate' : ''}`,
          tensors,
          (b) => [
            prepareBatchNormBackward(ctx, {
              rows,
              cols,
              perThread,
              dy: b.dy,
              ...(fromXhat ? { xhat: b.source } : { x: b.source }),
              mean: b.mean,
              invstd: b.invstd,
              gamma: b.gamma,
              dx: b.dx,
              dgamma: b.dgamma,
              dbeta: b.dbeta,
              accumulate,
            }),
          ],
        );
      }
    }
  });
});

describe('im2col and col2im on views', () => {
  const GEOMETRIES: PatchGeometry[] = [
    { batch: 2, height: 7, width: 7, channels: 3, kh: 4, kw: 4, stride: 2, pad: 1 },
    { batch: 1, height: 33, width: 1, channels: 7, kh: 3, kw: 1, stride: 1, pad: 1 },
    { batch: 3, height: 5, width: 9, channels: 1, kh: 3, kw: 3, stride: 1, pad: 0 },
  ];

  it('im2col, col2im plain, with bias and activation, and accumulating', async () => {
    const ctx = await testGpu();
    const rng = new Rng(103);
    for (const geom of GEOMETRIES) {
      const { rows, k } = patchGrid(geom);
      const imageFloats = geom.batch * geom.height * geom.width * geom.channels;
      const tag = `${geom.batch}x${geom.height}x${geom.width}x${geom.channels} k${geom.kh}x${geom.kw}`;
      await expectViewsMatchOwnBuffers(
        ctx,
        `im2col ${tag}`,
        { image: input(rng.normalArray(imageFloats)), cols: output(rng, rows * k) },
        (b) => [prepareIm2col(ctx, { geom, image: b.image, cols: b.cols })],
      );
      const cases: Array<{ bias: boolean; activation: Activation; accumulate: boolean }> = [
        { bias: false, activation: 'identity', accumulate: false },
        { bias: true, activation: 'leaky_relu', accumulate: false },
        { bias: true, activation: 'identity', accumulate: true },
      ];
      for (const c of cases) {
        const tensors: Tensors = { cols: input(rng.normalArray(rows * k)), image: output(rng, imageFloats) };
        if (c.bias) tensors.bias = input(rng.normalArray(geom.channels));
        await expectViewsMatchOwnBuffers(ctx, `col2im ${tag} ${JSON.stringify(c)}`, tensors, (b) => [
          prepareCol2im(ctx, {
            geom,
            cols: b.cols,
            image: b.image,
            bias: b.bias,
            activation: c.activation,
            slope: 0.2,
            accumulate: c.accumulate,
          }),
        ]);
      }
    }
  });
});

describe('gradient penalty on views', () => {
  it('mixRows and penaltySeed', async () => {
    const ctx = await testGpu();
    const rng = new Rng(104);
    for (const [rows, cols] of [
      [7, 33],
      [127, 1],
      [1, 7],
    ]) {
      const n = rows * cols;
      await expectViewsMatchOwnBuffers(
        ctx,
        `gp.mix ${rows}x${cols}`,
        {
          real: input(rng.normalArray(n)),
          fake: input(rng.normalArray(n)),
          eps: input(rng.uniformArray(rows, 0, 1)),
          out: output(rng, n),
        },
        (b) => [prepareMixRows(ctx, { rows, cols, real: b.real, fake: b.fake, eps: b.eps, out: b.out })],
      );
      const grad = rng.normalArray(n);
      grad.fill(0, 0, cols); // a zero row: the seed's 0/0 guard
      await expectViewsMatchOwnBuffers(
        ctx,
        `gp.seed ${rows}x${cols}`,
        { grad: input(grad), seed: output(rng, n), stats: output(rng, 1) },
        (b) => [preparePenaltySeed(ctx, { rows, cols, lambda: 10, grad: b.grad, seed: b.seed, stats: b.stats })],
      );
    }
  });
});

describe('random draws on views', () => {
  it('drawTick, normalDraw, uniformDraw, anchorSample and rowSample', async () => {
    const ctx = await testGpu();
    const rng = new Rng(105);
    // The counter is a u32; the draws after a tick must use the ticked value read through the view.
    const counter = (): TensorSpec => ({ floats: 1, data: u32Words([41]), output: true });
    const outs = await expectViewsMatchOwnBuffers(ctx, 'random.tick', { counter: counter() }, (b) => [
      prepareDrawTick(ctx, b.counter),
      prepareDrawTick(ctx, b.counter),
    ]);
    expect(new Uint32Array(outs.counter.buffer)[0]).toBe(43);

    for (const n of [1, 7, 33, 127]) {
      await expectViewsMatchOwnBuffers(ctx, `random.normal ${n}`, { counter: counter(), out: output(rng, n) }, (b) => [
        prepareDrawTick(ctx, b.counter),
        prepareNormalDraw(ctx, { out: b.out, n, std: 0.5, seed: 7, stream: 3, counter: b.counter }),
      ]);
      await expectViewsMatchOwnBuffers(ctx, `random.uniform ${n}`, { counter: counter(), out: output(rng, n) }, (b) => [
        prepareUniformDraw(ctx, { out: b.out, n, seed: 7, stream: 4, counter: b.counter }),
      ]);
      const anchorCount = 7;
      await expectViewsMatchOwnBuffers(
        ctx,
        `random.anchors ${n}`,
        { counter: counter(), anchors: input(rng.normalArray(2 * anchorCount)), out: output(rng, 2 * n) },
        (b) => [
          prepareAnchorSample(ctx, {
            out: b.out,
            n,
            anchors: b.anchors,
            anchorCount,
            std: 0.05,
            seed: 7,
            stream: 5,
            counter: b.counter,
          }),
        ],
      );
      const count = 33;
      const dim = 7;
      await expectViewsMatchOwnBuffers(
        ctx,
        `random.rows ${n}`,
        { counter: counter(), rows: input(rng.normalArray(count * dim)), out: output(rng, n * dim) },
        (b) => [
          prepareRowSample(ctx, { out: b.out, n, rows: b.rows, count, dim, seed: 7, stream: 6, counter: b.counter }),
        ],
      );
    }
  });
});

describe('weight normalization and clipping on views', () => {
  it('forward, backward and clip', async () => {
    const ctx = await testGpu();
    const rng = new Rng(106);
    for (const [dOut, dIn] of [
      [7, 33],
      [33, 7],
      [1, 127],
    ]) {
      const n = dOut * dIn;
      await expectViewsMatchOwnBuffers(
        ctx,
        `wn.forward ${dOut}x${dIn}`,
        { w: input(rng.normalArray(n)), wBar: output(rng, n), norms: output(rng, dOut) },
        (b) => [prepareWeightNormForward(ctx, { w: b.w, wBar: b.wBar, norms: b.norms, dOut, dIn })],
      );
      await expectViewsMatchOwnBuffers(
        ctx,
        `wn.backward ${dOut}x${dIn}`,
        {
          gWbar: input(rng.normalArray(n)),
          wBar: input(rng.normalArray(n)),
          norms: input(rng.uniformArray(dOut, 0.5, 3)),
          gW: output(rng, n),
        },
        (b) => [prepareWeightNormBackward(ctx, { gWbar: b.gWbar, wBar: b.wBar, norms: b.norms, gW: b.gW, dOut, dIn })],
      );
      const w = { ...input(rng.uniformArray(n, -0.03, 0.03)), output: true };
      const clipped = await expectViewsMatchOwnBuffers(ctx, `wn.clip ${n}`, { w }, (b) => [
        prepareWeightClip(ctx, { w: b.w, n, c: 0.01 }),
      ]);
      expect(Math.max(...clipped.w.map(Math.abs))).toBeLessThanOrEqual(Math.fround(0.01));
    }
  });
});

describe('buffer registry write and read on views', () => {
  it('writes and reads at the view offset plus the element offset, and refuses to pass its end', async () => {
    const ctx = await testGpu();
    const floats = 3 * 64;
    const buffer = ctx.buffers.storage('rw.shared', floats, new Float32Array(floats).fill(-1));
    try {
      const view = viewOf(buffer, 256, 33); // floats 64..96 (bound: 36 floats, 16-byte words)
      ctx.buffers.write(view, [1, 2, 3]);
      ctx.buffers.write(view, [4, 5], 31);
      const whole = await ctx.buffers.read(buffer, floats);
      const expected = new Float32Array(floats).fill(-1);
      expected.set([1, 2, 3], 64);
      expected.set([4, 5], 95);
      expect(whole).toEqual(expected);
      expect(await ctx.buffers.read(view, 3)).toEqual(Float32Array.from([1, 2, 3]));
      expect(await ctx.buffers.read(view, 2, 31)).toEqual(Float32Array.from([4, 5]));
      // Whole buffers keep their element offsets from the buffer's start.
      expect(await ctx.buffers.read(buffer, 2, 95)).toEqual(Float32Array.from([4, 5]));

      expect(() => ctx.buffers.write(view, new Float32Array(37))).toThrow(
        /rw\.shared: write of 37 floats at float 0 passes the view's end \(36 floats at byte 256\)/,
      );
      expect(() => ctx.buffers.write(view, [1], 36)).toThrow(/write of 1 floats at float 36/);
      await expect(ctx.buffers.read(view, 2, 35)).rejects.toThrow(/read of 2 floats at float 35 passes the view's end/);
      // The refused write left the neighbours alone.
      expect(await ctx.buffers.read(buffer, floats)).toEqual(expected);
    } finally {
      ctx.buffers.destroy(buffer);
    }
  });
});

describe('launchers refuse views that overlap or are too small', () => {
  it('names the argument and the counts', async () => {
    const ctx = await testGpu();
    const buffer = ctx.buffers.storage('bad.shared', 1024);
    try {
      const geom: PatchGeometry = { batch: 1, height: 7, width: 7, channels: 1, kh: 3, kw: 3, stride: 1, pad: 1 };
      const image = viewOf(buffer, 0, 49);
      expect(() => prepareIm2col(ctx, { geom, image, cols: viewOf(buffer, 0, 441) })).toThrow(
        /image and cols must not overlap/,
      );
      expect(() => prepareIm2col(ctx, { geom, image, cols: viewOf(buffer, 256, 440) })).toThrow(
        /cols holds 440 floats, needs 441/,
      );
      expect(() =>
        prepareWeightNormForward(ctx, {
          w: viewOf(buffer, 0, 64),
          wBar: viewOf(buffer, 256, 64),
          norms: viewOf(buffer, 512, 4),
          dOut: 8,
          dIn: 8,
        }),
      ).toThrow(/norms holds 4 floats, needs 8/);
      expect(() =>
        prepareNormalDraw(ctx, {
          out: viewOf(buffer, 512, 8),
          n: 8,
          seed: 1,
          stream: 1,
          counter: viewOf(buffer, 512, 1),
        }),
      ).toThrow(/out must not overlap counter/);
    } finally {
      ctx.buffers.destroy(buffer);
    }
  });
});

/**
 * What a packer of shared buffers must know (found while writing this file): WebGPU validates a
 * dispatch's usage per buffer, not per range, so a buffer bound read-only in one slot and writable
 * in another is refused even when the ranges are disjoint; two writable disjoint views are fine.
 */
describe('WebGPU usage rules for views of one buffer in one dispatch', () => {
  it('refuses a read-only and a writable view of one buffer, accepts two writable ones', async () => {
    const ctx = await testGpu();
    const rng = new Rng(107);
    const [dOut, dIn] = [7, 33];
    const w = rng.normalArray(dOut * dIn);
    const own = {
      w: ctx.buffers.storage('usage.own.w', dOut * dIn, w),
      wBar: ctx.buffers.storage('usage.own.wBar', dOut * dIn),
      norms: ctx.buffers.storage('usage.own.norms', dOut),
    };
    const readWrite = ctx.buffers.storage('usage.readWrite', 1024);
    const writable = ctx.buffers.storage('usage.writable', 1024);
    try {
      await submitChecked(ctx, [prepareWeightNormForward(ctx, { ...own, dOut, dIn })]);

      const inShared = viewOf(readWrite, 0, dOut * dIn);
      ctx.buffers.write(inShared, w);
      const mixed = prepareWeightNormForward(ctx, {
        w: inShared,
        wBar: viewOf(readWrite, 1024, dOut * dIn),
        norms: own.norms,
        dOut,
        dIn,
      });
      await expect(submitChecked(ctx, [mixed])).rejects.toThrow(/includes writable usage and another usage/);

      const wBar = viewOf(writable, 256, dOut * dIn);
      const norms = viewOf(writable, 2048, dOut);
      await submitChecked(ctx, [prepareWeightNormForward(ctx, { w: own.w, wBar, norms, dOut, dIn })]);
      const same = (a: Float32Array, b: Float32Array) => firstDifference(bitsOf(a), bitsOf(b));
      expect(
        same(await ctx.buffers.read(wBar, dOut * dIn), await ctx.buffers.read(own.wBar, dOut * dIn)),
      ).toBeUndefined();
      expect(same(await ctx.buffers.read(norms, dOut), await ctx.buffers.read(own.norms, dOut))).toBeUndefined();
    } finally {
      for (const buffer of [...Object.values(own), readWrite, writable]) ctx.buffers.destroy(buffer);
    }
  });
});
