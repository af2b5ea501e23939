/**
 * What a GAN variant needs from a model, whatever its architecture: D and G applied to tensors
 * (traces with forward and backward op lists), D's normalizable layers, and the parameters the
 * optimizers update. The 2-D MLP and the paper's CNN (PaperCnn), both Sequentials of the layers
 * of src/nn/, provide it.
 */
import type { Backend, Op, Tensor } from '../engine/backend';
import { initMlp } from '../nn/init';
import type { TrainableParam, WeightGrads } from '../nn/layer';
import { mlp } from '../nn/sequential';
import { initPaperCnn, PaperCnn } from '../nn/paper-cnn';
import type { CnnGanModel, MlpGanModel } from './config';
import type { NormalizableLayer } from './normalization';

export interface NetTrace {
  readonly output: Tensor;
  readonly outputGrad: Tensor;
  readonly inputGrad: Tensor;
  forward(): Op[];
  backward(options: {
    weightGrads: WeightGrads;
    inputGrad: boolean;
    weightGradTargets?: Tensor[];
    /** Two halves summed in turn (D's joint real and generated batch; see LayerBackwardOptions). */
    halves?: boolean;
    label: string;
  }): Op[];
  /** WGAN-GP: ∂R/∂(input gradient) → ∂R/∂W; only models with piecewise-linear D provide it. */
  doubleBackward?(options: { seed: Tensor; targets: Tensor[]; label: string }): Op[];
}

export interface NetTraceOptions {
  weights?: Tensor[];
  outputGrad?: Tensor;
  inputGrad?: Tensor;
  /** Where the output goes (default: a tensor of the trace's own). */
  output?: Tensor;
  /** false: sampling mode (batch norm uses running statistics). */
  training?: boolean;
}

export interface GanModel {
  /** Floats per real or generated sample (2 for points, M·M·c for images). */
  readonly sampleSize: number;
  readonly noiseDim: number;
  /** D's weight layers in order, for the normalization wrappers. */
  readonly normalizable: NormalizableLayer[];
  discriminatorTrace(label: string, input: Tensor, batch: number, options?: NetTraceOptions): NetTrace;
  generatorTrace(label: string, z: Tensor, batch: number, options?: NetTraceOptions): NetTrace;
  discriminatorParams(): TrainableParam[];
  generatorParams(): TrainableParam[];
}

/** The 2-D MLP GAN. Initial weights come from the run's seed, so every variant starts equal. */
export function mlpGan(backend: Backend, label: string, model: MlpGanModel, seed: number): GanModel {
  const gSizes = [model.noiseDim, ...model.generatorHidden, 2];
  const dSizes = [2, ...model.discriminatorHidden, 1];
  const generator = mlp(
    backend,
    `${label}.G`,
    { sizes: gSizes, hidden: model.generatorActivation, slope: model.slope },
    initMlp(seed * 2 + 1, gSizes),
  );
  const discriminator = mlp(
    backend,
    `${label}.D`,
    { sizes: dSizes, hidden: model.discriminatorActivation, slope: model.slope },
    initMlp(seed * 2 + 2, dSizes),
  );
  return {
    sampleSize: 2,
    noiseDim: model.noiseDim,
    normalizable: discriminator.weighted,
    discriminatorTrace: (name, input, batch, options = {}) => discriminator.trace(name, input, batch, options),
    generatorTrace: (name, z, batch, options = {}) => generator.trace(name, z, batch, options),
    discriminatorParams: () => discriminator.params(),
    generatorParams: () => generator.params(),
  };
}

/** The paper's standard CNN (Table 3) at a width multiplier, for M × M × c images. */
export function cnnGan(backend: Backend, label: string, model: CnnGanModel, seed: number): GanModel {
  const spec = { size: 32, channels: model.channels, width: model.width, noiseDim: model.noiseDim, slope: model.slope };
  const cnn = new PaperCnn(backend, label, spec, initPaperCnn(spec, seed, backend.measuresOnly ? 'zeros' : 'chainer'));
  return {
    sampleSize: cnn.imageSize,
    noiseDim: model.noiseDim,
    normalizable: cnn.normalizable,
    discriminatorTrace: (name, input, batch, options = {}) => cnn.discriminatorTrace(name, input, batch, options),
    generatorTrace: (name, z, batch, options = {}) => cnn.generatorTrace(name, z, batch, options),
    discriminatorParams: () => cnn.discriminator.params(),
    generatorParams: () => cnn.generator.params(),
  };
}
