/**
 * What every layer of src/nn offers: parameters live in the layer and activations in traces, one
 * trace per input a network is applied to (D sees a real and a fake batch), each with its own
 * output and gradient buffers, all made when the trace is built, so forward() and backward()
 * return prepared ops that allocate nothing when run.
 *
 * Layouts: activations NHWC row-major (a batch of B images is a (B·H·W) × C matrix; a dense
 * layer's input or output is B × features, and a 4×4×C image is read as features (h·4 + w)·C + c).
 * Weights in PyTorch order: Linear W [dOut][dIn]; Conv2d W [Cout][Cin][kh][kw], i.e. the
 * Cout × (Cin·kh·kw) matrix spectral normalization works on; ConvTranspose2d W [Cin][Cout][kh][kw].
 * The weighted layers carry NormalizableLayer's fields (name, dOut, dIn, w, gW, b), so the
 * wrappers of src/gan/normalization.ts apply to them unchanged.
 */
import type { Op, Tensor } from '../engine/backend';

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
  /** Write the output here (e.g. a view into a larger batch); only layers with weights take it. */
  output?: Tensor;
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
  /**
   * The batch is two equal halves (D's real and generated batches in one pass): the parameter
   * gradients are summed half by half, the first half then the second, exactly as two passes
   * over the halves would sum them. Only layers whose rows are independent (no batch norm).
   */
  halves?: boolean;
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

export function checkLength(name: string, what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${name}: ${what} has ${got} values, expected ${want}`);
}
