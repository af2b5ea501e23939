/**
 * The no-WebGPU fallback: every op is a call of its kernel's float64 twin, with tensors stored as
 * float32 like on the GPU, so both backends give the same results within float32 rounding.
 * Slower than a GPU by orders of magnitude, but it trains the 2-D GANs at a usable pace.
 */
import { adamStep } from '../reference/adam';
import { normalDraw, sampleAnchors, sampleRows, uniformDraw } from '../reference/counter-rng';
import { mixRows, penaltySeed } from '../reference/gradient-penalty';
import { batchNormBackward, batchNormEval, batchNormForward, updateRunningStats } from '../reference/batchnorm';
import { col2im, im2col } from '../reference/conv';
import { activate, activationBackward, activationForward, axpby } from '../reference/elementwise';
import { discriminatorLoss, generatorLoss, type LossTwin } from '../reference/loss';
import { weightClip, weightNormBackward, weightNormForward } from '../reference/weight-norm';
import { matmulReference } from '../reference/matmul';
import { columnReduce } from '../reference/reduce';
import { spectralNormApply, spectralNormBackward, spectralNormPowerIteration } from '../reference/spectral-norm';
import type { Backend, Op, Tensor } from './backend';

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

export const data = (t: Tensor): Float32Array => (t as CpuTensor).data;

export function cpuOp(label: string, execute: () => void): Op {
  return new CpuOp(label, execute);
}

export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  readonly executions = new Map<string, number>();
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

  counter(label: string, start = 0): Tensor {
    const t = this.tensor(label, 1, [start]);
    this.counters.add(t);
    return t;
  }

  idle(): Promise<void> {
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
    data(tensor)[0] = value;
  }

  write(tensor: Tensor, values: ArrayLike<number>): void {
    data(tensor).set(values);
  }

  async read(tensor: Tensor): Promise<Float32Array> {
    return data(tensor).slice();
  }

  run(ops: readonly Op[], capture: readonly Tensor[] = []): Promise<Float32Array[]> {
    for (const op of ops) {
      (op as CpuOp).execute();
      this.executions.set(op.label, (this.executions.get(op.label) ?? 0) + 1);
    }
    return Promise.resolve(capture.map((t) => data(t).slice()));
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

  matmul(a: Parameters<Backend['matmul']>[0]): Op {
    return cpuOp(a.label, () => {
      const c = data(a.c);
      const result = matmulReference(data(a.a), data(a.b), {
        m: a.m,
        n: a.n,
        k: a.k,
        transA: a.transA,
        transB: a.transB,
        bias: a.bias ? data(a.bias) : undefined,
        activation: a.activation,
        slope: a.slope,
        c: a.accumulate ? c : undefined,
      });
      c.set(result);
    });
  }

  activationBackward(a: Parameters<Backend['activationBackward']>[0]): Op {
    return cpuOp(a.label, () => {
      const y = data(a.y).subarray(0, a.n);
      data(a.dx).set(activationBackward(y, data(a.dy), a.activation, a.slope ?? 0));
    });
  }

  activation(a: Parameters<Backend['activation']>[0]): Op {
    return cpuOp(a.label, () => {
      data(a.y).set(activationForward(data(a.x).subarray(0, a.n), a.activation, a.slope ?? 0));
    });
  }

  im2col(a: Parameters<Backend['im2col']>[0]): Op {
    return cpuOp(a.label, () => {
      data(a.cols).set(im2col(data(a.image), a.geom));
    });
  }

  col2im(a: Parameters<Backend['col2im']>[0]): Op {
    const activation = a.activation ?? 'identity';
    if (a.accumulate && activation !== 'identity') throw new Error(`${a.label}: accumulate needs the identity`);
    return cpuOp(a.label, () => {
      const sums = col2im(data(a.cols), a.geom);
      const image = data(a.image);
      const bias = a.bias ? data(a.bias) : undefined;
      const channels = a.geom.channels;
      for (let i = 0; i < sums.length; i++) {
        const v = sums[i] + (bias ? bias[i % channels] : 0) + (a.accumulate ? image[i] : 0);
        image[i] = activate(v, activation, a.slope ?? 0);
      }
    });
  }

  batchNorm(a: Parameters<Backend['batchNorm']>[0]): Op {
    return cpuOp(a.label, () => {
      const n = a.rows * a.cols;
      const r = batchNormForward(data(a.x).subarray(0, n), a.rows, a.cols, data(a.gamma), data(a.beta), a.eps);
      data(a.y).set(r.y);
      data(a.mean).set(r.mean);
      data(a.invstd).set(r.invstd);
      if (a.running) {
        const rm = data(a.running.mean);
        const rv = data(a.running.variance);
        const next = updateRunningStats(
          rm.slice(0, a.cols),
          rv.slice(0, a.cols),
          r.mean,
          r.variance,
          a.rows,
          a.running.momentum,
        );
        rm.set(next.runningMean);
        rv.set(next.runningVar);
      }
    });
  }

  batchNormEval(a: Parameters<Backend['batchNormEval']>[0]): Op {
    return cpuOp(a.label, () => {
      const n = a.rows * a.cols;
      data(a.y).set(
        batchNormEval(
          data(a.x).subarray(0, n),
          a.rows,
          a.cols,
          data(a.gamma),
          data(a.beta),
          data(a.runningMean),
          data(a.runningVar),
          a.eps,
        ),
      );
    });
  }

  batchNormBackward(a: Parameters<Backend['batchNormBackward']>[0]): Op {
    return cpuOp(a.label, () => {
      const { rows, cols } = a;
      const x = data(a.x);
      const mean = data(a.mean);
      const invstd = data(a.invstd);
      // x̂ from the stored float32 mean and invstd, as the GPU's backward recomputes it.
      const xhat = new Float64Array(rows * cols);
      for (let i = 0; i < xhat.length; i++) xhat[i] = (x[i] - mean[i % cols]) * invstd[i % cols];
      const r = batchNormBackward(data(a.dy), xhat, invstd, data(a.gamma), rows, cols);
      data(a.dx).set(r.dx);
      const dgamma = data(a.dgamma);
      const dbeta = data(a.dbeta);
      for (let c = 0; c < cols; c++) {
        dgamma[c] = r.dgamma[c] + (a.accumulate ? dgamma[c] : 0);
        dbeta[c] = r.dbeta[c] + (a.accumulate ? dbeta[c] : 0);
      }
    });
  }

  columnSum(a: Parameters<Backend['columnSum']>[0]): Op {
    return cpuOp(a.label, () => {
      const out = data(a.out);
      out.set(
        columnReduce(data(a.x), a.rows, a.cols, { accumulateInto: a.accumulate ? out.slice(0, a.cols) : undefined }),
      );
    });
  }

  discriminatorLoss(a: Parameters<Backend['discriminatorLoss']>[0]): Op {
    return cpuOp(a.label, () => {
      const r = discriminatorLoss(
        a.kind,
        data(a.realLogits).subarray(0, a.batch),
        data(a.fakeLogits).subarray(0, a.batch),
      );
      data(a.realGrad).set(r.dReal);
      data(a.fakeGrad).set(r.dFake);
      writeLossStats(a.stats, r);
    });
  }

  generatorLoss(a: Parameters<Backend['generatorLoss']>[0]): Op {
    return cpuOp(a.label, () => {
      const r = generatorLoss(a.kind, data(a.fakeLogits).subarray(0, a.batch));
      data(a.fakeGrad).set(r.dFake);
      writeLossStats(a.stats, r);
    });
  }

  spectralNorm(a: Parameters<Backend['spectralNorm']>[0]): Op {
    return cpuOp(a.label, () => {
      const w = data(a.w);
      const r = spectralNormPowerIteration(w, data(a.u), data(a.v), a.dOut, a.dIn, a.rounds);
      data(a.u).set(r.u);
      data(a.v).set(r.v);
      data(a.sigma)[0] = r.sigma;
      // The GPU divides by the float32 σ̃ it stored; so does the twin here.
      data(a.wBar).set(spectralNormApply(w, data(a.sigma)[0]));
    });
  }

  spectralNormBackward(a: Parameters<Backend['spectralNormBackward']>[0]): Op {
    return cpuOp(a.label, () => {
      data(a.gW).set(
        spectralNormBackward(data(a.gWbar), data(a.wBar), data(a.u), data(a.v), data(a.sigma)[0], a.dOut, a.dIn),
      );
    });
  }

  weightNorm(a: Parameters<Backend['weightNorm']>[0]): Op {
    return cpuOp(a.label, () => {
      const r = weightNormForward(data(a.w), a.dOut, a.dIn);
      data(a.wBar).set(r.wBar);
      data(a.norms).set(r.norms);
    });
  }

  weightNormBackward(a: Parameters<Backend['weightNormBackward']>[0]): Op {
    return cpuOp(a.label, () => {
      data(a.gW).set(weightNormBackward(data(a.gWbar), data(a.wBar), data(a.norms), a.dOut, a.dIn));
    });
  }

  clip(a: Parameters<Backend['clip']>[0]): Op {
    return cpuOp(a.label, () => {
      const w = data(a.w);
      w.set(weightClip(w.subarray(0, a.n), a.c));
    });
  }

  adamTick(a: Parameters<Backend['adamTick']>[0]): Op {
    return cpuOp(a.label, () => {
      data(a.step)[0] += 1;
    });
  }

  adamUpdate(a: Parameters<Backend['adamUpdate']>[0]): Op {
    return cpuOp(a.label, () => {
      const param = data(a.param);
      const m = data(a.m);
      const v = data(a.v);
      const t = data(a.step)[0];
      // adamStep advances t itself; hand it the count before this update's tick.
      const state = { param: Float64Array.from(param), m: Float64Array.from(m), v: Float64Array.from(v), t: t - 1 };
      adamStep(state, data(a.grad), { lr: a.lr, beta1: a.beta1, beta2: a.beta2, eps: a.eps });
      param.set(state.param);
      m.set(state.m);
      v.set(state.v);
    });
  }

  drawTick(a: Parameters<Backend['drawTick']>[0]): Op {
    return cpuOp(a.label, () => {
      data(a.counter)[0] += 1;
    });
  }

  rowSample(a: Parameters<Backend['rowSample']>[0]): Op {
    return cpuOp(a.label, () => {
      data(a.out).set(
        sampleRows(a.n, data(a.rows), a.count, a.dim, { seed: a.seed, stream: a.stream, draw: data(a.counter)[0] }),
      );
    });
  }

  axpby(a: Parameters<Backend['axpby']>[0]): Op {
    return cpuOp(a.label, () => {
      const out = data(a.out);
      const prior = a.accumulate ? out.subarray(0, a.n) : undefined;
      out.set(axpby(data(a.a).subarray(0, a.n), data(a.b), a.alpha, a.beta, prior));
    });
  }

  uniformDraw(a: Parameters<Backend['uniformDraw']>[0]): Op {
    return cpuOp(a.label, () => {
      data(a.out).set(uniformDraw(a.n, { seed: a.seed, stream: a.stream, draw: data(a.counter)[0] }));
    });
  }

  mixRows(a: Parameters<Backend['mixRows']>[0]): Op {
    return cpuOp(a.label, () => {
      data(a.out).set(mixRows(data(a.real), data(a.fake), data(a.eps), a.rows, a.cols));
    });
  }

  penaltySeed(a: Parameters<Backend['penaltySeed']>[0]): Op {
    return cpuOp(a.label, () => {
      const r = penaltySeed(data(a.grad).subarray(0, a.rows * a.cols), a.rows, a.cols, a.lambda);
      data(a.seed).set(r.seed);
      data(a.stats)[0] = r.penalty;
    });
  }

  normalDraw(a: Parameters<Backend['normalDraw']>[0]): Op {
    return cpuOp(a.label, () => {
      data(a.out).set(normalDraw(a.n, a.std, { seed: a.seed, stream: a.stream, draw: data(a.counter)[0] }));
    });
  }

  anchorSample(a: Parameters<Backend['anchorSample']>[0]): Op {
    return cpuOp(a.label, () => {
      const anchors = data(a.anchors).subarray(0, 2 * a.anchorCount);
      data(a.out).set(sampleAnchors(a.n, anchors, a.std, { seed: a.seed, stream: a.stream, draw: data(a.counter)[0] }));
    });
  }
}

function writeLossStats(stats: Tensor, r: LossTwin): void {
  data(stats).set([r.loss, r.meanDReal, r.meanDFake]);
}
