/**
 * Launcher for shaders/matmul.wgsl: C = act(op(A)·op(B) + bias), or C += op(A)·op(B), with the NN,
 * NT and TN forms (forward, and the two backward products of Linear / conv-as-matmul layers).
 *
 * Picks one pipeline variant per shape class (transposes; vec4 global loads where the contiguous
 * dimension of A / B is a multiple of 4; vec4 stores where n is; bounds checks only on dimensions
 * the tile does not divide; split-K where the output has too few tiles to fill a GPU) and records
 * one dispatch, or two with split-K (slices into a workspace, then an ordered reduction).
 *
 * With a MemberBatch (src/gpu/members.ts) the same one or two dispatches run the product for every
 * member (workgroup z), each on its own slices of A, B, C and bias; the split-K workspace holds one
 * region per member. Every member computes bit for bit what an unbatched call on its tensors does:
 * the pipeline and the split count depend on the shape only, never on the batch.
 */
import matmulCode from '../../../shaders/matmul.wgsl?raw';
import { ACTIVATION_CODE, type Activation } from '../activation';
import { bindingBytes, bufferOfBinding, type GpuBinding } from '../binding';
import { packUniform } from '../buffers';
import type { GpuContext } from '../device';
import { dispatchKernel, gridFor, sequence, type Kernel } from '../kernel';
import { MemberBatchTooLarge, memberCount, memberUniform, packMemberTable, type MemberBatch } from '../members';
import { kernelShader } from '../shader-source';
import { GPU_TUNING, type MatmulTuning } from '../tuning';

export const MATMUL_SHADER = kernelShader('matmul', matmulCode, [
  'params',
  'a',
  'b',
  'c',
  'bias',
  'a4',
  'b4',
  'c4',
  'partials',
  'members',
]);
const SHADER = MATMUL_SHADER;

/** The arguments a MemberBatch gives offsets for, in the shader's SLOT_A … SLOT_BIAS order. */
export const MATMUL_MEMBER_SLOTS = ['a', 'b', 'c', 'bias'] as const;

export interface MatmulArgs {
  a: GpuBinding;
  b: GpuBinding;
  c: GpuBinding;
  /** C is m×n row-major; op(A) is m×k; op(B) is k×n. */
  m: number;
  n: number;
  k: number;
  /** A stored k×m row-major (op(A) = Aᵀ) — "TN". */
  transA?: boolean;
  /** B stored n×k row-major (op(B) = Bᵀ) — "NT". */
  transB?: boolean;
  /** Length n, added to every row of C before the activation. */
  bias?: GpuBinding;
  /** Fused epilogue (shaders/lib/activation.wgsl's activate()); LeakyReLU takes `slope`. */
  activation?: Activation;
  slope?: number;
  /** C = C + op(A)op(B) (gradient accumulation); bias and activation are not allowed with it. */
  accumulate?: boolean;
  label?: string;
  /**
   * Number of k-slices (split-K). Default: chosen from the shape (see chooseSplits). Values are
   * rounded so every slice covers a whole number of TILE_K steps; 1 disables split-K.
   */
  splitK?: number;
  /** Tile shape and ordering, field by field over the device profile's ctx.tuning.matmul (for tests and tuning runs). */
  tuning?: Partial<MatmulTuning>;
}

export type { MatmulTuning };

/** GPU tiling (GPU_TUNING.matmul): 16×16 threads, 4×4 outputs each → 64×64 tiles, k staged 16 at a time. */
export const MATMUL_TUNING: Readonly<MatmulTuning> = GPU_TUNING.matmul;

/** Split-K gives each slice at least this much k… */
const SPLIT_MIN_K = 256;
/** …and a workspace of at most this many floats. */
const SPLIT_MAX_WORKSPACE = 1 << 24;

/**
 * How many k-slices to use: only when the output has fewer tiles than `targetWorkgroups` (the
 * profile's matmulSplitTargetWorkgroups: 256 on a GPU, a couple per SM of a large one) — weight
 * gradients, the final dense layer — and k is long enough to give each slice real work. The tile
 * count uses the same tiling as the dispatch.
 */
export function chooseSplits(
  m: number,
  n: number,
  k: number,
  tuning: MatmulTuning = MATMUL_TUNING,
  targetWorkgroups = GPU_TUNING.matmulSplitTargetWorkgroups,
): number {
  const tiles = Math.ceil(m / (4 * tuning.WG_Y)) * Math.ceil(n / (4 * tuning.WG_X));
  const byOccupancy = Math.floor(targetWorkgroups / tiles);
  const byK = Math.floor(k / SPLIT_MIN_K);
  const byMemory = Math.floor(SPLIT_MAX_WORKSPACE / (m * n));
  return splitPlan(k, Math.min(byOccupancy, byK, byMemory), tuning.TILE_K).splits;
}

/** Rounds a requested slice count so every slice but the last covers whole TILE_K steps. */
function splitPlan(k: number, requested: number, tileK: number): { splits: number; kChunk: number } {
  const wanted = Math.max(1, Math.floor(requested));
  const kChunk = Math.max(tileK, Math.ceil(Math.ceil(k / wanted) / tileK) * tileK);
  return { splits: Math.max(1, Math.ceil(k / kChunk)), kChunk };
}

/** Offsets of each member into the range bound for `name` ([0] when not batched). */
function offsetsOf(batch: MemberBatch | undefined, name: string): readonly number[] {
  if (!batch) return [0];
  return batch.offsets[name] ?? new Array<number>(batch.count).fill(0);
}

/** Every member's `floats` floats at its offset must lie inside the bound range. */
function checkSize(label: string, name: string, binding: GpuBinding, floats: number, offsets: readonly number[]): void {
  const held = bindingBytes(binding) / 4;
  offsets.forEach((offset, member) => {
    if (offset + floats > held) {
      const whose = offsets.length > 1 || offset > 0 ? ` (member ${member}: ${floats} floats at offset ${offset})` : '';
      throw new Error(`${label}: ${name} holds ${held} floats, needs ${offset + floats}${whose}`);
    }
  });
}

/** Members write their own C: two whose C overlap would race (inputs may be shared, C may not). */
function checkDisjoint(label: string, offsets: readonly number[], floats: number): void {
  const order = offsets.map((offset, member) => ({ offset, member })).sort((x, y) => x.offset - y.offset);
  for (let i = 1; i < order.length; i++) {
    const [p, q] = [order[i - 1], order[i]];
    if (floats > 0 && q.offset < p.offset + floats) {
      throw new Error(
        `${label}: members ${p.member} and ${q.member} write overlapping C (offsets ${p.offset} and ${q.offset}, ${floats} floats each)`,
      );
    }
  }
}

/** A vec4 view reads member offsets as offset / 4: they must be whole vec4s. */
function checkVec4(label: string, name: string, offsets: readonly number[]): void {
  offsets.forEach((offset, member) => {
    if (offset % 4 !== 0) {
      throw new Error(`${label}: member ${member}'s offset ${offset} into ${name} is not a multiple of 4 floats`);
    }
  });
}

const bool = (value: boolean | undefined): number => (value ? 1 : 0);

export function prepareMatmul(ctx: GpuContext, args: MatmulArgs, batch?: MemberBatch): Kernel {
  const { m, n, k } = args;
  const transA = args.transA ?? false;
  const transB = args.transB ?? false;
  const activation = args.activation ?? 'identity';
  const form = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
  const label = args.label ?? `matmul.${form}`;
  for (const [name, value] of Object.entries({ m, n, k })) {
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`${label}: ${name} must be a whole number, got ${value}`);
    }
  }
  if (args.accumulate && (args.bias || activation !== 'identity')) {
    throw new Error(`${label}: accumulate does not combine with bias or activation`);
  }
  // WebGPU's usage rules are per buffer: one written in a dispatch may not be read there through
  // any binding, even a view disjoint from the written one (so bindingsOverlap is not enough).
  const sameBuffer = (x: GpuBinding) => bufferOfBinding(args.c) === bufferOfBinding(x);
  if (sameBuffer(args.a) || sameBuffer(args.b) || (args.bias && sameBuffer(args.bias))) {
    throw new Error(
      `${label}: C must be a different buffer from A, B and bias (a buffer written in a dispatch cannot be read there too, even through a disjoint view)`,
    );
  }
  // Throws, naming the value, on a bad count, an unknown argument name or a short offset list.
  packMemberTable(label, MATMUL_MEMBER_SLOTS, batch);
  if (batch && !args.bias && batch.offsets.bias) throw new Error(`${label}: member offsets for bias, but no bias`);
  const offsets = {
    a: offsetsOf(batch, 'a'),
    b: offsetsOf(batch, 'b'),
    c: offsetsOf(batch, 'c'),
    bias: offsetsOf(batch, 'bias'),
  };
  checkSize(label, 'A', args.a, m * k, offsets.a);
  checkSize(label, 'B', args.b, k * n, offsets.b);
  checkSize(label, 'C', args.c, m * n, offsets.c);
  if (args.bias) checkSize(label, 'bias', args.bias, n, offsets.bias);
  checkDisjoint(label, offsets.c, m * n);
  const tuning = { ...ctx.tuning.matmul, ...args.tuning };
  // The split-K reduce is one thread per element, like the elementwise kernels.
  const REDUCE_WG = ctx.tuning.elementwiseWorkgroup;
  const { WG_X, WG_Y, TILE_K, GROUP_M } = tuning;
  const TILE_M = 4 * WG_Y;
  const TILE_N = 4 * WG_X;
  const sharedBytes = 4 * TILE_K * (TILE_M + TILE_N);
  if (TILE_K % 4 !== 0 || TILE_K < 4) throw new Error(`${label}: TILE_K must be a multiple of 4, got ${TILE_K}`);
  if (
    WG_X * WG_Y > ctx.limits.maxComputeInvocationsPerWorkgroup ||
    WG_X > ctx.limits.maxComputeWorkgroupSizeX ||
    WG_Y > ctx.limits.maxComputeWorkgroupSizeY ||
    sharedBytes > ctx.limits.maxComputeWorkgroupStorageSize
  ) {
    throw new Error(`${label}: tiling ${JSON.stringify(tuning)} exceeds the device's workgroup limits`);
  }
  if (m === 0 || n === 0) return { label, encode: () => {} };

  const tilesM = Math.ceil(m / TILE_M);
  const tilesN = Math.ceil(n / TILE_N);
  const { splits, kChunk } = splitPlan(
    k,
    args.splitK ?? chooseSplits(m, n, k, tuning, ctx.tuning.matmulSplitTargetWorkgroups),
    TILE_K,
  );
  const split = splits > 1;
  const vecA = (transA ? m : k) % 4 === 0;
  const vecB = (transB ? k : n) % 4 === 0;
  const vecC = n % 4 === 0;
  if (vecA) checkVec4(label, 'A', offsets.a);
  if (vecB) checkVec4(label, 'B', offsets.b);
  if (vecC && !split) checkVec4(label, 'C', offsets.c);
  const count = memberCount(batch);
  const members = memberUniform(ctx, label, MATMUL_MEMBER_SLOTS, batch);

  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  const [gx, gy] = gridFor(tilesM * tilesN * splits, max);
  const reduceGrid = gridFor(Math.ceil((m * n) / REDUCE_WG), max);
  const params = ctx.buffers.uniform(
    `${label}.params`,
    packUniform([
      { u32: m },
      { u32: n },
      { u32: k },
      { f32: args.slope ?? 0 },
      { u32: tilesM },
      { u32: tilesN },
      { u32: split ? kChunk : Math.max(k, 1) },
      { u32: splits },
      { u32: reduceGrid[0] * REDUCE_WG },
    ]),
  );

  const epilogue = {
    ACT: ACTIVATION_CODE[activation],
    HAS_BIAS: bool(args.bias !== undefined),
    ACCUMULATE: bool(args.accumulate),
  };
  const pipeline = ctx.pipelines.compute({
    family: SHADER.family,
    code: SHADER.code,
    entryPoint: vecC ? 'matmul_c4' : 'matmul',
    constants: {
      WG_X,
      WG_Y,
      TILE_K,
      GROUP_M,
      TRANS_A: bool(transA),
      TRANS_B: bool(transB),
      VEC_A: bool(vecA),
      VEC_B: bool(vecB),
      CHECK_M: bool(m % TILE_M !== 0),
      CHECK_N: bool(n % TILE_N !== 0),
      CHECK_K: bool(k % TILE_K !== 0),
      SPLIT: bool(split),
      ...(split ? { ACT: 0, HAS_BIAS: 0, ACCUMULATE: 0 } : epilogue),
    },
  });
  // Without split-K the tile pass writes C; with it, member z's slice s goes to
  // workspace[(z·splits + s)·m·n …].
  const workspaceBytes = count * splits * m * n * 4;
  if (split && workspaceBytes > Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize)) {
    // Batching multiplies the workspace by the members; the caller runs them one by one instead.
    throw new MemberBatchTooLarge(
      `${label}: split-K workspace of ${count} members (${workspaceBytes} B) exceeds the device's largest binding`,
    );
  }
  const out = split ? ctx.buffers.storage(`${label}.partials`, count * splits * m * n) : args.c;
  const tilePass = dispatchKernel(ctx, {
    label: split ? `${label}.slices` : label,
    pipeline,
    bindings: SHADER.bind({
      params,
      members,
      a: args.a,
      a4: args.a,
      b: args.b,
      b4: args.b,
      ...(vecC ? { c4: out } : { c: out }),
      // Unused without a bias, but bound all the same (see the shader's header); A is read-only.
      bias: (!split && args.bias) || args.a,
    }),
    workgroups: [gx, gy, count],
  });
  if (!split) return tilePass;

  const reduce = dispatchKernel(ctx, {
    label: `${label}.reduce`,
    pipeline: ctx.pipelines.compute({
      family: SHADER.family,
      code: SHADER.code,
      entryPoint: 'matmul_splitk_reduce',
      constants: { REDUCE_WG, ...epilogue },
    }),
    bindings: SHADER.bind({ params, members, c: args.c, bias: args.bias ?? out, partials: out }),
    workgroups: [...reduceGrid, count],
  });
  return sequence(label, [tilePass, reduce]);
}
