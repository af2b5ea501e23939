/**
 * A chart's data in words and as table rows, for people who cannot see the canvas: the sentence
 * a screen reader reads for the chart ("Discriminator loss: SN 1.31, WN 0.882, No norm 0.0213 at
 * step 400") and the rows of its "show as table" view. Plain data in, plain data out (no DOM).
 */
import type { ChartSeries } from '../charts/series';

export interface ChartFacts {
  title: string;
  xLabel: string;
  /** x is an index (a spectrum's i), not a time: the sentence describes the whole curve. */
  index: boolean;
  series: readonly ChartSeries[];
}

/** Three significant digits, no exponent between 0.001 and 10⁶ (what a reader can say aloud). */
export function formatValue(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'NaN';
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e6 || a < 1e-3) return v.toExponential(2);
  if (a >= 1000) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

/** "step 400", "12 seconds of training": where on the x axis a value was read. */
function atX(xLabel: string, x: number): string {
  const value = formatValue(x);
  return xLabel === 'step' || xLabel === '' ? `step ${value}` : `${value} ${xLabel}`;
}

/** The series' last point (a trailing gap counts: a diverged variant's last value is NaN). */
const lastPoint = (s: ChartSeries) => s.points[s.points.length - 1];

/** One sentence with every series' latest value, or the shape of an index curve. */
export function describeChart({ title, xLabel, index, series }: ChartFacts): string {
  const name = title || 'Chart';
  const drawn = series.filter((s) => s.points.length > 0);
  if (drawn.length === 0) return `${name}: no data yet.`;
  if (index) {
    const parts = drawn.map((s) => {
      const ys = s.points.map((p) => p.y).filter((y): y is number => y !== null);
      if (ys.length === 0) return `${s.label} NaN`;
      return `${s.label}, ${s.points.length} values from ${formatValue(ys[0])} to ${formatValue(ys[ys.length - 1])}`;
    });
    return `${name}: ${parts.join('; ')}.`;
  }
  const x = Math.max(...drawn.map((s) => lastPoint(s).x));
  // A series that stopped earlier (a diverged variant, a score not yet computed) says where.
  const parts = drawn.map((s) => {
    const p = lastPoint(s);
    return `${s.label} ${formatValue(p.y)}${p.x === x ? '' : ` (${atX(xLabel, p.x)})`}`;
  });
  return `${name}: ${parts.join(', ')} at ${atX(xLabel, x)}.`;
}

export interface ChartTable {
  columns: string[];
  rows: string[][];
  /** How the rows were chosen, when not every x is shown. */
  note: string;
}

/**
 * Every series as a column against x (a row per x; an empty cell where a series has no point
 * there). Over maxRows x values, evenly spaced rows are kept, the first and the last among them.
 */
export function chartTable(facts: ChartFacts, maxRows = 200): ChartTable {
  const xs = [...new Set(facts.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const byX = facts.series.map((s) => new Map(s.points.map((p) => [p.x, p.y])));
  let kept = xs;
  let note = '';
  if (xs.length > maxRows) {
    const stride = (xs.length - 1) / (maxRows - 1);
    kept = Array.from({ length: maxRows }, (_, i) => xs[Math.round(i * stride)]);
    note = `${maxRows} of ${xs.length} rows, evenly spaced, the last one included.`;
  }
  const rows = kept.map((x) => [formatValue(x), ...byX.map((m) => (m.has(x) ? formatValue(m.get(x) ?? null) : ''))]);
  return { columns: [facts.xLabel || 'x', ...facts.series.map((s) => s.label)], rows, note };
}
