/**
 * `npm run soak`: the soak's full form (issue 14). Trains all six variants of the 2-D MLP on the
 * GPU backend (Dawn) for --steps steps, prints buffers, bytes, heap and history every
 * --sample-every steps, and ends with a verdict (exit code 1 when a check fails).
 *
 * Statistics are read every --stats-every steps (5 by default, so 20,000 steps make 4,000
 * captures and the history reaches its bound of HISTORY_CAPACITY per variant half-way). The heap
 * is judged from the step where the history is full: before that it grows by design.
 */
import { parseArgs } from '../../src/cli/args';
import { GpuBackend } from '../../src/engine/gpu-backend';
import { DEFAULT_MLP, defaultConfig, VARIANT_NAMES } from '../../src/gan/config';
import { HISTORY_CAPACITY } from '../../src/gan/metrics-history';
import { GanTrainer } from '../../src/gan/trainer';
import { describeAdapter } from '../../src/gpu/device';
import { acquireNodeGpu } from '../../src/node/webgpu-node';
import { soak, soakVerdict, type SoakSample } from './node-soak';

/**
 * Heap margin once the history is full: each archive halving frees ~770 captures per variant and
 * the next ones refill them (≈ 770 × 6 × 0.5 KB ≈ 2.3 MB of swing), plus V8's own noise.
 */
const HEAP_MARGIN = 4 << 20;

function positive(args: Map<string, string>, name: string, fallback: number): number {
  const raw = args.get(name);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer (got ${raw})`);
  return value;
}

const MB = (bytes: number) => (bytes / 2 ** 20).toFixed(2);

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), {
    steps: 'value',
    'stats-every': 'value',
    'sample-every': 'value',
    width: 'value',
  });
  const steps = positive(args, 'steps', 20_000);
  const statsEvery = positive(args, 'stats-every', 5);
  const sampleEvery = positive(args, 'sample-every', 1000);
  const width = positive(args, 'width', 64);
  const ctx = await acquireNodeGpu({ label: 'soak.device' });
  const trainer = new GanTrainer(
    new GpuBackend(ctx),
    defaultConfig({
      model: { ...DEFAULT_MLP, generatorHidden: [width, width], discriminatorHidden: [width, width] },
      variants: [...VARIANT_NAMES],
      statsEvery,
    }),
  );
  console.log(
    `soak: ${steps} steps, six variants, MLP width ${width}, stats every ${statsEvery}, on ${describeAdapter(ctx.adapter)}`,
  );
  console.log('step\tbuffers\tbytes\theap MB\tarrayBuffers MB\thistory\tseconds');
  const began = performance.now();
  const print = (s: SoakSample) =>
    console.log(
      [
        s.step,
        s.buffers,
        s.bytes,
        MB(s.heapUsed),
        MB(s.arrayBuffers),
        s.history,
        ((performance.now() - began) / 1000).toFixed(0),
      ].join('\t'),
    );
  const samples = await soak(trainer, { steps, sampleEvery, onSample: print });
  // The heap is judged from the first sample after HISTORY_CAPACITY captures (the history is full
  // from there on), or from the middle of a run too short to fill it.
  const judged =
    samples.find((s) => s.step >= HISTORY_CAPACITY * statsEvery) ?? samples[Math.floor(samples.length / 2)];
  const verdict = soakVerdict(trainer, samples, judged.step, HEAP_MARGIN);
  for (const [name, status] of trainer.status) {
    console.log(`${name}: ${status.diverged === null ? 'trained' : `diverged at step ${status.diverged}`}`);
  }
  console.log(`heap judged from step ${judged.step} with a margin of ${MB(HEAP_MARGIN)} MB`);
  console.log(verdict.ok ? 'verdict: PASS' : `verdict: FAIL\n  ${verdict.problems.join('\n  ')}`);
  ctx.buffers.destroyAll();
  ctx.device.destroy();
  return verdict.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`soak: ${error.message}`);
    process.exit(2);
  },
);
