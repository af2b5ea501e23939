/**
 * End-to-end tests of the page: the built site in headless Chromium with WebGPU on SwiftShader
 * (and once with WebGPU switched off), driven through the controls and the `window.sngan` hooks.
 * Conditions are fast (URL parameters make statistics and spectra arrive early); timings are
 * measured and written to test-artifacts/page-perf.json but never asserted (SwiftShader is no GPU).
 */
import { writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, collectErrors, launchChromium, useSite } from './browser';

const READY_MS = 60_000;
const DATA_MS = 60_000;

describe('the training page in headless Chromium', () => {
  const site = useSite();

  /**
   * A new page at `?query`, ready (paused at its first run), with console errors and page errors
   * collected. The viewport is tall enough for every chart to be on screen: charts off screen wait
   * to be scrolled into view before they redraw.
   */
  async function openApp(
    query = '',
    options: { on?: Browser; init?: () => void } = {},
  ): Promise<{ page: Page; errors: string[] }> {
    const page = await (options.on ?? site.browser).newPage({ viewport: { width: 1400, height: 2600 } });
    const errors = collectErrors(page);
    if (options.init) await page.addInitScript(options.init);
    await page.goto(query ? `${site.url}?${query}` : site.url);
    await waitReady(page);
    return { page, errors };
  }

  const waitReady = (page: Page) =>
    page.waitForFunction(() => window.sngan?.store.run.phase === 'paused', undefined, { timeout: READY_MS });

  const storeStep = (page: Page) => page.evaluate(() => window.sngan!.store.run.step);

  const waitForStep = (page: Page, n: number, timeout = DATA_MS) =>
    page.waitForFunction((n) => (window.sngan?.store.run.step ?? 0) >= n, n, { timeout });

  const shownStep = async (page: Page) => Number(await page.textContent('[data-testid="step-count"]'));

  const attr = async (page: Page, testid: string, name: string) =>
    (await page.getAttribute(`[data-testid="${testid}"]`, name)) ?? '';

  /** Waits until a chart host has points (or a field/image view has drawn `drawn` things). */
  const waitForData = (page: Page, testid: string, name = 'data-points', timeout = DATA_MS) =>
    page.waitForSelector(`[data-testid="${testid}"][${name}]:not([${name}="0"])`, { state: 'attached', timeout });

  const seriesOf = async (page: Page, testid: string) => (await attr(page, testid, 'data-series')).split(',');

  const waitForSeries = (page: Page, testid: string, check: (keys: string[]) => boolean) =>
    expect.poll(async () => check(await seriesOf(page, testid)), { timeout: DATA_MS, interval: 100 }).toBe(true);

  /** Clicks a single-step button (paused) and waits for the store's step to reach `to`. */
  async function stepAndWait(page: Page, button: 'step-both' | 'step-d' | 'step-g', to: number): Promise<void> {
    await page.click(`[data-testid="${button}"]`);
    await page.waitForFunction((to) => window.sngan!.store.run.step === to, to, { timeout: DATA_MS });
  }

  it('trains and fills every chart, field view and spectra view without console errors', async () => {
    const { page, errors } = await openApp('stats=5&spectra=20', {
      init: () => {
        const w = window as unknown as { longTasks: { start: number; duration: number }[] };
        w.longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration });
        }).observe({ type: 'longtask', buffered: true });
      },
    });
    await page.click('[data-testid="play"]');
    const t0 = await page.evaluate(() => performance.now());
    const step0 = await storeStep(page);
    const charts = ['loss-d', 'loss-g', 'd-outputs', 'coverage', 'quality', 'grad-norm', 'rate', 'spectra'];
    for (const c of charts) await waitForData(page, `chart-${c}`);
    for (const v of ['sn', 'wn', 'none']) await waitForData(page, `field-${v}`, 'data-drawn');
    // The status line shows the step on its next frame; with spectra from step 1 every chart can
    // fill before it has moved past the step read at the click.
    await expect.poll(() => shownStep(page), { timeout: DATA_MS }).toBeGreaterThan(step0);
    await page.screenshot({ path: `${ARTIFACTS}/app-training.png`, fullPage: true });

    // 10 s of training from t0: long tasks, and the speeds the status line shows.
    await page.waitForFunction((t0) => performance.now() - t0 >= 10_000, t0, { timeout: 30_000 });
    const perf = await page.evaluate((t0) => {
      const tasks = (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter(
        (t) => t.start >= t0 && t.start < t0 + 10_000,
      );
      const text = (id: string) =>
        document
          .querySelector('sngan-app')!
          .shadowRoot!.querySelector('sngan-status-line')!
          .shadowRoot!.querySelector(`[data-testid="${id}"]`)!.textContent;
      return {
        seconds: 10,
        longTasks: tasks.length,
        longTaskMs: Math.round(tasks.reduce((s, t) => s + t.duration, 0)),
        longestTaskMs: Math.round(Math.max(0, ...tasks.map((t) => t.duration))),
        stepsPerSecond: Number(text('steps-per-second')),
        framesPerSecond: Number(text('frames-per-second')),
        step: window.sngan!.store.run.step,
        backend: window.sngan!.store.run.backend?.description,
      };
    }, t0);
    writeFileSync(`${ARTIFACTS}/page-perf.json`, `${JSON.stringify(perf, null, 2)}\n`);
    console.log('page perf (SwiftShader, not a GPU):', perf);
    expect(perf.framesPerSecond).toBeGreaterThan(5);

    for (const view of ['a', 'b', 'c', 'd', 'e', 'f']) {
      await page.click(`[data-testid="spectra-view"] input[value="${view}"]`);
      await waitForData(page, 'chart-spectra');
    }
    await page.click('[data-testid="spectra-multiples"]');
    await waitForData(page, 'chart-spectra-layer-0');
    const layers = await page.$$('[data-testid^="chart-spectra-layer-"]');
    expect(layers.length).toBeGreaterThan(1);
    for (let i = 0; i < layers.length; i++) await waitForData(page, `chart-spectra-layer-${i}`);
    await page.locator('sngan-spectra-panel').screenshot({ path: `${ARTIFACTS}/app-spectra-multiples.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('adds and removes a variant’s series when it is toggled', async () => {
    const { page, errors } = await openApp('variants=sn,wn,none&stats=1');
    await stepAndWait(page, 'step-both', 1);
    await waitForSeries(page, 'chart-loss-d', (k) => ['sn', 'wn', 'none'].every((v) => k.includes(v)));
    await page.click('[data-testid="variant-wn"]');
    await waitForSeries(page, 'chart-loss-d', (k) => !k.includes('wn') && k.includes('sn'));
    await page.waitForSelector('[data-testid="field-wn"]', { state: 'detached' });
    await page.click('[data-testid="variant-clip"]');
    await page.waitForFunction(() => window.sngan!.store.run.variants.includes('clip'), undefined, {
      timeout: READY_MS,
    });
    await waitReady(page);
    expect(await storeStep(page)).toBe(0);
    await stepAndWait(page, 'step-both', 1);
    await waitForSeries(page, 'chart-loss-d', (k) => k.includes('clip') && k.includes('sn') && !k.includes('wn'));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('applies a paper preset to the controls and the URL', async () => {
    const { page, errors } = await openApp();
    const values = () =>
      Promise.all(['lr', 'beta1', 'beta2', 'nDis'].map((f) => page.inputValue(`[data-testid="setting-${f}"]`)));
    await page.click('[data-testid="preset-D"]');
    await expect.poll(values).toEqual(['0.001', '0.5', '0.9', '5']);
    expect(await attr(page, 'preset-D', 'aria-pressed')).toBe('true');
    expect(await attr(page, 'preset-C', 'aria-pressed')).toBe('false');
    await expect.poll(() => page.url()).toMatch(/[?&]lr=0\.001(&|$)/);
    expect(page.url()).toMatch(/[?&]ndis=5(&|$)/);
    await page.click('[data-testid="preset-B"]');
    await expect.poll(values).toEqual(['0.0001', '0.5', '0.999', '1']);
    expect(await attr(page, 'preset-B', 'aria-pressed')).toBe('true');
    expect(await attr(page, 'preset-D', 'aria-pressed')).toBe('false');
    await expect.poll(() => page.url()).toMatch(/[?&]lr=0\.0001(&|$)/);
    expect(page.url()).toMatch(/[?&]ndis=1(&|$)/);
    // A demo sets data, variants and a setting at once, and the new run shows every variant.
    await page.click('[data-testid="demo-all-six"]');
    await expect.poll(values).toEqual(['0.0001', '0.5', '0.9', '5']);
    // Six variants' pipelines compile on the first run that uses them: seconds on SwiftShader.
    await page.waitForFunction(
      () => window.sngan!.store.run.variants.length === 6 && window.sngan!.store.run.phase === 'paused',
      undefined,
      { timeout: 120_000 },
    );
    expect(await page.evaluate(() => window.sngan!.store.settings.data)).toBe('grid25');
    expect(await page.locator('sngan-field-view').count()).toBe(6);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('round-trips every setting through the URL', async () => {
    const query =
      'variants=sn,clip&data=grid25&width=32&depth=3&z=4&loss=hinge&lr=0.0005&b1=0.3&b2=0.95&ndis=2&batch=64' +
      '&ip=2&warmup=5&clip=0.02&beta=0.001&gp=5&seed=42&stats=7&spectra=70&speed=10&arrows=1';
    const { page, errors } = await openApp(query);
    expect(await page.evaluate(() => window.sngan!.store.settings)).toMatchObject({
      variants: ['sn', 'clip'],
      data: 'grid25',
      mlpWidth: 32,
      mlpDepth: 3,
      noiseDim: 4,
      loss: 'hinge',
      lr: 0.0005,
      beta1: 0.3,
      beta2: 0.95,
      nDis: 2,
      batch: 64,
      snRounds: 2,
      snWarmup: 5,
      clip: 0.02,
      orthoBeta: 0.001,
      gpLambda: 5,
      seed: 42,
      statsEvery: 7,
      spectraEvery: 70,
      speed: 10,
      arrows: true,
    });
    expect(await page.inputValue('[data-testid="setting-lr"]')).toBe('0.0005');
    expect(await page.inputValue('[data-testid="setting-data"]')).toBe('grid25');
    expect(await page.inputValue('[data-testid="setting-loss"]')).toBe('hinge');
    expect(await page.inputValue('[data-testid="setting-seed"]')).toBe('42');
    expect(await page.$('[data-testid="url-notice"]')).toBeNull();
    const params = (search: string) => Object.fromEntries(new URLSearchParams(search));
    expect(params(await page.evaluate(() => location.search))).toEqual(params(query));

    await page.fill('[data-testid="setting-seed"]', '7');
    await page.dispatchEvent('[data-testid="setting-seed"]', 'change');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('seed') === '7');
    expect(params(await page.evaluate(() => location.search))).toEqual({ ...params(query), seed: '7' });
    await page.reload();
    await waitReady(page);
    expect(await page.evaluate(() => window.sngan!.store.settings.seed)).toBe(7);
    expect(await page.inputValue('[data-testid="setting-seed"]')).toBe('7');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a notice for bad URL values and falls back to the defaults', async () => {
    const { page, errors } = await openApp('batch=abc&lr=-1&variants=sn,bogus&frobnicate=1');
    const notice = page.locator('[data-testid="url-notice"]');
    expect(await notice.isVisible()).toBe(true);
    const text = (await notice.textContent()) ?? '';
    for (const s of ['batch=abc', 'lr=-1', 'variants', 'frobnicate']) expect(text).toContain(s);
    expect(await page.evaluate(() => window.sngan!.store.settings)).toMatchObject({
      batch: 128,
      lr: 0.0002,
      variants: ['sn', 'wn', 'none'],
    });
    await page.click('[data-testid="play"]');
    await waitForStep(page, 3);
    expect(await shownStep(page)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs on the CPU backend, with the reason, when WebGPU is unavailable', async () => {
    const cpuBrowser = await launchChromium({ webgpu: false });
    try {
      const { page, errors } = await openApp('', {
        on: cpuBrowser,
        init: () => Object.defineProperty(navigator, 'gpu', { value: undefined }),
      });
      expect(await attr(page, 'backend-badge', 'data-kind')).toBe('cpu');
      expect(await page.textContent('[data-testid="fallback-reason"]')).toMatch(/WebGPU/);
      await page.click('[data-testid="play"]');
      await waitForStep(page, 21, 90_000);
      await expect.poll(() => shownStep(page)).toBeGreaterThan(20);
      await page.screenshot({ path: `${ARTIFACTS}/app-cpu-fallback.png`, fullPage: true });
      // The CNN on the CPU would barely move (tens of seconds a step): a clear refusal, and a 2-D data set trains again.
      await page.selectOption('[data-testid="setting-data"]', 'mnist');
      await page.waitForFunction(() => window.sngan!.store.run.phase === 'failed');
      expect(await page.textContent('[data-testid="problem"]')).toMatch(/needs WebGPU/);
      await page.selectOption('[data-testid="setting-data"]', 'moons');
      await waitReady(page);
      expect(await page.$('[data-testid="problem"]')).toBeNull();
      expect(errors).toEqual([]);
    } finally {
      await cpuBrowser.close();
    }
  });

  it('single-steps D, G and both, and a reset run repeats itself', async () => {
    const { page, errors } = await openApp('variants=sn&stats=1');
    await stepAndWait(page, 'step-d', 1);
    await stepAndWait(page, 'step-g', 2);
    await stepAndWait(page, 'step-both', 3);
    expect(await shownStep(page)).toBe(3);

    const threeSteps = async () => {
      await page.click('[data-testid="reset"]');
      await page.waitForFunction(() => window.sngan!.store.run.info?.startsWith('Reset to step 0'));
      await waitReady(page);
      expect(await storeStep(page)).toBe(0);
      for (let i = 1; i <= 3; i++) await stepAndWait(page, 'step-both', i);
      await page.waitForFunction(() => window.sngan!.store.run.history.get('sn')?.length === 3);
      return page.evaluate(() =>
        window.sngan!.store.run.history.get('sn')!.map((m) => ({ step: m.step, lossD: m.lossD, lossG: m.lossG })),
      );
    };
    const first = await threeSteps();
    expect(first.map((m) => m.step)).toEqual([1, 2, 3]);
    expect(first.every((m) => Number.isFinite(m.lossD) && Number.isFinite(m.lossG))).toBe(true);
    const second = await threeSteps();
    expect(second).toEqual(first);

    // The lecturer's keys: S steps, Space plays and pauses, R resets.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('s');
    await page.waitForFunction(() => window.sngan!.store.run.step === 4, undefined, { timeout: DATA_MS });
    await page.keyboard.press(' ');
    await page.waitForFunction(() => window.sngan!.store.run.phase === 'running');
    await page.keyboard.press(' ');
    await page.waitForFunction(() => window.sngan!.store.run.phase === 'paused');
    await page.keyboard.press('r');
    await page.waitForFunction(() => window.sngan!.store.run.step === 0 && window.sngan!.store.run.phase === 'paused');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('recovers from a lost device with a message and trains on', async () => {
    const { page, errors } = await openApp('stats=5');
    await page.click('[data-testid="play"]');
    await waitForStep(page, 30);
    await page.click('[data-testid="play"]');
    await page.waitForFunction(() => window.sngan!.store.run.phase === 'paused');
    // Pausing takes a checkpoint of the paused step.
    const checkpoint = await page.waitForFunction(
      () => {
        const at = window.sngan!.checkpointStep();
        return at !== null && at === window.sngan!.trainerSteps() ? at : null;
      },
      undefined,
      { timeout: DATA_MS },
    );
    const checkpointStep = await checkpoint.jsonValue();
    expect(checkpointStep).toBeGreaterThanOrEqual(30);
    await page.click('[data-testid="play"]');
    await page.waitForFunction(() => window.sngan!.store.run.phase === 'running');
    const lost = await page.evaluate(() => ({
      at: window.sngan!.trainerSteps()!,
      ok: window.sngan!.loseDevice(),
    }));
    expect(lost.ok).toBe(true);
    const lostAt = lost.at;
    await page.waitForSelector('[data-testid="info"]:has-text("Resumed from step")', { timeout: DATA_MS });
    expect(await page.textContent('[data-testid="info"]')).toContain(`Resumed from step ${checkpointStep} on`);
    await waitForStep(page, lostAt + 5);
    await expect.poll(() => shownStep(page)).toBeGreaterThan(lostAt);
    expect(await page.$('[data-testid="backend-badge"]')).not.toBeNull();
    const allowed = /lost|destroy/i;
    const filtered = errors.filter((e) => allowed.test(e));
    if (filtered.length > 0) console.log('allowed device-loss console errors:', filtered);
    expect(errors.filter((e) => !allowed.test(e))).toEqual([]);
    await page.close();
  });

  it('pauses visibly while the tab is hidden and resumes when it is visible', async () => {
    const { page, errors } = await openApp();
    const setHidden = (hidden: boolean) =>
      page.evaluate((hidden) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await page.click('[data-testid="play"]');
    await waitForStep(page, 3);
    await setHidden(true);
    await page.waitForSelector('[data-testid="run-phase"][data-phase="hidden"]', { state: 'attached' });
    await page.waitForTimeout(500); // a statistics read-back still in flight may publish once
    const at = await storeStep(page);
    await page.waitForTimeout(1500);
    expect(await storeStep(page)).toBe(at);
    await setHidden(false);
    await page.waitForSelector('[data-testid="run-phase"][data-phase="running"]', { state: 'attached' });
    await waitForStep(page, at + 3);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('hides control groups a link names, and shows them again on request', async () => {
    const { page, errors } = await openApp('hide=hyper,seed,presets');
    for (const id of ['setting-lr', 'preset-A', 'setting-seed'])
      expect(await page.$(`[data-testid="${id}"]`)).toBeNull();
    expect(await page.$('[data-testid="variant-sn"]')).not.toBeNull();
    await page.click('[data-testid="show-all-controls"]');
    await page.waitForSelector('[data-testid="setting-lr"]');
    expect(await page.$('[data-testid="preset-A"]')).not.toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trains the CNN on digits and shows 64 samples', async () => {
    const { page, errors } = await openApp('data=mnist&cnn=1/8&batch=16&variants=sn&stats=1');
    await page.click('[data-testid="step-both"]');
    await page.waitForSelector('[data-testid="images-sn"][data-drawn="64"]', { state: 'attached', timeout: 90_000 });
    await waitForData(page, 'chart-coverage', 'data-points', 90_000);
    await page.screenshot({ path: `${ARTIFACTS}/app-mnist.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps training while the spectrum worker computes paper-size SVDs', async () => {
    const { page, errors } = await openApp();
    await page.click('[data-testid="play"]');
    await waitForStep(page, 10);
    // The run's own D layers, read from its model: the default 2-D MLP's D for each variant.
    const real = await page.evaluate(() => window.sngan!.discriminatorShapes());
    const variants = await page.evaluate(() => window.sngan!.store.run.variants);
    expect(real).toEqual(
      variants.map(() => [
        [64, 2],
        [64, 64],
        [1, 64],
      ]),
    );
    // Paper-width CNN layers (seconds of work) on top, so training has time to go on meanwhile.
    // Eight of them: on a loaded CI machine four once finished before the frame loop's next step.
    const load: [number, number][] = Array.from({ length: 4 }, (): [number, number][] => [
      [512, 2304],
      [256, 4096],
    ]).flat();
    const result = await page.evaluate((load) => window.sngan!.spectraUnderLoad(load), load);
    console.log('spectra under load:', { ...result, shapes: result.shapes.length });
    expect(result.shapes).toEqual([...real.flat(), ...load]);
    expect(result.after).toBeGreaterThan(result.before);
    expect(errors).toEqual([]);
    await page.close();
  });
});
