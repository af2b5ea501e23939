/**
 * The JS heap of this Node process after a full garbage collection, so two readings differ only
 * by what is still reachable (a leak), not by garbage that has not been collected yet.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface HeapReading {
  /** V8's used heap (JS objects). */
  heapUsed: number;
  /** Bytes of ArrayBuffers (typed arrays' contents live outside the V8 heap). */
  arrayBuffers: number;
}

let collect: (() => void) | null = null;

/** `gc()` without starting Node with --expose-gc (vitest's workers and run-node.mjs do not). */
function gc(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

export function heapAfterGc(): HeapReading {
  // Twice: the first pass can leave objects whose finalizers freed more on the second.
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heapUsed, arrayBuffers };
}
