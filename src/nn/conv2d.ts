/**
 * The convolution: im2col around the matmul kernel (the composition in src/gpu/kernels/conv.ts),
 *   forward   cols = im2col(x);  y = act(cols · Wᵀ + b)
 *   backward  dz = dy·act'(y);  cols = im2col(x);  dW (+)= dzᵀ · cols;  db (+)= Σ dz;
 *             cols = dz · W;  dx = col2im(cols)
 */
import { conv2dOutputSize, conv2dPatches, patchGrid, type PatchGeometry } from '../core/conv-geometry';
import type { Backend, Op, Tensor } from '../engine/backend';
import { ConvLayerBase, ConvTrace, convGeometry, type ConvSpec } from './conv-layer';
import type { DoubleBackwardOptions, LayerBackwardOptions, LayerTrace, LayerTraceOptions, WeightInit } from './layer';

/** y = act(conv(x, W) + b): x NHWC B × inH × inW × inC, W [Cout][Cin][kh][kw], y NHWC B × outH × outW × Cout. */
export class Conv2d extends ConvLayerBase {
  constructor(backend: Backend, name: string, spec: ConvSpec, init: WeightInit) {
    const out = conv2dOutputSize(convGeometry(spec, 1));
    super(backend, name, spec, init, out, { dOut: spec.outC, dIn: spec.inC * spec.kh * spec.kw });
  }

  patches(batch: number): PatchGeometry {
    return conv2dPatches(convGeometry(this.spec, batch));
  }

  scratchSize(batch: number): number {
    const { rows, k } = patchGrid(this.patches(batch));
    return rows * k;
  }

  trace(label: string, input: Tensor, batch: number, o: LayerTraceOptions = {}): LayerTrace {
    return new Conv2dTrace(this.backend, this, label, input, batch, o);
  }
}

class Conv2dTrace extends ConvTrace<Conv2d> {
  /** Conv output pixels B·Ho·Wo (= rows of cols). */
  private readonly rows: number;

  constructor(backend: Backend, conv: Conv2d, label: string, input: Tensor, batch: number, o: LayerTraceOptions) {
    super(backend, conv, label, input, batch, o);
    this.rows = patchGrid(this.geom).rows;
  }

  forward(): Op[] {
    return [
      this.backend.im2col({ label: `${this.label}.im2col`, image: this.input, cols: this.cols, geom: this.geom }),
      this.dense(this.cols, this.rows),
    ];
  }

  backward(o: LayerBackwardOptions): Op[] {
    const label = `${this.label}.${o.label}`;
    const ops = this.activationBackward(label);
    if (o.weightGrads !== 'none') {
      // dW [Cout × K] = dzᵀ · im2col(x); dz is stored rows × Cout.
      ops.push(
        this.backend.im2col({ label: `${label}.im2col`, image: this.input, cols: this.cols, geom: this.geom }),
        ...this.weightGrads(label, o, this.preGrad, this.cols, this.rows, this.rows),
      );
    }
    if (o.inputGrad) {
      // dcols = dz · W (rows × K), then dx = col2im(dcols).
      ops.push(
        this.denseInputGrad(`${label}.dcols`, this.cols, this.rows),
        this.backend.col2im({ label: `${label}.col2im`, cols: this.cols, image: this.inputGrad, geom: this.geom }),
      );
    }
    return ops;
  }

  doubleBackward(o: DoubleBackwardOptions): { ops: Op[]; next: Tensor | null } {
    this.checkPiecewiseLinear();
    const l = this.conv;
    const label = `${this.label}.${o.label}`;
    // dx = col2im(dz·W), and col2im is im2col's adjoint: ∂R/∂W += dzᵀ·im2col(s), ∂R/∂dz = im2col(s)·Wᵀ.
    const ops = [
      this.backend.im2col({ label: `${label}.im2col`, image: o.seed, cols: this.cols, geom: this.geom }),
      this.backend.matmul({
        label: `${label}.gW`,
        a: this.preGrad,
        b: this.cols,
        c: o.target,
        m: l.dOut,
        n: l.dIn,
        k: this.rows,
        transA: true,
        accumulate: true,
      }),
    ];
    if (o.last) return { ops, next: null };
    const through = this.backend.tensor(`${label}.through`, this.rows * l.dOut);
    ops.push(
      this.backend.matmul({
        label: `${label}.through`,
        a: this.cols,
        b: this.weight,
        c: through,
        m: this.rows,
        n: l.dOut,
        k: l.dIn,
        transB: true,
      }),
    );
    const masked = this.maskedSeed(label, through);
    return { ops: [...ops, ...masked.ops], next: masked.next };
  }
}
