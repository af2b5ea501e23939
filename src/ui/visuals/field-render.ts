/**
 * Pure, DOM-free drawing helpers for the 2-D views (GAN Lab style): D's output as a light
 * diverging heatmap, world → canvas mapping, ∇ₓD arrows scaled for the screen, marker shapes, the
 * real distribution's points and generated images as greyscale pixels. Nothing here touches the
 * DOM, so all of it is tested in Node.
 *
 * Colours: D's output runs from light purple ("judged fake", 0) through near white (0.5) to light
 * green ("judged real", 1), interpolated in CIELAB so equal steps in the value look like equal
 * steps in colour; both ends are light (L* 76) so points drawn on top stay visible. Non-finite
 * values are never a number: they get their own mid-grey colour.
 */
import type { VariantStyle } from '../palette';
import { Rng } from '../../reference/random';

export type Rgb = [number, number, number];
export type Rgba = [number, number, number, number];
/** [xMin, xMax, yMin, yMax], as FieldFrame.extent. */
export type Extent = [number, number, number, number];

/** CIELAB anchors of the diverging map: 0 (fake), 0.5 (undecided), 1 (real). */
const LAB_FAKE: Rgb = [76, 20, -30];
const LAB_MID: Rgb = [98, 0, 0];
const LAB_REAL: Rgb = [76, -30, 22];

function labToRgb([L, a, b]: Rgb): Rgb {
  const fy = (L + 16) / 116;
  const fx = fy + a / 500;
  const fz = fy - b / 200;
  const d = 6 / 29;
  const finv = (t: number) => (t > d ? t * t * t : 3 * d * d * (t - 4 / 29));
  const X = 0.95047 * finv(fx);
  const Y = finv(fy);
  const Z = 1.08883 * finv(fz);
  const lin = [
    3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z,
    -0.969266 * X + 1.8760108 * Y + 0.041556 * Z,
    0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z,
  ];
  const gamma = (c: number) => (c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055);
  return lin.map((c) => Math.round(255 * Math.min(1, Math.max(0, gamma(c))))) as Rgb;
}

/** Entries of the colour table: index = round(t · (LUT_SIZE − 1)), so t = 0.5 hits the middle exactly. */
const LUT_SIZE = 257;
const LUT = new Uint8Array(LUT_SIZE * 3);
for (let i = 0; i < LUT_SIZE; i++) {
  const t = i / (LUT_SIZE - 1);
  const [from, to, u] = t <= 0.5 ? [LAB_FAKE, LAB_MID, t / 0.5] : [LAB_MID, LAB_REAL, (t - 0.5) / 0.5];
  const rgb = labToRgb([0, 1, 2].map((k) => from[k] + (to[k] - from[k]) * u) as Rgb);
  LUT.set(rgb, 3 * i);
}

/** The colour of t ∈ [0, 1] on the diverging map (clamped). NaN gets FIELD_NAN_RGBA's colour. */
export function divergingColor(t: number): Rgb {
  if (Number.isNaN(t)) return [FIELD_NAN_RGBA[0], FIELD_NAN_RGBA[1], FIELD_NAN_RGBA[2]];
  const i = Math.round(Math.min(1, Math.max(0, t)) * (LUT_SIZE - 1));
  return [LUT[3 * i], LUT[3 * i + 1], LUT[3 * i + 2]];
}

/** "Judged fake" (D = 0), undecided (0.5) and "judged real" (1). */
export const FIELD_FAKE_RGB: Rgb = divergingColor(0);
export const FIELD_MID_RGB: Rgb = divergingColor(0.5);
export const FIELD_REAL_RGB: Rgb = divergingColor(1);
/** Non-finite D outputs: a neutral mid grey, darker than any colour of the map and without hue. */
export const FIELD_NAN_RGBA: Rgba = [128, 128, 128, 255];

export const cssRgb = ([r, g, b]: Rgb): string => `rgb(${r} ${g} ${b})`;

/**
 * Robust max |value| of an unbounded score: the 98th percentile of |finite values| (linear
 * interpolation), so one outlier does not wash out the picture. Falls back to the plain max when
 * the percentile is 0 but something is not; 0 when every finite value is 0 or none is finite.
 */
export function robustMaxAbs(field: ArrayLike<number>): number {
  const abs: number[] = [];
  for (let i = 0; i < field.length; i++) {
    const v = field[i];
    if (Number.isFinite(v)) abs.push(Math.abs(v));
  }
  if (abs.length === 0) return 0;
  abs.sort((p, q) => p - q);
  const q = 0.98 * (abs.length - 1);
  const lo = Math.floor(q);
  const hi = Math.min(abs.length - 1, lo + 1);
  const p98 = abs[lo] + (abs[hi] - abs[lo]) * (q - lo);
  return p98 > 0 ? p98 : abs[abs.length - 1];
}

/**
 * Where a value sits on the colour map, in [0, 1]: probabilities as they are (clamped), scores
 * symmetrically (0 → 0.5, ±scale → 1 / 0, clamped beyond). Non-finite → NaN (never 0).
 */
export function fieldValueToUnit(v: number, isProbability: boolean, scale: number): number {
  if (!Number.isFinite(v)) return NaN;
  if (isProbability) return Math.min(1, Math.max(0, v));
  if (!(scale > 0)) return 0.5;
  return 0.5 + 0.5 * Math.min(1, Math.max(-1, v / scale));
}

/**
 * D's output on a gridSize × gridSize grid as RGBA pixels for ImageData. The field's row 0 is at
 * yMin, the image's row 0 is its top: rows are flipped so yMax is at the top. Scores are scaled by
 * robustMaxAbs(field); non-finite cells get FIELD_NAN_RGBA.
 */
export function fieldToRgba(
  field: Float32Array,
  gridSize: number,
  isProbability: boolean,
): Uint8ClampedArray<ArrayBuffer> {
  const n = gridSize * gridSize;
  if (!Number.isInteger(gridSize) || gridSize < 1 || field.length < n) {
    throw new Error(`fieldToRgba: a ${gridSize} × ${gridSize} grid needs ${n} values (got ${field.length})`);
  }
  const scale = isProbability ? 1 : robustMaxAbs(field.subarray(0, n));
  const out = new Uint8ClampedArray(n * 4);
  for (let row = 0; row < gridSize; row++) {
    const src = (gridSize - 1 - row) * gridSize;
    for (let col = 0; col < gridSize; col++) {
      const t = fieldValueToUnit(field[src + col], isProbability, scale);
      const o = 4 * (row * gridSize + col);
      if (Number.isNaN(t)) {
        out.set(FIELD_NAN_RGBA, o);
      } else {
        const i = 3 * Math.round(t * (LUT_SIZE - 1));
        out[o] = LUT[i];
        out[o + 1] = LUT[i + 1];
        out[o + 2] = LUT[i + 2];
        out[o + 3] = 255;
      }
    }
  }
  return out;
}

export interface CanvasMapper {
  /** World x → canvas x (xMin → 0, xMax → width). */
  x(wx: number): number;
  /** World y → canvas y (yMax → 0 at the top, yMin → height): y points up in the world. */
  y(wy: number): number;
  /** Canvas pixels per world unit along x and y (both positive). */
  sx: number;
  sy: number;
}

export function worldToCanvas(extent: Extent, width: number, height: number): CanvasMapper {
  const [x0, x1, y0, y1] = extent;
  const sx = width / (x1 - x0);
  const sy = height / (y1 - y0);
  return { x: (wx) => (wx - x0) * sx, y: (wy) => (y1 - wy) * sy, sx, sy };
}

/**
 * Arrows of ∇ₓD from the first `count` generated points, in world coordinates, as a flat
 * [x0, y0, x1, y1, …] list. Lengths are normalized by the largest norm among the finite arrows, so
 * the longest one is `scale` world units long and the others keep their relative lengths. Arrows
 * or start points with a non-finite coordinate, and zero arrows, are left out.
 */
export function arrowSegments(samples: Float32Array, arrows: Float32Array, count: number, scale: number): Float32Array {
  const k = Math.max(0, Math.min(count, Math.floor(arrows.length / 2), Math.floor(samples.length / 2)));
  let maxNorm = 0;
  const ok = (i: number) =>
    Number.isFinite(arrows[2 * i]) &&
    Number.isFinite(arrows[2 * i + 1]) &&
    Number.isFinite(samples[2 * i]) &&
    Number.isFinite(samples[2 * i + 1]);
  for (let i = 0; i < k; i++) {
    if (!ok(i)) continue;
    const norm = Math.hypot(arrows[2 * i], arrows[2 * i + 1]);
    if (Number.isFinite(norm) && norm > maxNorm) maxNorm = norm;
  }
  if (!(maxNorm > 0)) return new Float32Array(0);
  const out: number[] = [];
  const f = scale / maxNorm;
  for (let i = 0; i < k; i++) {
    if (!ok(i)) continue;
    const gx = arrows[2 * i];
    const gy = arrows[2 * i + 1];
    if (gx === 0 && gy === 0) continue;
    const x = samples[2 * i];
    const y = samples[2 * i + 1];
    out.push(x, y, x + gx * f, y + gy * f);
  }
  return Float32Array.from(out);
}

/**
 * n points of the real distribution (anchor chosen uniformly plus isotropic noise of `std`), the
 * same for the same seed: for drawing the real data without the GPU. N × 2.
 */
export function realSamplePoints(anchors: Float32Array, std: number, n: number, seed: number): Float32Array {
  const count = Math.floor(anchors.length / 2);
  const out = new Float32Array(n * 2);
  if (count === 0) return out.fill(NaN);
  const rng = new Rng(seed);
  for (let i = 0; i < n; i++) {
    const a = Math.min(count - 1, Math.floor(rng.uniform() * count));
    out[2 * i] = anchors[2 * a] + std * rng.normal();
    out[2 * i + 1] = anchors[2 * a + 1] + std * rng.normal();
  }
  return out;
}

/**
 * Greyscale images in [−1, 1] (count × side × side, row-major) tiled `columns` wide as RGBA:
 * −1 → black, 1 → white, clamped; non-finite pixels are red, so a diverged G is never mistaken
 * for a black image. The first n images are used; the result is (columns·side) × (rows·side).
 */
export function imagesToRgba(
  images: Float32Array,
  side: number,
  n: number,
  columns: number,
): { rgba: Uint8ClampedArray<ArrayBuffer>; width: number; height: number } {
  const cols = Math.max(1, Math.min(columns, n));
  const rows = Math.ceil(n / cols);
  const width = cols * side;
  const height = rows * side;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let k = 0; k < n; k++) {
    const ox = (k % cols) * side;
    const oy = Math.floor(k / cols) * side;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const v = images[k * side * side + r * side + c];
        const o = 4 * ((oy + r) * width + ox + c);
        if (Number.isFinite(v)) {
          const g = Math.round(((Math.min(1, Math.max(-1, v)) + 1) / 2) * 255);
          rgba[o] = g;
          rgba[o + 1] = g;
          rgba[o + 2] = g;
        } else {
          rgba[o] = 255;
          rgba[o + 1] = 0;
          rgba[o + 2] = 0;
        }
        rgba[o + 3] = 255;
      }
    }
  }
  return { rgba, width, height };
}

/** What markers are traced into: CanvasRenderingContext2D and Path2D both fit. */
export interface PathSink {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
  arc(x: number, y: number, r: number, start: number, end: number): void;
}

export type MarkerShape = VariantStyle['marker'];

/** Outlines (crossRot, star) are stroked; the other markers are filled. */
export const markerIsStroked = (marker: MarkerShape): boolean => marker === 'crossRot' || marker === 'star';

/** Adds one marker of radius r centred at (x, y) to a path, as its own sub-path(s). */
export function traceMarker(path: PathSink, marker: MarkerShape, x: number, y: number, r: number): void {
  switch (marker) {
    case 'circle':
      path.moveTo(x + r, y);
      path.arc(x, y, r, 0, 2 * Math.PI);
      return;
    case 'rect': {
      const h = r * 0.9;
      polygon(path, [x - h, y - h, x + h, y - h, x + h, y + h, x - h, y + h]);
      return;
    }
    case 'triangle': {
      const h = r * 1.15;
      polygon(path, [x, y - h, x + h * 0.866, y + h * 0.5, x - h * 0.866, y + h * 0.5]);
      return;
    }
    case 'rectRot': {
      const h = r * 1.2;
      polygon(path, [x, y - h, x + h, y, x, y + h, x - h, y]);
      return;
    }
    case 'crossRot': {
      const h = r * 0.8;
      path.moveTo(x - h, y - h);
      path.lineTo(x + h, y + h);
      path.moveTo(x + h, y - h);
      path.lineTo(x - h, y + h);
      return;
    }
    case 'star': {
      const h = r * 0.8;
      path.moveTo(x - h, y - h);
      path.lineTo(x + h, y + h);
      path.moveTo(x + h, y - h);
      path.lineTo(x - h, y + h);
      path.moveTo(x - r, y);
      path.lineTo(x + r, y);
      path.moveTo(x, y - r);
      path.lineTo(x, y + r);
      return;
    }
  }
}

function polygon(path: PathSink, xy: number[]): void {
  path.moveTo(xy[0], xy[1]);
  for (let i = 2; i < xy.length; i += 2) path.lineTo(xy[i], xy[i + 1]);
  path.closePath();
}

/** The same marker as an SVG path's `d` (circles as two arcs). */
export function markerSvgPath(marker: MarkerShape, x: number, y: number, r: number): string {
  const parts: string[] = [];
  const f = (v: number) => String(Math.round(v * 100) / 100);
  traceMarker(
    {
      moveTo: (px, py) => parts.push(`M${f(px)} ${f(py)}`),
      lineTo: (px, py) => parts.push(`L${f(px)} ${f(py)}`),
      closePath: () => parts.push('Z'),
      arc: (cx, cy, rr) =>
        parts.push(`A${f(rr)} ${f(rr)} 0 1 0 ${f(cx - rr)} ${f(cy)}A${f(rr)} ${f(rr)} 0 1 0 ${f(cx + rr)} ${f(cy)}Z`),
    },
    marker,
    x,
    y,
    r,
  );
  return parts.join('');
}
