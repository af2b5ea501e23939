/**
 * What the page's views draw, in plain data: the store fills these from the trainer's metrics and
 * statistics captures, the components only draw them. Non-finite numbers stay non-finite here;
 * views draw them as gaps (never as 0) and say so.
 */
import type { VariantName } from '../gan/config';
import type { StepMetrics } from '../gan/trainer';

/** Every statistics capture of one variant, in step order (spectra attached when computed). */
export type MetricsHistory = Map<VariantName, StepMetrics[]>;

/** Training speed over time: steps per second of the whole run (all variants together). */
export interface RatePoint {
  /** Seconds of training (paused time excluded) at the end of the measurement. */
  seconds: number;
  step: number;
  stepsPerSecond: number;
  framesPerSecond: number;
}

/** One variant's 2-D picture: D over a grid, generated points and ∇ₓD at some of them. */
export interface FieldFrame {
  variant: VariantName;
  step: number;
  /** [xMin, xMax, yMin, yMax] of the grid and the plot. */
  extent: [number, number, number, number];
  /** The grid has gridSize × gridSize points, row-major, row 0 at yMin, column 0 at xMin. */
  gridSize: number;
  /** D's output on the grid: σ(logit) for the standard loss, the raw score otherwise. */
  field: Float32Array | null;
  /** Whether `field` is a probability in [0, 1] (standard loss) or an unbounded score. */
  fieldIsProbability: boolean;
  /** Generated points, N × 2 (the fixed evaluation noise, so they move only as G learns). */
  samples: Float32Array | null;
  /** ∇ₓD at the first arrowCount generated points, arrowCount × 2. */
  arrows: Float32Array | null;
  /** Step at which the variant diverged (NaN/Inf), or null. */
  diverged: number | null;
}

/** One variant's generated images from a fixed z. */
export interface ImageFrame {
  variant: VariantName;
  step: number;
  /** count images of side × side floats in [−1, 1], row-major (NHWC with one channel). */
  images: Float32Array | null;
  count: number;
  side: number;
  diverged: number | null;
}
