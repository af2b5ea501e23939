/**
 * The page without WebGPU, in headless Chromium: the default page trained on the CPU backend on the
 * main thread (`#cpu=main`, how it was) and in its worker (how it is). For each, while it trains:
 * frames/s (requestAnimationFrame callbacks), the longest gap between two frames, long tasks (the
 * PerformanceObserver 'longtask' entries: main-thread tasks over 50 ms), how idle the main thread
 * was (the DevTools sampling profiler) and steps/s.
 *
 * Builds the site, serves it locally and drives Debian's Chromium like the e2e tests
 * (test/e2e/browser.ts). It ignores the bench's WebGPU device: the page here has none.
 */

/**
 * Vite and Playwright come from node_modules at run time: the bench is bundled by esbuild
 * (scripts/run-node.mjs), which cannot bundle Vite, and the GPU machine's bundle must not need them.
 */
const fromNodeModules = <T>(name: string): Promise<T> => import(name) as Promise<T>;

async function buildSite(outDir: string): Promise<string> {
  const { build } = await fromNodeModules<typeof import('vite')>('vite');
  await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

async function launchChromium(): Promise<Browser> {
  const { chromium } = await fromNodeModules<typeof import('playwright-core')>('playwright-core');
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return chromium.launch({ executablePath, headless: true, args: chromiumArgs(false) });
}
import type { Browser, Page } from 'playwright-core';
import { chromiumArgs, serveStatic } from '../test/e2e/site-parts';
import { DEFAULT_SETTINGS } from '../src/ui/state/settings';
import type { BenchEnv, BenchReport } from './main';

/** Training before measuring (the first frames build the run and fill the charts). */
const WARMUP_MS = 3_000;
/** How long each mode is measured. */
const MEASURE_MS = Number(process.env.SNGAN_BENCH_PAGE_CPU_MS ?? 10_000);

interface FrameStats {
  frames: number;
  longestFrameMs: number;
  longTasks: number[];
}

/** Counts frames and collects long tasks from the page's first moment. */
function instrument(): void {
  const w = window as unknown as { pageCpuBench: FrameStats };
  const b: FrameStats = { frames: 0, longestFrameMs: 0, longTasks: [] };
  w.pageCpuBench = b;
  let last = 0;
  const tick = (now: number) => {
    if (last > 0) b.longestFrameMs = Math.max(b.longestFrameMs, now - last);
    last = now;
    b.frames++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longTasks.push(e.duration);
  }).observe({ type: 'longtask' });
}

interface Reading {
  at: number;
  steps: number;
  frames: number;
  longTasks: number;
}

const read = (page: Page): Promise<Reading> =>
  page.evaluate(() => {
    const b = (window as unknown as { pageCpuBench: FrameStats }).pageCpuBench;
    return {
      at: performance.now(),
      steps: window.sngan!.trainerSteps() ?? 0,
      frames: b.frames,
      longTasks: b.longTasks.length,
    };
  });

/** One row: the page at `url + hash`, training (or left paused, the machine's baseline). */
async function measure(url: string, hash: string, train: boolean, env: BenchEnv): Promise<BenchReport['rows'][number]> {
  const browser = await launchChromium();
  try {
    // No service worker: its precache (~10 MB) would load during the measurement.
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, serviceWorkers: 'block' });
    await page.addInitScript(instrument);
    await page.goto(`${url}${hash}`);
    await page.waitForFunction(() => window.sngan?.store.run.phase === 'paused', undefined, { timeout: 120_000 });
    const runsOn = await page.evaluate(() => window.sngan!.engineRunsOn());
    if (train) await page.click('[data-testid="play"]');
    await page.waitForTimeout(WARMUP_MS);
    const before = await read(page);
    await page.evaluate(() => {
      (window as unknown as { pageCpuBench: FrameStats }).pageCpuBench.longestFrameMs = 0;
    });
    // The main thread's own account of its time: the sampling profiler's share of '(idle)'.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
    await page.waitForTimeout(MEASURE_MS);
    const after = await read(page);
    const { profile } = await cdp.send('Profiler.stop');
    const idleNodes = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    const samples = profile.samples ?? [];
    const idleShare = samples.filter((id) => idleNodes.has(id)).length / Math.max(1, samples.length);
    const { longestFrameMs, longTasks } = await page.evaluate(
      () => (window as unknown as { pageCpuBench: FrameStats }).pageCpuBench,
    );
    const tasks = longTasks.slice(before.longTasks, after.longTasks);
    const seconds = (after.at - before.at) / 1000;
    env.log(
      `page-cpu: ${runsOn}${train ? '' : ' (paused)'}: ${after.steps - before.steps} steps, ${after.frames - before.frames} frames`,
    );
    return {
      page: train ? `training, CPU backend on ${runsOn}` : 'paused (nothing trains)',
      'frames/s': (after.frames - before.frames) / seconds,
      'longest frame ms': longestFrameMs,
      'long tasks': tasks.length,
      'long-task ms/s': tasks.reduce((s, d) => s + d, 0) / seconds,
      'longest task ms': tasks.length > 0 ? Math.max(...tasks) : 0,
      'main thread idle %': 100 * idleShare,
      'steps/s': (after.steps - before.steps) / seconds,
    };
  } finally {
    await browser.close();
  }
}

export async function benchPageCpu(env: BenchEnv): Promise<BenchReport> {
  env.log('page-cpu: building the site…');
  const served = await serveStatic(await buildSite('.cache/bench-page-cpu'));
  try {
    const rows: BenchReport['rows'] = [];
    rows.push(await measure(served.url, '', false, env));
    for (const hash of ['#cpu=main', '']) rows.push(await measure(served.url, hash, true, env));
    return {
      title: 'The default page without WebGPU (headless Chromium, CPU backend): main thread vs worker',
      columns: [
        'page',
        'frames/s',
        'longest frame ms',
        'long tasks',
        'long-task ms/s',
        'longest task ms',
        'main thread idle %',
        'steps/s',
      ],
      rows,
      notes: [
        `default settings (speed ${DEFAULT_SETTINGS.speed} steps/frame), ${WARMUP_MS / 1000} s of training, then ${MEASURE_MS / 1000} s measured (SNGAN_BENCH_PAGE_CPU_MS)`,
        'frames/s counts requestAnimationFrame callbacks; long tasks are main-thread tasks over 50 ms (PerformanceObserver); main thread idle % is the share of the DevTools sampling profiler’s samples that were idle',
        'steps/s counts steps submitted by the page (in the worker at most one frame’s steps ahead of those computed)',
        'a fresh headless Chromium (--disable-webgpu) per row; figures depend on the machine’s load: the paused row is what the page gets with nothing training',
      ],
    };
  } finally {
    served.server.close();
  }
}
