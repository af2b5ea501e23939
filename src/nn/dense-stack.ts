/**
 * A stack of dense layers y = act(x·Wᵀ + b) with W stored d_out × d_in (PyTorch's order, the
 * matrix spectral normalization works on). Parameters live here; activations live in traces:
 * one trace per input the stack is applied to (D sees a real and a fake batch), each with its own
 * buffers so its backward can run after the other's forward.
 */
import type { Activation } from '../gpu/activation';
import type { Backend, Op, Tensor } from '../engine/backend';
import type { DenseInit } from './init';

export interface DenseParams {
  name: string;
  dOut: number;
  dIn: number;
  w: Tensor;
  b: Tensor;
  gW: Tensor;
  gB: Tensor;
}

export interface DenseStackSpec {
  sizes: number[];
  hidden: Activation;
  output: Activation;
  slope: number;
}

export class DenseStack {
  readonly layers: DenseParams[];

  constructor(
    private readonly backend: Backend,
    readonly label: string,
    readonly spec: DenseStackSpec,
    init: DenseInit[],
  ) {
    this.layers = init.map((p, i) => {
      const dOut = spec.sizes[i + 1];
      const dIn = spec.sizes[i];
      const name = `${label}.layer${i}`;
      return {
        name,
        dOut,
        dIn,
        w: backend.tensor(`${name}.w`, dOut * dIn, p.w),
        b: backend.tensor(`${name}.b`, dOut, p.b),
        gW: backend.tensor(`${name}.gW`, dOut * dIn),
        gB: backend.tensor(`${name}.gB`, dOut),
      };
    });
  }

  activationOf(i: number): Activation {
    return i === this.layers.length - 1 ? this.spec.output : this.spec.hidden;
  }

  /** Buffers and prepared ops for applying the stack to `input` (batch × sizes[0]). */
  trace(label: string, input: Tensor, batch: number, options: TraceOptions = {}): DenseTrace {
    const weights = options.weights ?? this.layers.map((l) => l.w);
    return new DenseTrace(this.backend, this, `${this.label}.${label}`, input, batch, weights, options);
  }
}

export interface TraceOptions {
  /** The weights the forward multiplies by (default: the raw W; D passes its W̄). */
  weights?: Tensor[];
  /** Use this tensor as ∂L/∂output (e.g. the next network's input gradient, or constant ones). */
  outputGrad?: Tensor;
  /** Write ∂L/∂input here (e.g. the previous network's output gradient). */
  inputGrad?: Tensor;
}

export interface BackwardOptions {
  /** 'write' sets the weight gradients, 'accumulate' adds to them, 'none' skips them. */
  weightGrads: 'write' | 'accumulate' | 'none';
  /** Also compute the gradient w.r.t. the input (into `inputGrad`). */
  inputGrad: boolean;
  /** Where ∂L/∂W goes for each layer (default: the layer's gW; normalized layers pass ∂L/∂W̄). */
  weightGradTargets?: Tensor[];
  label: string;
}

export class DenseTrace {
  /** Post-activation output of every layer; the last is the stack's output. */
  readonly outputs: Tensor[];
  /** ∂L/∂(output of layer i); the caller fills the last one (e.g. from a loss). */
  readonly outputGrads: Tensor[];
  private readonly preGrads: Tensor[];
  readonly inputGrad: Tensor;

  constructor(
    private readonly backend: Backend,
    private readonly stack: DenseStack,
    readonly label: string,
    readonly input: Tensor,
    readonly batch: number,
    private readonly weights: Tensor[],
    options: TraceOptions,
  ) {
    const layers = stack.layers;
    const last = layers.length - 1;
    this.outputs = layers.map((l, i) => backend.tensor(`${label}.out${i}`, batch * l.dOut));
    this.outputGrads = layers.map((l, i) =>
      i === last && options.outputGrad ? options.outputGrad : backend.tensor(`${label}.dOut${i}`, batch * l.dOut),
    );
    // Identity layers need no separate pre-activation gradient.
    this.preGrads = layers.map((l, i) =>
      stack.activationOf(i) === 'identity' ? this.outputGrads[i] : backend.tensor(`${label}.dPre${i}`, batch * l.dOut),
    );
    this.inputGrad = options.inputGrad ?? backend.tensor(`${label}.dIn`, batch * layers[0].dIn);
  }

  get output(): Tensor {
    return this.outputs[this.outputs.length - 1];
  }

  get outputGrad(): Tensor {
    return this.outputGrads[this.outputGrads.length - 1];
  }

  forward(): Op[] {
    return this.stack.layers.map((l, i) =>
      this.backend.matmul({
        label: `${this.label}.forward${i}`,
        a: i === 0 ? this.input : this.outputs[i - 1],
        b: this.weights[i],
        c: this.outputs[i],
        m: this.batch,
        n: l.dOut,
        k: l.dIn,
        transB: true,
        bias: l.b,
        activation: this.stack.activationOf(i),
        slope: this.stack.spec.slope,
      }),
    );
  }

  backward(o: BackwardOptions): Op[] {
    const ops: Op[] = [];
    const layers = this.stack.layers;
    const accumulate = o.weightGrads === 'accumulate';
    for (let i = layers.length - 1; i >= 0; i--) {
      const l = layers[i];
      const activation = this.stack.activationOf(i);
      const label = `${this.label}.${o.label}${i}`;
      if (activation !== 'identity') {
        ops.push(
          this.backend.activationBackward({
            label: `${label}.act`,
            y: this.outputs[i],
            dy: this.outputGrads[i],
            dx: this.preGrads[i],
            n: this.batch * l.dOut,
            activation,
            slope: this.stack.spec.slope,
          }),
        );
      }
      const dz = this.preGrads[i];
      if (o.weightGrads !== 'none') {
        // ∂L/∂W = dzᵀ · x  (d_out × d_in), ∂L/∂b = Σ_rows dz.
        ops.push(
          this.backend.matmul({
            label: `${label}.gW`,
            a: dz,
            b: i === 0 ? this.input : this.outputs[i - 1],
            c: o.weightGradTargets?.[i] ?? l.gW,
            m: l.dOut,
            n: l.dIn,
            k: this.batch,
            transA: true,
            accumulate,
          }),
          this.backend.columnSum({
            label: `${label}.gB`,
            x: dz,
            out: l.gB,
            rows: this.batch,
            cols: l.dOut,
            accumulate,
          }),
        );
      }
      if (i > 0 || o.inputGrad) {
        // ∂L/∂x = dz · W  (batch × d_in).
        ops.push(
          this.backend.matmul({
            label: `${label}.dx`,
            a: dz,
            b: this.weights[i],
            c: i > 0 ? this.outputGrads[i - 1] : this.inputGrad,
            m: this.batch,
            n: l.dIn,
            k: l.dOut,
          }),
        );
      }
    }
    return ops;
  }

  /**
   * Pushes ∂R/∂(input gradient) back to the weights, for a penalty R on the input gradient this
   * trace's backward computed (WGAN-GP). With piecewise-linear activations the input gradient is
   * g = 1ᵀ·M_L W_L ⋯ M_1 W_1 with masks M_i fixed almost everywhere, so it is linear in each W_i:
   * walking the backward chain forwards gives ∂R/∂W_i = t_iᵀ·s_{i−1}, where t_i is the backward's
   * masked gradient at layer i and s_{i−1} = ∂R/∂(its input gradient). Biases get nothing (they
   * only move the masks). Call after this trace's forward and backward (input gradient) ran.
   */
  doubleBackward(o: { seed: Tensor; targets: Tensor[]; label: string }): Op[] {
    const layers = this.stack.layers;
    layers.forEach((_, i) => {
      const act = this.stack.activationOf(i);
      if (act !== 'identity' && act !== 'relu' && act !== 'leaky_relu') {
        throw new Error(`${this.label}: the gradient penalty needs piecewise-linear activations, not ${act}`);
      }
    });
    const ops: Op[] = [];
    let s = o.seed;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i];
      const label = `${this.label}.${o.label}${i}`;
      ops.push(
        this.backend.matmul({
          label: `${label}.gW`,
          a: this.preGrads[i],
          b: s,
          c: o.targets[i],
          m: l.dOut,
          n: l.dIn,
          k: this.batch,
          transA: true,
          accumulate: true,
        }),
      );
      if (i === layers.length - 1) break;
      const through = this.backend.tensor(`${label}.sW`, this.batch * l.dOut);
      ops.push(
        this.backend.matmul({
          label: `${label}.sW`,
          a: s,
          b: this.weights[i],
          c: through,
          m: this.batch,
          n: l.dOut,
          k: l.dIn,
          transB: true,
        }),
      );
      const activation = this.stack.activationOf(i);
      if (activation === 'identity') {
        s = through;
        continue;
      }
      const masked = this.backend.tensor(`${label}.s`, this.batch * l.dOut);
      ops.push(
        this.backend.activationBackward({
          label: `${label}.mask`,
          y: this.outputs[i],
          dy: through,
          dx: masked,
          n: this.batch * l.dOut,
          activation,
          slope: this.stack.spec.slope,
        }),
      );
      s = masked;
    }
    return ops;
  }
}
