/**
 * Batched dispatches: one dispatch runs the same kernel for several members (the live variants of
 * a run), each on its own tensors. The members' tensors of one binding lie in one buffer (see
 * src/gpu/binding.ts); the kernel binds the range that spans them and reads each member's element
 * offset into that range from a small uniform table, with workgroup_id.z as the member index
 * (shaders/lib/members.wgsl). A kernel that is not batched gets a table of zeros and z = 1, and so
 * computes exactly what it computed before members existed.
 */
import type { GpuContext } from './device';

/** Members one dispatch can hold: six variants, rounded up to the table's vec4 rows. */
export const MAX_MEMBERS = 8;
/** Bindings per kernel that can carry member offsets (table slots). */
export const MEMBER_SLOTS = 8;

/**
 * `count` members; `offsets[name][i]` is member i's element offset into the range bound for the
 * launcher argument `name` (a shared input read by every member has the same offset for all).
 * Arguments a launcher does not find here get offset 0 for every member.
 */
export interface MemberBatch {
  readonly count: number;
  readonly offsets: Readonly<Record<string, readonly number[]>>;
}

/** The uniform table for a batch: slot s (the launcher's numbering of its bindings), member i. */
export function packMemberTable(label: string, slots: readonly string[], batch?: MemberBatch): Uint32Array {
  if (slots.length > MEMBER_SLOTS) throw new Error(`${label}: ${slots.length} member slots, at most ${MEMBER_SLOTS}`);
  const table = new Uint32Array(MEMBER_SLOTS * MAX_MEMBERS);
  if (!batch) return table;
  if (!Number.isInteger(batch.count) || batch.count < 1 || batch.count > MAX_MEMBERS) {
    throw new Error(`${label}: a batch holds 1 to ${MAX_MEMBERS} members, got ${batch.count}`);
  }
  for (const name of Object.keys(batch.offsets)) {
    if (!slots.includes(name)) throw new Error(`${label}: no member slot "${name}" (slots: ${slots.join(', ')})`);
  }
  slots.forEach((name, s) => {
    const offsets = batch.offsets[name];
    if (!offsets) return;
    if (offsets.length !== batch.count) {
      throw new Error(`${label}: ${offsets.length} offsets for "${name}", the batch has ${batch.count} members`);
    }
    offsets.forEach((offset, i) => {
      if (!Number.isInteger(offset) || offset < 0) throw new Error(`${label}: offset ${offset} of "${name}"`);
      table[s * MAX_MEMBERS + i] = offset;
    });
  });
  return table;
}

/** The table as a uniform buffer (made once, when the kernel is prepared). */
export function memberUniform(
  ctx: GpuContext,
  label: string,
  slots: readonly string[],
  batch?: MemberBatch,
): GPUBuffer {
  const table = packMemberTable(label, slots, batch);
  return ctx.buffers.uniform(`${label}.members`, table.buffer as ArrayBuffer);
}

/**
 * A launcher's refusal of a batch too big for the device (e.g. split-K's workspace, one region per
 * member, past the largest binding): the caller runs the members one by one instead. Any other
 * error from a launcher is a bug and propagates.
 */
export class MemberBatchTooLarge extends Error {}

/** Members of a batch (1 when not batched): the dispatch's z extent. */
export const memberCount = (batch?: MemberBatch): number => batch?.count ?? 1;
