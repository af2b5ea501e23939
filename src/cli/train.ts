/**
 * Headless trainer: `npm run train -- --model mlp2d --data ring8 --variants sn,wn,none
 * --settings C --steps 5000 --seed 1 --out run.json [--backend cpu]`. Trains on Node's WebGPU
 * (Dawn) or on the CPU backend, shows progress with steps/s, and writes the run as JSON.
 */
import { writeFileSync } from 'node:fs';
import { isDataset2dName } from '../data/mixtures';
import type { Backend } from '../engine/backend';
import { CpuBackend } from '../engine/cpu-backend';
import { GpuBackend } from '../engine/gpu-backend';
import {
  DEFAULT_CNN,
  DEFAULT_MLP,
  defaultConfig,
  SETTINGS,
  VARIANT_NAMES,
  type DataName,
  type SettingName,
  type TrainerConfig,
  type VariantName,
} from '../gan/config';
import { GanTrainer } from '../gan/trainer';
import { toPaddedImages } from '../data/mnist';
import { layerSpectrum } from '../spectra/spectra';
import { digitScorer } from '../metrics/digit-scorer';
import { digitSplit } from '../metrics/digit-split';
import { loadDigitClassifierInNode } from '../node/digit-classifier-node';
import { loadMnistInNode } from '../node/mnist-node';
import { acquireNodeGpu } from '../node/webgpu-node';
import { numberArg, parseArgs } from './args';

const OPTIONS = {
  model: 'value',
  data: 'value',
  variants: 'value',
  settings: 'value',
  loss: 'value',
  steps: 'value',
  seed: 'value',
  batch: 'value',
  'stats-every': 'value',
  'spectra-every': 'value',
  ip: 'value',
  warmup: 'value',
  clip: 'value',
  lr: 'value',
  width: 'value',
  'eval-samples': 'value',
  out: 'value',
  backend: 'value',
  quiet: 'flag',
  help: 'flag',
} as const;

const USAGE = `usage: npm run train -- [--model mlp2d|cnn] [--data ring8|grid25|spiral|moons|mnist] [--width 1/8|1/4|1/2|1]
  [--variants sn,wn,none,clip,orthonormal,wgan-gp] [--eval-samples N]
  [--settings A..F] [--loss standard|hinge|wgan] [--steps N] [--seed N] [--batch N] [--stats-every K] [--spectra-every N]
  [--ip N] [--warmup N] [--clip C] [--lr A] [--backend webgpu|cpu] [--out run.json] [--quiet]`;

function parseWidth(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_CNN.width;
  const [num, den] = raw.split('/');
  const value = den === undefined ? Number(num) : Number(num) / Number(den);
  if (![0.125, 0.25, 0.5, 1].includes(value)) throw new Error(`--width must be 1/8, 1/4, 1/2 or 1 (got ${raw})`);
  return value;
}

export function configFromArgs(args: Map<string, string>): { config: TrainerConfig; steps: number } {
  const model = args.get('model') ?? 'mlp2d';
  if (model !== 'mlp2d' && model !== 'cnn') throw new Error(`--model must be mlp2d or cnn (got ${model})`);
  const data = args.get('data') ?? (model === 'cnn' ? 'mnist' : 'ring8');
  if (model === 'cnn' && data !== 'mnist') throw new Error(`--model cnn trains on --data mnist (got ${data})`);
  if (model === 'mlp2d' && !isDataset2dName(data)) {
    throw new Error(`--data ${data} is not a 2-D data set (ring8, grid25, spiral, moons; mnist needs --model cnn)`);
  }
  const variants = (args.get('variants') ?? 'sn,wn,none').split(',').map((s) => s.trim());
  for (const v of variants) {
    if (!(VARIANT_NAMES as readonly string[]).includes(v))
      throw new Error(`unknown variant "${v}" (known: ${VARIANT_NAMES.join(', ')})`);
  }
  const settingName = (args.get('settings') ?? 'C').toUpperCase();
  if (!(settingName in SETTINGS)) throw new Error(`--settings must be one of A–F (got ${settingName})`);
  const setting = SETTINGS[settingName as SettingName];
  const loss = args.get('loss') ?? 'standard';
  if (loss !== 'standard' && loss !== 'hinge' && loss !== 'wgan') {
    throw new Error(`--loss must be standard, hinge or wgan (got ${loss})`);
  }
  const cnn = model === 'cnn';
  const config = defaultConfig({
    model: cnn ? { ...DEFAULT_CNN, width: parseWidth(args.get('width')) } : DEFAULT_MLP,
    evalSamples: numberArg(args, 'eval-samples', cnn ? 100 : 2500),
    data: data as DataName,
    variants: variants as VariantName[],
    loss,
    adam: { ...setting, lr: numberArg(args, 'lr', setting.lr) },
    seed: numberArg(args, 'seed', 1),
    batch: numberArg(args, 'batch', cnn ? 64 : 128),
    statsEvery: numberArg(args, 'stats-every', 50),
    spectraEvery: numberArg(args, 'spectra-every', 10 * numberArg(args, 'stats-every', 50)),
    snRounds: numberArg(args, 'ip', 1),
    snWarmup: numberArg(args, 'warmup', 0),
    clip: numberArg(args, 'clip', 0.01),
  });
  const steps = numberArg(args, 'steps', 5000);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer (got ${steps})`);
  return { config, steps };
}

export async function makeBackend(kind: string): Promise<Backend> {
  if (kind === 'cpu') return new CpuBackend();
  if (kind !== 'webgpu') throw new Error(`--backend must be webgpu or cpu (got ${kind})`);
  return new GpuBackend(await acquireNodeGpu({ label: 'train.device' }));
}

/**
 * The MNIST training split as the GAN's images, and a scorer against the held-out digits, with
 * the real digits' own scores at the evaluation sample count as the reference.
 */
async function loadDigits(evalSamples: number) {
  const set = await loadMnistInNode();
  const split = digitSplit(set.labels);
  const train = toPaddedImages(set, { indices: split.train });
  const classifier = await loadDigitClassifierInNode();
  const scorer = digitScorer(classifier, toPaddedImages(set, { indices: split.heldOut }), split.heldOut.length);
  // The package stores digits grouped by class: take evenly spaced training digits, all classes.
  const n = Math.min(evalSamples, split.train.length);
  const spread = Array.from({ length: n }, (_, i) => split.train[Math.floor((i * split.train.length) / n)]);
  const reference = scorer.reference(toPaddedImages(set, { indices: spread }), n);
  console.error(
    `digits: ${split.train.length} for training, ${split.heldOut.length} held out; real digits score ` +
      `IS ${reference.inceptionScore.toFixed(2)}, FID ${reference.fid.toFixed(2)} at ${evalSamples} samples`,
  );
  const size = 32 * 32;
  return { data: { images: train, count: split.train.length, size }, scorer, reference };
}

function progressBar(step: number, total: number, rate: number): string {
  const width = 30;
  const filled = Math.round((width * step) / total);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${step}/${total}  ${rate.toFixed(1)} steps/s`;
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv, OPTIONS);
  if (args.has('help')) {
    console.log(USAGE);
    return;
  }
  const { config, steps } = configFromArgs(args);
  const backend = await makeBackend(args.get('backend') ?? 'webgpu');
  const quiet = args.has('quiet');
  console.error(`backend: ${backend.kind} — ${backend.description}`);
  const images = config.data === 'mnist' ? await loadDigits(config.evalSamples) : undefined;
  const trainer = new GanTrainer(backend, config, images?.data, images?.scorer);
  trainer.onMetrics((batch) => {
    for (const m of batch) {
      if (trainer.status.get(m.variant)!.diverged === m.step)
        console.error(`\n${m.variant}: diverged at step ${m.step}`);
    }
  });
  const start = performance.now();
  let lastDraw = 0;
  await trainer.train(steps, (step) => {
    const now = performance.now();
    if (!quiet && (now - lastDraw > 250 || step === steps)) {
      lastDraw = now;
      process.stderr.write(`\r${progressBar(step, steps, (1000 * step) / (now - start))}`);
    }
  });
  const seconds = (performance.now() - start) / 1000;
  await trainer.spectraSettled();
  if (!quiet) process.stderr.write('\n');
  const last = new Map(trainer.metrics.map((m) => [m.variant, m]));
  for (const v of config.variants) {
    const m = last.get(v);
    const diverged = trainer.status.get(v)!.diverged;
    const quality = images
      ? `IS ${m?.inceptionScore?.toFixed(2) ?? '–'}, FID ${m?.fid?.toFixed(2) ?? '–'}`
      : `modes ${m?.modesCovered ?? '–'}/${trainer.dataset?.modes ? trainer.dataset.modes.length / 2 : '–'}, high quality ${m?.highQuality?.toFixed(1) ?? '–'}%`;
    const losses = `lossD ${m?.lossD.toFixed(3)}, lossG ${m?.lossG.toFixed(3)}`;
    console.error(`${v.padEnd(12)} ${diverged !== null ? `diverged at step ${diverged}` : `${quality}, ${losses}`}`);
  }
  console.error(
    `${trainer.steps} steps in ${seconds.toFixed(1)} s: ${(trainer.steps / seconds).toFixed(1)} steps/s (all ${config.variants.length} variants together)`,
  );
  const variants: Record<string, unknown> = {};
  for (const v of config.variants) {
    const status = trainer.status.get(v)!;
    const samples = status.samples ?? new Float32Array(0);
    variants[v] = {
      diverged: status.diverged,
      samples: images
        ? // 16 images from the fixed evaluation noise, each a flat 32·32 array (NHWC, in [−1, 1]).
          Array.from({ length: Math.min(16, config.evalSamples) }, (_, i) =>
            Array.from(samples.subarray(i * images.data.size, (i + 1) * images.data.size)),
          )
        : Array.from({ length: samples.length / 2 }, (_, i) => [samples[2 * i], samples[2 * i + 1]]),
      layers: (await trainer.snapshot(v)).map((layer) => {
        const spectrum = layerSpectrum(layer);
        return { ...layer, singularValues: spectrum.singularValues, singularValuesRaw: spectrum.singularValuesRaw };
      }),
    };
  }
  const out = {
    config,
    adapter: backend.description,
    backend: backend.kind,
    steps: trainer.steps,
    seconds,
    stepsPerSecond: trainer.steps / seconds,
    metrics: trainer.metrics,
    ...(images ? { reference: images.reference } : {}),
    variants,
  };
  const path = args.get('out');
  if (path) {
    writeFileSync(path, JSON.stringify(out));
    console.error(`wrote ${path}`);
  }
  backend.destroy();
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`train: ${error.message}\n${USAGE}`);
    process.exit(1);
  },
);
