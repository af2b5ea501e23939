/**
 * GPU time of encoded work, from timestamp queries written at the start and end of a compute
 * pass. Where the adapter lacks 'timestamp-query' the timer reports null and callers fall back
 * to wall time (which then includes submit and readback overhead, and says so).
 */
import type { GpuContext } from './device';

export class GpuTimer {
  private readonly querySet: GPUQuerySet | null;
  private readonly resolve: GPUBuffer | null;
  private readonly staging: GPUBuffer | null;

  constructor(private readonly ctx: GpuContext) {
    if (!ctx.features.timestampQuery) {
      this.querySet = this.resolve = this.staging = null;
      return;
    }
    this.querySet = ctx.device.createQuerySet({ label: 'GpuTimer.querySet', type: 'timestamp', count: 2 });
    this.resolve = ctx.buffers.create('GpuTimer.resolve', 16, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC);
    this.staging = ctx.buffers.create('GpuTimer.staging', 16, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  }

  get available(): boolean {
    return this.querySet !== null;
  }

  /**
   * Runs `record` inside one timed compute pass, submits it, and resolves to the pass's GPU time
   * in milliseconds (null without timestamp support). Waits for the GPU: not for training steps.
   */
  async time(record: (pass: GPUComputePassEncoder) => void, label = 'timed'): Promise<number | null> {
    const encoder = this.ctx.device.createCommandEncoder({ label: `GpuTimer.${label}` });
    const pass = encoder.beginComputePass({
      label: `GpuTimer.${label}.pass`,
      ...(this.querySet
        ? { timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } }
        : {}),
    });
    record(pass);
    pass.end();
    if (this.querySet && this.resolve && this.staging) {
      encoder.resolveQuerySet(this.querySet, 0, 2, this.resolve, 0);
      encoder.copyBufferToBuffer(this.resolve, 0, this.staging, 0, 16);
    }
    this.ctx.device.queue.submit([encoder.finish()]);
    if (!this.staging) {
      await this.ctx.device.queue.onSubmittedWorkDone();
      return null;
    }
    await this.staging.mapAsync(GPUMapMode.READ);
    const [start, end] = new BigUint64Array(this.staging.getMappedRange().slice(0));
    this.staging.unmap();
    // Some implementations quantize or reorder timestamps; a negative span means "unknown".
    return end >= start ? Number(end - start) / 1e6 : null;
  }

  destroy(): void {
    this.querySet?.destroy();
    if (this.resolve) this.ctx.buffers.destroy(this.resolve);
    if (this.staging) this.ctx.buffers.destroy(this.staging);
  }
}
