/** What kernel tests share: one device per test file, upload/run/read, tolerance checks. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { afterAll, expect } from 'vitest';
import type { GpuContext } from '../../src/gpu/device';
import type { KernelTuning } from '../../src/gpu/tuning';
import { submitKernels, type Kernel } from '../../src/gpu/kernel';
import { acquireNodeGpu } from '../../src/node/webgpu-node';

let shared: Promise<GpuContext> | undefined;
let sharedTuning: KernelTuning | undefined;

/**
 * The test file's device; uncaptured GPU errors fail the test instead of printing a warning.
 * `tuning` forces a kernel profile (default: the one tuningFor picks for the adapter, i.e.
 * SOFTWARE_TUNING on SwiftShader); every call in one file must ask for the same one.
 */
export function testGpu(tuning?: KernelTuning): Promise<GpuContext> {
  if (shared && tuning !== sharedTuning) {
    throw new Error('testGpu: one test file gets one device, with one kernel tuning profile');
  }
  if (!shared) {
    sharedTuning = tuning;
    shared = acquireNodeGpu({
      label: 'test.device',
      tuning,
      onUncapturedError: (error) => {
        uncaptured.push(error.message);
      },
    });
    afterAll(async () => {
      const ctx = await shared!;
      expect(uncaptured, 'uncaptured WebGPU errors').toEqual([]);
      ctx.buffers.destroyAll();
      ctx.device.destroy();
    });
  }
  return shared;
}
const uncaptured: string[] = [];

/** Runs kernels in one submit and reads `count` floats of `out`. */
export async function runAndRead(
  ctx: GpuContext,
  kernels: Kernel[],
  out: GPUBuffer,
  count: number,
): Promise<Float32Array> {
  ctx.device.pushErrorScope('validation');
  submitKernels(ctx, kernels, 'test');
  const error = await ctx.device.popErrorScope();
  if (error) throw new Error(`WebGPU validation error: ${error.message}`);
  return ctx.buffers.read(out, count);
}

export interface Tolerance {
  atol: number;
  rtol: number;
}

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| element by element, reports the worst
 * element when it fails, and logs the largest error seen to test-artifacts/kernel-errors.jsonl
 * (the figures quoted in the closing notes).
 */
export function expectClose(
  label: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
): { maxAbs: number; maxRel: number } {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let maxAbs = 0;
  let maxRel = 0;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const err = Math.abs(a - e);
    if (!Number.isFinite(a) || !Number.isFinite(e)) {
      if (!(Number.isNaN(a) && Number.isNaN(e)) && a !== e) {
        worst = i;
        worstExcess = Infinity;
      }
      continue;
    }
    maxAbs = Math.max(maxAbs, err);
    if (Math.abs(e) > tol.atol) maxRel = Math.max(maxRel, err / Math.abs(e));
    const excess = err - (tol.atol + tol.rtol * Math.abs(e));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  mkdirSync('test-artifacts', { recursive: true });
  appendFileSync(
    'test-artifacts/kernel-errors.jsonl',
    JSON.stringify({ label, n: expected.length, maxAbs, maxRel, ...tol }) + '\n',
  );
  if (worst >= 0) {
    expect.fail(
      `${label}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} ` +
        `(atol ${tol.atol}, rtol ${tol.rtol}; max abs error ${maxAbs})`,
    );
  }
  return { maxAbs, maxRel };
}
