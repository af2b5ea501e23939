/**
 * What a training session runs on: one run (its trainer on a backend, and for digits the scorer
 * that works off the main thread) and what the session takes from the page around it.
 */
import type { Backend } from '../../engine/backend';
import type { TrainerConfig } from '../../gan/config';
import type { GanTrainer } from '../../gan/trainer';
import type { AsyncDigitScorer } from '../../metrics/digit-score-client';
import { workerSpectrumComputer, type WorkerSpectra } from '../../spectra/worker-client';

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
}

declare global {
  interface Window {
    __snganSpecDefaultLimits?: boolean;
  }
}

export const browserEnvironment = (): SessionEnvironment => ({
  gpu: typeof navigator !== 'undefined' ? navigator.gpu : undefined,
  specDefaultLimits: typeof window !== 'undefined' && window.__snganSpecDefaultLimits === true,
  spectra: () => workerSpectrumComputer(),
});

export interface Run {
  config: TrainerConfig;
  backend: Backend;
  trainer: GanTrainer;
  /** Image runs: scores generated digits in a worker (the trainer itself gets no scorer). */
  scorer: AsyncDigitScorer | null;
}
