/**
 * A long run of one trainer (issue 14, "Soak"), read every `sampleEvery` steps: the backend's live
 * buffers and bytes, the JS heap after a full GC, and the history's length per variant. The
 * verdict says whether buffers stayed identical after the warm-up, the heap stayed within a margin
 * of its warm-up reading, the history stayed within its bound, and every variant that did not
 * diverge still reports finite numbers. The test (test/gan/soak.test.ts) and `npm run soak` both
 * run this; only the counts differ.
 */
import { HISTORY_CAPACITY } from '../../src/gan/metrics-history';
import type { GanTrainer, StepMetrics } from '../../src/gan/trainer';
import { heapAfterGc } from './heap';

export interface SoakSample {
  step: number;
  buffers: number;
  bytes: number;
  heapUsed: number;
  arrayBuffers: number;
  /** Captures kept by the longest per-variant history. */
  history: number;
}

export interface SoakVerdict {
  ok: boolean;
  /** Each failed check in words, with the numbers that failed it. */
  problems: string[];
}

export interface SoakOptions {
  steps: number;
  sampleEvery: number;
  onSample?: (sample: SoakSample) => void;
}

/** Trains `steps` more steps, sampling every `sampleEvery` (and once before the first). */
export async function soak(trainer: GanTrainer, options: SoakOptions): Promise<SoakSample[]> {
  if (!(options.sampleEvery > 0) || !(options.steps >= options.sampleEvery)) {
    throw new Error(`soak: steps ${options.steps} must be ≥ sampleEvery ${options.sampleEvery} > 0`);
  }
  const samples: SoakSample[] = [];
  const take = async () => {
    // Everything submitted has run and every read-back's staging buffer is back in its pool.
    await trainer.spectraSettled();
    await trainer.backend.idle();
    const memory = trainer.backend.memory();
    const history = Math.max(0, ...[...trainer.history.byVariant().values()].map((list) => list.length));
    const sample = { step: trainer.steps, buffers: memory.tensors, bytes: memory.bytes, ...heapAfterGc(), history };
    samples.push(sample);
    options.onSample?.(sample);
  };
  await take();
  for (let done = 0; done < options.steps; done += options.sampleEvery) {
    await trainer.train(Math.min(options.sampleEvery, options.steps - done));
    await take();
  }
  return samples;
}

/** The numbers a capture shows (what a chart would draw as a gap when not finite). */
function capturedNumbers(m: StepMetrics): number[] {
  return [m.lossD, m.lossG, m.dReal, m.dFake, m.gradNorm, ...m.sigma];
}

/**
 * Checks the samples taken after `warmupStep`: buffers and bytes equal to the first of them, heap
 * (JS objects plus ArrayBuffers) at most `heapMarginBytes` above it, history within its capacity;
 * and the variants that did not diverge finite in their last capture and generated samples.
 */
export function soakVerdict(
  trainer: GanTrainer,
  samples: readonly SoakSample[],
  warmupStep: number,
  heapMarginBytes: number,
): SoakVerdict {
  const problems: string[] = [];
  const after = samples.filter((s) => s.step >= warmupStep);
  if (after.length < 2) problems.push(`only ${after.length} sample(s) at or after the warm-up step ${warmupStep}`);
  const base = after[0];
  const heapOf = (s: SoakSample) => s.heapUsed + s.arrayBuffers;
  for (const s of after.slice(1)) {
    if (s.buffers !== base.buffers || s.bytes !== base.bytes) {
      problems.push(
        `GPU memory moved: ${base.buffers} buffers/${base.bytes} B at step ${base.step}, ` +
          `${s.buffers}/${s.bytes} at step ${s.step}`,
      );
    }
    if (heapOf(s) - heapOf(base) > heapMarginBytes) {
      problems.push(
        `heap grew ${heapOf(s) - heapOf(base)} B (margin ${heapMarginBytes}) from step ${base.step} to ${s.step}`,
      );
    }
  }
  const longest = Math.max(0, ...samples.map((s) => s.history));
  if (longest > HISTORY_CAPACITY) problems.push(`history holds ${longest} captures (capacity ${HISTORY_CAPACITY})`);
  for (const [name, status] of trainer.status) {
    if (status.diverged !== null) continue;
    const last = trainer.history.byVariant().get(name)?.at(-1);
    if (!last) problems.push(`${name}: no capture`);
    else if (!capturedNumbers(last).every(Number.isFinite))
      problems.push(`${name}: non-finite capture at step ${last.step}`);
    if (status.samples && !status.samples.every(Number.isFinite)) problems.push(`${name}: non-finite samples`);
  }
  return { ok: problems.length === 0, problems };
}
