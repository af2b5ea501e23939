/// <reference lib="webworker" />
// Computes layer spectra off the page's main thread, so training and drawing never wait for an SVD.
import { layerSpectrum, type LayerWeights } from './spectra';

self.onmessage = (event: MessageEvent<{ id: number; layers: LayerWeights[] }>) => {
  const { id, layers } = event.data;
  try {
    (self as unknown as Worker).postMessage({ id, spectra: layers.map(layerSpectrum) });
  } catch (error) {
    (self as unknown as Worker).postMessage({ id, error: (error as Error).message });
  }
};
