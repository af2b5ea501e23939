/**
 * Launchers for shaders/batchnorm.wgsl: training-mode batch normalization over an R×C matrix
 * (NHWC flattened: R = batch·H·W rows, C channels), its backward pass, and eval mode from the
 * running statistics. See the shader header for the math and the buffer layouts.
 *
 * Forward = 3 dispatches (partial statistics, finalize, normalize); backward = 3 (partial sums,
 * finalize: dgamma, dbeta and the dx coefficients, dx). Scratch buffers (partials, coefficients)
 * are made at prepare time and live as long as the device's buffer registry.
 *
 * Batched (a MemberBatch as the last argument): each of those dispatches runs every member at once
 * (workgroup_id.z), so a batch costs the dispatches of one member. Member offsets are keyed by the
 * launcher's argument names (*_MEMBER_NAMES below); the scratch holds one block per member, so each
 * member's statistics come from its own rows only.
 */
import batchnormCode from '../../../shaders/batchnorm.wgsl?raw';
import { bindingsOverlap, type GpuBinding } from '../binding';
import { packUniform } from '../buffers';
import { requireMemberFloats } from '../member-fit';
import type { GpuContext } from '../device';
import { dispatchKernel, gridFor, sequence, type Kernel } from '../kernel';
import { MEMBER_SLOTS, memberCount, memberUniform, packMemberTable, type MemberBatch } from '../members';
import { kernelShader } from '../shader-source';

export const BATCHNORM_SHADER = kernelShader('batchnorm', batchnormCode, [
  'params',
  'x',
  'xhat_in',
  'dy',
  'gamma',
  'beta',
  'partials',
  'mean',
  'invstd',
  'y',
  'xhat_out',
  'running_mean',
  'running_var',
  'dgamma',
  'dbeta',
  'dx',
  'coef',
  'members',
]);
const SHADER = BATCHNORM_SHADER;

/**
 * The launchers' member names (the backend keys a batch's offsets by them). The forward's and the
 * backward's saved normalized input is 'xhat'. A launcher may name more than MEMBER_SLOTS tensors:
 * each dispatch gets its own table with only the tensors it reaches.
 */
export const BATCHNORM_FORWARD_MEMBER_NAMES = [
  'x',
  'gamma',
  'beta',
  'y',
  'mean',
  'invstd',
  'runningMean',
  'runningVariance',
  'xhat',
] as const;
export const BATCHNORM_EVAL_MEMBER_NAMES = ['x', 'gamma', 'beta', 'runningMean', 'runningVar', 'y'] as const;
export const BATCHNORM_BACKWARD_MEMBER_NAMES = [
  'dy',
  'x',
  'mean',
  'invstd',
  'gamma',
  'dx',
  'dgamma',
  'dbeta',
  'xhat',
] as const;

/**
 * The table slot of each shader binding: the SLOT_ constants of shaders/batchnorm.wgsl, where the
 * reason two bindings may share a slot is written.
 */
const MEMBER_SLOT = {
  x: 0,
  gamma: 1,
  dy: 1,
  beta: 2,
  mean: 3,
  invstd: 4,
  y: 5,
  dx: 5,
  xhat_out: 6,
  xhat_in: 6,
  running_mean: 6,
  dgamma: 6,
  running_var: 7,
  dbeta: 7,
} as const;
type MemberBinding = keyof typeof MEMBER_SLOT;

/**
 * Refuses offsets under a name the launcher does not have (a misspelt name would silently read 0),
 * then checks count and offsets as packMemberTable does, table by table (a launcher may name more
 * tensors than one table holds).
 */
function checkBatchNames(label: string, names: readonly string[], batch?: MemberBatch): void {
  for (const name of Object.keys(batch?.offsets ?? {})) {
    if (!names.includes(name)) throw new Error(`${label}: no member slot "${name}" (slots: ${names.join(', ')})`);
  }
  for (let start = 0; start < names.length; start += MEMBER_SLOTS) {
    const slots = names.slice(start, start + MEMBER_SLOTS);
    const offsets = Object.fromEntries(Object.entries(batch?.offsets ?? {}).filter(([name]) => slots.includes(name)));
    packMemberTable(label, slots, batch && { count: batch.count, offsets });
  }
}

/**
 * One dispatch's member table: `bound` maps each shader binding the dispatch reaches to the launcher
 * argument whose offsets it takes.
 */
function dispatchMembers(
  ctx: GpuContext,
  label: string,
  bound: Partial<Record<MemberBinding, string>>,
  batch?: MemberBatch,
): GPUBuffer {
  const slots = new Array<string>(MEMBER_SLOTS).fill('');
  const owner = new Array<string>(MEMBER_SLOTS).fill('');
  for (const [binding, arg] of Object.entries(bound) as [MemberBinding, string][]) {
    const slot = MEMBER_SLOT[binding];
    if (owner[slot]) throw new Error(`${label}: bindings ${owner[slot]} and ${binding} share member slot ${slot}`);
    owner[slot] = binding;
    slots[slot] = arg;
  }
  const offsets = Object.fromEntries(Object.entries(batch?.offsets ?? {}).filter(([name]) => slots.includes(name)));
  return memberUniform(ctx, label, slots, batch && { count: batch.count, offsets });
}

/** Channels per statistics workgroup at most (64 adjacent channels load as one contiguous run). */
const MAX_CHANNEL_BLOCK = 64;
/** Default rows each lane adds serially in the partial passes (raised so splits stay ≤ MAX_SPLITS). */
const DEFAULT_PER_THREAD = 32;
/** Row chunks per channel by default, so the finalize pass's serial loop stays short. */
const MAX_SPLITS = 256;

export const BATCHNORM_EPS = 1e-5;
export const BATCHNORM_MOMENTUM = 0.1;

interface Shape {
  rows: number;
  cols: number;
  /** Tuning: rows each lane adds serially per partial workgroup (default: 32, or more for tall inputs). */
  perThread?: number;
  label?: string;
}

export interface BatchNormForwardArgs extends Shape {
  x: GpuBinding;
  /** Per-channel scale and shift, `cols` floats each. */
  gamma: GpuBinding;
  beta: GpuBinding;
  /** Output, rows × cols. Must differ from x. */
  y: GpuBinding;
  /** Outputs, `cols` floats each: the batch mean and 1/√(biased var + eps), kept for backward. */
  mean: GpuBinding;
  invstd: GpuBinding;
  /** Optional output, rows × cols: the normalized input, for a backward that reads it. */
  xhat?: GpuBinding;
  /** Running statistics updated in place (PyTorch convention; unbiased variance; skipped for rows = 1). */
  running?: { mean: GpuBinding; variance: GpuBinding; momentum?: number };
  eps?: number;
}

export interface BatchNormEvalArgs {
  x: GpuBinding;
  rows: number;
  cols: number;
  gamma: GpuBinding;
  beta: GpuBinding;
  runningMean: GpuBinding;
  runningVar: GpuBinding;
  /** Output, rows × cols. Must differ from x. */
  y: GpuBinding;
  eps?: number;
  label?: string;
}

export interface BatchNormBackwardArgs extends Shape {
  /** Upstream gradient, rows × cols. */
  dy: GpuBinding;
  /** The forward's xhat, or its input x (xhat is then recomputed from x, mean and invstd). One is required. */
  xhat?: GpuBinding;
  x?: GpuBinding;
  /** Saved by the forward. */
  mean: GpuBinding;
  invstd: GpuBinding;
  gamma: GpuBinding;
  /** Output, rows × cols. Must differ from dy. */
  dx: GpuBinding;
  /** Outputs, `cols` floats each: Σ dy·xhat and Σ dy over the rows. */
  dgamma: GpuBinding;
  dbeta: GpuBinding;
  /** Add into dgamma and dbeta instead of overwriting them (dx always uses this batch's sums). */
  accumulate?: boolean;
}

interface Plan {
  wgJ: number;
  wgK: number;
  chunk: number;
  splits: number;
  channelBlocks: number;
  /** Elementwise grid. */
  grid: [number, number];
  /** Threads per elementwise workgroup (the profile's elementwiseWorkgroup). */
  elementThreads: number;
}

function checkSize(label: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${label}: ${name} must be a positive integer, got ${value}`);
}

/**
 * Checks that every rows × cols tensor and every per-channel vector given holds its floats (keyed
 * by member name), for every member of a batch, and that members of the `written` ones are disjoint.
 */
function requireTensors(
  label: string,
  s: { rows: number; cols: number },
  matrices: Record<string, GpuBinding | undefined>,
  channels: Record<string, GpuBinding | undefined>,
  batch: MemberBatch | undefined,
  written: readonly string[],
): void {
  for (const [name, binding] of Object.entries(matrices)) {
    if (binding) requireMemberFloats(label, name, binding, s.rows * s.cols, batch, written.includes(name));
  }
  for (const [name, binding] of Object.entries(channels)) {
    if (binding) requireMemberFloats(label, name, binding, s.cols, batch, written.includes(name));
  }
}

function plan(ctx: GpuContext, label: string, s: Shape): Plan {
  checkSize(label, 'rows', s.rows);
  checkSize(label, 'cols', s.cols);
  const maxDim = ctx.limits.maxComputeWorkgroupsPerDimension;
  // WG_J · WG_K = the profile's reductionWorkgroup (a power of two, so both factors are too).
  const threads = ctx.tuning.reductionWorkgroup;
  const elementThreads = ctx.tuning.elementwiseWorkgroup;
  const wgJ = Math.min(MAX_CHANNEL_BLOCK, threads, 2 ** Math.ceil(Math.log2(s.cols)));
  const wgK = threads / wgJ;
  const perThread = s.perThread ?? Math.max(DEFAULT_PER_THREAD, Math.ceil(s.rows / (wgK * MAX_SPLITS)));
  checkSize(label, 'perThread', perThread);
  let chunk = wgK * perThread;
  if (Math.ceil(s.rows / chunk) > maxDim) chunk = Math.ceil(Math.ceil(s.rows / maxDim) / wgK) * wgK;
  const channelBlocks = Math.ceil(s.cols / wgJ);
  if (channelBlocks > maxDim) throw new Error(`${label}: ${s.cols} channels exceed the dispatch limit`);
  const elementGroups = Math.ceil((s.rows * s.cols) / elementThreads);
  return {
    wgJ,
    wgK,
    chunk,
    splits: Math.ceil(s.rows / chunk),
    channelBlocks,
    grid: gridFor(elementGroups, maxDim),
    elementThreads,
  };
}

function paramsBuffer(
  ctx: GpuContext,
  label: string,
  s: Shape,
  p: Plan,
  extra: { eps?: number; momentum?: number; accumulate?: boolean; fromXhat?: boolean },
): GPUBuffer {
  return ctx.buffers.uniform(
    `${label}.params`,
    packUniform([
      { u32: s.rows },
      { u32: s.cols },
      { u32: p.chunk },
      { u32: p.splits },
      { f32: extra.eps ?? BATCHNORM_EPS },
      { f32: extra.momentum ?? BATCHNORM_MOMENTUM },
      { u32: p.grid[0] * p.elementThreads },
      { u32: extra.accumulate ? 1 : 0 },
      { u32: extra.fromXhat ? 1 : 0 },
    ]),
  );
}

function pipelines(ctx: GpuContext, p: Plan) {
  const make = (entryPoint: string, constants: Record<string, number>) =>
    ctx.pipelines.compute({ family: SHADER.family, code: SHADER.code, entryPoint, constants });
  return {
    stats: (entryPoint: string) => make(entryPoint, { WG_J: p.wgJ, WG_K: p.wgK }),
    elementwise: (entryPoint: string) => make(entryPoint, { WORKGROUP_SIZE: p.elementThreads }),
  };
}

/**
 * Training-mode forward: mean, invstd (and optionally xhat) for backward, y = gamma·xhat + beta,
 * and the running statistics when given. Encoding it twice updates the running statistics twice.
 * With a batch, every dispatch runs all members (offsets keyed by BATCHNORM_FORWARD_MEMBER_NAMES;
 * args.running.mean and .variance are 'runningMean' and 'runningVariance').
 */
export function prepareBatchNormForward(ctx: GpuContext, a: BatchNormForwardArgs, batch?: MemberBatch): Kernel {
  const label = a.label ?? 'batchnorm.forward';
  const p = plan(ctx, label, a);
  if (bindingsOverlap(a.y, a.x) || (a.xhat && bindingsOverlap(a.xhat, a.x))) {
    throw new Error(`${label}: y and xhat must not overlap x`);
  }
  checkBatchNames(label, BATCHNORM_FORWARD_MEMBER_NAMES, batch);
  requireTensors(
    label,
    a,
    { x: a.x, y: a.y, xhat: a.xhat },
    {
      gamma: a.gamma,
      beta: a.beta,
      mean: a.mean,
      invstd: a.invstd,
      runningMean: a.running?.mean,
      runningVariance: a.running?.variance,
    },
    batch,
    ['y', 'xhat', 'mean', 'invstd', 'runningMean', 'runningVariance'],
  );
  const params = paramsBuffer(ctx, label, a, p, { eps: a.eps, momentum: a.running?.momentum });
  const partials = ctx.buffers.storage(`${label}.partials`, memberCount(batch) * 2 * p.splits * a.cols);
  const pipe = pipelines(ctx, p);
  const z = memberCount(batch);
  const statsPartial = dispatchKernel(ctx, {
    label: `${label}.statsPartial`,
    pipeline: pipe.stats('stats_partial'),
    bindings: SHADER.bind({
      params,
      x: a.x,
      partials,
      members: dispatchMembers(ctx, `${label}.statsPartial`, { x: 'x' }, batch),
    }),
    workgroups: [p.channelBlocks, p.splits, z],
  });
  const stats = { params, partials, mean: a.mean, invstd: a.invstd };
  const statsNames = { mean: 'mean', invstd: 'invstd' };
  const runningNames = { ...statsNames, running_mean: 'runningMean', running_var: 'runningVariance' };
  const finalize = dispatchKernel(ctx, {
    label: `${label}.statsFinalize`,
    pipeline: pipe.stats(a.running ? 'stats_finalize_running' : 'stats_finalize'),
    bindings: SHADER.bind({
      ...stats,
      ...(a.running ? { running_mean: a.running.mean, running_var: a.running.variance } : {}),
      members: dispatchMembers(ctx, `${label}.statsFinalize`, a.running ? runningNames : statsNames, batch),
    }),
    workgroups: [p.channelBlocks, 1, z],
  });
  const common = { params, x: a.x, gamma: a.gamma, beta: a.beta, mean: a.mean, invstd: a.invstd, y: a.y };
  const commonNames = { x: 'x', gamma: 'gamma', beta: 'beta', mean: 'mean', invstd: 'invstd', y: 'y' };
  const normalize = dispatchKernel(ctx, {
    label: `${label}.normalize`,
    pipeline: pipe.elementwise(a.xhat ? 'normalize_forward_xhat' : 'normalize_forward'),
    bindings: SHADER.bind({
      ...common,
      ...(a.xhat ? { xhat_out: a.xhat } : {}),
      members: dispatchMembers(
        ctx,
        `${label}.normalize`,
        a.xhat ? { ...commonNames, xhat_out: 'xhat' } : commonNames,
        batch,
      ),
    }),
    workgroups: [...p.grid, z],
  });
  return sequence(label, [statsPartial, finalize, normalize]);
}

/**
 * Eval mode: y = gamma·(x − running_mean)/√(running_var + eps) + beta. With a batch, one dispatch
 * runs all members (offsets keyed by BATCHNORM_EVAL_MEMBER_NAMES).
 */
export function prepareBatchNormEval(ctx: GpuContext, a: BatchNormEvalArgs, batch?: MemberBatch): Kernel {
  const label = a.label ?? 'batchnorm.eval';
  const p = plan(ctx, label, a);
  if (bindingsOverlap(a.y, a.x)) throw new Error(`${label}: y must not overlap x`);
  checkBatchNames(label, BATCHNORM_EVAL_MEMBER_NAMES, batch);
  requireTensors(
    label,
    a,
    { x: a.x, y: a.y },
    {
      gamma: a.gamma,
      beta: a.beta,
      runningMean: a.runningMean,
      runningVar: a.runningVar,
    },
    batch,
    ['y'],
  );
  const params = paramsBuffer(ctx, label, a, p, { eps: a.eps });
  const names = {
    x: 'x',
    gamma: 'gamma',
    beta: 'beta',
    y: 'y',
    running_mean: 'runningMean',
    running_var: 'runningVar',
  };
  return dispatchKernel(ctx, {
    label,
    pipeline: pipelines(ctx, p).elementwise('normalize_eval'),
    bindings: SHADER.bind({
      params,
      x: a.x,
      gamma: a.gamma,
      beta: a.beta,
      y: a.y,
      running_mean: a.runningMean,
      running_var: a.runningVar,
      members: dispatchMembers(ctx, label, names, batch),
    }),
    workgroups: [...p.grid, memberCount(batch)],
  });
}

/**
 * Backward: dgamma = Σ dy·xhat, dbeta = Σ dy, dx = gamma·invstd/R·(R·dy − dbeta − xhat·dgamma).
 * With a batch, every dispatch runs all members (offsets keyed by BATCHNORM_BACKWARD_MEMBER_NAMES).
 */
export function prepareBatchNormBackward(ctx: GpuContext, a: BatchNormBackwardArgs, batch?: MemberBatch): Kernel {
  const label = a.label ?? 'batchnorm.backward';
  const p = plan(ctx, label, a);
  const source = a.xhat ?? a.x;
  if (!source) throw new Error(`${label}: needs the forward's xhat or its input x`);
  if (bindingsOverlap(a.dx, a.dy)) throw new Error(`${label}: dx must not overlap dy`);
  checkBatchNames(label, BATCHNORM_BACKWARD_MEMBER_NAMES, batch);
  requireTensors(
    label,
    a,
    { dy: a.dy, dx: a.dx, xhat: a.xhat, x: a.x },
    {
      mean: a.mean,
      invstd: a.invstd,
      gamma: a.gamma,
      dgamma: a.dgamma,
      dbeta: a.dbeta,
    },
    batch,
    ['dx', 'dgamma', 'dbeta'],
  );
  const params = paramsBuffer(ctx, label, a, p, { accumulate: a.accumulate, fromXhat: a.xhat !== undefined });
  const z = memberCount(batch);
  const partials = ctx.buffers.storage(`${label}.partials`, z * 2 * p.splits * a.cols);
  const coef = ctx.buffers.storage(`${label}.coef`, z * 3 * a.cols);
  const pipe = pipelines(ctx, p);
  // Both read-only slots get a buffer; the flag picks which one the shader reads. A slot that gets
  // the other tensor's buffer takes that tensor's member offsets too.
  const xhatInputs = { x: a.x ?? source, xhat_in: a.xhat ?? source, mean: a.mean, invstd: a.invstd };
  const xhatNames = {
    x: a.x ? 'x' : 'xhat',
    xhat_in: a.xhat ? 'xhat' : 'x',
    mean: 'mean',
    invstd: 'invstd',
    dy: 'dy',
  };
  const partial = dispatchKernel(ctx, {
    label: `${label}.partial`,
    pipeline: pipe.stats('backward_partial'),
    bindings: SHADER.bind({
      params,
      ...xhatInputs,
      dy: a.dy,
      partials,
      members: dispatchMembers(ctx, `${label}.partial`, xhatNames, batch),
    }),
    workgroups: [p.channelBlocks, p.splits, z],
  });
  const finalizeNames = { gamma: 'gamma', invstd: 'invstd', dgamma: 'dgamma', dbeta: 'dbeta' };
  const finalize = dispatchKernel(ctx, {
    label: `${label}.finalize`,
    pipeline: pipe.stats('backward_finalize'),
    bindings: SHADER.bind({
      params,
      gamma: a.gamma,
      partials,
      invstd: a.invstd,
      dgamma: a.dgamma,
      dbeta: a.dbeta,
      coef,
      members: dispatchMembers(ctx, `${label}.finalize`, finalizeNames, batch),
    }),
    workgroups: [p.channelBlocks, 1, z],
  });
  const dx = dispatchKernel(ctx, {
    label: `${label}.dx`,
    pipeline: pipe.elementwise('backward_dx'),
    bindings: SHADER.bind({
      params,
      ...xhatInputs,
      dy: a.dy,
      dx: a.dx,
      coef,
      members: dispatchMembers(ctx, `${label}.dx`, { ...xhatNames, dx: 'dx' }, batch),
    }),
    workgroups: [...p.grid, z],
  });
  return sequence(label, [partial, finalize, dx]);
}
