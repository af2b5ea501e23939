/**
 * The page's spectrum computer: SVDs in a Web Worker, off the main thread. A worker that throws,
 * fails to load or is stopped mid-job makes its jobs reject with a message naming what failed,
 * and the next job gets a fresh worker (src/workers/job-worker.ts).
 */
import { JobWorker, type WorkerLike } from '../workers/job-worker';
import type { LayerSpectrum, SpectrumComputer } from './spectra';

/** Far longer than any job takes (eight paper-size SVDs take seconds): only a dead worker is this late. */
export const SPECTRA_DEADLINE_MS = 300_000;

export interface WorkerSpectra {
  compute: SpectrumComputer;
  /** Called with the error of every job that fails. */
  onFailure: ((error: Error) => void) | null;
  /** Terminates the worker now, as a crash would (its jobs reject); the next job starts a fresh one. */
  stop(reason: string): void;
  /** Sends a job that throws inside the worker, outside its own try (fault injection). */
  throwInWorker(): Promise<void>;
  /** Workers created so far (1 + restarts). */
  readonly workersStarted: number;
}

const browserWorker = (): WorkerLike => new Worker(new URL('./spectra.worker.ts', import.meta.url), { type: 'module' });

export function workerSpectrumComputer(create: () => WorkerLike = browserWorker): WorkerSpectra {
  const jobs = new JobWorker({ name: 'spectrum worker', create, deadlineMs: SPECTRA_DEADLINE_MS });
  return {
    compute: (layers) => jobs.run<LayerSpectrum[]>({ layers }),
    get onFailure() {
      return jobs.onFailure;
    },
    set onFailure(listener) {
      jobs.onFailure = listener;
    },
    stop: (reason) => jobs.stop(reason),
    throwInWorker: () => jobs.run<void>({ fault: 'throw' }),
    get workersStarted() {
      return jobs.workersStarted;
    },
  };
}
