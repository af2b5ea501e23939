/**
 * Drives training on the page: builds a run from the store's settings, steps it from the frame
 * loop, feeds the store (history, pictures, speed), and handles what can go wrong — no WebGPU, a
 * lost device, a diverging variant, a hidden tab — with a message and a safe state. The engine
 * below it knows nothing of the DOM; components above it only read the store.
 *
 * Its parts: frame-loop.ts (stepping within a frame budget, the speed tuner), rate-meter.ts,
 * checkpoints.ts (what a lost device resumes from), digit-scoring.ts, run-view.ts (the pictures).
 * The statistics history is the trainer's own (bounded); the session only publishes it.
 */
import type { GpuContext } from '../../gpu/device';
import type { Backend } from '../../engine/backend';
import type { BoundedMetricsHistory } from '../../gan/metrics-history';
import { validateConfig, type TrainerConfig, type VariantName } from '../../gan/config';
import { GanTrainer, type StepMetrics, type StepPhase, type TrainerCheckpoint } from '../../gan/trainer';
import type { AsyncDigitScorer } from '../../metrics/digit-score-client';
import type { SpectrumComputer } from '../../spectra/spectra';
import type { WorkerSpectra } from '../../spectra/worker-client';
import { realSamplePoints } from '../visuals/field-render';
import { backendOn, chooseDevice, cpuDevice, type Device } from './backend-choice';
import { Checkpoints } from './checkpoints';
import { DigitScoring } from './digit-scoring';
import { loadDigits } from './digits';
import { FrameLoop } from './frame-loop';
import { RateMeter } from './rate-meter';
import { browserEnvironment, type Run, type SessionEnvironment } from './run';
import { runPictures } from './run-view';
import { isImageData, RUN_KEYS, trainerConfig, type PageSettings } from '../state/settings';
import type { AppStore, RunMemory } from '../state/store';

export { browserEnvironment, type SessionEnvironment } from './run';

/** How often the views (charts, pictures) are refreshed: chart.js redraws cost milliseconds. */
const PUBLISH_EVERY_MS = 400;

/** What a run resumed after a lost device starts from. */
interface Restore {
  checkpoint: TrainerCheckpoint;
  /** The lost run's statistics (those after the checkpoint's step are dropped). */
  history: BoundedMetricsHistory | null;
}

export class TrainingSession {
  private device: Device | null = null;
  private devicePromise: Promise<Device> | null = null;
  private run: Run | null = null;
  private spectra: WorkerSpectra | null = null;
  private readonly loop = new FrameLoop(
    (now) => this.frame(now),
    () => this.store.settings.speed === 0,
  );
  private readonly rate = new RateMeter();
  private readonly checkpoints = new Checkpoints();
  private readonly scoring = new DigitScoring();
  private lastPublish = 0;
  /** Statistics arrived since the last publish. */
  private dirty = false;
  private building: Promise<void> | null = null;
  /**
   * The statistics of the latest run built (also while a replacement is being built), which a
   * run resumed from a checkpoint after a lost device carries on.
   */
  private lastHistory: BoundedMetricsHistory | null = null;

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

  /** The page's spectrum computer (a worker), once the first run has been built. */
  get spectrumComputer(): SpectrumComputer | null {
    return this.spectra?.compute ?? null;
  }

  /** The spectrum worker's controls (fault injection, restarts), once the first run has been built. */
  get spectrumWorker(): WorkerSpectra | null {
    return this.spectra;
  }

  /** The current image run's digit scorer (a worker), or null. */
  get digitScorer(): AsyncDigitScorer | null {
    return this.run?.scorer ?? null;
  }

  /** The step of the checkpoint a lost device would resume from, or null. */
  get checkpointStep(): number | null {
    return this.checkpoints.latest?.step ?? null;
  }

  /**
   * What the device holds now: every live buffer of the GPU registry (only the current run's, as
   * each run's buffers are destroyed before the next is built), or the CPU run's tensors.
   */
  get memory(): RunMemory | null {
    const registry = this.device?.ctx?.buffers;
    if (registry) return { kind: 'webgpu', items: registry.liveBuffers, bytes: registry.liveBytes };
    const cpu = this.run?.backend.memory();
    return cpu ? { kind: 'cpu', items: cpu.tensors, bytes: cpu.bytes } : null;
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
    this.rate.start(performance.now(), this.run.trainer.steps);
    this.checkpoints.restartClock(performance.now());
    this.loop.schedule();
  }

  pause(): void {
    if (this.store.run.phase !== 'running') return;
    this.store.setRun({ phase: 'paused', stepsPerSecond: 0, framesPerSecond: 0 });
    this.loop.cancel();
    // Captures that arrived since the last periodic publish would otherwise stay off the charts.
    this.publish();
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
    // The drawing shapes a run only while the data is the drawing.
    const drawn = prev.data === 'drawn' || next.data === 'drawn';
    const changed = RUN_KEYS.filter(
      (k) => (k !== 'points' || drawn) && JSON.stringify(prev[k]) !== JSON.stringify(next[k]),
    );
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
        info: `Changed ${changed.map((k) => (k === 'points' ? 'the drawing' : k)).join(', ')}: a new run started at step 0 (same seed, so every variant starts from the same weights).`,
      });
    }
  }

  /**
   * Builds a run for the current settings on the device (acquired once), replacing the old one, or
   * restores one from a checkpoint; builds queue up behind each other.
   */
  private rebuild(restore?: Restore): Promise<void> {
    const job = (this.building ?? Promise.resolve()).then(() => this.rebuildNow(restore));
    this.building = job.catch(() => undefined);
    return job;
  }

  private async rebuildNow(restore?: Restore): Promise<void> {
    this.loop.cancel();
    const settings = this.store.settings;
    this.store.setRun({
      phase: 'starting',
      problem: null,
      spectraProblem: null,
      scoreProblem: null,
      stepsPerSecond: 0,
      framesPerSecond: 0,
    });
    if (!restore) this.checkpoints.clear();
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
      // One CNN step takes seconds on the CPU backend: in its worker a run would barely move, and on
      // the main thread (#cpu=main) the page would freeze.
      this.store.setRun({
        phase: 'failed',
        backend: device.info,
        variants: [],
        problem:
          'Training the CNN on digits needs WebGPU: on the CPU backend one step takes tens of seconds, so a run ' +
          'would barely move. Choose a 2-D data set (or open the page in a browser with WebGPU); scene 5 of the ' +
          'lesson plays a recorded digits run.',
      });
      return;
    }
    try {
      const images = isImageData(config.data) ? await this.loadImages() : undefined;
      const backend = backendOn(device, {
        thread: this.env.cpuThread,
        onWorkerFailure: (error) => this.onWorkerFailure(backend, error),
      });
      // A kernel that does not compile stops here, with its file and line, before any pipeline.
      await backend.ready();
      this.spectra ??= this.env.spectra();
      // Listeners made once, not here: a closure made in this method shares its scope, `backend`
      // included, and the workers outlive the run (a lost device stayed alive through them).
      this.spectra.onFailure = this.onSpectraFailure;
      if (images) images.scorer.onFailure = this.onScoreFailure;
      const trainer = new GanTrainer(backend, config, images?.data, undefined, this.spectra.compute);
      if (restore) {
        trainer.restore(restore.checkpoint);
        if (restore.history) trainer.history.adopt(restore.history, restore.checkpoint.step);
      }
      const run: Run = { config, backend, trainer, scorer: images?.scorer ?? null };
      this.run = run;
      this.lastHistory = trainer.history;
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
        diverged: restore ? this.store.run.diverged : {},
        history: new Map(trainer.history.byVariant()),
        rates: restore ? this.store.run.rates : [],
        fields: restore ? this.store.run.fields : {},
        images: restore ? this.store.run.images : {},
        realPoints: dataset ? realSamplePoints(dataset.anchors, dataset.std, 1000, config.seed) : null,
        memory: this.memory,
      });
      if (!restore) {
        this.rate.newRun();
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

  /**
   * Finds the device (GPU, or the CPU backend and why) and shows it, without building a run: a
   * scene that may play a recording instead decides on this before it trains anything.
   */
  async connect(): Promise<void> {
    const device = await this.ensureDevice();
    this.store.setRun({ backend: device.info });
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
      this.env.specDefaultLimits,
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

  /** One animation frame while running: steps, speed, views, checkpoints. Returns whether to go on. */
  private frame(now: number): boolean {
    const run = this.run;
    if (!run || this.store.run.phase !== 'running') return false;
    const trainer = run.trainer;
    this.loop.submitSteps(run, this.store.settings.speed, (e) =>
      this.store.setRun({ problem: `Training failed: ${e.message}` }),
    );
    const reading = this.rate.frame(now, trainer.steps, this.store.run.rates);
    if (reading) this.store.setRun(reading);
    if (now - this.lastPublish >= PUBLISH_EVERY_MS) this.publish();
    if (this.checkpoints.due(now)) void this.takeCheckpoint();
    if (trainer.liveVariants.length === 0) {
      this.store.setRun({ phase: 'paused', info: 'Every variant has diverged: reset or change the settings.' });
      this.publish();
      return false;
    }
    return true;
  }

  /** A statistics capture arrived (the trainer has put it in its history): refresh on the next publish. */
  private record(run: Run, batch: StepMetrics[]): void {
    if (this.run !== run) return;
    this.dirty = true;
    if (run.scorer) {
      this.scoring.score(run, run.scorer, batch, () => {
        if (this.run !== run) return;
        this.dirty = true;
        if (this.store.run.phase !== 'running') this.publish();
      });
    }
    if (this.store.run.phase !== 'running') this.publish();
  }

  private readonly onSpectraFailure = (error: Error): void => this.workerFailed('spectraProblem', error);
  private readonly onScoreFailure = (error: Error): void => this.workerFailed('scoreProblem', error);

  /**
   * A worker's job failed (it threw, failed to load, or was stopped): its panel says what failed;
   * training goes on, and the worker's next job starts a fresh worker.
   */
  private workerFailed(key: 'spectraProblem' | 'scoreProblem', error: Error): void {
    const step = this.run ? ` near step ${this.run.trainer.steps}` : '';
    const what = key === 'spectraProblem' ? 'Spectra' : 'Digit scores';
    this.store.setRun({
      [key]: `${what}${step} are missing: ${error.message}. A fresh worker takes the next job; training goes on.`,
    });
  }

  /** Hands the latest history and pictures to the views (a new Map, so Lit sees the change). */
  private publish(): void {
    this.lastPublish = performance.now();
    const run = this.run;
    if (!run) return;
    const patch: Partial<typeof this.store.run> = { step: run.trainer.steps, memory: this.memory };
    if (this.dirty) {
      this.dirty = false;
      const history = new Map(run.trainer.history.byVariant());
      Object.assign(patch, { history, ...runPictures(run), variants: this.liveNames() });
    }
    this.store.setRun(patch);
  }

  private takeCheckpoint(): Promise<void> {
    const run = this.run;
    if (!run) return Promise.resolve();
    // A checkpoint's read-back leaves its staging buffers pooled: show them, even while paused.
    return this.checkpoints
      .take(run, (r) => this.run === r)
      .then(() => {
        if (this.run === run) this.store.setRun({ memory: this.memory });
      });
  }

  private onVisibility(hidden: boolean): void {
    // A recorded run on show owns the phase (its player's "running"): the live run waits, paused.
    if (this.store.run.recording) return;
    if (hidden && this.store.run.phase === 'running') {
      this.pause();
      this.store.setRun({ hiddenPause: true, info: 'Paused while the tab is hidden; it resumes when you come back.' });
    } else if (!hidden && this.store.run.hiddenPause) {
      this.store.setRun({ hiddenPause: false });
      this.play();
    }
  }

  /** The CPU backend's worker stopped: this run cannot go on; a reset or new settings start another. */
  private onWorkerFailure(backend: Backend, error: Error): void {
    if (this.run?.backend !== backend) return;
    this.loop.cancel();
    // No run: play does nothing, and a reset or a settings change builds a fresh one.
    this.run = null;
    backend.destroy();
    this.store.setRun({ phase: 'failed', problem: `Training stopped: ${error.message}` });
  }

  /**
   * The device went away (driver reset, GPU process crash, or destroyed): tell the visitor, get a
   * new device (the CPU if none), and resume from the last checkpoint of this run.
   */
  private onDeviceLost(info: GPUDeviceLostInfo, ctx: GpuContext): void {
    if (this.device?.ctx !== ctx) return;
    const wasRunning = this.store.run.phase === 'running' || this.store.run.hiddenPause;
    const checkpoint = this.checkpoints.latest;
    this.loop.cancel();
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
      const restore = checkpoint ? { checkpoint, history: this.lastHistory } : undefined;
      await this.rebuild(restore).catch(() => undefined);
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
