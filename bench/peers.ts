/**
 * `npm run bench -- peers`: our 2-D GAN step against the same step in TF.js with its WebGPU
 * backend (bench/peers/tfjs-gan.ts), both on the same Dawn GPU object in one process: D
 * 2→128→128→1 and G z→128→128→2, batch 256, hinge loss, Adam (setting C), SN with one
 * persistent-ũ power round per D update; SN, WN and none alone and together. Both sides'
 * dispatches and submits per step are counted on their own devices' real encoders.
 *
 * TF.js is a devDependency used only here. If its WebGPU backend cannot start, the table says
 * exactly why and has no peer figures: a peer row is never made up.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GpuBackend } from '../src/engine/gpu-backend';
import { DEFAULT_MLP, defaultConfig, SETTINGS, type TrainerConfig } from '../src/gan/config';
import { GanTrainer } from '../src/gan/trainer';
import { dataset2d } from '../src/data/mixtures';
import { describeAdapter } from '../src/gpu/device';
import { countCommands, type CommandCounts } from '../src/gpu/command-counter';
import { acquireNodeGpu, nodeGpu } from '../src/node/webgpu-node';
import type { BenchEnv, BenchReport } from './main';
import { TfjsGan, type PeerGanSpec, type PeerVariant } from './peers/tfjs-gan';

interface Timed {
  stepsPerSecond: number;
  perStep: CommandCounts;
}

const HIDDEN = [128, 128];
const BATCH = 256;
const SETS: PeerVariant[][] = [['sn'], ['wn'], ['none'], ['sn', 'wn', 'none']];

function ourConfig(variants: PeerVariant[]): TrainerConfig {
  return defaultConfig({
    model: { ...DEFAULT_MLP, generatorHidden: HIDDEN, discriminatorHidden: HIDDEN },
    data: 'ring8',
    variants,
    loss: 'hinge',
    adam: SETTINGS.C,
    batch: BATCH,
    snRounds: 1,
    snWarmup: 0,
    // Statistics only at step 1 (during warm-up): TF.js reads nothing back either.
    statsEvery: 1000,
    spectraEvery: 0,
  });
}

async function time(
  device: GPUDevice,
  warmup: number,
  steps: number,
  run: (n: number) => Promise<void>,
): Promise<Timed> {
  await run(warmup);
  const counter = countCommands(device);
  const start = performance.now();
  await run(steps);
  const seconds = (performance.now() - start) / 1000;
  const counts = counter.take();
  counter.detach();
  const perStep = Object.fromEntries(
    Object.entries(counts).map(([k, v]) => [k, v / steps]),
  ) as unknown as CommandCounts;
  return { stepsPerSecond: steps / seconds, perStep };
}

async function timeOurs(env: BenchEnv, variants: PeerVariant[], warmup: number, steps: number): Promise<Timed> {
  const ctx = await acquireNodeGpu({ label: 'bench.peers', tuning: env.ctx.tuning });
  const backend = new GpuBackend(ctx);
  const trainer = new GanTrainer(backend, ourConfig(variants));
  try {
    return await time(ctx.device, warmup, steps, async (n) => {
      await trainer.train(n);
      await backend.idle();
    });
  } finally {
    backend.destroy();
    ctx.device.destroy();
  }
}

/** TF.js on the webgpu backend, given the same GPU object as ours; throws what went wrong. */
async function startTfjs(): Promise<{ device: GPUDevice; adapter: string }> {
  const gpu = await nodeGpu();
  // TF.js looks for navigator.gpu; Node 20 has no navigator, later versions have one without gpu.
  const g = globalThis as { navigator?: object };
  g.navigator ??= {};
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  // The backend registers itself on import only if navigator.gpu exists by then.
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!tf.findBackendFactory('webgpu')) throw new Error('@tensorflow/tfjs-backend-webgpu registered no webgpu backend');
  // TF.js reports a failed start only through console.warn: keep those words for the table.
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  try {
    if (!(await tf.setBackend('webgpu'))) {
      throw new Error(`tf.setBackend('webgpu') failed: ${warnings.join(' / ') || 'no reason given'}`);
    }
  } finally {
    console.warn = warn;
  }
  await tf.ready();
  const backend = tf.backend() as unknown as {
    device: GPUDevice;
    adapterInfo?: { vendor: string; architecture: string };
  };
  const info = backend.adapterInfo;
  return { device: backend.device, adapter: info ? `${info.vendor} / ${info.architecture}` : 'unknown adapter' };
}

async function timeTfjs(device: GPUDevice, variants: PeerVariant[], warmup: number, steps: number): Promise<Timed> {
  const data = dataset2d('ring8');
  const adam = SETTINGS.C;
  const spec: PeerGanSpec = {
    noiseDim: DEFAULT_MLP.noiseDim,
    generatorHidden: HIDDEN,
    discriminatorHidden: HIDDEN,
    batch: BATCH,
    lr: adam.lr,
    beta1: adam.beta1,
    beta2: adam.beta2,
    slope: DEFAULT_MLP.slope,
    anchors: Float32Array.from(data.anchors),
    std: data.std,
    seed: defaultConfig().seed,
  };
  const gans = variants.map((v) => new TfjsGan(v, spec));
  try {
    return await time(device, warmup, steps, async (n) => {
      for (let i = 0; i < n; i++) for (const gan of gans) gan.step();
      await Promise.all(gans.map((gan) => gan.settle()));
    });
  } finally {
    gans.forEach((gan) => gan.dispose());
  }
}

export async function benchPeers(env: BenchEnv): Promise<BenchReport> {
  const steps = env.software ? 20 : 500;
  const warmup = 5;
  let peer: { device: GPUDevice; adapter: string } | null = null;
  let failure = '';
  try {
    peer = await startTfjs();
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    env.log(`peers: TF.js's webgpu backend did not start: ${failure}`);
  }
  const rows: BenchReport['rows'] = [];
  for (const variants of SETS) {
    env.log(`peers: ${variants.join(',')}`);
    const ours = await timeOurs(env, variants, warmup, steps);
    const theirs = peer ? await timeTfjs(peer.device, variants, warmup, steps) : null;
    rows.push({
      variants: variants.join(','),
      'ours steps/s': ours.stepsPerSecond,
      'tfjs steps/s': theirs?.stepsPerSecond ?? null,
      'ours/tfjs': theirs ? ours.stepsPerSecond / theirs.stepsPerSecond : null,
      'ours dispatches/step': ours.perStep.dispatches,
      'tfjs dispatches/step': theirs?.perStep.dispatches ?? null,
      'ours submits/step': ours.perStep.submits,
      'tfjs submits/step': theirs?.perStep.submits ?? null,
    });
  }
  return {
    title: 'The 2-D GAN step: ours against TF.js (webgpu backend) on the same adapter',
    columns: [
      'variants',
      'ours steps/s',
      'tfjs steps/s',
      'ours/tfjs',
      'ours dispatches/step',
      'tfjs dispatches/step',
      'ours submits/step',
      'tfjs submits/step',
    ],
    rows,
    notes: [
      `D 2→${HIDDEN.join('→')}→1, G ${DEFAULT_MLP.noiseDim}→${HIDDEN.join('→')}→2, batch ${BATCH}, hinge loss, Adam setting C (n_dis 1), ring of 8; SN: one power round per D update on the raw W, ũ persistent`,
      `${steps} timed steps after ${warmup} warm-up steps each; TF.js steps several variants one after another, ours in one submission`,
      peer
        ? `TF.js ${tf.version_core} on ${peer.adapter}; ours on ${describeAdapter(env.ctx.adapter)}`
        : `no TF.js figures: its webgpu backend did not start (${failure})`,
      `kernel tuning (ours): the ${env.ctx.tuning.profile} profile`,
      ...(env.software
        ? [
            'software adapter: the ratio says nothing about GPUs (our software profile suits CPU emulation, TF.js tunes for GPUs); take it from a GPU',
          ]
        : []),
    ],
  };
}
