import { describe, expect, it } from 'vitest';
import { dataset2d } from '../../src/data/mixtures';
import {
  FIELD_FAKE_RGB,
  FIELD_MID_RGB,
  FIELD_NAN_RGBA,
  FIELD_REAL_RGB,
  arrowSegments,
  divergingColor,
  fieldToRgba,
  imagesToRgba,
  markerSvgPath,
  realSamplePoints,
  robustMaxAbs,
  worldToCanvas,
  type Extent,
} from '../../src/ui/visuals/field-render';

const pixel = (rgba: Uint8ClampedArray, i: number) => Array.from(rgba.slice(4 * i, 4 * i + 4));
const rgba = (rgb: number[]) => [...rgb, 255];

describe('diverging colour map', () => {
  it('has three distinct anchors: light purple-ish fake, near-white middle, green-ish real', () => {
    const [fr, fg, fb] = FIELD_FAKE_RGB;
    const [rr, rg, rb] = FIELD_REAL_RGB;
    expect(fb).toBeGreaterThan(fg); // blue/purple for fake
    expect(fr).toBeGreaterThan(fg);
    expect(rg).toBeGreaterThan(rr); // green for real
    expect(rg).toBeGreaterThan(rb);
    expect(Math.min(...FIELD_MID_RGB)).toBeGreaterThan(240);
    // Light ends keep points visible.
    for (const c of [FIELD_FAKE_RGB, FIELD_REAL_RGB]) expect(c.reduce((s, v) => s + v, 0) / 3).toBeGreaterThan(150);
    expect(FIELD_NAN_RGBA.slice(0, 3)).not.toEqual(FIELD_FAKE_RGB);
    expect(FIELD_NAN_RGBA.slice(0, 3)).not.toEqual(FIELD_MID_RGB);
  });

  it('maps probabilities 0, 0.5 and 1 to the three anchor colours (clamping outside)', () => {
    const out = fieldToRgba(Float32Array.from([0, 0.5, 1, -3, 7, 0.5, 0.5, 0.5, 0.5]), 3, true);
    // Rows are flipped: field row 0 (values 0, 0.5, 1) is the image's bottom row (pixels 6–8).
    expect(pixel(out, 6)).toEqual(rgba(FIELD_FAKE_RGB));
    expect(pixel(out, 7)).toEqual(rgba(FIELD_MID_RGB));
    expect(pixel(out, 8)).toEqual(rgba(FIELD_REAL_RGB));
    expect(pixel(out, 3)).toEqual(rgba(FIELD_FAKE_RGB));
    expect(pixel(out, 4)).toEqual(rgba(FIELD_REAL_RGB));
  });

  it('flips rows: a field increasing with y is "real" at the top of the image', () => {
    const g = 4;
    const field = new Float32Array(g * g);
    for (let r = 0; r < g; r++) for (let c = 0; c < g; c++) field[r * g + c] = r / (g - 1);
    const out = fieldToRgba(field, g, true);
    for (let c = 0; c < g; c++) {
      expect(pixel(out, c)).toEqual(rgba(FIELD_REAL_RGB));
      expect(pixel(out, (g - 1) * g + c)).toEqual(rgba(FIELD_FAKE_RGB));
    }
  });

  it('draws NaN and ±∞ in the NaN colour, never as 0', () => {
    const out = fieldToRgba(Float32Array.from([NaN, 0, Infinity, 0]), 2, true);
    expect(pixel(out, 2)).toEqual([...FIELD_NAN_RGBA]);
    expect(pixel(out, 2)).not.toEqual(pixel(out, 3)); // the 0 next to it
    expect(pixel(out, 0)).toEqual([...FIELD_NAN_RGBA]);
    const scores = fieldToRgba(Float32Array.from([NaN, 0, 1, -1]), 2, false);
    expect(pixel(scores, 2)).toEqual([...FIELD_NAN_RGBA]);
    expect(pixel(scores, 2)).not.toEqual(pixel(scores, 3));
    expect(pixel(scores, 3)).toEqual(rgba(FIELD_MID_RGB));
  });

  it('scales unbounded scores symmetrically by the 98th percentile of |value|', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i - 50) / 10); // −5 … 4.9
    values[99] = 1e6; // one outlier must not wash out the picture
    const field = Float32Array.from(values);
    const m = robustMaxAbs(field);
    expect(m).toBeGreaterThan(4.5);
    expect(m).toBeLessThan(5.1);
    const sym = fieldToRgba(Float32Array.from([-2, 2, 0, 0, -m, m, 0, 0, 0]), 3, false);
    const scale = robustMaxAbs(Float32Array.from([-2, 2, 0, 0, -m, m, 0, 0, 0]));
    const t = 0.5 + (0.5 * 2) / scale;
    // Bottom row (field row 0): −2, 2, 0.
    expect(pixel(sym, 6)).toEqual(rgba(divergingColor(1 - t)));
    expect(pixel(sym, 7)).toEqual(rgba(divergingColor(t)));
    expect(pixel(sym, 8)).toEqual(rgba(FIELD_MID_RGB));
    const allZero = fieldToRgba(new Float32Array(4), 2, false);
    for (let i = 0; i < 4; i++) expect(pixel(allZero, i)).toEqual(rgba(FIELD_MID_RGB));
    const big = fieldToRgba(Float32Array.from([-1e6, 1e6, -1, 1]), 2, false);
    expect(pixel(big, 2)).toEqual(rgba(FIELD_FAKE_RGB));
    expect(pixel(big, 3)).toEqual(rgba(FIELD_REAL_RGB));
  });

  it('refuses a field that is too short for its grid', () => {
    expect(() => fieldToRgba(new Float32Array(3), 2, true)).toThrow(/needs 4 values/);
  });
});

describe('geometry', () => {
  it('maps the extent corners to the canvas corners with y up', () => {
    const extent: Extent = [-3, 5, -2, 6];
    const m = worldToCanvas(extent, 400, 200);
    expect([m.x(-3), m.y(6)]).toEqual([0, 0]);
    expect([m.x(5), m.y(-2)]).toEqual([400, 200]);
    expect([m.x(-3), m.y(-2)]).toEqual([0, 200]);
    expect([m.x(1), m.y(2)]).toEqual([200, 100]);
    expect(m.sx).toBe(50);
    expect(m.sy).toBe(25);
  });

  it('skips non-finite arrows and caps the longest at the given length', () => {
    const samples = Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3, NaN, 0, 5, 5]);
    const arrows = Float32Array.from([3, 4, NaN, 1, 1e30 * 1e30, 0, 0.6, 0.8, 100, 100, 0, 0]);
    const seg = arrowSegments(samples, arrows, 6, 0.5);
    // Kept: 0 (norm 5) and 3 (norm 1); dropped: NaN arrow, ∞ arrow, NaN start, zero arrow.
    expect(seg.length).toBe(8);
    expect(Array.from(seg.slice(0, 2))).toEqual([0, 0]);
    expect(seg[2]).toBeCloseTo(0.3);
    expect(seg[3]).toBeCloseTo(0.4);
    expect(Math.hypot(seg[6] - seg[4], seg[7] - seg[5])).toBeCloseTo(0.1);
    expect(arrowSegments(samples, arrows, 1, 0.5).length).toBe(4);
    expect(arrowSegments(samples, Float32Array.from([NaN, NaN]), 1, 0.5).length).toBe(0);
  });
});

describe('real data points', () => {
  it('are deterministic per seed and lie near the anchors', () => {
    const ring = dataset2d('ring8');
    const a = realSamplePoints(ring.anchors, ring.std, 500, 7);
    const b = realSamplePoints(ring.anchors, ring.std, 500, 7);
    const c = realSamplePoints(ring.anchors, ring.std, 500, 8);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const hits = new Set<number>();
    for (let i = 0; i < 500; i++) {
      let best = Infinity;
      let which = -1;
      for (let k = 0; k < 8; k++) {
        const d = Math.hypot(a[2 * i] - ring.anchors[2 * k], a[2 * i + 1] - ring.anchors[2 * k + 1]);
        if (d < best) [best, which] = [d, k];
      }
      expect(best).toBeLessThan(5 * ring.std);
      hits.add(which);
    }
    expect(hits.size).toBe(8);
  });
});

describe('image tiles', () => {
  it('maps [−1, 1] to black…white, clamps, and paints non-finite pixels red', () => {
    const images = Float32Array.from([-1, 0, 1, 5, NaN, -Infinity, 0.5, -0.5]);
    const { rgba: out, width, height } = imagesToRgba(images, 2, 2, 8);
    expect([width, height]).toEqual([4, 2]);
    // Image 0 occupies columns 0–1, image 1 columns 2–3.
    expect(pixel(out, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(out, 1)).toEqual([128, 128, 128, 255]);
    expect(pixel(out, 4)).toEqual([255, 255, 255, 255]);
    expect(pixel(out, 5)).toEqual([255, 255, 255, 255]);
    expect(pixel(out, 2)).toEqual([255, 0, 0, 255]);
    expect(pixel(out, 3)).toEqual([255, 0, 0, 255]);
  });
});

describe('markers', () => {
  it('have SVG paths for every variant marker', () => {
    for (const m of ['circle', 'rect', 'triangle', 'rectRot', 'crossRot', 'star'] as const) {
      expect(markerSvgPath(m, 14, 6, 3.5)).toMatch(/^M[\d.]+ [\d.]+/);
    }
  });
});
