// Offline use (issue 13): after one visit the page works with no network, as a lecture hall
// without Wi-Fi needs. The site is built and served from a sub-path (as a course page would host
// it); the first visit installs the service worker, then the browser goes offline and the page
// reloads, trains, opens the lesson's scenes 2 and 5 (typeset math; the digits scene's data) and
// fetches every data file it may need, all from the precache. Offline is made sure of twice: the
// browser context is set offline, and the server cuts every connection from then on (Chromium's
// offline emulation covers the page and its workers, not the browser's own check for a new
// service worker, which a real lecture hall would also cut). A file that is not precached must
// then fail with a network error, and nothing but that update check may reach the server.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, collectErrors, launchChromium, serveStatic } from './browser';

const ROOT = '.cache/e2e-offline';
const SUB_PATH = 'lecture/';
/** Files the scenes fetch, with their sizes (public/): each must come from the precache. */
const DATA_FILES = ['data/mnist-10k.bin', 'models/digit-classifier.bin', 'recordings/digits-E.json'];
/** In public/ and served, but not precached (the page never fetches it). */
const NOT_PRECACHED = 'models/digit-classifier.json';

let server: Server;
let browser: Browser;
let pageUrl: string;
/** Paths the server was asked for while offline, in order. */
const askedOffline: string[] = [];
let offline = false;
/** Serve sw.js changed by one comment: the next version of the site, as a new deployment would. */
let nextVersion = false;
/** The browser's check for a new version of the service worker (sw.js and what it imports). */
const UPDATE_CHECK = new RegExp(`^/${SUB_PATH}(sw|workbox-[\\w-]+)\\.js$`);

beforeAll(async () => {
  await buildSite(join(ROOT, SUB_PATH));
  const site = await serveStatic(ROOT);
  server = site.server;
  const serve = server.listeners('request')[0] as (request: IncomingMessage, response: ServerResponse) => void;
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (nextVersion && request.url === `/${SUB_PATH}sw.js`) {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      return response.end(`${readFileSync(join(ROOT, SUB_PATH, 'sw.js'), 'utf8')}\n// the next version\n`);
    }
    if (!offline) return serve(request, response);
    askedOffline.push(request.url ?? '');
    request.socket.destroy();
  });
  pageUrl = `${site.url}${SUB_PATH}`;
  browser = await launchChromium({ serviceWorkers: true });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

/** What a fetch of `path` (relative to the page) gives: its status and size, or the error's name. */
function fetchFromPage(page: Page, path: string) {
  return page.evaluate(async (path) => {
    try {
      const response = await fetch(path);
      return { status: response.status, bytes: (await response.arrayBuffer()).byteLength, error: null };
    } catch (error) {
      return { status: null, bytes: null, error: (error as Error).name };
    }
  }, path);
}

describe('offline, after one visit', () => {
  it('reloads, trains and opens the lesson with no network', { timeout: 180_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const failed: string[] = [];
    context.on('requestfailed', (request) => failed.push(`${request.url()}: ${request.failure()?.errorText}`));
    try {
      const page = await context.newPage();
      const errors = collectErrors(page);

      // Online: the first visit installs the service worker, which precaches the site and takes
      // control of this page at once.
      await page.goto(pageUrl);
      const scope = await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.ready;
        return registration.scope;
      });
      expect(scope, 'the worker’s scope is the sub-path the site is served from').toBe(pageUrl);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
      const sizes = new Map<string, number | null>();
      for (const path of [...DATA_FILES, NOT_PRECACHED]) {
        const online = await fetchFromPage(page, path);
        expect(online.status, `${path} online`).toBe(200);
        sizes.set(path, online.bytes);
      }

      // Offline from here on.
      await context.setOffline(true);
      offline = true;
      await page.reload();
      await page.waitForFunction(() => window.sngan?.store.run.phase === 'paused', undefined, { timeout: 60_000 });
      await page.click('[data-testid="play"]');
      await page.waitForFunction(() => (window.sngan?.store.run.step ?? 0) >= 5, undefined, { timeout: 60_000 });
      await page.click('[data-testid="play"]');

      // Every data file a scene may fetch comes whole from the precache; a file outside it fails.
      for (const path of DATA_FILES) {
        expect(await fetchFromPage(page, path), `${path} offline`).toEqual({
          status: 200,
          bytes: sizes.get(path),
          error: null,
        });
      }
      expect((await fetchFromPage(page, NOT_PRECACHED)).error, `${NOT_PRECACHED} offline`).toBe('TypeError');

      // The lesson: scene 2 typesets its equations (KaTeX's fonts), scene 5 shows MNIST digits
      // (played from its recording on a software adapter such as this test's).
      await page.goto(`${pageUrl}?lesson=2`);
      await page.waitForSelector('[data-testid="lesson"]', { timeout: 60_000 });
      await page.waitForFunction(() => window.sngan?.store.run.phase === 'paused', undefined, { timeout: 60_000 });
      expect(await page.evaluate(() => document.fonts.check('16px KaTeX_Main'))).toBe(true);
      await page.goto(`${pageUrl}?lesson=5`);
      await page.waitForSelector('[data-testid="lesson"]', { timeout: 60_000 });
      await page.waitForSelector('[data-testid="backend-badge"][data-kind="recording"]', { timeout: 60_000 });
      expect(await page.evaluate(() => window.sngan!.store.run.problem)).toBeNull();

      expect(
        askedOffline.filter((path) => !UPDATE_CHECK.test(path)),
        'requests that reached the server while offline',
      ).toEqual([]);
      expect(
        failed.filter((f) => !f.includes(NOT_PRECACHED)),
        'requests that failed',
      ).toEqual([]);
      expect(errors.filter((e) => !/Failed to fetch|ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
    } finally {
      offline = false;
      await context.close();
    }
  });

  it('offers a new version with a button and never reloads by itself', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const errors = collectErrors(page);
      await page.goto(pageUrl);
      await page.evaluate(() => navigator.serviceWorker.ready);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
      // A mark that a reload would wipe out.
      await page.evaluate(() => ((window as unknown as { loaded: string }).loaded = 'first'));

      nextVersion = true;
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
      const notice = page.locator('[data-testid="update-notice"]');
      await notice.waitFor({ timeout: 30_000 });
      expect(await notice.getAttribute('role')).toBe('status');
      expect(await notice.textContent()).toContain('A new version of this page is ready');
      const reload = page.getByRole('button', { name: 'Reload to update' });
      // The new version waits for the visitor: still the first page, run by the old worker.
      await page.waitForTimeout(1000);
      expect(await page.evaluate(() => (window as unknown as { loaded?: string }).loaded)).toBe('first');
      expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.waiting !== null)).toBe(
        true,
      );

      await Promise.all([page.waitForEvent('load'), reload.click()]);
      await page.waitForFunction(() => window.sngan?.store.run.phase === 'paused', undefined, { timeout: 60_000 });
      expect(await page.evaluate(() => (window as unknown as { loaded?: string }).loaded)).toBeUndefined();
      const registration = await page.evaluate(async () => {
        const r = (await navigator.serviceWorker.getRegistration())!;
        return { waiting: r.waiting !== null, controlled: navigator.serviceWorker.controller !== null };
      });
      expect(registration).toEqual({ waiting: false, controlled: true });
      expect(await notice.count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      nextVersion = false;
      await context.close();
    }
  });
});
