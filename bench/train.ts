/**
 * Training throughput: steps/s of the 2-D MLP GAN for each variant alone and for all together
 * (one submission per step either way), on the bench's WebGPU adapter and on the CPU backend for
 * comparison. A step is n_dis D updates plus one G update; statistics are captured every 50 steps
 * (the trainer's default; the page captures every 10, see `npm run bench -- page`), so their
 * readback cost is included.
 */
import type { Backend } from '../src/engine/backend';
import { CpuBackend } from '../src/engine/cpu-backend';
import { GpuBackend } from '../src/engine/gpu-backend';
import { DEFAULT_CNN, DEFAULT_MLP, defaultConfig, type TrainerConfig, type VariantName } from '../src/gan/config';
import { GanTrainer, type TrainingImages } from '../src/gan/trainer';
import { countCommands } from '../src/gpu/command-counter';
import { acquireNodeGpu } from '../src/node/webgpu-node';
import type { BenchEnv, BenchReport } from './main';

interface Timed {
  stepsPerSecond: number;
  /** Dispatches and submits per timed step, counted on the device's real encoder (GPU runs only). */
  dispatchesPerStep: number | null;
  submitsPerStep: number | null;
}

async function stepsPerSecond(
  backend: Backend,
  config: TrainerConfig,
  warmup: number,
  steps: number,
  images?: TrainingImages,
): Promise<Timed> {
  const trainer = new GanTrainer(backend, config, images);
  await trainer.train(warmup);
  // Counting wraps a few device methods: one extra JavaScript call per dispatch, far below
  // Dawn's own cost per dispatch, so it stays on while timing and counts exactly what was timed.
  const counter = backend instanceof GpuBackend ? countCommands(backend.ctx.device) : null;
  const start = performance.now();
  await trainer.train(steps);
  // The last steps may still be queued on the GPU: wait for them.
  await backend.read(trainer.variants[0].statsG);
  const rate = (1000 * steps) / (performance.now() - start);
  const counts = counter?.take();
  counter?.detach();
  return {
    stepsPerSecond: rate,
    dispatchesPerStep: counts ? counts.dispatches / steps : null,
    submitsPerStep: counts ? counts.submits / steps : null,
  };
}

const COUNT_NOTE =
  'dispatches/step, submits/step: counted on the real encoder over the timed steps, statistics captures and the final read-back included (one step alone: npm run bench -- dispatches)';

export async function benchTrain(env: BenchEnv): Promise<BenchReport> {
  const config = defaultConfig();
  const steps = env.software ? 20 : 500;
  const cpuSteps = 20;
  // The last row is the peer of the one before: the same three variants, each op a dispatch per variant.
  const sets: { variants: VariantName[]; batched: boolean }[] = [
    ...[['sn'], ['wn'], ['none'], ['clip'], ['sn', 'wn', 'none']].map((v) => ({
      variants: v as VariantName[],
      batched: true,
    })),
    { variants: ['sn', 'wn', 'none'], batched: false },
  ];
  const rows: BenchReport['rows'] = [];
  for (const { variants, batched } of sets) {
    const c = { ...config, variants };
    env.log(`train: ${variants.join(',')}${batched ? '' : ' (not batched)'}`);
    // A fresh device per run, so buffers of one run never slow the next.
    const ctx = await acquireNodeGpu({ label: 'bench.train', tuning: env.ctx.tuning });
    const gpu = new GpuBackend(ctx, batched);
    const gpuRate = await stepsPerSecond(gpu, c, 5, steps);
    gpu.destroy();
    ctx.device.destroy();
    const cpuRate = (await stepsPerSecond(new CpuBackend(), c, 2, cpuSteps)).stepsPerSecond;
    rows.push({
      variants: variants.join(','),
      batched: variants.length === 1 ? '–' : batched ? 'yes' : 'no',
      'webgpu steps/s': gpuRate.stepsPerSecond,
      'dispatches/step': gpuRate.dispatchesPerStep,
      'submits/step': gpuRate.submitsPerStep,
      'cpu steps/s': cpuRate,
      'webgpu/cpu': gpuRate.stepsPerSecond / cpuRate,
    });
  }
  const m = DEFAULT_MLP;
  return {
    title: 'GAN training steps/s (2-D MLP)',
    columns: ['variants', 'batched', 'webgpu steps/s', 'dispatches/step', 'submits/step', 'cpu steps/s', 'webgpu/cpu'],
    rows,
    notes: [
      `model: G ${m.noiseDim}→${m.generatorHidden.join('→')}→2, D 2→${m.discriminatorHidden.join('→')}→1, batch ${config.batch}, setting C (n_dis ${config.adam.nDis}), standard loss`,
      `webgpu: ${steps} timed steps after 5 warm-up steps; cpu: ${cpuSteps} steps after 2 (float64 twins on one core)`,
      `statistics every ${config.statsEvery} steps; kernel tuning: the ${env.ctx.tuning.profile} profile`,
      COUNT_NOTE,
      'batched: the same op of every variant as one dispatch (src/engine/batching/); "no" runs each variant’s ops as dispatches of their own, the peer in the same run',
    ],
  };
}

/** 256 deterministic 32×32 images: throughput does not depend on the pixels. */
export const RANDOM_IMAGES: TrainingImages = {
  images: new Float32Array(256 * 1024).map((_, i) => Math.sin(i) * 0.9),
  count: 256,
  size: 1024,
};

/**
 * The paper CNN on MNIST-shaped data (random images: throughput does not depend on the pixels):
 * steps/s per width and variant. On a software adapter only widths 1/8 and 1/4, one timed step.
 */
export async function benchCnn(env: BenchEnv): Promise<BenchReport> {
  const widths = env.software ? [1 / 8, 1 / 4] : [1 / 8, 1 / 4, 1 / 2, 1];
  const steps = env.software ? 1 : 50;
  const sets: VariantName[][] = [['sn'], ['wn'], ['none'], ['sn', 'wn', 'none']];
  const rows: BenchReport['rows'] = [];
  for (const width of widths) {
    for (const variants of sets) {
      const config = defaultConfig({
        model: { ...DEFAULT_CNN, width },
        data: 'mnist',
        variants,
        batch: 64,
        evalSamples: 16,
        statsEvery: 1000,
      });
      env.log(`cnn: width ${width}, ${variants.join(',')}`);
      const ctx = await acquireNodeGpu({ label: 'bench.cnn', tuning: env.ctx.tuning });
      const gpu = new GpuBackend(ctx);
      const rate = await stepsPerSecond(gpu, config, 1, steps, RANDOM_IMAGES);
      gpu.destroy();
      ctx.device.destroy();
      rows.push({
        width: `1/${1 / width}`,
        variants: variants.join(','),
        'webgpu steps/s': rate.stepsPerSecond,
        'dispatches/step': rate.dispatchesPerStep,
        'submits/step': rate.submitsPerStep,
      });
    }
  }
  return {
    title: 'GAN training steps/s (paper CNN, 32×32×1, batch 64, setting C)',
    columns: ['width', 'variants', 'webgpu steps/s', 'dispatches/step', 'submits/step'],
    rows,
    notes: [
      `${steps} timed step(s) after 1 warm-up step per row; statistics not captured during timing`,
      `kernel tuning: the ${env.ctx.tuning.profile} profile`,
      COUNT_NOTE,
    ],
  };
}
