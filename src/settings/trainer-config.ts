/** How a settings record (the page's, or the CLI's) becomes the trainer's configuration. */
import { defaultConfig, DEFAULT_CNN, DEFAULT_MLP, type TrainerConfig } from '../gan/config';
import { isImageData, type PageSettings } from './schema';

/** The fields of a settings record that shape a run (display preferences left out). */
export type TrainingSettings = Omit<PageSettings, 'speed' | 'arrows' | 'heatmap' | 'autoplay' | 'hidden'>;

/** The data decides the model: digits train the paper's CNN, 2-D points the MLPs. Variants keep their order. */
export function toTrainerConfig(s: TrainingSettings, evalSamples: number): TrainerConfig {
  const hidden = Array.from({ length: s.mlpDepth }, () => s.mlpWidth);
  return defaultConfig({
    model: isImageData(s.data)
      ? { ...DEFAULT_CNN, width: s.cnnWidth }
      : { ...DEFAULT_MLP, noiseDim: s.noiseDim, generatorHidden: hidden, discriminatorHidden: hidden },
    data: s.data,
    ...(s.data === 'drawn' ? { points: [...s.points] } : {}),
    variants: [...s.variants],
    loss: s.loss,
    adam: { lr: s.lr, beta1: s.beta1, beta2: s.beta2, nDis: s.nDis },
    batch: s.batch,
    seed: s.seed,
    snRounds: s.snRounds,
    snWarmup: s.snWarmup,
    clip: s.clip,
    orthoBeta: s.orthoBeta,
    gpLambda: s.gpLambda,
    statsEvery: s.statsEvery,
    spectraEvery: s.spectraEvery,
    evalSamples,
  });
}
