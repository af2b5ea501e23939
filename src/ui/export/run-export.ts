/**
 * The live run as a run file (src/recording/run-file.ts, the CLI's `--out` schema) and its
 * statistics as CSV, built from what the page shows: the metrics are the store's history (the
 * numbers the charts draw, not recomputed), the weights are read from the trainer now, their
 * singular values computed by the page's spectrum worker. Saving while training holds training
 * for the moment the weights are read (and resumes it), so the file's weights, `steps` and
 * statistics belong to the same step, as in a file from the CLI; after a recovered device loss the
 * new trainer carries the old history.
 */
import type { VariantName } from '../../gan/config';
import type { StepMetrics } from '../../gan/trainer';
import { runFile, runFileVariant, type RunFile } from '../../recording/run-file';
import { computeInline } from '../../spectra/spectra';
import type { TrainingSession } from '../session/session';
import type { AppStore } from '../state/store';
import type { MetricsHistory } from '../view-model';
import type { RunFrames } from './run-frames';

/** Every capture the charts show, by step and within a step in the run's variant order. */
export function shownMetrics(history: MetricsHistory, order: readonly VariantName[]): StepMetrics[] {
  const rank = (v: VariantName) => {
    const i = order.indexOf(v);
    return i < 0 ? order.length : i;
  };
  return [...history.values()].flat().sort((a, b) => a.step - b.step || rank(a.variant) - rank(b.variant));
}

export async function liveRunFile(store: AppStore, session: TrainingSession, frames: RunFrames): Promise<RunFile> {
  const training = store.run.phase === 'running';
  if (training) session.pause();
  try {
    return await pausedRunFile(store, session, frames);
  } finally {
    if (training && store.run.phase === 'paused') session.play();
  }
}

async function pausedRunFile(store: AppStore, session: TrainingSession, frames: RunFrames): Promise<RunFile> {
  const trainer = session.trainer;
  const backend = store.run.backend;
  if (!trainer || !backend) throw new Error('there is no run to save yet (it is being built or recovered)');
  // Captures still being read back land in the store's history (a paused session publishes each).
  await trainer.statsSettled();
  const config = trainer.config;
  const steps = trainer.steps;
  const imageSize = config.model.kind === 'cnn' ? trainer.variants[0].model.sampleSize : 0;
  const computer = session.spectrumComputer ?? computeInline;
  const variants: RunFile['variants'] = {};
  for (const v of config.variants) {
    const status = trainer.status.get(v)!;
    const layers = await trainer.snapshot(v);
    variants[v] = runFileVariant(status.diverged, status.samples, imageSize, layers, await computer(layers));
  }
  const rates = store.run.rates;
  return runFile({
    config,
    adapter: backend.description,
    backend: backend.kind,
    steps,
    seconds: rates.at(-1)?.seconds ?? 0,
    metrics: shownMetrics(store.run.history, config.variants),
    variants,
    // When it was saved: the page names it when the file is opened again as a recorded run.
    recordedAt: new Date().toISOString(),
    ...(trainer.extent ? { extent: trainer.extent } : {}),
    frames: frames.upTo(steps),
  });
}
