/**
 * Launchers for shaders/reduce.wgsl: column sums (bias gradients), row sums, the sum of all
 * elements and the squared L2 norm, each optionally as a mean, scaled, or accumulated into `out`.
 *
 * A reduction over K elements runs as one or more passes. A pass splits the reduced axis into
 * chunks of `WG_K · perThread` elements, one workgroup per (chunk, block of kept indices), and
 * writes one partial per chunk; the next pass reduces those partials the same way, until a pass
 * has a single chunk and writes `out`. Every pass's addition order is fixed by the shape, so the
 * result is bit-for-bit repeatable. Scratch buffers for the partials are made at prepare time and
 * live as long as the device's buffer registry.
 *
 * Column sums can be batched (src/gpu/members.ts): every pass runs all members in one dispatch
 * (grid z = block rows × members), and each member gets its own region of the partials, so the
 * addition order, and so every bit of each member's result, is that of the member alone.
 */
import reduceCode from '../../../shaders/reduce.wgsl?raw';
import type { GpuBinding } from '../binding';
import { packUniform } from '../buffers';
import type { GpuContext } from '../device';
import { dispatchKernel, gridFor, sequence, type Kernel } from '../kernel';
import { checkBindingUsage, checkMemberFit, checkMemberOutput, memberOffsets } from '../member-fit';
import { memberCount, packMemberTable, type MemberBatch } from '../members';
import { kernelShader } from '../shader-source';

export const REDUCE_SHADER = kernelShader('reduce', reduceCode, ['params', 'x', 'result', 'members']);
const SHADER = REDUCE_SHADER;

/** Widest block of kept indices for column sums: 64 adjacent columns load as one contiguous run. */
const MAX_COLUMN_BLOCK = 64;
/** Elements of the reduced axis each thread adds in order per pass (default of `perThread`). */
const DEFAULT_PER_THREAD = 32;

export type ReduceOp = 'sum' | 'mean';

export interface ReduceOptions {
  /** 'sum' (default), or 'mean': the sum times 1 / (length of the reduced axis). */
  op?: ReduceOp;
  /** Reduce x² instead of x (with 'sum' over a vector: the squared L2 norm). */
  square?: boolean;
  /** Extra factor on the result, after the mean's 1/n. Default 1. */
  scale?: number;
  /** out += result instead of out = result. */
  accumulate?: boolean;
  /** Tuning: elements each thread adds serially per pass (default 32). Smaller means more passes. */
  perThread?: number;
  /** Label prefix (default 'reduce.cols' / 'reduce.rows' / 'reduce.all'). */
  label?: string;
}

export interface MatrixReduceArgs extends ReduceOptions {
  /** Row-major rows × cols matrix, in a buffer other than `out`'s. */
  x: GpuBinding;
  rows: number;
  cols: number;
  out: GpuBinding;
}

export interface VectorReduceArgs extends ReduceOptions {
  /** n floats, in a buffer other than `out`'s. */
  x: GpuBinding;
  n: number;
  /** Written at element 0. */
  out: GpuBinding;
}

type Axis = 'cols' | 'rows';

/** Member slots: X_SLOT and RESULT_SLOT in reduce.wgsl (a pass's input and output). */
const MEMBER_SLOTS = ['x', 'out'] as const;

const nextPow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * Workgroup shape for one pass: kept indices `kept`, reduced length `reduced`, `threads` =
 * WG_J · WG_K (the profile's reductionWorkgroup, a power of two, so both factors are too).
 */
function workgroupShape(axis: Axis, kept: number, reduced: number, threads: number): { wgJ: number; wgK: number } {
  if (axis === 'cols') {
    const wgJ = Math.min(MAX_COLUMN_BLOCK, threads, nextPow2(kept));
    return { wgJ, wgK: threads / wgJ };
  }
  const wgK = Math.min(threads, nextPow2(reduced));
  return { wgJ: threads / wgK, wgK };
}

function checkSize(label: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${label}: ${name} must be a positive integer, got ${value}`);
}

/**
 * Sums over `axis` of the rows × cols matrix x: 'cols' sums over rows (out has `cols` entries),
 * 'rows' sums over columns (out has `rows` entries).
 */
function prepareReduce(
  ctx: GpuContext,
  axis: Axis,
  a: MatrixReduceArgs,
  defaultLabel: string,
  batch?: MemberBatch,
): Kernel {
  const label = a.label ?? defaultLabel;
  checkSize(label, 'rows', a.rows);
  checkSize(label, 'cols', a.cols);
  const perThread = a.perThread ?? DEFAULT_PER_THREAD;
  checkSize(label, 'perThread', perThread);
  const kept = axis === 'cols' ? a.cols : a.rows;
  packMemberTable(label, MEMBER_SLOTS, batch);
  checkBindingUsage(label, [
    { name: 'x', binding: a.x },
    { name: 'out', binding: a.out, written: true },
  ]);
  checkMemberFit(label, 'x', a.x, a.rows * a.cols, batch);
  checkMemberOutput(label, 'out', a.out, kept, batch);
  const count = memberCount(batch);
  const maxDim = ctx.limits.maxComputeWorkgroupsPerDimension;
  const reducedLength = axis === 'cols' ? a.rows : a.cols;
  const finalScale = (a.scale ?? 1) * (a.op === 'mean' ? 1 / reducedLength : 1);

  const kernels: Kernel[] = [];
  let input = a.x;
  let inputOffsets = memberOffsets('x', batch);
  let reduced = reducedLength;
  for (let pass = 0; ; pass++) {
    const { wgJ, wgK } = workgroupShape(axis, kept, reduced, ctx.tuning.reductionWorkgroup);
    // At least two elements per chunk: with WG_K = 1 (the kept axis fills the workgroup) and
    // perThread = 1, a chunk of one would leave `reduced` unchanged and the plan would never end.
    let chunk = Math.max(2, wgK * perThread);
    if (Math.ceil(reduced / chunk) > maxDim) chunk = Math.ceil(Math.ceil(reduced / maxDim) / wgK) * wgK;
    const splits = Math.ceil(reduced / chunk);
    const final = splits === 1;
    const passLabel = `${label}.pass${pass}`;
    // Each member's partials are a region of splits · kept floats of its own.
    const output = final ? a.out : ctx.buffers.storage(`${label}.partials${pass}`, count * splits * kept);
    const outputOffsets = final
      ? memberOffsets('out', batch)
      : Array.from({ length: count }, (_, member) => member * splits * kept);
    const [gridX, gridZ] = gridFor(Math.ceil(kept / wgJ), maxDim);
    const rows = axis === 'cols' ? reduced : kept;
    const cols = axis === 'cols' ? kept : reduced;
    const params = ctx.buffers.uniform(
      `${passLabel}.params`,
      packUniform([
        { u32: rows },
        { u32: cols },
        { u32: chunk },
        { u32: splits },
        { f32: final ? finalScale : 1 },
        { u32: final && a.accumulate ? 1 : 0 },
        { u32: pass === 0 && a.square ? 1 : 0 },
        { u32: gridX },
        { u32: count },
      ]),
    );
    const table = packMemberTable(
      passLabel,
      MEMBER_SLOTS,
      batch && { count, offsets: { x: inputOffsets, out: outputOffsets } },
    );
    const members = ctx.buffers.uniform(`${passLabel}.members`, table.buffer as ArrayBuffer);
    const pipeline = ctx.pipelines.compute({
      family: SHADER.family,
      code: SHADER.code,
      entryPoint: axis === 'cols' ? 'sum_cols' : 'sum_rows',
      constants: { WG_J: wgJ, WG_K: wgK },
    });
    kernels.push(
      dispatchKernel(ctx, {
        label: passLabel,
        pipeline,
        bindings: SHADER.bind({ params, x: input, result: output, members }),
        workgroups: [gridX, splits, gridZ * count],
      }),
    );
    if (final) break;
    input = output;
    inputOffsets = outputOffsets;
    reduced = splits;
  }
  return kernels.length === 1 ? kernels[0] : sequence(label, kernels);
}

/**
 * out[c] = Σ_r x[r·cols + c] (bias gradients: x = dy, rows = batch·H·W). out has `cols` floats.
 * Member slots 'x' and 'out'.
 */
export function prepareColumnReduce(ctx: GpuContext, a: MatrixReduceArgs, batch?: MemberBatch): Kernel {
  return prepareReduce(ctx, 'cols', a, 'reduce.cols', batch);
}

/** out[r] = Σ_c x[r·cols + c]. out has `rows` floats. */
export function prepareRowReduce(ctx: GpuContext, a: MatrixReduceArgs): Kernel {
  return prepareReduce(ctx, 'rows', a, 'reduce.rows');
}

/** out[0] = Σ_i x[i] over n floats (or the mean, sum of squares, … per the options). */
export function prepareSum(ctx: GpuContext, a: VectorReduceArgs): Kernel {
  // An n×1 column: WG_J = 1, so all the lanes of a workgroup read consecutive elements.
  return prepareReduce(ctx, 'cols', { ...a, rows: a.n, cols: 1 }, a.label ?? 'reduce.all');
}

/** out[0] = Σ_i x[i]² (times `scale`, added to out[0] with `accumulate`). */
export function prepareSquaredNorm(
  ctx: GpuContext,
  a: { x: GpuBinding; n: number; out: GpuBinding; scale?: number; accumulate?: boolean; label?: string },
): Kernel {
  return prepareSum(ctx, { ...a, op: 'sum', square: true, label: a.label ?? 'reduce.squaredNorm' });
}
