/**
 * What an image run needs on the page: the MNIST training digits, and a scorer against the
 * held-out ones (the project's own digit classifier) that runs in a Web Worker. Fetched once from
 * the site's own files and cached.
 */
import { loadMnistInBrowser, toPaddedImages } from '../../data/mnist';
import type { TrainingImages } from '../../gan/trainer';
import { workerDigitScorer, type AsyncDigitScorer } from '../../metrics/digit-score-client';
import { digitSplit } from '../../metrics/digit-split';

export interface Digits {
  data: TrainingImages;
  scorer: AsyncDigitScorer;
}

let cached: Promise<Digits> | null = null;

export function loadDigits(): Promise<Digits> {
  cached ??= (async () => {
    const set = await loadMnistInBrowser();
    const split = digitSplit(set.labels);
    const heldOut = toPaddedImages(set, { indices: split.heldOut });
    const baseUrl = new URL('./', document.baseURI).href;
    const scorer = workerDigitScorer(baseUrl, heldOut, split.heldOut.length);
    try {
      await scorer.ready;
    } catch (error) {
      // The next try makes a scorer of its own: this one's worker must not live on beside it.
      scorer.stop(`it did not start: ${(error as Error).message}`);
      throw error;
    }
    const images = toPaddedImages(set, { indices: split.train });
    return { data: { images, count: split.train.length, size: 32 * 32 }, scorer };
  })();
  // A failed fetch must not stick: the next try fetches again.
  cached.catch(() => (cached = null));
  return cached;
}
