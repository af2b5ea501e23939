/**
 * What a kernel binds: a whole GPU buffer, or a view — one tensor's slice of a buffer several
 * tensors share. Views are how variants are batched (src/engine/variant-stack.ts): every variant's
 * copy of a tensor sits in one buffer, so one dispatch can reach all of them, while a kernel that
 * runs per variant binds just that variant's slice.
 */

/** A tensor's slice of a shared buffer. WebGPU wants storage-binding offsets on 256-byte boundaries. */
export interface BufferView {
  readonly buffer: GPUBuffer;
  /** Bytes from the buffer's start; a multiple of VIEW_ALIGN_BYTES. */
  readonly offset: number;
  /** Bytes bound. */
  readonly size: number;
}

export type GpuBinding = GPUBuffer | BufferView;

/** minStorageBufferOffsetAlignment is at most 256 on every adapter (the spec's default and bound). */
export const VIEW_ALIGN_BYTES = 256;

export function isView(binding: GpuBinding): binding is BufferView {
  return 'buffer' in binding;
}

export function bufferOfBinding(binding: GpuBinding): GPUBuffer {
  return isView(binding) ? binding.buffer : binding;
}

export function offsetOfBinding(binding: GpuBinding): number {
  return isView(binding) ? binding.offset : 0;
}

/** Bytes a kernel can reach through the binding. */
export function bindingBytes(binding: GpuBinding): number {
  return isView(binding) ? binding.size : binding.size;
}

/** Whether two bindings reach any common byte (a kernel must not write what it reads elsewhere). */
export function bindingsOverlap(a: GpuBinding, b: GpuBinding): boolean {
  if (bufferOfBinding(a) !== bufferOfBinding(b)) return false;
  const a0 = offsetOfBinding(a);
  const b0 = offsetOfBinding(b);
  return a0 < b0 + bindingBytes(b) && b0 < a0 + bindingBytes(a);
}

/** The GPUBindGroupEntry resource for a binding. */
export function bufferBinding(binding: GpuBinding): GPUBufferBinding {
  return isView(binding) ? { buffer: binding.buffer, offset: binding.offset, size: binding.size } : { buffer: binding };
}

/** A view of `floats` floats at `offsetBytes` of `buffer`, checked for alignment and bounds. */
export function viewOf(buffer: GPUBuffer, offsetBytes: number, floats: number): BufferView {
  if (offsetBytes % VIEW_ALIGN_BYTES !== 0) {
    throw new Error(`${buffer.label}: view offset ${offsetBytes} B is not a multiple of ${VIEW_ALIGN_BYTES}`);
  }
  // Bound sizes are whole 16-byte words like the registry's buffers, so a kernel's vec4 view of a
  // tensor reaches what it reaches in a buffer of its own.
  const size = Math.max(16, Math.ceil((floats * 4) / 16) * 16);
  if (offsetBytes + size > buffer.size) {
    throw new Error(
      `${buffer.label}: view [${offsetBytes}, ${offsetBytes + size}) B passes the end (${buffer.size} B)`,
    );
  }
  return { buffer, offset: offsetBytes, size };
}
