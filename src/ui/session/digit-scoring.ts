/**
 * Digit scores of a capture (Inception-style score and FID of the generated digits), computed in
 * the scorer's worker and filled into the capture's metrics when they arrive. A capture that
 * comes while the previous one is still being scored is left unscored (its score points are
 * simply absent), so jobs never pile up.
 */
import type { StepMetrics } from '../../gan/trainer';
import type { AsyncDigitScorer } from '../../metrics/digit-score-client';
import type { Run } from './run';

export class DigitScoring {
  private busy = false;

  /**
   * `onScored` runs when the scores are in the metrics. A failed job leaves this capture unscored
   * (the scorer's `onFailure` tells the visitor why) and frees the way for the next one.
   */
  score(run: Run, scorer: AsyncDigitScorer, batch: readonly StepMetrics[], onScored: () => void): void {
    if (this.busy) return;
    const scored = batch.filter((m) => run.trainer.status.get(m.variant)?.diverged === null);
    const jobs = scored.map((m) => ({
      images: run.trainer.status.get(m.variant)!.samples!.slice(),
      count: run.config.evalSamples,
    }));
    if (jobs.length === 0) return;
    this.busy = true;
    scorer.score(jobs).then(
      (scores) => {
        this.busy = false;
        scored.forEach((m, i) => {
          m.inceptionScore = scores[i].inceptionScore;
          m.fid = scores[i].fid;
        });
        onScored();
      },
      () => {
        this.busy = false;
      },
    );
  }
}
