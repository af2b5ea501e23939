/**
 * The field views and digit grids in words, for people who cannot see their canvases: what a
 * screen reader says for each picture ("SN at step 400: 256 generated points around (0.12, −0.3),
 * spread 0.85; D from 0.04 (fake) to 0.97 (real) over the plane"). Plain data in, a sentence out.
 */
import { VARIANT_TITLES } from '../../gan/config';
import type { FieldFrame, ImageFrame } from '../view-model';
import { formatValue } from './chart-text';

const head = (f: { variant: FieldFrame['variant']; step: number }): string =>
  `${VARIANT_TITLES[f.variant]} at step ${f.step.toLocaleString('en-US')}`;

const diverged = (step: number): string => `diverged at step ${step.toLocaleString('en-US')} (NaN/∞)`;

/** Minimum and maximum of the finite values, or null when there is none. */
function finiteRange(values: Float32Array): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Centre and root-mean-square distance from it of N × 2 points (finite ones only). */
function pointCloud(samples: Float32Array): { n: number; cx: number; cy: number; spread: number } {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i + 1 < samples.length; i += 2) {
    if (!Number.isFinite(samples[i]) || !Number.isFinite(samples[i + 1])) continue;
    n++;
    sx += samples[i];
    sy += samples[i + 1];
  }
  const cx = n > 0 ? sx / n : NaN;
  const cy = n > 0 ? sy / n : NaN;
  let ss = 0;
  for (let i = 0; i + 1 < samples.length; i += 2) {
    if (!Number.isFinite(samples[i]) || !Number.isFinite(samples[i + 1])) continue;
    ss += (samples[i] - cx) ** 2 + (samples[i + 1] - cy) ** 2;
  }
  return { n, cx, cy, spread: n > 0 ? Math.sqrt(ss / n) : NaN };
}

export function describeField(f: FieldFrame | null): string {
  if (!f) return 'Waiting for the first picture.';
  const parts: string[] = [];
  if (f.samples) {
    const total = f.samples.length / 2;
    const c = pointCloud(f.samples);
    parts.push(
      c.n === 0
        ? `${total} generated points, none finite`
        : `${total} generated points around (${formatValue(c.cx)}, ${formatValue(c.cy)}), spread ${formatValue(c.spread)}` +
            (c.n < total ? ` (${total - c.n} not finite)` : ''),
    );
  }
  if (f.field) {
    const r = finiteRange(f.field);
    parts.push(r ? `D from ${formatValue(r[0])} (fake) to ${formatValue(r[1])} (real) over the plane` : 'D not finite');
  }
  if (f.diverged !== null) parts.push(diverged(f.diverged));
  return `${head(f)}: ${parts.length > 0 ? parts.join('; ') : 'nothing drawn yet'}.`;
}

export function describeImages(f: ImageFrame | null, drawn: number): string {
  if (!f) return 'Waiting for the first samples.';
  const parts = [`${drawn} generated ${drawn === 1 ? 'image' : 'images'} of ${f.side} × ${f.side} pixels`];
  if (f.images && drawn > 0) {
    const shown = f.images.subarray(0, drawn * f.side * f.side);
    let sum = 0;
    let n = 0;
    let ink = 0;
    for (const v of shown) {
      if (!Number.isFinite(v)) continue;
      sum += v;
      n++;
      // Pixels in [−1, 1] drawn black…white: "ink" is the bright stroke of a digit.
      if (v > 0) ink++;
    }
    parts.push(
      n === 0
        ? 'no finite pixel'
        : `mean brightness ${formatValue(sum / n)} on −1…1, ${Math.round((100 * ink) / n)}% of pixels bright`,
    );
  }
  if (f.diverged !== null) parts.push(diverged(f.diverged));
  return `${head(f)}: ${parts.join('; ')}.`;
}
