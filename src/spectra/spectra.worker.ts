/// <reference lib="webworker" />
// Computes layer spectra off the page's main thread, so training and drawing never wait for an SVD.
// Protocol (src/workers/job-worker.ts): {id, layers} → {id, result} or {id, error}.
import { layerSpectrum, type LayerWeights } from './spectra';

type Request = { id: number; layers: LayerWeights[]; fault?: undefined } | { id: number; fault: 'throw' };

self.onmessage = (event: MessageEvent<Request>) => {
  const request = event.data;
  // Fault injection (the page's automation): an error no try catches, as a bug in the worker would throw.
  if (request.fault === 'throw') throw new Error(`fault injected into job ${request.id}`);
  try {
    (self as unknown as Worker).postMessage({ id: request.id, result: request.layers.map(layerSpectrum) });
  } catch (error) {
    (self as unknown as Worker).postMessage({ id: request.id, error: (error as Error).message });
  }
};
