/**
 * Without WebGPU the page trains on the CPU backend in a module worker (src/engine/worker-backend.ts),
 * allowed by the page's own Content-Security-Policy. Its numbers must be exactly those of the CPU
 * backend in Node, and of the page's main-thread CPU backend (`#cpu=main`), for the same settings.
 * How fast it is and how smooth the page stays is measured by `npm run bench -- page-cpu`, never here.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { CpuBackend } from '../../src/engine/cpu-backend';
import { GanTrainer } from '../../src/gan/trainer';
import { parseSettings } from '../../src/ui/state/url-state';
import { trainerConfig } from '../../src/ui/state/settings';
import { buildSite, collectErrors, launchChromium, serveStatic } from './browser';

/** Small and quick on the CPU; statistics on every step. */
const QUERY = 'variants=sn,wn,none&data=ring8&width=32&batch=32&seed=11&stats=1&spectra=0';
const SINGLE_STEPS = 3;
const WAIT_MS = 60_000;

/** The per-step statistics the page shows, for each variant, as plain data. */
type Shown = Record<
  string,
  {
    step: number;
    lossD: number;
    lossG: number;
    dReal: number;
    dFake: number;
    sigma: number[];
    gradNorm: number;
    modesCovered: number | null;
  }[]
>;

type Pictures = Record<string, { step: number; field: number[]; samples: number[]; arrows: number[] }>;

const pick = (m: Shown[string][number]): Shown[string][number] => ({
  step: m.step,
  lossD: m.lossD,
  lossG: m.lossG,
  dReal: m.dReal,
  dFake: m.dFake,
  sigma: m.sigma,
  gradNorm: m.gradNorm,
  modesCovered: m.modesCovered,
});

describe('the CPU fallback in a worker (headless Chromium, WebGPU off)', () => {
  let browser: Browser;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const served = await serveStatic(await buildSite('.cache/e2e-cpu-worker'));
    server = served.server;
    url = served.url;
    browser = await launchChromium({ webgpu: false });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  /** Opens the page, single-steps it SINGLE_STEPS times and returns what it shows, and where it ran. */
  async function singleSteps(
    hash: string,
  ): Promise<{ page: Page; errors: string[]; shown: Shown; pictures: Pictures; runsOn: string | null }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
    const errors = collectErrors(page);
    await page.goto(`${url}?${QUERY}${hash}`);
    await page.waitForFunction(() => window.sngan?.store.run.phase === 'paused', undefined, { timeout: WAIT_MS });
    for (let i = 1; i <= SINGLE_STEPS; i++) {
      await page.click('[data-testid="step-both"]');
      await page.waitForFunction((i) => window.sngan!.store.run.step === i, i, { timeout: WAIT_MS });
    }
    await page.waitForFunction(
      (n) => [...window.sngan!.store.run.history.values()].every((h) => h.length === n),
      SINGLE_STEPS,
      { timeout: WAIT_MS },
    );
    const shown = (await page.evaluate(() => Object.fromEntries(window.sngan!.store.run.history))) as Shown;
    // The latest pictures: D's field, the generated points and the ∇ₓD arrows.
    const pictures = (await page.evaluate(() =>
      Object.fromEntries(
        Object.entries(window.sngan!.store.run.fields).map(([v, f]) => [
          v,
          {
            step: f!.step,
            field: Array.from(f!.field ?? []),
            samples: Array.from(f!.samples ?? []),
            arrows: Array.from(f!.arrows ?? []),
          },
        ]),
      ),
    )) as Pictures;
    const runsOn = await page.evaluate(() => window.sngan!.engineRunsOn());
    return { page, errors, shown, pictures, runsOn };
  }

  it(
    'trains in the worker exactly as the CPU backend does in Node and on the main thread',
    { timeout: 150_000 },
    async () => {
      const worker = await singleSteps('');
      expect(worker.runsOn).toBe('cpu-worker');
      expect(await worker.page.getAttribute('[data-testid="backend-badge"]', 'data-kind')).toBe('cpu');

      const config = trainerConfig(parseSettings(QUERY).settings);
      const node = new GanTrainer(new CpuBackend(), { ...config, spectraEvery: 0 });
      for (let i = 0; i < SINGLE_STEPS; i++) await node.step({ capture: true });
      const expected: Shown = {};
      for (const m of node.metrics) (expected[m.variant] ??= []).push(pick(m));
      const got = Object.fromEntries(Object.entries(worker.shown).map(([v, ms]) => [v, ms.map(pick)]));
      expect(Object.keys(got).sort()).toEqual(['none', 'sn', 'wn']);
      expect(got).toEqual(expected);
      const expectedPictures: Pictures = {};
      for (const [v, st] of node.status) {
        expectedPictures[v] = {
          step: st.capturedAt,
          field: Array.from(st.field ?? []),
          samples: Array.from(st.samples ?? []),
          arrows: Array.from(st.arrows ?? []),
        };
      }
      expect(expectedPictures.sn.field.length).toBeGreaterThan(0);
      expect(worker.pictures).toEqual(expectedPictures);

      // The same page with the CPU backend on the main thread (the debugging switch) agrees too.
      const main = await singleSteps('#cpu=main');
      expect(main.runsOn).toBe('cpu-main-thread');
      expect(Object.fromEntries(Object.entries(main.shown).map(([v, ms]) => [v, ms.map(pick)]))).toEqual(expected);
      expect(main.pictures).toEqual(expectedPictures);
      await main.page.close();

      // Playing: the step moves on, and pausing takes a checkpoint through the worker.
      const page = worker.page;
      await page.click('[data-testid="play"]');
      await page.waitForFunction((n) => window.sngan!.store.run.step >= n, SINGLE_STEPS + 10, { timeout: WAIT_MS });
      await page.click('[data-testid="play"]'); // now the pause button
      await page.waitForFunction(() => window.sngan!.store.run.phase === 'paused');
      const paused = await page.evaluate(() => window.sngan!.trainerSteps());
      await page.waitForFunction((s) => window.sngan!.checkpointStep() === s, paused, { timeout: WAIT_MS });
      expect(await page.evaluate(() => window.sngan!.engineRunsOn())).toBe('cpu-worker');
      expect(await page.$('[data-testid="problem"]')).toBeNull();
      expect([...worker.errors, ...main.errors]).toEqual([]);
      await page.close();
    },
  );
});
