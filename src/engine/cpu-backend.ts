/**
 * The no-WebGPU fallback: every op is a call of its kernel's float64 twin, with tensors stored as
 * float32 like on the GPU, so both backends give the same results within float32 rounding.
 * Slower than a GPU by orders of magnitude, but it trains the 2-D GANs at a usable pace.
 */
import { adamStep } from '../reference/adam';
import { normalDraw, sampleAnchors, sampleRows, uniformDraw } from '../reference/counter-rng';
import { mixRows, penaltySeed } from '../reference/gradient-penalty';
import { batchNormBackward, batchNormEval, batchNormForward, updateRunningStats } from '../reference/batchnorm';
import { col2im } from '../reference/conv';
import { activate, axpby } from '../reference/elementwise';
import { discriminatorLoss, generatorLoss, type LossTwin } from '../reference/loss';
import { weightClip, weightNormBackward, weightNormForward } from '../reference/weight-norm';
import { columnReduce } from '../reference/reduce';
import { spectralNormApply, spectralNormBackward, spectralNormPowerIteration } from '../reference/spectral-norm';
import { checkView, type Backend, type Op, type Tensor } from './backend';
import { activationBackwardInto, activationInto, im2colInto } from './cpu-loops';
import { matmulInto } from './cpu-matmul';

export class CpuTensor implements Tensor {
  constructor(
    readonly label: string,
    readonly data: Float32Array,
  ) {}

  get size(): number {
    return this.data.length;
  }
}

export class CpuOp implements Op {
  constructor(
    readonly label: string,
    readonly execute: () => void,
  ) {}
}

/** The Float32Array behind a CPU tensor. */
export const valuesOf = (t: Tensor): Float32Array => (t as CpuTensor).data;

export function cpuOp(label: string, execute: () => void): Op {
  return new CpuOp(label, execute);
}

export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  private readonly live = new Set<CpuTensor>();
  private readonly made: CpuTensor[] = [];
  private readonly counters = new Set<Tensor>();

  constructor(readonly description = 'CPU (float64 twins of the kernels)') {}

  tensor(label: string, size: number, values?: ArrayLike<number>): Tensor {
    const t = new CpuTensor(label, new Float32Array(size));
    if (values) t.data.set(values);
    this.live.add(t);
    this.made.push(t);
    return t;
  }

  view(tensor: Tensor, offset: number, size: number): Tensor {
    checkView(tensor, offset, size);
    return new CpuTensor(
      `${tensor.label}[${offset}:${offset + size}]`,
      valuesOf(tensor).subarray(offset, offset + size),
    );
  }

  counter(label: string, start = 0): Tensor {
    const t = this.tensor(label, 1, [start]);
    this.counters.add(t);
    return t;
  }

  idle(): Promise<void> {
    return Promise.resolve();
  }

  ready(): Promise<void> {
    return Promise.resolve();
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
    valuesOf(tensor)[0] = value;
  }

  write(tensor: Tensor, values: ArrayLike<number>): void {
    valuesOf(tensor).set(values);
  }

  async read(tensor: Tensor): Promise<Float32Array> {
    return valuesOf(tensor).slice();
  }

  run(ops: readonly Op[], capture: readonly Tensor[] = []): Promise<Float32Array[]> {
    for (const op of ops) {
      (op as CpuOp).execute();
    }
    return Promise.resolve(capture.map((t) => valuesOf(t).slice()));
  }

  memory(): { tensors: number; bytes: number } {
    let bytes = 0;
    for (const t of this.live) bytes += t.data.byteLength;
    return { tensors: this.live.size, bytes };
  }

  destroy(): void {
    this.live.clear();
    this.made.length = 0;
  }

  matmul(args: Parameters<Backend['matmul']>[0]): Op {
    return cpuOp(args.label, () => {
      const c = valuesOf(args.c);
      const a = valuesOf(args.a);
      const b = valuesOf(args.b);
      // Rows of C are written as they are finished, so an input that shares C's storage is copied.
      const shares = (x: Float32Array): boolean => x.buffer === c.buffer;
      matmulInto(c, shares(a) ? a.slice() : a, shares(b) ? b.slice() : b, {
        m: args.m,
        n: args.n,
        k: args.k,
        transA: args.transA,
        transB: args.transB,
        bias: args.bias ? valuesOf(args.bias) : undefined,
        activation: args.activation,
        slope: args.slope,
        c: args.accumulate ? c : undefined,
      });
    });
  }

  activationBackward(args: Parameters<Backend['activationBackward']>[0]): Op {
    return cpuOp(args.label, () => {
      const [dx, y, dy] = [valuesOf(args.dx), valuesOf(args.y), valuesOf(args.dy)];
      activationBackwardInto(dx, y, dy, args.n, args.activation, args.slope ?? 0);
    });
  }

  activation(args: Parameters<Backend['activation']>[0]): Op {
    return cpuOp(args.label, () => {
      activationInto(valuesOf(args.y), valuesOf(args.x), args.n, args.activation, args.slope ?? 0);
    });
  }

  im2col(args: Parameters<Backend['im2col']>[0]): Op {
    return cpuOp(args.label, () => {
      im2colInto(valuesOf(args.cols), valuesOf(args.image), args.geom);
    });
  }

  col2im(args: Parameters<Backend['col2im']>[0]): Op {
    const activation = args.activation ?? 'identity';
    if (args.accumulate && activation !== 'identity') throw new Error(`${args.label}: accumulate needs the identity`);
    return cpuOp(args.label, () => {
      const sums = col2im(valuesOf(args.cols), args.geom);
      const image = valuesOf(args.image);
      const bias = args.bias ? valuesOf(args.bias) : undefined;
      const channels = args.geom.channels;
      for (let i = 0; i < sums.length; i++) {
        const v = sums[i] + (bias ? bias[i % channels] : 0) + (args.accumulate ? image[i] : 0);
        image[i] = activate(v, activation, args.slope ?? 0);
      }
    });
  }

  batchNorm(args: Parameters<Backend['batchNorm']>[0]): Op {
    return cpuOp(args.label, () => {
      const n = args.rows * args.cols;
      const r = batchNormForward(
        valuesOf(args.x).subarray(0, n),
        args.rows,
        args.cols,
        valuesOf(args.gamma),
        valuesOf(args.beta),
        args.eps,
      );
      valuesOf(args.y).set(r.y);
      valuesOf(args.mean).set(r.mean);
      valuesOf(args.invstd).set(r.invstd);
      if (args.running) {
        const rm = valuesOf(args.running.mean);
        const rv = valuesOf(args.running.variance);
        const next = updateRunningStats(
          rm.slice(0, args.cols),
          rv.slice(0, args.cols),
          r.mean,
          r.variance,
          args.rows,
          args.running.momentum,
        );
        rm.set(next.runningMean);
        rv.set(next.runningVar);
      }
    });
  }

  batchNormEval(args: Parameters<Backend['batchNormEval']>[0]): Op {
    return cpuOp(args.label, () => {
      const n = args.rows * args.cols;
      valuesOf(args.y).set(
        batchNormEval(
          valuesOf(args.x).subarray(0, n),
          args.rows,
          args.cols,
          valuesOf(args.gamma),
          valuesOf(args.beta),
          valuesOf(args.runningMean),
          valuesOf(args.runningVar),
          args.eps,
        ),
      );
    });
  }

  batchNormBackward(args: Parameters<Backend['batchNormBackward']>[0]): Op {
    return cpuOp(args.label, () => {
      const { rows, cols } = args;
      const x = valuesOf(args.x);
      const mean = valuesOf(args.mean);
      const invstd = valuesOf(args.invstd);
      // x̂ from the stored float32 mean and invstd, as the GPU's backward recomputes it.
      const xhat = new Float64Array(rows * cols);
      for (let i = 0; i < xhat.length; i++) xhat[i] = (x[i] - mean[i % cols]) * invstd[i % cols];
      const r = batchNormBackward(valuesOf(args.dy), xhat, invstd, valuesOf(args.gamma), rows, cols);
      valuesOf(args.dx).set(r.dx);
      const dgamma = valuesOf(args.dgamma);
      const dbeta = valuesOf(args.dbeta);
      for (let c = 0; c < cols; c++) {
        dgamma[c] = r.dgamma[c] + (args.accumulate ? dgamma[c] : 0);
        dbeta[c] = r.dbeta[c] + (args.accumulate ? dbeta[c] : 0);
      }
    });
  }

  columnSum(args: Parameters<Backend['columnSum']>[0]): Op {
    return cpuOp(args.label, () => {
      const out = valuesOf(args.out);
      out.set(
        columnReduce(valuesOf(args.x), args.rows, args.cols, {
          accumulateInto: args.accumulate ? out.slice(0, args.cols) : undefined,
        }),
      );
    });
  }

  discriminatorLoss(args: Parameters<Backend['discriminatorLoss']>[0]): Op {
    return cpuOp(args.label, () => {
      const r = discriminatorLoss(
        args.kind,
        valuesOf(args.realLogits).subarray(0, args.batch),
        valuesOf(args.fakeLogits).subarray(0, args.batch),
      );
      valuesOf(args.realGrad).set(r.dReal);
      valuesOf(args.fakeGrad).set(r.dFake);
      writeLossStats(args.stats, r);
    });
  }

  generatorLoss(args: Parameters<Backend['generatorLoss']>[0]): Op {
    return cpuOp(args.label, () => {
      const r = generatorLoss(args.kind, valuesOf(args.fakeLogits).subarray(0, args.batch));
      valuesOf(args.fakeGrad).set(r.dFake);
      writeLossStats(args.stats, r);
    });
  }

  spectralNorm(args: Parameters<Backend['spectralNorm']>[0]): Op {
    return cpuOp(args.label, () => {
      const w = valuesOf(args.w);
      const r = spectralNormPowerIteration(w, valuesOf(args.u), valuesOf(args.v), args.dOut, args.dIn, args.rounds);
      valuesOf(args.u).set(r.u);
      valuesOf(args.v).set(r.v);
      valuesOf(args.sigma)[0] = r.sigma;
      // The GPU divides by the float32 σ̃ it stored; so does the twin here.
      valuesOf(args.wBar).set(spectralNormApply(w, valuesOf(args.sigma)[0]));
    });
  }

  spectralNormBackward(args: Parameters<Backend['spectralNormBackward']>[0]): Op {
    return cpuOp(args.label, () => {
      valuesOf(args.gW).set(
        spectralNormBackward(
          valuesOf(args.gWbar),
          valuesOf(args.wBar),
          valuesOf(args.u),
          valuesOf(args.v),
          valuesOf(args.sigma)[0],
          args.dOut,
          args.dIn,
        ),
      );
    });
  }

  weightNorm(args: Parameters<Backend['weightNorm']>[0]): Op {
    return cpuOp(args.label, () => {
      const r = weightNormForward(valuesOf(args.w), args.dOut, args.dIn);
      valuesOf(args.wBar).set(r.wBar);
      valuesOf(args.norms).set(r.norms);
    });
  }

  weightNormBackward(args: Parameters<Backend['weightNormBackward']>[0]): Op {
    return cpuOp(args.label, () => {
      valuesOf(args.gW).set(
        weightNormBackward(valuesOf(args.gWbar), valuesOf(args.wBar), valuesOf(args.norms), args.dOut, args.dIn),
      );
    });
  }

  clip(args: Parameters<Backend['clip']>[0]): Op {
    return cpuOp(args.label, () => {
      const w = valuesOf(args.w);
      w.set(weightClip(w.subarray(0, args.n), args.c));
    });
  }

  adamTick(args: Parameters<Backend['adamTick']>[0]): Op {
    return cpuOp(args.label, () => {
      valuesOf(args.step)[0] += 1;
    });
  }

  adamUpdate(args: Parameters<Backend['adamUpdate']>[0]): Op {
    return cpuOp(args.label, () => {
      const param = valuesOf(args.param);
      const m = valuesOf(args.m);
      const v = valuesOf(args.v);
      const t = valuesOf(args.step)[0];
      // adamStep advances t itself; hand it the count before this update's tick.
      const state = { param: Float64Array.from(param), m: Float64Array.from(m), v: Float64Array.from(v), t: t - 1 };
      adamStep(state, valuesOf(args.grad), { lr: args.lr, beta1: args.beta1, beta2: args.beta2, eps: args.eps });
      param.set(state.param);
      m.set(state.m);
      v.set(state.v);
    });
  }

  drawTick(args: Parameters<Backend['drawTick']>[0]): Op {
    return cpuOp(args.label, () => {
      valuesOf(args.counter)[0] += 1;
    });
  }

  rowSample(args: Parameters<Backend['rowSample']>[0]): Op {
    return cpuOp(args.label, () => {
      valuesOf(args.out).set(
        sampleRows(args.n, valuesOf(args.rows), args.count, args.dim, {
          seed: args.seed,
          stream: args.stream,
          draw: valuesOf(args.counter)[0],
        }),
      );
    });
  }

  axpby(args: Parameters<Backend['axpby']>[0]): Op {
    return cpuOp(args.label, () => {
      const out = valuesOf(args.out);
      const prior = args.accumulate ? out.subarray(0, args.n) : undefined;
      out.set(axpby(valuesOf(args.a).subarray(0, args.n), valuesOf(args.b), args.alpha, args.beta, prior));
    });
  }

  uniformDraw(args: Parameters<Backend['uniformDraw']>[0]): Op {
    return cpuOp(args.label, () => {
      valuesOf(args.out).set(
        uniformDraw(args.n, { seed: args.seed, stream: args.stream, draw: valuesOf(args.counter)[0] }),
      );
    });
  }

  mixRows(args: Parameters<Backend['mixRows']>[0]): Op {
    return cpuOp(args.label, () => {
      valuesOf(args.out).set(
        mixRows(valuesOf(args.real), valuesOf(args.fake), valuesOf(args.eps), args.rows, args.cols),
      );
    });
  }

  penaltySeed(args: Parameters<Backend['penaltySeed']>[0]): Op {
    return cpuOp(args.label, () => {
      const r = penaltySeed(valuesOf(args.grad).subarray(0, args.rows * args.cols), args.rows, args.cols, args.lambda);
      valuesOf(args.seed).set(r.seed);
      valuesOf(args.stats)[0] = r.penalty;
    });
  }

  normalDraw(args: Parameters<Backend['normalDraw']>[0]): Op {
    return cpuOp(args.label, () => {
      valuesOf(args.out).set(
        normalDraw(args.n, args.std, { seed: args.seed, stream: args.stream, draw: valuesOf(args.counter)[0] }),
      );
    });
  }

  anchorSample(args: Parameters<Backend['anchorSample']>[0]): Op {
    return cpuOp(args.label, () => {
      const anchors = valuesOf(args.anchors).subarray(0, 2 * args.anchorCount);
      valuesOf(args.out).set(
        sampleAnchors(args.n, anchors, args.std, {
          seed: args.seed,
          stream: args.stream,
          draw: valuesOf(args.counter)[0],
        }),
      );
    });
  }
}

function writeLossStats(stats: Tensor, twin: LossTwin): void {
  valuesOf(stats).set([twin.loss, twin.meanDReal, twin.meanDFake]);
}
