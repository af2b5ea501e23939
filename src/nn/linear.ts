/** The dense layer: y = act(x · Wᵀ + b), x batch × dIn, W [dOut][dIn]. */
import type { Activation } from '../core/activation';
import type { Backend, Op, Tensor } from '../engine/backend';
import type { DoubleBackwardOptions, LayerBackwardOptions, LayerTrace, LayerTraceOptions, WeightInit } from './layer';
import { WeightLayerBase, WeightTrace } from './weight-layer';

export interface LinearSpec {
  dIn: number;
  dOut: number;
  activation?: Activation;
  /** LeakyReLU's slope. */
  slope?: number;
}

export class Linear extends WeightLayerBase {
  constructor(backend: Backend, name: string, spec: LinearSpec, init: WeightInit) {
    super(backend, name, { ...spec, inputSize: spec.dIn, outputSize: spec.dOut, biasSize: spec.dOut }, init);
  }

  scratchSize(): number {
    return 0;
  }

  trace(label: string, input: Tensor, batch: number, o: LayerTraceOptions = {}): LayerTrace {
    return new LinearTrace(this.backend, this, label, input, batch, o);
  }
}

class LinearTrace extends WeightTrace {
  forward(): Op[] {
    return [this.dense(this.input, this.batch)];
  }

  backward(o: LayerBackwardOptions): Op[] {
    const label = `${this.label}.${o.label}`;
    const ops = this.activationBackward(label);
    if (o.weightGrads !== 'none') {
      // ∂L/∂W = dzᵀ · x (dOut × dIn).
      ops.push(...this.weightGrads(label, o, this.preGrad, this.input, this.batch, this.batch));
    }
    if (o.inputGrad) {
      // ∂L/∂x = dz · W (batch × dIn).
      ops.push(this.denseInputGrad(`${label}.dx`, this.inputGrad, this.batch));
    }
    return ops;
  }

  doubleBackward(o: DoubleBackwardOptions): { ops: Op[]; next: Tensor | null } {
    this.checkPiecewiseLinear();
    const l = this.layer;
    const label = `${this.label}.${o.label}`;
    // dx = dz·W: ∂R/∂W += dzᵀ·s, ∂R/∂dz = s·Wᵀ.
    const gW = this.backend.matmul({
      label: `${label}.gW`,
      a: this.preGrad,
      b: o.seed,
      c: o.target,
      m: l.dOut,
      n: l.dIn,
      k: this.batch,
      transA: true,
      accumulate: true,
    });
    if (o.last) return { ops: [gW], next: null };
    const through = this.backend.tensor(`${label}.through`, this.batch * l.dOut);
    const ops = [
      gW,
      this.backend.matmul({
        label: `${label}.through`,
        a: o.seed,
        b: this.weight,
        c: through,
        m: this.batch,
        n: l.dOut,
        k: l.dIn,
        transB: true,
      }),
    ];
    const masked = this.maskedSeed(label, through);
    return { ops: [...ops, ...masked.ops], next: masked.next };
  }
}
