/**
 * `npm run bench -- dispatches`: the dispatches, compute passes and submits of one training step
 * (n_dis D updates and one G update) for the page's 2-D MLP and the paper CNN at every width, for
 * each variant alone, SN/WN/none together and all six. Nothing is timed and nothing is submitted
 * (bench/step-counts.ts), so it takes seconds on any adapter. Counted under both kernel tuning
 * profiles: split-K matmuls add dispatches, and how many depends on the profile's tiles, so the
 * software profile's counts (SwiftShader) differ from what a GPU runs.
 */
import { freemem } from 'node:os';
import { type TrainerConfig, type VariantName } from '../src/gan/config';
import { acquireNodeGpu } from '../src/node/webgpu-node';
import { defaultOf } from '../src/settings/schema';
import { BufferBudgetError } from '../src/gpu/command-counter';
import type { GpuContext } from '../src/gpu/device';
import { KERNEL_PROFILES, type KernelProfile } from '../src/gpu/tuning';
import { CNN_WIDTHS, DEFAULT_SETTINGS, trainerConfig } from '../src/ui/state/settings';
import type { BenchEnv, BenchReport } from './main';
import { countTrainingStep, type StepCounts } from './step-counts';
import { RANDOM_IMAGES } from './train';

const ALL: VariantName[] = ['sn', 'wn', 'none', 'clip', 'orthonormal', 'wgan-gp'];
export const VARIANT_SETS: VariantName[][] = [...ALL.map((v) => [v]), ['sn', 'wn', 'none'], ALL];

/** The page's own runs: its default 2-D model, and digits on the paper CNN at each width. */
export function pageModels(): { name: string; config: TrainerConfig }[] {
  const digits = { ...DEFAULT_SETTINGS, data: 'mnist' as const, batch: defaultOf('batch', 'page', true) as number };
  return [
    { name: 'mlp 2-D', config: trainerConfig(DEFAULT_SETTINGS) },
    ...CNN_WIDTHS.map((w) => ({
      name: w === 1 ? 'cnn 1' : `cnn 1/${1 / w}`,
      config: trainerConfig({ ...digits, cnnWidth: w }),
    })),
  ];
}

/** The step's counts, or null when its buffers would not fit in `budget` bytes. */
async function countWithin(ctx: GpuContext, config: TrainerConfig, budget: number): Promise<StepCounts | null> {
  const images = config.data === 'mnist' ? RANDOM_IMAGES : undefined;
  try {
    return await countTrainingStep(ctx, config, images, { maxBufferBytes: budget });
  } catch (error) {
    if (error instanceof BufferBudgetError) return null;
    throw error;
  }
}

export async function benchDispatches(env: BenchEnv): Promise<BenchReport> {
  const own = env.ctx.tuning.profile;
  const other: KernelProfile = own === 'gpu' ? 'software' : 'gpu';
  // One device per profile for every row: its pipeline cache is reused, each row frees its buffers.
  const devices = await Promise.all(
    [own, other].map((p) => acquireNodeGpu({ label: `bench.dispatches.${p}`, tuning: KERNEL_PROFILES[p] })),
  );
  // A software adapter's buffers are host memory, shared with whatever else runs: rows that need
  // more are left out here (a GPU counts them all).
  const budget = env.software ? Math.min(4 * 2 ** 30, freemem() / 4) : Infinity;
  const skipped: string[] = [];
  const rows: BenchReport['rows'] = [];
  const started = performance.now();
  try {
    for (const { name, config } of pageModels()) {
      for (const variants of VARIANT_SETS) {
        env.log(`dispatches: ${name}, ${variants.join(',')}`);
        const c = { ...config, variants };
        const counts = await countWithin(devices[0], c, budget);
        const otherCounts = counts && (await countWithin(devices[1], c, budget));
        if (!counts) skipped.push(`${name} ${variants.join(',')}`);
        rows.push({
          model: name,
          variants: variants.join(','),
          batch: c.batch,
          n_dis: c.adam.nDis,
          dispatches: counts?.step.dispatches ?? null,
          passes: counts?.step.passes ?? null,
          submits: counts?.step.submits ?? null,
          'D update': counts?.dUpdate ?? null,
          'G update': counts?.gUpdate ?? null,
          'stats step': counts?.statsStep.dispatches ?? null,
          [`${other} profile`]: otherCounts?.step.dispatches ?? null,
          'buffers MiB': counts ? counts.bufferBytes / 2 ** 20 : null,
        });
      }
    }
  } finally {
    for (const ctx of devices) ctx.device.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    title: 'Dispatches, passes and submits of one training step (counted on the real encoder, not timed)',
    columns: [
      'model',
      'variants',
      'batch',
      'n_dis',
      'dispatches',
      'passes',
      'submits',
      'D update',
      'G update',
      'stats step',
      `${other} profile`,
      'buffers MiB',
    ],
    rows,
    notes: [
      `the page's default settings (n_dis ${DEFAULT_SETTINGS.nDis}, ${DEFAULT_SETTINGS.loss} loss); digits at the page's image batch; kernel tuning: the ${own} profile`,
      'dispatches = n_dis × D update + G update; with n_dis 5 (settings A, D, E, F) only the D updates repeat, still one pass and one submit',
      'stats step: dispatches of a step that also captures statistics (the page does every 10 steps), still one submit: the read-back copies ride in the step’s command buffer',
      `${other} profile: dispatches of the same step under the other kernel tuning profile (split-K matmuls differ)`,
      `counted dry (encoded and validated, never submitted) in ${seconds.toFixed(1)} s`,
      ...(skipped.length > 0
        ? [
            `not counted (buffers over ${(budget / 2 ** 30).toFixed(1)} GiB on a software adapter): ${skipped.join('; ')}`,
          ]
        : []),
    ],
  };
}
