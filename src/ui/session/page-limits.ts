/**
 * The limits the page asks its device for: what its largest offered runs need (src/gan/run-fit.ts
 * measures them), so one device serves every setting the visitor can pick without asking the
 * adapter for more than that. A run that needs more than the adapter gives is refused by the
 * trainer, naming the limit and a setting that fits.
 */
import { VARIANT_NAMES } from '../../gan/config';
import { runNeeds, type RunBuilder } from '../../gan/run-fit';
import { GanTrainer } from '../../gan/trainer';
import { mergeLimitNeeds, type LimitNeeds } from '../../gpu/limits';
import type { KernelTuning } from '../../gpu/tuning';
import { CNN_WIDTHS, MLP_DEPTHS, MLP_WIDTHS, PAGE_IMAGE_BATCH_MAX } from '../../settings/schema';
import { DEFAULT_SETTINGS, trainerConfig } from '../state/settings';

/** Digits in the page's MNIST file (public/data/mnist-10k.bin): an upper bound on its training split. */
const PAGE_DIGITS = 10000;
const LARGEST_BATCH = 1024;

export function pageDeviceNeeds(tuning: KernelTuning): LimitNeeds {
  const variants = [...VARIANT_NAMES];
  const images = { images: new Float32Array(0), count: PAGE_DIGITS, size: 32 * 32 };
  const build: RunBuilder = (backend, c) => new GanTrainer(backend, c, c.data === 'mnist' ? images : undefined);
  const cnn = trainerConfig({
    ...DEFAULT_SETTINGS,
    variants,
    data: 'mnist',
    cnnWidth: CNN_WIDTHS[CNN_WIDTHS.length - 1],
    batch: PAGE_IMAGE_BATCH_MAX,
  });
  const mlp = trainerConfig({
    ...DEFAULT_SETTINGS,
    variants,
    mlpWidth: MLP_WIDTHS[MLP_WIDTHS.length - 1],
    mlpDepth: MLP_DEPTHS[MLP_DEPTHS.length - 1],
    batch: LARGEST_BATCH,
  });
  return mergeLimitNeeds(runNeeds(cnn, tuning, build), runNeeds(mlp, tuning, build));
}
