/**
 * The run file: the one JSON document `npm run train -- --out run.json` writes and the page's
 * "Save run (JSON)" downloads, so `npm run spectra` and the recorded-run player read both. Its
 * fields are documented in recorded-run.ts (the parser); this is the one writer. No DOM, no Node.
 */
import type { TrainerConfig, VariantName } from '../gan/config';
import type { LayerSnapshot, StepMetrics } from '../gan/trainer';
import type { LayerSpectrum } from '../spectra/spectra';
import type { FrameJson } from './recorded-run';

/** Images per variant the file keeps in `variants[v].samples`. */
export const FILE_IMAGES = 16;

/** A D layer as the file holds it: W, W̄, ũ, σ̃ and the singular values of W̄ and W. */
export interface RunFileLayer extends LayerSnapshot {
  singularValues: number[];
  singularValuesRaw: number[];
}

export interface RunFileVariant {
  diverged: number | null;
  /** Images (each a flat side·side array in [−1, 1]) or 2-D points ([x, y] pairs). */
  samples: number[][];
  layers: RunFileLayer[];
}

export interface RunFile {
  config: TrainerConfig;
  adapter: string;
  backend: 'webgpu' | 'cpu';
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  metrics: readonly StepMetrics[];
  reference?: { inceptionScore: number; fid: number };
  variants: Partial<Record<VariantName, RunFileVariant>>;
  recordedAt?: string;
  extent?: [number, number, number, number];
  frames?: FrameJson[];
}

/** One variant's part of the file; `imageSize` is pixels per image, or 0 for 2-D points. */
export function runFileVariant(
  diverged: number | null,
  samples: Float32Array | null,
  imageSize: number,
  layers: readonly LayerSnapshot[],
  spectra: readonly LayerSpectrum[],
): RunFileVariant {
  const s = samples ?? new Float32Array(0);
  return {
    diverged,
    samples:
      imageSize > 0
        ? Array.from({ length: Math.min(FILE_IMAGES, Math.floor(s.length / imageSize)) }, (_, i) =>
            Array.from(s.subarray(i * imageSize, (i + 1) * imageSize)),
          )
        : Array.from({ length: Math.floor(s.length / 2) }, (_, i) => [s[2 * i], s[2 * i + 1]]),
    layers: layers.map((layer, i) => ({
      ...layer,
      singularValues: spectra[i].singularValues,
      singularValuesRaw: spectra[i].singularValuesRaw,
    })),
  };
}

/** The fields in the order the CLI has always written them (optional ones only when present). */
export function runFile(parts: Omit<RunFile, 'stepsPerSecond'>): RunFile {
  const { config, adapter, backend, steps, seconds, metrics, reference, variants, recordedAt, extent, frames } = parts;
  return {
    config,
    adapter,
    backend,
    steps,
    seconds,
    stepsPerSecond: seconds > 0 ? steps / seconds : 0,
    metrics,
    ...(reference ? { reference } : {}),
    variants,
    ...(recordedAt !== undefined ? { recordedAt } : {}),
    ...(extent ? { extent } : {}),
    ...(frames ? { frames } : {}),
  };
}

/** The text of the file (NaN and ±Infinity become null, which the parser reads back as NaN). */
export const runFileText = (file: RunFile): string => JSON.stringify(file);
