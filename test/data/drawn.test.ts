// The hand-drawn data set's link encoding (pts=): round trips, refuses damaged and foreign text
// with a reason, caps the number of points, and a refused drawing falls back to the default data.
import { compressToEncodedURIComponent } from 'lz-string';
import { describe, expect, it } from 'vitest';
import {
  addPoints,
  brushTo,
  BRUSH_SPACING,
  decodePoints,
  eraseAt,
  DRAW_LIMIT,
  drawnPointsProblem,
  encodePoints,
  MAX_DRAWN_POINTS,
  quantize,
  shapePoints,
  STARTER_POINTS,
} from '../../src/data/drawn';
import { dataset2dOf } from '../../src/data/mixtures';
import { toTrainerConfig } from '../../src/settings/trainer-config';
import { parseQuery } from '../../src/settings/page-record';
import { pageDefaults } from '../../src/settings/schema';
import { serializeSettings } from '../../src/ui/state/url-state';
import { defaultConfig, validateConfig } from '../../src/gan/config';
import { parseRecordedRun } from '../../src/recording/recorded-run';

/** `n` distinct quantized points along a spiral stroke (spacing ~0.1, like the brush). */
function stroke(n: number): number[] {
  const out: number[] = [];
  for (let i = 0; out.length < 2 * n; i++) {
    const t = 0.05 * i;
    const x = quantize(((0.2 + 0.1 * t) * Math.cos(t)) % DRAW_LIMIT);
    const y = quantize(((0.2 + 0.1 * t) * Math.sin(t)) % DRAW_LIMIT);
    if (!out.some((v, j) => j % 2 === 0 && v === x && out[j + 1] === y)) out.push(x, y);
  }
  return out;
}

const decoded = (raw: string) => {
  const r = decodePoints(raw);
  if ('error' in r) throw new Error(r.error);
  return r.value;
};

describe('drawn points in a link', () => {
  it('round-trips every point exactly, with only URL-safe characters, compactly', () => {
    for (const points of [[0, 0], [-2.5, 2.5, 2.5, -2.5, 0.01, -0.01], [...STARTER_POINTS], stroke(MAX_DRAWN_POINTS)]) {
      const text = encodePoints(points);
      expect(text).toMatch(/^[A-Za-z0-9_.-]+$/);
      expect(decoded(text)).toEqual(points);
      expect(drawnPointsProblem(points)).toBeNull();
    }
    // 500 points of strokes: well under 2 kB of link.
    expect(encodePoints(stroke(MAX_DRAWN_POINTS)).length).toBeLessThan(2000);
  });

  it('reads a value whose + became a space or was written as such', () => {
    const text = encodePoints(stroke(200));
    expect(decoded(text.replaceAll('_', ' '))).toEqual(stroke(200));
    expect(decoded(text.replaceAll('_', '+').replaceAll('.', '$'))).toEqual(stroke(200));
  });

  it('refuses damaged, foreign, empty, too-long and over-cap values with a reason', () => {
    const reason = (raw: string) => {
      const r = decodePoints(raw);
      return 'error' in r ? r.error : null;
    };
    const good = encodePoints(stroke(50));
    expect(reason('')).toMatch(/not a drawing/);
    expect(reason('hello')).toMatch(/not a drawing/);
    expect(reason('!!!')).toMatch(/not a drawing/);
    // A link cut short: lz-string gives nothing back (a cut that decoded to a shorter drawing could not be told apart).
    expect(reason(good.slice(0, 10))).not.toBeNull();
    expect(reason(compressToEncodedURIComponent('some other text'))).toMatch(/not a drawing/);
    expect(reason(compressToEncodedURIComponent('D1'))).toMatch(/no points/);
    expect(reason(compressToEncodedURIComponent('D1\u0002'))).toMatch(/without its y/);
    expect(reason(compressToEncodedURIComponent('D1\u2000\u0000'))).toMatch(/outside/);
    expect(reason('A'.repeat(7000))).toMatch(/too long/);
    const over = `D1${'\u0002\u0000'.repeat(MAX_DRAWN_POINTS + 1)}`;
    expect(reason(compressToEncodedURIComponent(over))).toMatch(/at most 500/);
    expect(drawnPointsProblem(stroke(MAX_DRAWN_POINTS + 1))).toMatch(/at most 500/);
    expect(drawnPointsProblem([0.123, 0])).toMatch(/grid/);
    expect(drawnPointsProblem([3, 0])).toMatch(/grid/);
    expect(drawnPointsProblem([1, 1, 1, 1])).toMatch(/twice/);
    expect(drawnPointsProblem([])).toMatch(/no points/);
  });

  it('keeps a repeated point once (it would be a mode nothing can cover)', () => {
    expect(decoded(encodePoints([1, 1, 0.5, 0.5, 1, 1]))).toEqual([1, 1, 0.5, 0.5]);
    for (const shape of ['heart', 'circle', 'dots', 'line'] as const)
      expect(drawnPointsProblem(shapePoints(shape))).toBeNull();
  });
});

describe('data=drawn in the settings', () => {
  it('a link carries the drawing and reads it back without a notice', () => {
    const points = stroke(120);
    const query = serializeSettings({ ...pageDefaults(), data: 'drawn', points });
    expect(query).toContain('data=drawn');
    expect(query).toContain(`pts=${encodePoints(points)}`);
    const { settings, notices } = parseQuery(query);
    expect(notices).toEqual([]);
    expect(settings.data).toBe('drawn');
    expect(settings.points).toEqual(points);
    // Other data leave the untouched starter drawing out of their links.
    expect(serializeSettings(pageDefaults())).not.toContain('pts=');
  });

  it('a malformed pts= gives a notice naming the key and why, and the default data', () => {
    const { settings, notices } = parseQuery('data=drawn&pts=not-a-drawing&seed=3');
    expect(settings.data).toBe('ring8');
    expect(settings.seed).toBe(3);
    expect(notices).toHaveLength(1);
    expect(notices[0].key).toBe('pts');
    expect(notices[0].message).toBe(
      'pts=not-a-drawing is not a drawing in this page’s encoding; using the default data (ring8).',
    );
    // Without data=drawn the drawing is refused alone.
    const other = parseQuery('data=grid25&pts=xyz');
    expect(other.settings.data).toBe('grid25');
    expect(other.notices[0].message).toContain('using the starter drawing');
  });

  it('the trainer samples the drawn points: every point an anchor and a mode, std as the grid’s', () => {
    const points = stroke(40);
    const config = toTrainerConfig({ ...pageDefaults(), data: 'drawn', points }, 2500);
    expect(() => validateConfig(config)).not.toThrow();
    const d = dataset2dOf(config.data, config.points)!;
    expect(Array.from(d.anchors)).toEqual(Array.from(Float32Array.from(points)));
    expect(d.modes).toBe(d.anchors);
    expect(d.std).toBe(0.05);
    expect(() => validateConfig({ ...config, points: undefined })).toThrow(/pts/);
  });
});

describe('the brush and the eraser', () => {
  it('a stroke lays a point every BRUSH_SPACING, none on top of another, none outside, up to the cap', () => {
    const points: number[] = [];
    let at = brushTo(points, null, [-1, 0]).at;
    at = brushTo(points, at, [-0.5, 0]).at;
    brushTo(points, at, [1, 0]);
    expect(points.length / 2).toBe(21);
    for (let i = 2; i < points.length; i += 2) expect(points[i] - points[i - 2]).toBeCloseTo(BRUSH_SPACING, 5);
    // Going over the same line again adds nothing; a stroke outside the square adds nothing.
    brushTo(points, [-1, 0], [1, 0]);
    expect(points.length / 2).toBe(21);
    brushTo(points, [2.6, 0], [2.9, 0]);
    expect(points.length / 2).toBe(21);
    const full = stroke(MAX_DRAWN_POINTS);
    expect(brushTo(full, null, [2.4, -2.4]).capped).toBe(true);
    expect(full.length / 2).toBe(MAX_DRAWN_POINTS);
    expect(addPoints(full, shapePoints('dots')).capped).toBe(true);
  });

  it('the eraser removes the points near it and keeps the others', () => {
    const points = shapePoints('line');
    const left = eraseAt(points, 0, 0);
    expect(left.length).toBeLessThan(points.length);
    for (let i = 0; i < left.length; i += 2) expect(Math.hypot(left[i], left[i + 1])).toBeGreaterThan(0.25);
  });

  it('a run file of a drawn run must carry its points', () => {
    const config = defaultConfig({ data: 'drawn', points: shapePoints('dots') });
    const doc = { config, metrics: [], samples: {} };
    const bad = { ...doc, config: { ...config, points: 'oops' } };
    expect(() => parseRecordedRun(bad)).toThrow(/config.points \(data drawn\)/);
    expect(() => parseRecordedRun({ ...doc, config: { ...config, points: undefined } })).toThrow(/config.points/);
  });
});
