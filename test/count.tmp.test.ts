import { it } from 'vitest';
import { countTrainingStep } from '../bench/step-counts';
import { trainerConfig, DEFAULT_SETTINGS } from '../src/ui/state/settings';
import { testGpu } from '../test/helpers/gpu';
it('count', async () => {
  for (const variants of [['sn'], ['wn'], ['none'], ['sn', 'wn', 'none']] as const) {
    const c = await countTrainingStep(await testGpu(), { ...trainerConfig(DEFAULT_SETTINGS), variants: [...variants] });
    console.log(variants.join(','), c.step.dispatches, c.dUpdate, c.gUpdate);
  }
}, 120000);
