/**
 * One dispatch for the same op of several variants. The plan (merge-plan.ts) groups ops of equal
 * signature; here a group becomes one batched kernel when its kind has a batched launcher and its
 * tensors allow it: each argument's members lie in one buffer (their family's) or are one shared
 * tensor that is only read, and no written range overlaps another argument's range (WebGPU forbids
 * binding such aliases). Otherwise the group runs as its ops one after another, which is always
 * correct. A batched kernel computes each member exactly as that member's own kernel would.
 */
import { bindingBytes, bindingsOverlap, bufferOfBinding, offsetOfBinding, type GpuBinding } from '../../gpu/binding';
import { sequence, type Kernel } from '../../gpu/kernel';
import { MAX_MEMBERS, MemberBatchTooLarge } from '../../gpu/members';
import type { Tensor } from '../backend';
import { bindingOf, GpuTensor, type GpuOp } from './gpu-op';

/** Kinds with a batched launcher, and the arguments each writes. */
const BATCHED: Readonly<Record<string, readonly string[]>> = {
  matmul: ['c'],
  activation: ['y'],
  activationBackward: ['dx'],
  axpby: ['out'],
  columnSum: ['out'],
  discriminatorLoss: ['dReal', 'dFake', 'stats'],
  jointDiscriminatorLoss: ['dReal', 'stats'],
  generatorLoss: ['dFake', 'stats'],
  adamTick: ['step'],
  adamUpdate: ['param', 'm', 'v'],
  im2col: ['cols'],
  col2im: ['image'],
  batchNorm: ['y', 'mean', 'invstd', 'runningMean', 'runningVariance'],
  batchNormEval: ['y'],
  batchNormBackward: ['dx', 'dgamma', 'dbeta'],
};

/** What an op computes and on which tensors: equal signatures can share a dispatch. */
export function signatureOf(op: GpuOp): string {
  const tensors = Object.entries(op.tensors)
    .map(([name, t]) => {
      if (!t) return `${name}=-`;
      const g = t as GpuTensor;
      return g.family === null ? `${name}=shared:${t.label}` : `${name}=family:${g.family}[${t.size}]`;
    })
    .join(' ');
  return `${op.kind} ${op.scalars} ${tensors}`;
}

/** The group as one batched kernel, or null when its kind or tensors do not allow one. */
export function batchedKernel(ops: readonly GpuOp[]): Kernel | null {
  const written = BATCHED[ops[0].kind];
  if (!written || ops.length < 2 || ops.length > MAX_MEMBERS) return null;
  const ranges: Record<string, GpuBinding> = {};
  const offsets: Record<string, number[]> = {};
  for (const [name, first] of Object.entries(ops[0].tensors)) {
    if (!first) continue;
    const tensors = ops.map((op) => op.tensors[name]);
    if (tensors.some((t) => !(t instanceof GpuTensor))) return null;
    const bindings = tensors.map((t) => bindingOf(t!));
    if (tensors.every((t) => t === first)) {
      // A shared input: bound once, read by every member.
      if (written.includes(name)) return null;
      ranges[name] = bindings[0];
      offsets[name] = tensors.map(() => 0);
      continue;
    }
    if (new Set(tensors).size !== tensors.length) return null;
    const buffer = bufferOfBinding(bindings[0]);
    if (bindings.some((b) => bufferOfBinding(b) !== buffer)) return null;
    const start = Math.min(...bindings.map(offsetOfBinding));
    const end = Math.max(...bindings.map((b) => offsetOfBinding(b) + bindingBytes(b)));
    ranges[name] = { buffer, offset: start, size: end - start };
    offsets[name] = bindings.map((b) => (offsetOfBinding(b) - start) / 4);
  }
  for (const w of written) {
    if (!ranges[w]) continue;
    for (const [name, range] of Object.entries(ranges)) {
      if (name !== w && bindingsOverlap(ranges[w], range)) return null;
    }
  }
  try {
    return ops[0].build(ranges, { count: ops.length, offsets });
  } catch (error) {
    // A batch the device cannot hold (split-K's workspace past the largest binding): the members
    // run one by one, which needs nothing more than each alone.
    if (error instanceof MemberBatchTooLarge) return null;
    throw error;
  }
}

/**
 * The group's ops split by the buffers they bind, argument by argument: ops in one part can share
 * a dispatch. (The raw W of SN and WN sits apart from the W the other variants compute with, so
 * Adam's update of D's weights batches SN with WN, and the other variants together.)
 */
export function partitionByBuffers(ops: readonly GpuOp[]): GpuOp[][] {
  const parts = new Map<string, GpuOp[]>();
  const ids = new Map<GPUBuffer, number>();
  const idOf = (t: Tensor | undefined): string => {
    if (!t) return '-';
    const buffer = bufferOfBinding(bindingOf(t));
    if (!ids.has(buffer)) ids.set(buffer, ids.size);
    return String(ids.get(buffer));
  };
  for (const op of ops) {
    const key = Object.keys(op.tensors)
      .map((name) => idOf(op.tensors[name]))
      .join(',');
    const part = parts.get(key) ?? [];
    part.push(op);
    parts.set(key, part);
  }
  return [...parts.values()];
}

/** The group's kernel: batched where its ops allow it (part by part), else its ops in order. */
export function groupKernel(ops: readonly GpuOp[]): Kernel {
  if (ops.length === 1) return ops[0].kernel;
  const kernels = partitionByBuffers(ops).map(
    (part) =>
      (part.length > 1 ? batchedKernel(part) : null) ??
      sequence(
        labelOf(part),
        part.map((op) => op.kernel),
      ),
  );
  return kernels.length === 1 ? kernels[0] : sequence(labelOf(ops), kernels);
}

const labelOf = (ops: readonly GpuOp[]): string => ops.map((op) => op.label).join(' + ');
