/**
 * A WorkerBackend whose worker is the real host (src/engine/cpu-backend-host.ts) on the other end
 * of a MessageChannel: structured clone and transfers as between the page and its worker, in Node.
 */
import { afterEach } from 'vitest';
import { hostCpuBackend } from '../../src/engine/cpu-backend-host';
import { WorkerBackend } from '../../src/engine/worker-backend';
import type { FromWorker, ToWorker } from '../../src/engine/worker-protocol';

const opened: WorkerBackend[] = [];
afterEach(() => {
  for (const b of opened.splice(0)) b.destroy();
});

/** Destroyed (its channel closed) after each test. */
export function channelBackend(): WorkerBackend {
  const { port1, port2 } = new MessageChannel();
  const backend = new WorkerBackend({
    send: (message, transfer) => port1.postMessage(message, transfer),
    close: () => port1.close(),
  });
  const handle = hostCpuBackend((message, transfer) => port2.postMessage(message, transfer));
  port2.onmessage = (event: MessageEvent<ToWorker>) => handle(event.data);
  port1.onmessage = (event: MessageEvent<FromWorker>) => backend.receive(event.data);
  opened.push(backend);
  return backend;
}
