/**
 * Batched matmul (src/gpu/members.ts): one dispatch (two with split-K) runs the product for every
 * member, each on its own slice of a shared buffer. Every case here lays the arguments out in two
 * "arena" buffers filled with a sentinel, one for the inputs (A, B, bias) and one for C (WebGPU
 * forbids reading a buffer in the dispatch that writes it, even through disjoint views): each
 * argument's bound range (a view at a non-zero offset) holds its members at 256-byte-aligned
 * offsets in reverse member order, with sentinel floats between them, after them and around every
 * range. Then it reads both arenas back and checks that each member's C is bit for bit what an
 * unbatched run on that member's own buffers computes, that C is within the float64 twin's
 * tolerance, and that every other float of the arenas (inputs and sentinels) still holds what was
 * written.
 */
import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/gpu/activation';
import { viewOf, type BufferView } from '../../src/gpu/binding';
import type { GpuContext } from '../../src/gpu/device';
import { dispatchKernel, type Kernel } from '../../src/gpu/kernel';
import { MATMUL_TUNING, prepareMatmul, type MatmulArgs, type MatmulTuning } from '../../src/gpu/kernels/matmul';
import type { MemberBatch } from '../../src/gpu/members';
import { matmulReference } from '../../src/reference/matmul';
import { Rng } from '../../src/reference/random';
import { expectClose, runAndRead, testGpu, type Tolerance } from '../helpers/gpu';

/** f32 unit roundoff. */
const U = 2 ** -24;

/** test/gpu/matmul.test.ts's tolerance (its comment derives it), for the activations used here. */
const tolerance = (k: number): Tolerance => ({ atol: 4 * U * k + 4 * U, rtol: 4 * U });

/** A float no product here can produce, and that poisons any sum it is read into. */
const SENTINEL = 1e30;
/** Floats of sentinel before every argument's range (and at the arena's end). */
const GAP = 64;
/** Member and range starts: 64 floats = 256 bytes, the view alignment. */
const ALIGN = 64;

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;

type Arg = 'a' | 'b' | 'c' | 'bias';

interface Case {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  bias?: boolean;
  activation?: Activation;
  slope?: number;
  accumulate?: boolean;
  splitK?: number;
  tuning?: Partial<MatmulTuning>;
  /** Members in the batch. */
  count: number;
  /** An input every member reads at the same offset (the trainer's shared noise batch). */
  shared?: 'a' | 'b';
}

const form = (c: Case) => `${c.transA ? 'T' : 'N'}${c.transB ? 'T' : 'N'}`;

function describeCase(c: Case): string {
  const extras = [
    c.bias ? 'bias' : '',
    c.activation ?? '',
    c.accumulate ? 'accumulate' : '',
    c.splitK ? `splitK=${c.splitK}` : '',
    c.shared ? `shared ${c.shared.toUpperCase()}` : '',
  ].filter((s) => s);
  return `matmul.${form(c)} ${c.m}x${c.n}x${c.k} ×${c.count}${extras.length ? ' ' + extras.join(' ') : ''}`;
}

/** Where one argument lies in the arena: its bound range and each member's tensor (arena floats). */
interface Placement {
  start: number;
  end: number;
  at: number[];
}

/**
 * Places `floats`-float tensors for `count` members (one tensor when shared), in reverse member
 * order so that no kernel can pass by computing member i's place from i, with at least 5 sentinel
 * floats after each inside the range.
 */
function place(cursor: { at: number }, floats: number, count: number, shared: boolean): Placement {
  cursor.at += GAP;
  const start = cursor.at;
  const stride = roundUp(floats + 5, ALIGN);
  const tensors = shared ? 1 : count;
  const at = Array.from({ length: count }, (_, i) => start + (shared ? 0 : tensors - 1 - i) * stride);
  cursor.at = start + tensors * stride;
  return { start, end: cursor.at, at };
}

/** Members' input data (one copy per member; a shared input is the same array for all). */
function inputs(rng: Rng, c: Case): Record<Arg, Float32Array[]> {
  const { m, n, k, count } = c;
  const per = (floats: number, shared: boolean) => {
    const one = shared ? rng.uniformArray(floats) : undefined;
    return Array.from({ length: count }, () => one ?? rng.uniformArray(floats));
  };
  return {
    a: per(m * k, c.shared === 'a'),
    b: per(k * n, c.shared === 'b'),
    // Accumulate adds to C's previous contents; otherwise C starts as sentinel, all of it written.
    c: c.accumulate ? per(m * n, false) : [],
    bias: c.bias ? per(n, false) : [],
  };
}

/** Counts the dispatches kernels record while encoding them into a real pass and submitting. */
async function runCounting(ctx: GpuContext, kernels: Kernel[]): Promise<number> {
  const encoder = ctx.device.createCommandEncoder({ label: 'matmulMembersTest.encoder' });
  const pass = encoder.beginComputePass({ label: 'matmulMembersTest.pass' });
  let dispatches = 0;
  const counting = {
    setPipeline: (p: GPUComputePipeline) => pass.setPipeline(p),
    setBindGroup: (i: number, g: GPUBindGroup) => pass.setBindGroup(i, g),
    dispatchWorkgroups: (x: number, y?: number, z?: number) => {
      dispatches++;
      pass.dispatchWorkgroups(x, y, z);
    },
  } as unknown as GPUComputePassEncoder;
  ctx.device.pushErrorScope('validation');
  for (const kernel of kernels) kernel.encode(counting);
  pass.end();
  ctx.device.queue.submit([encoder.finish()]);
  const error = await ctx.device.popErrorScope();
  if (error) throw new Error(`WebGPU validation error: ${error.message}`);
  return dispatches;
}

function kernelArgs(c: Case, label: string): Omit<MatmulArgs, 'a' | 'b' | 'c' | 'bias'> {
  const { m, n, k, transA, transB, activation, slope, accumulate, splitK, tuning } = c;
  return { m, n, k, transA, transB, activation, slope, accumulate, splitK, tuning, label };
}

/** Member i run alone, on buffers of its own: what the batched run must reproduce bit for bit. */
async function runAlone(ctx: GpuContext, c: Case, data: Record<Arg, Float32Array[]>, i: number): Promise<Float32Array> {
  const { m, n, k } = c;
  const own = {
    a: ctx.buffers.storage('matmulMembersTest.alone.a', m * k, data.a[i]),
    b: ctx.buffers.storage('matmulMembersTest.alone.b', k * n, data.b[i]),
    c: ctx.buffers.storage('matmulMembersTest.alone.c', m * n, c.accumulate ? data.c[i] : undefined),
    bias: c.bias ? ctx.buffers.storage('matmulMembersTest.alone.bias', n, data.bias[i]) : undefined,
  };
  try {
    const kernel = prepareMatmul(ctx, { ...kernelArgs(c, `${describeCase(c)} alone ${i}`), ...own });
    return await runAndRead(ctx, [kernel], own.c, m * n);
  } finally {
    for (const buffer of Object.values(own)) if (buffer) ctx.buffers.destroy(buffer);
  }
}

function twin(c: Case, data: Record<Arg, Float32Array[]>, i: number): Float64Array {
  const { m, n, k, transA, transB, activation, slope } = c;
  return matmulReference(data.a[i], data.b[i], {
    m,
    n,
    k,
    transA,
    transB,
    activation,
    slope,
    bias: c.bias ? data.bias[i] : undefined,
    c: c.accumulate ? data.c[i] : undefined,
  });
}

/** An arena's contents: sentinel everywhere but the given tensors. */
function fill(floats: number, tensors: [Placement, Float32Array[]][]): Float32Array {
  const out = new Float32Array(floats).fill(SENTINEL);
  for (const [p, data] of tensors) data.forEach((tensor, i) => out.set(tensor, p.at[i]));
  return out;
}

/** The first float where two arenas differ, as "float i: got x, want y", or null. */
function firstDifference(got: Float32Array, want: Float32Array): string | null {
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < w.length; i++) if (g[i] !== w[i]) return `float ${i}: got ${got[i]}, want ${want[i]}`;
  return null;
}

/**
 * Runs case `c` batched (`batched`) or, with batched = false and count 1, unbatched on views, and
 * checks the arena as described at the top. Returns the dispatches the kernel recorded.
 */
async function check(ctx: GpuContext, rng: Rng, c: Case, batched = true): Promise<number> {
  const { m, n, k, count } = c;
  const label = describeCase(c) + (batched ? '' : ' unbatched views');
  const data = inputs(rng, c);
  const ins = { at: 0 };
  const outs = { at: 0 };
  const where: Partial<Record<Arg, Placement>> = {
    a: place(ins, m * k, count, c.shared === 'a'),
    b: place(ins, k * n, count, c.shared === 'b'),
    c: place(outs, m * n, count, false),
  };
  if (c.bias) where.bias = place(ins, n, count, false);
  const inputTensors = (['a', 'b', 'bias'] as const).flatMap((arg): [Placement, Float32Array[]][] =>
    where[arg] ? [[where[arg], data[arg]]] : [],
  );
  const initialIn = fill(ins.at + GAP, inputTensors);
  const initialOut = fill(outs.at + GAP, [[where.c!, data.c]]);
  const inArena = ctx.buffers.storage('matmulMembersTest.inputs', initialIn.length, initialIn);
  const outArena = ctx.buffers.storage('matmulMembersTest.outputs', initialOut.length, initialOut);
  const view = (arena: GPUBuffer, p: Placement): BufferView => viewOf(arena, p.start * 4, p.end - p.start);
  const offsets = (p: Placement) => p.at.map((at) => at - p.start);
  const batch: MemberBatch = {
    count,
    offsets: Object.fromEntries(Object.entries(where).map(([arg, p]) => [arg, offsets(p)])),
  };
  try {
    const kernel = prepareMatmul(
      ctx,
      {
        ...kernelArgs(c, label),
        a: view(inArena, where.a!),
        b: view(inArena, where.b!),
        c: view(outArena, where.c!),
        bias: where.bias && view(inArena, where.bias),
      },
      batched ? batch : undefined,
    );
    const dispatches = await runCounting(ctx, [kernel]);
    const got = await ctx.buffers.read(outArena, initialOut.length);
    const gotIn = await ctx.buffers.read(inArena, initialIn.length);
    expect(firstDifference(gotIn, initialIn), `${label}: the inputs' arena changed`).toBeNull();

    const want = initialOut.slice();
    for (let i = 0; i < count; i++) {
      const alone = await runAlone(ctx, c, data, i);
      const mine = got.subarray(where.c!.at[i], where.c!.at[i] + m * n);
      const diff = firstDifference(mine, alone);
      expect(diff, `${label}: member ${i} differs from its unbatched run`).toBeNull();
      expectClose(`${label} member ${i}`, mine, twin(c, data, i), tolerance(k));
      want.set(alone, where.c!.at[i]);
    }
    expect(firstDifference(got, want), `${label}: C's arena outside the members' C changed`).toBeNull();
    return dispatches;
  } finally {
    ctx.buffers.destroy(inArena);
    ctx.buffers.destroy(outArena);
  }
}

/** test/gpu/matmul.test.ts's SMALL_A: two A-tile load rounds per thread, ragged GROUP_M. */
const SMALL_A: Partial<MatmulTuning> = { WG_X: 4, WG_Y: 8, TILE_K: 8, GROUP_M: 3 };
const COUNTS = [1, 2, 3, 6];
const FORMS = [
  { transA: false, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: false },
];
const LEAKY = { bias: true, activation: 'leaky_relu' as const, slope: 0.2 };

describe('batched matmul: every member bit-identical to its own unbatched run, sentinels untouched', () => {
  it('1×1×1 in every form with 1, 2, 3 and 6 members, in one dispatch', async () => {
    const ctx = await testGpu();
    const rng = new Rng(1);
    for (const f of FORMS) {
      for (const count of COUNTS) expect(await check(ctx, rng, { m: 1, n: 1, k: 1, ...f, count })).toBe(1);
    }
  });

  it('awkward shapes in every form, plain and with bias + leaky-ReLU', async () => {
    const ctx = await testGpu();
    const rng = new Rng(2);
    const shapes = [
      [7, 33, 127],
      [127, 7, 33],
      [33, 127, 7],
    ];
    for (const [i, f] of FORMS.entries()) {
      for (const [j, [m, n, k]] of shapes.entries()) {
        const count = COUNTS[(i + j) % COUNTS.length];
        await check(ctx, rng, { m, n, k, ...f, count, ...(j === i ? {} : LEAKY) });
      }
    }
  });

  it('vec4 loads and stores on whole and ragged tiles (256×128×2, 68×36×20)', async () => {
    const ctx = await testGpu();
    const rng = new Rng(3);
    for (const [i, f] of FORMS.entries()) {
      await check(ctx, rng, { m: 256, n: 128, k: 2, ...f, count: [2, 3, 6][i], ...LEAKY });
      await check(ctx, rng, { m: 68, n: 36, k: 20, ...f, count: [6, 2, 3][i], tuning: SMALL_A });
    }
  });

  it('accumulates into each member’s own C, in every form, scalar and vec4 stores', async () => {
    const ctx = await testGpu();
    const rng = new Rng(4);
    for (const [i, f] of FORMS.entries()) {
      await check(ctx, rng, { m: 7, n: 33, k: 127, ...f, count: [6, 3, 2][i], accumulate: true });
      await check(ctx, rng, { m: 36, n: 68, k: 20, ...f, count: [2, 6, 3][i], accumulate: true, tuning: SMALL_A });
    }
  });

  it('split-K forced on: slices and the ordered reduction run for all members in 2 dispatches', async () => {
    const ctx = await testGpu();
    const rng = new Rng(5);
    const cases: Case[] = [
      { m: 33, n: 7, k: 257, splitK: 3, count: 3 },
      { m: 7, n: 33, k: 257, transB: true, splitK: 5, count: 6, ...LEAKY },
      { m: 64, n: 68, k: 300, transA: true, splitK: 4, count: 2, accumulate: true, tuning: SMALL_A },
      { m: 36, n: 64, k: 64, splitK: 4, count: 6, ...LEAKY, tuning: SMALL_A },
      { m: 1, n: 1, k: 127, splitK: 4, count: 1 },
    ];
    for (const c of cases) expect(await check(ctx, rng, c), describeCase(c)).toBe(2);
  });

  it("the GPU profile's 64×64 tiling (16×16 threads), with and without split-K", async () => {
    const ctx = await testGpu();
    const rng = new Rng(9);
    await check(ctx, rng, { m: 127, n: 68, k: 33, count: 3, ...LEAKY, tuning: MATMUL_TUNING });
    expect(
      await check(ctx, rng, { m: 33, n: 7, k: 300, transA: true, splitK: 3, count: 2, tuning: MATMUL_TUNING }),
    ).toBe(2);
  });

  it('split-K off (splitK = 1) on a long k stays one dispatch', async () => {
    const ctx = await testGpu();
    const rng = new Rng(6);
    expect(await check(ctx, rng, { m: 7, n: 7, k: 1024, splitK: 1, count: 3 })).toBe(1);
    expect(await check(ctx, rng, { m: 12, n: 8, k: 512, transA: true, splitK: 1, count: 6, accumulate: true })).toBe(1);
  });

  it('a shared input: every member reads the same A (or B), with and without split-K', async () => {
    const ctx = await testGpu();
    const rng = new Rng(7);
    await check(ctx, rng, { m: 64, n: 128, k: 16, count: 6, shared: 'a', ...LEAKY });
    await check(ctx, rng, { m: 33, n: 127, k: 7, transB: true, count: 3, shared: 'a' });
    await check(ctx, rng, { m: 7, n: 33, k: 257, transA: true, splitK: 3, count: 2, shared: 'a', accumulate: true });
    await check(ctx, rng, { m: 127, n: 7, k: 33, count: 6, shared: 'b', ...LEAKY });
  });
});

describe('unbatched matmul on views', () => {
  it('views at non-zero offsets of one buffer compute what own buffers do', async () => {
    const ctx = await testGpu();
    const rng = new Rng(8);
    await check(ctx, rng, { m: 7, n: 33, k: 127, count: 1, ...LEAKY }, false);
    await check(ctx, rng, { m: 36, n: 68, k: 20, transB: true, count: 1, accumulate: true }, false);
    expect(await check(ctx, rng, { m: 64, n: 68, k: 300, transA: true, splitK: 4, count: 1, ...LEAKY }, false)).toBe(2);
  });
});

describe('batched matmul rejects bad batches, naming the value', () => {
  it('offsets outside the bound range, misaligned vec4 offsets, bad counts, overlapping C', async () => {
    const ctx = await testGpu();
    const arena = ctx.buffers.storage('matmulMembersTest.arena', 4096);
    const output = ctx.buffers.storage('matmulMembersTest.output', 1024);
    const shape = { m: 4, n: 4, k: 4 };
    const a = viewOf(arena, 0, 128);
    const b = viewOf(arena, 1024, 128);
    const args = { ...shape, a, b, c: viewOf(output, 256, 128) };
    const two = (o: number[]) => ({ count: 2, offsets: { b: o, c: [0, 64] } });
    expect(() => prepareMatmul(ctx, args, two([0, 120]))).toThrow(/B holds 128 floats, needs 136 \(member 1/);
    expect(() => prepareMatmul(ctx, args, two([0, 66]))).toThrow(/member 1's offset 66 into B is not a multiple of 4/);
    expect(() => prepareMatmul(ctx, args, { count: 9, offsets: {} })).toThrow(/1 to 8 members, got 9/);
    expect(() => prepareMatmul(ctx, args, { count: 3, offsets: { a: [0, 64] } })).toThrow(
      /2 offsets for "a", the batch has 3/,
    );
    expect(() => prepareMatmul(ctx, args, { count: 2, offsets: { d: [0, 64] } })).toThrow(/no member slot "d"/);
    expect(() => prepareMatmul(ctx, args, { count: 2, offsets: { bias: [0, 64] } })).toThrow(/bias, but no bias/);
    expect(() => prepareMatmul(ctx, args, { count: 2, offsets: { c: [64, 64] } })).toThrow(
      /members 0 and 1 write overlapping C \(offsets 64 and 64, 16 floats each\)/,
    );
    expect(() => prepareMatmul(ctx, args, { count: 3, offsets: { c: [40, 0, 16] } })).not.toThrow();
    // C in A's buffer, even disjoint from every input, would fail WebGPU's usage validation at submit.
    expect(() => prepareMatmul(ctx, { ...args, c: viewOf(arena, 2048, 128) })).toThrow(
      /C must be a different buffer from A, B and bias/,
    );
    ctx.buffers.destroy(arena);
    ctx.buffers.destroy(output);
  });
});

describe('why C needs a buffer of its own', () => {
  it('WebGPU rejects a dispatch that writes one view of a buffer and reads another, disjoint one', async () => {
    const ctx = await testGpu();
    const module = ctx.device.createShaderModule({
      label: 'matmulMembersTest.copy',
      code: `@group(0) @binding(0) var<storage, read> src: array<f32>;
             @group(0) @binding(1) var<storage, read_write> dst: array<f32>;
             @compute @workgroup_size(1) fn main() { dst[0] = src[0]; }`,
    });
    const pipeline = ctx.device.createComputePipeline({
      label: 'matmulMembersTest.copy',
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
    });
    const shared = ctx.buffers.storage('matmulMembersTest.shared', 128);
    const kernel = dispatchKernel(ctx, {
      label: 'matmulMembersTest.copy',
      pipeline,
      bindings: { 0: viewOf(shared, 0, 4), 1: viewOf(shared, 256, 4) },
      workgroups: [1],
    });
    await expect(runCounting(ctx, [kernel])).rejects.toThrow(/writable usage and another usage/);
    ctx.buffers.destroy(shared);
  });
});
