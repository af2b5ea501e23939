import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  MNIST_HEADER_BYTES,
  MNIST_PADDED_SIZE,
  MnistFormatError,
  loadMnistInBrowser,
  parseMnistBinary,
  toPaddedImages,
  type MnistSet,
} from '../../src/data/mnist';
import { loadMnistInNode } from '../../src/node/mnist-node';

/** The `mnist` package's module (CommonJS): mnist[d].length samples of digit d, mnist[d].get(i). */
interface MnistPackageDigit {
  length: number;
  get(which: number): number[];
}
const mnistPackage = createRequire(import.meta.url)('mnist') as MnistPackageDigit[];

const BIN = 'public/data/mnist-10k.bin';
const PIXELS = 28 * 28;

function runBuild(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['scripts/build-mnist.mjs', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The package's JSON value for grey level k: k/255 rounded to 3 decimals, as the package stores it. */
function packageValue(k: number): number {
  return Math.round((k * 1000) / 255) / 1000;
}

function fileBytes(path: string): ArrayBuffer {
  const b = readFileSync(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

let set: MnistSet;

beforeAll(async () => {
  // What the predev/prebuild/pretest hooks run; a no-op when the binary is up to date.
  const r = runBuild();
  expect(r.status, r.stderr).toBe(0);
  set = await loadMnistInNode();
});

describe('MNIST binary built from the mnist package', () => {
  it('has the documented header and size', () => {
    const bytes = new Uint8Array(fileBytes(BIN));
    const view = new DataView(bytes.buffer);
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('MNST');
    expect([1, 2, 3, 4].map((i) => view.getUint32(4 * i, true))).toEqual([1, 10000, 28, 28]);
    expect(bytes.length).toBe(MNIST_HEADER_BYTES + 10000 + 10000 * PIXELS);
    expect(set.count).toBe(10000);
    expect(set.labels.length).toBe(10000);
    expect(set.pixels.length).toBe(10000 * PIXELS);
  });

  it("matches the package's digits byte for byte, every label and pixel, in the package's order", () => {
    let at = 0;
    let mismatches = 0;
    const seen = new Set<number>();
    for (let d = 0; d < 10; d++) {
      const n = mnistPackage[d].length;
      expect(n).toBeGreaterThan(800);
      for (let i = 0; i < n; i++, at++) {
        if (set.labels[at] !== d) mismatches++;
        const sample = mnistPackage[d].get(i);
        expect(sample.length).toBe(PIXELS);
        const base = at * PIXELS;
        for (let p = 0; p < PIXELS; p++) {
          const byte = set.pixels[base + p];
          // Both directions: the byte is the package's value · 255 rounded, and it gives the
          // package's value back exactly (so the conversion loses nothing).
          if (byte !== Math.round(sample[p] * 255) || packageValue(byte) !== sample[p]) mismatches++;
          seen.add(byte);
        }
      }
    }
    expect(mismatches).toBe(0);
    expect(at).toBe(10000);
    // Every grey level occurs, so the 256 package values ↔ 256 bytes correspondence is exercised whole.
    expect(seen.size).toBe(256);
  });

  it('holds the expected digits per label (the package order: all 0s, then all 1s, …)', () => {
    const counts = new Array(10).fill(0);
    for (const l of set.labels) counts[l]++;
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(set.labels[0]).toBe(0);
    expect(set.labels[1000]).toBe(0);
    expect(set.labels[1001]).toBe(1);
    expect(set.labels[9999]).toBe(9);
  });

  it('is rebuilt identically by the script, which then skips when up to date', () => {
    const out = join(tmpdir(), `mnist-build-test-${process.pid}.bin`);
    const stamp = join('.cache', 'build-mnist', `mnist-build-test-${process.pid}.bin.stamp`);
    try {
      const first = runBuild('--force', '--out', out);
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/wrote/);
      expect(Buffer.compare(readFileSync(out), readFileSync(BIN))).toBe(0);
      const mtime = statSync(out).mtimeMs;
      const second = runBuild('--out', out);
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).toBe('');
      expect(statSync(out).mtimeMs).toBe(mtime);
    } finally {
      rmSync(out, { force: true });
      rmSync(stamp, { force: true });
    }
  });
});

describe('toPaddedImages', () => {
  const side = MNIST_PADDED_SIZE;

  it('pads to 32×32×1 with a −1 border and scales p/127.5 − 1 exactly', () => {
    expect(side).toBe(32);
    const images = toPaddedImages(set);
    expect(images.length).toBe(10000 * side * side);
    let bad = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < set.count; i++) {
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const v = images[(i * side + y) * side + x];
          min = Math.min(min, v);
          max = Math.max(max, v);
          const inside = y >= 2 && y < 30 && x >= 2 && x < 30;
          const want = inside ? Math.fround(set.pixels[i * PIXELS + (y - 2) * 28 + (x - 2)] / 127.5 - 1) : -1;
          if (v !== want) bad++;
        }
      }
    }
    expect(bad).toBe(0);
    expect(min).toBe(-1);
    expect(max).toBe(1);
  });

  it('maps known pixels of the first digit correctly', () => {
    const images = toPaddedImages(set, { indices: [0] });
    const at = (row: number, col: number) => images[(row + 2) * side + (col + 2)];
    // The package's first digit (a 0): row 4, col 15 is 0.2 = 51/255; row 9, col 20 is 1.
    expect(mnistPackage[0].get(0)[4 * 28 + 15]).toBe(0.2);
    expect(set.pixels[4 * 28 + 15]).toBe(51);
    expect(at(4, 15)).toBe(Math.fround(51 / 127.5 - 1));
    expect(at(4, 15)).toBeCloseTo(-0.6, 6);
    expect(mnistPackage[0].get(0)[9 * 28 + 20]).toBe(1);
    expect(at(9, 20)).toBe(1);
    expect(at(0, 0)).toBe(-1); // background
    expect(images[0]).toBe(-1); // border
    expect(images[side * side - 1]).toBe(-1);
  });

  it('takes the images at the given indices, in that order, and rejects bad ones', () => {
    const all = toPaddedImages(set);
    const some = toPaddedImages(set, { indices: [9999, 0, 5000] });
    const one = side * side;
    expect(some.length).toBe(3 * one);
    expect(some.subarray(0, one)).toEqual(all.subarray(9999 * one, 10000 * one));
    expect(some.subarray(one, 2 * one)).toEqual(all.subarray(0, one));
    expect(some.subarray(2 * one)).toEqual(all.subarray(5000 * one, 5001 * one));
    expect(toPaddedImages(set, { indices: [] }).length).toBe(0);
    expect(() => toPaddedImages(set, { indices: [10000] })).toThrow(RangeError);
    expect(() => toPaddedImages(set, { indices: [-1] })).toThrow(/outside 0…9999/);
    expect(() => toPaddedImages(set, { indices: [1.5] })).toThrow(RangeError);
  });
});

describe('bad files', () => {
  const good = fileBytes(BIN);

  function withHeader(patch: (view: DataView) => void, bytes = good.slice(0)): ArrayBuffer {
    patch(new DataView(bytes));
    return bytes;
  }

  it('a truncated file is rejected with a clear error', () => {
    expect(() => parseMnistBinary(good.slice(0, good.byteLength - 1))).toThrow(MnistFormatError);
    expect(() => parseMnistBinary(good.slice(0, good.byteLength - 1))).toThrow(
      /7850019 bytes but its header \(10000 images of 28×28\) needs 7850020 \(truncated\?\)/,
    );
    expect(() => parseMnistBinary(good.slice(0, 10))).toThrow(/shorter than its 20-byte header/);
    expect(() => parseMnistBinary(new ArrayBuffer(0))).toThrow(/truncated/);
  });

  it('a wrong magic, version, shape, label or trailing bytes are rejected', () => {
    expect(() => parseMnistBinary(withHeader((v) => v.setUint8(0, 0x58)))).toThrow(
      /bad magic "XNST".*not an MNIST file/,
    );
    const html = new TextEncoder().encode('<!doctype html><html><body>not found</body></html>');
    expect(() => parseMnistBinary(html.buffer)).toThrow(/an HTML page: is the file missing/);
    expect(() => parseMnistBinary(withHeader((v) => v.setUint32(4, 2, true)))).toThrow(/unsupported version 2/);
    expect(() => parseMnistBinary(withHeader((v) => v.setUint32(12, 27, true)))).toThrow(/27×28, expected 28×28/);
    expect(() => parseMnistBinary(withHeader((v) => v.setUint32(8, 0, true)))).toThrow(/no images/);
    expect(() => parseMnistBinary(withHeader((v) => v.setUint8(MNIST_HEADER_BYTES + 7, 10)))).toThrow(
      /label 10 of image 7/,
    );
    const longer = new Uint8Array(good.byteLength + 1);
    longer.set(new Uint8Array(good));
    expect(() => parseMnistBinary(longer.buffer)).toThrow(/trailing bytes/);
  });

  it('loadMnistInNode names the missing file and how to make it', async () => {
    const missing = join(tmpdir(), `no-such-mnist-${process.pid}.bin`);
    expect(existsSync(missing)).toBe(false);
    await expect(loadMnistInNode(missing)).rejects.toThrow(/could not be read.*no such file.*build-mnist\.mjs/);
  });
});

describe('loadMnistInBrowser', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('fetches data/mnist-10k.bin under the base URL and parses it', async () => {
    const bytes = fileBytes(BIN);
    const fetchMock = vi.fn(async () => new Response(bytes));
    vi.stubGlobal('fetch', fetchMock);
    const loaded = await loadMnistInBrowser('./');
    expect(fetchMock).toHaveBeenCalledWith('./data/mnist-10k.bin');
    expect(loaded.count).toBe(10000);
    expect(Buffer.compare(Buffer.from(loaded.pixels), Buffer.from(set.pixels))).toBe(0);
    await loadMnistInBrowser('/sub');
    expect(fetchMock).toHaveBeenLastCalledWith('/sub/data/mnist-10k.bin');
    // Default: Vite's BASE_URL.
    await loadMnistInBrowser();
    expect(fetchMock).toHaveBeenLastCalledWith(`${import.meta.env.BASE_URL}data/mnist-10k.bin`);
  });

  it('gives a clear error when the file is missing or not the binary', async () => {
    vi.stubGlobal('fetch', async () => new Response('not found', { status: 404 }));
    await expect(loadMnistInBrowser('./')).rejects.toThrow(
      /MNIST data is missing: \.\/data\/mnist-10k\.bin answered HTTP 404.*build-mnist\.mjs/,
    );
    // A dev server's fallback page instead of the file.
    vi.stubGlobal('fetch', async () => new Response('<!doctype html><html></html>', { status: 200 }));
    await expect(loadMnistInBrowser('./')).rejects.toThrow(/not usable: .*an HTML page/);
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(loadMnistInBrowser('./')).rejects.toThrow(/could not be fetched .*Failed to fetch/);
  });
});
