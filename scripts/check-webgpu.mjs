#!/usr/bin/env node
// Runs before the tests: finds a WebGPU adapter the way the tests will (Dawn, with the Vulkan
// driver chosen by src/node/webgpu-node.ts) and stops with the command that fixes it when none
// exists, instead of letting every GPU test fail with the same obscure error.
import { spawnSync } from 'node:child_process';

const probe = spawnSync(process.execPath, ['scripts/run-node.mjs', 'scripts/probe-webgpu.ts'], {
  encoding: 'utf8',
  timeout: 120_000,
});
const out = `${probe.stdout ?? ''}${probe.stderr ?? ''}`;
if (probe.status !== 0) {
  console.error(out.trim());
  console.error(
    '\nnpm test needs a WebGPU adapter and found none.\n' +
      'Fix (Debian/Ubuntu, as root): apt-get install -y chromium libvulkan1\n' +
      'or run the whole CI script: bash .ci/run\n' +
      '(chromium ships SwiftShader, a CPU Vulkan driver; set VK_ICD_FILENAMES to use another driver.)',
  );
  process.exit(1);
}
console.log(
  out
    .split('\n')
    .filter((l) => l.startsWith('webgpu:'))
    .join('\n'),
);
