import { it } from 'vitest';
import { GpuBackend } from '../src/engine/gpu-backend';
import { GanTrainer } from '../src/gan/trainer';
import { trainerConfig, DEFAULT_SETTINGS } from '../src/ui/state/settings';
import { testGpu } from './helpers/gpu';
it('list', async () => {
  const t = new GanTrainer(new GpuBackend(await testGpu()), { ...trainerConfig(DEFAULT_SETTINGS), variants: ['sn', 'wn', 'none'] });
  const ops = (t as unknown as { stepOps: { label: string }[] }).stepOps;
  console.log(ops.map((o) => o.label.replace(/(sn|wn|none)\./g, '')).join('\n'));
}, 120000);
