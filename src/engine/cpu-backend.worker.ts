/// <reference lib="webworker" />
// Runs the CPU backend's arithmetic off the page's main thread (src/engine/worker-backend.ts).
import { hostCpuBackend } from './cpu-backend-host';
import type { ToWorker } from './worker-protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handle = hostCpuBackend((message, transfer) => scope.postMessage(message, transfer));
scope.onmessage = (event: MessageEvent<ToWorker>) => handle(event.data);
