#!/usr/bin/env node
// Bundles a TypeScript entry (bench, headless trainer, tools) with esbuild into .cache/ and runs it
// with the remaining arguments. The bundle resolves Vite's `?raw` shader imports the same way the
// page does, and leaves `webgpu` (the Dawn addon) external. `--bundle-only DIR` writes the bundle
// to DIR without running it (what the GPU machine gets: see ../shared/docs/gpu.md).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-node.mjs <entry.ts> [--bundle-only DIR] [args…]');
  process.exit(2);
}
let outDir = '.cache/node';
let run = true;
const args = [...rest];
const at = args.indexOf('--bundle-only');
if (at >= 0) {
  outDir = args[at + 1] ?? 'bench-dist';
  args.splice(at, 2);
  run = false;
}

const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (a) => ({
      path: resolve(a.resolveDir, a.path.slice(0, -'?raw'.length)),
      namespace: 'raw-text',
    }));
    b.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (a) => ({
      contents: await readFile(a.path, 'utf8'),
      loader: 'text',
    }));
  },
};

const outfile = `${outDir}/${basename(entry).replace(/\.ts$/, '')}.mjs`;
await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  external: ['webgpu'],
  plugins: [rawText],
  sourcemap: 'inline',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
if (!run) {
  console.log(outfile);
  process.exit(0);
}
const result = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
