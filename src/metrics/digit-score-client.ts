/** Digit scores (Inception-style score, FID) computed in a Web Worker: the page's way to score. */
export interface DigitScores {
  inceptionScore: number;
  fid: number;
}

export interface AsyncDigitScorer {
  /** Scores several sets of images in one job; rejects if the worker failed. */
  score(batches: { images: Float32Array; count: number }[]): Promise<DigitScores[]>;
  /** Resolves once the classifier is loaded and the held-out statistics computed. */
  ready: Promise<void>;
}

/**
 * `baseUrl`: the site's base as an absolute URL (a worker resolves relative URLs against its own
 * script, which lives in assets/). The held-out images are transferred to the worker.
 */
export function workerDigitScorer(baseUrl: string, heldOut: Float32Array, heldOutCount: number): AsyncDigitScorer {
  const worker = new Worker(new URL('./digit-score.worker.ts', import.meta.url), { type: 'module' });
  const pending = new Map<number, { resolve: (s: DigitScores[]) => void; reject: (e: Error) => void }>();
  let next = 0;
  let markReady: () => void = () => undefined;
  let markFailed: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  worker.onmessage = (event: MessageEvent) => {
    const m = event.data as { type: string; id?: number; scores?: DigitScores[]; error?: string };
    if (m.type === 'ready') markReady();
    else if (m.type === 'failed') markFailed(new Error(`digit scorer: ${m.error}`));
    else if (m.type === 'scores' && m.id !== undefined) {
      const entry = pending.get(m.id);
      pending.delete(m.id);
      if (m.scores) entry?.resolve(m.scores);
      else entry?.reject(new Error(`digit scorer: ${m.error}`));
    }
  };
  worker.postMessage({ type: 'init', baseUrl, heldOut, heldOutCount }, [heldOut.buffer]);
  return {
    ready,
    score: (batches) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'score', id, batches });
      }),
  };
}
