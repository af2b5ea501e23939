/**
 * The device limits the engine depends on, what the WebGPU spec guarantees for each (every adapter
 * offers at least these), and what the kernels need from a tuning profile. A device asks for no
 * more than a run needs, so an adapter that only offers the spec's defaults still trains whatever
 * fits in them; the buffer sizes a run needs come from src/gan/run-fit.ts.
 */
import type { KernelTuning } from './tuning';

export const LIMIT_NAMES = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];
export type LimitNeeds = Partial<Record<LimitName, number>>;

/** The spec's defaults (https://www.w3.org/TR/webgpu/#limit-default): what a device gets unasked. */
export const SPEC_DEFAULT_LIMITS: Readonly<Record<LimitName, number>> = Object.freeze({
  maxStorageBufferBindingSize: 128 * 1024 * 1024,
  maxBufferSize: 256 * 1024 * 1024,
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
  maxComputeWorkgroupsPerDimension: 65535,
});

/**
 * Storage buffers the busiest entry points bind: batchnorm.wgsl's backward_dx and backward_finalize,
 * 8 each. Pipelines use layout 'auto', so only an entry point's own bindings count. This and the
 * workgroup storage below are checked against the WGSL by test/gpu/kernel-needs-from-shaders.test.ts.
 */
const STORAGE_BUFFERS_PER_STAGE = 8;
/** The largest workgroup-reduction scratch element: loss.wgsl's ReduceValue, a vec4<f32>. */
const REDUCE_VALUE_BYTES = 16;

/**
 * Floats of workgroup memory spectral_norm.wgsl's fused_update keeps ũ and ṽ in (a layer with
 * d_out + d_in up to this takes the single-dispatch path). 3072 floats = 12 KiB, plus the f32 tree
 * scratch (≤ 1 KiB at 256 threads), stay under the spec's default 16 KiB of workgroup storage, so
 * no adapter needs a raised limit; 3072 covers every small SN layer of the models (the MLP's 128 +
 * 128, the width-1/4 CNN's last linear 1 + 2048).
 */
export const SPECTRAL_NORM_FUSED_VECTOR_FLOATS = 3072;

/** What the kernels need from the device with this tuning (workgroup shapes and shared memory). */
export function kernelNeeds(
  t: KernelTuning,
): Record<Exclude<LimitName, 'maxStorageBufferBindingSize' | 'maxBufferSize'>, number> {
  const { WG_X, WG_Y, TILE_K } = t.matmul;
  const snThreads = t.spectralNorm.TCOLS * t.spectralNorm.TLANES;
  const matmulShared = 4 * TILE_K * (4 * WG_Y + 4 * WG_X);
  const reduceShared = REDUCE_VALUE_BYTES * Math.max(t.reductionWorkgroup, snThreads);
  // spectral_norm.wgsl's fused_update: ũ, ṽ plus its f32 reduce scratch.
  const snFusedShared = 4 * (SPECTRAL_NORM_FUSED_VECTOR_FLOATS + Math.max(t.reductionWorkgroup, snThreads));
  return {
    maxStorageBuffersPerShaderStage: STORAGE_BUFFERS_PER_STAGE,
    maxComputeWorkgroupStorageSize: Math.max(matmulShared, reduceShared, snFusedShared),
    maxComputeInvocationsPerWorkgroup: Math.max(t.reductionWorkgroup, t.elementwiseWorkgroup, snThreads, WG_X * WG_Y),
    maxComputeWorkgroupSizeX: Math.max(t.reductionWorkgroup, t.elementwiseWorkgroup, WG_X, t.spectralNorm.TCOLS),
    maxComputeWorkgroupSizeY: Math.max(WG_Y, t.spectralNorm.TLANES),
    // Kernels fold larger grids into a second dimension (gridFor), so the default is enough.
    maxComputeWorkgroupsPerDimension: SPEC_DEFAULT_LIMITS.maxComputeWorkgroupsPerDimension,
  };
}

/**
 * What to put in requestDevice's requiredLimits: each need raised to the spec default (asking for
 * less changes nothing) and capped at what the adapter offers — a need above the adapter's is not
 * requested (the request would fail and take every smaller run down with it); the run that needs it
 * is refused later, by name.
 */
export function requestedLimits(adapter: GPUSupportedLimits, needs: LimitNeeds): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of LIMIT_NAMES) {
    const need = needs[name];
    if (need === undefined || need <= SPEC_DEFAULT_LIMITS[name]) continue;
    out[name] = Math.min(need, adapter[name]);
  }
  return out;
}

/** The larger of each need (a device shared by several configurations needs the most of each). */
export function mergeLimitNeeds(...all: LimitNeeds[]): LimitNeeds {
  const out: LimitNeeds = {};
  for (const needs of all) {
    for (const [name, value] of Object.entries(needs) as [LimitName, number][]) {
      out[name] = Math.max(out[name] ?? 0, value);
    }
  }
  return out;
}

/** The first need the limits do not meet: its name, what is needed and what is available. */
export interface LimitShortfall {
  limit: LimitName;
  needed: number;
  available: number;
}

export function firstShortfall(limits: GPUSupportedLimits, needs: LimitNeeds): LimitShortfall | null {
  for (const name of LIMIT_NAMES) {
    const needed = needs[name];
    if (needed !== undefined && needed > limits[name]) return { limit: name, needed, available: limits[name] };
  }
  return null;
}

/** Bytes as a person reads them: "151 MiB (158,334,976 bytes)". */
export function describeBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  const shown = mib >= 10 ? mib.toFixed(0) : mib.toFixed(1);
  return `${shown} MiB (${bytes.toLocaleString('en-US')} bytes)`;
}
