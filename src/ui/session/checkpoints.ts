/**
 * The latest checkpoint of the run, what a lost device resumes from: taken at step 0, on pause
 * and every CHECKPOINT_EVERY_MS while training — less often for big models, whose read-back
 * (hundreds of MB for the paper-width CNN) would otherwise eat into training.
 */
import type { TrainerCheckpoint } from '../../gan/trainer';
import type { Run } from './run';

/** How often a checkpoint is taken while training. */
const CHECKPOINT_EVERY_MS = 10_000;
/** Checkpoint reading budget: one ms of interval per this many bytes (4 MB/s on average). */
const CHECKPOINT_BYTES_PER_MS = 4096;

export class Checkpoints {
  /** The latest checkpoint of the current run (or of the run it was restored from). */
  private current: TrainerCheckpoint | null = null;
  private everyMs = CHECKPOINT_EVERY_MS;
  private lastAt = 0;

  get latest(): TrainerCheckpoint | null {
    return this.current;
  }

  /** A new run from step 0: the old run's checkpoint no longer applies. */
  clear(): void {
    this.current = null;
  }

  /** Training (re)starts: the next periodic checkpoint is an interval away. */
  restartClock(now: number): void {
    this.lastAt = now;
  }

  /** Whether a periodic checkpoint is due (and if so, starts the next interval). */
  due(now: number): boolean {
    if (now - this.lastAt < this.everyMs) return false;
    this.lastAt = now;
    return true;
  }

  /** Reads the run's whole state; kept only if the run is still the current one when it arrives. */
  async take(run: Run, isCurrent: (run: Run) => boolean): Promise<void> {
    try {
      const checkpoint = await run.trainer.checkpoint();
      if (!isCurrent(run)) return;
      this.current = checkpoint;
      const bytes = checkpoint.entries.reduce((sum, e) => sum + (e.values?.byteLength ?? 4), 0);
      this.everyMs = Math.max(CHECKPOINT_EVERY_MS, (bytes / CHECKPOINT_BYTES_PER_MS) | 0);
    } catch {
      // A device lost while reading: the previous checkpoint stays.
    }
  }
}
