/**
 * The one set-up the weighted layers (Linear, Conv2d, ConvTranspose2d) share: the weight and its
 * gradient, the optional bias and its gradient, the activation, the trainable parameters, and the
 * trace base that handles the activation's backward, the bias gradient and the gradient penalty's
 * masks. Each layer adds only its shape and its ops.
 */
import type { Activation } from '../core/activation';
import type { Backend, Op, Tensor } from '../engine/backend';
import {
  checkLength,
  type LayerBackwardOptions,
  type LayerTrace,
  type LayerTraceOptions,
  type TrainableParam,
  type WeightInit,
  type WeightLayer,
} from './layer';

/** A weighted layer's sizes: W is stored dOut × dIn; the bias has one value per output channel. */
export interface WeightShape {
  dOut: number;
  dIn: number;
  /** Floats per sample of the input and of the output. */
  inputSize: number;
  outputSize: number;
  biasSize: number;
  activation?: Activation;
  /** LeakyReLU's slope. */
  slope?: number;
}

export abstract class WeightLayerBase implements WeightLayer {
  readonly dOut: number;
  readonly dIn: number;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly activation: Activation;
  readonly slope: number;
  readonly w: Tensor;
  readonly gW: Tensor;
  readonly b?: Tensor;
  readonly gB?: Tensor;

  constructor(
    protected readonly backend: Backend,
    readonly name: string,
    shape: WeightShape,
    init: WeightInit,
  ) {
    this.dOut = shape.dOut;
    this.dIn = shape.dIn;
    this.inputSize = shape.inputSize;
    this.outputSize = shape.outputSize;
    this.activation = shape.activation ?? 'identity';
    this.slope = shape.slope ?? 0;
    // Creation order w, gW, b, gB: a checkpoint restores tensors by their order (Backend.tensors).
    checkLength(name, 'W', init.w.length, this.dOut * this.dIn);
    this.w = backend.tensor(`${name}.w`, this.dOut * this.dIn, init.w);
    this.gW = backend.tensor(`${name}.gW`, this.dOut * this.dIn);
    if (init.b) {
      checkLength(name, 'b', init.b.length, shape.biasSize);
      this.b = backend.tensor(`${name}.b`, shape.biasSize, init.b);
      this.gB = backend.tensor(`${name}.gB`, shape.biasSize);
    }
  }

  abstract scratchSize(batch: number): number;
  abstract trace(label: string, input: Tensor, batch: number, o?: LayerTraceOptions): LayerTrace;

  params(): TrainableParam[] {
    const out = [{ param: this.w, grad: this.gW, n: this.dOut * this.dIn }];
    if (this.b && this.gB) out.push({ param: this.b, grad: this.gB, n: this.b.size });
    return out;
  }
}

/** Shared by the three weighted layers' traces: output, gradients, and the pre-activation gradient. */
export abstract class WeightTrace implements LayerTrace {
  readonly output: Tensor;
  readonly outputGrad: Tensor;
  readonly inputGrad: Tensor;
  /** ∂L/∂(pre-activation output); the output gradient itself when the activation is the identity. */
  protected readonly preGrad: Tensor;
  protected readonly weight: Tensor;

  constructor(
    protected readonly backend: Backend,
    protected readonly layer: WeightLayerBase,
    readonly label: string,
    readonly input: Tensor,
    readonly batch: number,
    o: LayerTraceOptions,
  ) {
    const outN = batch * layer.outputSize;
    this.weight = o.weight ?? layer.w;
    if (o.output && o.output.size !== outN) {
      throw new Error(`${label}: output tensor holds ${o.output.size} floats, the layer gives ${outN}`);
    }
    this.output = o.output ?? backend.tensor(`${label}.out`, outN);
    this.outputGrad = o.outputGrad ?? backend.tensor(`${label}.dOut`, outN);
    this.preGrad = layer.activation === 'identity' ? this.outputGrad : backend.tensor(`${label}.dPre`, outN);
    this.inputGrad = o.inputGrad ?? backend.tensor(`${label}.dIn`, batch * layer.inputSize);
  }

  abstract forward(): Op[];
  abstract backward(o: LayerBackwardOptions): Op[];

  /** dz = dy · act'(y), or nothing for the identity. */
  protected activationBackward(label: string): Op[] {
    if (this.layer.activation === 'identity') return [];
    return [
      this.backend.activationBackward({
        label: `${label}.act`,
        y: this.output,
        dy: this.outputGrad,
        dx: this.preGrad,
        n: this.batch * this.layer.outputSize,
        activation: this.layer.activation,
        slope: this.layer.slope,
      }),
    ];
  }

  /** The gradient penalty's second pass holds only for piecewise-linear activations. */
  protected checkPiecewiseLinear(): void {
    const act = this.layer.activation;
    if (act !== 'identity' && act !== 'relu' && act !== 'leaky_relu') {
      throw new Error(`${this.label}: the gradient penalty needs piecewise-linear activations, not ${act}`);
    }
  }

  /**
   * ∂R/∂(output gradient) from ∂R/∂(masked gradient) `through`: the same mask act'(y), which is
   * fixed almost everywhere for piecewise-linear activations (see checkPiecewiseLinear).
   */
  protected maskedSeed(label: string, through: Tensor): { ops: Op[]; next: Tensor } {
    const act = this.layer.activation;
    if (act === 'identity') return { ops: [], next: through };
    const next = this.backend.tensor(`${label}.seedOut`, this.batch * this.layer.outputSize);
    const op = this.backend.activationBackward({
      label: `${label}.mask`,
      y: this.output,
      dy: through,
      dx: next,
      n: this.batch * this.layer.outputSize,
      activation: act,
      slope: this.layer.slope,
    });
    return { ops: [op], next };
  }

  /** y = act(a · Wᵀ + b) for a rows × dIn (the input, or a conv's im2col columns). */
  protected dense(a: Tensor, rows: number): Op {
    const l = this.layer;
    return this.backend.matmul({
      label: `${this.label}.forward`,
      a,
      b: this.weight,
      c: this.output,
      m: rows,
      n: l.dOut,
      k: l.dIn,
      transB: true,
      bias: l.b,
      activation: l.activation,
      slope: l.slope,
    });
  }

  /** c = dz · W (rows × dIn): a dense layer's input gradient, a conv's columns before col2im. */
  protected denseInputGrad(label: string, c: Tensor, rows: number): Op {
    const l = this.layer;
    return this.backend.matmul({ label, a: this.preGrad, b: this.weight, c, m: rows, n: l.dIn, k: l.dOut });
  }

  /**
   * ∂L/∂W (+)= aᵀ · b, a sum over k rows (dOut × dIn, into the target the options name), then
   * db (+)= Σ dz over the biasRows rows of dz.
   */
  protected weightGrads(
    label: string,
    o: LayerBackwardOptions,
    a: Tensor,
    b: Tensor,
    k: number,
    biasRows: number,
  ): Op[] {
    const l = this.layer;
    const accumulate = o.weightGrads === 'accumulate';
    const gW = (part: string, a: Tensor, b: Tensor, k: number, accumulate: boolean): Op =>
      this.backend.matmul({
        label: `${label}.gW${part}`,
        a,
        b,
        c: o.weightGradTarget ?? l.gW,
        m: l.dOut,
        n: l.dIn,
        k,
        transA: true,
        accumulate,
      });
    const gB = (part: string, x: Tensor, rows: number, accumulate: boolean): Op =>
      this.backend.columnSum({ label: `${label}.gB${part}`, x, out: l.gB!, rows, cols: l.gB!.size, accumulate });
    if (!o.halves) return [gW('', a, b, k, accumulate), ...(l.gB ? [gB('', this.preGrad, biasRows, accumulate)] : [])];
    if (k % 2 !== 0 || biasRows % 2 !== 0) throw new Error(`${label}: a batch of halves needs even rows, got ${k}`);
    const half = (t: Tensor, rows: number, cols: number, second: boolean): Tensor =>
      this.backend.view(t, second ? (rows / 2) * cols : 0, (rows / 2) * cols);
    const [m, n, rows] = [l.dOut, l.dIn, k];
    return [
      gW('.first', half(a, rows, m, false), half(b, rows, n, false), rows / 2, accumulate),
      gW('.second', half(a, rows, m, true), half(b, rows, n, true), rows / 2, true),
      ...(l.gB
        ? [
            gB('.first', half(this.preGrad, biasRows, l.gB.size, false), biasRows / 2, accumulate),
            gB('.second', half(this.preGrad, biasRows, l.gB.size, true), biasRows / 2, true),
          ]
        : []),
    ];
  }
}
