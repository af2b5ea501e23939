/**
 * Failing workers in the real page (issue 14): on a digits run, the spectrum worker is stopped
 * while a job is unanswered and the digit-score worker is made to throw inside a job (both through
 * `window.sngan.failWorker`). Each panel then names what failed, the step keeps moving, and the
 * next spectra and digit scores arrive from fresh workers — with no page error or console error
 * (an unhandled rejection would be one).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, collectErrors, useSite } from './browser';

const site = useSite('.cache/e2e-dist-workers');

/** Newest step (after `after`) whose metrics got spectra, and one that got finite digit scores. */
const arrivedAfter = (page: Page, after: number) =>
  page.evaluate((after) => {
    const later = (window.sngan!.store.run.history.get('sn') ?? []).filter((m) => m.step > after);
    return {
      spectra: later.some((m) => (m.spectra?.length ?? 0) > 0),
      scores: later.some((m) => Number.isFinite(m.inceptionScore) && Number.isFinite(m.fid)),
    };
  }, after);

describe('failing workers in the page', () => {
  // Each wait allows a loaded 2-core machine (SwiftShader shares it with everything else); unloaded
  // the whole test takes well under a minute.
  it(
    'names the failed worker on its panel, trains on, and restarts each worker for its next job',
    { timeout: 300_000 },
    async () => {
      const page = await site.browser.newPage({ viewport: { width: 1400, height: 2600 } });
      const errors = collectErrors(page);
      try {
        // Statistics, spectra and digit scores every 2 steps, so jobs come often on a software adapter.
        await page.goto(`${site.url}?data=mnist&cnn=1/8&batch=16&variants=sn&stats=2&spectra=2`);
        await page.waitForFunction(() => window.sngan?.store.run.phase === 'paused', undefined, { timeout: 90_000 });
        await page.click('[data-testid="play"]');
        // Both workers have answered once before the faults.
        await expect
          .poll(() => arrivedAfter(page, 0), { timeout: 90_000, interval: 250 })
          .toEqual({ spectra: true, scores: true });
        expect(await page.evaluate(() => window.sngan!.workersStarted())).toEqual({ spectra: 1, digits: 1 });

        const stopped = await page.evaluate(() => window.sngan!.failWorker('spectra', 'stop'));
        expect(stopped).toMatch(/^spectrum worker was stopped \(stopped mid-job/);
        const thrown = await page.evaluate(() => window.sngan!.failWorker('digits', 'throw'));
        expect(thrown).toMatch(/^digit-score worker threw: .*fault injected/);
        const atFault = await page.evaluate(() => window.sngan!.store.run.step);

        const spectraProblem = page.locator('[data-testid="spectra-problem"]');
        await expect
          .poll(() => spectraProblem.textContent(), { timeout: 10_000 })
          .toMatch(
            /^Spectra near step \d+ are missing: spectrum worker was stopped .*A fresh worker takes the next job; training goes on\.$/,
          );
        const scoreProblem = page.locator('[data-testid="score-problem"]');
        await expect
          .poll(() => scoreProblem.textContent(), { timeout: 10_000 })
          .toMatch(/^Digit scores near step \d+ are missing: digit-score worker threw: .*fault injected/);
        await page.screenshot({ path: `${ARTIFACTS}/workers-failed.png` });

        // Training goes on, and the next jobs succeed on fresh workers.
        await page.waitForFunction((s) => window.sngan!.store.run.step >= s + 3, atFault, { timeout: 90_000 });
        expect(await page.evaluate(() => window.sngan!.store.run.phase)).toBe('running');
        await expect
          .poll(() => arrivedAfter(page, atFault), { timeout: 90_000, interval: 250 })
          .toEqual({ spectra: true, scores: true });
        expect(await page.evaluate(() => window.sngan!.workersStarted())).toEqual({ spectra: 2, digits: 2 });
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    },
  );
});
