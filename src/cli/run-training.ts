/**
 * The headless trainer's run, apart from its entry point (src/cli/train.ts): trains on Node's
 * WebGPU (Dawn) or the CPU backend, shows progress with steps/s, and writes the run as JSON.
 */
import { writeFileSync } from 'node:fs';
import type { Backend } from '../engine/backend';
import { CpuBackend } from '../engine/cpu-backend';
import { GpuBackend } from '../engine/gpu-backend';
import type { TrainerConfig } from '../gan/config';
import { runNeeds, type RunBuilder } from '../gan/run-fit';
import { GanTrainer, type TrainingImages } from '../gan/trainer';
import { toPaddedImages } from '../data/mnist';
import { layerSpectrum } from '../spectra/spectra';
import { digitScorer } from '../metrics/digit-scorer';
import { digitSplit } from '../metrics/digit-split';
import { loadDigitClassifierInNode } from '../node/digit-classifier-node';
import { loadMnistInNode } from '../node/mnist-node';
import { acquireNodeGpu } from '../node/webgpu-node';
import { FrameRecorder } from '../recording/frame-recorder';
import { runFile, runFileText, runFileVariant, type RunFile } from '../recording/run-file';
import { parseArgs } from './args';
import { CLI_OPTIONS, cliSettings, configFromArgs, usage } from './options';

/**
 * `kind` was checked by the settings table's backend row. The device asks only for the limits this
 * run needs (measured by building it without allocating: src/gan/run-fit.ts).
 */
async function makeBackend(kind: 'webgpu' | 'cpu', config: TrainerConfig, images?: TrainingImages): Promise<Backend> {
  if (kind === 'cpu') return new CpuBackend();
  const build: RunBuilder = (backend, c) => new GanTrainer(backend, c, images);
  return new GpuBackend(await acquireNodeGpu({ label: 'train.device', needs: (t) => runNeeds(config, t, build) }));
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

/**
 * Trains what the command line describes and writes --out; returns the JSON it wrote (null for
 * --help). The CLI's whole path, so tests run exactly what `npm run train` runs.
 */
export async function runTraining(argv: string[]): Promise<RunFile | null> {
  const args = parseArgs(argv, CLI_OPTIONS);
  if (args.has('help')) {
    console.log(usage());
    return null;
  }
  const { config, steps } = configFromArgs(args);
  const { backend: backendName, quiet, out: path, framesEvery, noWeights } = cliSettings(args);
  const images = config.data === 'mnist' ? await loadDigits(config.evalSamples) : undefined;
  const backend = await makeBackend(backendName, config, images?.data);
  console.error(`backend: ${backend.kind} — ${backend.description}`);
  await backend.ready();
  const trainer = new GanTrainer(backend, config, images?.data, images?.scorer);
  // Frames for the page's recorded-run player (src/recording/recorded-run.ts), when asked for.
  const recorder = framesEvery > 0 ? new FrameRecorder(framesEvery, images ? images.data.size : 0) : null;
  trainer.onMetrics((batch) => {
    for (const m of batch) {
      if (trainer.status.get(m.variant)!.diverged === m.step)
        console.error(`\n${m.variant}: diverged at step ${m.step}`);
    }
    if (recorder && batch.length > 0) {
      const captured = batch.map(({ variant }) => ({ variant, ...trainer.status.get(variant)! }));
      recorder.capture(batch[0].step, captured);
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
  const variants: RunFile['variants'] = {};
  for (const v of config.variants) {
    const status = trainer.status.get(v)!;
    const layers = noWeights ? [] : await trainer.snapshot(v);
    variants[v] = runFileVariant(
      status.diverged,
      status.samples,
      images?.data.size ?? 0,
      layers,
      layers.map(layerSpectrum),
    );
  }
  const out = runFile({
    config,
    adapter: backend.description,
    backend: backend.kind,
    steps: trainer.steps,
    seconds,
    metrics: trainer.metrics,
    ...(images ? { reference: images.reference } : {}),
    variants,
    ...(recorder
      ? {
          recordedAt: new Date().toISOString(),
          ...(trainer.extent ? { extent: trainer.extent } : {}),
          frames: recorder.frames,
        }
      : {}),
  });
  if (path) {
    writeFileSync(path, runFileText(out));
    console.error(`wrote ${path}`);
  }
  backend.destroy();
  return out;
}
