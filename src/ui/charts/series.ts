/**
 * Chart series from the metrics history, as plain data (no DOM, no chart.js): one series per variant
 * (or two, where a chart compares two numbers of the same variant), in the variant's colour and dash.
 * Non-finite numbers (a diverged variant's NaN/±Inf) become y: null, which the charts draw as a gap,
 * never as 0. Long series are thinned to about MAX_POINTS, keeping every bucket's extremes.
 */
import type { VariantName } from '../../gan/config';
import type { StepMetrics } from '../../gan/trainer';
import type { LayerSpectrum } from '../../spectra/spectra';
import { VARIANT_STYLES } from '../palette';
import type { MetricsHistory, RatePoint } from '../view-model';

export interface ChartPoint {
  x: number;
  y: number | null;
}

export interface ChartSeries {
  /** Stable identity of the series (no commas): the chart keeps its dataset while the key stays. */
  key: string;
  label: string;
  color: string;
  /** Canvas line dash: [] is solid. */
  dash: number[];
  points: ChartPoint[];
  /** Line width in px (the chart's default when absent). */
  width?: number;
  /** Draw markers at the points whatever their number (reference lines: false). */
  showPoints?: boolean;
  /** false: left out of the legend (a variant's second line, explained by the chart's title). */
  legend?: boolean;
}

/** At most this many points per series reach a chart. */
export const MAX_POINTS = 1500;

/** Short variant names for legends ("SN D(x)"). */
export const VARIANT_SHORT: Record<VariantName, string> = {
  sn: 'SN',
  wn: 'WN',
  none: 'No norm',
  clip: 'Clip',
  orthonormal: 'Orthonormal',
  'wgan-gp': 'WGAN-GP',
};

export const REFERENCE_COLOR = '#000000';
export const REFERENCE_DASH = [6, 4];
/** The second number of a variant (exact σ₁(W), D(G(z))) in the variant's colour with this dash. */
export const SECONDARY_DASH = [2, 3];

/** A finite number stays, anything else (null, undefined, NaN, ±Inf) becomes null. */
export function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Thins points to at most maxPoints: the first and last point stay, and each bucket in between keeps
 * its lowest and highest point (so a one-step spike survives) and, if it has one, its first gap.
 */
export function decimate(points: ChartPoint[], maxPoints = MAX_POINTS): ChartPoint[] {
  if (points.length <= maxPoints || points.length <= 2) return points;
  const hasGaps = points.some((p) => p.y === null);
  const perBucket = hasGaps ? 3 : 2;
  const buckets = Math.max(1, Math.floor((Math.max(maxPoints, 2) - 2) / perBucket));
  const inner = points.length - 2;
  const out: ChartPoint[] = [points[0]];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets);
    const end = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (end <= start) continue;
    let minI = -1;
    let maxI = -1;
    let gapI = -1;
    for (let i = start; i < end; i++) {
      const y = points[i].y;
      if (y === null) {
        if (gapI < 0) gapI = i;
        continue;
      }
      if (minI < 0 || y < points[minI].y!) minI = i;
      if (maxI < 0 || y > points[maxI].y!) maxI = i;
    }
    const keep = [...new Set([minI, maxI, gapI].filter((i) => i >= 0))].sort((a, b) => a - b);
    for (const i of keep) out.push(points[i]);
  }
  out.push(points[points.length - 1]);
  return out.slice(0, Math.max(maxPoints, 2));
}

function variantSeries(
  variant: VariantName,
  key: string,
  label: string,
  points: ChartPoint[],
  secondary = false,
): ChartSeries {
  const style = VARIANT_STYLES[variant];
  return {
    key,
    label,
    color: style.color,
    dash: secondary ? SECONDARY_DASH : style.dash,
    points: decimate(points),
    ...(secondary ? { width: 1.5 } : {}),
  };
}

function slug(text: string): string {
  return text.trim().replace(/[\s,]+/g, '-');
}

/**
 * One series per variant (in the order given) of pick(metrics) over steps. A variant without
 * history gets an empty series, so the legend and colours stay put.
 */
export function metricSeries(
  history: MetricsHistory,
  variants: readonly VariantName[],
  /** The value at a capture; null where it was not measured (left out, unlike NaN which is a gap). */
  pick: (m: StepMetrics) => number | null,
  labelSuffix?: string,
  options: { secondary?: boolean } = {},
): ChartSeries[] {
  return variants.map((variant) => {
    const entries = history.get(variant) ?? [];
    // null means "not measured at this step" (e.g. a score still being computed): no point at all.
    // A non-finite number was measured and is drawn as a gap.
    const points: ChartSeries['points'] = [];
    for (const m of entries) {
      const value = pick(m);
      if (value !== null) points.push({ x: m.step, y: finiteOrNull(value) });
    }
    const key = labelSuffix ? `${variant}:${slug(labelSuffix)}` : variant;
    const label = labelSuffix ? `${VARIANT_SHORT[variant]} ${labelSuffix.trim()}` : VARIANT_SHORT[variant];
    return variantSeries(variant, key, label, points, options.secondary ?? false);
  });
}

/** Steps per second and frames per second of the whole run, in black and grey. */
export function rateSeries(rates: readonly RatePoint[]): ChartSeries[] {
  return [
    {
      key: 'steps-per-second',
      label: 'steps/s',
      color: REFERENCE_COLOR,
      dash: [],
      points: decimate(rates.map((r) => ({ x: r.seconds, y: finiteOrNull(r.stepsPerSecond) }))),
    },
    {
      key: 'frames-per-second',
      label: 'frames/s',
      color: '#777777',
      dash: [6, 3],
      points: decimate(rates.map((r) => ({ x: r.seconds, y: finiteOrNull(r.framesPerSecond) }))),
    },
  ];
}

/** For a log axis: drops points at or below 0 (which a log axis cannot place), keeping the gaps. */
export function positiveOnly(series: ChartSeries[]): ChartSeries[] {
  return series.map((s) =>
    s.points.every((p) => p.y === null || p.y > 0)
      ? s
      : { ...s, points: s.points.filter((p) => p.y === null || p.y > 0) },
  );
}

/** Number of drawable (non-null) points over all series. */
export function countPoints(series: readonly ChartSeries[]): number {
  let n = 0;
  for (const s of series) for (const p of s.points) if (p.y !== null) n++;
  return n;
}

/** Whether any series has a gap (a non-finite value). */
export function hasGaps(series: readonly ChartSeries[]): boolean {
  return series.some((s) => s.points.some((p) => p.y === null));
}

// ---------------------------------------------------------------------------------------------------
// Spectra

export type SpectraView = 'a' | 'b' | 'c' | 'd' | 'e' | 'f';
export const SPECTRA_VIEWS: readonly SpectraView[] = ['a', 'b', 'c', 'd', 'e', 'f'];

export const SPECTRA_VIEW_TITLES: Record<SpectraView, string> = {
  a: 'σᵢ²/σ₁² of W̄ (paper Fig. 3)',
  b: 'σᵢ of W̄ (log)',
  c: 'σ̃ vs exact σ₁(W)',
  d: 'σ₁(W̄) over training (Fig. 9)',
  e: 'Σσ²(W̄) vs d_out',
  f: 'stable rank',
};

export const SPECTRA_VIEW_CAPTIONS: Record<SpectraView, string> = {
  a: 'Squared singular values relative to the largest. In the paper (Fig. 3, CIFAR-10 CNN) WN and clipping concentrate on few directions and SN keeps a broad spectrum.',
  b: 'All singular values of the normalized weight W̄, largest first, on a log scale.',
  c: 'The power-iteration estimate σ̃ that SN divides by tracks the exact largest singular value of W.',
  d: 'SN divides W by σ̃ ≈ σ₁(W), so σ₁(W̄) ≈ 1 and each layer is about 1-Lipschitz (paper Fig. 9: 1.00–1.05); without normalization W̄ = W and nothing holds σ₁ in place.',
  e: 'Weight norm with gain 1 keeps Σσ² = d_out exactly, so a larger σ₁ leaves less room for the rest.',
  f: 'Stable rank Σσ²/σ₁²: how many directions carry weight; low means few features.',
};

/** Whether a view plots over singular-value index (a, b) rather than over training steps. */
export function isIndexView(view: SpectraView): view is 'a' | 'b' {
  return view === 'a' || view === 'b';
}

export interface SpectrumSnapshot {
  step: number;
  layers: LayerSpectrum[];
}

/** The most recent spectra of a variant, or null before the first spectrum step. */
export function latestSpectrum(history: MetricsHistory, variant: VariantName): SpectrumSnapshot | null {
  const entries = history.get(variant) ?? [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const spectra = entries[i].spectra;
    if (spectra && spectra.length > 0) return { step: entries[i].step, layers: spectra };
  }
  return null;
}

export interface LayerOption {
  index: number;
  name: string;
  shape: [number, number];
  /** "layer 2 · 64×64" */
  label: string;
}

/** D's layers as the latest spectra of the first variant that has any describe them. */
export function spectraLayers(history: MetricsHistory, variants: readonly VariantName[]): LayerOption[] {
  for (const variant of variants) {
    const latest = latestSpectrum(history, variant);
    if (!latest) continue;
    return latest.layers.map((layer, index) => ({
      index,
      name: layer.name,
      shape: layer.shape,
      label: `layer ${index + 1} · ${layer.shape[0]}×${layer.shape[1]}`,
    }));
  }
  return [];
}

/** Whether any variant has spectra yet. */
export function hasSpectra(history: MetricsHistory, variants: readonly VariantName[]): boolean {
  return variants.some((v) => latestSpectrum(history, v) !== null);
}

/**
 * Views (a) and (b): the latest spectrum of one layer over index 1..n, one series per variant that
 * has one. (b) is for a log axis, so its zero singular values (rank-deficient tail) are left out.
 */
export function spectrumIndexSeries(
  history: MetricsHistory,
  variants: readonly VariantName[],
  view: 'a' | 'b',
  layer: number,
): ChartSeries[] {
  const out: ChartSeries[] = [];
  for (const variant of variants) {
    const latest = latestSpectrum(history, variant);
    const spectrum = latest?.layers[layer];
    if (!latest || !spectrum) continue;
    const values = view === 'a' ? spectrum.normalizedSquared : spectrum.singularValues;
    const points: ChartPoint[] = [];
    values.forEach((v, i) => {
      const y = finiteOrNull(v);
      if (view === 'b' && y !== null && y <= 0) return;
      points.push({ x: i + 1, y });
    });
    out.push(variantSeries(variant, variant, `${VARIANT_SHORT[variant]} · step ${latest.step}`, points));
  }
  return out;
}

/** Steps at which a variant has a spectrum of this layer, with that spectrum. */
function layerHistory(history: MetricsHistory, variant: VariantName, layer: number): [number, LayerSpectrum][] {
  const out: [number, LayerSpectrum][] = [];
  for (const m of history.get(variant) ?? []) {
    const spectrum = m.spectra?.[layer];
    if (spectrum) out.push([m.step, spectrum]);
  }
  return out;
}

/**
 * Views (c)–(f) over training steps for one layer. (c): two series per variant with a σ̃ estimate
 * (SN), the estimate in the variant's dash and the exact σ₁(W) dotted and thinner; none for the
 * others. (d) σ₁(W̄), (e) Σσ²(W̄) plus a black dashed "d_out" reference line, (f) stable rank.
 * A layer index out of range gives no series.
 */
export function spectrumTimeSeries(
  history: MetricsHistory,
  variants: readonly VariantName[],
  view: 'c' | 'd' | 'e' | 'f',
  layer: number,
): ChartSeries[] {
  const out: ChartSeries[] = [];
  let dOut: number | null = null;
  let xMin = Infinity;
  let xMax = -Infinity;
  for (const variant of variants) {
    const entries = layerHistory(history, variant, layer);
    if (entries.length === 0) continue;
    const short = VARIANT_SHORT[variant];
    if (view === 'c') {
      const withEstimate = entries.filter(([, s]) => s.sigmaEstimate !== null);
      if (withEstimate.length === 0) continue;
      const estimate = withEstimate.map(([x, s]) => ({ x, y: finiteOrNull(s.sigmaEstimate) }));
      const exact = withEstimate.map(([x, s]) => ({ x, y: finiteOrNull(s.sigma1Raw) }));
      out.push(variantSeries(variant, `${variant}:estimate`, `${short} σ̃`, estimate));
      out.push(variantSeries(variant, `${variant}:exact`, `${short} σ₁(W) exact`, exact, true));
      continue;
    }
    const pick = (s: LayerSpectrum): number => (view === 'd' ? s.sigma1 : view === 'e' ? s.sumSquares : s.stableRank);
    out.push(
      variantSeries(
        variant,
        variant,
        short,
        entries.map(([x, s]) => ({ x, y: finiteOrNull(pick(s)) })),
      ),
    );
    if (view === 'e') {
      dOut ??= entries[entries.length - 1][1].dOut;
      xMin = Math.min(xMin, entries[0][0]);
      xMax = Math.max(xMax, entries[entries.length - 1][0]);
    }
  }
  if (view === 'e' && dOut !== null) {
    const points = xMax > xMin ? [xMin, xMax] : [xMin];
    out.push({
      key: 'd_out',
      label: 'd_out',
      color: REFERENCE_COLOR,
      dash: REFERENCE_DASH,
      points: points.map((x) => ({ x, y: dOut })),
      width: 1.5,
      showPoints: points.length === 1,
    });
  }
  return out;
}

/** The series of any spectra view for one layer. */
export function spectraViewSeries(
  history: MetricsHistory,
  variants: readonly VariantName[],
  view: SpectraView,
  layer: number,
): ChartSeries[] {
  return isIndexView(view)
    ? spectrumIndexSeries(history, variants, view, layer)
    : spectrumTimeSeries(history, variants, view, layer);
}
