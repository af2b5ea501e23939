/**
 * Image layers on the engine's Backend: Linear, Conv2d, ConvTranspose2d and BatchNorm, chained
 * by `Sequential` (`mlp` builds the 2-D GAN's multilayer perceptrons from them). Parameters live
 * in the layer and activations in traces: one trace per input a network is applied to (D sees a
 * real and a fake batch), each with its own output and gradient buffers, all made when the trace
 * is built, so forward() and backward() return prepared ops that allocate nothing when run.
 *
 * Layouts: activations NHWC row-major (a batch of B images is a (B·H·W) × C matrix; a dense
 * layer's input or output is B × features, and a 4×4×C image is read as features (h·4 + w)·C + c).
 * Weights in PyTorch order: Linear W [dOut][dIn]; Conv2d W [Cout][Cin][kh][kw], i.e. the
 * Cout × (Cin·kh·kw) matrix spectral normalization works on; ConvTranspose2d W [Cin][Cout][kh][kw].
 * The weighted layers carry NormalizableLayer's fields (name, dOut, dIn, w, gW, b), so the
 * wrappers of src/gan/normalization.ts apply to them unchanged.
 *
 * Convolutions are im2col / col2im around the matmul kernel (the composition documented in
 * src/gpu/kernels/conv.ts):
 *   conv forward     cols = im2col(x);  y = act(cols · Wᵀ + b)
 *   conv backward    dz = dy·act'(y);  cols = im2col(x);  dW (+)= dzᵀ · cols;  db (+)= Σ dz;
 *                    cols = dz · W;  dx = col2im(cols)
 *   convT forward    cols = x · W;  y = act(col2im(cols) + b)
 *   convT backward   dz = dy·act'(y);  cols = im2col(dz);  dW (+)= xᵀ · cols;  db (+)= Σ dz;
 *                    dx = cols · Wᵀ
 * `cols` is scratch: the conv backward recomputes im2col(x) rather than trusting what a forward
 * left there, so one scratch tensor (Sequential.scratchSize) can serve every conv layer of every
 * trace of a model, as long as their ops run one after another (they do: one queue).
 */
import type { Activation } from '../gpu/activation';
import type { Backend, Op, Tensor } from '../engine/backend';
import type { ConvGeometry, PatchGeometry } from '../gpu/kernels/conv';
import {
  conv2dOutputSize,
  convTranspose2dOutputSize,
  convTranspose2dPatches,
  conv2dPatches,
  patchGrid,
} from '../gpu/kernels/conv';

export type WeightGrads = 'write' | 'accumulate' | 'none';

/** One trainable tensor and its gradient (what an optimizer needs; same shape as the trainer's AdamParam). */
export interface TrainableParam {
  param: Tensor;
  grad: Tensor;
  n: number;
}

export interface LayerTraceOptions {
  /** The weight the forward and the input gradient use (default: the raw W; D passes its W̄). */
  weight?: Tensor;
  /** Use this tensor as ∂L/∂output (e.g. a loss gradient, or the next layer's input gradient). */
  outputGrad?: Tensor;
  /** Write ∂L/∂input here (e.g. the previous layer's output gradient). */
  inputGrad?: Tensor;
  /** Shared im2col scratch of at least layer.scratchSize(batch) floats (default: the trace's own). */
  scratch?: Tensor;
  /** Batch norm only: false normalizes with the running statistics (no backward). Default true. */
  training?: boolean;
}

export interface LayerBackwardOptions {
  /** 'write' sets the parameter gradients, 'accumulate' adds to them, 'none' skips them. */
  weightGrads: WeightGrads;
  /** Also compute ∂L/∂input (into the trace's inputGrad). */
  inputGrad: boolean;
  /** Where ∂L/∂W goes (default: the layer's gW; a normalized layer passes its ∂L/∂W̄). */
  weightGradTarget?: Tensor;
  label: string;
}

export interface LayerTrace {
  readonly label: string;
  readonly input: Tensor;
  /** Post-activation output, batch × outputSize. */
  readonly output: Tensor;
  /** ∂L/∂output; the caller (or the next layer's backward) fills it. */
  readonly outputGrad: Tensor;
  /** ∂L/∂input, written by backward() when asked. */
  readonly inputGrad: Tensor;
  forward(): Op[];
  backward(o: LayerBackwardOptions): Op[];
  /**
   * WGAN-GP's second pass, for a penalty R on the input gradient a backward computed. With
   * piecewise-linear activations a network's input gradient is g = 1ᵀ·M_L W_L ⋯ M_1 W_1 with
   * masks M_i fixed almost everywhere, so it is linear in each W_i: walking the backward chain
   * forwards gives ∂R/∂W_i = t_iᵀ·s_{i−1}, where t_i is the backward's masked gradient at layer i
   * and s_{i−1} = ∂R/∂(its input gradient). Biases get nothing (they only move the masks).
   * Given `seed` = ∂R/∂(this layer's input gradient), adds ∂R/∂W to `target` and returns the ops
   * and `next` = ∂R/∂(its output gradient), the next layer's seed; `last` (the network's last
   * layer, whose output gradient is a constant) skips `next`. Call after the trace's forward and
   * backward (input gradient) ran.
   */
  doubleBackward?(o: DoubleBackwardOptions): { ops: Op[]; next: Tensor | null };
}

export interface DoubleBackwardOptions {
  seed: Tensor;
  target: Tensor;
  label: string;
  /** The network's last layer: compute ∂R/∂W only (next is null). */
  last?: boolean;
}

export interface Layer {
  readonly name: string;
  /** Floats per sample of the input and of the output. */
  readonly inputSize: number;
  readonly outputSize: number;
  /** Floats of im2col scratch a trace on `batch` samples needs (0: none). */
  scratchSize(batch: number): number;
  params(): TrainableParam[];
  trace(label: string, input: Tensor, batch: number, o?: LayerTraceOptions): LayerTrace;
}

/** A layer with a weight matrix: Linear, Conv2d, ConvTranspose2d (NormalizableLayer's fields). */
export interface WeightLayer extends Layer {
  /** Rows and columns of W as stored (Conv2d: Cout × Cin·kh·kw; ConvTranspose2d: Cin × Cout·kh·kw). */
  readonly dOut: number;
  readonly dIn: number;
  readonly w: Tensor;
  readonly gW: Tensor;
  readonly b?: Tensor;
  readonly gB?: Tensor;
}

export interface WeightInit {
  w: ArrayLike<number>;
  /** Absent: the layer has no bias. */
  b?: ArrayLike<number>;
}

function weightParams(l: WeightLayer): TrainableParam[] {
  const out = [{ param: l.w, grad: l.gW, n: l.dOut * l.dIn }];
  if (l.b && l.gB) out.push({ param: l.b, grad: l.gB, n: l.b.size });
  return out;
}

function checkLength(name: string, what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${name}: ${what} has ${got} values, expected ${want}`);
}

/** Shared by the three weighted layers' traces: output, gradients, and the pre-activation gradient. */
abstract class WeightTrace implements LayerTrace {
  readonly output: Tensor;
  readonly outputGrad: Tensor;
  readonly inputGrad: Tensor;
  /** ∂L/∂(pre-activation output); the output gradient itself when the activation is the identity. */
  protected readonly preGrad: Tensor;
  protected readonly weight: Tensor;

  constructor(
    protected readonly backend: Backend,
    protected readonly layer: WeightLayer & { readonly activation: Activation; readonly slope: number },
    readonly label: string,
    readonly input: Tensor,
    readonly batch: number,
    o: LayerTraceOptions,
  ) {
    const outN = batch * layer.outputSize;
    this.weight = o.weight ?? layer.w;
    this.output = backend.tensor(`${label}.out`, outN);
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

  /** db (+)= Σ_rows dz over a rows × channels matrix. */
  protected biasGrad(label: string, o: LayerBackwardOptions, rows: number, channels: number): Op[] {
    if (!this.layer.gB) return [];
    return [
      this.backend.columnSum({
        label: `${label}.gB`,
        x: this.preGrad,
        out: this.layer.gB,
        rows,
        cols: channels,
        accumulate: o.weightGrads === 'accumulate',
      }),
    ];
  }
}

// ---------------------------------------------------------------------------------------------
// Linear.

export interface LinearSpec {
  dIn: number;
  dOut: number;
  activation?: Activation;
  /** LeakyReLU's slope. */
  slope?: number;
}

/** y = act(x · Wᵀ + b), x batch × dIn, W [dOut][dIn]. */
export class Linear implements WeightLayer {
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
    private readonly backend: Backend,
    readonly name: string,
    spec: LinearSpec,
    init: WeightInit,
  ) {
    this.dOut = spec.dOut;
    this.dIn = spec.dIn;
    this.inputSize = spec.dIn;
    this.outputSize = spec.dOut;
    this.activation = spec.activation ?? 'identity';
    this.slope = spec.slope ?? 0;
    checkLength(name, 'W', init.w.length, this.dOut * this.dIn);
    this.w = backend.tensor(`${name}.w`, this.dOut * this.dIn, init.w);
    this.gW = backend.tensor(`${name}.gW`, this.dOut * this.dIn);
    if (init.b) {
      checkLength(name, 'b', init.b.length, this.dOut);
      this.b = backend.tensor(`${name}.b`, this.dOut, init.b);
      this.gB = backend.tensor(`${name}.gB`, this.dOut);
    }
  }

  scratchSize(): number {
    return 0;
  }

  params(): TrainableParam[] {
    return weightParams(this);
  }

  trace(label: string, input: Tensor, batch: number, o: LayerTraceOptions = {}): LayerTrace {
    return new LinearTrace(this.backend, this, label, input, batch, o);
  }
}

class LinearTrace extends WeightTrace {
  forward(): Op[] {
    const l = this.layer;
    return [
      this.backend.matmul({
        label: `${this.label}.forward`,
        a: this.input,
        b: this.weight,
        c: this.output,
        m: this.batch,
        n: l.dOut,
        k: l.dIn,
        transB: true,
        bias: l.b,
        activation: l.activation,
        slope: l.slope,
      }),
    ];
  }

  backward(o: LayerBackwardOptions): Op[] {
    const l = this.layer;
    const label = `${this.label}.${o.label}`;
    const ops = this.activationBackward(label);
    if (o.weightGrads !== 'none') {
      // ∂L/∂W = dzᵀ · x (dOut × dIn).
      ops.push(
        this.backend.matmul({
          label: `${label}.gW`,
          a: this.preGrad,
          b: this.input,
          c: o.weightGradTarget ?? l.gW,
          m: l.dOut,
          n: l.dIn,
          k: this.batch,
          transA: true,
          accumulate: o.weightGrads === 'accumulate',
        }),
        ...this.biasGrad(label, o, this.batch, l.dOut),
      );
    }
    if (o.inputGrad) {
      // ∂L/∂x = dz · W (batch × dIn).
      ops.push(
        this.backend.matmul({
          label: `${label}.dx`,
          a: this.preGrad,
          b: this.weight,
          c: this.inputGrad,
          m: this.batch,
          n: l.dIn,
          k: l.dOut,
        }),
      );
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

// ---------------------------------------------------------------------------------------------
// Convolutions.

/** One conv layer's shape (square stride and padding, zero padding). */
export interface ConvSpec {
  inH: number;
  inW: number;
  inC: number;
  outC: number;
  kh: number;
  kw: number;
  stride: number;
  pad: number;
  activation?: Activation;
  slope?: number;
}

function geometry(s: ConvSpec, batch: number): ConvGeometry {
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

/** y = act(conv(x, W) + b): x NHWC B × inH × inW × inC, W [Cout][Cin][kh][kw], y NHWC B × outH × outW × Cout. */
export class Conv2d implements WeightLayer {
  readonly dOut: number;
  readonly dIn: number;
  readonly outH: number;
  readonly outW: number;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly activation: Activation;
  readonly slope: number;
  readonly w: Tensor;
  readonly gW: Tensor;
  readonly b?: Tensor;
  readonly gB?: Tensor;

  constructor(
    private readonly backend: Backend,
    readonly name: string,
    readonly spec: ConvSpec,
    init: WeightInit,
  ) {
    const { outH, outW } = conv2dOutputSize(geometry(spec, 1));
    if (!(outH >= 1 && outW >= 1)) throw new Error(`${name}: kernel larger than the padded input`);
    this.outH = outH;
    this.outW = outW;
    this.dOut = spec.outC;
    this.dIn = spec.inC * spec.kh * spec.kw;
    this.inputSize = spec.inH * spec.inW * spec.inC;
    this.outputSize = outH * outW * spec.outC;
    this.activation = spec.activation ?? 'identity';
    this.slope = spec.slope ?? 0;
    checkLength(name, 'W', init.w.length, this.dOut * this.dIn);
    this.w = backend.tensor(`${name}.w`, this.dOut * this.dIn, init.w);
    this.gW = backend.tensor(`${name}.gW`, this.dOut * this.dIn);
    if (init.b) {
      checkLength(name, 'b', init.b.length, this.dOut);
      this.b = backend.tensor(`${name}.b`, this.dOut, init.b);
      this.gB = backend.tensor(`${name}.gB`, this.dOut);
    }
  }

  patches(batch: number): PatchGeometry {
    return conv2dPatches(geometry(this.spec, batch));
  }

  scratchSize(batch: number): number {
    const { rows, k } = patchGrid(this.patches(batch));
    return rows * k;
  }

  params(): TrainableParam[] {
    return weightParams(this);
  }

  trace(label: string, input: Tensor, batch: number, o: LayerTraceOptions = {}): LayerTrace {
    return new Conv2dTrace(this.backend, this, label, input, batch, o);
  }
}

class Conv2dTrace extends WeightTrace {
  private readonly cols: Tensor;
  private readonly geom: PatchGeometry;
  private readonly rows: number;

  constructor(
    backend: Backend,
    private readonly conv: Conv2d,
    label: string,
    input: Tensor,
    batch: number,
    o: LayerTraceOptions,
  ) {
    super(backend, conv, label, input, batch, o);
    this.geom = conv.patches(batch);
    this.rows = patchGrid(this.geom).rows;
    this.cols = scratchFor(backend, `${label}.cols`, conv.scratchSize(batch), o.scratch);
  }

  forward(): Op[] {
    const l = this.conv;
    return [
      this.backend.im2col({ label: `${this.label}.im2col`, image: this.input, cols: this.cols, geom: this.geom }),
      this.backend.matmul({
        label: `${this.label}.forward`,
        a: this.cols,
        b: this.weight,
        c: this.output,
        m: this.rows,
        n: l.dOut,
        k: l.dIn,
        transB: true,
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
    if (o.weightGrads !== 'none') {
      // dW [Cout × K] = dzᵀ · im2col(x); dz is stored rows × Cout.
      ops.push(
        this.backend.im2col({ label: `${label}.im2col`, image: this.input, cols: this.cols, geom: this.geom }),
        this.backend.matmul({
          label: `${label}.gW`,
          a: this.preGrad,
          b: this.cols,
          c: o.weightGradTarget ?? l.gW,
          m: l.dOut,
          n: l.dIn,
          k: this.rows,
          transA: true,
          accumulate: o.weightGrads === 'accumulate',
        }),
        ...this.biasGrad(label, o, this.rows, l.dOut),
      );
    }
    if (o.inputGrad) {
      // dcols = dz · W (rows × K), then dx = col2im(dcols).
      ops.push(
        this.backend.matmul({
          label: `${label}.dcols`,
          a: this.preGrad,
          b: this.weight,
          c: this.cols,
          m: this.rows,
          n: l.dIn,
          k: l.dOut,
        }),
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

/**
 * The transposed conv: x NHWC B × inH × inW × inC spread through W [Cin][Cout][kh][kw] onto
 * y NHWC B × outH × outW × Cout, outH = (inH − 1)·s − 2p + kh. As a matrix W is Cin × (Cout·kh·kw)
 * (dOut = Cin, dIn = Cout·kh·kw: the stored rows and columns).
 */
export class ConvTranspose2d implements WeightLayer {
  readonly dOut: number;
  readonly dIn: number;
  readonly outH: number;
  readonly outW: number;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly activation: Activation;
  readonly slope: number;
  readonly w: Tensor;
  readonly gW: Tensor;
  readonly b?: Tensor;
  readonly gB?: Tensor;

  constructor(
    private readonly backend: Backend,
    readonly name: string,
    readonly spec: ConvSpec,
    init: WeightInit,
  ) {
    const { outH, outW } = convTranspose2dOutputSize(geometry(spec, 1));
    if (!(outH >= 1 && outW >= 1)) throw new Error(`${name}: empty output`);
    this.outH = outH;
    this.outW = outW;
    this.dOut = spec.inC;
    this.dIn = spec.outC * spec.kh * spec.kw;
    this.inputSize = spec.inH * spec.inW * spec.inC;
    this.outputSize = outH * outW * spec.outC;
    this.activation = spec.activation ?? 'identity';
    this.slope = spec.slope ?? 0;
    checkLength(name, 'W', init.w.length, this.dOut * this.dIn);
    this.w = backend.tensor(`${name}.w`, this.dOut * this.dIn, init.w);
    this.gW = backend.tensor(`${name}.gW`, this.dOut * this.dIn);
    if (init.b) {
      checkLength(name, 'b', init.b.length, spec.outC);
      this.b = backend.tensor(`${name}.b`, spec.outC, init.b);
      this.gB = backend.tensor(`${name}.gB`, spec.outC);
    }
  }

  /** The output seen as the patches of the matching conv (its im2col grid is the input's pixels). */
  patches(batch: number): PatchGeometry {
    return convTranspose2dPatches(geometry(this.spec, batch));
  }

  scratchSize(batch: number): number {
    return batch * this.spec.inH * this.spec.inW * this.dIn;
  }

  params(): TrainableParam[] {
    return weightParams(this);
  }

  trace(label: string, input: Tensor, batch: number, o: LayerTraceOptions = {}): LayerTrace {
    return new ConvTranspose2dTrace(this.backend, this, label, input, batch, o);
  }
}

class ConvTranspose2dTrace extends WeightTrace {
  private readonly cols: Tensor;
  private readonly geom: PatchGeometry;
  /** Input pixels B·inH·inW (= rows of cols). */
  private readonly pixels: number;

  constructor(
    backend: Backend,
    private readonly conv: ConvTranspose2d,
    label: string,
    input: Tensor,
    batch: number,
    o: LayerTraceOptions,
  ) {
    super(backend, conv, label, input, batch, o);
    this.geom = conv.patches(batch);
    this.pixels = batch * conv.spec.inH * conv.spec.inW;
    this.cols = scratchFor(backend, `${label}.cols`, conv.scratchSize(batch), o.scratch);
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
      ops.push(
        this.backend.matmul({
          label: `${label}.gW`,
          a: this.input,
          b: this.cols,
          c: o.weightGradTarget ?? l.gW,
          m: l.dOut,
          n: l.dIn,
          k: this.pixels,
          transA: true,
          accumulate: o.weightGrads === 'accumulate',
        }),
        ...this.biasGrad(label, o, this.batch * l.outH * l.outW, l.spec.outC),
      );
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

function scratchFor(backend: Backend, label: string, size: number, shared: Tensor | undefined): Tensor {
  if (!shared) return backend.tensor(label, size);
  if (shared.size < size) throw new Error(`${label}: shared scratch holds ${shared.size} floats, needs ${size}`);
  return shared;
}

// ---------------------------------------------------------------------------------------------
// Batch normalization.

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

// ---------------------------------------------------------------------------------------------
// Sequential.

export interface SequentialTraceOptions {
  /** Weights the forward uses, one per `weighted` layer in order (D passes its W̄s). */
  weights?: Tensor[];
  /** ∂L/∂(network output) lives here (e.g. a loss gradient). */
  outputGrad?: Tensor;
  /** ∂L/∂(network input) goes here (e.g. the generator's output gradient). */
  inputGrad?: Tensor;
  /** Shared im2col scratch of at least scratchSize(batch) floats (default: one of the trace's own). */
  scratch?: Tensor;
  /** false: batch norms use their running statistics (sampling; no backward). Default true. */
  training?: boolean;
}

export interface SequentialBackwardOptions {
  weightGrads: WeightGrads;
  inputGrad: boolean;
  /** Where ∂L/∂W goes, one per `weighted` layer in order (normalized layers pass ∂L/∂W̄). */
  weightGradTargets?: Tensor[];
  label: string;
}

/** Layers applied one after another; each layer's output is the next one's input. */
export class Sequential {
  /** The layers with a weight matrix, in order (what D's normalizations wrap). */
  readonly weighted: WeightLayer[];

  constructor(
    private readonly backend: Backend,
    readonly label: string,
    readonly layers: Layer[],
  ) {
    for (let i = 1; i < layers.length; i++) {
      if (layers[i].inputSize !== layers[i - 1].outputSize) {
        throw new Error(
          `${label}: ${layers[i].name} takes ${layers[i].inputSize} floats per sample, ` +
            `${layers[i - 1].name} gives ${layers[i - 1].outputSize}`,
        );
      }
    }
    this.weighted = layers.filter((l): l is WeightLayer => 'w' in l && 'dOut' in l);
  }

  get inputSize(): number {
    return this.layers[0].inputSize;
  }

  get outputSize(): number {
    return this.layers[this.layers.length - 1].outputSize;
  }

  scratchSize(batch: number): number {
    return Math.max(0, ...this.layers.map((l) => l.scratchSize(batch)));
  }

  params(): TrainableParam[] {
    return this.layers.flatMap((l) => l.params());
  }

  trace(label: string, input: Tensor, batch: number, o: SequentialTraceOptions = {}): SequentialTrace {
    const name = `${this.label}.${label}`;
    if (o.weights && o.weights.length !== this.weighted.length) {
      throw new Error(`${name}: ${o.weights.length} weights for ${this.weighted.length} weighted layers`);
    }
    const scratch =
      o.scratch ??
      (this.scratchSize(batch) > 0 ? this.backend.tensor(`${name}.scratch`, this.scratchSize(batch)) : undefined);
    const traces: LayerTrace[] = [];
    const last = this.layers.length - 1;
    this.layers.forEach((layer, i) => {
      const previous = traces[i - 1];
      const w = this.weighted.indexOf(layer as WeightLayer);
      traces.push(
        layer.trace(`${name}.${layer.name.split('.').pop()}`, previous?.output ?? input, batch, {
          weight: w >= 0 ? o.weights?.[w] : undefined,
          outputGrad: i === last ? o.outputGrad : undefined,
          inputGrad: previous ? previous.outputGrad : o.inputGrad,
          scratch,
          training: o.training,
        }),
      );
    });
    return new SequentialTrace(this, name, input, batch, traces);
  }
}

export class SequentialTrace {
  constructor(
    private readonly net: Sequential,
    readonly label: string,
    readonly input: Tensor,
    readonly batch: number,
    /** One trace per layer, in order. */
    readonly traces: LayerTrace[],
  ) {}

  get output(): Tensor {
    return this.traces[this.traces.length - 1].output;
  }

  get outputGrad(): Tensor {
    return this.traces[this.traces.length - 1].outputGrad;
  }

  get inputGrad(): Tensor {
    return this.traces[0].inputGrad;
  }

  forward(): Op[] {
    return this.traces.flatMap((t) => t.forward());
  }

  backward(o: SequentialBackwardOptions): Op[] {
    const ops: Op[] = [];
    for (let i = this.traces.length - 1; i >= 0; i--) {
      const w = this.net.weighted.indexOf(this.net.layers[i] as WeightLayer);
      ops.push(
        ...this.traces[i].backward({
          label: o.label,
          weightGrads: o.weightGrads,
          inputGrad: i > 0 || o.inputGrad,
          weightGradTarget: w >= 0 ? o.weightGradTargets?.[w] : undefined,
        }),
      );
    }
    return ops;
  }

  /**
   * WGAN-GP's second pass through every layer, first to last (see LayerTrace.doubleBackward):
   * `seed` is ∂R/∂(network input gradient); ∂R/∂W accumulates into `targets`, one per `weighted`
   * layer in order (D passes its ∂L/∂W̄). Call after this trace's forward and backward (input gradient).
   */
  doubleBackward(o: { seed: Tensor; targets: Tensor[]; label: string }): Op[] {
    const ops: Op[] = [];
    const last = this.traces.length - 1;
    let seed: Tensor | null = o.seed;
    this.traces.forEach((trace, i) => {
      const w = this.net.weighted.indexOf(this.net.layers[i] as WeightLayer);
      if (!trace.doubleBackward || w < 0) throw new Error(`${trace.label}: no gradient-penalty pass for this layer`);
      if (!seed) throw new Error(`${trace.label}: the previous layer gave no seed`);
      const step = trace.doubleBackward({ seed, target: o.targets[w], label: o.label, last: i === last });
      ops.push(...step.ops);
      seed = step.next;
    });
    return ops;
  }
}

export interface MlpSpec {
  /** Features of the input, of each hidden layer, and of the output. */
  sizes: number[];
  /** After every hidden layer; the output layer is linear (identity). */
  hidden: Activation;
  /** LeakyReLU's slope. */
  slope: number;
}

/**
 * A multilayer perceptron (the 2-D GAN's G and D): Linear layers `${label}.layer${i}` from
 * sizes[i] to sizes[i + 1], each with a bias, `hidden` after all but the last.
 */
export function mlp(backend: Backend, label: string, spec: MlpSpec, init: WeightInit[]): Sequential {
  const { sizes, hidden, slope } = spec;
  if (init.length !== sizes.length - 1) {
    throw new Error(`${label}: initial parameters for ${init.length} layers, sizes give ${sizes.length - 1}`);
  }
  const last = init.length - 1;
  const layers = init.map(
    (p, i) =>
      new Linear(
        backend,
        `${label}.layer${i}`,
        { dIn: sizes[i], dOut: sizes[i + 1], activation: i === last ? 'identity' : hidden, slope },
        p,
      ),
  );
  return new Sequential(backend, label, layers);
}
