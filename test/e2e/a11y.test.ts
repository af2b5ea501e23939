// Accessibility and small screens, in a real browser: axe finds nothing serious or critical on
// the page, every lesson scene and presentation mode, and none of them shifts while it loads;
// chart canvases say their latest values in words and show them as a table on request; every
// control is reached with Tab and shows where the focus is; nothing moves under
// prefers-reduced-motion; phones and tablets get no sideways scrolling, folded controls, stacked
// views and 44 px touch targets (screenshots in test-artifacts/).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SCENES } from '../../src/lesson/scenes';
import { ARTIFACTS, collectErrors, useSite } from './browser';
import {
  axeSummary,
  chartLabels,
  focusWalk,
  horizontalOverflow,
  layoutShift,
  movingThings,
  recordLayoutShifts,
  touchTargets,
  viewBoxes,
} from './a11y-probes';

const site = useSite();

/** A fresh page with layout shifts recorded from navigation on; closed afterwards. */
async function withPage(
  viewport: { width: number; height: number },
  body: (page: Page, errors: string[]) => Promise<void>,
  options: { reducedMotion?: 'reduce' } = {},
): Promise<void> {
  // A context of its own: axe opens a second page in it to gather the results of every frame.
  const context = await site.browser.newContext({
    viewport,
    reducedMotion: options.reducedMotion ?? 'no-preference',
  });
  const page = await context.newPage();
  try {
    await page.addInitScript(recordLayoutShifts);
    await body(page, collectErrors(page));
  } finally {
    await context.close();
  }
}

/** Opens `?query` and waits until its run is ready (or its recording is loaded). */
async function open(page: Page, query: string): Promise<void> {
  await page.goto(query ? `${site.url}?${query}` : site.url);
  await page.waitForFunction(
    () => {
      const run = window.sngan?.store.run;
      return run !== undefined && (run.phase === 'paused' || run.recording !== null);
    },
    undefined,
    { timeout: 120_000 },
  );
}

/** Trains from a paused run until the store's step reaches n, then pauses (through the store's own play button). */
async function trainTo(page: Page, n: number, play = '[data-testid="play"]'): Promise<void> {
  await page.click(play);
  await page.waitForFunction((n) => (window.sngan?.store.run.step ?? 0) >= n, n, { timeout: 120_000 });
  await page.click(play);
  await page.waitForFunction(() => window.sngan!.store.run.phase === 'paused', undefined, { timeout: 30_000 });
}

const PAGES = [
  { name: 'default page', query: '' },
  ...SCENES.map((_, i) => ({ name: `lesson scene ${i + 1}`, query: `lesson=${i + 1}` })),
  { name: 'presentation mode (scene 4)', query: 'lesson=4&present=1' },
];

describe('accessibility', () => {
  it(
    'axe: nothing serious or critical on the page, every scene and presentation mode; layout shift < 0.1',
    {
      timeout: 600_000,
    },
    async () => {
      const report: Record<string, Record<string, unknown>> = {};
      const blocking: string[] = [];
      const shifts: Record<string, number> = {};
      await withPage({ width: 1280, height: 800 }, async (page, errors) => {
        for (const { name, query } of PAGES) {
          await open(page, query);
          await page.waitForTimeout(300);
          const summary = await axeSummary(page);
          shifts[name] = Number((await layoutShift(page)).toFixed(4));
          report[name] = { ...summary.byImpact, layoutShift: shifts[name] };
          blocking.push(...summary.blocking.map((b) => `${name}: ${b}`));
        }
        console.log('axe violations by impact, and the layout shift while loading:', JSON.stringify(report, null, 1));
        expect(blocking).toEqual([]);
        for (const [name, shift] of Object.entries(shifts)) expect(shift, name).toBeLessThan(0.1);
        expect(errors).toEqual([]);
      });
    },
  );

  it(
    'charts say their latest values in words (throttled) and show them as a table; keyboard only, focus visible',
    {
      timeout: 300_000,
    },
    async () => {
      await withPage({ width: 1280, height: 2400 }, async (page, errors) => {
        await open(page, 'stats=5&spectra=20');
        const before = await chartLabels(page);
        expect(before['chart-loss-d']).toBe('Discriminator loss: no data yet.');

        // Tab through the page: every stop shows a focus ring, and the run's controls are among them.
        const stops = await focusWalk(page, 250);
        const invisible = stops.filter((s) => !s.visible).map((s) => s.what);
        expect(invisible).toEqual([]);
        const reached = stops.map((s) => s.testid);
        console.log(`${stops.length} tab stops:`, stops.map((s) => s.testid || s.what).join(' → '));
        for (const id of ['play', 'step-both', 'reset', 'speed', 'variant-sn', 'setting-lr', 'table-toggle'])
          expect(reached, id).toContain(id);
        expect(stops.some((s) => s.what.startsWith('button "Explain:'))).toBe(true);

        // Train with the keyboard: focus the play button, Enter starts, Enter pauses.
        await page.focus('[data-testid="play"]');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => window.sngan!.store.run.phase === 'running');
        await page.waitForFunction(() => window.sngan!.store.run.step >= 10, undefined, { timeout: 120_000 });
        // How often the loss chart's label changes while training (about once a second at most),
        // against how often the chart itself redraws (its data-points attribute, set on every draw).
        await page.evaluate(() => {
          const w = window as unknown as { changes: { label: number; draw: number } };
          w.changes = { label: 0, draw: 0 };
          const chart = document.querySelector('sngan-app')!.shadowRoot!.querySelector('sngan-training-charts')!;
          const host = chart.shadowRoot!.querySelector('[data-testid="chart-loss-d"]')!;
          const canvas = host.shadowRoot!.querySelector('canvas')!;
          new MutationObserver((records) => (w.changes.label += records.length)).observe(canvas, {
            attributeFilter: ['aria-label'],
          });
          new MutationObserver((records) => (w.changes.draw += records.length)).observe(host, {
            attributeFilter: ['data-points'],
          });
        });
        const t0 = Date.now();
        await page.waitForTimeout(4000);
        const changes = await page.evaluate(() => (window as unknown as { changes: object }).changes);
        const ms = Date.now() - t0;
        console.log(`loss chart in ${ms} ms of training:`, changes);
        expect((changes as { label: number }).label).toBeLessThanOrEqual(Math.ceil(ms / 1000) + 1);
        await page.focus('[data-testid="play"]');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => window.sngan!.store.run.phase === 'paused');
        await page.waitForTimeout(1200); // the last throttled label

        const labels = await chartLabels(page);
        console.log('chart labels after training:', labels);
        expect(labels['chart-loss-d']).toMatch(
          /^Discriminator loss: SN -?[\d.e+-]+, WN -?[\d.e+-]+, No norm -?[\d.e+-]+ at step \d+\.$/,
        );
        for (const [id, label] of Object.entries(labels)) expect(label, id).toMatch(/\d/);

        // The table, by keyboard: Enter on the toggle shows it over the chart, Enter again hides it.
        const toggle = page.locator('[data-testid="chart-loss-d"] [data-testid="table-toggle"]');
        await toggle.focus();
        await page.keyboard.press('Enter');
        const table = page.locator('[data-testid="chart-loss-d"] [data-testid="chart-table"]');
        await table.waitFor();
        expect(await toggle.getAttribute('aria-pressed')).toBe('true');
        expect(await table.locator('thead th').allInnerTexts()).toEqual(['step', 'SN', 'WN', 'No norm']);
        const rows = await table.locator('tbody tr').count();
        expect(rows).toBeGreaterThan(3);
        await page.locator('[data-testid="chart-loss-d"]').screenshot({ path: `${ARTIFACTS}/a11y-chart-table.png` });
        await page.keyboard.press('Enter');
        await table.waitFor({ state: 'detached' });
        expect(errors).toEqual([]);
      });
    },
  );

  it(
    'under prefers-reduced-motion nothing animates or transitions, while training and with popovers open',
    {
      timeout: 300_000,
    },
    async () => {
      await withPage(
        { width: 1280, height: 900 },
        async (page, errors) => {
          await open(page, 'lesson=2');
          expect(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches)).toBe(true);
          await page.click('[data-testid="lesson-play"]');
          await page.click('[data-testid="info-group-run"]');
          await page.locator('[data-testid="table-toggle"]').first().click();
          await page.waitForTimeout(1000);
          const moving = await movingThings(page);
          expect(moving).toEqual([]);
          expect(errors).toEqual([]);
        },
        { reducedMotion: 'reduce' },
      );
    },
  );

  for (const [device, viewport] of [
    ['phone', { width: 390, height: 844 }],
    ['tablet', { width: 768, height: 1024 }],
  ] as const) {
    it(
      `${device} ${viewport.width}×${viewport.height}: no sideways scrolling, folded controls, stacked views, 44 px targets; screenshots`,
      {
        timeout: 300_000,
      },
      async () => {
        await withPage(viewport, async (page, errors) => {
          for (const [name, query, play] of [
            ['default', '', '[data-testid="play"]'],
            ['lesson-1', 'lesson=1', '[data-testid="lesson-play"]'],
          ]) {
            await open(page, query);
            if (name === 'default') {
              const panel = page.locator('[data-testid="controls-panel"]');
              expect(await panel.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
            }
            await trainTo(page, 21, play);
            // Charts off screen redraw when scrolled into view: scroll down the page once, so the
            // full-page screenshot shows them drawn.
            await page.evaluate(async () => {
              for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) {
                scrollTo(0, y);
                await new Promise((r) => setTimeout(r, 100));
              }
              scrollTo(0, 0);
            });
            await page.waitForTimeout(500);
            await page.screenshot({ path: `${ARTIFACTS}/${device}-${name}.png`, fullPage: true });
            expect(await horizontalOverflow(page), `${name}: px of sideways scrolling`).toBeLessThanOrEqual(0);
            const small = (await touchTargets(page)).filter((t) => t.width < 44 || t.height < 44);
            expect(small, `${name}: touch targets under 44 px`).toEqual([]);
            // Views stacked: each chart as wide as its column, none beside another.
            const { column, charts, panels } = await viewBoxes(page);
            for (const c of charts) expect(c.width, `${name}: chart width`).toBeGreaterThan(column * 0.95);
            if (device === 'phone')
              for (const p of panels) expect(p.width, `${name}: panel`).toBeGreaterThan(column * 0.95);
          }
          // The folded settings open with a tap and are all there.
          await open(page, '');
          await page.click('[data-testid="controls-panel"] summary');
          await page.locator('[data-testid="variant-sn"]').waitFor({ state: 'visible' });
          expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
          expect(errors).toEqual([]);
        });
      },
    );
  }
});
