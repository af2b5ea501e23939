/**
 * The messages between the page's main thread (src/engine/worker-backend.ts) and the worker that
 * holds the CPU backend (src/engine/cpu-backend-host.ts). The main thread mirrors every call of the
 * Backend interface as a message, in order; tensors and ops travel as ids, numbered in creation
 * order on both sides. Only captured read-backs travel back, their buffers transferred.
 */
import type { Backend } from './backend';

/** Every Backend method that prepares an op: the ones a message may name. */
export const OP_METHODS = [
  'matmul',
  'activationBackward',
  'activation',
  'im2col',
  'col2im',
  'batchNorm',
  'batchNormEval',
  'batchNormBackward',
  'columnSum',
  'discriminatorLoss',
  'generatorLoss',
  'spectralNorm',
  'spectralNormBackward',
  'weightNorm',
  'weightNormBackward',
  'clip',
  'adamTick',
  'adamUpdate',
  'drawTick',
  'rowSample',
  'axpby',
  'uniformDraw',
  'mixRows',
  'penaltySeed',
  'normalDraw',
  'anchorSample',
] as const satisfies readonly (keyof Backend)[];

export type OpMethod = (typeof OP_METHODS)[number];

export const isOpMethod = (name: unknown): name is OpMethod => OP_METHODS.includes(name as OpMethod);

/** A tensor inside an op's arguments, by id. */
export interface TensorRef {
  $tensor: number;
}

export type ToWorker =
  | { type: 'tensor'; id: number; label: string; size: number; values?: ArrayLike<number>; counter: boolean }
  /** A view of tensor `of` (see Backend.view); it takes the next tensor id. */
  | { type: 'view'; id: number; of: number; offset: number; size: number }
  | { type: 'op'; id: number; method: OpMethod; args: unknown }
  | { type: 'write'; tensor: number; values: ArrayLike<number> }
  | { type: 'writeCounter'; tensor: number; value: number }
  /** Runs the ops in order, then replies with copies of the captured tensors. */
  | { type: 'run'; reply: number; ops: Uint32Array; capture: Uint32Array }
  /** Replies once everything before it has run (messages are handled in order). */
  | { type: 'idle'; reply: number }
  | { type: 'destroy' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; reply: number; values: Float32Array[] }
  /** The worker could not do what a message asked; it refuses everything after it. */
  | { type: 'failed'; reply: number | null; message: string };

/**
 * A copy of `value` with every tensor replaced by its id (`idOf` throws for a foreign one). Typed
 * arrays pass through (structured clone copies them); op arguments are plain data otherwise.
 */
export function encodeTensors(value: unknown, idOf: (value: object) => number | null): unknown {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  const id = idOf(value);
  if (id !== null) return { $tensor: id } satisfies TensorRef;
  if (Array.isArray(value)) return value.map((v) => encodeTensors(v, idOf));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeTensors(v, idOf)]));
}

/** The inverse of encodeTensors on the worker's side. */
export function decodeTensors<T>(value: unknown, tensorOf: (id: number) => T): unknown {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((v) => decodeTensors(v, tensorOf));
  if ('$tensor' in value) return tensorOf((value as TensorRef).$tensor);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeTensors(v, tensorOf)]));
}
