/**
 * Prepare-time checks of a launcher's bindings against a member batch (src/gpu/members.ts): each
 * member's tensor must lie inside the range bound for its argument, and members must not write
 * the same elements (one would silently overwrite another's result in the same dispatch). A kernel
 * that is not batched is checked as one member at offset 0. Every message names the launcher, the
 * argument and the member, so a wrong layout is refused before anything reaches the GPU.
 */
import { requireFloats } from './buffers';
import { bindingBytes, bindingsOverlap, bufferOfBinding, type GpuBinding } from './binding';
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

/** A launcher argument as the usage rules see it. */
export interface BoundArg {
  name: string;
  binding: GpuBinding | undefined;
  written?: boolean;
}

/**
 * WebGPU's rules for one dispatch: a buffer written through one binding may not be read through
 * another, even a disjoint range (a writable and a read-only usage of one buffer in one usage
 * scope), and two written bindings must not overlap (Dawn: "Writable storage buffer binding
 * aliasing"). Written ranges of one buffer that are disjoint are fine. Checked here so the refusal
 * names the arguments instead of surfacing as a validation error at dispatch.
 */
export function checkBindingUsage(label: string, args: readonly BoundArg[]): void {
  for (const out of args) {
    if (!out.written || !out.binding) continue;
    for (const other of args) {
      if (other === out || !other.binding) continue;
      if (other.written && bindingsOverlap(out.binding, other.binding)) {
        throw new Error(`${label}: ${out.name} and ${other.name} are both written and must not overlap`);
      }
      if (!other.written && bufferOfBinding(out.binding) === bufferOfBinding(other.binding)) {
        throw new Error(
          `${label}: ${out.name} is written, so ${other.name} (read) must lie in another buffer ` +
            `(WebGPU refuses a dispatch that writes one range of a buffer and reads another)`,
        );
      }
    }
  }
}

/**
 * A launcher argument's size checks in one call: the tensor holds `floats` (requireFloats) and,
 * batched, every member's floats fit its bound range; a written argument's members also must not
 * overlap (checkMemberOutput).
 */
export function requireMemberFloats(
  label: string,
  name: string,
  binding: GpuBinding,
  floats: number,
  batch: MemberBatch | undefined,
  written: boolean,
): void {
  requireFloats(label, name, binding, floats);
  if (!batch) return;
  (written ? checkMemberOutput : checkMemberFit)(label, name, binding, floats, batch);
}
