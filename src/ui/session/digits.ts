/**
 * What an image run needs on the page: the MNIST training digits and a scorer against the held-out
 * ones (the project's own digit classifier), fetched once from the site's own files and cached.
 */
import { loadMnistInBrowser, toPaddedImages } from '../../data/mnist';
import type { ImageData, ImageScorer } from '../../gan/trainer';
import { loadDigitClassifier } from '../../metrics/digit-classifier-loader';
import { digitScorer } from '../../metrics/digit-scorer';
import { digitSplit } from '../../metrics/digit-split';

export interface Digits {
  data: ImageData;
  scorer: ImageScorer;
}

let cached: Promise<Digits> | null = null;

export function loadDigits(): Promise<Digits> {
  cached ??= (async () => {
    const [set, classifier] = await Promise.all([loadMnistInBrowser(), loadDigitClassifier()]);
    const split = digitSplit(set.labels);
    const scorer = digitScorer(classifier, toPaddedImages(set, { indices: split.heldOut }), split.heldOut.length);
    const images = toPaddedImages(set, { indices: split.train });
    return { data: { images, count: split.train.length, size: 32 * 32 }, scorer };
  })();
  // A failed fetch must not stick: the next try fetches again.
  cached.catch(() => (cached = null));
  return cached;
}
