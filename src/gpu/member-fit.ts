/**
 * Prepare-time checks of a launcher's bindings against a member batch (src/gpu/members.ts): each
 * member's tensor must lie inside the range bound for its argument, and members must not write
 * the same elements (one would silently overwrite another's result in the same dispatch). A kernel
 * that is not batched is checked as one member at offset 0. Every message names the launcher, the
 * argument and the member, so a wrong layout is refused before anything reaches the GPU.
 */
import { bindingBytes, bindingsOverlap, type GpuBinding } from './binding';
import type { MemberBatch } from './members';

/** Bytes per element of every tensor these checks see (f32 and the Adam step's u32). */
const ELEMENT_BYTES = 4;

/** Each member's element offset for `name` (0 for every member when the batch does not name it). */
export function memberOffsets(name: string, batch?: MemberBatch): readonly number[] {
  if (!batch) return [0];
  return batch.offsets[name] ?? new Array<number>(batch.count).fill(0);
}

/** Throws unless every member's `elements` elements of `name` fit in the bound range. */
export function checkMemberFit(
  label: string,
  name: string,
  binding: GpuBinding,
  elements: number,
  batch?: MemberBatch,
): void {
  const capacity = Math.floor(bindingBytes(binding) / ELEMENT_BYTES);
  memberOffsets(name, batch).forEach((offset, member) => {
    if (offset + elements <= capacity) return;
    throw new Error(
      batch
        ? `${label}: member ${member}'s ${name} [${offset}, ${offset + elements}) passes the end of the ` +
            `${capacity} elements bound for ${name}`
        : `${label}: ${name} holds ${capacity} elements, the kernel reaches ${elements}`,
    );
  });
}

/** An output: it fits (checkMemberFit), and no two members write a common element. */
export function checkMemberOutput(
  label: string,
  name: string,
  binding: GpuBinding,
  elements: number,
  batch?: MemberBatch,
): void {
  checkMemberFit(label, name, binding, elements, batch);
  const offsets = memberOffsets(name, batch);
  for (let i = 0; i < offsets.length; i++) {
    for (let j = i + 1; j < offsets.length; j++) {
      if (offsets[i] < offsets[j] + elements && offsets[j] < offsets[i] + elements) {
        throw new Error(
          `${label}: members ${i} and ${j} write overlapping ${name} (offsets ${offsets[i]} and ` +
            `${offsets[j]}, ${elements} elements each)`,
        );
      }
    }
  }
}

/** Throws when the written binding `out` shares bytes with any of `others` (WebGPU refuses the aliasing). */
export function checkNoAliasing(
  label: string,
  out: [string, GpuBinding],
  others: ReadonlyArray<[string, GpuBinding | undefined]>,
): void {
  for (const [name, other] of others) {
    if (other && bindingsOverlap(out[1], other)) {
      throw new Error(`${label}: ${out[0]} and ${name} must not share memory (${out[0]} is written)`);
    }
  }
}
