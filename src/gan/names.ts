/**
 * The names the settings schema and the trainer share: the discriminator variants and the paper's
 * Adam settings A–F. Kept apart from config.ts so that the schema (which config.ts reads its
 * defaults from) can import them without an import cycle.
 */

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
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
