/**
 * How each variant looks everywhere on the page: an Okabe–Ito colour (distinguishable with the
 * common colour-vision deficiencies) and a dash pattern, so colour is never the only cue. Yellow is
 * left out: it vanishes on a white projector screen. Real data is drawn in black.
 */
import type { VariantName } from '../gan/config';

export interface VariantStyle {
  color: string;
  /** Canvas/chart.js line dash: [] is solid. */
  dash: number[];
  /** Words for the dash, for legends and screen readers. */
  dashName: string;
  /** Marker for points (chart.js pointStyle). */
  marker: 'circle' | 'rect' | 'triangle' | 'rectRot' | 'crossRot' | 'star';
}

export const VARIANT_STYLES: Record<VariantName, VariantStyle> = {
  sn: { color: '#0072B2', dash: [], dashName: 'solid', marker: 'circle' },
  wn: { color: '#D55E00', dash: [10, 5], dashName: 'dashed', marker: 'rect' },
  none: { color: '#E69F00', dash: [2, 4], dashName: 'dotted', marker: 'triangle' },
  clip: { color: '#CC79A7', dash: [10, 4, 2, 4], dashName: 'dash-dot', marker: 'rectRot' },
  orthonormal: { color: '#009E73', dash: [16, 6], dashName: 'long dash', marker: 'crossRot' },
  'wgan-gp': { color: '#56B4E9', dash: [5, 3, 5, 9], dashName: 'double dash', marker: 'star' },
};

export const REAL_DATA_COLOR = '#000000';
