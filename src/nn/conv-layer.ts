/**
 * What the two conv layers (src/nn/conv2d.ts, src/nn/conv-transpose2d.ts) share: their spec, its
 * geometry for a batch, the layer set-up, and the trace's patch geometry and im2col scratch. Both
 * are im2col / col2im around the matmul kernel (the composition in src/gpu/kernels/conv.ts). The
 * scratch only lives within one forward or backward (the conv backward recomputes im2col(x) rather
 * than trusting what a forward left there), so one scratch tensor (Sequential.scratchSize) can
 * serve every conv layer of every trace of a model, as long as their ops run one after another
 * (they do: one queue).
 */
import type { Activation } from '../core/activation';
import type { ConvGeometry, PatchGeometry } from '../core/conv-geometry';
import type { Backend, Tensor } from '../engine/backend';
import type { LayerTraceOptions, WeightInit } from './layer';
import { WeightLayerBase, WeightTrace } from './weight-layer';

/** One conv layer's shape (square stride and padding, zero padding): a ConvGeometry less the batch. */
export interface ConvSpec extends Omit<ConvGeometry, 'batch'> {
  activation?: Activation;
  slope?: number;
}

export function convGeometry(s: ConvSpec, batch: number): ConvGeometry {
  return {
    batch,
    inH: s.inH,
    inW: s.inW,
    inC: s.inC,
    outC: s.outC,
    kh: s.kh,
    kw: s.kw,
    stride: s.stride,
    pad: s.pad,
  };
}

/** What a conv layer is beyond a weighted layer: its spec, output size and patch geometry. */
export abstract class ConvLayerBase extends WeightLayerBase {
  readonly outH: number;
  readonly outW: number;

  constructor(
    backend: Backend,
    name: string,
    readonly spec: ConvSpec,
    init: WeightInit,
    out: { outH: number; outW: number },
    /** W as stored: dOut rows of dIn. */
    matrix: { dOut: number; dIn: number },
  ) {
    if (!(out.outH >= 1 && out.outW >= 1))
      throw new Error(`${name}: empty output (kernel larger than the padded input)`);
    super(
      backend,
      name,
      {
        ...matrix,
        inputSize: spec.inH * spec.inW * spec.inC,
        outputSize: out.outH * out.outW * spec.outC,
        biasSize: spec.outC,
        activation: spec.activation,
        slope: spec.slope,
      },
      init,
    );
    this.outH = out.outH;
    this.outW = out.outW;
  }

  /** The patch geometry im2col / col2im see for a batch. */
  abstract patches(batch: number): PatchGeometry;
}

/** A conv trace: the weighted trace plus the patch geometry and the im2col scratch. */
export abstract class ConvTrace<L extends ConvLayerBase> extends WeightTrace {
  protected readonly cols: Tensor;
  protected readonly geom: PatchGeometry;

  constructor(
    backend: Backend,
    protected readonly conv: L,
    label: string,
    input: Tensor,
    batch: number,
    o: LayerTraceOptions,
  ) {
    super(backend, conv, label, input, batch, o);
    this.geom = conv.patches(batch);
    // The shared scratch when given (checked for size), else the trace's own.
    const size = conv.scratchSize(batch);
    if (o.scratch && o.scratch.size < size) {
      throw new Error(`${label}.cols: shared scratch holds ${o.scratch.size} floats, needs ${size}`);
    }
    this.cols = o.scratch ?? backend.tensor(`${label}.cols`, size);
  }
}
