/**
 * The paper's standard CNN (Miyato et al. 2018, Table 3) for M×M images with c channels, at a
 * width multiplier w ∈ {1/8, 1/4, 1/2, 1} (1 is the paper's network):
 *
 *   D: conv3×3 s1 64w → conv4×4 s2 64w → conv3×3 s1 128w → conv4×4 s2 128w → conv3×3 s1 256w →
 *      conv4×4 s2 256w → conv3×3 s1 512w → dense → 1. Padding 1 on every conv, LeakyReLU 0.1
 *      after every conv, a bias on every layer (the raw logit comes out: the losses take logits).
 *   G: z ∈ R^128 ~ N(0, I) → dense → (M/8)×(M/8)×512w, BN + ReLU → deconv4×4 s2 256w →
 *      deconv4×4 s2 128w → deconv4×4 s2 64w (each BN + ReLU) → conv3×3 s1 c → tanh.
 *
 * Choices where the table is silent, following the authors' Chainer code (chainer-gan-lib /
 * sngan_projection, DCGANGenerator and SNDCGANDiscriminator):
 *   - G's dense layer IS followed by BN + ReLU there (`relu(bn0(l0(z)))`), with bn0 normalizing
 *     each of the (M/8)²·512w features separately over the batch (a BatchNorm1d, not per channel
 *     over the 4×4 pixels); so here: BatchNorm with spatial = 1, channels = (M/8)²·512w.
 *   - The dense output is read as an NHWC (M/8)×(M/8)×512w image: feature (h·(M/8) + x)·C + c,
 *     a fixed permutation of Chainer's NCHW reshape (as is D's NHWC flattening before its dense
 *     layer), immaterial for randomly initialized weights.
 *   - G's last layer is a 3×3 stride-1 pad-1 Deconvolution2D there, which is the same map as a
 *     conv 3×3 s1 p1 (with the kernel flipped and in/out swapped); here it is a Conv2d, as in
 *     the table.
 *   - Chainer's layers before a BN carry a bias; a per-channel constant added before a batch norm
 *     is removed again by its mean subtraction (its gradient is identically 0), so G's dense and
 *     deconv layers have no bias here. G's last conv and all of D's layers have one.
 *
 * Initialization (seeded, drawn on the CPU so every backend and variant starts from the same
 * numbers), scheme 'chainer' (default, the paper code's): every W ~ N(0, 0.02²), biases 0;
 * BN gamma 1, beta 0. Scheme 'pytorch': PyTorch's defaults, W and b ~ U(−1/√fan_in, 1/√fan_in)
 * with fan_in = Cin·kh·kw for Linear / Conv2d and — PyTorch's quirk — W.shape[1]·kh·kw =
 * Cout·kh·kw for ConvTranspose2d; BN gamma 1, beta 0.
 */
import type { Backend, Tensor } from '../engine/backend';
import { Rng } from '../core/random';
import { BatchNorm, type BatchNormInit } from './batch-norm';
import { Conv2d } from './conv2d';
import { ConvTranspose2d } from './conv-transpose2d';
import type { Layer, WeightInit, WeightLayer } from './layer';
import { Linear } from './linear';
import { Sequential, type SequentialTrace, type SequentialTraceOptions } from './sequential';

export const WIDTH_MULTIPLIERS = [1 / 8, 1 / 4, 1 / 2, 1] as const;

export interface PaperCnnSpec {
  /** Image side M (a multiple of 8; 32 in the paper). */
  size: number;
  /** Image channels c (1 for MNIST, 3 for CIFAR-10). */
  channels: number;
  /** Width multiplier w: every layer's channel count is scaled by it. */
  width: number;
  /** Dimension of z (128 in the paper). */
  noiseDim: number;
  /** D's LeakyReLU slope (0.1 in the paper). */
  slope: number;
}

export const PAPER_CNN: PaperCnnSpec = { size: 32, channels: 3, width: 1, noiseDim: 128, slope: 0.1 };

/**
 * 'zeros' draws nothing: for building a network only to measure its buffers (src/gan/run-fit.ts),
 * where drawing the paper-width weights would cost seconds per variant.
 */
export type CnnInitScheme = 'chainer' | 'pytorch' | 'zeros';

/** Channel counts at width w. */
export function paperCnnWidths(spec: PaperCnnSpec): { d: number[]; g: number[] } {
  const scale = (n: number): number => {
    const c = n * spec.width;
    if (!Number.isInteger(c) || c < 1) throw new Error(`paper CNN: width ${spec.width} gives ${c} channels`);
    return c;
  };
  return { d: [64, 64, 128, 128, 256, 256, 512].map(scale), g: [512, 256, 128, 64].map(scale) };
}

/** One layer's description: everything but the tensors. */
type LayerPlan =
  | { kind: 'linear'; name: string; dIn: number; dOut: number; bias: boolean; activation: 'identity' }
  | {
      kind: 'conv' | 'deconv';
      name: string;
      spec: ConstructorParameters<typeof Conv2d>[2];
      bias: boolean;
    }
  | { kind: 'bn'; name: string; channels: number; spatial: number };

function plans(spec: PaperCnnSpec): { d: LayerPlan[]; g: LayerPlan[] } {
  const { size, channels, slope } = spec;
  if (!Number.isInteger(size / 8) || size < 8) throw new Error(`paper CNN: image side ${size} is not a multiple of 8`);
  const widths = paperCnnWidths(spec);
  const d: LayerPlan[] = [];
  let side = size;
  let inC = channels;
  widths.d.forEach((outC, i) => {
    const k = i % 2 === 0 ? 3 : 4;
    const stride = i % 2 === 0 ? 1 : 2;
    d.push({
      kind: 'conv',
      name: `layer${i}`,
      spec: { inH: side, inW: side, inC, outC, kh: k, kw: k, stride, pad: 1, activation: 'leaky_relu', slope },
      bias: true,
    });
    side = Math.floor((side + 2 - k) / stride) + 1;
    inC = outC;
  });
  d.push({
    kind: 'linear',
    name: `layer${widths.d.length}`,
    dIn: side * side * inC,
    dOut: 1,
    bias: true,
    activation: 'identity',
  });

  const bottom = size / 8;
  const [c0, ...up] = widths.g;
  const g: LayerPlan[] = [
    {
      kind: 'linear',
      name: 'dense',
      dIn: spec.noiseDim,
      dOut: bottom * bottom * c0,
      bias: false,
      activation: 'identity',
    },
    { kind: 'bn', name: 'bn0', channels: bottom * bottom * c0, spatial: 1 },
  ];
  side = bottom;
  inC = c0;
  up.forEach((outC, i) => {
    g.push(
      {
        kind: 'deconv',
        name: `deconv${i + 1}`,
        spec: { inH: side, inW: side, inC, outC, kh: 4, kw: 4, stride: 2, pad: 1 },
        bias: false,
      },
      { kind: 'bn', name: `bn${i + 1}`, channels: outC, spatial: 4 * side * side },
    );
    side *= 2;
    inC = outC;
  });
  g.push({
    kind: 'conv',
    name: 'out',
    spec: { inH: side, inW: side, inC, outC: channels, kh: 3, kw: 3, stride: 1, pad: 1, activation: 'tanh' },
    bias: true,
  });
  return { d, g };
}

export type LayerInit = WeightInit | BatchNormInit;

export interface PaperCnnInit {
  /** One per D layer, in order (all weighted). */
  discriminator: WeightInit[];
  /** One per G layer, in order (weights, or gamma/beta for the batch norms). */
  generator: LayerInit[];
}

function fanIn(p: LayerPlan): number {
  switch (p.kind) {
    case 'linear':
      return p.dIn;
    case 'conv':
      return p.spec.inC * p.spec.kh * p.spec.kw;
    case 'deconv':
      return p.spec.outC * p.spec.kh * p.spec.kw;
    case 'bn':
      return 1;
  }
}

function initLayer(rng: Rng, p: LayerPlan, scheme: CnnInitScheme): LayerInit {
  if (p.kind === 'bn') return { gamma: new Float32Array(p.channels).fill(1), beta: new Float32Array(p.channels) };
  const [n, biasN] =
    p.kind === 'linear' ? [p.dIn * p.dOut, p.dOut] : [p.spec.inC * p.spec.outC * p.spec.kh * p.spec.kw, p.spec.outC];
  if (scheme === 'zeros') return { w: new Float32Array(n), b: p.bias ? new Float32Array(biasN) : undefined };
  if (scheme === 'chainer') {
    return { w: rng.normalArray(n, 0.02), b: p.bias ? new Float32Array(biasN) : undefined };
  }
  const bound = 1 / Math.sqrt(fanIn(p));
  const w = rng.uniformArray(n, -bound, bound);
  return { w, b: p.bias ? rng.uniformArray(biasN, -bound, bound) : undefined };
}

/** Initial parameters for D and G from one seed (D first, then G, each in layer order). */
export function initPaperCnn(spec: PaperCnnSpec, seed: number, scheme: CnnInitScheme = 'chainer'): PaperCnnInit {
  const rng = new Rng(seed);
  const { d, g } = plans(spec);
  return {
    discriminator: d.map((p) => initLayer(rng, p, scheme) as WeightInit),
    generator: g.map((p) => initLayer(rng, p, scheme)),
  };
}

function build(backend: Backend, label: string, p: LayerPlan, init: LayerInit): Layer {
  const name = `${label}.${p.name}`;
  switch (p.kind) {
    case 'linear':
      return new Linear(backend, name, { dIn: p.dIn, dOut: p.dOut, activation: p.activation }, init as WeightInit);
    case 'conv':
      return new Conv2d(backend, name, p.spec, init as WeightInit);
    case 'deconv':
      return new ConvTranspose2d(backend, name, p.spec, init as WeightInit);
    case 'bn':
      return new BatchNorm(
        backend,
        name,
        { channels: p.channels, spatial: p.spatial, activation: 'relu' },
        init as BatchNormInit,
      );
  }
}

/**
 * D and G of one GAN. D's weighted layers (`normalizable`, 8 of them: the 7 convs and the dense
 * layer) carry NormalizableLayer's fields for src/gan/normalization.ts; its traces take the W̄s
 * through `weights` and send ∂L/∂W̄ to the wrappers through `weightGradTargets`, as the MLP's
 * traces do in src/gan/variant.ts.
 */
export class PaperCnn {
  readonly discriminator: Sequential;
  readonly generator: Sequential;
  /** One im2col scratch per batch size, shared by every conv layer of every trace of this model. */
  private readonly scratch = new Map<number, Tensor>();

  constructor(
    private readonly backend: Backend,
    readonly label: string,
    readonly spec: PaperCnnSpec,
    init: PaperCnnInit,
  ) {
    const { d, g } = plans(spec);
    if (init.discriminator.length !== d.length || init.generator.length !== g.length) {
      throw new Error(
        `${label}: initial parameters for ${init.discriminator.length} + ${init.generator.length} layers`,
      );
    }
    this.discriminator = new Sequential(
      backend,
      `${label}.D`,
      d.map((p, i) => build(backend, `${label}.D`, p, init.discriminator[i])),
    );
    this.generator = new Sequential(
      backend,
      `${label}.G`,
      g.map((p, i) => build(backend, `${label}.G`, p, init.generator[i])),
    );
  }

  /** D's layers in order, each with name, dOut, dIn (= Cin·kh·kw), w, gW, b. */
  get normalizable(): WeightLayer[] {
    return this.discriminator.weighted;
  }

  /** Floats per image (M·M·c) and per z. */
  get imageSize(): number {
    return this.spec.size * this.spec.size * this.spec.channels;
  }

  scratchFor(batch: number): Tensor {
    let s = this.scratch.get(batch);
    if (!s) {
      const n = Math.max(this.discriminator.scratchSize(batch), this.generator.scratchSize(batch));
      s = this.backend.tensor(`${this.label}.scratch.b${batch}`, n);
      this.scratch.set(batch, s);
    }
    return s;
  }

  /** D applied to `images` (batch × M × M × c, NHWC, in [−1, 1]); output: batch logits. */
  discriminatorTrace(label: string, images: Tensor, batch: number, o: SequentialTraceOptions = {}): SequentialTrace {
    return this.discriminator.trace(label, images, batch, { scratch: this.scratchFor(batch), ...o });
  }

  /** G applied to `z` (batch × noiseDim); output: batch × M × M × c images (NHWC, tanh). */
  generatorTrace(label: string, z: Tensor, batch: number, o: SequentialTraceOptions = {}): SequentialTrace {
    return this.generator.trace(label, z, batch, { scratch: this.scratchFor(batch), ...o });
  }
}
