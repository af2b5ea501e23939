/**
 * The WebGPU backend's tensors and ops, as batching needs them. A tensor knows its binding (a
 * buffer, or a view into its family's buffer once the variants' layout is made) and its family. An
 * op keeps what it computes (kind and scalar arguments), the tensors it binds by the launcher's
 * argument names, and how to build its kernel from bindings, so the same op can be prepared alone
 * or, with the same ops of other variants, as one batched dispatch (src/engine/batching/merge.ts).
 */
import { bufferOfBinding, offsetOfBinding, viewOf, type GpuBinding } from '../../gpu/binding';
import type { Kernel } from '../../gpu/kernel';
import type { MemberBatch } from '../../gpu/members';
import type { Op, Tensor } from '../backend';

export class GpuTensor implements Tensor {
  /** Null while the variants' layout is pending (GpuBackend.stackVariants), and for views. */
  binding: GpuBinding | null;

  constructor(
    readonly label: string,
    readonly size: number,
    binding: GpuBinding | null,
    /** The family a variant's tensor belongs to (src/engine/batching/families.ts); null if shared. */
    readonly family: string | null = null,
    /** A view's tensor and its first float (a multiple of 64: 256 bytes). */
    readonly viewOf: { parent: GpuTensor; offset: number } | null = null,
  ) {
    this.binding = binding;
  }
}

export const bindingOf = (t: Tensor): GpuBinding => {
  const tensor = t as GpuTensor;
  if (tensor.viewOf) {
    const parent = bindingOf(tensor.viewOf.parent);
    return viewOf(bufferOfBinding(parent), offsetOfBinding(parent) + tensor.viewOf.offset * 4, tensor.size);
  }
  if (!tensor.binding) throw new Error(`${t.label}: used before the variants' layout was made`);
  return tensor.binding;
};

/** The tensors an op binds, by the launcher's argument names (undefined: an optional one left out). */
export type OpTensors = Readonly<Record<string, Tensor | undefined>>;

/** Builds the kernel from bindings by argument name; with `batch`, one dispatch for all members. */
export type KernelBuilder = (bindings: Readonly<Record<string, GpuBinding>>, batch?: MemberBatch) => Kernel;

let nextOpId = 0;

export class GpuOp implements Op {
  readonly id = nextOpId++;
  private built: Kernel | null = null;

  constructor(
    readonly label: string,
    readonly kind: string,
    /** Everything but tensors and the label, as text: ops with equal kind and scalars compute alike. */
    readonly scalars: string,
    readonly tensors: OpTensors,
    readonly build: KernelBuilder,
  ) {}

  /** The op's own kernel, prepared on first use (at once, unless the variants' layout is pending). */
  get kernel(): Kernel {
    if (!this.built) {
      const bindings: Record<string, GpuBinding> = {};
      for (const [name, t] of Object.entries(this.tensors)) if (t) bindings[name] = bindingOf(t);
      this.built = this.build(bindings);
    }
    return this.built;
  }
}

/** An op's arguments other than tensors and its label, as text (see GpuOp.scalars). */
export function scalarsOf(args: object): string {
  return JSON.stringify(args, (key, value: unknown) =>
    value instanceof GpuTensor || key === 'label' ? undefined : value,
  );
}
