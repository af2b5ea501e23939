/**
 * A small CNN that recognises MNIST digits in the GAN's image format (32×32×1, values in [−1, 1],
 * NHWC; the 28×28 digits padded by 2 pixels of −1), used to score generated digits
 * (src/metrics/digit-score.ts). Trained by tools/train-digit-classifier.ts; the weights are
 * committed as public/models/digit-classifier.bin (format below) with a summary in
 * public/models/digit-classifier.json.
 *
 * Architecture (float32 inference in plain TypeScript, im2col + register-blocked products):
 *
 *   x ↦ (x + 1)/2                      background 0, so the zero padding of the convs is background
 *   conv 3×3 same, 1→C1, ReLU          32×32×C1
 *   max-pool 2×2                       16×16×C1
 *   conv 3×3 same, C1→C2, ReLU         16×16×C2
 *   max-pool 2×2                       8×8×C2, flattened in (y, x, c) order
 *   dense 64·C2→H, ReLU                the penultimate features (H = 64)
 *   dense H→10, softmax                p(y | x)
 *
 * Weight layouts: conv W[co][ky][kx][ci] (the im2col order), dense W[out][in]; biases follow their
 * weights. File format (little-endian): the 4 ASCII bytes "DGCN", a u32 byte length L, L bytes of
 * UTF-8 JSON header ({@link DigitClassifierHeader}, padded with spaces to a multiple of 4), then
 * the tensors of `header.tensors` back to back as `header.dtype` ('f32' or 'f16' IEEE halves).
 */
import { gemmABt } from './gemm';

export const DIGIT_IMAGE_SIZE = 32;
export const DIGIT_CLASSES = 10;
const MAGIC = 'DGCN';

export interface DigitClassifierShape {
  /** Channels of the first and second conv. */
  conv1: number;
  conv2: number;
  /** Width of the penultimate (feature) layer. */
  hidden: number;
}

export interface DigitClassifierHeader extends DigitClassifierShape {
  format: 'digit-classifier';
  version: 1;
  image: number;
  classes: number;
  dtype: 'f32' | 'f16';
  /** [name, element count] in file order. */
  tensors: [string, number][];
}

/** The parameters, float32, in the layouts described above. */
export interface DigitClassifierWeights {
  shape: DigitClassifierShape;
  conv1W: Float32Array; // C1 × 9
  conv1B: Float32Array; // C1
  conv2W: Float32Array; // C2 × 9·C1
  conv2B: Float32Array; // C2
  fc1W: Float32Array; // H × 64·C2
  fc1B: Float32Array; // H
  fc2W: Float32Array; // 10 × H
  fc2B: Float32Array; // 10
}

export const TENSOR_NAMES = ['conv1W', 'conv1B', 'conv2W', 'conv2B', 'fc1W', 'fc1B', 'fc2W', 'fc2B'] as const;
export type TensorName = (typeof TENSOR_NAMES)[number];

/** Element count of each tensor for a shape. */
export function tensorSizes(shape: DigitClassifierShape): Record<TensorName, number> {
  const { conv1, conv2, hidden } = shape;
  const pooled = (DIGIT_IMAGE_SIZE / 4) ** 2 * conv2;
  return {
    conv1W: conv1 * 9,
    conv1B: conv1,
    conv2W: conv2 * 9 * conv1,
    conv2B: conv2,
    fc1W: hidden * pooled,
    fc1B: hidden,
    fc2W: DIGIT_CLASSES * hidden,
    fc2B: DIGIT_CLASSES,
  };
}

/** Zero-filled weights of a shape. */
export function emptyWeights(shape: DigitClassifierShape): DigitClassifierWeights {
  const sizes = tensorSizes(shape);
  const w = { shape: { ...shape } } as DigitClassifierWeights;
  for (const name of TENSOR_NAMES) w[name] = new Float32Array(sizes[name]);
  return w;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Nearest IEEE half (ties to even) of a finite float32 value in the half range. */
export function floatToHalf(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // a carry may round up to ∞ (0x7c00): correct
  return sign | half;
}

/** Parses a weights file (see the format in the module comment). */
export function parseDigitClassifier(data: ArrayBuffer | ArrayBufferView): DigitClassifierWeights {
  const bytes =
    data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(0, 4)) !== MAGIC) {
    throw new Error('digit classifier: not a DGCN weights file');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as DigitClassifierHeader;
  if (header.format !== 'digit-classifier' || header.version !== 1) {
    throw new Error(`digit classifier: unsupported header ${header.format} v${header.version}`);
  }
  if (header.image !== DIGIT_IMAGE_SIZE || header.classes !== DIGIT_CLASSES) {
    throw new Error(`digit classifier: expects ${header.image}² images and ${header.classes} classes`);
  }
  const weights = emptyWeights(header);
  const sizes = tensorSizes(header);
  const step = header.dtype === 'f16' ? 2 : 4;
  if (header.dtype !== 'f16' && header.dtype !== 'f32') throw new Error(`digit classifier: dtype ${header.dtype}`);
  let offset = 8 + headerLength;
  for (const [name, count] of header.tensors) {
    if (!(TENSOR_NAMES as readonly string[]).includes(name) || sizes[name as TensorName] !== count) {
      throw new Error(`digit classifier: tensor ${name} (${count}) does not fit the shape`);
    }
    if (offset + count * step > bytes.length) throw new Error('digit classifier: file is truncated');
    const out = weights[name as TensorName];
    for (let i = 0; i < count; i++, offset += step) {
      out[i] = step === 2 ? halfToFloat(view.getUint16(offset, true)) : view.getFloat32(offset, true);
    }
  }
  if (offset !== bytes.length) throw new Error('digit classifier: trailing bytes after the tensors');
  return weights;
}

/** Serialises weights in the file format ('f16' halves the size; the tool evaluates what it wrote). */
export function serializeDigitClassifier(weights: DigitClassifierWeights, dtype: 'f32' | 'f16' = 'f32'): Uint8Array {
  const sizes = tensorSizes(weights.shape);
  const header: DigitClassifierHeader = {
    format: 'digit-classifier',
    version: 1,
    image: DIGIT_IMAGE_SIZE,
    classes: DIGIT_CLASSES,
    ...weights.shape,
    dtype,
    tensors: TENSOR_NAMES.map((name) => [name, sizes[name]]),
  };
  let json = JSON.stringify(header);
  while (json.length % 4 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const step = dtype === 'f16' ? 2 : 4;
  const total = TENSOR_NAMES.reduce((s, name) => s + sizes[name], 0);
  const out = new Uint8Array(8 + headerBytes.length + total * step);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  let offset = 8 + headerBytes.length;
  for (const name of TENSOR_NAMES) {
    for (const v of weights[name]) {
      if (step === 2) view.setUint16(offset, floatToHalf(v), true);
      else view.setFloat32(offset, v, true);
      offset += step;
    }
  }
  return out;
}

/**
 * im2col for a 3×3 "same" convolution (zero padding) of NHWC input (n×h×w×c): row (b, y, x) of
 * the output (n·h·w × 9c) holds the patch in (ky, kx, ci) order.
 */
export function im2col3x3(input: Float32Array, n: number, h: number, w: number, c: number, out: Float32Array): void {
  const k = 9 * c;
  for (let b = 0; b < n; b++) {
    const ib = b * h * w * c;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let o = ((b * h + y) * w + x) * k;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) {
              for (let ci = 0; ci < c; ci++) out[o++] = 0;
            } else {
              const src = ib + (yy * w + xx) * c;
              for (let ci = 0; ci < c; ci++) out[o++] = input[src + ci];
            }
          }
        }
      }
    }
  }
}

/** In-place ReLU. */
export function relu(x: Float32Array, length = x.length): void {
  for (let i = 0; i < length; i++) if (x[i] < 0) x[i] = 0;
}

/**
 * 2×2 max-pool (stride 2) of NHWC input (n×h×w×c) into out (n×h/2×w/2×c); with `argmax`, the
 * input index of each maximum is recorded for the backward pass.
 */
export function maxPool2x2(
  input: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  out: Float32Array,
  argmax?: Int32Array,
): void {
  const ho = h >> 1;
  const wo = w >> 1;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < ho; y++) {
      for (let x = 0; x < wo; x++) {
        const i00 = ((b * h + 2 * y) * w + 2 * x) * c;
        const i01 = i00 + c;
        const i10 = i00 + w * c;
        const i11 = i10 + c;
        for (let ci = 0; ci < c; ci++, o++) {
          let best = i00 + ci;
          let v = input[best];
          if (input[i01 + ci] > v) v = input[(best = i01 + ci)];
          if (input[i10 + ci] > v) v = input[(best = i10 + ci)];
          if (input[i11 + ci] > v) v = input[(best = i11 + ci)];
          out[o] = v;
          if (argmax) argmax[o] = best;
        }
      }
    }
  }
}

/** Row-wise softmax of n×classes logits, in place. */
export function softmaxRows(x: Float32Array, n: number, classes: number): void {
  for (let r = 0; r < n; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, x[o + j]);
    let sum = 0;
    for (let j = 0; j < classes; j++) {
      const e = Math.exp(x[o + j] - max);
      x[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < classes; j++) x[o + j] /= sum;
  }
}

/** Every intermediate of a forward pass over a batch (what training needs for the backward pass). */
export interface ForwardActivations {
  n: number;
  patches1: Float32Array; // n·32·32 × 9
  act1: Float32Array; // n·32·32 × C1, after ReLU
  arg1: Int32Array; // n·16·16·C1
  pool1: Float32Array; // n·16·16 × C1
  patches2: Float32Array; // n·16·16 × 9·C1
  act2: Float32Array; // n·16·16 × C2, after ReLU
  arg2: Int32Array; // n·8·8·C2
  pool2: Float32Array; // n × 64·C2
  features: Float32Array; // n × H, after ReLU
  probs: Float32Array; // n × 10 (softmax)
}

/** Scratch buffers for batches of up to `capacity` images. */
export function allocateActivations(shape: DigitClassifierShape, capacity: number): ForwardActivations {
  const s = DIGIT_IMAGE_SIZE;
  const { conv1, conv2, hidden } = shape;
  return {
    n: capacity,
    patches1: new Float32Array(capacity * s * s * 9),
    act1: new Float32Array(capacity * s * s * conv1),
    arg1: new Int32Array((capacity * s * s * conv1) / 4),
    pool1: new Float32Array((capacity * s * s * conv1) / 4),
    patches2: new Float32Array(((capacity * s * s) / 4) * 9 * conv1),
    act2: new Float32Array(((capacity * s * s) / 4) * conv2),
    arg2: new Int32Array((capacity * s * s * conv2) / 16),
    pool2: new Float32Array((capacity * s * s * conv2) / 16),
    features: new Float32Array(capacity * hidden),
    probs: new Float32Array(capacity * DIGIT_CLASSES),
  };
}

/**
 * Forward pass of `n` images (n·32·32 values in [−1, 1], NHWC) into `act` (allocated for at least
 * n images): fills every intermediate, `features` and `probs` included.
 */
export function forward(
  weights: DigitClassifierWeights,
  images: Float32Array,
  n: number,
  act: ForwardActivations,
): void {
  const s = DIGIT_IMAGE_SIZE;
  const h = s >> 1;
  const { conv1, conv2, hidden } = weights.shape;
  const input = act.act1; // scratch for (x + 1)/2 before conv1 overwrites it
  for (let i = 0; i < n * s * s; i++) input[i] = (images[i] + 1) * 0.5;
  im2col3x3(input, n, s, s, 1, act.patches1);
  gemmABt(act.patches1, weights.conv1W, act.act1, n * s * s, conv1, 9, weights.conv1B);
  relu(act.act1, n * s * s * conv1);
  maxPool2x2(act.act1, n, s, s, conv1, act.pool1, act.arg1);
  im2col3x3(act.pool1, n, h, h, conv1, act.patches2);
  gemmABt(act.patches2, weights.conv2W, act.act2, n * h * h, conv2, 9 * conv1, weights.conv2B);
  relu(act.act2, n * h * h * conv2);
  maxPool2x2(act.act2, n, h, h, conv2, act.pool2, act.arg2);
  const pooled = (s / 4) ** 2 * conv2;
  gemmABt(act.pool2, weights.fc1W, act.features, n, hidden, pooled, weights.fc1B);
  relu(act.features, n * hidden);
  gemmABt(act.features, weights.fc2W, act.probs, n, DIGIT_CLASSES, hidden, weights.fc2B);
  softmaxRows(act.probs, n, DIGIT_CLASSES);
}

export interface Classification {
  /** count × 10, p(y | x) per image. */
  probs: Float32Array;
  /** count × H (64), the penultimate (post-ReLU) features. */
  features: Float32Array;
}

/** Images per forward pass in `classify` (bounds the scratch memory to a few MB). */
const CHUNK = 32;

/** The classifier with its weights loaded. */
export class DigitClassifier {
  readonly featureDim: number;
  private scratch: ForwardActivations | undefined;

  constructor(readonly weights: DigitClassifierWeights) {
    this.featureDim = weights.shape.hidden;
  }

  /** Parses a weights file (see the module comment). */
  static fromBytes(data: ArrayBuffer | ArrayBufferView): DigitClassifier {
    return new DigitClassifier(parseDigitClassifier(data));
  }

  /**
   * Class probabilities and penultimate features of `count` images (count·32·32 values in [−1, 1],
   * NHWC, one channel).
   */
  classify(images: Float32Array, count: number): Classification {
    const pixels = DIGIT_IMAGE_SIZE * DIGIT_IMAGE_SIZE;
    if (images.length < count * pixels) {
      throw new RangeError(`classify: ${images.length} values for ${count} images of ${pixels}`);
    }
    const hidden = this.featureDim;
    const probs = new Float32Array(count * DIGIT_CLASSES);
    const features = new Float32Array(count * hidden);
    const act = (this.scratch ??= allocateActivations(this.weights.shape, CHUNK));
    for (let start = 0; start < count; start += CHUNK) {
      const n = Math.min(CHUNK, count - start);
      forward(this.weights, images.subarray(start * pixels, (start + n) * pixels), n, act);
      probs.set(act.probs.subarray(0, n * DIGIT_CLASSES), start * DIGIT_CLASSES);
      features.set(act.features.subarray(0, n * hidden), start * hidden);
    }
    return { probs, features };
  }

  /** argmax of each row of `probs`. */
  static predictions(probs: Float32Array, count: number): Uint8Array {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      let best = 0;
      for (let j = 1; j < DIGIT_CLASSES; j++)
        if (probs[i * DIGIT_CLASSES + j] > probs[i * DIGIT_CLASSES + best]) best = j;
      out[i] = best;
    }
    return out;
  }
}
