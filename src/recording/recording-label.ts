/**
 * What the page says about a recorded run so that nobody mistakes it for a live one: the adapter
 * and date it was recorded on and its settings in a few words
 * ("MNIST, CNN ⅛ width, setting E, batch 64, 2,000 steps").
 */
import { SETTING_NAMES, SETTINGS } from '../gan/names';
import type { RecordedRun } from './recorded-run';

export interface RecordingLabel {
  adapter: string;
  /** The date part of recordedAt (YYYY-MM-DD), or "date unknown". */
  recordedAt: string;
  settings: string;
}

const WIDTHS: Record<number, string> = { 0.125: '⅛', 0.25: '¼', 0.5: '½', 1: 'full' };
const DATA_WORDS: Record<string, string> = {
  mnist: 'MNIST',
  ring8: 'ring of 8',
  grid25: 'grid of 25',
  spiral: 'spiral',
  moons: 'moons',
};

const count = (n: number): string => n.toLocaleString('en-US');

/** Only the config and the step count are read: a live run is described the same way. */
export function describeSettings(run: Pick<RecordedRun, 'config' | 'steps'>): string {
  const c = run.config;
  const model =
    c.model.kind === 'cnn'
      ? `CNN ${WIDTHS[c.model.width] ?? c.model.width} width`
      : `MLP ${c.model.discriminatorHidden.length}×${c.model.discriminatorHidden[0] ?? 0}`;
  const a = c.adam;
  const preset = SETTING_NAMES.find((n) => {
    const s = SETTINGS[n];
    return s.lr === a.lr && s.beta1 === a.beta1 && s.beta2 === a.beta2 && s.nDis === a.nDis;
  });
  const adam = preset ? `setting ${preset}` : `α ${a.lr}, β1 ${a.beta1}, β2 ${a.beta2}, n_dis ${a.nDis}`;
  const loss = c.loss && c.loss !== 'standard' ? `, ${c.loss} loss` : '';
  return `${DATA_WORDS[c.data] ?? c.data}, ${model}, ${adam}${loss}, batch ${c.batch}, ${count(run.steps)} steps`;
}

export function recordingLabel(run: RecordedRun): RecordingLabel {
  return {
    adapter: run.adapter,
    recordedAt: run.recordedAt?.slice(0, 10) ?? 'date unknown',
    settings: describeSettings(run),
  };
}

/** The one line the status line shows. */
export const recordingLabelText = (l: RecordingLabel): string =>
  `Recorded run — ${l.adapter}, ${l.recordedAt}, ${l.settings}`;
