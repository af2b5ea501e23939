// Export and import in a real browser: a chart's and a view's Save PNG (a decodable PNG at twice
// the device pixel ratio), the run as JSON (read by `npm run spectra`, its metrics the numbers the
// charts show) and as CSV, while training and after a lost device; then the saved file opened back
// as a recorded run (labelled, scrubbable), and broken files refused with a notice while the run
// shown stays as it was. Screenshots go to test-artifacts/.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, collectErrors, useSite } from './browser';

const site = useSite();
const DATA_MS = 90_000;
const DOWNLOADS = '.cache/e2e-downloads';

/** Width and height of a PNG, after checking that its pixels inflate to exactly that many rows. */
function decodePng(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect(body[8]).toBe(8); // 8 bits per channel
      channels = { 2: 3, 6: 4 }[body[9]] ?? 0;
    }
    if (type === 'IDAT') data.push(body);
    at += 12 + length;
  }
  // Each row: a filter byte, then its pixels.
  expect(inflateSync(Buffer.concat(data)).length).toBe(height * (1 + width * channels));
  return { width, height };
}

/** Clicks something that downloads and returns the file's path and suggested name. */
async function download(page: Page, selector: string): Promise<{ path: string; name: string }> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: DATA_MS }), page.click(selector)]);
  const path = `${DOWNLOADS}/${file.suggestedFilename()}`;
  await file.saveAs(path);
  return { path, name: file.suggestedFilename() };
}

/** The CSS size of a view's canvas. */
const canvasSize = (page: Page, testid: string) =>
  page.$eval(`[data-testid="${testid}"]`, (el) => {
    const canvas = el.shadowRoot!.querySelector('canvas')!;
    const box = canvas.getBoundingClientRect();
    return { width: box.width, height: box.height, dpr: window.devicePixelRatio };
  });

async function expectPngOf(page: Page, testid: string): Promise<void> {
  const css = await canvasSize(page, testid);
  const png = await download(page, `[data-testid="${testid}"] [data-testid="save-png"]`);
  expect(png.name).toMatch(/\.png$/);
  const bytes = readFileSync(png.path);
  writeFileSync(`${ARTIFACTS}/export-${testid}.png`, bytes);
  const { width, height } = decodePng(bytes);
  // Twice the device pixel ratio, and room below the picture for the caption (and above for a view's title).
  // (Within a pixel: a chart in a grid cell may be a fractional number of CSS px wide.)
  expect(Math.abs(width - css.width * 2 * css.dpr)).toBeLessThanOrEqual(1);
  expect(height).toBeGreaterThan(Math.round(css.height * 2 * css.dpr));
}

/** Drops a file with this text on the page, as a file dragged from the desktop would be. */
const dropFile = (page: Page, name: string, text: string) =>
  page.evaluate(
    ({ name, text }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], name, { type: 'application/json' }));
      for (const type of ['dragover', 'drop'])
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    { name, text },
  );

/** What must not change when a broken file is refused. */
const shownRun = (page: Page) =>
  page.evaluate(() => {
    const run = window.sngan!.store.run;
    return {
      step: run.step,
      recording: run.recording?.adapter ?? null,
      captures: [...run.history.values()].reduce((n, list) => n + list.length, 0),
    };
  });

/** Moves the recording's scrubber to `step`, as dragging it would, and waits for the views to follow. */
async function scrubTo(page: Page, step: number): Promise<void> {
  await page.$eval(
    '[data-testid="recording-scrub"]',
    (el, step) => {
      const input = el as HTMLInputElement;
      input.value = String(step);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    step,
  );
  await page.waitForFunction((step) => window.sngan!.store.run.step === step, step);
}

describe('export and import', () => {
  it('saves PNGs, JSON and CSV while training and after a lost device, and opens the run again', async () => {
    const page = await site.browser.newPage({ viewport: { width: 1400, height: 2400 } });
    const errors = collectErrors(page);
    await page.goto(`${site.url}?variants=sn,wn,none&data=ring8&stats=5&spectra=10`);
    await page.waitForFunction(() => window.sngan?.store.run.phase === 'paused', undefined, { timeout: DATA_MS });

    // A broken file dropped on the live run: a notice naming what is wrong, the run untouched.
    const before = await shownRun(page);
    await dropFile(page, 'truncated.json', '{"config": {"model": {"kind": "mlp"');
    await page.waitForSelector('[data-testid="problem"]:has-text("truncated.json")');
    expect(await page.textContent('[data-testid="problem"]')).toContain(
      'not a recorded run: the file is not complete JSON',
    );
    expect(await shownRun(page)).toEqual(before);

    await page.click('[data-testid="play"]');
    await page.waitForFunction(
      () => window.sngan!.store.run.history.get('sn')?.some((m) => m.spectra) && window.sngan!.store.run.step >= 20,
      undefined,
      { timeout: DATA_MS },
    );
    // While training: a chart's picture.
    await expectPngOf(page, 'chart-loss-d');

    // A lost device, recovered (from the checkpoint a pause takes); the run, training again, saves
    // as JSON that the spectra CLI reads.
    await page.click('[data-testid="play"]');
    const checkpoint = await page.waitForFunction(() => {
      const at = window.sngan!.checkpointStep();
      return at !== null && at === window.sngan!.trainerSteps() ? at : null;
    });
    const resumeAt = (await checkpoint.jsonValue()) as number;
    await page.click('[data-testid="play"]');
    expect(await page.evaluate(() => window.sngan!.loseDevice())).toBe(true);
    await page.waitForSelector('[data-testid="info"]:has-text("Resumed from step")', { timeout: DATA_MS });
    await page.waitForFunction((n) => window.sngan!.store.run.step >= n, resumeAt + 10, { timeout: DATA_MS });
    const json = await download(page, '[data-testid="save-run-json"]');
    const spectra = await promisify(execFile)('node', ['scripts/run-node.mjs', 'src/cli/spectra.ts', json.path]);
    for (const v of ['sn', 'wn', 'none']) expect(spectra.stdout).toContain(`## ${v}`);
    expect(spectra.stdout).toMatch(/σ₁\(W̄\)/);

    // Paused: the JSON's and the CSV's numbers are the ones the charts show.
    await page.click('[data-testid="play"]');
    await page.waitForFunction(() => window.sngan!.store.run.phase === 'paused');
    // Every capture (every 5 steps) has been read back and published.
    await page.waitForFunction(() => {
      const last = window.sngan!.store.run.history.get('sn')?.at(-1)?.step ?? 0;
      return last === Math.floor(window.sngan!.trainerSteps()! / 5) * 5;
    });
    const shown = await page.evaluate(() =>
      [...window.sngan!.store.run.history.values()].flat().map((m) => [m.step, m.variant, m.lossD, m.sigma[0] ?? null]),
    );
    const saved = JSON.parse(readFileSync((await download(page, '[data-testid="save-run-json"]')).path, 'utf8'));
    expect(Object.keys(saved)).toEqual(
      expect.arrayContaining(['config', 'adapter', 'backend', 'steps', 'metrics', 'variants']),
    );
    const layer = saved.variants.sn.layers[0];
    for (const key of ['W', 'Wbar', 'u', 'sigmaEstimate', 'singularValues', 'singularValuesRaw'])
      expect(layer).toHaveProperty(key);
    const savedMetrics = (saved.metrics as { step: number; variant: string; lossD: number; sigma: number[] }[]).map(
      (m) => [m.step, m.variant, m.lossD, m.sigma[0] ?? null],
    );
    const byKey = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
    expect(byKey(savedMetrics)).toEqual(byKey(shown));
    const csv = readFileSync((await download(page, '[data-testid="save-metrics-csv"]')).path, 'utf8')
      .trimEnd()
      .split('\n');
    expect(csv[0]).toMatch(
      /^step,variant,lossD,lossG,dReal,dFake,modesCovered,highQuality,gradNorm,inceptionScore,fid,sigma_1,/,
    );
    expect(csv.length - 1).toBe(shown.length);
    const lossD = csv[0].split(',').indexOf('lossD');
    expect(csv.slice(1).map((row) => Number(row.split(',')[lossD]))).toEqual(savedMetrics.map((m) => m[2]));

    // Views and the spectra: pictures too.
    await expectPngOf(page, 'field-sn');
    await expectPngOf(page, 'chart-spectra');
    await page.check('[data-testid="spectra-multiples"]');
    await page.waitForSelector('[data-testid="chart-spectra-layer-0"]:not([data-points="0"])');
    await expectPngOf(page, 'chart-spectra-layer-0');
    await page.uncheck('[data-testid="spectra-multiples"]');
    // Copy image puts the same picture on the clipboard (127.0.0.1 is a secure context).
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const lossCss = await canvasSize(page, 'chart-loss-d');
    await page.click('[data-testid="chart-loss-d"] [data-testid="copy-image"]');
    const copiedWidth = () =>
      page.evaluate(async () => {
        const items = await navigator.clipboard.read().catch(() => []);
        const png = items.find((i) => i.types.includes('image/png'));
        return png ? (await createImageBitmap(await png.getType('image/png'))).width : null;
      });
    await expect
      .poll(async () => Math.abs(((await copiedWidth()) ?? 0) - lossCss.width * 2 * lossCss.dpr), { timeout: 10_000 })
      .toBeLessThanOrEqual(1);
    await page.hover('[data-testid="chart-loss-d"]');
    await page.locator('[data-testid="chart-loss-d"]').screenshot({ path: `${ARTIFACTS}/export-buttons-hover.png` });
    await page.screenshot({ path: `${ARTIFACTS}/export-live.png` });
    const live = await shownRun(page);

    // The saved run opened again: every view shows it as a recorded run, scrubbable by step.
    await page.setInputFiles('[data-testid="open-run-file"]', json.path);
    await page.waitForSelector('[data-testid="backend-badge"][data-kind="recording"]', { timeout: DATA_MS });
    expect(await page.textContent('[data-testid="recording-label"]')).toContain('Recorded run');
    await page.waitForSelector('[data-testid="chart-loss-d"]:not([data-points="0"])');
    await page.waitForSelector('[data-testid="field-sn"][data-drawn]:not([data-drawn="0"])');
    const recorded = await shownRun(page);
    // It opens at its last capture (statistics and a frame of samples), after the lost device.
    const reopened = JSON.parse(readFileSync(json.path, 'utf8'));
    expect(recorded.step).toBe(reopened.metrics.at(-1).step);
    expect(reopened.frames.at(-1).step).toBe(recorded.step);
    expect(recorded.step).toBeGreaterThan(resumeAt);
    await scrubTo(page, 10);
    // The samples follow the scrubber: the page saved a frame at every capture.
    expect(await page.evaluate(() => window.sngan!.store.run.fields.sn?.step)).toBe(10);
    await page.waitForSelector('[data-testid="field-sn"][data-drawn]:not([data-drawn="0"])');
    expect((await shownRun(page)).captures).toBeLessThan(recorded.captures);
    await page.screenshot({ path: `${ARTIFACTS}/export-reopened.png` });

    // Playing it through a hidden tab and back: the live run underneath stays paused.
    const liveSteps = await page.evaluate(() => window.sngan!.trainerSteps());
    await page.click('[data-testid="recording-play"]');
    for (const hidden of [true, false]) {
      await page.evaluate((hidden) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    }
    await page.waitForTimeout(1000);
    expect(await page.evaluate(() => window.sngan!.trainerSteps())).toBe(liveSteps);
    await scrubTo(page, 10);

    // A foreign JSON file: refused by name, the recording stays.
    const atTen = await shownRun(page);
    await dropFile(page, 'foreign.json', '{"hello": "world"}');
    await page.waitForSelector('[data-testid="problem"]:has-text("foreign.json")');
    expect(await page.textContent('[data-testid="problem"]')).toContain('not a recorded run: config is missing');
    expect(await shownRun(page)).toEqual(atTen);

    // A file from the CLI (the lesson's digits recording): its digit grids show, and save as PNGs.
    await page.setInputFiles('[data-testid="open-run-file"]', 'public/recordings/digits-E.json');
    await page.waitForSelector('[data-testid="recording-label"]:has-text("MNIST")');
    await page.waitForSelector('[data-testid="images-sn"][data-drawn]:not([data-drawn="0"])');
    await expectPngOf(page, 'images-sn');

    // Back to the live run, exactly as it was left.
    await page.click('[data-testid="leave-recording"]');
    await page.waitForSelector('[data-testid="backend-badge"][data-kind="webgpu"]');
    expect(await shownRun(page)).toEqual(live);
    const allowed = /lost|destroy/i;
    expect(errors.filter((e) => !allowed.test(e))).toEqual([]);
    await page.close();
  });
});
