import { describe, expect, it } from 'vitest';
import type { VariantName } from '../../src/gan/config';
import type { StepMetrics } from '../../src/gan/trainer';
import type { LayerSpectrum } from '../../src/spectra/spectra';
import {
  countPoints,
  decimate,
  hasGaps,
  latestSpectrum,
  metricSeries,
  positiveOnly,
  rateSeries,
  spectraLayers,
  spectraViewSeries,
  spectrumIndexSeries,
  spectrumTimeSeries,
  type ChartPoint,
} from '../../src/ui/charts/series';
import { VARIANT_STYLES } from '../../src/ui/palette';
import type { MetricsHistory } from '../../src/ui/view-model';

function metrics(variant: VariantName, step: number, extra: Partial<StepMetrics> = {}): StepMetrics {
  return {
    step,
    variant,
    lossD: 1,
    lossG: 1,
    dReal: 0.5,
    dFake: 0.5,
    modesCovered: null,
    highQuality: null,
    sigma: [],
    gradNorm: 1,
    inceptionScore: null,
    fid: null,
    ...extra,
  };
}

function spectrum(over: Partial<LayerSpectrum> = {}): LayerSpectrum {
  return {
    name: 'fc',
    shape: [4, 3],
    singularValues: [2, 1, 0.5],
    singularValuesRaw: [4, 2, 1],
    normalizedSquared: [1, 0.25, 0.0625],
    sigmaEstimate: null,
    sigma1Raw: 4,
    sigma1: 2,
    sumSquares: 5.25,
    dOut: 4,
    stableRank: 1.3125,
    ...over,
  };
}

/** SN and WN with spectra of two layers at steps 100 and 200 (metrics without spectra in between). */
function spectraHistory(): MetricsHistory {
  const sn = (k: number): LayerSpectrum[] => [
    spectrum({ name: 'l1', shape: [8, 2], dOut: 8, sigmaEstimate: 3 + k, sigma1Raw: 3.1 + k, sigma1: 1 }),
    spectrum({ name: 'l2', shape: [1, 8], dOut: 1, sigmaEstimate: 5 + k, sigma1Raw: 5.2 + k, stableRank: 2 + k }),
  ];
  const wn = (k: number): LayerSpectrum[] => [
    spectrum({ name: 'l1', shape: [8, 2], dOut: 8, sumSquares: 8, sigma1: 2.5 + k }),
    spectrum({ name: 'l2', shape: [1, 8], dOut: 1, sumSquares: 1, normalizedSquared: [1, 0.01 * k] }),
  ];
  return new Map<VariantName, StepMetrics[]>([
    [
      'sn',
      [
        metrics('sn', 100, { spectra: sn(0) }),
        metrics('sn', 150),
        metrics('sn', 200, { spectra: sn(1) }),
        metrics('sn', 250),
      ],
    ],
    ['wn', [metrics('wn', 100, { spectra: wn(0) }), metrics('wn', 200, { spectra: wn(1) })]],
  ]);
}

describe('metricSeries', () => {
  it('turns NaN and ±Inf into gaps (null), never 0', () => {
    const history: MetricsHistory = new Map([
      [
        'sn',
        [
          metrics('sn', 1, { lossD: 0.7 }),
          metrics('sn', 2, { lossD: NaN }),
          metrics('sn', 3, { lossD: Infinity }),
          metrics('sn', 4, { lossD: -Infinity }),
          metrics('sn', 5, { lossD: 0 }),
        ],
      ],
    ]);
    const [s] = metricSeries(history, ['sn'], (m) => m.lossD);
    expect(s.points).toEqual([
      { x: 1, y: 0.7 },
      { x: 2, y: null },
      { x: 3, y: null },
      { x: 4, y: null },
      { x: 5, y: 0 },
    ]);
    expect(s.points.filter((p) => p.y === 0)).toHaveLength(1);
    expect(countPoints([s])).toBe(2);
    expect(hasGaps([s])).toBe(true);
  });

  it('gives one series per variant in order, in the variant style, empty without history', () => {
    const history: MetricsHistory = new Map([['wn', [metrics('wn', 10, { dFake: 0.2 })]]]);
    const series = metricSeries(history, ['sn', 'wn'], (m) => m.dFake, 'D(G(z))');
    expect(series.map((s) => s.key)).toEqual(['sn:D(G(z))', 'wn:D(G(z))']);
    expect(series.map((s) => s.label)).toEqual(['SN D(G(z))', 'WN D(G(z))']);
    expect(series[0].points).toEqual([]);
    expect(series[1].points).toEqual([{ x: 10, y: 0.2 }]);
    expect(series[1].color).toBe(VARIANT_STYLES.wn.color);
    expect(series[1].dash).toEqual(VARIANT_STYLES.wn.dash);
    expect(series.every((s) => !s.key.includes(','))).toBe(true);
    expect(hasGaps(series)).toBe(false);
  });

  it('keeps null pick results as gaps and caps long histories', () => {
    const entries = Array.from({ length: 5000 }, (_, i) => metrics('sn', i, { fid: i === 2500 ? 1e6 : 10 }));
    const [s] = metricSeries(new Map([['sn', entries]]), ['sn'], (m) => m.fid);
    expect(s.points.length).toBeLessThanOrEqual(1500);
    expect(Math.max(...s.points.map((p) => p.y ?? 0))).toBe(1e6);
    const [none] = metricSeries(new Map([['sn', entries]]), ['sn'], (m) => m.modesCovered);
    expect(countPoints([none])).toBe(0);
  });
});

describe('decimate', () => {
  const wave = (n: number): ChartPoint[] => Array.from({ length: n }, (_, i) => ({ x: i, y: Math.sin(i / 7) }));

  it('leaves short series alone', () => {
    const points = wave(100);
    expect(decimate(points, 1500)).toBe(points);
  });

  it('caps the length and keeps the first, the last and the extremes', () => {
    const points = wave(20_000);
    points[12_345] = { x: 12_345, y: 50 };
    points[777] = { x: 777, y: -50 };
    const out = decimate(points, 1500);
    expect(out.length).toBeLessThanOrEqual(1500);
    expect(out.length).toBeGreaterThan(1000);
    expect(out[0]).toBe(points[0]);
    expect(out[out.length - 1]).toBe(points[points.length - 1]);
    expect(out).toContain(points[12_345]);
    expect(out).toContain(points[777]);
    for (let i = 1; i < out.length; i++) expect(out[i].x).toBeGreaterThan(out[i - 1].x);
  });

  it('keeps gaps visible', () => {
    const points = wave(10_000);
    for (let i = 6000; i < 6003; i++) points[i] = { x: i, y: null };
    const out = decimate(points, 300);
    expect(out.length).toBeLessThanOrEqual(300);
    expect(out.some((p) => p.y === null)).toBe(true);
  });
});

describe('rates and log helpers', () => {
  it('gives steps/s and frames/s series over seconds of training', () => {
    const series = rateSeries([
      { seconds: 1, step: 10, stepsPerSecond: 100, framesPerSecond: 60 },
      { seconds: 2, step: 20, stepsPerSecond: NaN, framesPerSecond: 58 },
    ]);
    expect(series.map((s) => s.key)).toEqual(['steps-per-second', 'frames-per-second']);
    expect(series[0].points.map((p) => p.x)).toEqual([1, 2]);
    expect(series[0].points[1].y).toBeNull();
    expect(series[1].points.map((p) => p.y)).toEqual([60, 58]);
  });

  it('positiveOnly drops points a log axis cannot place but keeps gaps', () => {
    const [s] = positiveOnly([
      {
        key: 'sn',
        label: 'SN',
        color: '#000',
        dash: [],
        points: [
          { x: 1, y: 0 },
          { x: 2, y: null },
          { x: 3, y: 2 },
        ],
      },
    ]);
    expect(s.points).toEqual([
      { x: 2, y: null },
      { x: 3, y: 2 },
    ]);
  });
});

describe('spectra series', () => {
  it('finds the latest spectrum and the layers', () => {
    const history = spectraHistory();
    expect(latestSpectrum(history, 'sn')?.step).toBe(200);
    expect(latestSpectrum(history, 'none')).toBeNull();
    expect(latestSpectrum(new Map([['sn', [metrics('sn', 5)]]]), 'sn')).toBeNull();
    const layers = spectraLayers(history, ['none', 'sn']);
    expect(layers.map((l) => l.label)).toEqual(['layer 1 · 8×2', 'layer 2 · 1×8']);
    expect(layers.map((l) => l.name)).toEqual(['l1', 'l2']);
  });

  it('(a) and (b) plot the latest spectrum over index 1..n', () => {
    const history = spectraHistory();
    const a = spectrumIndexSeries(history, ['sn', 'wn'], 'a', 1);
    expect(a.map((s) => s.key)).toEqual(['sn', 'wn']);
    expect(a[1].points).toEqual([
      { x: 1, y: 1 },
      { x: 2, y: 0.01 },
    ]);
    expect(a[0].label).toContain('200');
    const b = spectrumIndexSeries(
      new Map([['sn', [metrics('sn', 1, { spectra: [spectrum({ singularValues: [3, NaN, 0] })] })]]]),
      ['sn'],
      'b',
      0,
    );
    expect(b[0].points).toEqual([
      { x: 1, y: 3 },
      { x: 2, y: null },
    ]);
  });

  it('(c) gives an estimate and an exact series for SN and none for WN', () => {
    const c = spectrumTimeSeries(spectraHistory(), ['sn', 'wn'], 'c', 1);
    expect(c.map((s) => s.key)).toEqual(['sn:estimate', 'sn:exact']);
    expect(c.map((s) => s.label)).toEqual(['SN σ̃', 'SN σ₁(W) exact']);
    expect(c[0].points).toEqual([
      { x: 100, y: 5 },
      { x: 200, y: 6 },
    ]);
    expect(c[1].points).toEqual([
      { x: 100, y: 5.2 },
      { x: 200, y: 6.2 },
    ]);
    expect(c[1].dash).not.toEqual(c[0].dash);
  });

  it('(d) σ₁(W̄) and (f) stable rank over the spectrum steps', () => {
    const history = spectraHistory();
    const d = spectraViewSeries(history, ['sn', 'wn'], 'd', 0);
    expect(d.map((s) => s.points.map((p) => p.y))).toEqual([
      [1, 1],
      [2.5, 3.5],
    ]);
    const f = spectraViewSeries(history, ['sn'], 'f', 1);
    expect(f[0].points).toEqual([
      { x: 100, y: 2 },
      { x: 200, y: 3 },
    ]);
  });

  it('(e) adds a black dashed d_out reference line at dOut', () => {
    const e = spectrumTimeSeries(spectraHistory(), ['sn', 'wn'], 'e', 0);
    expect(e.map((s) => s.key)).toEqual(['sn', 'wn', 'd_out']);
    const ref = e[2];
    expect(ref.label).toBe('d_out');
    expect(ref.color).toBe('#000000');
    expect(ref.dash.length).toBeGreaterThan(0);
    expect(ref.points.map((p) => p.y)).toEqual([8, 8]);
    expect(ref.points.map((p) => p.x)).toEqual([100, 200]);
    expect(e[1].points.map((p) => p.y)).toEqual([8, 8]);
  });

  it('gives empty output for a layer index out of range or without spectra', () => {
    const history = spectraHistory();
    for (const view of ['a', 'b', 'c', 'd', 'e', 'f'] as const) {
      expect(spectraViewSeries(history, ['sn', 'wn'], view, 5)).toEqual([]);
      expect(spectraViewSeries(history, ['sn', 'wn'], view, -1)).toEqual([]);
      expect(spectraViewSeries(new Map(), ['sn'], view, 0)).toEqual([]);
    }
  });

  it('turns non-finite spectrum numbers into gaps', () => {
    const history: MetricsHistory = new Map([
      [
        'none',
        [
          metrics('none', 1, { spectra: [spectrum({ sigma1: 3 })] }),
          metrics('none', 2, { spectra: [spectrum({ sigma1: NaN, stableRank: Infinity })] }),
        ],
      ],
    ]);
    expect(spectraViewSeries(history, ['none'], 'd', 0)[0].points.map((p) => p.y)).toEqual([3, null]);
    expect(spectraViewSeries(history, ['none'], 'f', 0)[0].points[1].y).toBeNull();
  });
});

describe('values not measured at a step', () => {
  it('leaves them out instead of drawing a gap (only NaN/∞ are gaps)', () => {
    const m = (step: number, score: number | null) =>
      ({ step, variant: 'sn', inceptionScore: score }) as unknown as StepMetrics;
    const history: MetricsHistory = new Map([['sn', [m(1, 2), m(2, null), m(3, NaN), m(4, 3)]]]);
    const [s] = metricSeries(history, ['sn'], (x) => x.inceptionScore);
    expect(s.points).toEqual([
      { x: 1, y: 2 },
      { x: 3, y: null },
      { x: 4, y: 3 },
    ]);
  });
});
