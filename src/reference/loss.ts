/** Float64 twin of shaders/loss.wgsl: GAN losses on discriminator logits and their gradients. */
import type { GanLossKind } from '../core/loss';

/** σ(z), with exp only of −|z|. */
export function sigmoid(z: number): number {
  const e = Math.exp(-Math.abs(z));
  return z >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** log(1 + e^z), stable for any z. */
export function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

export interface LossTwin {
  loss: number;
  /** d loss / d logit for each real logit (empty for the generator loss). */
  dReal: Float64Array;
  dFake: Float64Array;
  /** mean σ(l) for 'standard', mean l for 'hinge' and 'wgan'; 0 for the generator loss. */
  meanDReal: number;
  meanDFake: number;
}

const mean = (a: ArrayLike<number>, f: (v: number) => number): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += f(a[i]);
  return s / a.length;
};

function dValue(kind: GanLossKind, l: number): number {
  return kind === 'standard' ? sigmoid(l) : l;
}

/** The discriminator's loss on real logits (wanted high) and fake logits (wanted low). */
export function discriminatorLoss(kind: GanLossKind, real: ArrayLike<number>, fake: ArrayLike<number>): LossTwin {
  const nr = real.length;
  const nf = fake.length;
  let loss: number;
  let dReal: Float64Array;
  let dFake: Float64Array;
  switch (kind) {
    case 'standard':
      // −log σ(l) = softplus(−l); −log(1 − σ(l)) = softplus(l).
      loss = mean(real, (l) => softplus(-l)) + mean(fake, (l) => softplus(l));
      dReal = Float64Array.from(real, (l) => -sigmoid(-l) / nr);
      dFake = Float64Array.from(fake, (l) => sigmoid(l) / nf);
      break;
    case 'hinge':
      // Subgradient 0 at the kinks l = ±1.
      loss = mean(real, (l) => Math.max(0, 1 - l)) + mean(fake, (l) => Math.max(0, 1 + l));
      dReal = Float64Array.from(real, (l) => (l < 1 ? -1 / nr : 0));
      dFake = Float64Array.from(fake, (l) => (l > -1 ? 1 / nf : 0));
      break;
    case 'wgan':
      loss = mean(fake, (l) => l) - mean(real, (l) => l);
      dReal = Float64Array.from(real, () => -1 / nr);
      dFake = Float64Array.from(fake, () => 1 / nf);
      break;
  }
  return {
    loss,
    dReal,
    dFake,
    meanDReal: mean(real, (l) => dValue(kind, l)),
    meanDFake: mean(fake, (l) => dValue(kind, l)),
  };
}

/** The generator's loss on the logits D gave its batch: non-saturating for 'standard', −mean l otherwise. */
export function generatorLoss(kind: GanLossKind, fake: ArrayLike<number>): LossTwin {
  const nf = fake.length;
  const standard = kind === 'standard';
  return {
    loss: standard ? mean(fake, (l) => softplus(-l)) : -mean(fake, (l) => l),
    dReal: new Float64Array(0),
    dFake: Float64Array.from(fake, (l) => (standard ? -sigmoid(-l) / nf : -1 / nf)),
    meanDReal: 0,
    meanDFake: mean(fake, (l) => dValue(kind, l)),
  };
}
