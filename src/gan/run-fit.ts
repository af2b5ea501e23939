/**
 * Whether a run fits a device's limits, decided before a single buffer is made. The buffer sizes
 * come from building the run on a backend that only measures (src/engine/sizing-backend.ts), so
 * they are the sizes the real run would make, not a formula that could drift from the model code.
 * A run that does not fit is refused with the limit (name, needed, available) and a setting that
 * would fit, found the same way.
 */
import type { Backend } from '../engine/backend';
import { sizingBackend, type LargestBuffer } from '../engine/sizing-backend';
import { describeBytes, firstShortfall, kernelNeeds, type LimitNeeds, type LimitShortfall } from '../gpu/limits';
import type { KernelTuning } from '../gpu/tuning';
import { WIDTH_MULTIPLIERS } from '../nn/paper-cnn';
import type { TrainerConfig } from './config';

/** Builds a run's tensors and ops on a backend (the trainer's constructor, in practice). */
export type RunBuilder = (backend: Backend, config: TrainerConfig) => void;

/** The largest buffer a run makes, measured by building it on a sizing backend. */
export function largestBuffer(config: TrainerConfig, tuning: KernelTuning, build: RunBuilder): LargestBuffer {
  const sizing = sizingBackend(tuning);
  build(sizing.backend, config);
  return sizing.largest();
}

/** Every limit a run needs: its largest buffer, and what the kernels need with this tuning. */
export function runNeeds(config: TrainerConfig, tuning: KernelTuning, build: RunBuilder): LimitNeeds {
  const { bytes } = largestBuffer(config, tuning, build);
  return { ...kernelNeeds(tuning), maxStorageBufferBindingSize: bytes, maxBufferSize: bytes };
}

const fraction = (w: number): string => (w === 1 ? '1' : `1/${Math.round(1 / w)}`);

/**
 * Settings close to `config` that fit: the largest smaller batch (halving), and for the CNN the
 * widest narrower width at the same batch. Empty when nothing smaller fits either.
 */
export function fittingSettings(
  config: TrainerConfig,
  limits: GPUSupportedLimits,
  tuning: KernelTuning,
  build: RunBuilder,
): string[] {
  const fits = (c: TrainerConfig) => firstShortfall(limits, runNeeds(c, tuning, build)) === null;
  const found: string[] = [];
  for (let batch = Math.floor(config.batch / 2); batch >= 1; batch = Math.floor(batch / 2)) {
    if (fits({ ...config, batch })) {
      found.push(`batch ${batch} fits`);
      break;
    }
  }
  const model = config.model;
  if (model.kind === 'cnn') {
    const narrower = WIDTH_MULTIPLIERS.filter((w) => w < model.width).sort((a, b) => b - a);
    const width = narrower.find((w) => fits({ ...config, model: { ...model, width: w } }));
    if (width !== undefined) found.push(`width ${fraction(width)} fits at batch ${config.batch}`);
  }
  // The evaluation batch (the page's 256 digits) can be the largest trace of all.
  for (
    let evalSamples = Math.floor(config.evalSamples / 2);
    evalSamples >= 1;
    evalSamples = Math.floor(evalSamples / 2)
  ) {
    if (fits({ ...config, evalSamples })) {
      found.push(`${evalSamples} evaluation samples fit (the CLI's --eval-samples)`);
      break;
    }
  }
  return found;
}

/** A run refused because the device's limits are too small for it; nothing was allocated. */
export class RunDoesNotFitError extends Error {
  constructor(
    readonly shortfall: LimitShortfall,
    readonly largest: LargestBuffer,
    readonly fits: string[],
  ) {
    const isBytes = shortfall.limit === 'maxStorageBufferBindingSize' || shortfall.limit === 'maxBufferSize';
    const show = (n: number) => (isBytes ? describeBytes(n) : n.toLocaleString('en-US'));
    const what = isBytes ? ` for its largest buffer, ${largest.label}` : '';
    super(
      `This run does not fit the GPU: ${shortfall.limit} needed ${show(shortfall.needed)}${what}, ` +
        `available ${show(shortfall.available)}. ` +
        (fits.length > 0 ? `On this GPU ${fits.join('; ')}.` : 'No smaller batch or width fits either.'),
    );
    this.name = 'RunDoesNotFitError';
  }
}

/** Throws RunDoesNotFitError when the run needs more than `limits` give. */
export function checkRunFits(
  config: TrainerConfig,
  limits: GPUSupportedLimits,
  tuning: KernelTuning,
  build: RunBuilder,
): void {
  const largest = largestBuffer(config, tuning, build);
  const needs = { ...kernelNeeds(tuning), maxStorageBufferBindingSize: largest.bytes, maxBufferSize: largest.bytes };
  const shortfall = firstShortfall(limits, needs);
  if (shortfall) throw new RunDoesNotFitError(shortfall, largest, fittingSettings(config, limits, tuning, build));
}
