/**
 * Training speed for the status line and the speed chart: steps and frames per second, measured
 * every RATE_EVERY_MS and averaged over the last RATE_WINDOWS measurements (a slow device finishes
 * a frame's steps in bursts, and a single one-second window would read 0 and 10 steps/s in turn).
 */
import type { RatePoint } from '../view-model';

/** How often speed is measured, and over how many of those windows it is averaged. */
const RATE_EVERY_MS = 1000;
const RATE_WINDOWS = 3;
/** Points the speed chart keeps (the oldest go first). */
const MAX_RATE_POINTS = 2000;

interface RateWindow {
  seconds: number;
  steps: number;
  frames: number;
}

export interface RateReading {
  stepsPerSecond: number;
  framesPerSecond: number;
  /** The chart's points with this reading appended. */
  rates: RatePoint[];
}

export class RateMeter {
  private window = { at: 0, step: 0, frames: 0 };
  private recent: RateWindow[] = [];
  /** Seconds this run has spent training (paused time excluded), the speed chart's x axis. */
  private trainedSeconds = 0;

  /** A new run: its chart starts at 0 s. */
  newRun(): void {
    this.trainedSeconds = 0;
  }

  /** Training (re)starts: paused time and the speed before it do not count. */
  start(now: number, step: number): void {
    this.window = { at: now, step, frames: 0 };
    this.recent = [];
  }

  /** Counts a frame; once a window is over, the new speed and chart points. */
  frame(now: number, step: number, rates: readonly RatePoint[]): RateReading | null {
    this.window.frames++;
    if (now - this.window.at < RATE_EVERY_MS) return null;
    const w = this.window;
    const seconds = (now - w.at) / 1000;
    this.window = { at: now, step, frames: 0 };
    this.trainedSeconds += seconds;
    this.recent = [...this.recent, { seconds, steps: step - w.step, frames: w.frames }].slice(-RATE_WINDOWS);
    const total = this.recent.reduce(
      (sum, x) => ({ seconds: sum.seconds + x.seconds, steps: sum.steps + x.steps, frames: sum.frames + x.frames }),
      { seconds: 0, steps: 0, frames: 0 },
    );
    const stepsPerSecond = total.steps / total.seconds;
    const framesPerSecond = total.frames / total.seconds;
    const point = { seconds: this.trainedSeconds, step, stepsPerSecond, framesPerSecond };
    return { stepsPerSecond, framesPerSecond, rates: [...rates, point].slice(-MAX_RATE_POINTS) };
  }
}
