/**
 * The transposed convolution: the matmul kernel and col2im (the composition in
 * src/gpu/kernels/conv.ts),
 *   forward   cols = x · W;  y = act(col2im(cols) + b)
 *   backward  dz = dy·act'(y);  cols = im2col(dz);  dW (+)= xᵀ · cols;  db (+)= Σ dz;
 *             dx = cols · Wᵀ
 */
import { convTranspose2dOutputSize, convTranspose2dPatches, type PatchGeometry } from '../core/conv-geometry';
import type { Backend, Op, Tensor } from '../engine/backend';
import { ConvLayerBase, ConvTrace, convGeometry, type ConvSpec } from './conv-layer';
import type { LayerBackwardOptions, LayerTrace, LayerTraceOptions, WeightInit } from './layer';

/**
 * The transposed conv: x NHWC B × inH × inW × inC spread through W [Cin][Cout][kh][kw] onto
 * y NHWC B × outH × outW × Cout, outH = (inH − 1)·s − 2p + kh. As a matrix W is Cin × (Cout·kh·kw)
 * (dOut = Cin, dIn = Cout·kh·kw: the stored rows and columns).
 */
export class ConvTranspose2d extends ConvLayerBase {
  constructor(backend: Backend, name: string, spec: ConvSpec, init: WeightInit) {
    const out = convTranspose2dOutputSize(convGeometry(spec, 1));
    super(backend, name, spec, init, out, { dOut: spec.inC, dIn: spec.outC * spec.kh * spec.kw });
  }

  /** The output seen as the patches of the matching conv (its im2col grid is the input's pixels). */
  patches(batch: number): PatchGeometry {
    return convTranspose2dPatches(convGeometry(this.spec, batch));
  }

  scratchSize(batch: number): number {
    return batch * this.spec.inH * this.spec.inW * this.dIn;
  }

  trace(label: string, input: Tensor, batch: number, o: LayerTraceOptions = {}): LayerTrace {
    return new ConvTranspose2dTrace(this.backend, this, label, input, batch, o);
  }
}

class ConvTranspose2dTrace extends ConvTrace<ConvTranspose2d> {
  /** Input pixels B·inH·inW (= rows of cols). */
  private readonly pixels: number;

  constructor(
    backend: Backend,
    conv: ConvTranspose2d,
    label: string,
    input: Tensor,
    batch: number,
    o: LayerTraceOptions,
  ) {
    super(backend, conv, label, input, batch, o);
    this.pixels = batch * conv.spec.inH * conv.spec.inW;
  }

  forward(): Op[] {
    const l = this.conv;
    return [
      // cols [(B·H·W) × (Cout·kh·kw)] = x · W.
      this.backend.matmul({
        label: `${this.label}.forward`,
        a: this.input,
        b: this.weight,
        c: this.cols,
        m: this.pixels,
        n: l.dIn,
        k: l.dOut,
      }),
      this.backend.col2im({
        label: `${this.label}.col2im`,
        cols: this.cols,
        image: this.output,
        geom: this.geom,
        bias: l.b,
        activation: l.activation,
        slope: l.slope,
      }),
    ];
  }

  backward(o: LayerBackwardOptions): Op[] {
    const l = this.conv;
    const label = `${this.label}.${o.label}`;
    const ops = this.activationBackward(label);
    if (o.weightGrads === 'none' && !o.inputGrad) return ops;
    ops.push(this.backend.im2col({ label: `${label}.im2col`, image: this.preGrad, cols: this.cols, geom: this.geom }));
    if (o.weightGrads !== 'none') {
      // dW [Cin × (Cout·kh·kw)] = xᵀ · im2col(dz); x is stored pixels × Cin.
      ops.push(...this.weightGrads(label, o, this.input, this.cols, this.pixels, this.batch * l.outH * l.outW));
    }
    if (o.inputGrad) {
      // dx [pixels × Cin] = im2col(dz) · Wᵀ.
      ops.push(
        this.backend.matmul({
          label: `${label}.dx`,
          a: this.cols,
          b: this.weight,
          c: this.inputGrad,
          m: this.pixels,
          n: l.dOut,
          k: l.dIn,
          transB: true,
        }),
      );
    }
    return ops;
  }
}
