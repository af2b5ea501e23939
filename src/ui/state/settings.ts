/**
 * Everything a visitor can set, as one flat record (what the URL holds), its defaults, and how it
 * becomes a TrainerConfig. The engine knows nothing of this file.
 */
import { DATASET_2D_NAMES } from '../../data/mixtures';
import type { GanLossKind } from '../../engine/backend';
import {
  DEFAULT_CNN,
  DEFAULT_MLP,
  defaultConfig,
  SETTINGS,
  VARIANT_NAMES,
  type DataName,
  type SettingName,
  type TrainerConfig,
  type VariantName,
} from '../../gan/config';

export const DATA_NAMES: readonly DataName[] = [...DATASET_2D_NAMES, 'mnist'];
export const LOSS_NAMES: readonly GanLossKind[] = ['standard', 'hinge', 'wgan'];
export const CNN_WIDTHS = [0.125, 0.25, 0.5, 1] as const;
export const MLP_WIDTHS = [16, 32, 64, 128, 256] as const;
/** Steps per animation frame; 0 means "as fast as the device allows". */
export const SPEEDS = [1, 2, 5, 10, 25, 100, 0] as const;
/** Control groups a shared link can hide (hide=…). */
export const CONTROL_GROUPS = [
  'variants',
  'data',
  'hyper',
  'presets',
  'seed',
  'speed',
  'step',
  'display',
  'share',
  'selftest',
] as const;
export type ControlGroup = (typeof CONTROL_GROUPS)[number];

export interface PageSettings {
  variants: VariantName[];
  data: DataName;
  /** MLP hidden width and depth (2-D data). */
  mlpWidth: number;
  mlpDepth: number;
  /** MLP noise dimension. */
  noiseDim: number;
  /** CNN width multiplier (images). */
  cnnWidth: number;
  loss: GanLossKind;
  lr: number;
  beta1: number;
  beta2: number;
  nDis: number;
  batch: number;
  snRounds: number;
  snWarmup: number;
  clip: number;
  orthoBeta: number;
  gpLambda: number;
  seed: number;
  statsEvery: number;
  spectraEvery: number;
  /** Steps per frame (0: as fast as possible). */
  speed: number;
  arrows: boolean;
  heatmap: boolean;
  /** Start training as soon as the page is ready (for links shown in class). */
  autoplay: boolean;
  hidden: ControlGroup[];
}

export const DEFAULT_SETTINGS: PageSettings = {
  variants: ['sn', 'wn', 'none'],
  data: 'ring8',
  mlpWidth: DEFAULT_MLP.discriminatorHidden[0],
  mlpDepth: DEFAULT_MLP.discriminatorHidden.length,
  noiseDim: DEFAULT_MLP.noiseDim,
  cnnWidth: DEFAULT_CNN.width,
  loss: 'standard',
  ...SETTINGS.C,
  batch: 128,
  snRounds: 1,
  snWarmup: 0,
  clip: 0.01,
  orthoBeta: 1e-4,
  gpLambda: 10,
  seed: 1,
  statsEvery: 10,
  spectraEvery: 100,
  speed: 5,
  arrows: false,
  heatmap: true,
  autoplay: false,
  hidden: [],
};

/** Image runs score a smaller evaluation set: the digit classifier runs on the main thread. */
export const IMAGE_EVAL_SAMPLES = 256;
export const POINT_EVAL_SAMPLES = 2500;

export const isImageData = (data: DataName): boolean => data === 'mnist';

export function trainerConfig(s: PageSettings): TrainerConfig {
  const hidden = Array.from({ length: s.mlpDepth }, () => s.mlpWidth);
  const images = isImageData(s.data);
  return defaultConfig({
    model: images
      ? { ...DEFAULT_CNN, width: s.cnnWidth }
      : { ...DEFAULT_MLP, noiseDim: s.noiseDim, generatorHidden: hidden, discriminatorHidden: hidden },
    data: s.data,
    variants: VARIANT_NAMES.filter((v) => s.variants.includes(v)),
    loss: s.loss,
    adam: { lr: s.lr, beta1: s.beta1, beta2: s.beta2, nDis: s.nDis },
    batch: s.batch,
    seed: s.seed,
    snRounds: s.snRounds,
    snWarmup: s.snWarmup,
    clip: s.clip,
    orthoBeta: s.orthoBeta,
    gpLambda: s.gpLambda,
    statsEvery: s.statsEvery,
    spectraEvery: s.spectraEvery,
    evalSamples: images ? IMAGE_EVAL_SAMPLES : POINT_EVAL_SAMPLES,
  });
}

/** The paper's setting whose four values these are, if any. */
export function matchingPreset(s: PageSettings): SettingName | null {
  for (const [name, p] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    if (p.lr === s.lr && p.beta1 === s.beta1 && p.beta2 === s.beta2 && p.nDis === s.nDis) return name;
  }
  return null;
}

/**
 * Settings that change what is trained (a new run is needed) versus display-only ones. A link's
 * speed, arrows or hidden controls never restart a run.
 */
export const RUN_KEYS: readonly (keyof PageSettings)[] = [
  'variants',
  'data',
  'mlpWidth',
  'mlpDepth',
  'noiseDim',
  'cnnWidth',
  'loss',
  'lr',
  'beta1',
  'beta2',
  'nDis',
  'batch',
  'snRounds',
  'snWarmup',
  'clip',
  'orthoBeta',
  'gpLambda',
  'seed',
  'statsEvery',
  'spectraEvery',
];
