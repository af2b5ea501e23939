/**
 * Picks what the page trains on: the visitor's GPU through WebGPU when it can, otherwise the CPU
 * backend — always with the reason in words, since a silent fallback would make the page look
 * broken (it is 10–100× slower).
 */
import { acquireGpu, describeAdapter, type GpuContext } from '../../gpu/device';
import type { Backend } from '../../engine/backend';
import { CpuBackend } from '../../engine/cpu-backend';
import { GpuBackend } from '../../engine/gpu-backend';
import { canUseCpuWorker, cpuWorkerBackend } from '../../engine/cpu-worker-client';
import type { BackendInfo } from '../state/store';
import { pageDeviceNeeds } from './page-limits';

export interface GpuHooks {
  onLost(info: GPUDeviceLostInfo, ctx: GpuContext): void;
  onError(error: GPUError): void;
}

/** A device to build runs on: a GPU context, or null with the reason the CPU is used. */
export interface Device {
  ctx: GpuContext | null;
  info: BackendInfo;
}

/**
 * `specDefaultLimits` (a test hook, see SessionEnvironment) requests nothing above the spec's
 * defaults instead of what the page's largest runs need.
 */
export async function chooseDevice(
  gpu: GPU | undefined,
  hooks: GpuHooks,
  cpuReason?: string,
  specDefaultLimits = false,
): Promise<Device> {
  if (cpuReason) return cpuDevice(cpuReason);
  try {
    let ctx: GpuContext | null = null;
    ctx = await acquireGpu(gpu, {
      label: 'SnGanLive.device',
      onLost: (info) => {
        if (ctx) hooks.onLost(info, ctx);
      },
      onUncapturedError: (error) => hooks.onError(error),
      needs: specDefaultLimits ? () => ({}) : pageDeviceNeeds,
    });
    return { ctx, info: { kind: 'webgpu', description: describeAdapter(ctx.adapter), fallbackReason: null } };
  } catch (error) {
    return cpuDevice((error as Error).message);
  }
}

export function cpuDevice(reason: string): Device {
  const description = 'CPU (float64 twins of the kernels)';
  return { ctx: null, info: { kind: 'cpu', description, fallbackReason: reason } };
}

/** Where the CPU backend computes: a worker (the page keeps drawing), or the main thread. */
export type CpuThread = 'worker' | 'main';

/**
 * A fresh backend for one run on the device (buffers of an earlier run must be destroyed first).
 * The CPU backend runs in a worker where one can be made; `onWorkerFailure` hears if it stops.
 */
export function backendOn(
  device: Device,
  cpu: { thread: CpuThread; onWorkerFailure(error: Error): void } = { thread: 'main', onWorkerFailure: () => {} },
): Backend {
  if (device.ctx) return new GpuBackend(device.ctx);
  if (cpu.thread === 'main' || !canUseCpuWorker()) return new CpuBackend(device.info.description);
  const backend = cpuWorkerBackend(device.info.description);
  backend.onFailure(cpu.onWorkerFailure);
  return backend;
}
