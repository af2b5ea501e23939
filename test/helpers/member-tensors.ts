/**
 * What the batched-kernel tests share: one tensor per member packed into one buffer the way the
 * trainer packs variants (each member on a 256-byte boundary), with sentinel words everywhere else
 * — before the bound range, between members and after — so a kernel that strays is seen; and the
 * same members in buffers of their own, for the unbatched run the batched one must match bit for bit.
 */
import { expect } from 'vitest';
import { viewOf, type BufferView, type GpuBinding } from '../../src/gpu/binding';
import type { GpuContext } from '../../src/gpu/device';
import { submitKernels, type Kernel } from '../../src/gpu/kernel';
import type { MemberBatch } from '../../src/gpu/members';

/** The bit pattern of every word outside the members' tensors (−31337.25 as f32: no kernel writes it). */
export const SENTINEL_BITS = new Uint32Array(Float32Array.of(-31337.25).buffer)[0];
/** Floats per 256-byte view alignment. */
const ALIGN_FLOATS = 64;
const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

/** Member words as the GPU holds them: floats, or the Adam step's u32s. */
export type Words = Float32Array | Uint32Array;

export interface PackedTensor {
  label: string;
  buffer: GPUBuffer;
  /** The range bound for the argument: from the first member's tensor to the last one's end. */
  view: BufferView;
  /** Each member's element offset into `view`. */
  offsets: number[];
  /** Elements per member. */
  elements: number;
  /** Words in the whole buffer. */
  words: number;
}

/**
 * `count` members of `elements` words each, member i holding data(i), at 256-byte aligned offsets
 * with at least one aligned block of sentinels between them; the view starts 256 bytes into the
 * buffer. `shared`: one tensor every member reads (all offsets equal).
 */
export function packMembers(
  ctx: GpuContext,
  label: string,
  count: number,
  elements: number,
  data: (member: number) => Words,
  shared = false,
): PackedTensor {
  const stride = roundUp(elements, ALIGN_FLOATS) + ALIGN_FLOATS;
  const copies = shared ? 1 : count;
  const words = ALIGN_FLOATS + copies * stride + ALIGN_FLOATS;
  const buffer = ctx.buffers.storage(label, words);
  const bits = new Uint32Array(words).fill(SENTINEL_BITS);
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) {
    const offset = shared ? 0 : i * stride;
    offsets.push(offset);
    if (shared && i > 0) continue;
    const member = data(i);
    expect(member.length, `${label} member ${i} data`).toBe(elements);
    bits.set(new Uint32Array(member.buffer, member.byteOffset, elements), ALIGN_FLOATS + offset);
  }
  ctx.device.queue.writeBuffer(buffer, 0, bits);
  const view = viewOf(buffer, ALIGN_FLOATS * 4, (copies - 1) * stride + elements);
  return { label, buffer, view, offsets, elements, words };
}

/** A tensor in a buffer of its own, as an unbatched kernel gets it. */
export function ownBuffer(ctx: GpuContext, label: string, data: Words): GPUBuffer {
  const buffer = ctx.buffers.storage(label, data.length);
  ctx.device.queue.writeBuffer(buffer, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  return buffer;
}

/** The batch for these packed arguments (by launcher argument name). */
export function batchOf(count: number, tensors: Record<string, PackedTensor>): MemberBatch {
  return { count, offsets: Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, t.offsets])) };
}

/** Reads the whole buffer's words. */
export async function readWords(ctx: GpuContext, buffer: GPUBuffer, words: number): Promise<Uint32Array> {
  const floats = await ctx.buffers.read(buffer, words);
  return new Uint32Array(floats.buffer, floats.byteOffset, words);
}

/**
 * Each member's words read back from the packed buffer, after checking that every word outside
 * the members' tensors still holds the sentinel.
 */
export async function readMembers(ctx: GpuContext, t: PackedTensor): Promise<Uint32Array[]> {
  const bits = await readWords(ctx, t.buffer, t.words);
  const inside = new Uint8Array(t.words);
  for (const offset of t.offsets) inside.fill(1, ALIGN_FLOATS + offset, ALIGN_FLOATS + offset + t.elements);
  let strays = 0;
  let first = -1;
  for (let i = 0; i < t.words; i++) {
    if (inside[i] || bits[i] === SENTINEL_BITS) continue;
    strays++;
    if (first < 0) first = i;
  }
  expect(strays, `${t.label}: words outside the members changed (first at word ${first})`).toBe(0);
  return t.offsets.map((offset) => bits.slice(ALIGN_FLOATS + offset, ALIGN_FLOATS + offset + t.elements));
}

/** Bit-for-bit equality, reporting the first differing element as floats. */
export function expectSameBits(label: string, got: Uint32Array, want: Uint32Array): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) {
      const f = (w: number) => new Float32Array(Uint32Array.of(w).buffer)[0];
      expect.fail(`${label}: element ${i} is ${f(got[i])}, unbatched gave ${f(want[i])} (bits differ)`);
    }
  }
}

/** Words as floats. */
export const asFloats = (bits: Uint32Array): Float32Array =>
  new Float32Array(bits.buffer, bits.byteOffset, bits.length);

/** One launcher argument of a batched case: elements per member, and each member's initial words. */
export interface CaseArg {
  elements: number;
  data: (member: number) => Words;
  /** One copy read by every member (all offsets equal). */
  shared?: boolean;
}

export interface BatchedCase {
  label: string;
  count: number;
  /** Every argument the kernels bind, by launcher argument name (the batch's keys). */
  args: Record<string, CaseArg>;
  /** The kernels: batched (packed views and a batch) or unbatched (a member's own buffers, no batch). */
  prepare: (bindings: Record<string, GpuBinding>, batch?: MemberBatch) => Kernel[];
  /** Submissions of the kernels, one after another (default 1). */
  submits?: number;
}

async function submitChecked(ctx: GpuContext, kernels: Kernel[], label: string): Promise<void> {
  ctx.device.pushErrorScope('validation');
  submitKernels(ctx, kernels, label);
  const error = await ctx.device.popErrorScope();
  if (error) throw new Error(`${label}: WebGPU validation error: ${error.message}`);
}

/**
 * Runs the case batched on packed buffers and, per member, unbatched on buffers of its own; checks
 * that no word outside the members' tensors changed and that every member's final words (inputs
 * and outputs alike) are bit-identical to its unbatched run. Returns the batched members' final
 * words, args[name][member], for the test's comparison with the float64 twin.
 */
export async function runBatchedCase(ctx: GpuContext, c: BatchedCase): Promise<Record<string, Uint32Array[]>> {
  const names = Object.keys(c.args);
  const packed = Object.fromEntries(
    names.map((name) => {
      const a = c.args[name];
      return [name, packMembers(ctx, `${c.label}.${name}`, c.count, a.elements, a.data, a.shared)];
    }),
  );
  const views = Object.fromEntries(names.map((name) => [name, packed[name].view]));
  const batched = c.prepare(views, batchOf(c.count, packed));
  for (let s = 0; s < (c.submits ?? 1); s++) await submitChecked(ctx, batched, `${c.label}.batched`);
  const got: Record<string, Uint32Array[]> = {};
  for (const name of names) got[name] = await readMembers(ctx, packed[name]);

  for (let member = 0; member < c.count; member++) {
    const own = Object.fromEntries(
      names.map((name) => {
        const a = c.args[name];
        return [name, ownBuffer(ctx, `${c.label}.${name}.own`, a.data(a.shared ? 0 : member))];
      }),
    );
    const single = c.prepare(own);
    for (let s = 0; s < (c.submits ?? 1); s++) await submitChecked(ctx, single, `${c.label}.unbatched`);
    for (const name of names) {
      const want = await readWords(ctx, own[name], c.args[name].elements);
      expectSameBits(`${c.label} member ${member} ${name}`, got[name][member], want);
      ctx.buffers.destroy(own[name]);
    }
  }
  for (const t of Object.values(packed)) ctx.buffers.destroy(t.buffer);
  return got;
}
