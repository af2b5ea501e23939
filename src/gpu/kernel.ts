/**
 * A prepared kernel: pipeline, bind group and parameters made once, encoded any number of times.
 * Every launcher in src/gpu/kernels returns these, so a training step only records dispatches.
 */
import { bufferBinding, type GpuBinding } from './binding';
import type { GpuContext } from './device';

export interface Kernel {
  readonly label: string;
  encode(pass: GPUComputePassEncoder): void;
}

export interface DispatchSpec {
  label: string;
  pipeline: GPUComputePipeline;
  /** Group 0's buffers or views by binding number (bindings an entry point does not use are left out). */
  bindings: Record<number, GpuBinding>;
  workgroups: [number, number?, number?];
}

/** Builds the bind group once; the returned kernel only sets it and dispatches. */
export function dispatchKernel(ctx: GpuContext, spec: DispatchSpec): Kernel {
  const bindGroup = ctx.device.createBindGroup({
    label: `${spec.label}.bindGroup`,
    layout: spec.pipeline.getBindGroupLayout(0),
    entries: Object.entries(spec.bindings).map(([binding, buffer]) => ({
      binding: Number(binding),
      resource: bufferBinding(buffer),
    })),
  });
  const [x, y = 1, z = 1] = spec.workgroups;
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  if (x > max || y > max || z > max) {
    throw new Error(`${spec.label}: dispatch ${x}×${y}×${z} exceeds ${max} workgroups per dimension`);
  }
  return {
    label: spec.label,
    encode(pass) {
      if (x === 0 || y === 0 || z === 0) return;
      pass.setPipeline(spec.pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(x, y, z);
    },
  };
}

/** Several kernels run in order as one. */
export function sequence(label: string, kernels: Kernel[]): Kernel {
  return { label, encode: (pass) => kernels.forEach((k) => k.encode(pass)) };
}

/**
 * Encodes the kernels into one compute pass and submits once. Dispatches within a pass are
 * ordered and see each other's writes to storage buffers, so a sequence needs no extra passes.
 */
export function submitKernels(ctx: GpuContext, kernels: Kernel[], label = 'kernels'): void {
  const encoder = ctx.device.createCommandEncoder({ label: `${label}.encoder` });
  const pass = encoder.beginComputePass({ label: `${label}.pass` });
  for (const kernel of kernels) kernel.encode(pass);
  pass.end();
  ctx.device.queue.submit([encoder.finish()]);
}

/** Splits a 1-D workgroup count over x and y when it exceeds the per-dimension limit. */
export function gridFor(workgroups: number, max = 65535): [number, number] {
  if (workgroups <= max) return [workgroups, 1];
  const y = Math.ceil(workgroups / max);
  return [Math.ceil(workgroups / y), y];
}
