/**
 * Digit scores (Inception-style score, FID) computed in a Web Worker: the page's way to score. A
 * worker that throws, fails to load or is stopped mid-job makes its jobs reject with a message
 * naming what failed, and the next job gets a fresh worker, initialized again with the same
 * held-out digits (src/workers/job-worker.ts).
 */
import { JobWorker, type WorkerLike } from '../workers/job-worker';

export interface DigitScores {
  inceptionScore: number;
  fid: number;
}

export interface AsyncDigitScorer {
  /** Scores several sets of images in one job; rejects if the worker failed. */
  score(batches: { images: Float32Array; count: number }[]): Promise<DigitScores[]>;
  /** Resolves once the first worker has loaded the classifier and computed the held-out statistics. */
  ready: Promise<void>;
  /** Called with the error of every job that fails. */
  onFailure: ((error: Error) => void) | null;
  /** Terminates the worker now, as a crash would (its jobs reject); the next job starts a fresh one. */
  stop(reason: string): void;
  /** Sends a job that throws inside the worker, outside its own try (fault injection). */
  throwInWorker(): Promise<void>;
  /** Workers created so far (1 + restarts). */
  readonly workersStarted: number;
}

/** Far longer than a job takes (~0.7 s per 256 digits, plus a fresh worker's start): only a dead worker is this late. */
export const DIGIT_SCORE_DEADLINE_MS = 300_000;

const browserWorker = (): WorkerLike =>
  new Worker(new URL('./digit-score.worker.ts', import.meta.url), { type: 'module' });

/**
 * `baseUrl`: the site's base as an absolute URL (a worker resolves relative URLs against its own
 * script, which lives in assets/). Each fresh worker is sent its own copy of the held-out images.
 */
export function workerDigitScorer(
  baseUrl: string,
  heldOut: Float32Array,
  heldOutCount: number,
  create: () => WorkerLike = browserWorker,
): AsyncDigitScorer {
  let markReady: () => void = () => undefined;
  let markFailed: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  const jobs = new JobWorker({
    name: 'digit-score worker',
    create,
    deadlineMs: DIGIT_SCORE_DEADLINE_MS,
    start: (worker) => {
      const copy = heldOut.slice();
      worker.postMessage({ type: 'init', baseUrl, heldOut: copy, heldOutCount }, [copy.buffer]);
    },
    onOther: (message) => {
      const m = message as { type?: string; error?: string };
      if (m.type === 'ready') markReady();
      else if (m.type === 'failed') markFailed(new Error(`digit-score worker: ${m.error}`));
    },
  });
  jobs.startWorker();
  return {
    ready,
    score: (batches) => jobs.run<DigitScores[]>({ type: 'score', batches }),
    get onFailure() {
      return jobs.onFailure;
    },
    set onFailure(listener) {
      jobs.onFailure = listener;
    },
    stop: (reason) => jobs.stop(reason),
    throwInWorker: () => jobs.run<void>({ type: 'fault' }),
    get workersStarted() {
      return jobs.workersStarted;
    },
  };
}
