/**
 * Counts the work a device is given — compute passes begun, dispatches encoded, command buffers
 * submitted, queue writes — by wrapping that one device object's own createCommandEncoder and
 * queue methods. So the counts come from the real encoder whatever code encodes into it (the
 * training step, a read-back, a reset), never from a formula that could drift from the code.
 * Nothing is wrapped until a counter is attached, and detaching puts the device's methods back,
 * so the engine pays nothing when no one counts.
 *
 * With `submit: false` command buffers are still finished (Dawn validates them then) but never
 * reach the queue: counting the paper's CNN at full width costs no GPU time on a software
 * adapter. Read-backs then see whatever the buffers held before, so use it to count, not to train.
 */

export interface CommandCounts {
  /** queue.submit calls. */
  submits: number;
  /** Command buffers across those submits. */
  commandBuffers: number;
  /** Compute passes begun. */
  passes: number;
  /** dispatchWorkgroups and dispatchWorkgroupsIndirect calls (an empty grid is never encoded). */
  dispatches: number;
  /** queue.writeBuffer calls (uploads outside the command buffers). */
  writes: number;
  /** Bytes of the buffers created. */
  bufferBytes: number;
}

/** Thrown by createBuffer once the buffers created while counting would pass `maxBufferBytes`. */
export class BufferBudgetError extends Error {}

export interface CommandCounter {
  /** Counts since attaching or the last take(). */
  readonly counts: Readonly<CommandCounts>;
  /** Returns the counts so far and starts again from zero. */
  take(): CommandCounts;
  /** Restores the device's own methods; counting stops. */
  detach(): void;
}

const zero = (): CommandCounts => ({
  submits: 0,
  commandBuffers: 0,
  passes: 0,
  dispatches: 0,
  writes: 0,
  bufferBytes: 0,
});

/** Wraps `target[key]` (an own property, so the prototype's method stays untouched) and returns the undo. */
function wrap<T extends object, K extends keyof T>(target: T, key: K, make: (original: T[K]) => T[K]): () => void {
  const own = Object.getOwnPropertyDescriptor(target, key);
  const original = target[key];
  Object.defineProperty(target, key, { value: make(original), configurable: true, writable: true });
  return () => {
    if (own) Object.defineProperty(target, key, own);
    else delete target[key];
  };
}

/**
 * Starts counting what `device` is given. One counter per device at a time. `maxBufferBytes`
 * refuses buffers past that many bytes in all (a software adapter's buffers are host memory).
 */
export function countCommands(
  device: GPUDevice,
  options: { submit?: boolean; maxBufferBytes?: number } = {},
): CommandCounter {
  const submitting = options.submit ?? true;
  const maxBytes = options.maxBufferBytes ?? Infinity;
  let allBytes = 0;
  let counts = zero();
  let attached = true;
  const queue = device.queue;

  const countPass = (pass: GPUComputePassEncoder): GPUComputePassEncoder => {
    counts.passes++;
    wrap(pass, 'dispatchWorkgroups', (dispatch) => (...args) => {
      if (attached) counts.dispatches++;
      dispatch.apply(pass, args);
    });
    wrap(pass, 'dispatchWorkgroupsIndirect', (dispatch) => (...args) => {
      if (attached) counts.dispatches++;
      dispatch.apply(pass, args);
    });
    return pass;
  };

  const undo = [
    wrap(device, 'createBuffer', (create) => (descriptor) => {
      if (allBytes + descriptor.size > maxBytes) {
        throw new BufferBudgetError(`buffers past ${maxBytes} bytes (${descriptor.label ?? 'unlabelled'})`);
      }
      allBytes += descriptor.size;
      counts.bufferBytes += descriptor.size;
      return create.call(device, descriptor);
    }),
    wrap(device, 'createCommandEncoder', (create) => (descriptor) => {
      const encoder = create.call(device, descriptor);
      if (!attached) return encoder;
      wrap(encoder, 'beginComputePass', (begin) => (passDescriptor) => {
        const pass = begin.call(encoder, passDescriptor);
        return attached ? countPass(pass) : pass;
      });
      return encoder;
    }),
    wrap(queue, 'submit', (submit) => (buffers) => {
      const list = Array.from(buffers);
      counts.submits++;
      counts.commandBuffers += list.length;
      if (submitting) submit.call(queue, list);
    }),
    wrap(queue, 'writeBuffer', (write) => (...args) => {
      counts.writes++;
      write.apply(queue, args);
    }),
  ];

  return {
    get counts() {
      return counts;
    },
    take() {
      const taken = counts;
      counts = zero();
      return taken;
    },
    detach() {
      attached = false;
      for (const u of undo) u();
    },
  };
}
