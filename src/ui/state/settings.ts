/**
 * The page's settings record and how it becomes a TrainerConfig. Keys, ranges, defaults and help
 * live in the one settings table (src/settings/schema.ts); this file re-exports what the page
 * uses. The engine knows nothing of this file.
 */
import { SETTINGS, VARIANT_NAMES, type SettingName } from '../../gan/config';
import type { TrainerConfig } from '../../gan/config';
import {
  defaultOf,
  isImageData,
  pageDefaults,
  RUN_FIELDS,
  type PageField,
  type PageSettings,
} from '../../settings/schema';
import { toTrainerConfig } from '../../settings/trainer-config';

export {
  CNN_WIDTHS,
  CONTROL_GROUPS,
  DATA_NAMES,
  isImageData,
  LOSS_NAMES,
  MLP_DEPTHS,
  MLP_WIDTHS,
  SPEEDS,
  type ControlGroup,
  type PageSettings,
} from '../../settings/schema';

export const DEFAULT_SETTINGS: PageSettings = pageDefaults();

/** Image runs score a smaller evaluation set: every capture scores it with the digit classifier (in a worker). */
export const IMAGE_EVAL_SAMPLES = defaultOf('evalSamples', 'page', true) as number;
export const POINT_EVAL_SAMPLES = defaultOf('evalSamples', 'page', false) as number;

/** The page's run: variants in the canonical order (the legend's), evaluation set by data kind. */
export function trainerConfig(s: PageSettings): TrainerConfig {
  const variants = VARIANT_NAMES.filter((v) => s.variants.includes(v));
  return toTrainerConfig({ ...s, variants }, isImageData(s.data) ? IMAGE_EVAL_SAMPLES : POINT_EVAL_SAMPLES);
}

/** The paper's setting whose four values these are, if any. */
export function matchingPreset(s: PageSettings): SettingName | null {
  for (const [name, p] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    if (p.lr === s.lr && p.beta1 === s.beta1 && p.beta2 === s.beta2 && p.nDis === s.nDis) return name;
  }
  return null;
}

/**
 * Settings that change what is trained (a new run is needed) versus display-only ones (the table's
 * `restarts`). A link's speed, arrows or hidden controls never restart a run.
 */
export const RUN_KEYS: readonly PageField[] = RUN_FIELDS;
