/** Batch normalization (the paper's generator) on the engine's Backend. */
import type { Activation } from '../core/activation';
import type { Backend, Op, Tensor } from '../engine/backend';
import {
  checkLength,
  type Layer,
  type LayerBackwardOptions,
  type LayerTrace,
  type LayerTraceOptions,
  type TrainableParam,
} from './layer';

export interface BatchNormSpec {
  /** Channels normalized separately (a dense layer's features: its output size). */
  channels: number;
  /** Pixels per sample sharing each channel's statistics (H·W; 1 after a dense layer). */
  spatial: number;
  /** Applied after the affine transform (the paper's G: ReLU). */
  activation?: Activation;
  slope?: number;
  eps?: number;
  momentum?: number;
}

export interface BatchNormInit {
  gamma: ArrayLike<number>;
  beta: ArrayLike<number>;
}

/**
 * y = act(gamma·(x − mean)/√(var + eps) + beta) per channel over batch·spatial rows; training
 * traces use the batch statistics and update the running ones (PyTorch's convention: momentum
 * 0.1, unbiased variance; running mean 0 and variance 1 at start), eval traces use the running ones.
 */
export class BatchNorm implements Layer {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly activation: Activation;
  readonly slope: number;
  readonly gamma: Tensor;
  readonly beta: Tensor;
  readonly gGamma: Tensor;
  readonly gBeta: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;

  constructor(
    private readonly backend: Backend,
    readonly name: string,
    readonly spec: BatchNormSpec,
    init: BatchNormInit,
  ) {
    const c = spec.channels;
    this.inputSize = this.outputSize = c * spec.spatial;
    this.activation = spec.activation ?? 'identity';
    this.slope = spec.slope ?? 0;
    checkLength(name, 'gamma', init.gamma.length, c);
    checkLength(name, 'beta', init.beta.length, c);
    this.gamma = backend.tensor(`${name}.gamma`, c, init.gamma);
    this.beta = backend.tensor(`${name}.beta`, c, init.beta);
    this.gGamma = backend.tensor(`${name}.gGamma`, c);
    this.gBeta = backend.tensor(`${name}.gBeta`, c);
    this.runningMean = backend.tensor(`${name}.runningMean`, c);
    this.runningVar = backend.tensor(`${name}.runningVar`, c, new Float32Array(c).fill(1));
  }

  scratchSize(): number {
    return 0;
  }

  params(): TrainableParam[] {
    const n = this.spec.channels;
    return [
      { param: this.gamma, grad: this.gGamma, n },
      { param: this.beta, grad: this.gBeta, n },
    ];
  }

  trace(label: string, input: Tensor, batch: number, o: LayerTraceOptions = {}): LayerTrace {
    return new BatchNormTrace(this.backend, this, label, input, batch, o);
  }
}

class BatchNormTrace implements LayerTrace {
  readonly output: Tensor;
  readonly outputGrad: Tensor;
  readonly inputGrad: Tensor;
  /** gamma·x̂ + beta (the output itself without an activation) and its gradient. */
  private readonly normalized: Tensor;
  private readonly preGrad: Tensor;
  private readonly mean: Tensor;
  private readonly invstd: Tensor;
  private readonly rows: number;
  private readonly training: boolean;
  /** Targets for dgamma / dbeta when the caller wants no parameter gradients (the kernel writes them). */
  private discard?: { gamma: Tensor; beta: Tensor };

  constructor(
    private readonly backend: Backend,
    private readonly bn: BatchNorm,
    readonly label: string,
    readonly input: Tensor,
    readonly batch: number,
    o: LayerTraceOptions,
  ) {
    const n = batch * bn.outputSize;
    const c = bn.spec.channels;
    const plain = bn.activation === 'identity';
    this.rows = batch * bn.spec.spatial;
    this.training = o.training ?? true;
    this.output = backend.tensor(`${label}.out`, n);
    this.normalized = plain ? this.output : backend.tensor(`${label}.normalized`, n);
    this.outputGrad = o.outputGrad ?? backend.tensor(`${label}.dOut`, n);
    this.preGrad = plain ? this.outputGrad : backend.tensor(`${label}.dPre`, n);
    this.inputGrad = o.inputGrad ?? backend.tensor(`${label}.dIn`, n);
    this.mean = backend.tensor(`${label}.mean`, c);
    this.invstd = backend.tensor(`${label}.invstd`, c);
  }

  forward(): Op[] {
    const bn = this.bn;
    const c = bn.spec.channels;
    const common = { x: this.input, gamma: bn.gamma, beta: bn.beta, y: this.normalized, rows: this.rows, cols: c };
    const ops = [
      this.training
        ? this.backend.batchNorm({
            ...common,
            label: `${this.label}.forward`,
            mean: this.mean,
            invstd: this.invstd,
            running: { mean: bn.runningMean, variance: bn.runningVar, momentum: bn.spec.momentum },
            eps: bn.spec.eps,
          })
        : this.backend.batchNormEval({
            ...common,
            label: `${this.label}.forwardEval`,
            runningMean: bn.runningMean,
            runningVar: bn.runningVar,
            eps: bn.spec.eps,
          }),
    ];
    if (bn.activation !== 'identity') {
      ops.push(
        this.backend.activation({
          label: `${this.label}.act`,
          x: this.normalized,
          y: this.output,
          n: this.rows * c,
          activation: bn.activation,
          slope: bn.slope,
        }),
      );
    }
    return ops;
  }

  backward(o: LayerBackwardOptions): Op[] {
    // Its statistics mix the rows: two halves in one pass are not two passes.
    if (o.halves) throw new Error(`${this.label}: batch norm cannot take a batch of two halves`);
    if (!this.training) throw new Error(`${this.label}: no backward through eval-mode batch norm`);
    const bn = this.bn;
    const c = bn.spec.channels;
    const label = `${this.label}.${o.label}`;
    const ops: Op[] = [];
    if (bn.activation !== 'identity') {
      ops.push(
        this.backend.activationBackward({
          label: `${label}.act`,
          y: this.output,
          dy: this.outputGrad,
          dx: this.preGrad,
          n: this.rows * c,
          activation: bn.activation,
          slope: bn.slope,
        }),
      );
    }
    if (o.weightGrads === 'none' && !o.inputGrad) return ops;
    let targets = { gamma: bn.gGamma, beta: bn.gBeta };
    if (o.weightGrads === 'none') {
      this.discard ??= {
        gamma: this.backend.tensor(`${this.label}.discardGamma`, c),
        beta: this.backend.tensor(`${this.label}.discardBeta`, c),
      };
      targets = this.discard;
    }
    ops.push(
      this.backend.batchNormBackward({
        label: `${label}.bn`,
        dy: this.preGrad,
        x: this.input,
        mean: this.mean,
        invstd: this.invstd,
        gamma: bn.gamma,
        dx: this.inputGrad,
        dgamma: targets.gamma,
        dbeta: targets.beta,
        rows: this.rows,
        cols: c,
        accumulate: o.weightGrads === 'accumulate',
      }),
    );
    return ops;
  }
}
