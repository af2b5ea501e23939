// Prints the adapter the Node tests will use; exits non-zero when there is none.
import { describeAdapter } from '../src/gpu/device';
import { acquireNodeGpu } from '../src/node/webgpu-node';

try {
  const ctx = await acquireNodeGpu({ label: 'probe.device' });
  console.log(`webgpu: ${describeAdapter(ctx.adapter)}; driver ${process.env.VK_ICD_FILENAMES ?? 'default'}`);
  console.log(`webgpu: timestamp-query ${ctx.features.timestampQuery}, subgroups ${ctx.features.subgroups}`);
  ctx.device.destroy();
  process.exit(0);
} catch (error) {
  console.error(`webgpu: ${(error as Error).message}`);
  process.exit(1);
}
