/**
 * Hand-drawn 2-D data ("Draw your own"): the drawn points are the anchors of the data set, each
 * the centre of a small Gaussian as the mixtures' modes are, so the one anchor-sampling kernel
 * (and its CPU twin) trains on them unchanged. This file holds the points' limits, their compact
 * text form for links (`pts=`) and the shapes a keyboard user can add. No DOM here.
 *
 * Encoding: every coordinate is quantized to DRAW_QUANTUM inside ±DRAW_LIMIT (0…500, fits 16
 * bits); the points become a string of UTF-16 code units — a version tag, then per point its
 * zig-zag delta from the previous point (strokes move in small steps, which compress well) — and
 * lz-string's compressToEncodedURIComponent makes it URL-safe. Its `+` and `$` are written `_`
 * and `.`, which a query string keeps as they are (a `+` would read back as a space).
 */
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from 'lz-string';

/** Most points a drawing holds (and a link carries). */
export const MAX_DRAWN_POINTS = 500;
/** Points lie in [−DRAW_LIMIT, DRAW_LIMIT]²; the view frames them with DRAWN_EXTENT. */
export const DRAW_LIMIT = 2.5;
export const DRAWN_EXTENT: [number, number, number, number] = [-3, 3, -3, 3];
/** Coordinates are multiples of this (1/500 of the drawing's width). */
export const DRAW_QUANTUM = 0.01;
/** Noise around each drawn point: the grid of 25's and the moons' std. */
export const DRAWN_STD = 0.05;
/** Longest `pts=` value read (a drawing of MAX_DRAWN_POINTS encodes to far less). */
const MAX_ENCODED_LENGTH = 6000;
const VERSION = 'D1';
const LEVELS = Math.round((2 * DRAW_LIMIT) / DRAW_QUANTUM);

const toLevel = (v: number): number => Math.round((v + DRAW_LIMIT) / DRAW_QUANTUM);
const fromLevel = (q: number): number => Math.round(q - LEVELS / 2) / Math.round(1 / DRAW_QUANTUM);

/** A coordinate on the drawing's grid (clamped into ±DRAW_LIMIT). */
export function quantize(v: number): number {
  return fromLevel(Math.min(LEVELS, Math.max(0, toLevel(v))));
}

const zigzag = (d: number): number => (d >= 0 ? 2 * d : -2 * d - 1);
const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

/** The points (flat x0, y0, x1, y1, …; already quantized) as a `pts=` value. */
export function encodePoints(points: readonly number[]): string {
  let text = VERSION;
  let [px, py] = [0, 0];
  for (let i = 0; i + 1 < points.length; i += 2) {
    const [qx, qy] = [toLevel(points[i]), toLevel(points[i + 1])];
    text += String.fromCharCode(zigzag(qx - px), zigzag(qy - py));
    [px, py] = [qx, qy];
  }
  return compressToEncodedURIComponent(text).replaceAll('+', '_').replaceAll('$', '.');
}

/** A `pts=` value back to points, or why it is not a drawing. Repeated points are kept once. */
export function decodePoints(raw: string): { value: number[] } | { error: string } {
  if (raw.length > MAX_ENCODED_LENGTH) return { error: `is too long for a drawing (${raw.length} characters)` };
  // `_`/`.` as written; a space is a `+` that a query string turned into one.
  const lz = raw.replaceAll('_', '+').replaceAll('.', '$').replaceAll(' ', '+');
  let text: string | null;
  try {
    text = lz === '' ? null : decompressFromEncodedURIComponent(lz);
  } catch {
    text = null;
  }
  if (!text || !text.startsWith(VERSION)) return { error: 'is not a drawing in this page’s encoding' };
  const body = text.slice(VERSION.length);
  if (body.length % 2 !== 0) return { error: 'is a damaged drawing (a point without its y)' };
  const count = body.length / 2;
  if (count === 0) return { error: 'holds no points' };
  if (count > MAX_DRAWN_POINTS) return { error: `holds ${count} points (at most ${MAX_DRAWN_POINTS})` };
  const points: number[] = [];
  const seen = new Set<number>();
  let [qx, qy] = [0, 0];
  for (let i = 0; i < body.length; i += 2) {
    qx += unzigzag(body.charCodeAt(i));
    qy += unzigzag(body.charCodeAt(i + 1));
    if (qx < 0 || qx > LEVELS || qy < 0 || qy > LEVELS)
      return { error: `is a damaged drawing (point ${i / 2 + 1} lies outside ±${DRAW_LIMIT})` };
    const key = qx * (LEVELS + 1) + qy;
    if (seen.has(key)) continue;
    seen.add(key);
    points.push(fromLevel(qx), fromLevel(qy));
  }
  return { value: points };
}

/** Why a value is not a drawing the page can train on (from a record, not a link), or null. */
export function drawnPointsProblem(value: unknown): string | null {
  if (!Array.isArray(value) || value.length % 2 !== 0) return 'must be a list of x, y pairs';
  if (value.length === 0) return 'holds no points';
  if (value.length / 2 > MAX_DRAWN_POINTS) return `holds ${value.length / 2} points (at most ${MAX_DRAWN_POINTS})`;
  const keys = new Set<string>();
  for (let i = 0; i < value.length; i += 2) {
    const [x, y] = [value[i] as unknown, value[i + 1] as unknown];
    if (typeof x !== 'number' || typeof y !== 'number' || quantize(x) !== x || quantize(y) !== y)
      return `point ${i / 2 + 1} must lie on the ${DRAW_QUANTUM} grid within ±${DRAW_LIMIT}`;
    keys.add(`${x},${y}`);
  }
  return keys.size === value.length / 2 ? null : 'lists a point twice';
}

export type DrawnShape = 'heart' | 'circle' | 'dots' | 'line';
export const DRAWN_SHAPES: readonly { id: DrawnShape; title: string }[] = [
  { id: 'heart', title: 'Heart' },
  { id: 'circle', title: 'Circle' },
  { id: 'dots', title: 'Nine dots' },
  { id: 'line', title: 'Line' },
];

/** A shape as quantized points, spaced like a brush stroke (for keyboards, and the starter drawing). */
export function shapePoints(shape: DrawnShape): number[] {
  const out: number[] = [];
  const push = (x: number, y: number) => out.push(quantize(x), quantize(y));
  if (shape === 'dots') {
    for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) push(1.5 * i, 1.5 * j);
  } else if (shape === 'line') {
    for (let i = 0; i <= 30; i++) push(-1.5 + 0.1 * i, -1.5 + 0.1 * i);
  } else if (shape === 'circle') {
    for (let i = 0; i < 60; i++) push(1.2 * Math.cos((2 * Math.PI * i) / 60), 1.2 * Math.sin((2 * Math.PI * i) / 60));
  } else {
    // The classic heart curve, scaled to about ±1.6.
    for (let i = 0; i < 64; i++) {
      const t = (2 * Math.PI * i) / 64;
      const x = 16 * Math.sin(t) ** 3;
      const y = 13 * Math.cos(t) - 5 * Math.cos(2 * t) - 2 * Math.cos(3 * t) - Math.cos(4 * t);
      push(x / 10, y / 10 + 0.3);
    }
  }
  return uniquePoints(out);
}

/** Points with exact repeats dropped (a repeated anchor would be a mode nothing can cover). */
export function uniquePoints(points: readonly number[]): number[] {
  const out: number[] = [];
  const seen = new Set<string>();
  for (let i = 0; i + 1 < points.length; i += 2) {
    const key = `${points[i]},${points[i + 1]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(points[i], points[i + 1]);
  }
  return out;
}

/** The drawing a page starts from before anything is drawn. */
export const STARTER_POINTS: readonly number[] = shapePoints('heart');

/** Distance between the points a brush stroke lays down (two noise stds: a stroke reads as one line). */
export const BRUSH_SPACING = 0.1;
/** The eraser removes points within this distance of the pointer. */
export const ERASER_RADIUS = 0.25;

const near = (points: readonly number[], x: number, y: number, r: number): boolean => {
  for (let i = 0; i < points.length; i += 2) if (Math.hypot(points[i] - x, points[i + 1] - y) < r) return true;
  return false;
};

/**
 * Extends a brush stroke from `from` (where it last laid a point; null at its start) to `to`:
 * points every BRUSH_SPACING along the way, quantized, inside the drawing's square and not on top
 * of an existing point (going over a line again adds nothing), until MAX_DRAWN_POINTS.
 * Returns the points (the same array, grown), where the stroke now stands, and whether the cap stopped it.
 */
export function brushTo(
  points: number[],
  from: readonly [number, number] | null,
  to: readonly [number, number],
): { at: [number, number]; capped: boolean } {
  const targets: [number, number][] = [];
  if (from === null) targets.push([to[0], to[1]]);
  else {
    const steps = Math.floor(Math.hypot(to[0] - from[0], to[1] - from[1]) / BRUSH_SPACING);
    for (let s = 1; s <= steps; s++) {
      const t = (s * BRUSH_SPACING) / Math.hypot(to[0] - from[0], to[1] - from[1]);
      targets.push([from[0] + t * (to[0] - from[0]), from[1] + t * (to[1] - from[1])]);
    }
  }
  let at: [number, number] = from ? [from[0], from[1]] : [to[0], to[1]];
  for (const [x, y] of targets) {
    at = [x, y];
    if (Math.abs(x) > DRAW_LIMIT || Math.abs(y) > DRAW_LIMIT) continue;
    const [qx, qy] = [quantize(x), quantize(y)];
    if (near(points, qx, qy, BRUSH_SPACING / 2)) continue;
    if (points.length / 2 >= MAX_DRAWN_POINTS) return { at, capped: true };
    points.push(qx, qy);
  }
  return { at, capped: false };
}

/** The points farther than ERASER_RADIUS from (x, y). */
export function eraseAt(points: readonly number[], x: number, y: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < points.length; i += 2)
    if (Math.hypot(points[i] - x, points[i + 1] - y) > ERASER_RADIUS) out.push(points[i], points[i + 1]);
  return out;
}

/** `extra` appended to `points` up to the cap (repeats dropped); whether some did not fit. */
export function addPoints(points: readonly number[], extra: readonly number[]): { points: number[]; capped: boolean } {
  const all = uniquePoints([...points, ...extra]);
  const capped = all.length > 2 * MAX_DRAWN_POINTS;
  return { points: all.slice(0, 2 * MAX_DRAWN_POINTS), capped };
}
