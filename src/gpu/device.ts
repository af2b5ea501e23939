/**
 * Adapter and device acquisition. Asks for the limits its runs need (src/gpu/limits.ts; all of them
 * as high as the adapter allows when the caller states no needs) and the optional features it can
 * use, reports what it got, and hands device loss and uncaptured errors to the caller instead of
 * letting them vanish into the console.
 */
import { BufferRegistry } from './buffers';
import { PipelineCache } from './pipelines';
import { firstShortfall, kernelNeeds, LIMIT_NAMES, mergeLimitNeeds, requestedLimits, type LimitNeeds } from './limits';
import { checkTuning, tuningFor, type KernelTuning } from './tuning';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters (SwiftShader, or one the browser marks as fallback). */
  isSoftware: boolean;
}

export interface GpuFeatures {
  timestampQuery: boolean;
  subgroups: boolean;
}

export interface GpuContext {
  device: GPUDevice;
  adapter: AdapterSummary;
  features: GpuFeatures;
  limits: GPUSupportedLimits;
  pipelines: PipelineCache;
  buffers: BufferRegistry;
  /**
   * Workgroup sizes and tiles the launchers use on this device (src/gpu/tuning.ts): GPU_TUNING on
   * real GPUs, SOFTWARE_TUNING on SwiftShader and other software adapters.
   */
  tuning: KernelTuning;
  /** Resolves when the device is lost (destroyed on purpose or by the driver). */
  lost: Promise<GPUDeviceLostInfo>;
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Called for every validation / out-of-memory / internal error not caught by an error scope. */
  onUncapturedError?: (error: GPUError) => void;
  /** Called once when the device is lost, with the reason. */
  onLost?: (info: GPUDeviceLostInfo) => void;
  label?: string;
  /**
   * Kernel tuning profile to use instead of the one tuningFor picks from the adapter (and the
   * SNGAN_KERNEL_PROFILE environment variable), e.g. GPU_TUNING to cover its code paths on SwiftShader.
   */
  tuning?: KernelTuning;
  /**
   * The limits the runs on this device need, given the tuning picked for the adapter (what
   * src/gan/run-fit.ts measures): only these are requested above the spec's defaults. Without it
   * every engine limit is requested at the adapter's maximum (tests and benchmarks that build
   * shapes of their own).
   */
  needs?: (tuning: KernelTuning) => LimitNeeds;
}

export class GpuUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuUnavailableError';
  }
}

export function summarizeAdapter(info: GPUAdapterInfo | undefined, isFallback: boolean): AdapterSummary {
  const vendor = info?.vendor ?? '';
  const architecture = info?.architecture ?? '';
  const device = info?.device ?? '';
  const description = info?.description ?? '';
  const text = `${vendor} ${architecture} ${device} ${description}`.toLowerCase();
  return {
    vendor,
    architecture,
    device,
    description,
    isSoftware: isFallback || text.includes('swiftshader') || text.includes('llvmpipe') || text.includes('lavapipe'),
  };
}

export function describeAdapter(a: AdapterSummary): string {
  const parts = [a.vendor, a.architecture, a.device, a.description].filter((p) => p.length > 0);
  const unique = parts.filter((p, i) => parts.indexOf(p) === i);
  const name = unique.length > 0 ? unique.join(' / ') : 'unnamed adapter';
  return a.isSoftware ? `${name} (software)` : name;
}

export async function acquireGpu(gpu: GPU | undefined, options: AcquireOptions = {}): Promise<GpuContext> {
  if (!gpu) throw new GpuUnavailableError('WebGPU is not available in this environment (no navigator.gpu).');
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) throw new GpuUnavailableError('No WebGPU adapter was found.');

  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const isFallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false;
  const summary = summarizeAdapter(info, isFallback);
  const tuning = options.tuning ?? tuningFor(summary);
  // The kernels' own needs with this tuning are a floor for any run: below them nothing trains.
  const short = firstShortfall(adapter.limits, kernelNeeds(tuning));
  if (short) {
    throw new GpuUnavailableError(
      `The WebGPU adapter is too small: ${short.limit} is ${short.available}, the engine needs ${short.needed} ` +
        `(kernel profile '${tuning.profile}').`,
    );
  }
  const requiredLimits = options.needs
    ? requestedLimits(adapter.limits, mergeLimitNeeds(kernelNeeds(tuning), options.needs(tuning)))
    : Object.fromEntries(LIMIT_NAMES.map((name) => [name, adapter.limits[name]]));

  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  if (adapter.features.has('subgroups')) requiredFeatures.push('subgroups' as GPUFeatureName);

  const device = await adapter.requestDevice({
    label: options.label ?? 'SnGanLive.device',
    requiredLimits,
    requiredFeatures,
  });
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    if (options.onUncapturedError) options.onUncapturedError(error);
    else console.error(`[webgpu] uncaptured ${error.constructor.name}: ${error.message}`);
  });
  const lost = device.lost.then((info) => {
    options.onLost?.(info);
    return info;
  });
  try {
    checkTuning(tuning, device.limits);
  } catch (error) {
    device.destroy();
    throw error;
  }
  return {
    device,
    adapter: summary,
    features: {
      timestampQuery: device.features.has('timestamp-query'),
      subgroups: device.features.has('subgroups'),
    },
    limits: device.limits,
    pipelines: new PipelineCache(device),
    buffers: new BufferRegistry(device),
    tuning,
    lost,
  };
}
