/**
 * The caption line under every exported picture: which variants, which settings, which step and
 * on what (this device, or the recording's adapter), so a picture in a slide deck or a paper
 * still says where it came from.
 */
import { VARIANT_TITLES, type TrainerConfig, type VariantName } from '../../gan/config';
import { describeSettings } from '../../recording/recording-label';
import type { AppStore } from '../state/store';

export interface CaptionSource {
  store: AppStore;
  /** The config of what the page shows (the live run's, or the recording's). */
  config: TrainerConfig | null;
}

export function exportCaption({ store, config }: CaptionSource): string[] {
  const run = store.run;
  const variants = (config?.variants ?? run.variants).map((v: VariantName) => VARIANT_TITLES[v]).join(', ');
  // The step is on the second line; the settings' own step count would repeat it.
  const settings = config ? describeSettings({ config, steps: run.step }).replace(/, [\d,]+ steps$/, '') : '';
  const origin = run.recording
    ? `recorded run on ${run.recording.adapter} (${run.recording.recordedAt})`
    : (run.backend?.description ?? 'no device yet');
  return [`${variants}${settings ? ` · ${settings}` : ''}`, `step ${run.step.toLocaleString('en-US')} · ${origin}`];
}
