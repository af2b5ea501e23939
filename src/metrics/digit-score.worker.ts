/// <reference lib="webworker" />
// Scores generated digits off the page's main thread: the classifier takes ~0.7 s for 256 digits
// in JavaScript, far too long for a frame. Initialized once with the classifier's weights and the
// held-out digits (whose feature statistics FID compares against), then answers one job at a time.
// Protocol (src/workers/job-worker.ts): {type: 'score', id, batches} → {id, result} or {id, error}.
import { loadDigitClassifier } from './digit-classifier-loader';
import { digitScorer, type DigitScorer } from './digit-scorer';

type Request =
  | { type: 'init'; baseUrl: string; heldOut: Float32Array; heldOutCount: number }
  | { type: 'score'; id: number; batches: { images: Float32Array; count: number }[] }
  | { type: 'fault'; id: number };

let scorer: Promise<DigitScorer> | null = null;
const post = (message: unknown) => (self as unknown as Worker).postMessage(message);

async function score(request: Extract<Request, { type: 'score' }>): Promise<void> {
  try {
    if (!scorer) throw new Error('not initialized');
    const s = await scorer;
    post({ id: request.id, result: request.batches.map((b) => s.score(b.images, b.count)) });
  } catch (error) {
    post({ id: request.id, error: (error as Error).message });
  }
}

// Not async: an error thrown here (the fault below) must reach the page as the worker's `error`
// event, which an async handler would turn into a mere unhandled rejection inside the worker.
self.onmessage = (event: MessageEvent<Request>) => {
  const request = event.data;
  if (request.type === 'init') {
    scorer = loadDigitClassifier(request.baseUrl).then((c) => digitScorer(c, request.heldOut, request.heldOutCount));
    scorer.then(
      () => post({ type: 'ready' }),
      (error: Error) => post({ type: 'failed', error: error.message }),
    );
    return;
  }
  // Fault injection (the page's automation): an error no try catches, as a bug in the worker would throw.
  if (request.type === 'fault') throw new Error(`fault injected into job ${request.id}`);
  void score(request);
};
