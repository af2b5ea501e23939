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

  matmul(a: Parameters<Backend['matmul']>[0]): Op {
    return cpuOp(a.label, () => {
      const c = valuesOf(a.c);
      const result = matmulReference(valuesOf(a.a), valuesOf(a.b), {
        m: a.m,
        n: a.n,
        k: a.k,
        transA: a.transA,
        transB: a.transB,
        bias: a.bias ? valuesOf(a.bias) : undefined,
        activation: a.activation,
        slope: a.slope,
        c: a.accumulate ? c : undefined,
      });
      c.set(result);
    });
  }

  activationBackward(a: Parameters<Backend['activationBackward']>[0]): Op {
    return cpuOp(a.label, () => {
      const y = valuesOf(a.y).subarray(0, a.n);
      valuesOf(a.dx).set(activationBackward(y, valuesOf(a.dy), a.activation, a.slope ?? 0));
    });
  }

  activation(a: Parameters<Backend['activation']>[0]): Op {
    return cpuOp(a.label, () => {
      valuesOf(a.y).set(activationForward(valuesOf(a.x).subarray(0, a.n), a.activation, a.slope ?? 0));
    });
  }

  im2col(a: Parameters<Backend['im2col']>[0]): Op {
    return cpuOp(a.label, () => {
      valuesOf(a.cols).set(im2col(valuesOf(a.image), a.geom));
    });
  }

  col2im(a: Parameters<Backend['col2im']>[0]): Op {
    const activation = a.activation ?? 'identity';
    if (a.accumulate && activation !== 'identity') throw new Error(`${a.label}: accumulate needs the identity`);
    return cpuOp(a.label, () => {
      const sums = col2im(valuesOf(a.cols), a.geom);
      const image = valuesOf(a.image);
      const bias = a.bias ? valuesOf(a.bias) : undefined;
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
      const r = batchNormForward(
        valuesOf(a.x).subarray(0, n),
        a.rows,
        a.cols,
        valuesOf(a.gamma),
        valuesOf(a.beta),
        a.eps,
      );
      valuesOf(a.y).set(r.y);
      valuesOf(a.mean).set(r.mean);
      valuesOf(a.invstd).set(r.invstd);
      if (a.running) {
        const rm = valuesOf(a.running.mean);
        const rv = valuesOf(a.running.variance);
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
      valuesOf(a.y).set(
        batchNormEval(
          valuesOf(a.x).subarray(0, n),
          a.rows,
          a.cols,
          valuesOf(a.gamma),
          valuesOf(a.beta),
          valuesOf(a.runningMean),
          valuesOf(a.runningVar),
          a.eps,
        ),
      );
    });
  }

  batchNormBackward(a: Parameters<Backend['batchNormBackward']>[0]): Op {
    return cpuOp(a.label, () => {
      const { rows, cols } = a;
      const x = valuesOf(a.x);
      const mean = valuesOf(a.mean);
      const invstd = valuesOf(a.invstd);
      // x̂ from the stored float32 mean and invstd, as the GPU's backward recomputes it.
      const xhat = new Float64Array(rows * cols);
      for (let i = 0; i < xhat.length; i++) xhat[i] = (x[i] - mean[i % cols]) * invstd[i % cols];
      const r = batchNormBackward(valuesOf(a.dy), xhat, invstd, valuesOf(a.gamma), rows, cols);
      valuesOf(a.dx).set(r.dx);
      const dgamma = valuesOf(a.dgamma);
      const dbeta = valuesOf(a.dbeta);
      for (let c = 0; c < cols; c++) {
        dgamma[c] = r.dgamma[c] + (a.accumulate ? dgamma[c] : 0);
        dbeta[c] = r.dbeta[c] + (a.accumulate ? dbeta[c] : 0);
      }
    });
  }

  columnSum(a: Parameters<Backend['columnSum']>[0]): Op {
    return cpuOp(a.label, () => {
      const out = valuesOf(a.out);
      out.set(
        columnReduce(valuesOf(a.x), a.rows, a.cols, {
          accumulateInto: a.accumulate ? out.slice(0, a.cols) : undefined,
        }),
      );
    });
  }

  discriminatorLoss(a: Parameters<Backend['discriminatorLoss']>[0]): Op {
    return cpuOp(a.label, () => {
      const r = discriminatorLoss(
        a.kind,
        valuesOf(a.realLogits).subarray(0, a.batch),
        valuesOf(a.fakeLogits).subarray(0, a.batch),
      );
      valuesOf(a.realGrad).set(r.dReal);
      valuesOf(a.fakeGrad).set(r.dFake);
      writeLossStats(a.stats, r);
    });
  }

  generatorLoss(a: Parameters<Backend['generatorLoss']>[0]): Op {
    return cpuOp(a.label, () => {
      const r = generatorLoss(a.kind, valuesOf(a.fakeLogits).subarray(0, a.batch));
      valuesOf(a.fakeGrad).set(r.dFake);
      writeLossStats(a.stats, r);
    });
  }

  spectralNorm(a: Parameters<Backend['spectralNorm']>[0]): Op {
    return cpuOp(a.label, () => {
      const w = valuesOf(a.w);
      const r = spectralNormPowerIteration(w, valuesOf(a.u), valuesOf(a.v), a.dOut, a.dIn, a.rounds);
      valuesOf(a.u).set(r.u);
      valuesOf(a.v).set(r.v);
      valuesOf(a.sigma)[0] = r.sigma;
      // The GPU divides by the float32 σ̃ it stored; so does the twin here.
      valuesOf(a.wBar).set(spectralNormApply(w, valuesOf(a.sigma)[0]));
    });
  }

  spectralNormBackward(a: Parameters<Backend['spectralNormBackward']>[0]): Op {
    return cpuOp(a.label, () => {
      valuesOf(a.gW).set(
        spectralNormBackward(
          valuesOf(a.gWbar),
          valuesOf(a.wBar),
          valuesOf(a.u),
          valuesOf(a.v),
          valuesOf(a.sigma)[0],
          a.dOut,
          a.dIn,
        ),
      );
    });
  }

  weightNorm(a: Parameters<Backend['weightNorm']>[0]): Op {
    return cpuOp(a.label, () => {
      const r = weightNormForward(valuesOf(a.w), a.dOut, a.dIn);
      valuesOf(a.wBar).set(r.wBar);
      valuesOf(a.norms).set(r.norms);
    });
  }

  weightNormBackward(a: Parameters<Backend['weightNormBackward']>[0]): Op {
    return cpuOp(a.label, () => {
      valuesOf(a.gW).set(weightNormBackward(valuesOf(a.gWbar), valuesOf(a.wBar), valuesOf(a.norms), a.dOut, a.dIn));
    });
  }

  clip(a: Parameters<Backend['clip']>[0]): Op {
    return cpuOp(a.label, () => {
      const w = valuesOf(a.w);
      w.set(weightClip(w.subarray(0, a.n), a.c));
    });
  }

  adamTick(a: Parameters<Backend['adamTick']>[0]): Op {
    return cpuOp(a.label, () => {
      valuesOf(a.step)[0] += 1;
    });
  }

  adamUpdate(a: Parameters<Backend['adamUpdate']>[0]): Op {
    return cpuOp(a.label, () => {
      const param = valuesOf(a.param);
      const m = valuesOf(a.m);
      const v = valuesOf(a.v);
      const t = valuesOf(a.step)[0];
      // adamStep advances t itself; hand it the count before this update's tick.
      const state = { param: Float64Array.from(param), m: Float64Array.from(m), v: Float64Array.from(v), t: t - 1 };
      adamStep(state, valuesOf(a.grad), { lr: a.lr, beta1: a.beta1, beta2: a.beta2, eps: a.eps });
      param.set(state.param);
      m.set(state.m);
      v.set(state.v);
    });
  }

  drawTick(a: Parameters<Backend['drawTick']>[0]): Op {
    return cpuOp(a.label, () => {
      valuesOf(a.counter)[0] += 1;
    });
  }

  rowSample(a: Parameters<Backend['rowSample']>[0]): Op {
    return cpuOp(a.label, () => {
      valuesOf(a.out).set(
        sampleRows(a.n, valuesOf(a.rows), a.count, a.dim, {
          seed: a.seed,
          stream: a.stream,
          draw: valuesOf(a.counter)[0],
        }),
      );
    });
  }

  axpby(a: Parameters<Backend['axpby']>[0]): Op {
    return cpuOp(a.label, () => {
      const out = valuesOf(a.out);
      const prior = a.accumulate ? out.subarray(0, a.n) : undefined;
      out.set(axpby(valuesOf(a.a).subarray(0, a.n), valuesOf(a.b), a.alpha, a.beta, prior));
    });
  }

  uniformDraw(a: Parameters<Backend['uniformDraw']>[0]): Op {
    return cpuOp(a.label, () => {
      valuesOf(a.out).set(uniformDraw(a.n, { seed: a.seed, stream: a.stream, draw: valuesOf(a.counter)[0] }));
    });
  }

  mixRows(a: Parameters<Backend['mixRows']>[0]): Op {
    return cpuOp(a.label, () => {
      valuesOf(a.out).set(mixRows(valuesOf(a.real), valuesOf(a.fake), valuesOf(a.eps), a.rows, a.cols));
    });
  }

  penaltySeed(a: Parameters<Backend['penaltySeed']>[0]): Op {
    return cpuOp(a.label, () => {
      const r = penaltySeed(valuesOf(a.grad).subarray(0, a.rows * a.cols), a.rows, a.cols, a.lambda);
      valuesOf(a.seed).set(r.seed);
      valuesOf(a.stats)[0] = r.penalty;
    });
  }

  normalDraw(a: Parameters<Backend['normalDraw']>[0]): Op {
    return cpuOp(a.label, () => {
      valuesOf(a.out).set(normalDraw(a.n, a.std, { seed: a.seed, stream: a.stream, draw: valuesOf(a.counter)[0] }));
    });
  }

  anchorSample(a: Parameters<Backend['anchorSample']>[0]): Op {
    return cpuOp(a.label, () => {
      const anchors = valuesOf(a.anchors).subarray(0, 2 * a.anchorCount);
      valuesOf(a.out).set(
        sampleAnchors(a.n, anchors, a.std, { seed: a.seed, stream: a.stream, draw: valuesOf(a.counter)[0] }),
      );
    });
  }
}

function writeLossStats(stats: Tensor, r: LossTwin): void {
  valuesOf(stats).set([r.loss, r.meanDReal, r.meanDFake]);
}
