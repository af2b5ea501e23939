/**
 * Drives training on the page: builds a run from the store's settings, steps it from
 * requestAnimationFrame, feeds the store (history, pictures, speed), and handles what can go
 * wrong — no WebGPU, a lost device, a diverging variant, a hidden tab — with a message and a safe
 * state. The engine below it knows nothing of the DOM; components above it only read the store.
 *
 * Main-thread budget: a frame submits steps only once the GPU has finished the previous frame's
 * (back-pressure, so the queue never grows), and stops encoding after FRAME_BUDGET_MS, so no
 * task comes near 50 ms; the CPU backend runs its steps inside the same budget.
 */
import type { Backend } from '../../engine/backend';
import type { GpuContext } from '../../gpu/device';
import { validateConfig, type TrainerConfig, type VariantName } from '../../gan/config';
import { GanTrainer, FIELD_GRID, type StepMetrics, type StepPhase, type TrainerCheckpoint } from '../../gan/trainer';
import { Rng } from '../../reference/random';
import type { LayerWeights, SpectrumComputer } from '../../spectra/spectra';
import { workerSpectrumComputer } from '../../spectra/worker-client';
import { realSamplePoints } from '../visuals/field-render';
import type { FieldFrame, ImageFrame, MetricsHistory } from '../view-model';
import { backendOn, chooseDevice, cpuDevice, type Device } from './backend-choice';
import { loadDigits } from './digits';
import type { AsyncDigitScorer } from '../../metrics/digit-score-client';
import { isImageData, RUN_KEYS, trainerConfig, type PageSettings } from '../state/settings';
import type { AppStore } from '../state/store';

/** JavaScript time a frame may spend encoding or running steps. */
const FRAME_BUDGET_MS = 12;
/** How often the views (charts, pictures) are refreshed: chart.js redraws cost milliseconds. */
const PUBLISH_EVERY_MS = 400;
/** How often speed is measured, and over how many of those windows it is averaged. */
const RATE_EVERY_MS = 1000;
const RATE_WINDOWS = 3;
/** How often a checkpoint is taken while training (what a lost device resumes from). */
const CHECKPOINT_EVERY_MS = 10_000;
/** Checkpoint reading budget: one ms of interval per this many bytes (4 MB/s on average). */
const CHECKPOINT_BYTES_PER_MS = 4096;
const MAX_RATE_POINTS = 2000;
/** In "as fast as possible", the GPU time a frame's steps should take. */
const TARGET_GPU_MS = 14;

export interface SessionEnvironment {
  gpu: GPU | undefined;
  /** Forces the CPU backend with this reason (e.g. `?backend=cpu` in tests); undefined otherwise. */
  forceCpuReason?: string;
  spectra: () => SpectrumComputer;
}

export const browserEnvironment = (): SessionEnvironment => ({
  gpu: typeof navigator !== 'undefined' ? navigator.gpu : undefined,
  spectra: workerSpectrumComputer,
});

interface Run {
  config: TrainerConfig;
  backend: Backend;
  trainer: GanTrainer;
  /** Image runs: scores generated digits in a worker (the trainer itself gets no scorer). */
  scorer: AsyncDigitScorer | null;
}

export class TrainingSession {
  private device: Device | null = null;
  private devicePromise: Promise<Device> | null = null;
  private run: Run | null = null;
  private spectra: SpectrumComputer | null = null;
  private frameHandle = 0;
  private gpuBusy = false;
  private stepsPerFrame = 1;
  private rateWindow = { at: 0, step: 0, frames: 0 };
  /** Seconds this run has spent training (paused time excluded), for the speed chart. */
  private trainedSeconds = 0;
  private recentWindows: { seconds: number; steps: number; frames: number }[] = [];
  private lastPublish = 0;
  private lastCheckpointAt = 0;
  /** The latest checkpoint of the current run (or of the run it was restored from). */
  private checkpoint: TrainerCheckpoint | null = null;
  /** Big models (the paper-width CNN holds hundreds of MB) are checkpointed less often. */
  private checkpointEveryMs = CHECKPOINT_EVERY_MS;
  private history: MetricsHistory = new Map();
  private scoring = false;
  private dirty = false;
  private building: Promise<void> | null = null;

  constructor(
    private readonly store: AppStore,
    private readonly env: SessionEnvironment = browserEnvironment(),
  ) {
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', () => this.onVisibility(document.hidden));
    }
  }

  get trainer(): GanTrainer | null {
    return this.run?.trainer ?? null;
  }

  get gpuContext(): GpuContext | null {
    return this.device?.ctx ?? null;
  }

  /** Builds the first run (paused at step 0) and starts it when the link asks for autoplay. */
  async start(): Promise<void> {
    await this.rebuild();
    if (this.store.settings.autoplay && this.run) this.play();
  }

  play(): void {
    if (!this.run || this.store.run.phase === 'running') return;
    if (this.run.trainer.liveVariants.length === 0) {
      this.store.setRun({ info: 'Every variant has diverged or been switched off: reset to train again.' });
      return;
    }
    this.store.setRun({ phase: 'running', hiddenPause: false, info: null });
    this.rateWindow = { at: performance.now(), step: this.run.trainer.steps, frames: 0 };
    this.recentWindows = [];
    this.lastCheckpointAt = performance.now();
    this.schedule();
  }

  pause(): void {
    if (this.store.run.phase !== 'running') return;
    this.store.setRun({ phase: 'paused', stepsPerSecond: 0, framesPerSecond: 0 });
    this.unschedule();
    void this.takeCheckpoint();
  }

  /** One step while paused: n_dis D updates, one G update, or both; statistics always captured. */
  async stepOnce(phase: StepPhase): Promise<void> {
    const run = this.run;
    if (!run || this.store.run.phase === 'running' || run.trainer.liveVariants.length === 0) return;
    await run.trainer.step({ phase, capture: true });
    this.publish();
  }

  /** Back to step 0 with the same seed: the same initial weights, noise and data, so the run repeats itself. */
  async reset(): Promise<void> {
    await this.rebuild();
    this.store.setRun({ info: 'Reset to step 0: same seed, so the run repeats itself.' });
  }

  /**
   * New settings from the controls or the URL. Display settings apply at once; switching a
   * variant off retires it without disturbing the others; anything else starts a new run (playing
   * again if it was playing), since the variants must start together from the same weights.
   */
  async applySettings(next: PageSettings): Promise<void> {
    const prev = this.store.settings;
    this.store.setSettings(next);
    const changed = RUN_KEYS.filter((k) => JSON.stringify(prev[k]) !== JSON.stringify(next[k]));
    if (changed.length === 0) return;
    // No run (a failed start, e.g. settings the engine refused): the new settings get a fresh try.
    if (!this.run) return this.rebuild();
    const onlyRemoved =
      changed.length === 1 && changed[0] === 'variants' && next.variants.every((v) => prev.variants.includes(v));
    if (onlyRemoved && next.variants.length > 0) {
      for (const v of prev.variants) if (!next.variants.includes(v)) this.run.trainer.retire(v);
      this.store.setRun({ variants: this.liveNames(), info: null });
      this.publish();
      return;
    }
    const wasRunning = this.store.run.phase === 'running';
    await this.rebuild();
    if (this.run && wasRunning) this.play();
    if (this.run && this.run.trainer.steps === 0 && prev.variants.length > 0) {
      this.store.setRun({
        info: `Changed ${changed.join(', ')}: a new run started at step 0 (same seed, so every variant starts from the same weights).`,
      });
    }
  }

  /**
   * Builds a run for the current settings on the device (acquired once), replacing the old one, or
   * restores one from a checkpoint; builds queue up behind each other.
   */
  private rebuild(restoreFrom?: TrainerCheckpoint): Promise<void> {
    const job = (this.building ?? Promise.resolve()).then(() => this.rebuildNow(restoreFrom));
    this.building = job.catch(() => undefined);
    return job;
  }

  private async rebuildNow(restoreFrom?: TrainerCheckpoint): Promise<void> {
    this.unschedule();
    const settings = this.store.settings;
    this.store.setRun({ phase: 'starting', problem: null, stepsPerSecond: 0, framesPerSecond: 0 });
    if (!restoreFrom) this.checkpoint = null;
    await this.disposeRun();
    let config: TrainerConfig;
    try {
      config = trainerConfig(settings);
      validateConfig(config);
    } catch (error) {
      this.store.setRun({ phase: 'failed', problem: (error as Error).message });
      return;
    }
    const device = await this.ensureDevice();
    if (device.info.kind === 'cpu' && isImageData(config.data)) {
      // One CNN step takes seconds on the CPU backend, on the main thread: the page would freeze.
      this.store.setRun({
        phase: 'failed',
        backend: device.info,
        variants: [],
        problem:
          'Training the CNN on digits needs WebGPU: on the CPU backend one step takes seconds and would freeze ' +
          'the page. Choose a 2-D data set (or open the page in a browser with WebGPU).',
      });
      return;
    }
    try {
      const images = isImageData(config.data) ? await this.loadImages() : undefined;
      const backend = backendOn(device);
      this.spectra ??= this.env.spectra();
      const trainer = new GanTrainer(backend, config, images?.data, undefined, this.spectra);
      if (restoreFrom) trainer.restore(restoreFrom);
      const run: Run = { config, backend, trainer, scorer: images?.scorer ?? null };
      this.run = run;
      this.history = restoreFrom ? truncateHistory(this.history, restoreFrom.step) : new Map();
      trainer.onSpectra(() => {
        if (this.run === run) this.dirty = true;
      });
      trainer.onMetrics((batch) => this.record(run, batch));
      const dataset = trainer.dataset;
      this.store.setRun({
        phase: 'paused',
        step: trainer.steps,
        backend: device.info,
        variants: this.liveNames(),
        diverged: restoreFrom ? this.store.run.diverged : {},
        history: this.history,
        rates: restoreFrom ? this.store.run.rates : [],
        fields: restoreFrom ? this.store.run.fields : {},
        images: restoreFrom ? this.store.run.images : {},
        realPoints: dataset ? realSamplePoints(dataset.anchors, dataset.std, 1000, config.seed) : null,
      });
      if (!restoreFrom) {
        this.trainedSeconds = 0;
        // The state at step 0, so even an early device loss can resume.
        void this.takeCheckpoint();
      }
    } catch (error) {
      this.store.setRun({ phase: 'failed', problem: `Could not start training: ${(error as Error).message}` });
    }
  }

  private async loadImages() {
    this.store.setRun({ info: 'Loading the digits and the digit classifier…' });
    const digits = await loadDigits();
    this.store.setRun({ info: null });
    return digits;
  }

  private ensureDevice(): Promise<Device> {
    if (this.device) return Promise.resolve(this.device);
    this.devicePromise ??= chooseDevice(
      this.env.gpu,
      {
        onLost: (info, ctx) => this.onDeviceLost(info, ctx),
        onError: (error) => this.store.setRun({ problem: `GPU error: ${error.message}` }),
      },
      this.env.forceCpuReason,
    ).then((d) => (this.device = d));
    return this.devicePromise;
  }

  private async disposeRun(): Promise<void> {
    const old = this.run;
    this.run = null;
    if (!old) return;
    // Let outstanding read-backs finish before their buffers go (a destroyed buffer fails its map).
    await old.trainer.statsSettled().catch(() => undefined);
    await old.trainer.spectraSettled().catch(() => undefined);
    await old.backend.idle().catch(() => undefined);
    old.backend.destroy();
  }

  private liveNames(): VariantName[] {
    return this.run ? this.run.trainer.liveVariants.map((v) => v.name) : [];
  }

  private schedule(): void {
    if (this.frameHandle === 0) this.frameHandle = requestAnimationFrame((t) => this.frame(t));
  }

  private unschedule(): void {
    if (this.frameHandle !== 0) cancelAnimationFrame(this.frameHandle);
    this.frameHandle = 0;
  }

  private frame(now: number): void {
    this.frameHandle = 0;
    const run = this.run;
    if (!run || this.store.run.phase !== 'running') return;
    const trainer = run.trainer;
    const began = performance.now();
    if (!this.gpuBusy && trainer.liveVariants.length > 0) {
      const speed = this.store.settings.speed;
      const wanted = speed === 0 ? this.stepsPerFrame : speed;
      let done = 0;
      while (done < wanted && trainer.liveVariants.length > 0) {
        void trainer.step().catch((e: Error) => this.store.setRun({ problem: `Training failed: ${e.message}` }));
        done++;
        if (performance.now() - began > FRAME_BUDGET_MS) break;
      }
      if (run.backend.kind === 'webgpu') this.waitForGpu(run, performance.now(), done === wanted);
    }
    this.rateWindow.frames++;
    if (now - this.rateWindow.at >= RATE_EVERY_MS) this.measureRate(now, trainer.steps);
    if (now - this.lastPublish >= PUBLISH_EVERY_MS) this.publish();
    if (now - this.lastCheckpointAt >= this.checkpointEveryMs) {
      this.lastCheckpointAt = now;
      void this.takeCheckpoint();
    }
    if (trainer.liveVariants.length === 0) {
      this.store.setRun({ phase: 'paused', info: 'Every variant has diverged: reset or change the settings.' });
      this.publish();
      return;
    }
    this.schedule();
  }

  /** Back-pressure: no new steps until the GPU has run this frame's; tunes "as fast as possible". */
  private waitForGpu(run: Run, submittedAt: number, usedAll: boolean): void {
    this.gpuBusy = true;
    void run.backend.idle().then(
      () => {
        this.gpuBusy = false;
        if (this.store.settings.speed !== 0 || !usedAll) return;
        const took = Math.max(0.5, performance.now() - submittedAt);
        const scaled = (this.stepsPerFrame * TARGET_GPU_MS) / took;
        this.stepsPerFrame = Math.max(1, Math.min(500, Math.round(0.7 * this.stepsPerFrame + 0.3 * scaled)));
      },
      () => (this.gpuBusy = false),
    );
  }

  /**
   * Speed over the last few windows: a slow device finishes a frame's steps in bursts, and a
   * single one-second window would read 0 and 10 steps/s in turn.
   */
  private measureRate(now: number, step: number): void {
    const w = this.rateWindow;
    const seconds = (now - w.at) / 1000;
    this.rateWindow = { at: now, step, frames: 0 };
    this.trainedSeconds += seconds;
    this.recentWindows = [...this.recentWindows, { seconds, steps: step - w.step, frames: w.frames }].slice(
      -RATE_WINDOWS,
    );
    const total = this.recentWindows.reduce(
      (sum, x) => ({ seconds: sum.seconds + x.seconds, steps: sum.steps + x.steps, frames: sum.frames + x.frames }),
      { seconds: 0, steps: 0, frames: 0 },
    );
    const stepsPerSecond = total.steps / total.seconds;
    const framesPerSecond = total.frames / total.seconds;
    const point = { seconds: this.trainedSeconds, step, stepsPerSecond, framesPerSecond };
    const rates = [...this.store.run.rates, point].slice(-MAX_RATE_POINTS);
    this.store.setRun({ stepsPerSecond, framesPerSecond, rates });
  }

  /** Statistics of one capture: history is appended here, views refreshed on the next publish. */
  private record(run: Run, batch: StepMetrics[]): void {
    if (this.run !== run) return;
    for (const m of batch) {
      const list = this.history.get(m.variant) ?? [];
      list.push(m);
      this.history.set(m.variant, list);
    }
    this.dirty = true;
    if (run.scorer) this.score(run, run.scorer, batch);
    if (this.store.run.phase !== 'running') this.publish();
  }

  /**
   * Digit scores of a capture, computed in the scorer's worker and filled into the metrics when
   * they arrive. A capture that comes while the previous one is still being scored is left
   * unscored (its score points are simply absent), so jobs never pile up.
   */
  private score(run: Run, scorer: AsyncDigitScorer, batch: StepMetrics[]): void {
    if (this.scoring) return;
    const scored = batch.filter((m) => run.trainer.status.get(m.variant)?.diverged === null);
    const jobs = scored.map((m) => ({
      images: run.trainer.status.get(m.variant)!.samples!.slice(),
      count: run.config.evalSamples,
    }));
    if (jobs.length === 0) return;
    this.scoring = true;
    scorer.score(jobs).then(
      (scores) => {
        this.scoring = false;
        scored.forEach((m, i) => {
          m.inceptionScore = scores[i].inceptionScore;
          m.fid = scores[i].fid;
        });
        if (this.run !== run) return;
        this.dirty = true;
        if (this.store.run.phase !== 'running') this.publish();
      },
      (error: Error) => {
        this.scoring = false;
        this.store.setRun({ problem: `Digit scores unavailable: ${error.message}` });
      },
    );
  }

  /** Hands the latest history and pictures to the views (a new Map, so Lit sees the change). */
  private publish(): void {
    this.lastPublish = performance.now();
    const run = this.run;
    if (!run) return;
    const trainer = run.trainer;
    const patch: Partial<typeof this.store.run> = { step: trainer.steps };
    if (this.dirty) {
      this.dirty = false;
      const fields: Partial<Record<VariantName, FieldFrame>> = {};
      const images: Partial<Record<VariantName, ImageFrame>> = {};
      const diverged: Partial<Record<VariantName, number>> = {};
      for (const [name, s] of trainer.status) {
        if (s.diverged !== null) diverged[name] = s.diverged;
        if (trainer.extent) {
          fields[name] = {
            variant: name,
            step: s.capturedAt,
            extent: trainer.extent,
            gridSize: FIELD_GRID,
            field: s.field,
            fieldIsProbability: run.config.loss === 'standard',
            samples: s.samples,
            arrows: s.arrows,
            diverged: s.diverged,
          };
        } else {
          images[name] = {
            variant: name,
            step: s.capturedAt,
            images: s.samples,
            count: s.samples ? Math.min(64, run.config.evalSamples) : 0,
            side: 32,
            diverged: s.diverged,
          };
        }
      }
      Object.assign(patch, { history: new Map(this.history), fields, images, diverged, variants: this.liveNames() });
    }
    this.store.setRun(patch);
  }

  private async takeCheckpoint(): Promise<void> {
    const run = this.run;
    if (!run) return;
    try {
      const checkpoint = await run.trainer.checkpoint();
      if (this.run === run) {
        this.checkpoint = checkpoint;
        const bytes = checkpoint.entries.reduce((sum, e) => sum + (e.values?.byteLength ?? 4), 0);
        this.checkpointEveryMs = Math.max(CHECKPOINT_EVERY_MS, (bytes / CHECKPOINT_BYTES_PER_MS) | 0);
      }
    } catch {
      // A device lost while reading: the previous checkpoint stays.
    }
  }

  /**
   * Test support: the paper-width CNN's largest layers through the page's spectrum worker (seconds
   * of work), started right after a statistics capture; reports the step counter before and after.
   */
  async heavySpectra(): Promise<{ layers: number; before: number; after: number }> {
    const run = this.run;
    if (!run || !this.spectra) throw new Error('no run');
    await run.trainer.statsSettled();
    const before = run.trainer.steps;
    const rng = new Rng(3);
    const layers: LayerWeights[] = [
      [512, 2304],
      [256, 4096],
      [512, 2304],
      [256, 4096],
    ].map(([rows, cols]) => {
      const W = rng.normalArray(rows * cols, 0.05);
      return { name: `${rows}x${cols}`, shape: [rows, cols] as [number, number], W, Wbar: W, sigmaEstimate: null };
    });
    const spectra = await this.spectra(layers);
    return { layers: spectra.length, before, after: run.trainer.steps };
  }

  private onVisibility(hidden: boolean): void {
    if (hidden && this.store.run.phase === 'running') {
      this.pause();
      this.store.setRun({ hiddenPause: true, info: 'Paused while the tab is hidden; it resumes when you come back.' });
    } else if (!hidden && this.store.run.hiddenPause) {
      this.store.setRun({ hiddenPause: false });
      this.play();
    }
  }

  /**
   * The device went away (driver reset, GPU process crash, or destroyed): tell the visitor, get a
   * new device (the CPU if none), and resume from the last checkpoint of this run.
   */
  private onDeviceLost(info: GPUDeviceLostInfo, ctx: GpuContext): void {
    if (this.device?.ctx !== ctx) return;
    const wasRunning = this.store.run.phase === 'running' || this.store.run.hiddenPause;
    const checkpoint = this.checkpoint;
    this.unschedule();
    const lostRun = this.run;
    this.run = null;
    this.device = null;
    this.devicePromise = null;
    const why = `The GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}).`;
    this.store.setRun({
      phase: 'recovering',
      problem: `${why} Recovering from ${checkpoint ? `step ${checkpoint.step}` : 'step 0'}…`,
    });
    void (async () => {
      await lostRun?.trainer.statsSettled().catch(() => undefined);
      const device = await this.ensureDevice();
      if (device.info.kind === 'cpu')
        this.device = cpuDevice(`${why} No new GPU device: ${device.info.fallbackReason}`);
      await this.rebuild(checkpoint ?? undefined).catch(() => undefined);
      if (!this.run) return;
      const retired = lostRun ? [...lostRun.trainer.retiredVariants] : [];
      for (const v of retired) this.run.trainer.retire(v);
      // Play first: play() clears the info line, and this message must stay.
      if (wasRunning) this.play();
      this.store.setRun({
        problem: null,
        variants: this.liveNames(),
        info: `${why} Resumed from step ${this.run.trainer.steps} on ${this.store.run.backend?.description}.`,
      });
      this.publish();
    })();
  }
}

/** Statistics after `step` belong to a future the checkpoint does not have. */
function truncateHistory(history: MetricsHistory, step: number): MetricsHistory {
  const out: MetricsHistory = new Map();
  for (const [name, list] of history)
    out.set(
      name,
      list.filter((m) => m.step <= step),
    );
  return out;
}
