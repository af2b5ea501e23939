/**
 * What a training session runs on: one run (its trainer on a backend, and for digits the scorer
 * that works off the main thread) and what the session takes from the page around it.
 */
import type { Backend } from '../../engine/backend';
import type { TrainerConfig } from '../../gan/config';
import type { GanTrainer } from '../../gan/trainer';
import type { AsyncDigitScorer } from '../../metrics/digit-score-client';
import { workerSpectrumComputer, type WorkerSpectra } from '../../spectra/worker-client';
import type { CpuThread } from './backend-choice';

export interface SessionEnvironment {
  gpu: GPU | undefined;
  /** Forces the CPU backend with this reason (e.g. `?backend=cpu` in tests); undefined otherwise. */
  forceCpuReason?: string;
  /**
   * Test hook: ask the device for nothing above the WebGPU spec's default limits, so the page meets
   * what a small adapter gives (128 MiB storage bindings) on any machine. Only a script run before
   * the page's own sets it (`window.__snganSpecDefaultLimits = true`, test/e2e/faults.test.ts): no
   * URL, setting or stored state reaches it, so a visitor cannot turn it on by accident.
   */
  specDefaultLimits?: boolean;
  /** The spectrum worker (made once; it restarts itself after a failure). */
  spectra: () => WorkerSpectra;
  /** Where the CPU backend computes (when there is no GPU). */
  cpuThread: CpuThread;
}

declare global {
  interface Window {
    __snganSpecDefaultLimits?: boolean;
  }
}

/**
 * The page's environment. `#cpu=main` in the address keeps the CPU backend on the main thread, as
 * it was before it moved to a worker: a debugging switch for measuring the two (bench/page-cpu.ts),
 * in the hash so it is no setting and no link carries it by accident.
 */
export const browserEnvironment = (): SessionEnvironment => ({
  gpu: typeof navigator !== 'undefined' ? navigator.gpu : undefined,
  specDefaultLimits: typeof window !== 'undefined' && window.__snganSpecDefaultLimits === true,
  spectra: () => workerSpectrumComputer(),
  cpuThread: typeof location !== 'undefined' && /(^#|&)cpu=main(&|$)/.test(location.hash) ? 'main' : 'worker',
});

export interface Run {
  config: TrainerConfig;
  backend: Backend;
  trainer: GanTrainer;
  /** Image runs: scores generated digits in a worker (the trainer itself gets no scorer). */
  scorer: AsyncDigitScorer | null;
}
