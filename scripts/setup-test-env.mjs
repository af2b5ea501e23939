#!/usr/bin/env node
// Runs before the tests (npm test) and from .ci/run: makes sure the machine has what the tests
// need — a WebGPU adapter for Node (Dawn over a Vulkan driver) and a Chromium for the page's
// end-to-end tests — and installs Debian's `chromium` (which ships SwiftShader, a CPU Vulkan
// driver) and `libvulkan1` (the loader Dawn opens) when they are missing and this machine may
// install system packages. A working adapter is never replaced: src/node/webgpu-node.ts keeps
// preferring VK_ICD_FILENAMES or an NVIDIA driver over SwiftShader after the install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = ['chromium', 'libvulkan1'];
const MANUAL_FIX =
  'Fix (Debian/Ubuntu, as root): apt-get update && apt-get install -y chromium libvulkan1\n' +
  'Or point the tests at what this machine already has:\n' +
  '  CHROMIUM_PATH=/path/to/chrome-or-chromium   (a Chrome/Chromium with WebGPU, for the page tests)\n' +
  "  VK_ICD_FILENAMES=/path/to/vulkan_icd.json   (a Vulkan driver Dawn can use, e.g. SwiftShader's)";

/** Runs the same probe the tests rely on: Dawn in Node, with the driver webgpu-node.ts picks. */
function probeAdapter() {
  const probe = spawnSync(process.execPath, ['scripts/run-node.mjs', 'scripts/probe-webgpu.ts'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${probe.stdout ?? ''}${probe.stderr ?? ''}`.trim();
  return { ok: probe.status === 0, output };
}

function browserPath() {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

function hasVulkanLoader() {
  const ldconfig = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  if (ldconfig.status === 0) return /libvulkan\.so\.1\s/.test(ldconfig.stdout);
  return ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'].some(existsSync);
}

function succeeds(command, args) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/** The prefix that runs apt-get as root here, or undefined when this machine cannot. */
function rootPrefix() {
  if (process.platform !== 'linux' || !succeeds('sh', ['-c', 'command -v apt-get'])) return undefined;
  if (typeof process.getuid === 'function' && process.getuid() === 0) return [];
  if (succeeds('sudo', ['-n', 'true'])) return ['sudo', '-n'];
  return undefined;
}

function run(prefix, args) {
  const [command, ...rest] = [...prefix, ...args];
  const result = spawnSync(command, rest, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) throw new Error(`${[...prefix, ...args].join(' ')} failed (exit ${result.status})`);
}

function fail(probeOutput, reason) {
  if (probeOutput) console.error(probeOutput);
  console.error(`\nnpm test ${reason}.\n${MANUAL_FIX}`);
  process.exit(1);
}

function printAdapter(output) {
  console.log(
    output
      .split('\n')
      .filter((line) => line.startsWith('webgpu:'))
      .join('\n'),
  );
}

let probe = probeAdapter();
const browserMissing = !existsSync(browserPath());
if (probe.ok && !browserMissing) {
  printAdapter(probe.output);
  process.exit(0);
}

const missing = PACKAGES.filter((name) =>
  name === 'chromium' ? !probe.ok || browserMissing : !probe.ok && !hasVulkanLoader(),
);
const needs = [!probe.ok && 'a WebGPU adapter for Node', browserMissing && `a browser at ${browserPath()}`]
  .filter(Boolean)
  .join(' and ');
if (missing.length === 0) {
  fail(probe.output, `needs ${needs}, and ${PACKAGES.join(' and ')} are already installed`);
}
const prefix = rootPrefix();
if (prefix === undefined) {
  fail(probe.ok ? '' : probe.output, `needs ${needs} and cannot install it here (no root or sudo with apt-get)`);
}

const started = Date.now();
console.log(
  `setup: installing ${missing.join(' ')} with apt-get — the tests need ${needs}; ` +
    'chromium brings SwiftShader (a CPU Vulkan driver) and the browser, libvulkan1 the loader Dawn opens',
);
try {
  run(prefix, ['apt-get', 'update', '-qq']);
  run(prefix, ['apt-get', 'install', '-y', '-qq', ...missing]);
} catch (error) {
  fail('', `could not install ${missing.join(' ')}: ${error.message}`);
}
console.log(`setup: installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);

probe = probeAdapter();
if (!probe.ok) fail(probe.output, 'still finds no WebGPU adapter after the install');
if (!existsSync(browserPath())) fail('', `still finds no browser at ${browserPath()} after the install`);
printAdapter(probe.output);
