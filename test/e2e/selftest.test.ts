import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, buildSite, launchChromium, serveStatic } from './browser';

describe('the page in headless Chromium', () => {
  let browser: Browser;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const site = await serveStatic(await buildSite());
    server = site.server;
    url = site.url;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('shows the adapter and passes the kernel self-test without console errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('[data-testid="summary"][data-done="yes"]', { timeout: 90_000 });
    const adapter = await page.textContent('[data-testid="adapter"]');
    expect(adapter).toMatch(/swiftshader|google|nvidia|amd|intel|apple/i);
    const results = await page.$$eval('[data-testid="selftest-row"] td:nth-child(3)', (cells) =>
      cells.map((c) => c.textContent),
    );
    expect(results.length).toBeGreaterThan(0);
    expect(
      results.every((r) => r === 'pass'),
      `self-test results: ${results.join(', ')}`,
    ).toBe(true);
    expect(await page.$('[data-testid="problem"]')).toBeNull();
    await page.screenshot({ path: `${ARTIFACTS}/selftest.png`, fullPage: true });
    expect(errors).toEqual([]);
  });

  it('explains the problem when the browser has no WebGPU', async () => {
    const noGpu = await launchChromium({ webgpu: false });
    try {
      const page = await noGpu.newPage();
      await page.addInitScript(() => Object.defineProperty(navigator, 'gpu', { value: undefined }));
      await page.goto(url);
      const problem = await page.waitForSelector('[data-testid="problem"]', { timeout: 30_000 });
      expect(await problem.textContent()).toMatch(/WebGPU/);
    } finally {
      await noGpu.close();
    }
  });

  it('trains live and keeps stepping while the spectrum worker computes', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(url);
    await page.click('[data-testid="train"]');
    await page.waitForFunction(() => (window.snganPreview?.steps() ?? 0) >= 10, undefined, { timeout: 90_000 });
    // Four SVDs of the paper CNN's largest layers (seconds of work) go to the worker right after a
    // statistics capture; steps must go on meanwhile (a main-thread SVD would freeze the counter).
    const { layers, before, after } = await page.evaluate(() => window.snganPreview!.heavySpectra());
    expect(layers).toBe(4);
    expect(after, `steps before ${before}, after ${after}`).toBeGreaterThan(before);
    expect(Number(await page.textContent('[data-testid="step-count"]'))).toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}/training-preview.png`, fullPage: true });
    expect(errors).toEqual([]);
  });
});
