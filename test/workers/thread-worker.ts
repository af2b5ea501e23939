/**
 * A real worker for Node tests of the page's worker clients: a `worker_threads` thread behind the
 * browser Worker's shape (onmessage, onerror, onmessageerror, postMessage, terminate). The thread
 * runs `FAULTY_WORKER`, which answers jobs and can be told to fail in each way a page worker can.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerLike } from '../../src/workers/job-worker';

/**
 * Jobs: `{id, value}` → `{id, result: 2·value}`; `{id, layers}` (the spectrum protocol) →
 * `{id, result: [{name, shape}…]}`; `{type: 'score', id}` (the digit-score protocol) →
 * `{id, result: [{inceptionScore: Σ held-out, fid: held-out count}]}`, so a result shows which
 * init the thread got. Faults: `fault: 'throw'` or `type: 'fault'` throws outside any try;
 * `'exit'` ends the thread mid-job (as a browser terminating it); `'hang'` never answers;
 * `'reply-error'` answers with an error; `'slow'` answers after 300 ms.
 */
export const FAULTY_WORKER = `
const { parentPort } = require('node:worker_threads');
let init = null;
parentPort.on('message', (m) => {
  if (m.type === 'init') {
    init = m;
    parentPort.postMessage({ type: 'ready' });
    return;
  }
  if (m.fault === 'throw' || m.type === 'fault') throw new Error('fault injected into job ' + m.id);
  if (m.fault === 'exit') process.exit(3);
  if (m.fault === 'hang') return;
  if (m.fault === 'reply-error') return parentPort.postMessage({ id: m.id, error: 'cannot do job ' + m.id });
  const answer = () => {
    if (m.type === 'score') {
      const sum = init ? init.heldOut.reduce((a, x) => a + x, 0) : NaN;
      return { id: m.id, result: [{ inceptionScore: sum, fid: init ? init.heldOutCount : -1 }] };
    }
    if (m.layers) return { id: m.id, result: m.layers.map((l) => ({ name: l.name, shape: l.shape })) };
    return { id: m.id, result: 2 * m.value };
  };
  if (m.fault === 'slow') setTimeout(() => parentPort.postMessage(answer()), 300);
  else parentPort.postMessage(answer());
});
`;

export interface ThreadWorker extends WorkerLike {
  /** Resolves with the thread's exit code once it has ended (terminated or exited). */
  readonly exited: Promise<number>;
}

/** A thread running `source` (CommonJS text) or the script at a URL. */
export function threadWorker(source: string | URL = FAULTY_WORKER): ThreadWorker {
  const thread = typeof source === 'string' ? new Worker(source, { eval: true }) : new Worker(source);
  let terminating = false;
  const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
  const like: ThreadWorker = {
    onmessage: null,
    onerror: null,
    onmessageerror: null,
    exited,
    postMessage: (message: unknown, transfer?: Transferable[] | StructuredSerializeOptions) =>
      thread.postMessage(message, Array.isArray(transfer) ? (transfer as never) : undefined),
    terminate: () => {
      terminating = true;
      void thread.terminate();
    },
  } as ThreadWorker;
  const error = (message: string) => like.onerror?.call(like as never, { message, preventDefault() {} } as ErrorEvent);
  thread.on('message', (data) => like.onmessage?.call(like as never, { data } as MessageEvent));
  thread.on('messageerror', () => like.onmessageerror?.call(like as never, {} as MessageEvent));
  thread.on('error', (e) => error(e.message));
  // A thread that ends on its own, as a browser worker killed mid-job: the page would only see silence.
  thread.on('exit', (code) => {
    if (!terminating) error(`exited with code ${code}`);
  });
  return like;
}
