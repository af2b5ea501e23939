/**
 * The view model of a run's latest statistics capture: each variant's 2-D picture (D's field,
 * generated points, ∇ₓD arrows) or generated digits, and the steps at which variants diverged.
 */
import type { VariantName } from '../../gan/config';
import { FIELD_GRID } from '../../gan/trainer';
import type { FieldFrame, ImageFrame } from '../view-model';
import type { Run } from './run';

/** Digits shown per variant (at most; fewer when fewer are evaluated). */
const SHOWN_IMAGES = 64;
/** Side of a generated digit in pixels. */
const IMAGE_SIDE = 32;

export interface RunPictures {
  fields: Partial<Record<VariantName, FieldFrame>>;
  images: Partial<Record<VariantName, ImageFrame>>;
  diverged: Partial<Record<VariantName, number>>;
}

export function runPictures(run: Run): RunPictures {
  const { trainer, config } = run;
  const out: RunPictures = { fields: {}, images: {}, diverged: {} };
  for (const [name, s] of trainer.status) {
    if (s.diverged !== null) out.diverged[name] = s.diverged;
    if (trainer.extent) {
      out.fields[name] = {
        variant: name,
        step: s.capturedAt,
        extent: trainer.extent,
        gridSize: FIELD_GRID,
        field: s.field,
        fieldIsProbability: config.loss === 'standard',
        samples: s.samples,
        arrows: s.arrows,
        diverged: s.diverged,
      };
    } else {
      out.images[name] = {
        variant: name,
        step: s.capturedAt,
        images: s.samples,
        count: s.samples ? Math.min(SHOWN_IMAGES, config.evalSamples) : 0,
        side: IMAGE_SIDE,
        diverged: s.diverged,
      };
    }
  }
  return out;
}
