/**
 * The worker's side of the off-main-thread CPU backend: a plain CpuBackend driven by messages
 * (src/engine/worker-protocol.ts). It makes the same calls, in the same order, as a CpuBackend on
 * the main thread would, so its results are bit-identical. No DOM and no Worker API here, so Node
 * tests can drive it over a MessageChannel.
 */
import type { Op, Tensor } from './backend';
import { CpuBackend } from './cpu-backend';
import { decodeTensors, isOpMethod, type FromWorker, type ToWorker } from './worker-protocol';

export type SendToPage = (message: FromWorker, transfer: Transferable[]) => void;

/** Returns the handler of the page's messages; it announces itself with a 'ready' message. */
export function hostCpuBackend(send: SendToPage, description?: string): (message: ToWorker) => void {
  const backend = new CpuBackend(description);
  const tensors: Tensor[] = [];
  const ops: Op[] = [];
  /** After the first failure every later message is refused with it: a half-built run must not train. */
  let failure: string | null = null;

  const tensorOf = (id: number): Tensor => {
    const t = tensors[id];
    if (!t) throw new Error(`unknown tensor #${id} (${tensors.length} made)`);
    return t;
  };
  const opOf = (id: number): Op => {
    const op = ops[id];
    if (!op) throw new Error(`unknown op #${id} (${ops.length} made)`);
    return op;
  };
  const expectNext = (what: string, id: number, made: number) => {
    if (id !== made) throw new Error(`${what} #${id} arrived out of order (expected #${made})`);
  };

  const handle = (m: ToWorker): void => {
    switch (m.type) {
      case 'tensor':
        expectNext('tensor', m.id, tensors.length);
        tensors.push(m.counter ? backend.counter(m.label, m.values?.[0]) : backend.tensor(m.label, m.size, m.values));
        return;
      case 'view':
        expectNext('view', m.id, tensors.length);
        tensors.push(backend.view(tensorOf(m.of), m.offset, m.size));
        return;
      case 'op': {
        expectNext('op', m.id, ops.length);
        if (!isOpMethod(m.method)) throw new Error(`unknown op method ${JSON.stringify(m.method)}`);
        const prepare = backend[m.method].bind(backend) as (args: unknown) => Op;
        ops.push(prepare(decodeTensors(m.args, tensorOf)));
        return;
      }
      case 'write':
        backend.write(tensorOf(m.tensor), m.values);
        return;
      case 'writeCounter':
        backend.writeCounter(tensorOf(m.tensor), m.value);
        return;
      case 'run': {
        // The CPU backend runs the ops and copies the captures before its promise settles; the
        // reply waits one microtask, which keeps replies in message order.
        const run = backend.run(Array.from(m.ops, opOf), Array.from(m.capture, tensorOf));
        void run.then((values) =>
          send(
            { type: 'result', reply: m.reply, values },
            values.map((v) => v.buffer as ArrayBuffer),
          ),
        );
        return;
      }
      case 'idle':
        send({ type: 'result', reply: m.reply, values: [] }, []);
        return;
      case 'destroy':
        backend.destroy();
        tensors.length = 0;
        ops.length = 0;
        return;
      default:
        throw new Error(`unknown message type ${JSON.stringify((m as { type?: unknown }).type)}`);
    }
  };

  send({ type: 'ready' }, []);
  return (message) => {
    const reply = 'reply' in message && typeof message.reply === 'number' ? message.reply : null;
    if (failure !== null) {
      // Said once already; only a message waiting for an answer hears it again.
      if (reply !== null) send({ type: 'failed', reply, message: failure }, []);
      return;
    }
    try {
      handle(message);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      send({ type: 'failed', reply, message: failure }, []);
    }
  };
}
