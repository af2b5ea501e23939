/**
 * A Backend that allocates nothing and only measures: building a trainer on it records the size of
 * every tensor the real backend would make (and the split-K workspace each matmul would add), so a
 * run can be checked against a device's buffer limits before a single GPU buffer exists. Its ops
 * do nothing and its reads return zeros: it exists to be built on, never to train.
 */
import { chooseSplits } from '../gpu/kernels/matmul';
import type { KernelTuning } from '../gpu/tuning';
import { checkView, type Backend, type MatmulOp, type Op, type Tensor } from './backend';

/** The largest single buffer a run would make, and which one. */
export interface LargestBuffer {
  label: string;
  /** Bytes, as the buffer registry rounds them (a multiple of 4, at least 16). */
  bytes: number;
}

const bufferBytes = (floats: number): number => Math.max(16, Math.ceil(floats) * 4);

class SizedTensor implements Tensor {
  constructor(
    readonly label: string,
    readonly size: number,
  ) {}
}

const NO_OP: Op = { label: 'sizing.noop' };

class Sizing {
  readonly kind = 'webgpu' as const;
  readonly description = 'sizing (allocates nothing)';
  readonly tensors: Tensor[] = [];
  /** Explicitly none: a run built here must not check itself again (that check builds on this). */
  readonly limitsToFit = undefined;
  readonly measuresOnly = true;
  largest: LargestBuffer = { label: 'none', bytes: 0 };
  totalBytes = 0;

  constructor(private readonly tuning: KernelTuning) {}

  private note(label: string, floats: number): void {
    const bytes = bufferBytes(floats);
    this.totalBytes += bytes;
    if (bytes > this.largest.bytes) this.largest = { label, bytes };
  }

  tensor(label: string, size: number): Tensor {
    this.note(label, size);
    const t = new SizedTensor(label, size);
    this.tensors.push(t);
    return t;
  }

  view(tensor: Tensor, offset: number, size: number): Tensor {
    checkView(tensor, offset, size);
    return new SizedTensor(`${tensor.label}[${offset}:${offset + size}]`, size);
  }

  counter(label: string): Tensor {
    return this.tensor(label, 1);
  }

  // The one kernel-made buffer that can grow with the model: matmul's split-K workspace.
  matmul(args: MatmulOp): Op {
    const splits = chooseSplits(args.m, args.n, args.k, this.tuning.matmul, this.tuning.matmulSplitTargetWorkgroups);
    if (splits > 1) this.note(`${args.label}.partials`, splits * args.m * args.n);
    return NO_OP;
  }

  // Batching lays families out in buffers no larger than the largest binding, so a run that fits
  // unbatched fits batched: nothing to measure here.
  stackVariants(): void {}
  batch(programs: readonly (readonly Op[])[]): Op[] {
    return programs.flat();
  }

  write(): void {}
  read(t: Tensor): Promise<Float32Array> {
    return Promise.resolve(new Float32Array(t.size));
  }
  run(): Promise<Float32Array[]> {
    return Promise.resolve([]);
  }
  idle(): Promise<void> {
    return Promise.resolve();
  }
  ready(): Promise<void> {
    return Promise.resolve();
  }
  memory(): { tensors: number; bytes: number } {
    return { tensors: this.tensors.length, bytes: this.totalBytes };
  }
  isCounter(): boolean {
    return false;
  }
  counterValue(): number {
    return 0;
  }
  writeCounter(): void {}
  destroy(): void {}
}

/** A measuring backend: `backend` to build on, `largest()` / `totalBytes()` to read afterwards. */
export interface SizingBackend {
  backend: Backend;
  largest(): LargestBuffer;
  totalBytes(): number;
}

export function sizingBackend(tuning: KernelTuning): SizingBackend {
  const sizing = new Sizing(tuning);
  // Every op method not defined above (activation, adamUpdate, …) prepares nothing.
  const backend = new Proxy(sizing, {
    get(target, prop, receiver) {
      if (prop in target) return Reflect.get(target, prop, receiver) as unknown;
      return () => NO_OP;
    },
  }) as unknown as Backend;
  return { backend, largest: () => sizing.largest, totalBytes: () => sizing.totalBytes };
}
