/**
 * The run's statistics as CSV: a header row, then one row per captured step and variant, in the
 * order of the run file's `metrics` (by step, within a step in variant order).
 *
 * Columns: step, variant, lossD, lossG, dReal, dFake, modesCovered, highQuality, gradNorm,
 * inceptionScore, fid — the metrics' scalar fields under their JSON names — then the array fields
 * as one column per D layer: sigma_1…sigma_L (σ̃ of each layer, SN only) and, from the exact
 * spectra on spectrum steps, sigma1_bar_1…sigma1_bar_L (σ₁(W̄), view (d)) and
 * stable_rank_1…stable_rank_L (view (f)); the full spectra are in the JSON only.
 * Cells: numbers as JavaScript prints them (full precision), NaN / Infinity / -Infinity spelled
 * out (a diverged variant), empty where a field does not apply or was not captured.
 */
import type { StepMetrics } from '../gan/trainer';

const SCALARS = [
  'lossD',
  'lossG',
  'dReal',
  'dFake',
  'modesCovered',
  'highQuality',
  'gradNorm',
  'inceptionScore',
  'fid',
] as const satisfies readonly (keyof StepMetrics)[];

const cell = (x: number | null | undefined): string => (x === null || x === undefined ? '' : String(x));

/** Columns per layer: as many as the widest row has layers. */
function layerColumns(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}_${i + 1}`);
}

export function metricsCsv(metrics: readonly StepMetrics[]): string {
  const sigmas = Math.max(0, ...metrics.map((m) => m.sigma.length));
  const layers = Math.max(0, ...metrics.map((m) => m.spectra?.length ?? 0));
  const header = [
    'step',
    'variant',
    ...SCALARS,
    ...layerColumns('sigma', sigmas),
    ...layerColumns('sigma1_bar', layers),
    ...layerColumns('stable_rank', layers),
  ];
  const rows = metrics.map((m) => {
    const perLayer = (count: number, value: (i: number) => number | undefined) =>
      Array.from({ length: count }, (_, i) => cell(value(i)));
    return [
      String(m.step),
      m.variant,
      ...SCALARS.map((key) => cell(m[key])),
      ...perLayer(sigmas, (i) => m.sigma[i]),
      ...perLayer(layers, (i) => m.spectra?.[i]?.sigma1),
      ...perLayer(layers, (i) => m.spectra?.[i]?.stableRank),
    ];
  });
  // No cell holds a comma, quote or line break (numbers and variant names), so none needs quoting.
  return [header, ...rows].map((r) => r.join(',')).join('\n') + '\n';
}
