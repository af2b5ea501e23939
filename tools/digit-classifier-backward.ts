/**
 * The backward pass and the optimiser of the digit classifier (src/metrics/digit-classifier.ts),
 * used by tools/train-digit-classifier.ts: float32, single-threaded, same kernels as inference.
 */
import {
  DIGIT_CLASSES,
  DIGIT_IMAGE_SIZE,
  emptyWeights,
  TENSOR_NAMES,
  type DigitClassifierShape,
  type DigitClassifierWeights,
  type ForwardActivations,
} from '../src/metrics/digit-classifier';
import { gemmABt, transpose } from '../src/metrics/gemm';

/** Scratch for the backward pass. */
export class Backward {
  readonly grads: DigitClassifierWeights;
  private readonly dLogits: Float32Array;
  private readonly dFeat: Float32Array;
  private readonly dPool2: Float32Array;
  private readonly dAct2: Float32Array;
  private readonly dPatches2: Float32Array;
  private readonly dPool1: Float32Array;
  private readonly dAct1: Float32Array;
  private readonly tA: Float32Array;
  private readonly tB: Float32Array;
  private readonly tW: Float32Array;

  constructor(
    private readonly shape: DigitClassifierShape,
    capacity: number,
  ) {
    const s = DIGIT_IMAGE_SIZE;
    const { conv1, conv2, hidden } = shape;
    this.grads = emptyWeights(shape);
    this.dLogits = new Float32Array(capacity * DIGIT_CLASSES);
    this.dFeat = new Float32Array(capacity * hidden);
    this.dPool2 = new Float32Array(capacity * (s / 4) ** 2 * conv2);
    this.dAct2 = new Float32Array(capacity * (s / 2) ** 2 * conv2);
    this.dPatches2 = new Float32Array(capacity * (s / 2) ** 2 * 9 * conv1);
    this.dPool1 = new Float32Array(capacity * (s / 2) ** 2 * conv1);
    this.dAct1 = new Float32Array(capacity * s * s * conv1);
    const big = Math.max(capacity * s * s * Math.max(conv1, 9), capacity * (s / 2) ** 2 * 9 * conv1);
    this.tA = new Float32Array(big);
    this.tB = new Float32Array(big);
    this.tW = new Float32Array(9 * conv1 * Math.max(conv2, hidden) + (s / 4) ** 2 * conv2 * hidden);
  }

  /** dW (N×K) = dOutᵀ·input for dOut (M×N), input (M×K); db = column sums of dOut. */
  private weightGrad(
    dOut: Float32Array,
    input: Float32Array,
    m: number,
    n: number,
    k: number,
    dW: Float32Array,
    dB: Float32Array,
  ) {
    const outT = transpose(dOut.subarray(0, m * n), m, n, this.tA);
    const inT = transpose(input.subarray(0, m * k), m, k, this.tB);
    gemmABt(outT, inT, dW, n, k, m);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += outT[j * m + i];
      dB[j] = s;
    }
  }

  /** dIn (M×K) = dOut·W for dOut (M×N), W (N×K). */
  private inputGrad(dOut: Float32Array, w: Float32Array, m: number, n: number, k: number, dIn: Float32Array) {
    const wT = transpose(w, n, k, this.tW);
    gemmABt(dOut, wT, dIn, m, k, n);
  }

  /** Gradient of the mean cross-entropy over the batch into `grads`; returns the summed loss. */
  run(weights: DigitClassifierWeights, act: ForwardActivations, labels: Uint8Array, n: number): number {
    const s = DIGIT_IMAGE_SIZE;
    const h = s / 2;
    const q = s / 4;
    const { conv1, conv2, hidden } = this.shape;
    const g = this.grads;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < DIGIT_CLASSES; j++)
        this.dLogits[i * DIGIT_CLASSES + j] = act.probs[i * DIGIT_CLASSES + j] / n;
      this.dLogits[i * DIGIT_CLASSES + labels[i]] -= 1 / n;
      loss -= Math.log(Math.max(act.probs[i * DIGIT_CLASSES + labels[i]], 1e-30));
    }
    // dense 2, then dense 1 (ReLU)
    this.weightGrad(this.dLogits, act.features, n, DIGIT_CLASSES, hidden, g.fc2W, g.fc2B);
    this.inputGrad(this.dLogits, weights.fc2W, n, DIGIT_CLASSES, hidden, this.dFeat);
    for (let i = 0; i < n * hidden; i++) if (act.features[i] <= 0) this.dFeat[i] = 0;
    const pooled = q * q * conv2;
    this.weightGrad(this.dFeat, act.pool2, n, hidden, pooled, g.fc1W, g.fc1B);
    this.inputGrad(this.dFeat, weights.fc1W, n, hidden, pooled, this.dPool2);
    // un-pool 2 (gradient to the argmax), ReLU 2
    const len2 = n * h * h * conv2;
    this.dAct2.fill(0, 0, len2);
    for (let i = 0; i < n * pooled; i++) this.dAct2[act.arg2[i]] += this.dPool2[i];
    for (let i = 0; i < len2; i++) if (act.act2[i] <= 0) this.dAct2[i] = 0;
    // conv 2
    this.weightGrad(this.dAct2, act.patches2, n * h * h, conv2, 9 * conv1, g.conv2W, g.conv2B);
    this.inputGrad(this.dAct2, weights.conv2W, n * h * h, conv2, 9 * conv1, this.dPatches2);
    col2im3x3(this.dPatches2, n, h, h, conv1, this.dPool1);
    // un-pool 1, ReLU 1, conv 1 (no input gradient needed)
    const len1 = n * s * s * conv1;
    this.dAct1.fill(0, 0, len1);
    for (let i = 0; i < n * h * h * conv1; i++) this.dAct1[act.arg1[i]] += this.dPool1[i];
    for (let i = 0; i < len1; i++) if (act.act1[i] <= 0) this.dAct1[i] = 0;
    this.weightGrad(this.dAct1, act.patches1, n * s * s, conv1, 9, g.conv1W, g.conv1B);
    return loss;
  }
}

/** Adjoint of im2col3x3: sums patch gradients (n·h·w × 9c) back onto the NHWC input (n×h×w×c). */
export function col2im3x3(patches: Float32Array, n: number, h: number, w: number, c: number, out: Float32Array): void {
  out.fill(0, 0, n * h * w * c);
  const k = 9 * c;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let o = ((b * h + y) * w + x) * k;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) {
              o += c;
              continue;
            }
            const dst = ((b * h + yy) * w + xx) * c;
            for (let ci = 0; ci < c; ci++) out[dst + ci] += patches[o++];
          }
        }
      }
    }
  }
}

export class Adam {
  private readonly m: DigitClassifierWeights;
  private readonly v: DigitClassifierWeights;
  private t = 0;

  constructor(shape: DigitClassifierShape) {
    this.m = emptyWeights(shape);
    this.v = emptyWeights(shape);
  }

  step(weights: DigitClassifierWeights, grads: DigitClassifierWeights, lr: number): void {
    const b1 = 0.9;
    const b2 = 0.999;
    this.t++;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    for (const name of TENSOR_NAMES) {
      const w = weights[name];
      const g = grads[name];
      const m = this.m[name];
      const v = this.v[name];
      for (let i = 0; i < w.length; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
      }
    }
  }
}
