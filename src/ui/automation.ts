/**
 * The page's automation interface (`window.sngan`), for end-to-end tests and for poking at a run
 * from the browser's console. It only reads the session's real state and calls its public
 * methods: nothing in it is a shape, a count or a behaviour made up for a test. Whatever a test
 * needs to invent (e.g. extra load for the spectrum worker) it passes in.
 */
import type { LayerWeights } from '../spectra/spectra';
import { Rng } from '../reference/random';
import type { TrainingSession } from './session/session';
import type { AppStore, RunMemory } from './state/store';

export type Shape = [rows: number, cols: number];

export interface SnganAutomation {
  store: AppStore;
  /** Steps the current run has submitted (ahead of `store.run.step`, which is published). */
  trainerSteps(): number | null;
  /** The step of the checkpoint a lost device would resume from, or null. */
  checkpointStep(): number | null;
  /** The run's live GPU buffers (CPU tensors) and bytes, read now (the status line shows them as of its last update). */
  memory(): RunMemory | null;
  /** Destroys the GPU device (as a driver reset would); false on the CPU backend. */
  loseDevice(): boolean;
  /** The current run's 2-D anchors (the points real data is sampled around; a drawing's points), or null. */
  dataAnchors(): number[] | null;
  /** [d_out, d_in] of every D layer, per live variant of the current run. */
  discriminatorShapes(): Shape[][];
  /**
   * Spectra of the current run's D layers (their weights read now), plus random layers of the
   * `load` shapes, all through the page's spectrum worker while training goes on. Returns the
   * shapes of the spectra that came back and the step counter before and after.
   */
  spectraUnderLoad(load: Shape[]): Promise<{ shapes: Shape[]; before: number; after: number }>;
}

declare global {
  interface Window {
    sngan?: SnganAutomation;
  }
}

export function automation(store: AppStore, session: TrainingSession): SnganAutomation {
  const liveVariants = () => session.trainer?.liveVariants ?? [];
  return {
    store,
    trainerSteps: () => session.trainer?.steps ?? null,
    checkpointStep: () => session.checkpointStep,
    memory: () => session.memory,
    loseDevice: () => {
      const ctx = session.gpuContext;
      ctx?.device.destroy();
      return ctx !== null;
    },
    dataAnchors: () => {
      const anchors = session.trainer?.dataset?.anchors;
      return anchors ? Array.from(anchors) : null;
    },
    discriminatorShapes: () => liveVariants().map((v) => v.normalized.map((n) => [n.layer.dOut, n.layer.dIn])),
    async spectraUnderLoad(load) {
      const trainer = session.trainer;
      const computer = session.spectrumComputer;
      if (!trainer || !computer) throw new Error('no run');
      const layers: LayerWeights[] = [];
      for (const v of liveVariants()) layers.push(...(await trainer.snapshot(v.name)));
      const rng = new Rng(3);
      for (const [rows, cols] of load) {
        const W = rng.normalArray(rows * cols, 0.05);
        layers.push({ name: `load ${rows}x${cols}`, shape: [rows, cols], W, Wbar: W, sigmaEstimate: null });
      }
      const before = trainer.steps;
      const spectra = await computer(layers);
      return { shapes: spectra.map((s) => s.shape), before, after: trainer.steps };
    },
  };
}
