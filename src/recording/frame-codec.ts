/**
 * How a recorded run's frames hold generated samples compactly: images as bytes (a pixel in
 * [−1, 1] quantized to 0…255) in base64, 2-D points as plain numbers rounded to 4 decimals. The
 * headless trainer encodes with these, the page's recorded-run player decodes. No DOM, no Node:
 * `btoa`/`atob` exist in both.
 */

/** Images per variant a frame keeps (the page's grids show these). */
export const FRAME_IMAGES = 16;
/** Generated 2-D points per variant a frame keeps. */
export const FRAME_POINTS = 512;

/** A pixel in [−1, 1] as a byte; out-of-range values clamp, non-finite ones become 0 (−1). */
export const quantizePixel = (x: number): number =>
  Number.isFinite(x) ? Math.round(((Math.min(1, Math.max(-1, x)) + 1) / 2) * 255) : 0;

/** A byte back to a pixel in [−1, 1] (within 1/255 of the original). */
export const dequantizePixel = (q: number): number => (q / 255) * 2 - 1;

/** The first `count` images of `size` pixels each, quantized to bytes, in base64. */
export function encodeImages(samples: Float32Array, count: number, size: number): string {
  const bytes = new Uint8Array(count * size);
  for (let i = 0; i < bytes.length; i++) bytes[i] = quantizePixel(samples[i]);
  // btoa takes a "binary string"; built in chunks so no argument list gets too long.
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Base64 bytes back to pixels in [−1, 1]; throws when the text is not base64. */
export function decodeImageBytes(base64: string): Float32Array {
  const binary = atob(base64);
  const out = new Float32Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = dequantizePixel(binary.charCodeAt(i));
  return out;
}

/** The first `count` points (x, y interleaved) rounded to 4 decimals. */
export function roundPoints(samples: Float32Array, count: number): number[] {
  return Array.from(samples.subarray(0, 2 * count), (v) => Math.round(v * 1e4) / 1e4);
}
