/**
 * The requestAnimationFrame loop that submits training steps, and its speed tuner.
 *
 * Main-thread budget: a frame submits steps only once the GPU has finished the previous frame's
 * (back-pressure, so the queue never grows), and stops encoding after FRAME_BUDGET_MS, so no
 * task comes near 50 ms; the CPU backend on the main thread runs its steps inside the same budget
 * (in a worker it queues them like the GPU, with the same back-pressure). In "as fast as
 * possible" (speed 0) the steps per frame are tuned so a frame's steps take about TARGET_GPU_MS
 * of GPU time.
 */
import { WorkerBackend } from '../../engine/worker-backend';
import type { Run } from './run';

/** JavaScript time a frame may spend encoding or running steps. */
export const FRAME_BUDGET_MS = 12;
/** In "as fast as possible", the GPU time a frame's steps should take. */
const TARGET_GPU_MS = 14;
/** Bounds of the tuned steps per frame. */
const MAX_STEPS_PER_FRAME = 500;

export class FrameLoop {
  private handle = 0;
  private gpuBusy = false;
  /** Steps per frame in "as fast as possible", tuned from how long the GPU took. */
  private stepsPerFrame = 1;

  constructor(
    /** Runs once per animation frame while scheduled; returns whether to go on. */
    private readonly frame: (now: number) => boolean,
    /** Whether the speed setting is "as fast as possible" (read when the GPU is done). */
    private readonly fastest: () => boolean,
  ) {}

  schedule(): void {
    if (this.handle !== 0) return;
    this.handle = requestAnimationFrame((now) => {
      this.handle = 0;
      if (this.frame(now)) this.schedule();
    });
  }

  cancel(): void {
    if (this.handle !== 0) cancelAnimationFrame(this.handle);
    this.handle = 0;
  }

  /**
   * This frame's steps: `speed` of them (0: the tuned number), fewer when the frame budget runs
   * out, none while the GPU still runs the previous frame's.
   */
  submitSteps(run: Run, speed: number, onError: (error: Error) => void): void {
    const trainer = run.trainer;
    if (this.gpuBusy || trainer.liveVariants.length === 0) return;
    const began = performance.now();
    const wanted = speed === 0 ? this.stepsPerFrame : speed;
    let done = 0;
    while (done < wanted && trainer.liveVariants.length > 0) {
      void trainer.step().catch(onError);
      done++;
      if (performance.now() - began > FRAME_BUDGET_MS) break;
    }
    // The CPU backend in a worker queues its steps like a GPU does, and gets the same back-pressure.
    if (run.backend.kind === 'webgpu' || run.backend instanceof WorkerBackend) {
      this.waitForGpu(run, performance.now(), done === wanted);
    }
  }

  /** Back-pressure: no new steps until the GPU has run this frame's; tunes "as fast as possible". */
  private waitForGpu(run: Run, submittedAt: number, usedAll: boolean): void {
    this.gpuBusy = true;
    void run.backend.idle().then(
      () => {
        this.gpuBusy = false;
        if (!this.fastest() || !usedAll) return;
        const took = Math.max(0.5, performance.now() - submittedAt);
        const scaled = (this.stepsPerFrame * TARGET_GPU_MS) / took;
        this.stepsPerFrame = Math.max(
          1,
          Math.min(MAX_STEPS_PER_FRAME, Math.round(0.7 * this.stepsPerFrame + 0.3 * scaled)),
        );
      },
      () => (this.gpuBusy = false),
    );
  }
}
