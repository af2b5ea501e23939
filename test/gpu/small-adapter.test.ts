/**
 * A device with only the WebGPU spec's default limits (requested with no requiredLimits, the way a
 * small adapter's device would be): every page setting that fits trains, every one that does not is
 * refused before a single buffer is made, naming the limit and a setting that fits.
 *
 * What fits in the defaults (measured by src/gan/run-fit.ts): the MLP, and the paper CNN at width
 * 1/8 only. From width 1/4 up the largest buffer is the im2col scratch of the 256-sample evaluation
 * trace (144 / 288 / 576 MiB), above the 128 MiB maxStorageBufferBindingSize.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPaddedImages } from '../../src/data/mnist';
import { GpuBackend } from '../../src/engine/gpu-backend';
import { VARIANT_NAMES } from '../../src/gan/config';
import { checkRunFits, RunDoesNotFitError, runNeeds } from '../../src/gan/run-fit';
import { GanTrainer, type TrainingImages } from '../../src/gan/trainer';
import type { GpuContext } from '../../src/gpu/device';
import { loadMnistInNode } from '../../src/node/mnist-node';
import { acquireNodeGpu } from '../../src/node/webgpu-node';
import { defaultOf } from '../../src/settings/schema';
import { DEFAULT_SETTINGS, trainerConfig } from '../../src/ui/state/settings';

const MiB = 1024 * 1024;
/** The page's batch for digits (its image default), as the page switches to when digits are chosen. */
const PAGE_IMAGE_BATCH = defaultOf('batch', 'page', true) as number;
/** https://www.w3.org/TR/webgpu/#limit-default, written out here so the test cannot drift with the code. */
const SPEC_DEFAULTS = {
  maxStorageBufferBindingSize: 128 * MiB,
  maxBufferSize: 256 * MiB,
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupStorageSize: 16 * 1024,
  maxComputeInvocationsPerWorkgroup: 256,
};

let ctx: GpuContext;
let digits: TrainingImages;
const uncaptured: string[] = [];

beforeAll(async () => {
  // needs → nothing above the defaults: requestDevice gets no requiredLimits at all.
  ctx = await acquireNodeGpu({
    label: 'small.device',
    needs: () => ({}),
    onUncapturedError: (e) => uncaptured.push(e.message),
  });
  const set = await loadMnistInNode();
  const indices = Array.from({ length: 512 }, (_, i) => i);
  digits = { images: toPaddedImages(set, { indices }), count: indices.length, size: 32 * 32 };
});

afterAll(() => {
  expect(uncaptured, 'uncaptured WebGPU errors').toEqual([]);
  ctx.buffers.destroyAll();
  ctx.device.destroy();
});

/** Two forced captures; returns each variant's [lossD at step 1, lossD at step 2]. */
async function twoSteps(trainer: GanTrainer): Promise<Map<string, number[]>> {
  await trainer.step({ capture: true });
  await trainer.step({ capture: true });
  const losses = new Map<string, number[]>();
  for (const m of trainer.metrics) losses.set(m.variant, [...(losses.get(m.variant) ?? []), m.lossD]);
  for (const s of trainer.status.values()) {
    expect(s.diverged, `${s.name} diverged`).toBeNull();
    expect(s.samples!.every(Number.isFinite), `${s.name} samples finite`).toBe(true);
  }
  return losses;
}

describe('a device with the spec’s default limits', () => {
  it('really has the defaults (not the adapter’s larger limits)', () => {
    for (const [name, value] of Object.entries(SPEC_DEFAULTS)) {
      expect(ctx.limits[name as keyof typeof SPEC_DEFAULTS], name).toBe(value);
    }
  });

  it('trains the MLP (page defaults, all six variants)', async () => {
    const config = trainerConfig({ ...DEFAULT_SETTINGS, variants: [...VARIANT_NAMES] });
    const backend = new GpuBackend(ctx);
    const losses = await twoSteps(new GanTrainer(backend, config));
    expect([...losses.keys()].sort()).toEqual([...VARIANT_NAMES].sort());
    for (const [v, [a, b]] of losses) {
      expect(Number.isFinite(a) && Number.isFinite(b), `${v} losses finite`).toBe(true);
      expect(b, `${v}: step 2 trained on from step 1`).not.toBe(a);
    }
    backend.destroy();
  }, 60_000);

  it('admits the paper CNN at width 1/8 at the page’s batch and evaluation samples', () => {
    const config = trainerConfig({ ...DEFAULT_SETTINGS, data: 'mnist', batch: PAGE_IMAGE_BATCH, cnnWidth: 0.125 });
    expect([config.batch, config.evalSamples]).toEqual([64, 256]);
    const needs = runNeeds(config, ctx.tuning, (b, c) => new GanTrainer(b, c, digits));
    expect(needs.maxStorageBufferBindingSize).toBeLessThanOrEqual(ctx.limits.maxStorageBufferBindingSize);
    expect(() => checkRunFits(config, ctx.limits, ctx.tuning, (b, c) => new GanTrainer(b, c, digits))).not.toThrow();
  });

  it('trains the paper CNN at width 1/8 on that device', async () => {
    // Batch 16, 32 evaluation samples and one variant, not the page's 64 / 256 / three: on a loaded
    // SwiftShader two such steps take over a minute. The buffers grow with the batch, not the kernels.
    const config = trainerConfig({ ...DEFAULT_SETTINGS, data: 'mnist', batch: 16, cnnWidth: 0.125, variants: ['sn'] });
    const backend = new GpuBackend(ctx);
    const losses = await twoSteps(new GanTrainer(backend, { ...config, evalSamples: 32 }, digits));
    for (const [v, [a, b]] of losses) {
      expect(Number.isFinite(a) && Number.isFinite(b), `${v} losses finite`).toBe(true);
      expect(b, `${v}: step 2 trained on from step 1`).not.toBe(a);
    }
    backend.destroy();
  }, 60_000);

  it.each([
    [0.25, '1/4', 144],
    [0.5, '1/2', 288],
    [1, '1', 576],
  ])('refuses the paper CNN at width %s before making any buffer', (width, shown, mib) => {
    const config = trainerConfig({
      ...DEFAULT_SETTINGS,
      data: 'mnist',
      batch: PAGE_IMAGE_BATCH,
      cnnWidth: width,
      variants: [...VARIANT_NAMES],
    });
    const made = ctx.buffers.buffersMade;
    const live = ctx.buffers.liveBuffers;
    let refusal: unknown;
    try {
      new GanTrainer(new GpuBackend(ctx), config, digits);
    } catch (error) {
      refusal = error;
    }
    expect(refusal, `width ${shown}`).toBeInstanceOf(RunDoesNotFitError);
    const message = (refusal as Error).message;
    expect(message).toContain(`maxStorageBufferBindingSize needed ${mib} MiB`);
    expect(message).toContain('available 128 MiB');
    // The fitting setting it names is the one admitted above.
    expect(message).toContain('width 1/8 fits at batch 64');
    expect(ctx.buffers.buffersMade, 'buffers made for the refused run').toBe(made);
    expect(ctx.buffers.liveBuffers).toBe(live);
  });
});
