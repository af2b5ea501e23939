/**
 * When the page plays a recording instead of training, and where it gets one. A visitor whose
 * only device is the CPU backend or a software adapter (SwiftShader, llvmpipe, lavapipe: the
 * page's adapter description then ends in "(software)", see describeAdapter) cannot train the
 * paper CNN at a watchable speed, so the lesson's digits scene plays a run recorded on a real
 * adapter instead.
 */
import { parseRecordedRunText, type RecordedRun } from '../../recording/recorded-run';
import type { BackendInfo } from '../state/store';

/** The recording of the lesson's aggressive-Adam digits scene (MNIST, setting E, sn,wn,none). */
export const DIGITS_E_RECORDING = 'recordings/digits-E.json';

/** Whether this backend is too slow for the paper CNN live (null: not known yet, so not decided). */
export function needsRecordedRun(backend: BackendInfo | null): boolean | null {
  if (backend === null) return null;
  return backend.kind === 'cpu' || backend.description.endsWith('(software)');
}

/**
 * Fetches and checks a recording; `path` is relative to the page (the build works from any
 * sub-path). Throws an Error that says what went wrong (HTTP status, or what the file lacks).
 */
export async function loadRecordedRun(path: string, base = document.baseURI): Promise<RecordedRun> {
  const url = new URL(path, base);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load the recording ${path}: HTTP ${response.status}`);
  return parseRecordedRunText(await response.text());
}
