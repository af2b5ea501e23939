/** A SpectrumComputer backed by a Web Worker (the page's way to keep SVDs off the main thread). */
import type { LayerSpectrum, SpectrumComputer } from './spectra';

export function workerSpectrumComputer(): SpectrumComputer {
  const worker = new Worker(new URL('./spectra.worker.ts', import.meta.url), { type: 'module' });
  const pending = new Map<number, { resolve: (s: LayerSpectrum[]) => void; reject: (e: Error) => void }>();
  let next = 0;
  worker.onmessage = (event: MessageEvent<{ id: number; spectra?: LayerSpectrum[]; error?: string }>) => {
    const entry = pending.get(event.data.id);
    if (!entry) return;
    pending.delete(event.data.id);
    if (event.data.spectra) entry.resolve(event.data.spectra);
    else entry.reject(new Error(`spectrum worker: ${event.data.error}`));
  };
  return (layers) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, layers });
    });
}
