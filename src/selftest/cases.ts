/**
 * Kernel self-test shown on the page until the app exists: each case runs one kernel on the
 * visitor's adapter and compares it with the float64 twin. Small shapes, so it takes a moment
 * even on a software adapter; the thorough checks live in test/gpu.
 */
import type { GpuContext } from '../gpu/device';
import { submitKernels, type Kernel } from '../gpu/kernel';
import { prepareActivation } from '../gpu/kernels/elementwise';
import { activationForward } from '../reference/elementwise';
import { Rng } from '../reference/random';
import { compare, type Comparison } from './compare';

export interface SelfTestCase {
  family: string;
  name: string;
  run(ctx: GpuContext): Promise<Comparison>;
}

export async function runOnGpu(
  ctx: GpuContext,
  kernels: Kernel[],
  out: GPUBuffer,
  count: number,
): Promise<Float32Array> {
  submitKernels(ctx, kernels, 'selftest');
  return ctx.buffers.read(out, count);
}

const rng = new Rng(2018);

export const SELF_TEST_CASES: SelfTestCase[] = [
  {
    family: 'elementwise',
    name: 'LeakyReLU(0.1) forward, n = 257',
    async run(ctx) {
      const n = 257;
      const x = rng.uniformArray(n, -4, 4);
      const bx = ctx.buffers.storage('selftest.x', n, x);
      const by = ctx.buffers.storage('selftest.y', n);
      const got = await runOnGpu(
        ctx,
        [prepareActivation(ctx, { x: bx, y: by, n, activation: 'leaky_relu', slope: 0.1 })],
        by,
        n,
      );
      return compare(got, activationForward(x, 'leaky_relu', 0.1), { atol: 1e-6, rtol: 1e-6 });
    },
  },
];
