/**
 * The CPU backend off the main thread: a Backend whose every call becomes a message to a worker
 * holding a real CpuBackend (src/engine/cpu-backend-host.ts). The trainer above it is unchanged —
 * it still builds its ops once and submits one `run` per step — but the float64 arithmetic of a
 * step runs in the worker, so the page keeps drawing while it trains. Same calls in the same
 * order give bit-identical results to a CpuBackend on the main thread.
 *
 * Like the GPU backend, `run` only queues work: `idle()` says when the worker has caught up (the
 * page's back-pressure), and captured tensors arrive later, their buffers transferred.
 */
import { checkView, type Backend, type Op, type Tensor } from './backend';
import { encodeTensors, type FromWorker, type OpMethod, type ToWorker } from './worker-protocol';

/** How the backend reaches its worker (a Worker, or one end of a MessageChannel in tests). */
export interface WorkerChannel {
  send(message: ToWorker, transfer: Transferable[]): void;
  close(): void;
}

class RemoteTensor implements Tensor {
  constructor(
    readonly owner: WorkerBackend,
    readonly id: number,
    readonly label: string,
    readonly size: number,
  ) {}
}

class RemoteOp implements Op {
  constructor(
    readonly owner: WorkerBackend,
    readonly id: number,
    readonly label: string,
  ) {}
}

interface Waiting {
  resolve(values: Float32Array[]): void;
  reject(error: Error): void;
}

export class WorkerBackend implements Backend {
  readonly kind = 'cpu' as const;
  private readonly made: RemoteTensor[] = [];
  private readonly counters = new Set<Tensor>();
  private opCount = 0;
  /** Tensors and views share one numbering (the worker's table); only tensors are in `made`. */
  private tensorCount = 0;
  private nextReply = 0;
  private readonly waiting = new Map<number, Waiting>();
  private failure: Error | null = null;
  private readonly failureListeners: Array<(error: Error) => void> = [];
  private readonly started: Promise<void>;
  private markStarted: () => void = () => undefined;
  private markNotStarted: (error: Error) => void = () => undefined;

  constructor(
    private readonly channel: WorkerChannel,
    readonly description = 'CPU (float64 twins of the kernels)',
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      this.markStarted = resolve;
      this.markNotStarted = reject;
    });
    // ready() reports a failed start; nobody else need handle it.
    this.started.catch(() => undefined);
  }

  /** A message from the worker (wired to its onmessage). */
  receive(message: FromWorker): void {
    if (message.type === 'ready') return this.markStarted();
    const waiting = message.reply === null ? undefined : this.waiting.get(message.reply);
    if (message.reply !== null) this.waiting.delete(message.reply);
    if (message.type === 'result') return waiting?.resolve(message.values);
    const error = new Error(`The CPU backend's worker failed: ${message.message}`);
    waiting?.reject(error);
    this.fail(error);
  }

  /**
   * The worker cannot go on (it failed, could not load, or crashed): every waiting and later call
   * rejects with this error, and the listeners hear it once.
   */
  fail(error: Error): void {
    if (this.failure) return;
    this.stop(error);
    for (const listener of this.failureListeners) listener(error);
  }

  private stop(error: Error): void {
    this.failure = error;
    this.markNotStarted(error);
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  /** Called once if the worker fails: the page shows it and stops training. */
  onFailure(listener: (error: Error) => void): void {
    this.failureListeners.push(listener);
  }

  tensor(label: string, size: number, values?: ArrayLike<number>): Tensor {
    return this.make(label, size, values, false);
  }

  counter(label: string, start = 0): Tensor {
    return this.make(label, 1, [start], true);
  }

  view(tensor: Tensor, offset: number, size: number): Tensor {
    checkView(tensor, offset, size);
    const of = this.idOf(tensor);
    const t = new RemoteTensor(this, this.tensorCount++, `${tensor.label}[${offset}:${offset + size}]`, size);
    this.post({ type: 'view', id: t.id, of, offset, size });
    return t;
  }

  private make(label: string, size: number, values: ArrayLike<number> | undefined, counter: boolean): Tensor {
    const t = new RemoteTensor(this, this.tensorCount++, label, size);
    this.post({ type: 'tensor', id: t.id, label, size, values, counter });
    this.made.push(t);
    if (counter) this.counters.add(t);
    return t;
  }

  get tensors(): readonly Tensor[] {
    return this.made;
  }

  isCounter(tensor: Tensor): boolean {
    return this.counters.has(tensor);
  }

  counterValue(raw: Float32Array): number {
    return raw[0];
  }

  writeCounter(tensor: Tensor, value: number): void {
    this.post({ type: 'writeCounter', tensor: this.idOf(tensor), value });
  }

  write(tensor: Tensor, values: ArrayLike<number>): void {
    this.post({ type: 'write', tensor: this.idOf(tensor), values });
  }

  async read(tensor: Tensor): Promise<Float32Array> {
    const [values] = await this.run([], [tensor]);
    return values;
  }

  run(ops: readonly Op[], capture: readonly Tensor[] = []): Promise<Float32Array[]> {
    const opIds = Uint32Array.from(ops, (op) => this.opId(op));
    const captureIds = Uint32Array.from(capture, (t) => this.idOf(t));
    const done = this.request(
      (reply) => ({ type: 'run', reply, ops: opIds, capture: captureIds }),
      [opIds.buffer, captureIds.buffer],
    );
    // The trainer drops the promise of a step without captures; a failure reaches the page
    // through onFailure instead of as an unhandled rejection.
    done.catch(() => undefined);
    return done;
  }

  async idle(): Promise<void> {
    await this.request((reply) => ({ type: 'idle', reply }), []);
  }

  ready(): Promise<void> {
    return this.started;
  }

  memory(): { tensors: number; bytes: number } {
    return { tensors: this.made.length, bytes: this.made.reduce((sum, t) => sum + 4 * t.size, 0) };
  }

  /** Ends the worker; later calls reject. */
  destroy(): void {
    if (this.failure) return this.channel.close();
    this.post({ type: 'destroy' });
    // Not a failure to report: the session replaced the run on purpose.
    this.stop(new Error('The CPU backend was destroyed (its run was replaced).'));
    this.made.length = 0;
    this.channel.close();
  }

  private request(message: (reply: number) => ToWorker, transfer: Transferable[]): Promise<Float32Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    const reply = this.nextReply++;
    const done = new Promise<Float32Array[]>((resolve, reject) => this.waiting.set(reply, { resolve, reject }));
    this.channel.send(message(reply), transfer);
    return done;
  }

  private post(message: ToWorker): void {
    // After a failure the worker refuses everything: nothing to send.
    if (!this.failure) this.channel.send(message, []);
  }

  private idOf(tensor: Tensor): number {
    if (tensor instanceof RemoteTensor && tensor.owner === this) return tensor.id;
    throw new Error(`tensor ${tensor.label} belongs to another backend`);
  }

  private opId(op: Op): number {
    if (op instanceof RemoteOp && op.owner === this) return op.id;
    throw new Error(`op ${op.label} belongs to another backend`);
  }

  /** An op prepared in the worker; its arguments travel with tensors as ids. */
  private prepare<M extends OpMethod>(method: M): Backend[M] {
    return ((args: { label: string }) => {
      const op = new RemoteOp(this, this.opCount++, args.label);
      const encoded = encodeTensors(args, (value) => (value instanceof RemoteTensor ? this.idOf(value) : null));
      this.post({ type: 'op', id: op.id, method, args: encoded });
      return op;
    }) as Backend[M];
  }

  readonly matmul = this.prepare('matmul');
  readonly activationBackward = this.prepare('activationBackward');
  readonly activation = this.prepare('activation');
  readonly im2col = this.prepare('im2col');
  readonly col2im = this.prepare('col2im');
  readonly batchNorm = this.prepare('batchNorm');
  readonly batchNormEval = this.prepare('batchNormEval');
  readonly batchNormBackward = this.prepare('batchNormBackward');
  readonly columnSum = this.prepare('columnSum');
  readonly discriminatorLoss = this.prepare('discriminatorLoss');
  readonly generatorLoss = this.prepare('generatorLoss');
  readonly spectralNorm = this.prepare('spectralNorm');
  readonly spectralNormBackward = this.prepare('spectralNormBackward');
  readonly weightNorm = this.prepare('weightNorm');
  readonly weightNormBackward = this.prepare('weightNormBackward');
  readonly clip = this.prepare('clip');
  readonly adamTick = this.prepare('adamTick');
  readonly adamUpdate = this.prepare('adamUpdate');
  readonly drawTick = this.prepare('drawTick');
  readonly rowSample = this.prepare('rowSample');
  readonly axpby = this.prepare('axpby');
  readonly uniformDraw = this.prepare('uniformDraw');
  readonly mixRows = this.prepare('mixRows');
  readonly penaltySeed = this.prepare('penaltySeed');
  readonly normalDraw = this.prepare('normalDraw');
  readonly anchorSample = this.prepare('anchorSample');
}
