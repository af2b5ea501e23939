/**
 * The page's automation interface (`window.sngan`), for end-to-end tests and for poking at a run
 * from the browser's console. It only reads the session's real state and calls its public
 * methods: nothing in it is a shape, a count or a behaviour made up for a test. Whatever a test
 * needs to invent (e.g. extra load for the spectrum worker) it passes in.
 */
import { LIMIT_NAMES, type LimitName } from '../gpu/limits';
import { WorkerBackend } from '../engine/worker-backend';
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
  /** The engine's limits as the page's GPU device really has them (not as asked), or null on the CPU backend. */
  deviceLimits(): Record<LimitName, number> | null;
  /**
   * Where the current run's arithmetic happens: on the GPU, in the CPU backend's worker, or on
   * the CPU on the main thread (`#cpu=main`, or no Worker); null without a run.
   */
  engineRunsOn(): 'webgpu' | 'cpu-worker' | 'cpu-main-thread' | null;
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
  /**
   * Fault injection (issue 14): makes the spectrum or digit-score worker fail — `throw` sends a
   * job that throws inside the worker, `stop` terminates the worker while a job (random layers or
   * digits) is unanswered. Resolves with the message that job was rejected with.
   */
  failWorker(worker: 'spectra' | 'digits', fault: 'throw' | 'stop'): Promise<string>;
  /** Workers each client has created so far (1 + restarts), or null before it exists. */
  workersStarted(): { spectra: number | null; digits: number | null };
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
    deviceLimits: () => {
      const limits = session.gpuContext?.device.limits;
      return limits ? (Object.fromEntries(LIMIT_NAMES.map((n) => [n, limits[n]])) as Record<LimitName, number>) : null;
    },
    engineRunsOn: () => {
      const backend = session.trainer?.backend;
      if (!backend) return null;
      if (backend.kind === 'webgpu') return 'webgpu';
      return backend instanceof WorkerBackend ? 'cpu-worker' : 'cpu-main-thread';
    },
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
    async failWorker(worker, fault) {
      const target = worker === 'spectra' ? session.spectrumWorker : session.digitScorer;
      if (!target) throw new Error(`no ${worker} worker (${worker === 'digits' ? 'not a digits run' : 'no run yet'})`);
      let job: Promise<unknown>;
      if (fault === 'throw') job = target.throwInWorker();
      else {
        const rng = new Rng(5);
        const W = rng.normalArray(256 * 256, 0.05);
        job =
          worker === 'spectra'
            ? session.spectrumWorker!.compute([{ name: 'load', shape: [256, 256], W, Wbar: W, sigmaEstimate: null }])
            : session.digitScorer!.score([{ images: rng.normalArray(16 * 32 * 32, 0.5), count: 16 }]);
        target.stop("stopped mid-job by the page's automation");
      }
      return job.then(
        () => 'the job succeeded',
        (error: Error) => error.message,
      );
    },
    workersStarted: () => ({
      spectra: session.spectrumWorker?.workersStarted ?? null,
      digits: session.digitScorer?.workersStarted ?? null,
    }),
  };
}
