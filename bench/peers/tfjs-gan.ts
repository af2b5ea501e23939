/**
 * The peer for `npm run bench -- peers`: the same 2-D GAN step as ours, written the usual TF.js
 * way (autodiff, tf.train.adam), so its speed can be compared on the same adapter. Same shapes,
 * initial weights (src/nn/init.ts), ũ/ṽ draws, data, hinge loss and Adam; D's three layers are
 * all normalized, as ours are.
 *
 * Spectral normalization follows Miyato et al. 2018, Algorithm 1: per D update, one power round
 * on the RAW W (ṽ ← Wᵀũ/‖Wᵀũ‖, ũ ← Wṽ/‖Wṽ‖, outside the gradient tape), ũ and ṽ kept for the
 * next update; W̄ = W/σ̃ with σ̃ = ũᵀWṽ computed inside the tape, so autodiff gives
 * ∂L/∂W = (g − λũṽᵀ)/σ̃ exactly as our kernel does. The G update reuses ũ, ṽ without advancing them.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core ships its gradients apart (the full @tensorflow/tfjs package imports them); TF.js keeps
// one engine and one gradient registry per process, so registering them here serves every import.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { spectralNormInitialVectors } from '../../src/core/spectral-norm-init';
import { initMlp } from '../../src/nn/init';

export type PeerVariant = 'sn' | 'wn' | 'none';

export interface PeerGanSpec {
  noiseDim: number;
  generatorHidden: number[];
  discriminatorHidden: number[];
  batch: number;
  lr: number;
  beta1: number;
  beta2: number;
  /** LeakyReLU slope of D's hidden layers (G uses ReLU). */
  slope: number;
  /** Data: row-major (x, y) centres and the std of each Gaussian around them. */
  anchors: Float32Array;
  std: number;
  seed: number;
}

/** One Linear layer: W is d_out × d_in (the paper's and our layout), y = xWᵀ + b. */
export interface Dense {
  w: tf.Variable;
  b: tf.Variable;
  /** SN only: the persistent ũ ∈ R^{d_out} and the last ṽ ∈ R^{d_in} (rows of 1 × d). */
  u?: tf.Variable;
  v?: tf.Variable;
}

const EPS = 1e-12;
const normalize = (x: tf.Tensor2D): tf.Tensor2D => tf.div(x, tf.maximum(tf.norm(x), EPS));

/** One power-iteration round on the raw W; ũ, ṽ are stored for the next update (no gradient). */
export function powerRound(layer: Dense): void {
  tf.tidy(() => {
    const v = normalize(tf.matMul(layer.u!, layer.w)); // (Wᵀũ)ᵀ
    const u = normalize(tf.matMul(v, layer.w, false, true)); // (Wṽ)ᵀ
    layer.v!.assign(v);
    layer.u!.assign(u);
  });
}

/** σ̃ = ũᵀWṽ from the stored vectors (differentiable in W only). */
export function sigmaOf(layer: Dense): tf.Scalar {
  return tf.sum(tf.mul(tf.matMul(layer.u!, layer.w), layer.v!));
}

/** The weight D uses: W/σ̃ (SN), each row over its ℓ2 norm with gain 1 (WN), or W. */
export function effectiveWeight(variant: PeerVariant, layer: Dense): tf.Tensor2D {
  const w = layer.w as tf.Tensor2D;
  if (variant === 'sn') return tf.div(w, sigmaOf(layer));
  if (variant === 'wn') return tf.div(w, tf.maximum(tf.norm(w, 'euclidean', 1, true), EPS));
  return w;
}

/** A layer from our initial weights (and, for SN, our ũ/ṽ draw). */
export function denseLayer(w: Float32Array, b: Float32Array, dOut: number, dIn: number, snSeed?: number): Dense {
  const layer: Dense = { w: tf.variable(tf.tensor2d(w, [dOut, dIn])), b: tf.variable(tf.tensor2d(b, [1, dOut])) };
  if (snSeed !== undefined) {
    const init = spectralNormInitialVectors(dOut, dIn, snSeed);
    layer.u = tf.variable(tf.tensor2d(init.u, [1, dOut]), false);
    layer.v = tf.variable(tf.tensor2d(init.v, [1, dIn]), false);
  }
  return layer;
}

export class TfjsGan {
  private readonly g: Dense[];
  /** D's layers (public for the test that checks SN against the paper). */
  readonly d: Dense[];
  private readonly optD: tf.Optimizer;
  private readonly optG: tf.Optimizer;
  private readonly anchors: tf.Tensor2D;

  constructor(
    readonly variant: PeerVariant,
    private readonly spec: PeerGanSpec,
  ) {
    const gSizes = [spec.noiseDim, ...spec.generatorHidden, 2];
    const dSizes = [2, ...spec.discriminatorHidden, 1];
    // The seeds our mlpGan and normalizeWeight use, so both sides start from the same numbers.
    const build = (sizes: number[], seed: number, sn: boolean) =>
      initMlp(seed, sizes).map((l, i) =>
        denseLayer(l.w, l.b, sizes[i + 1], sizes[i], sn ? spec.seed * 1000 + i : undefined),
      );
    this.g = build(gSizes, spec.seed * 2 + 1, false);
    this.d = build(dSizes, spec.seed * 2 + 2, variant === 'sn');
    this.optD = tf.train.adam(spec.lr, spec.beta1, spec.beta2, 1e-8);
    this.optG = tf.train.adam(spec.lr, spec.beta1, spec.beta2, 1e-8);
    this.anchors = tf.tensor2d(spec.anchors, [spec.anchors.length / 2, 2]);
  }

  private generate(z: tf.Tensor2D): tf.Tensor2D {
    let h = z;
    this.g.forEach((l, i) => {
      h = tf.add(tf.matMul(h, l.w, false, true), l.b);
      if (i < this.g.length - 1) h = tf.relu(h);
    });
    return h;
  }

  private discriminate(x: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    this.d.forEach((l, i) => {
      h = tf.add(tf.matMul(h, effectiveWeight(this.variant, l), false, true), l.b);
      if (i < this.d.length - 1) h = tf.leakyRelu(h, this.spec.slope);
    });
    return h;
  }

  private noise(): tf.Tensor2D {
    return tf.randomNormal([this.spec.batch, this.spec.noiseDim]);
  }

  private realBatch(): tf.Tensor2D {
    const B = this.spec.batch;
    const which = tf.randomUniform([B], 0, this.anchors.shape[0], 'int32');
    return tf.add(tf.gather(this.anchors, which), tf.mul(tf.randomNormal([B, 2]), this.spec.std));
  }

  private params(net: Dense[]): tf.Variable[] {
    return net.flatMap((l) => [l.w, l.b]);
  }

  /** One D update then one G update, all on the device; nothing is read back. */
  step(): void {
    tf.tidy(() => {
      const real = this.realBatch();
      const fake = this.generate(this.noise());
      if (this.variant === 'sn') this.d.forEach(powerRound);
      this.optD.minimize(
        () => {
          const lossReal = tf.mean(tf.relu(tf.sub(1, this.discriminate(real))));
          const lossFake = tf.mean(tf.relu(tf.add(1, this.discriminate(fake))));
          return tf.add(lossReal, lossFake) as tf.Scalar;
        },
        false,
        this.params(this.d),
      );
      const z = this.noise();
      this.optG.minimize(
        () => tf.neg(tf.mean(this.discriminate(this.generate(z)))) as tf.Scalar,
        false,
        this.params(this.g),
      );
    });
  }

  /** Waits for every queued step (reads one number). */
  async settle(): Promise<void> {
    await this.g[this.g.length - 1].w.data();
  }

  dispose(): void {
    for (const l of [...this.g, ...this.d]) [l.w, l.b, l.u, l.v].forEach((t) => t?.dispose());
    this.optD.dispose();
    this.optG.dispose();
    this.anchors.dispose();
  }
}
