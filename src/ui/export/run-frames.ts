/**
 * The live run's frames for its run file: each variant's samples at every statistics capture,
 * recorded by the CLI's own FrameRecorder from the trainer's captures, so a run saved from the
 * page opens again with sample grids and field views that follow the scrubber (not only the last
 * step's). Thinned to at most MAX_FRAMES (every other frame dropped, the first kept) so a long
 * session stays small. A new run starts afresh; a run resumed after a lost device keeps the
 * frames up to its checkpoint.
 */
import type { GanTrainer } from '../../gan/trainer';
import { FrameRecorder } from '../../recording/frame-recorder';
import type { FrameJson } from '../../recording/recorded-run';
import type { TrainingSession } from '../session/session';
import type { AppStore } from '../state/store';

export const MAX_FRAMES = 120;

export class RunFrames {
  private trainer: GanTrainer | null = null;
  private recorder: FrameRecorder | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    store: AppStore,
    private readonly session: TrainingSession,
  ) {
    // The store changes whenever the session builds a run: the moment to look for a new trainer.
    this.unsubscribe = store.subscribe(() => this.follow());
    this.follow();
  }

  dispose(): void {
    this.unsubscribe();
  }

  /** The frames up to `step` (the step of the weights saved with them). */
  upTo(step: number): FrameJson[] {
    return (this.recorder?.frames ?? []).filter((f) => f.step <= step);
  }

  private follow(): void {
    const trainer = this.session.trainer;
    if (!trainer || trainer === this.trainer) return;
    const kept = trainer.steps > 0 ? this.upTo(trainer.steps) : [];
    this.trainer = trainer;
    const imageSize = trainer.config.model.kind === 'cnn' ? trainer.variants[0].model.sampleSize : 0;
    const recorder = new FrameRecorder(1, imageSize);
    recorder.frames.push(...kept);
    this.recorder = recorder;
    trainer.onMetrics((batch) => {
      if (this.trainer !== trainer || batch.length === 0) return;
      recorder.capture(
        batch[0].step,
        batch.map(({ variant }) => ({ variant, ...trainer.status.get(variant)! })),
      );
      if (recorder.frames.length > MAX_FRAMES) {
        const thinned = recorder.frames.filter((_, i) => i % 2 === 0);
        recorder.frames.splice(0, recorder.frames.length, ...thinned);
      }
    });
  }
}
