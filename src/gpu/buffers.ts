/**
 * Buffer helpers that keep count of what is alive on the device, so leaks show up as numbers
 * (tests assert on them, the page shows them) instead of as a slowly dying tab.
 */
import { bindingBytes, bufferOfBinding, isView, offsetOfBinding, type GpuBinding } from './binding';

// Read lazily: in Node the GPUBufferUsage global exists only once Dawn has been loaded.
export const storageUsage = (): GPUBufferUsageFlags =>
  GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

export class BufferRegistry {
  private readonly live = new Map<GPUBuffer, number>();
  private bytes = 0;
  private made = 0;

  constructor(private readonly device: GPUDevice) {}

  get liveBuffers(): number {
    return this.live.size;
  }

  get liveBytes(): number {
    return this.bytes;
  }

  /** Buffers created since the registry began, destroyed or not (a refused run must add none). */
  get buffersMade(): number {
    return this.made;
  }

  create(label: string, byteSize: number, usage: GPUBufferUsageFlags, mappedAtCreation = false): GPUBuffer {
    // WebGPU rejects zero-sized bindings; a 1-element tensor is the smallest we make.
    const size = Math.max(16, Math.ceil(byteSize / 4) * 4);
    const buffer = this.device.createBuffer({ label, size, usage, mappedAtCreation });
    this.live.set(buffer, size);
    this.bytes += size;
    this.made++;
    return buffer;
  }

  /** A float32 storage buffer of `count` elements, zero-filled, or filled with `data`. */
  storage(label: string, count: number, data?: ArrayLike<number>): GPUBuffer {
    const buffer = this.create(label, count * 4, storageUsage());
    if (data) this.write(buffer, data);
    return buffer;
  }

  /** A uniform buffer holding the given 32-bit words (u32 or f32, chosen per word by the caller). */
  uniform(label: string, words: ArrayBuffer): GPUBuffer {
    const buffer = this.create(label, words.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.device.queue.writeBuffer(buffer, 0, words);
    return buffer;
  }

  /** Writes floats at `elementOffset` floats into a buffer, or into a view (counted from the view's start). */
  write(target: GpuBinding, data: ArrayLike<number>, elementOffset = 0): void {
    const array = data instanceof Float32Array ? data : Float32Array.from(data);
    checkWithinView(target, 'write', elementOffset, array.length);
    this.device.queue.writeBuffer(
      bufferOfBinding(target),
      offsetOfBinding(target) + elementOffset * 4,
      array.buffer,
      array.byteOffset,
      array.byteLength,
    );
  }

  destroy(buffer: GPUBuffer): void {
    const size = this.live.get(buffer);
    if (size === undefined) return;
    this.live.delete(buffer);
    this.bytes -= size;
    buffer.destroy();
  }

  destroyAll(): void {
    for (const buffer of [...this.live.keys()]) this.destroy(buffer);
  }

  /**
   * Copies `count` floats out of a storage buffer. This is a full round trip: use it in tests,
   * tools and the asynchronous statistics path, never inside a training step.
   */
  async read(source: GpuBinding, count: number, elementOffset = 0): Promise<Float32Array> {
    checkWithinView(source, 'read', elementOffset, count);
    const buffer = bufferOfBinding(source);
    const byteSize = Math.max(4, count * 4);
    const staging = this.create(
      `${buffer.label}.readback`,
      byteSize,
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    );
    const encoder = this.device.createCommandEncoder({ label: `${buffer.label}.readback` });
    encoder.copyBufferToBuffer(
      buffer,
      offsetOfBinding(source) + elementOffset * 4,
      staging,
      0,
      Math.ceil(byteSize / 4) * 4,
    );
    this.device.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(GPUMapMode.READ);
      return new Float32Array(staging.getMappedRange(0, count * 4).slice(0));
    } finally {
      this.destroy(staging);
    }
  }
}

/** Packs a parameter block for a WGSL uniform struct whose fields are all u32 or f32, in order. */
export function packUniform(fields: ReadonlyArray<{ u32: number } | { f32: number }>): ArrayBuffer {
  // Uniform structs are sized in multiples of 16 bytes.
  const words = Math.max(4, Math.ceil(fields.length / 4) * 4);
  const data = new ArrayBuffer(words * 4);
  const u32 = new Uint32Array(data);
  const f32 = new Float32Array(data);
  fields.forEach((field, i) => {
    if ('u32' in field) u32[i] = field.u32;
    else f32[i] = field.f32;
  });
  return data;
}

/**
 * A view is one tensor among others in a shared buffer: reaching past its end would silently read
 * or overwrite a neighbour, so it throws instead. (A whole buffer is left to WebGPU's own bounds
 * validation, as before views existed.)
 */
function checkWithinView(target: GpuBinding, what: string, elementOffset: number, count: number): void {
  if (!isView(target)) return;
  if (!Number.isInteger(elementOffset) || elementOffset < 0 || (elementOffset + count) * 4 > target.size) {
    throw new Error(
      `${target.buffer.label}: ${what} of ${count} floats at float ${elementOffset} passes the view's end ` +
        `(${target.size / 4} floats at byte ${target.offset})`,
    );
  }
}

/**
 * Throws at prepare time when a tensor's buffer or view holds fewer than `floats` floats, naming
 * the launcher, the argument and both counts (a kernel would otherwise read or write out of range).
 */
export function requireFloats(label: string, name: string, binding: GpuBinding, floats: number): void {
  if (bindingBytes(binding) < floats * 4) {
    throw new Error(`${label}: ${name} holds ${bindingBytes(binding) / 4} floats, needs ${floats}`);
  }
}

/** A binding's label for messages and derived labels (a view is labelled by its buffer). */
export function labelOfBinding(binding: GpuBinding): string {
  return bufferOfBinding(binding).label;
}
