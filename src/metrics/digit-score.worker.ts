/// <reference lib="webworker" />
// Scores generated digits off the page's main thread: the classifier takes ~0.7 s for 256 digits
// in JavaScript, far too long for a frame. Initialized once with the classifier's weights and the
// held-out digits (whose feature statistics FID compares against), then answers one job at a time.
import { loadDigitClassifier } from './digit-classifier-loader';
import { digitScorer, type DigitScorer } from './digit-scorer';

type Request =
  | { type: 'init'; baseUrl: string; heldOut: Float32Array; heldOutCount: number }
  | { type: 'score'; id: number; batches: { images: Float32Array; count: number }[] };

let scorer: Promise<DigitScorer> | null = null;
const post = (message: unknown) => (self as unknown as Worker).postMessage(message);

self.onmessage = async (event: MessageEvent<Request>) => {
  const request = event.data;
  if (request.type === 'init') {
    scorer = loadDigitClassifier(request.baseUrl).then((c) => digitScorer(c, request.heldOut, request.heldOutCount));
    scorer.then(
      () => post({ type: 'ready' }),
      (error: Error) => post({ type: 'failed', error: error.message }),
    );
    return;
  }
  try {
    if (!scorer) throw new Error('not initialized');
    const s = await scorer;
    post({ type: 'scores', id: request.id, scores: request.batches.map((b) => s.score(b.images, b.count)) });
  } catch (error) {
    post({ type: 'scores', id: request.id, error: (error as Error).message });
  }
};
