import { describe, expect, it } from 'vitest';
import { ARTIFACTS, collectErrors, useSite } from './browser';

describe('the page in headless Chromium', () => {
  const site = useSite();

  it('shows the adapter and passes the kernel self-test without console errors', async () => {
    const page = await site.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(site.url);
    await page.click('[data-testid="selftest-details"] summary');
    await page.click('[data-testid="selftest-run"]');
    await page.waitForSelector('[data-testid="summary"][data-done="yes"]', { timeout: 120_000 });
    const adapter = await page.textContent('[data-testid="selftest-adapter"]');
    expect(adapter).toMatch(/swiftshader|google|nvidia|amd|intel|apple/i);
    const results = await page.$$eval('[data-testid="selftest-row"] td:nth-child(3)', (cells) =>
      cells.map((c) => c.textContent),
    );
    expect(results.length).toBeGreaterThan(0);
    expect(
      results.every((r) => r === 'pass'),
      `self-test results: ${results.join(', ')}`,
    ).toBe(true);
    expect(await page.$('[data-testid="selftest-problem"]')).toBeNull();
    await (await page.$('[data-testid="selftest-details"]'))!.screenshot({ path: `${ARTIFACTS}/selftest.png` });
    expect(errors).toEqual([]);
  });
});
