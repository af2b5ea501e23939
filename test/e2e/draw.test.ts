/**
 * "Draw your own" data in headless Chromium: choose it, draw a stroke with the mouse, train, and
 * open the address bar's link in a new page — the same points come back as the run's anchors and
 * it trains. A malformed `pts=` gives the usual notice and the default data.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeSummary, horizontalOverflow } from './a11y-probes';
import { ARTIFACTS, collectErrors, useSite } from './browser';

const READY_MS = 60_000;
/** Few variants and small models: the point is the data, not the training. */
const QUERY = 'variants=sn,none&stats=2&spectra=0&width=16&depth=1';

describe('hand-drawn data', () => {
  const site = useSite();

  const waitReady = (page: Page) =>
    page.waitForFunction(() => window.sngan?.store.run.phase === 'paused', undefined, { timeout: READY_MS });

  /** Paused, a few single steps, until the store has published `n` steps. */
  async function trainSteps(page: Page, n: number): Promise<void> {
    for (let i = 1; i <= n; i++) {
      const before = await page.evaluate(() => window.sngan!.store.run.step);
      await page.click('[data-testid="step-both"]');
      await page.waitForFunction((b) => window.sngan!.store.run.step > b, before, { timeout: READY_MS });
    }
  }

  const snapshot = (page: Page) =>
    page.evaluate(() => ({
      data: window.sngan!.store.settings.data,
      points: window.sngan!.store.settings.points,
      anchors: window.sngan!.dataAnchors(),
      notices: window.sngan!.store.urlNotices.map((n) => n.message),
    }));

  it('draws a stroke, trains on it, and a link brings the same points back', { timeout: 90_000 }, async () => {
    // A page of its own context: axe needs one.
    const context = await site.browser.newContext({ viewport: { width: 1400, height: 1600 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${site.url}?${QUERY}`);
    await waitReady(page);
    await page.selectOption('[data-testid="setting-data"]', 'drawn');
    const canvas = page.locator('[data-testid="draw-canvas"]');
    await canvas.waitFor();
    await page.waitForFunction(
      () => window.sngan!.dataAnchors()?.length === window.sngan!.store.settings.points.length,
    );
    await page.click('[data-testid="draw-clear"]');
    expect(await page.getAttribute('sngan-draw-pad', 'data-points')).toBe('0');

    // A diagonal stroke across the middle of the pad: about 0.1 apart in data units.
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.7);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) {
      await page.mouse.move(box.x + box.width * (0.25 + 0.025 * i), box.y + box.height * (0.7 - 0.02 * i));
    }
    await page.mouse.up();
    await page.waitForFunction(() => {
      const s = window.sngan!.store;
      const anchors = window.sngan!.dataAnchors();
      return s.run.phase === 'paused' && anchors !== null && anchors.length === s.settings.points.length;
    });
    const drawn = await snapshot(page);
    expect(drawn.data).toBe('drawn');
    const count = drawn.points.length / 2;
    // 0.5 of the pad's 6 units across, 0.4 up: a 3.8-unit stroke gives a point every 0.1.
    expect(count).toBeGreaterThan(25);
    expect(count).toBeLessThan(45);
    // The stroke runs left to right and upwards in data coordinates (y up).
    expect(drawn.points[drawn.points.length - 2]).toBeGreaterThan(drawn.points[0]);
    expect(drawn.points[drawn.points.length - 1]).toBeGreaterThan(drawn.points[1]);
    expect(drawn.anchors!.map((v) => Math.round(v * 100) / 100)).toEqual(drawn.points);
    expect(await page.getAttribute('sngan-draw-pad', 'data-points')).toBe(String(count));
    await page.locator('section.draw').screenshot({ path: `${ARTIFACTS}/draw-pad.png` });
    // The pad and its tools add nothing serious or critical for axe.
    expect((await axeSummary(page)).blocking).toEqual([]);

    // The eraser across the stroke's middle removes points; a keyboard adds a ready shape.
    await page.click('[data-testid="draw-eraser"]');
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.7, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction((n) => window.sngan!.store.settings.points.length < n, drawn.points.length);
    const erased = (await snapshot(page)).points.length / 2;
    expect(erased).toBeLessThan(count);
    await page.focus('[data-testid="draw-shape"]');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => window.sngan!.store.settings.points.length > n, 2 * erased);
    await page.waitForFunction(() => window.sngan!.store.run.phase === 'paused');
    const final = await snapshot(page);
    await page.waitForFunction((n) => window.sngan!.dataAnchors()?.length === n, final.points.length);

    await trainSteps(page, 3);
    const link = page.url();
    expect(link).toContain('data=drawn');
    expect(link).toMatch(/[?&]pts=[A-Za-z0-9_.-]+(&|$)/);
    await page.screenshot({ path: `${ARTIFACTS}/draw-page.png` });

    const shared = await site.browser.newPage({ viewport: { width: 1400, height: 1600 } });
    const sharedErrors = collectErrors(shared);
    await shared.goto(link);
    await waitReady(shared);
    const again = await snapshot(shared);
    expect(again.notices).toEqual([]);
    expect(again.data).toBe('drawn');
    expect(again.points).toEqual(final.points);
    expect(again.anchors!.map((v) => Math.round(v * 100) / 100)).toEqual(final.points);
    expect(await shared.getAttribute('sngan-draw-pad', 'data-points')).toBe(String(final.points.length / 2));
    await trainSteps(shared, 2);
    await shared.waitForSelector('[data-testid="field-sn"][data-drawn]:not([data-drawn="0"])', { state: 'attached' });
    expect(errors).toEqual([]);
    expect(sharedErrors).toEqual([]);
    await context.close();
    await shared.close();
  });

  it(
    'a finger draws too: a tap on a phone lays one point; the pad fits and its controls are finger-sized',
    { timeout: 60_000 },
    async () => {
      const context = await site.browser.newContext({
        hasTouch: true,
        isMobile: true,
        viewport: { width: 390, height: 844 },
      });
      const page = await context.newPage();
      await page.goto(`${site.url}?${QUERY}&data=drawn`);
      await waitReady(page);
      expect(await page.$eval('[data-testid="draw-canvas"]', (c) => getComputedStyle(c).touchAction)).toBe('none');
      await page.click('[data-testid="draw-clear"]');
      const box = (await page.locator('[data-testid="draw-canvas"]').boundingBox())!;
      // The pad's centre is (0, 0); a quarter of its 6-unit width to the right is x = 1.5.
      await page.touchscreen.tap(box.x + box.width * 0.75, box.y + box.height * 0.5);
      await page.waitForFunction(() => window.sngan!.store.settings.points.length === 2);
      const [x, y] = await page.evaluate(() => window.sngan!.store.settings.points);
      expect(x).toBeCloseTo(1.5, 1);
      expect(y).toBeCloseTo(0, 1);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      const pad = await page.$$eval('sngan-draw-pad', ([el]) =>
        [...el.shadowRoot!.querySelectorAll('button, select')].map((b) => b.getBoundingClientRect().height),
      );
      expect(Math.min(...pad)).toBeGreaterThanOrEqual(44);
      await page.screenshot({ path: `${ARTIFACTS}/draw-phone.png` });
      await context.close();
    },
  );

  it('a malformed pts= gives the notice and the default data', { timeout: 60_000 }, async () => {
    const page = await site.browser.newPage({ viewport: { width: 1400, height: 1200 } });
    await page.goto(`${site.url}?${QUERY}&data=drawn&pts=AAAA-not-a-drawing`);
    await waitReady(page);
    const notice = page.locator('[data-testid="url-notice"]');
    expect(await notice.isVisible()).toBe(true);
    expect(await notice.textContent()).toContain(
      'pts=AAAA-not-a-drawing is not a drawing in this page’s encoding; using the default data (ring8).',
    );
    const state = await snapshot(page);
    expect(state.data).toBe('ring8');
    expect(state.anchors).toHaveLength(16);
    expect(await page.$('sngan-draw-pad')).toBeNull();
    await page.close();
  });
});
