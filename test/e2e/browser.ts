/**
 * End-to-end harness: builds the static site with Vite, serves it from a throwaway local HTTP
 * server (as any static host would), and drives Debian's Chromium headless with WebGPU enabled
 * (SwiftShader on CPU machines) through playwright-core.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { build } from 'vite';
import { chromiumArgs, serveStatic } from './site-parts';

export { serveStatic } from './site-parts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = 'test-artifacts';

export async function buildSite(outDir = '.cache/e2e-dist'): Promise<string> {
  await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** Chromium with WebGPU; `webgpu: false` starts it with WebGPU switched off (the CPU fallback path). */
/**
 * Debian's Chromium, headless. Pages and contexts it opens block service workers unless the
 * options say `serviceWorkers: true`: the offline worker precaches ~10 MB per fresh context, which
 * only test/e2e/offline.test.ts is about, and which would slow every other file.
 */
export async function launchChromium(options: { webgpu?: boolean; serviceWorkers?: boolean } = {}): Promise<Browser> {
  const browser = await launchBare(options);
  if (options.serviceWorkers) return browser;
  const newContext = browser.newContext.bind(browser);
  const newPage = browser.newPage.bind(browser);
  browser.newContext = (o = {}) => newContext({ serviceWorkers: 'block', ...o });
  browser.newPage = (o = {}) => newPage({ serviceWorkers: 'block', ...o });
  return browser;
}

async function launchBare(options: { webgpu?: boolean }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const webgpu = options.webgpu ?? true;
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: chromiumArgs(webgpu),
  });
}

/**
 * For one test file: builds and serves the site and starts Chromium before its tests, closes both
 * after them. The fields are filled in by the time the tests run. A file that checks the built
 * files themselves passes its own `outDir`, so another file's build cannot replace them meanwhile.
 */
export function useSite(outDir?: string): { readonly url: string; readonly root: string; readonly browser: Browser } {
  const site = {} as { url: string; root: string; browser: Browser; server?: Server };
  beforeAll(async () => {
    site.root = await buildSite(outDir);
    const served = await serveStatic(site.root);
    site.server = served.server;
    site.url = served.url;
    site.browser = await launchChromium();
  });
  afterAll(async () => {
    await site.browser?.close();
    site.server?.close();
  });
  return site;
}

/** The page's console errors and uncaught exceptions, collected as they happen. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}
