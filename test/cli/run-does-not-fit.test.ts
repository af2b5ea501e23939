/**
 * `npm run train` with a run too big for the adapter's real limits (issue 14, small adapters): it
 * is refused before a single GPU buffer is made, with the limit's name, the bytes needed and
 * available, and an --eval-samples that fits; the process exits 1 and the user sees no stack trace.
 *
 * The run: the paper CNN at width 1 with an evaluation pass sized from the adapter, so it is too big
 * for SwiftShader's 1 GiB and for a real GPU's few GiB alike. Its largest buffer is the im2col
 * scratch of G's last 3×3 convolution (64 channels in, 32×32 out): 32·32·9·64 floats, 2.25 MiB, per
 * generated sample — worked out here from Table 3, not taken from the code under test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTraining } from '../../src/cli/run-training';
import { RunDoesNotFitError } from '../../src/gan/run-fit';
import { acquireNodeGpu, nodeGpu } from '../../src/node/webgpu-node';

const MiB = 1024 * 1024;
const SCRATCH_BYTES_PER_SAMPLE = 32 * 32 * 9 * 64 * 4;

let available: number;
let evalSamples: number;
let args: string[];

beforeAll(async () => {
  const adapter = await (await nodeGpu()).requestAdapter();
  available = adapter!.limits.maxStorageBufferBindingSize;
  // The smallest power of two whose evaluation scratch is over the limit, so half of it fits.
  evalSamples = 2 ** (Math.floor(Math.log2(available / SCRATCH_BYTES_PER_SAMPLE)) + 1);
  args = [
    ...['--model', 'cnn', '--data', 'mnist', '--width', '1', '--batch', '16', '--variants', 'sn'],
    ...['--eval-samples', String(evalSamples), '--steps', '1', '--quiet'],
  ];
});

/** The refusal's words: the limit, needed and available bytes, the largest buffer, a setting that fits. */
function expectRefusal(message: string): void {
  const needed = evalSamples * SCRATCH_BYTES_PER_SAMPLE;
  expect(message).toContain('This run does not fit the GPU');
  expect(message).toContain(
    `maxStorageBufferBindingSize needed ${needed / MiB} MiB (${needed.toLocaleString('en-US')} bytes)`,
  );
  expect(message).toContain(
    `available ${Math.round(available / MiB)} MiB (${available.toLocaleString('en-US')} bytes)`,
  );
  expect(message).toContain(`${evalSamples / 2} evaluation samples fit (the CLI's --eval-samples)`);
}

describe('npm run train with a run that does not fit the GPU', () => {
  it('exits 1 with the limit and a setting that fits, no stack trace and no output file', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sngan-fit-')), 'run.json');
    const result = spawnSync(
      process.execPath,
      ['scripts/run-node.mjs', 'src/cli/train.ts', ...args, '--out', out, '--backend', 'webgpu'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(result.status, result.stderr).toBe(1);
    expectRefusal(result.stderr);
    expect(result.stderr).toMatch(/^train: This run does not fit the GPU/m);
    expect(result.stderr, 'a stack trace').not.toMatch(/^\s+at\s/m);
    expect(result.stderr).not.toMatch(/RunDoesNotFitError|node:internal/);
    expect(existsSync(out), 'run file written').toBe(false);
  });

  it('refuses in the CLI’s own run before any GPU buffer exists', async () => {
    // Counts every buffer any device makes (the calls still go to Dawn): the refusal must come first.
    const proto = GPUDevice.prototype;
    const createBuffer = proto.createBuffer;
    let made = 0;
    proto.createBuffer = function (this: GPUDevice, descriptor: GPUBufferDescriptor) {
      made += 1;
      return createBuffer.call(this, descriptor);
    };
    try {
      const refusal = await runTraining([...args, '--backend', 'webgpu']).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(RunDoesNotFitError);
      expectRefusal((refusal as Error).message);
      expect(made, 'GPU buffers made for the refused run').toBe(0);
      // The count sees buffers when they are made, so the zero above is not a blind counter.
      const ctx = await acquireNodeGpu({ label: 'count.device' });
      ctx.device.createBuffer({ label: 'count.probe', size: 16, usage: GPUBufferUsage.STORAGE }).destroy();
      expect(made).toBe(1);
      ctx.device.destroy();
    } finally {
      proto.createBuffer = createBuffer;
    }
  });
});
