/**
 * Scores generated digits against held-out real digits with the project's own classifier: the
 * Inception-style score of its predictions and the Fréchet distance of its penultimate features.
 * FID depends on the sample count, so `reference` gives the real-digit value at the same count.
 */
import type { ImageScorer } from '../gan/trainer';
import type { DigitClassifier } from './digit-classifier';
import { featureStatistics, frechetDistanceFromStats, inceptionScore, type GaussianStats } from './digit-score';

export interface DigitScorer extends ImageScorer {
  /** Scores of `count` real (training) digits, the values generated digits are judged against. */
  reference(realImages: Float32Array, count: number): { inceptionScore: number; fid: number };
}

export function digitScorer(
  classifier: DigitClassifier,
  heldOutImages: Float32Array,
  heldOutCount: number,
): DigitScorer {
  const heldOut: GaussianStats = featureStatistics(
    classifier.classify(heldOutImages, heldOutCount).features,
    heldOutCount,
    classifier.featureDim,
  );
  const score = (images: Float32Array, count: number) => {
    const { probs, features } = classifier.classify(images, count);
    return {
      inceptionScore: inceptionScore(probs, count),
      fid: frechetDistanceFromStats(featureStatistics(features, count, classifier.featureDim), heldOut),
    };
  };
  return { score, reference: score };
}
