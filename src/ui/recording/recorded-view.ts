/** What a recorded run's views need beyond the file: the real data drawn under its 2-D samples. */
import { dataset2d, isDataset2dName } from '../../data/mixtures';
import type { TrainerConfig } from '../../gan/config';
import { realSamplePoints } from '../visuals/field-render';

/** The same 1,000 real points a live run of this config draws (same data set, same seed). */
export function realPointsOf(config: TrainerConfig): Float32Array | null {
  if (!isDataset2dName(config.data)) return null;
  const dataset = dataset2d(config.data);
  return realSamplePoints(dataset.anchors, dataset.std, 1000, config.seed);
}
