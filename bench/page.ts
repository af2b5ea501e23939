/**
 * The page's training loop without the page: the default page settings (3 variants, statistics
 * every 10 steps), stepped frame by frame with the page's back-pressure (src/ui/session/frame-loop.ts:
 * a frame's steps are submitted only once the device has finished the previous frame's). Unlike
 * the page, a frame here always submits its k steps: the page also stops encoding once a frame has
 * spent 12 ms (its FRAME_BUDGET_MS), and "as fast as possible" adapts k to the GPU's time. Reports
 * steps/s for several steps per frame and the JavaScript time spent encoding each step, which says
 * how many steps fit in the page's 12 ms. Spectra are off (the page computes them in a worker) and
 * digit runs are not scored (the page scores them in a worker too).
 */
import { GpuBackend } from '../src/engine/gpu-backend';
import { GanTrainer } from '../src/gan/trainer';
import { acquireNodeGpu } from '../src/node/webgpu-node';
import { DEFAULT_SETTINGS, trainerConfig, type PageSettings } from '../src/ui/state/settings';
import type { BenchEnv, BenchReport } from './main';
import { RANDOM_IMAGES } from './train';

async function frames(
  env: BenchEnv,
  settings: PageSettings,
  stepsPerFrame: number,
  frameCount: number,
): Promise<{ stepsPerSecond: number; encodeMsPerStep: number; worstFrameMs: number }> {
  const ctx = await acquireNodeGpu({ label: 'bench.page', tuning: env.ctx.tuning });
  const backend = new GpuBackend(ctx);
  const images = settings.data === 'mnist' ? RANDOM_IMAGES : undefined;
  // The page computes spectra in a worker; here they would run inline and time the SVD instead.
  const trainer = new GanTrainer(backend, { ...trainerConfig(settings), spectraEvery: 0 }, images);
  for (let i = 0; i < 3; i++) void trainer.step();
  await backend.idle();
  let encodeMs = 0;
  let worstFrameMs = 0;
  const start = performance.now();
  for (let f = 0; f < frameCount; f++) {
    const began = performance.now();
    for (let s = 0; s < stepsPerFrame; s++) void trainer.step();
    const js = performance.now() - began;
    encodeMs += js;
    worstFrameMs = Math.max(worstFrameMs, js);
    await backend.idle();
  }
  await trainer.statsSettled();
  const seconds = (performance.now() - start) / 1000;
  backend.destroy();
  ctx.device.destroy();
  const steps = stepsPerFrame * frameCount;
  return { stepsPerSecond: steps / seconds, encodeMsPerStep: encodeMs / steps, worstFrameMs };
}

export async function benchPage(env: BenchEnv): Promise<BenchReport> {
  const perFrame = env.software ? [1, 5] : [1, 5, 25, 100];
  const frameCount = env.software ? 4 : 60;
  const cases: { name: string; settings: PageSettings }[] = [
    { name: 'page default (sn,wn,none)', settings: DEFAULT_SETTINGS },
    {
      name: 'all six variants',
      settings: { ...DEFAULT_SETTINGS, variants: ['sn', 'wn', 'none', 'clip', 'orthonormal', 'wgan-gp'] },
    },
    ...(env.software
      ? []
      : [{ name: 'MNIST CNN 1/4 (sn,wn,none)', settings: { ...DEFAULT_SETTINGS, data: 'mnist' as const, batch: 64 } }]),
  ];
  const rows: BenchReport['rows'] = [];
  for (const c of cases) {
    const images = c.settings.data === 'mnist';
    for (const k of images ? [1, 5] : perFrame) {
      env.log(`page: ${c.name}, ${k} steps/frame`);
      const r = await frames(env, c.settings, k, images ? (env.software ? 1 : 20) : frameCount);
      rows.push({
        run: c.name,
        'steps/frame': k,
        'steps/s': r.stepsPerSecond,
        'encode ms/step': r.encodeMsPerStep,
        'worst frame JS ms': r.worstFrameMs,
      });
    }
  }
  return {
    title: 'The page loop: steps/s and main-thread encode time per frame',
    columns: ['run', 'steps/frame', 'steps/s', 'encode ms/step', 'worst frame JS ms'],
    rows,
    notes: [
      `${frameCount} frames per row (image rows fewer), each frame waiting for the device as the page does; statistics every ${DEFAULT_SETTINGS.statsEvery} steps`,
      'encode ms/step is JavaScript time on the calling thread (what the page pays per step on its main thread; it stops encoding a frame after 12 ms)',
      `kernel tuning: the ${env.ctx.tuning.profile} profile`,
    ],
  };
}
