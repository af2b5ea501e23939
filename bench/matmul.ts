/**
 * Matmul throughput: square NN products, and the products the paper's CNN discriminator (width 1,
 * 32×32×3 inputs, batch 64) makes as conv-as-matmul, forward and some backward forms.
 *
 * GPU time comes from timestamp queries around one compute pass holding `reps` back-to-back
 * dispatches (GpuTimer), divided by reps; the median over several passes is reported. Wall time
 * is one dispatch per submit up to onSubmittedWorkDone (so it includes submit and completion
 * latency), median over several. Each shape's result is spot-checked against a float64 dot
 * product so a broken driver cannot report a fast wrong answer.
 */
import type { GpuContext } from '../src/gpu/device';
import { submitKernels } from '../src/gpu/kernel';
import { chooseSplits, prepareMatmul } from '../src/gpu/kernels/matmul';
import { Rng } from '../src/reference/random';
import { GpuTimer } from '../src/gpu/timing';
import type { BenchEnv, BenchReport, Cell } from './main';

interface Shape {
  name: string;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
}

const BATCH = 64;
const SQUARES = [256, 512, 1024, 2048, 4096];
/** Largest square on a software adapter (SwiftShader does ~0.3 GFLOP/s per core pair). */
const SOFTWARE_MAX_SQUARE = 1024;

/** Conv layers as matmuls: m = batch·Ho·Wo, k = kh·kw·Cin, n = Cout. */
const CNN: Shape[] = [
  { name: 'D conv1 3×3 s1 3→64 @32²', m: BATCH * 32 * 32, k: 27, n: 64 },
  { name: 'D conv2 4×4 s2 64→64 @16²', m: BATCH * 16 * 16, k: 1024, n: 64 },
  { name: 'D conv3 3×3 s1 64→128 @16²', m: BATCH * 16 * 16, k: 576, n: 128 },
  { name: 'D conv4 4×4 s2 128→128 @8²', m: BATCH * 8 * 8, k: 2048, n: 128 },
  { name: 'D conv5 3×3 s1 128→256 @8²', m: BATCH * 8 * 8, k: 1152, n: 256 },
  { name: 'D conv6 4×4 s2 256→256 @4²', m: BATCH * 4 * 4, k: 4096, n: 256 },
  { name: 'D conv7 3×3 s1 256→512 @4²', m: BATCH * 4 * 4, k: 2304, n: 512 },
  { name: 'D dense 8192→1', m: BATCH, k: 4 * 4 * 512, n: 1 },
];

/** Backward products (and the NT forward that stores W as Cout×K) for a few of those layers. */
const BACKWARD: Shape[] = [
  // dW (k_in × Cout) = colsᵀ · dY: A = cols stored (B·Ho·Wo)×k_in.
  { name: 'conv1 dW = colsᵀ·dY', m: 27, n: 64, k: BATCH * 32 * 32, transA: true },
  { name: 'conv3 dW = colsᵀ·dY', m: 576, n: 128, k: BATCH * 16 * 16, transA: true },
  // dcols = dY · Wᵀ, W stored k_in × Cout.
  { name: 'conv3 dcols = dY·Wᵀ', m: BATCH * 16 * 16, n: 576, k: 128, transB: true },
  // Forward with W stored Cout × k_in (as src/gpu/kernels/conv.ts does).
  { name: 'conv5 fwd cols·Wᵀ', m: BATCH * 8 * 8, n: 256, k: 1152, transB: true },
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

interface Plan {
  /** Timed passes (median reported) and dispatches per pass. */
  passes: number;
  repsFor(flops: number): number;
  wallIters: number;
  warmup: boolean;
}

/** Spot-checks `samples` entries of C against float64 dot products. */
function spotCheck(shape: Shape, a: Float32Array, b: Float32Array, c: Float32Array, rng: Rng): number {
  const { m, n, k, transA, transB } = shape;
  let worst = 0;
  for (let s = 0; s < 16; s++) {
    const i = Math.floor(rng.uniform() * m);
    const j = Math.floor(rng.uniform() * n);
    let sum = 0;
    for (let p = 0; p < k; p++) {
      const av = transA ? a[p * m + i] : a[i * k + p];
      const bv = transB ? b[j * k + p] : b[p * n + j];
      sum += av * bv;
    }
    // The tests' bound (u = 2⁻²⁴): 4u·k + 4u absolute for inputs in [−1, 1], plus 4u relative.
    const err = Math.abs(c[i * n + j] - sum) / (2 ** -22 * (k + 1) + 2 ** -22 * Math.abs(sum));
    worst = Math.max(worst, err);
  }
  return worst; // ≤ 1: within tolerance
}

async function measure(
  ctx: GpuContext,
  timer: GpuTimer,
  shape: Shape,
  plan: Plan,
  rng: Rng,
): Promise<Record<string, Cell>> {
  const { m, n, k } = shape;
  const flops = 2 * m * n * k;
  const a = rng.uniformArray(m * k);
  const b = rng.uniformArray(k * n);
  const ba = ctx.buffers.storage('bench.matmul.a', m * k, a);
  const bb = ctx.buffers.storage('bench.matmul.b', k * n, b);
  const bc = ctx.buffers.storage('bench.matmul.c', m * n);
  try {
    const kernel = prepareMatmul(ctx, { a: ba, b: bb, c: bc, m, n, k, transA: shape.transA, transB: shape.transB });
    if (plan.warmup) {
      submitKernels(ctx, [kernel], 'bench.matmul.warmup');
      await ctx.device.queue.onSubmittedWorkDone();
    }
    const reps = plan.repsFor(flops);
    const gpu: number[] = [];
    for (let p = 0; p < plan.passes; p++) {
      const ms = await timer.time((pass) => {
        for (let r = 0; r < reps; r++) kernel.encode(pass);
      }, 'bench.matmul');
      if (ms !== null) gpu.push(ms / reps);
    }
    const wall: number[] = [];
    for (let i = 0; i < plan.wallIters; i++) {
      const t0 = performance.now();
      submitKernels(ctx, [kernel], 'bench.matmul.wall');
      await ctx.device.queue.onSubmittedWorkDone();
      wall.push(performance.now() - t0);
    }
    const check = spotCheck(shape, a, b, await ctx.buffers.read(bc, m * n), rng);
    const gpuMs = gpu.length > 0 ? median(gpu) : null;
    const wallMs = median(wall);
    const form = `${shape.transA ? 'T' : 'N'}${shape.transB ? 'T' : 'N'}`;
    return {
      shape: shape.name,
      form,
      m,
      n,
      k,
      // The split the launcher chose with this device's tuning profile (not the GPU defaults).
      splitK: chooseSplits(m, n, k, ctx.tuning.matmul, ctx.tuning.matmulSplitTargetWorkgroups),
      reps,
      'gpu ms/op': gpuMs,
      'GFLOP/s (gpu)': gpuMs === null ? null : flops / gpuMs / 1e6,
      'wall ms/op': wallMs,
      'GFLOP/s (wall)': flops / wallMs / 1e6,
      check: check <= 1 ? 'ok' : `FAIL ×${check.toFixed(1)}`,
    };
  } finally {
    for (const buffer of [ba, bb, bc]) ctx.buffers.destroy(buffer);
  }
}

export async function benchMatmul(env: BenchEnv): Promise<BenchReport> {
  const { ctx, software } = env;
  const timer = new GpuTimer(ctx);
  const plan: Plan = software
    ? { passes: 1, repsFor: () => 1, wallIters: 1, warmup: false }
    : // Enough dispatches per pass for ~4 ms of work at 10 TFLOP/s, up to 100.
      { passes: 5, repsFor: (f) => Math.max(1, Math.min(100, Math.ceil(4e10 / f))), wallIters: 10, warmup: true };
  const squares = SQUARES.filter((s) => !software || s <= SOFTWARE_MAX_SQUARE).map((s): Shape => ({
    name: `square ${s}`,
    m: s,
    n: s,
    k: s,
  }));
  const rng = new Rng(1234);
  const rows: Array<Record<string, Cell>> = [];
  for (const shape of [...squares, ...CNN, ...BACKWARD]) {
    env.log(`  matmul ${shape.name} (${shape.m}×${shape.n}×${shape.k})`);
    rows.push(await measure(ctx, timer, shape, plan, rng));
  }
  timer.destroy();
  const notes = [
    'GFLOP/s = 2·m·n·k / time. gpu: timestamp queries around one pass of `reps` dispatches, per dispatch, ' +
      `median of ${plan.passes} pass(es). wall: one dispatch per submit until onSubmittedWorkDone, ` +
      `median of ${plan.wallIters}.`,
    'splitK: k-slices the launcher chose for the shape (1 = none; >1 adds a workspace and a reduce dispatch).',
    `CNN shapes: the paper's discriminator at width 1, batch ${BATCH}, 32×32×3 inputs, conv as im2col matmul.`,
    'check: 16 entries of C against float64 dot products, within the tests’ tolerance.',
  ];
  if (!timer.available) notes.push('The adapter lacks timestamp-query: gpu columns are empty, use wall time.');
  if (software) {
    notes.push(
      `Software adapter: 1 pass of 1 dispatch, 1 wall run, no warm-up, squares capped at ${SOFTWARE_MAX_SQUARE}; ` +
        'figures show the harness works, not GPU speed.',
    );
  }
  const { WG_X, WG_Y, TILE_K } = ctx.tuning.matmul;
  notes.push(
    `Kernel tuning: the ${ctx.tuning.profile} profile (src/gpu/tuning.ts): ${WG_Y}×${WG_X} threads per workgroup, ` +
      `TILE_K ${TILE_K}, split-K aiming at ${ctx.tuning.matmulSplitTargetWorkgroups} workgroups.`,
  );
  return {
    // Each thread computes 4×4 outputs, so a workgroup's tile is 4·WG_Y × 4·WG_X.
    title: `matmul (f32, tiled ${4 * WG_Y}×${4 * WG_X}, 4×4 per thread, ${ctx.tuning.profile} profile)`,
    columns: [
      'shape',
      'form',
      'm',
      'n',
      'k',
      'splitK',
      'reps',
      'gpu ms/op',
      'GFLOP/s (gpu)',
      'wall ms/op',
      'GFLOP/s (wall)',
      'check',
    ],
    rows,
    notes,
  };
}
