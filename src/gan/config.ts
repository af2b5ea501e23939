/** Training configuration: the paper's Adam settings A–F, the variants, and their defaults. */
import type { Activation } from '../gpu/activation';
import type { Dataset2dName } from '../data/mixtures';
import type { GanLossKind } from '../engine/backend';

/** How a variant normalizes its discriminator's weights; everything else is shared. */
export const VARIANT_NAMES = ['sn', 'wn', 'none', 'clip', 'orthonormal', 'wgan-gp'] as const;
export type VariantName = (typeof VARIANT_NAMES)[number];

export const VARIANT_TITLES: Record<VariantName, string> = {
  sn: 'Spectral norm',
  wn: 'Weight norm',
  none: 'No normalization',
  clip: 'Weight clipping',
  orthonormal: 'Orthonormal regularization',
  'wgan-gp': 'Gradient penalty',
};

export interface AdamSetting {
  lr: number;
  beta1: number;
  beta2: number;
  nDis: number;
}

/** Paper Table 1. */
export const SETTINGS: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F', AdamSetting> = {
  A: { lr: 1e-4, beta1: 0.5, beta2: 0.9, nDis: 5 },
  B: { lr: 1e-4, beta1: 0.5, beta2: 0.999, nDis: 1 },
  C: { lr: 2e-4, beta1: 0.5, beta2: 0.999, nDis: 1 },
  D: { lr: 1e-3, beta1: 0.5, beta2: 0.9, nDis: 5 },
  E: { lr: 1e-3, beta1: 0.5, beta2: 0.999, nDis: 5 },
  F: { lr: 1e-3, beta1: 0.9, beta2: 0.999, nDis: 5 },
};
export type SettingName = keyof typeof SETTINGS;

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
export type DataName = Dataset2dName | 'mnist';

export interface TrainerConfig {
  model: GanModelConfig;
  data: DataName;
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

export const DEFAULT_MLP: MlpGanModel = {
  kind: 'mlp',
  noiseDim: 2,
  generatorHidden: [64, 64],
  discriminatorHidden: [64, 64],
  generatorActivation: 'relu',
  discriminatorActivation: 'leaky_relu',
  slope: 0.1,
};

export const DEFAULT_CNN: CnnGanModel = { kind: 'cnn', width: 0.25, channels: 1, noiseDim: 128, slope: 0.1 };

export function defaultConfig(overrides: Partial<TrainerConfig> = {}): TrainerConfig {
  return {
    model: DEFAULT_MLP,
    data: 'ring8',
    variants: ['sn', 'wn', 'none'],
    loss: 'standard',
    adam: SETTINGS.C,
    batch: 128,
    seed: 1,
    snRounds: 1,
    snWarmup: 0,
    clip: 0.01,
    orthoBeta: 1e-4,
    gpLambda: 10,
    statsEvery: 50,
    spectraEvery: 500,
    evalSamples: 2500,
    ...overrides,
  };
}

/** Throws a message a person can act on when a configuration cannot be trained. */
export function validateConfig(c: TrainerConfig): void {
  const problems: string[] = [];
  const positiveInt = (name: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max)
      problems.push(`${name} must be an integer from 1 to ${max} (got ${v})`);
  };
  positiveInt('batch', c.batch, 4096);
  positiveInt('noise dimension', c.model.noiseDim, 512);
  if (c.model.kind === 'cnn') {
    if (![0.125, 0.25, 0.5, 1].includes(c.model.width))
      problems.push(`width must be 1/8, 1/4, 1/2 or 1 (got ${c.model.width})`);
    if (c.data !== 'mnist') problems.push(`the CNN trains on images (mnist), not ${c.data}`);
  } else if (c.data === 'mnist') {
    problems.push('mnist needs the CNN model');
  }
  positiveInt('statsEvery', c.statsEvery, 1_000_000);
  if (!Number.isInteger(c.spectraEvery) || c.spectraEvery < 0) {
    problems.push(`spectraEvery must be a non-negative integer (got ${c.spectraEvery})`);
  }
  positiveInt('evalSamples', c.evalSamples, 100_000);
  positiveInt('n_dis', c.adam.nDis, 100);
  if (c.model.kind === 'mlp') {
    for (const w of [...c.model.generatorHidden, ...c.model.discriminatorHidden]) positiveInt('layer width', w, 4096);
  }
  if (!Number.isInteger(c.snRounds) || c.snRounds < 1 || c.snRounds > 100)
    problems.push(`Ip must be 1–100 (got ${c.snRounds})`);
  if (!Number.isInteger(c.snWarmup) || c.snWarmup < 0 || c.snWarmup > 1000)
    problems.push(`warm-up must be 0–1000 (got ${c.snWarmup})`);
  if (!(c.adam.lr > 0 && Number.isFinite(c.adam.lr))) problems.push(`learning rate must be > 0 (got ${c.adam.lr})`);
  for (const [name, b] of [
    ['β1', c.adam.beta1],
    ['β2', c.adam.beta2],
  ] as const) {
    if (!(b >= 0 && b < 1)) problems.push(`${name} must be in [0, 1) (got ${b})`);
  }
  if (!(c.clip > 0 && Number.isFinite(c.clip))) problems.push(`clip bound must be > 0 (got ${c.clip})`);
  if (!(c.orthoBeta >= 0 && Number.isFinite(c.orthoBeta))) problems.push(`β must be ≥ 0 (got ${c.orthoBeta})`);
  if (!(c.gpLambda >= 0 && Number.isFinite(c.gpLambda))) problems.push(`λ must be ≥ 0 (got ${c.gpLambda})`);
  if (c.variants.length === 0) problems.push('at least one variant must be chosen');
  if (new Set(c.variants).size !== c.variants.length) problems.push('each variant may appear once');
  if (problems.length > 0) throw new Error(`Invalid training configuration: ${problems.join('; ')}.`);
}
