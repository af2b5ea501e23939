/**
 * Collects a recorded run's frames while the headless trainer runs (`--frames-every K`): at step 1
 * and every K steps, each live variant's first 16 evaluation images as bytes, or its first 512
 * generated points. The format is documented in recorded-run.ts.
 */
import type { VariantName } from '../gan/config';
import { encodeImages, FRAME_IMAGES, FRAME_POINTS, roundPoints } from './frame-codec';
import type { FrameJson, FrameSamplesJson } from './recorded-run';

/** One variant at a statistics capture: its latest samples, and whether it has diverged. */
export interface CapturedVariant {
  variant: VariantName;
  samples: Float32Array | null;
  diverged: number | null;
}

export class FrameRecorder {
  readonly frames: FrameJson[] = [];

  /** `imageSize` pixels per image (images) or 0 (2-D points); `every` > 0. */
  constructor(
    private readonly every: number,
    private readonly imageSize: number,
  ) {}

  /** Whether a statistics capture at `step` becomes a frame. */
  wants(step: number): boolean {
    return step === 1 || step % this.every === 0;
  }

  /** Records a frame of the variants still live (diverged ones keep their last good frame). */
  capture(step: number, variants: readonly CapturedVariant[]): void {
    if (!this.wants(step) || this.frames.at(-1)?.step === step) return;
    const frame: FrameJson = { step, variants: {} };
    for (const { variant, samples, diverged } of variants) {
      if (diverged !== null || samples === null) continue;
      frame.variants[variant] = this.encode(samples);
    }
    this.frames.push(frame);
  }

  private encode(samples: Float32Array): FrameSamplesJson {
    if (this.imageSize === 0) return { points: roundPoints(samples, Math.min(FRAME_POINTS, samples.length / 2)) };
    const count = Math.min(FRAME_IMAGES, Math.floor(samples.length / this.imageSize));
    return { count, side: Math.round(Math.sqrt(this.imageSize)), images: encodeImages(samples, count, this.imageSize) };
  }
}
