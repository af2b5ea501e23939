/**
 * A Web Worker that answers jobs (one reply `{id, result}` or `{id, error}` per job) and outlives
 * its own failures. The page's workers (spectra, digit scores) run code that can throw, fail to
 * load, or die mid-job; a job must then end in a rejection naming what failed — never a promise
 * that waits forever (a panel stuck on "computing…", a reset that waits on it) — and the next job
 * must find a working worker. So:
 * - a worker that throws outside its own try (an `error` event), fails to load its script, sends
 *   an unreadable reply, or leaves a job unanswered past the deadline is terminated, its handlers
 *   dropped (nothing keeps it alive), and every job it held rejects;
 * - a job the worker itself reports as failed rejects alone, and the worker is retired once its
 *   other jobs are answered (its state may be what made the job fail);
 * - the next job starts a fresh worker, and `start` sends it whatever it needs first.
 */

/** What the client needs of a Worker (a browser Worker, or an adapter around another thread). */
export type WorkerLike = Pick<Worker, 'postMessage' | 'terminate' | 'onmessage' | 'onerror' | 'onmessageerror'>;

export interface JobWorkerOptions {
  /** Names the worker in every message, e.g. "spectrum worker". */
  name: string;
  create: () => WorkerLike;
  /** Sent to each fresh worker before its first job (e.g. the digit scorer's held-out digits). */
  start?: (worker: WorkerLike) => void;
  /** Messages that are not job replies (no numeric `id`), e.g. the digit scorer's "ready". */
  onOther?: (message: unknown) => void;
  /** A job unanswered this long counts as a dead worker (one terminated by the browser sends nothing). */
  deadlineMs: number;
}

interface Pending {
  worker: WorkerLike;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

const isReply = (m: unknown): m is Reply =>
  typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'number';

export class JobWorker {
  private worker: WorkerLike | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private created = 0;
  /** Called with the error of every job that fails (the page shows it on the worker's panel). */
  onFailure: ((error: Error) => void) | null = null;

  constructor(private readonly options: JobWorkerOptions) {}

  /** Workers created so far: 1 + restarts, once the first job has run. */
  get workersStarted(): number {
    return this.created;
  }

  /** Jobs sent and not yet answered. */
  get jobsPending(): number {
    return this.pending.size;
  }

  /** Posts `{...message, id}` to the worker (a fresh one if the last failed); resolves with its result. */
  run<T>(message: Record<string, unknown>, transfer: Transferable[] = []): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let worker: WorkerLike;
      try {
        worker = this.ensureWorker();
      } catch (error) {
        this.report(reject, new Error(`${this.options.name} could not be started: ${(error as Error).message}`));
        return;
      }
      const id = this.nextId++;
      const seconds = this.options.deadlineMs / 1000;
      const timer = setTimeout(
        () => this.fail(worker, `${this.options.name} did not answer within ${seconds} s`),
        this.options.deadlineMs,
      );
      this.pending.set(id, { worker, resolve: resolve as (r: unknown) => void, reject, timer });
      try {
        worker.postMessage({ ...message, id }, transfer);
      } catch (error) {
        this.fail(worker, `${this.options.name} could not be sent a job: ${(error as Error).message}`);
      }
    });
  }

  /** Starts a worker now, without a job (one that loads data first: its start message goes at once). */
  startWorker(): void {
    this.ensureWorker();
  }

  /** Terminates the current worker now, as a crash would: its jobs reject with `reason`. */
  stop(reason: string): void {
    if (this.worker) this.fail(this.worker, `${this.options.name} was stopped (${reason})`);
  }

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const worker = this.options.create();
    this.created++;
    this.worker = worker;
    worker.onmessage = (event: MessageEvent) => this.onMessage(worker, event.data);
    worker.onerror = (event: ErrorEvent) => {
      // Handled here: the browser need not also report it as an uncaught error of the page.
      event.preventDefault?.();
      const what = event.message ? `threw: ${event.message}` : 'failed to load or threw';
      this.fail(worker, `${this.options.name} ${what}`);
    };
    worker.onmessageerror = () => this.fail(worker, `${this.options.name} sent a reply that could not be read`);
    this.options.start?.(worker);
    return worker;
  }

  private onMessage(worker: WorkerLike, message: unknown): void {
    if (!isReply(message)) {
      if (worker === this.worker) this.options.onOther?.(message);
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry || entry.worker !== worker) return;
    this.pending.delete(message.id);
    clearTimeout(entry.timer);
    if (message.error === undefined) {
      entry.resolve(message.result);
    } else {
      this.report(entry.reject, new Error(`${this.options.name}: ${message.error}`));
      // No new jobs for it; terminated once the jobs it still holds are answered.
      if (this.worker === worker) this.worker = null;
    }
    if (worker !== this.worker && ![...this.pending.values()].some((p) => p.worker === worker)) this.release(worker);
  }

  /** The worker is dead or must die: every job it holds rejects with `message`. */
  private fail(worker: WorkerLike, message: string): void {
    this.release(worker);
    if (this.worker === worker) this.worker = null;
    for (const [id, entry] of this.pending) {
      if (entry.worker !== worker) continue;
      this.pending.delete(id);
      clearTimeout(entry.timer);
      this.report(entry.reject, new Error(message));
    }
  }

  private release(worker: WorkerLike): void {
    worker.onmessage = null;
    worker.onerror = null;
    worker.onmessageerror = null;
    worker.terminate();
  }

  private report(reject: (error: Error) => void, error: Error): void {
    reject(error);
    this.onFailure?.(error);
  }
}
