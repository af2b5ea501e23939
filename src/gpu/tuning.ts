/**
 * Per-device kernel tuning profiles: the workgroup sizes and tiles every launcher in
 * src/gpu/kernels reads from `ctx.tuning` (passed to the shaders as `override` constants and used
 * for the dispatch-grid math, always the same values in both places).
 *
 * Why two profiles. On a software adapter (SwiftShader, the CPU Vulkan driver used in CI and on
 * machines without a GPU) the cost of a dispatch is dominated by workgroup size × barriers: every
 * invocation of a workgroup is emulated on a CPU core and every workgroupBarrier() is a full
 * synchronisation of those emulated invocations, so a 256-thread workgroup with a tree reduction
 * costs ~1–2 ms there, whatever the data. Measured on SwiftShader: one spectral-norm power
 * iteration round on 128×128 takes 72–95 ms with 256-thread reductions and 2–4 ms with 16; a
 * 256×128×2 matmul 15–18 ms with 16×16 threads and 4–6 ms with 4×4.
 *
 * GPU_TUNING is the design for real GPUs (256-thread reductions, 16×16 matmul threads with 4×4
 * outputs each → 64×64 tiles) and is exactly what the kernels used before profiles existed.
 * SOFTWARE_TUNING only chooses smaller workgroups for CPU emulation so the trainer and the tests
 * run at a usable speed there; it is NOT tuning GPU kernels on SwiftShader (which ranks kernels
 * differently from any real GPU), and GPU_TUNING must never be changed on SwiftShader timings.
 *
 * Power-of-two assumptions (checked by checkTuning): reductionWorkgroup and spectralNorm.TLANES
 * are powers of two, because the tree reductions halve a stride down to 1; the reduce and
 * batchnorm families split reductionWorkgroup into WG_J × WG_K, both powers of two as well.
 * elementwiseWorkgroup and the matmul tile have no tree and need no power of two.
 */
import type { AdapterSummary } from './device';

/** Tunables that select a matmul pipeline: passed to the shader as overrides and used to size the grid. */
export interface MatmulTuning {
  /** Threads along n and along m; each thread computes 4×4 outputs, so the tile is 4·WG_Y × 4·WG_X. */
  WG_X: number;
  WG_Y: number;
  /** k per staged step (a multiple of 4). */
  TILE_K: number;
  /** Tile rows per group in the L2-friendly tile order (1: plain row-major order). */
  GROUP_M: number;
}

export type KernelProfile = 'gpu' | 'software';

export interface KernelTuning {
  profile: KernelProfile;
  /** shaders/matmul.wgsl's tile (prepareMatmul's default; a call's `tuning` overrides fields). */
  matmul: MatmulTuning;
  /** Split-K aims for about this many tile-pass workgroups (see chooseSplits). */
  matmulSplitTargetWorkgroups: number;
  /**
   * Threads of every workgroup that reduces through workgroup memory: spectral norm's and weight
   * norm's WG, the reduce family's and batchnorm's statistics WG_J·WG_K, the loss workgroup. A
   * power of two.
   */
  reductionWorkgroup: number;
  /** Threads per workgroup of the one-thread-per-element kernels (elementwise, adam, random, conv, split-K reduce). */
  elementwiseWorkgroup: number;
  /** spectral_norm.wgsl's mat_t_vec: TCOLS columns × TLANES row lanes (TLANES a power of two). */
  spectralNorm: { TCOLS: number; TLANES: number };
}

/** The design for real GPUs: exactly the constants the kernels were written and benchmarked with. */
export const GPU_TUNING: Readonly<KernelTuning> = Object.freeze({
  profile: 'gpu',
  matmul: Object.freeze({ WG_X: 16, WG_Y: 16, TILE_K: 16, GROUP_M: 8 }),
  matmulSplitTargetWorkgroups: 256,
  reductionWorkgroup: 256,
  elementwiseWorkgroup: 256,
  spectralNorm: Object.freeze({ TCOLS: 32, TLANES: 8 }),
});

/**
 * Small workgroups for CPU emulation (SwiftShader): 4×4-thread matmul tiles (16×16 outputs) with
 * split-K only for outputs of under 16 tiles, 16-thread reductions, 16×2 spectral-norm mat_t_vec.
 * Elementwise kernels keep 256 threads (no barriers; smaller groups measured slower). Picked from
 * a few candidates with a short timing script on SwiftShader, for this profile only: reductions
 * of 16 / 32 / 64 threads, matmul 4×4 / 8×8 threads and TILE_K 8 / 16 / 32, split-K target 16 /
 * 256, elementwise 32 / 64 / 256, mat_t_vec 16×1 / 16×2 / 32×4.
 */
export const SOFTWARE_TUNING: Readonly<KernelTuning> = Object.freeze({
  profile: 'software',
  matmul: Object.freeze({ WG_X: 4, WG_Y: 4, TILE_K: 16, GROUP_M: 8 }),
  matmulSplitTargetWorkgroups: 16,
  reductionWorkgroup: 16,
  elementwiseWorkgroup: 256,
  spectralNorm: Object.freeze({ TCOLS: 16, TLANES: 2 }),
});

export const KERNEL_PROFILES: Readonly<Record<KernelProfile, Readonly<KernelTuning>>> = {
  gpu: GPU_TUNING,
  software: SOFTWARE_TUNING,
};

/** The environment variable that forces a profile in Node (tests, benchmarks, the headless trainer). */
export const PROFILE_ENV = 'SNGAN_KERNEL_PROFILE';

/** SNGAN_KERNEL_PROFILE when running where `process` exists (Node); undefined in a browser. */
function profileFromEnvironment(): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = proc?.env?.[PROFILE_ENV];
  return value === undefined || value.trim() === '' ? undefined : value.trim().toLowerCase();
}

/**
 * The profile for an adapter: SNGAN_KERNEL_PROFILE=gpu|software if set (Node only), otherwise
 * SOFTWARE_TUNING for software adapters and GPU_TUNING for everything else.
 */
export function tuningFor(adapter: AdapterSummary): KernelTuning {
  const forced = profileFromEnvironment();
  if (forced !== undefined) {
    if (forced !== 'gpu' && forced !== 'software') {
      throw new Error(`${PROFILE_ENV} must be 'gpu' or 'software', got '${forced}'`);
    }
    return KERNEL_PROFILES[forced];
  }
  return adapter.isSoftware ? SOFTWARE_TUNING : GPU_TUNING;
}

const isPow2 = (n: number): boolean => Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;

/** Throws when a profile breaks the kernels' assumptions (powers of two, sizes within the device's limits). */
export function checkTuning(t: KernelTuning, limits?: GPUSupportedLimits): void {
  const fail = (what: string): never => {
    throw new Error(`kernel tuning '${t.profile}': ${what}`);
  };
  if (!isPow2(t.reductionWorkgroup)) fail(`reductionWorkgroup must be a power of two, got ${t.reductionWorkgroup}`);
  if (!(Number.isInteger(t.elementwiseWorkgroup) && t.elementwiseWorkgroup >= 1)) {
    fail(`elementwiseWorkgroup must be a positive integer, got ${t.elementwiseWorkgroup}`);
  }
  if (!isPow2(t.spectralNorm.TLANES)) fail(`spectralNorm.TLANES must be a power of two, got ${t.spectralNorm.TLANES}`);
  if (!(Number.isInteger(t.spectralNorm.TCOLS) && t.spectralNorm.TCOLS >= 1)) {
    fail(`spectralNorm.TCOLS must be a positive integer, got ${t.spectralNorm.TCOLS}`);
  }
  const { WG_X, WG_Y, TILE_K, GROUP_M } = t.matmul;
  for (const [name, v] of Object.entries({ WG_X, WG_Y, GROUP_M })) {
    if (!(Number.isInteger(v) && v >= 1)) fail(`matmul.${name} must be a positive integer, got ${v}`);
  }
  if (!(Number.isInteger(TILE_K) && TILE_K >= 4 && TILE_K % 4 === 0)) {
    fail(`matmul.TILE_K must be a multiple of 4, got ${TILE_K}`);
  }
  if (!(t.matmulSplitTargetWorkgroups >= 1)) fail('matmulSplitTargetWorkgroups must be ≥ 1');
  if (limits) {
    const threads = Math.max(
      t.reductionWorkgroup,
      t.elementwiseWorkgroup,
      t.spectralNorm.TCOLS * t.spectralNorm.TLANES,
      WG_X * WG_Y,
    );
    if (threads > limits.maxComputeInvocationsPerWorkgroup) {
      fail(`${threads} threads per workgroup exceed the device's ${limits.maxComputeInvocationsPerWorkgroup}`);
    }
  }
}
