/** What a recorded run's views need beyond the file: the real data drawn under its 2-D samples. */
import { dataset2dOf } from '../../data/mixtures';
import type { TrainerConfig } from '../../gan/config';
import { realSamplePoints } from '../visuals/field-render';

/** The same 1,000 real points a live run of this config draws (same data set, same seed). */
export function realPointsOf(config: TrainerConfig): Float32Array | null {
  const dataset = dataset2dOf(config.data, config.points);
  if (!dataset) return null;
  return realSamplePoints(dataset.anchors, dataset.std, 1000, config.seed);
}
