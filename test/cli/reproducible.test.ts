// Reproducible runs (issue 14): the same settings and seed, trained twice through the CLI's own
// run (runTraining, what `npm run train` calls, with --out to a file), give bit-identical metrics
// and samples — on the CPU backend and on one WebGPU adapter (SwiftShader here), for every
// variant at once, with the 2-D MLP and with the paper's CNN on digits (width 1/8, batch 2, one
// step, so it stays fast). Timing fields are the only ones allowed to differ.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTraining } from '../../src/cli/run-training';
import { VARIANT_NAMES } from '../../src/gan/names';

const dir = mkdtempSync(join(tmpdir(), 'sngan-repro-'));

const MODELS = {
  mlp2d: ['--model', 'mlp2d', '--data', 'ring8', '--steps', '3', '--batch', '16', '--eval-samples', '64'],
  cnn: ['--model', 'cnn', '--data', 'mnist', '--width', '1/8', '--steps', '1', '--batch', '2', '--eval-samples', '8'],
} as const;

interface RunJson {
  backend: string;
  adapter: string;
  steps: number;
  metrics: Record<string, unknown>[];
  variants: Record<string, { diverged: number | null; samples: unknown[] }>;
}

async function train(backend: string, model: keyof typeof MODELS, n: number): Promise<RunJson> {
  const out = join(dir, `${backend}-${model}-${n}.json`);
  const args = [...MODELS[model], '--variants', VARIANT_NAMES.join(','), '--settings', 'C', '--seed', '7'];
  await runTraining([...args, '--stats-every', '1', '--backend', backend, '--no-weights', '--quiet', '--out', out]);
  return JSON.parse(readFileSync(out, 'utf8')) as RunJson;
}

describe('the same settings and seed give the same run', () => {
  for (const backend of ['cpu', 'webgpu'])
    for (const model of ['mlp2d', 'cnn'] as const)
      it(`${backend}, ${model}: bit-identical metrics and samples, every variant`, { timeout: 300_000 }, async () => {
        const first = await train(backend, model, 1);
        const second = await train(backend, model, 2);
        expect(first.backend).toBe(backend);
        expect(second.adapter).toBe(first.adapter);
        const steps = model === 'cnn' ? 1 : 3;
        expect(first.metrics.map((m) => `${m.step}:${m.variant}`)).toEqual(
          Array.from({ length: steps }, (_, i) => VARIANT_NAMES.map((v) => `${i + 1}:${v}`)).flat(),
        );
        // JSON holds every float exactly (shortest round-trip form), so equal text is equal bits.
        expect(JSON.stringify(second.metrics)).toBe(JSON.stringify(first.metrics));
        expect(JSON.stringify(second.variants)).toBe(JSON.stringify(first.variants));
        const lossD = first.metrics.map((m) => m.lossD as number);
        expect(lossD.every(Number.isFinite)).toBe(true);
      });
});
