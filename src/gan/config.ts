/**
 * Training configuration: the model, data, variants and hyperparameters of a run. Its defaults and
 * the checks in validateConfig come from the settings table (src/settings/schema.ts), so the CLI,
 * the page and the trainer accept the same values and refuse the others in the same words.
 */
import type { Activation } from '../gpu/activation';
import type { GanLossKind } from '../engine/backend';
import {
  defaultOf,
  keyOf,
  modelDataProblem,
  problemWith,
  shownValue,
  type CliField,
  type DataName,
} from '../settings/schema';
import type { AdamSetting, VariantName } from './names';

export { SETTINGS, VARIANT_NAMES, VARIANT_TITLES, type AdamSetting, type SettingName, type VariantName } from './names';

export interface MlpGanModel {
  kind: 'mlp';
  noiseDim: number;
  /** Hidden widths of G and D; depth = number of hidden layers. */
  generatorHidden: number[];
  discriminatorHidden: number[];
  generatorActivation: Activation;
  discriminatorActivation: Activation;
  /** LeakyReLU's slope where used (the paper's D uses 0.1). */
  slope: number;
}

/** The paper's standard CNN (Table 3) for 32 × 32 images. */
export interface CnnGanModel {
  kind: 'cnn';
  /** Width multiplier: 1 is the paper's network; 1/8, 1/4, 1/2 are narrower. */
  width: number;
  channels: number;
  noiseDim: number;
  slope: number;
}

export type GanModelConfig = MlpGanModel | CnnGanModel;
export type { DataName };

export interface TrainerConfig {
  model: GanModelConfig;
  data: DataName;
  /** The drawn points (flat x, y pairs) when data is `drawn`; absent otherwise. */
  points?: number[];
  variants: VariantName[];
  loss: GanLossKind;
  adam: AdamSetting;
  batch: number;
  seed: number;
  /** Power-iteration rounds per D update (Ip; the paper uses 1). */
  snRounds: number;
  /** Extra rounds at creation (PyTorch's newer API uses 15); 0 shows the cold start. */
  snWarmup: number;
  /** Weight clipping bound c. */
  clip: number;
  /** Orthonormal regularization strength β (loss term β‖WᵀW − I‖²_F per D layer). */
  orthoBeta: number;
  /** Gradient penalty weight λ (WGAN-GP). */
  gpLambda: number;
  /** Statistics are read back every this many steps. */
  statsEvery: number;
  /** Exact spectra of every D layer on statistics steps that are multiples of this (0: never). */
  spectraEvery: number;
  /** Generated points used for mode coverage and plots. */
  evalSamples: number;
}

/** The headless default (the CLI's), as the settings table gives it. */
const headless = <V>(field: CliField): V => defaultOf(field, 'cli') as V;

export const DEFAULT_MLP: MlpGanModel = {
  kind: 'mlp',
  noiseDim: headless('noiseDim'),
  generatorHidden: Array.from({ length: headless<number>('mlpDepth') }, () => headless<number>('mlpWidth')),
  discriminatorHidden: Array.from({ length: headless<number>('mlpDepth') }, () => headless<number>('mlpWidth')),
  generatorActivation: 'relu',
  discriminatorActivation: 'leaky_relu',
  slope: 0.1,
};

export const DEFAULT_CNN: CnnGanModel = {
  kind: 'cnn',
  width: headless('cnnWidth'),
  channels: 1,
  noiseDim: 128,
  slope: 0.1,
};

/** A configuration with the headless (CLI) defaults of the settings table, and `overrides` on top. */
export function defaultConfig(overrides: Partial<TrainerConfig> = {}): TrainerConfig {
  return {
    model: DEFAULT_MLP,
    data: headless('data'),
    variants: headless('variants'),
    loss: headless('loss'),
    adam: { lr: headless('lr'), beta1: headless('beta1'), beta2: headless('beta2'), nDis: headless('nDis') },
    batch: headless('batch'),
    seed: headless('seed'),
    snRounds: headless('snRounds'),
    snWarmup: headless('snWarmup'),
    clip: headless('clip'),
    orthoBeta: headless('orthoBeta'),
    gpLambda: headless('gpLambda'),
    statsEvery: headless('statsEvery'),
    spectraEvery: headless('spectraEvery'),
    evalSamples: headless('evalSamples'),
    ...overrides,
  };
}

/**
 * Throws a message a person can act on when a configuration cannot be trained. Each setting is
 * checked by its row of the settings table (the reason reads as on the page and in the CLI); the
 * model's shape, which no single setting describes, is checked here.
 */
export function validateConfig(c: TrainerConfig): void {
  const problems: string[] = [];
  const check = (field: CliField, value: unknown) => {
    const reason = problemWith(field, value);
    if (reason !== null) problems.push(`${keyOf(field)} ${reason} (got ${shownValue(field, value)})`);
  };
  const positiveInt = (name: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max)
      problems.push(`${name} must be an integer from 1 to ${max} (got ${v})`);
  };
  check('variants', c.variants);
  check('data', c.data);
  if (c.data === 'drawn') check('points', c.points);
  check('loss', c.loss);
  check('lr', c.adam.lr);
  check('beta1', c.adam.beta1);
  check('beta2', c.adam.beta2);
  check('nDis', c.adam.nDis);
  check('batch', c.batch);
  check('seed', c.seed);
  check('snRounds', c.snRounds);
  check('snWarmup', c.snWarmup);
  check('clip', c.clip);
  check('orthoBeta', c.orthoBeta);
  check('gpLambda', c.gpLambda);
  check('statsEvery', c.statsEvery);
  check('spectraEvery', c.spectraEvery);
  check('evalSamples', c.evalSamples);
  const modelData = modelDataProblem(c.model.kind === 'cnn' ? 'cnn' : 'mlp2d', c.data);
  if (modelData !== null) problems.push(modelData);
  if (c.model.kind === 'cnn') {
    check('cnnWidth', c.model.width);
    positiveInt('noise dimension', c.model.noiseDim, 512);
  } else {
    check('noiseDim', c.model.noiseDim);
    // Tests and benchmarks build G and D of their own shapes, wider than the page's choices.
    for (const w of [...c.model.generatorHidden, ...c.model.discriminatorHidden]) positiveInt('layer width', w, 4096);
  }
  if (problems.length > 0) throw new Error(`Invalid training configuration: ${problems.join('; ')}.`);
}
