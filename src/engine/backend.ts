/**
 * What the training engine runs on. The GAN code (src/nn, src/gan) is written once against this
 * interface; the WebGPU backend turns each op into a prepared kernel, the CPU backend (the
 * no-WebGPU fallback) into a call of the kernel's float64 twin. Ops are prepared once, up front
 * (buffers, pipelines, bind groups); `run` executes a list of them as one submission and creates
 * no tensors or GPU buffers (the CPU twins do allocate their float64 scratch).
 */
import type { Activation } from '../core/activation';
import type { GanLossKind } from '../core/loss';
import type { PatchGeometry } from '../core/conv-geometry';
import type { KernelTuning } from '../gpu/tuning';
import type { StackedVariant } from './batching/families';

export type BackendKind = 'webgpu' | 'cpu';

/**
 * Views start on multiples of this many floats: 256 bytes, the largest storage-binding offset
 * alignment WebGPU allows an adapter to require. The CPU keeps the same rule, so a model builds
 * the same tensors on either backend.
 */
export const VIEW_ALIGN_FLOATS = 64;

/** Throws unless `offset`..`offset + size` is a valid view of `tensor`. */
export function checkView(tensor: Tensor, offset: number, size: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset % VIEW_ALIGN_FLOATS !== 0) {
    throw new Error(`${tensor.label}: a view starts at a multiple of ${VIEW_ALIGN_FLOATS} floats, not ${offset}`);
  }
  if (!Number.isInteger(size) || size < 1 || offset + size > tensor.size) {
    throw new Error(`${tensor.label}: view [${offset}, ${offset + size}) is outside its ${tensor.size} floats`);
  }
}

/** A flat float32 array living on the backend (a GPU buffer, or a Float32Array). */
export interface Tensor {
  readonly label: string;
  readonly size: number;
}

/** A prepared operation; only its backend can run it. */
export interface Op {
  readonly label: string;
}

export type { GanLossKind };

export interface MatmulOp {
  a: Tensor;
  b: Tensor;
  c: Tensor;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  bias?: Tensor;
  activation?: Activation;
  slope?: number;
  accumulate?: boolean;
  label: string;
}

export interface Backend {
  readonly kind: BackendKind;
  /** Human-readable: the adapter's name, or why the CPU runs. */
  readonly description: string;

  /**
   * The device's limits and kernel tuning where they bound what a run may make (WebGPU), so a run
   * that cannot fit is refused before its first buffer (src/gan/run-fit.ts); absent on the CPU.
   */
  readonly limitsToFit?: { limits: GPUSupportedLimits; tuning: KernelTuning };
  /** True for a backend that only measures sizes (src/engine/sizing-backend.ts): initial weights need not be drawn. */
  readonly measuresOnly?: boolean;

  tensor(label: string, size: number, data?: ArrayLike<number>): Tensor;
  /**
   * `size` floats of `tensor` from `offset` (a multiple of VIEW_ALIGN_FLOATS), as a tensor of its
   * own that shares the storage: what an op writes through the view is in the tensor. A view is
   * not one of `tensors` (checkpoints hold the tensor it shows).
   */
  view(tensor: Tensor, offset: number, size: number): Tensor;
  /** A step counter (Adam's t, the random draw counter), starting at `start`. */
  counter(label: string, start?: number): Tensor;
  write(tensor: Tensor, data: ArrayLike<number>): void;
  read(tensor: Tensor): Promise<Float32Array>;
  /**
   * Runs the ops in order as one submission. Copies of `capture` taken after the ops resolve
   * later (the GPU maps them asynchronously); the caller need not wait for them.
   */
  run(ops: readonly Op[], capture?: readonly Tensor[]): Promise<Float32Array[]>;
  /** Resolves when everything submitted so far has executed (the page's back-pressure). */
  idle(): Promise<void>;
  /**
   * Resolves when the backend can build a run: on WebGPU, once every kernel's WGSL has compiled
   * (else it rejects naming file, line, column and message); at once on the CPU.
   */
  ready(): Promise<void>;
  /** Live tensors and their bytes, to catch leaks. */
  memory(): { tensors: number; bytes: number };
  /**
   * Every tensor and counter made so far, in creation order. A model built twice from the same
   * configuration makes the same sequence, which is what lets a checkpoint be restored into a
   * fresh backend (after a lost device, or on the CPU).
   */
  readonly tensors: readonly Tensor[];
  /** Whether the tensor is a counter (stored as a u32 on the GPU, as a float on the CPU). */
  isCounter(tensor: Tensor): boolean;
  /** A counter's value from its read-back raw contents. */
  counterValue(raw: Float32Array): number;
  /** Sets a counter to a value. */
  writeCounter(tensor: Tensor, value: number): void;
  destroy(): void;

  /**
   * Batching (WebGPU only; optional): tensors made from now on whose labels start with one of
   * these variants' names and a dot belong to that variant, so the backend can lay out each family
   * of them (the same tensor of every variant) in one buffer.
   */
  stackVariants?(variants: readonly StackedVariant[]): void;
  /**
   * The variants' programs (one op list each, independent of one another) as one op list that
   * runs the same op of several variants as one dispatch where it can. Without it, a caller
   * concatenates the programs.
   */
  batch?(programs: readonly (readonly Op[])[]): Op[];

  /** C = act(op(A)·op(B) + bias), or C += op(A)·op(B). */
  matmul(args: MatmulOp): Op;
  /** dx = dy · act'(x), from the forward output y. */
  activationBackward(args: {
    y: Tensor;
    dy: Tensor;
    dx: Tensor;
    n: number;
    activation: Activation;
    slope?: number;
    label: string;
  }): Op;
  /** y = act(x) elementwise over n elements (x and y must differ), e.g. the ReLU after a batch norm. */
  activation(args: { x: Tensor; y: Tensor; n: number; activation: Activation; slope?: number; label: string }): Op;
  /**
   * cols = im2col(image): image NHWC (batch × height × width × channels), cols rows × k with
   * rows = batch·gridH·gridW, k = channels·kh·kw, cols[row][c·kh·kw + ky·kw + kx] (0 in the padding).
   * A conv is then cols · Wᵀ with W [Cout][Cin][kh][kw]. image and cols must differ.
   */
  im2col(args: { image: Tensor; cols: Tensor; geom: PatchGeometry; label: string }): Op;
  /**
   * The adjoint of im2col: image = act(col2im(cols) + bias[c] (+ image when accumulating)).
   * A conv's input gradient, and a transposed conv's forward. accumulate only with identity.
   */
  col2im(args: {
    cols: Tensor;
    image: Tensor;
    geom: PatchGeometry;
    bias?: Tensor;
    activation?: Activation;
    slope?: number;
    accumulate?: boolean;
    label: string;
  }): Op;
  /**
   * Training-mode batch norm over the rows of a rows × cols matrix (NHWC flattened: rows =
   * batch·H·W, cols = channels): y = gamma·(x − mean)·invstd + beta with the batch's mean and
   * invstd = 1/√(biased var + eps), both kept for the backward; running statistics (PyTorch's
   * convention: unbiased variance, momentum 0.1 by default) updated in place when given. x ≠ y.
   */
  batchNorm(args: {
    x: Tensor;
    gamma: Tensor;
    beta: Tensor;
    y: Tensor;
    mean: Tensor;
    invstd: Tensor;
    rows: number;
    cols: number;
    running?: { mean: Tensor; variance: Tensor; momentum?: number };
    eps?: number;
    label: string;
  }): Op;
  /** Eval-mode batch norm from the running statistics. x ≠ y. */
  batchNormEval(args: {
    x: Tensor;
    gamma: Tensor;
    beta: Tensor;
    runningMean: Tensor;
    runningVar: Tensor;
    y: Tensor;
    rows: number;
    cols: number;
    eps?: number;
    label: string;
  }): Op;
  /**
   * Batch-norm backward from the forward's input x and its saved mean / invstd: dgamma (+)= Σ dy·x̂,
   * dbeta (+)= Σ dy, dx = gamma·invstd/R·(R·dy − Σdy − x̂·Σdy·x̂) (always written). dx ≠ dy.
   */
  batchNormBackward(args: {
    dy: Tensor;
    x: Tensor;
    mean: Tensor;
    invstd: Tensor;
    gamma: Tensor;
    dx: Tensor;
    dgamma: Tensor;
    dbeta: Tensor;
    rows: number;
    cols: number;
    accumulate?: boolean;
    label: string;
  }): Op;
  /** out[c] = Σ_r x[r, c] (bias gradients), optionally accumulated. */
  columnSum(args: { x: Tensor; out: Tensor; rows: number; cols: number; accumulate?: boolean; label: string }): Op;
  /**
   * Discriminator loss from logits of the real and fake batch: gradients w.r.t. both and
   * stats = [loss, mean D(x), mean D(G(z))]: D(·) is σ(logit) for the standard loss and the raw
   * logit for hinge and WGAN.
   */
  discriminatorLoss(args: {
    kind: GanLossKind;
    realLogits: Tensor;
    fakeLogits: Tensor;
    realGrad: Tensor;
    fakeGrad: Tensor;
    stats: Tensor;
    batch: number;
    label: string;
  }): Op;
  /** Generator loss from the fake batch's logits: gradient and stats = [loss, 0, mean D(G(z))]. */
  generatorLoss(args: {
    kind: GanLossKind;
    fakeLogits: Tensor;
    fakeGrad: Tensor;
    stats: Tensor;
    batch: number;
    label: string;
  }): Op;

  /** `rounds` power-iteration rounds on the raw W (0: only σ̃ = ũᵀWṽ), then W̄ = W/σ̃. */
  spectralNorm(args: {
    w: Tensor;
    u: Tensor;
    v: Tensor;
    sigma: Tensor;
    wBar: Tensor;
    dOut: number;
    dIn: number;
    rounds: number;
    label: string;
  }): Op;
  /** ∂L/∂W = (g − ⟨g, W̄⟩ ũṽᵀ)/σ̃ (ũ, ṽ held fixed). */
  spectralNormBackward(args: {
    gWbar: Tensor;
    wBar: Tensor;
    u: Tensor;
    v: Tensor;
    sigma: Tensor;
    gW: Tensor;
    dOut: number;
    dIn: number;
    label: string;
  }): Op;
  /** W̄ rows = W rows / ‖row‖ (gain fixed to 1); row norms kept for the backward. */
  weightNorm(args: { w: Tensor; wBar: Tensor; norms: Tensor; dOut: number; dIn: number; label: string }): Op;
  weightNormBackward(args: {
    gWbar: Tensor;
    wBar: Tensor;
    norms: Tensor;
    gW: Tensor;
    dOut: number;
    dIn: number;
    label: string;
  }): Op;
  /** W ← clamp(W, −c, c) in place. */
  clip(args: { w: Tensor; n: number; c: number; label: string }): Op;

  adamTick(args: { step: Tensor; label: string }): Op;
  adamUpdate(args: {
    param: Tensor;
    grad: Tensor;
    m: Tensor;
    v: Tensor;
    step: Tensor;
    n: number;
    lr: number;
    beta1: number;
    beta2: number;
    eps: number;
    label: string;
  }): Op;

  drawTick(args: { counter: Tensor; label: string }): Op;
  /** out = n rows (n × dim) chosen uniformly from `rows` (count × dim), e.g. a batch of digits. */
  rowSample(args: {
    out: Tensor;
    n: number;
    rows: Tensor;
    count: number;
    dim: number;
    seed: number;
    stream: number;
    counter: Tensor;
    label: string;
  }): Op;
  /** out = alpha·a + beta·b, or out += alpha·a + beta·b with `accumulate`; out differs from a and b. */
  axpby(args: {
    a: Tensor;
    b: Tensor;
    out: Tensor;
    n: number;
    alpha: number;
    beta: number;
    accumulate?: boolean;
    label: string;
  }): Op;
  /** out[0..n) ~ U(0, 1) from the counter-based generator. */
  uniformDraw(args: { out: Tensor; n: number; seed: number; stream: number; counter: Tensor; label: string }): Op;
  /** out_i = ε_i·real_i + (1 − ε_i)·fake_i per row (WGAN-GP's interpolates). */
  mixRows(args: {
    real: Tensor;
    fake: Tensor;
    eps: Tensor;
    out: Tensor;
    rows: number;
    cols: number;
    label: string;
  }): Op;
  /** seed = ∂R/∂g for R = (λ/rows)·Σ(‖g_i‖ − 1)², stats[0] = R. */
  penaltySeed(args: {
    grad: Tensor;
    seed: Tensor;
    stats: Tensor;
    rows: number;
    cols: number;
    lambda: number;
    label: string;
  }): Op;
  normalDraw(args: {
    out: Tensor;
    n: number;
    std: number;
    seed: number;
    stream: number;
    counter: Tensor;
    label: string;
  }): Op;
  anchorSample(args: {
    out: Tensor;
    n: number;
    anchors: Tensor;
    anchorCount: number;
    std: number;
    seed: number;
    stream: number;
    counter: Tensor;
    label: string;
  }): Op;
}
