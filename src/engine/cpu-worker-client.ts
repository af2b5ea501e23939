/** The page's CPU backend in a module worker (same-origin, so the page's worker-src 'self' allows it). */
import { WorkerBackend } from './worker-backend';

/** Whether this environment can run the CPU backend in a worker (browsers; not Node tests). */
export const canUseCpuWorker = (): boolean => typeof Worker !== 'undefined';

export function cpuWorkerBackend(description?: string): WorkerBackend {
  const worker = new Worker(new URL('./cpu-backend.worker.ts', import.meta.url), {
    type: 'module',
    name: 'sngan-cpu-backend',
  });
  const backend = new WorkerBackend(
    { send: (message, transfer) => worker.postMessage(message, transfer), close: () => worker.terminate() },
    description,
  );
  worker.onmessage = (event) => backend.receive(event.data);
  worker.onerror = (event) => {
    // Handled here: the page shows it (a module that failed to load gives no message of its own).
    event.preventDefault();
    backend.fail(new Error(`The CPU backend's worker stopped: ${event.message || 'it could not be loaded'}.`));
  };
  worker.onmessageerror = () =>
    backend.fail(new Error("The CPU backend's worker sent a message that could not be read."));
  return backend;
}
