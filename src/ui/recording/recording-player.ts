/**
 * Plays a recorded run (src/recording/recorded-run.ts) into the page's store, as if it trained:
 * a virtual step advances on animation frames so the whole recording plays in about a minute, and
 * the store gets exactly what a live run writes for the charts and grids — the statistics history
 * up to the step, each variant's latest captured samples, the step, the phase, the live and
 * diverged variants — plus `run.recording`, the label that says it is a recording (adapter, date,
 * settings). It never invents a number: every value shown was captured by the real trainer.
 *
 * The live session must not run while a player is attached (both would write the same fields):
 * pause it before constructing a player, dispose the player before training live again.
 */
import type { VariantName } from '../../gan/config';
import type { StepMetrics } from '../../gan/trainer';
import { FIELD_GRID } from '../../gan/trainer';
import type { RecordedFrame, RecordedRun } from '../../recording/recorded-run';
import { recordingLabel } from '../../recording/recording-label';
import { initialRun, type AppStore, type RunState } from '../state/store';
import type { FieldFrame, ImageFrame, MetricsHistory } from '../view-model';

/** Time and animation frames, injectable so tests drive the player with a fake clock. */
export interface PlayerClock {
  requestFrame(callback: (timeMs: number) => void): number;
  cancelFrame(handle: number): void;
}

export const animationFrameClock: PlayerClock = {
  requestFrame: (callback) => requestAnimationFrame(callback),
  cancelFrame: (handle) => cancelAnimationFrame(handle),
};

export interface PlayerOptions {
  /** Seconds the whole recording takes to play (default 60). */
  durationSeconds?: number;
  clock?: PlayerClock;
}

/** A frame longer than this (a hidden tab, a debugger stop) advances no more than this. */
const MAX_FRAME_MS = 250;

export class RecordingPlayer {
  /** Every step with a capture (metrics or samples), increasing. */
  readonly capturedSteps: readonly number[];
  private readonly clock: PlayerClock;
  private readonly stepsPerMs: number;
  private readonly byVariant = new Map<VariantName, StepMetrics[]>();
  private position: number;
  private shownStep = -1;
  private handle: number | null = null;
  private lastTime: number | null = null;
  private disposed = false;

  constructor(
    private readonly store: AppStore,
    readonly run: RecordedRun,
    options: PlayerOptions = {},
  ) {
    this.clock = options.clock ?? animationFrameClock;
    for (const v of run.config.variants) this.byVariant.set(v, []);
    for (const m of run.metrics) this.byVariant.get(m.variant)?.push(m);
    const steps = new Set([...run.metrics.map((m) => m.step), ...run.frames.map((f) => f.step)]);
    this.capturedSteps = [...steps].sort((a, b) => a - b);
    const span = this.lastStep - this.firstStep;
    this.stepsPerMs = span / (1000 * (options.durationSeconds ?? 60));
    this.position = this.firstStep;
    store.setRun({ recording: recordingLabel(run) });
    this.publish('paused');
  }

  get firstStep(): number {
    return this.capturedSteps[0];
  }

  get lastStep(): number {
    return this.capturedSteps[this.capturedSteps.length - 1];
  }

  /** The virtual step shown now. */
  get step(): number {
    return Math.floor(this.position);
  }

  get playing(): boolean {
    return this.handle !== null;
  }

  /** Plays from the current step (from the start again once it has reached the end). */
  play(): void {
    if (this.disposed || this.playing) return;
    if (this.step >= this.lastStep) this.position = this.firstStep;
    this.lastTime = null;
    this.handle = this.clock.requestFrame((t) => this.tick(t));
    this.publish('running');
  }

  pause(): void {
    if (this.disposed) return;
    this.stopFrames();
    this.publish('paused');
  }

  /** Pauses and moves to the next captured step (stays on the last one at the end). */
  stepOnce(): void {
    if (this.disposed) return;
    this.stopFrames();
    const next = this.capturedSteps.find((s) => s > this.step);
    this.position = next ?? this.lastStep;
    this.publish('paused');
  }

  /** Pauses at `step` (clamped to the recording), for the scrubber. */
  seek(step: number): void {
    if (this.disposed) return;
    this.stopFrames();
    this.position = Math.min(this.lastStep, Math.max(this.firstStep, Math.floor(step)));
    this.publish('paused');
  }

  /** Pauses at the first capture. */
  reset(): void {
    if (this.disposed) return;
    this.stopFrames();
    this.position = this.firstStep;
    this.publish('paused');
  }

  /** Stops and hands the store back empty (keeping the visitor's own backend), label removed. */
  dispose(): void {
    if (this.disposed) return;
    this.stopFrames();
    this.disposed = true;
    this.store.setRun({ ...initialRun(), backend: this.store.run.backend, recording: null });
  }

  private stopFrames(): void {
    if (this.handle !== null) this.clock.cancelFrame(this.handle);
    this.handle = null;
    this.lastTime = null;
  }

  private tick(time: number): void {
    this.handle = null;
    if (this.disposed) return;
    const elapsed = this.lastTime === null ? 0 : Math.min(MAX_FRAME_MS, Math.max(0, time - this.lastTime));
    this.lastTime = time;
    this.position = Math.min(this.lastStep, this.position + elapsed * this.stepsPerMs);
    if (this.step >= this.lastStep) {
      this.lastTime = null;
      this.publish('paused');
      return;
    }
    this.handle = this.clock.requestFrame((t) => this.tick(t));
    if (this.step !== this.shownStep) this.publish('running');
  }

  /** Writes the state at the current step, as a live run's publish would. */
  private publish(phase: 'running' | 'paused'): void {
    const step = this.step;
    this.shownStep = step;
    const history: MetricsHistory = new Map();
    for (const [v, list] of this.byVariant) {
      const upTo = list.filter((m) => m.step <= step);
      if (upTo.length > 0) history.set(v, upTo);
    }
    const diverged: RunState['diverged'] = {};
    for (const [v, at] of Object.entries(this.run.diverged) as [VariantName, number][])
      if (at <= step) diverged[v] = at;
    const patch: Partial<RunState> = {
      phase,
      step,
      stepsPerSecond: 0,
      framesPerSecond: 0,
      variants: this.run.config.variants.filter((v) => diverged[v] === undefined),
      diverged,
      history,
      ...this.pictures(step, diverged),
    };
    this.store.setRun(patch);
  }

  /** Each variant's latest frame at or before `step`, decoded, in the live run's frame types. */
  private pictures(step: number, diverged: RunState['diverged']): Pick<RunState, 'images' | 'fields'> {
    const images: RunState['images'] = {};
    const fields: RunState['fields'] = {};
    for (const v of this.run.config.variants) {
      const frame = latestFrameOf(this.run.frames, v, step);
      if (!frame) continue;
      const samples = frame.samples[v]!;
      const divergedAt = diverged[v] ?? null;
      if (this.run.kind === 'images') {
        const side = this.run.side;
        const image: ImageFrame = {
          variant: v,
          step: frame.step,
          images: samples,
          count: samples.length / (side * side),
          side,
          diverged: divergedAt,
        };
        images[v] = image;
      } else if (this.run.extent) {
        const field: FieldFrame = {
          variant: v,
          step: frame.step,
          extent: this.run.extent,
          gridSize: FIELD_GRID,
          // D's field and the arrows are not recorded: only the generated points are drawn.
          field: null,
          fieldIsProbability: this.run.config.loss === 'standard',
          samples,
          arrows: null,
          diverged: divergedAt,
        };
        fields[v] = field;
      }
    }
    return { images, fields };
  }
}

/** The last frame at or before `step` that holds `variant`'s samples. */
export function latestFrameOf(
  frames: readonly RecordedFrame[],
  variant: VariantName,
  step: number,
): RecordedFrame | null {
  for (let i = frames.length - 1; i >= 0; i--) {
    if (frames[i].step <= step && frames[i].samples[variant]) return frames[i];
  }
  return null;
}
