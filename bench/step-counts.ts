/**
 * What one training step asks of the GPU — dispatches, compute passes, submits — counted on the
 * real command encoder of a real GanTrainer (src/gpu/command-counter.ts), not from a formula. Used
 * by `npm run bench -- dispatches` and beside the timed benches' steps/s.
 *
 * Counting runs "dry" by default: command buffers are encoded and finished (so Dawn validates
 * them) but never submitted, so even the paper's CNN at full width with all six variants is
 * counted in seconds on a software adapter. What a step encodes does not depend on what the GPU
 * computed before it, so dry and submitted counts agree (test/bench/step-counts.test.ts checks it).
 */
import { GpuBackend } from '../src/engine/gpu-backend';
import type { TrainerConfig } from '../src/gan/config';
import { GanTrainer, type TrainingImages } from '../src/gan/trainer';
import { countCommands, type CommandCounts } from '../src/gpu/command-counter';
import type { GpuContext } from '../src/gpu/device';

export interface StepCounts {
  /** One plain trainer.step(): n_dis D updates and one G update, no statistics. */
  step: CommandCounts;
  /** Dispatches of one D update (a 'D' phase step divided by n_dis). */
  dUpdate: number;
  /** Dispatches of the G update alone (a 'G' phase step). */
  gUpdate: number;
  /** A statistics step (step 1 always captures): the plain step plus the statistics ops and copies. */
  statsStep: CommandCounts;
  /** Bytes of every buffer the trainer made (weights, activations, Adam moments, staging). */
  bufferBytes: number;
}

/**
 * Builds a trainer for `config` on `ctx`, counts its first steps and frees its buffers. The
 * device's buffers are all destroyed afterwards (GpuBackend.destroy), so give it a device of its
 * own or one only used for counting. `submit: true` really runs the counted steps. Throws
 * BufferBudgetError (src/gpu/command-counter.ts) when the trainer needs more than `maxBufferBytes`.
 */
export async function countTrainingStep(
  ctx: GpuContext,
  config: TrainerConfig,
  images?: TrainingImages,
  options: { submit?: boolean; maxBufferBytes?: number } = {},
): Promise<StepCounts> {
  const backend = new GpuBackend(ctx);
  const counter = countCommands(ctx.device, {
    submit: options.submit ?? false,
    maxBufferBytes: options.maxBufferBytes,
  });
  try {
    // Spectra are computed on the CPU from read-back weights: not GPU work, and slow inline.
    const trainer = new GanTrainer(backend, { ...config, statsEvery: 1000, spectraEvery: 0 }, images);
    const built = counter.take(); // building the trainer (uploads, SN warm-up) is not a step
    await trainer.step();
    const statsStep = counter.take();
    await trainer.step();
    const step = counter.take();
    await trainer.step({ phase: 'D' });
    const dPhase = counter.take();
    await trainer.step({ phase: 'G' });
    const gPhase = counter.take();
    // A step is exactly its D phase then its G phase; anything else means the counting is off.
    if (dPhase.dispatches + gPhase.dispatches !== step.dispatches) {
      throw new Error(
        `step counting: D phase ${dPhase.dispatches} + G phase ${gPhase.dispatches} ≠ step ${step.dispatches}`,
      );
    }
    if (options.submit) await backend.idle();
    const bufferBytes = built.bufferBytes + statsStep.bufferBytes;
    return { step, dUpdate: dPhase.dispatches / config.adam.nDis, gUpdate: gPhase.dispatches, statsStep, bufferBytes };
  } finally {
    counter.detach();
    backend.destroy();
    // Dawn frees destroyed buffers once the queue moves past them; a dry count submitted nothing,
    // so without this each trainer's memory (gigabytes for the wide CNNs) would stay allocated.
    ctx.device.queue.submit([ctx.device.createCommandEncoder({ label: 'countTrainingStep.release' }).finish()]);
    await ctx.device.queue.onSubmittedWorkDone();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
