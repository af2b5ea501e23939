// Batch normalization in training mode over an R×C row-major matrix: NHWC activations flattened to
// R = batch·H·W rows of C channels (a dense layer has H = W = 1). Statistics are per channel (column).
//
// Forward:  mean_c = Σ_r x / R,  var_c = Σ_r (x − mean_c)² / R (biased),  invstd_c = 1/√(var_c + eps),
//           xhat = (x − mean_c)·invstd_c,  y = gamma_c·xhat + beta_c.
//           Running statistics (PyTorch convention): rm ← (1−m)·rm + m·mean,
//           rv ← (1−m)·rv + m·Σ(x − mean)²/(R − 1) (unbiased); with R = 1 that estimate does not
//           exist and rv is left as it was.
// Eval:     y = gamma·(x − rm)/√(rv + eps) + beta.
// Backward: dbeta = Σ_r dy, dgamma = Σ_r dy·xhat,
//           dx = gamma·invstd/R · (R·dy − dbeta − xhat·dgamma) = a·dy + b + k·xhat with
//           a = gamma·invstd, b = −a·dbeta/R, k = −a·dgamma/R (coef = [a | b | k], 3·C floats).
//
// The statistics are deterministic two-level reductions (no atomics): a partial pass gives each
// (row chunk s, channel c) a workgroup lane group that reduces rows [s·chunk, min((s+1)·chunk, R));
// a finalize pass, one workgroup per block of WG_J channels, merges the `splits` partials.
// The variance is never formed as E[x²] − mean²: each chunk stores its sum and its own centred
// M2_s = Σ (x − mean_s)², and the finalize merges them exactly (Chan et al.):
//   M2 = Σ_s M2_s + n_s·(mean_s − mean)².
//
// Bindings (group 0, numbered only in the declarations below; launchers bind by name, and an entry
// point binds only those it uses): uniform: params, members; read: x, xhat_in, dy, gamma, beta;
// read_write: partials, mean, invstd, y, xhat_out, running_mean, running_var, dgamma, dbeta, dx, coef.
// partials: 2 × splits × C floats per member: [s·C + c] = chunk sum (Σ dy in backward),
//           [(splits + s)·C + c] = chunk M2 (Σ dy·xhat in backward).
//
// Entry points and grids (x, y; z is always the member count):
//   stats_partial                          workgroup WG_J × WG_K, grid (ceil(C / WG_J), splits)
//   stats_finalize, stats_finalize_running workgroup WG_J × WG_K, grid (ceil(C / WG_J))
//   normalize_forward, normalize_forward_xhat, normalize_eval, backward_dx
//                                          WORKGROUP_SIZE threads, one per element, grid 2-D
//                                          (i = id.y·row_stride + id.x)
//   backward_partial                       as stats_partial
//   backward_finalize                      as stats_finalize
// params.from_xhat: the backward passes read xhat from xhat_in (1) or recompute it from x, mean and
// invstd (0). It is a run-time flag rather than an override so that both bindings are always
// statically used; the launcher binds the same buffer to x and xhat_in when only one of them exists.
//
// Members (src/gpu/members.ts): workgroup_id.z is the member (the elementwise passes' workgroups are
// 1 deep, so id.z is too). Every access to a bound tensor is offset by the member's element offset
// from the table `members`, at the SLOT_ of its binding below; each dispatch gets its own table, so
// two bindings may share a slot when no entry point reaches both (src/gpu/kernels/batchnorm.ts
// mirrors these numbers in MEMBER_SLOT). The launcher's own scratch, partials and coef, holds one
// block per member: the member's partials start at member·2·splits·C, its coef at member·3·C.
// Unbatched: every offset 0 and z = 1, the same arithmetic as before members existed.
override WG_J: u32 = 64u; // channels per workgroup in the statistics passes (power of two)
override WG_K: u32 = 4u; // row lanes per channel (power of two)
override WORKGROUP_SIZE: u32 = 256u; // elementwise passes
// WG_J·WG_K is the device profile's reductionWorkgroup, WORKGROUP_SIZE its elementwiseWorkgroup
// (src/gpu/tuning.ts; 256 and 256 on GPUs).

struct Params {
  rows: u32,
  cols: u32,
  chunk: u32, // rows per partial-pass workgroup
  splits: u32, // row chunks = ceil(rows / chunk)
  eps: f32,
  momentum: f32,
  row_stride: u32, // elementwise passes: threads per grid row
  accumulate: u32, // backward: 1 adds into dgamma/dbeta instead of overwriting
  from_xhat: u32, // backward: 1 reads xhat_in, 0 recomputes xhat from x
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> xhat_in: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> beta: array<f32>;
@group(0) @binding(6) var<storage, read_write> partials: array<f32>;
@group(0) @binding(7) var<storage, read_write> mean: array<f32>;
@group(0) @binding(8) var<storage, read_write> invstd: array<f32>;
@group(0) @binding(9) var<storage, read_write> y: array<f32>;
@group(0) @binding(10) var<storage, read_write> xhat_out: array<f32>;
@group(0) @binding(11) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(12) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(13) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(14) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(15) var<storage, read_write> dx: array<f32>;
@group(0) @binding(16) var<storage, read_write> coef: array<f32>;
@group(0) @binding(17) var<uniform> members: Members;

#include "lib/members.wgsl"
const SLOT_X: u32 = 0u;
const SLOT_GAMMA: u32 = 1u;
const SLOT_DY: u32 = 1u; // never beside gamma: the backward reads gamma only in its finalize
const SLOT_BETA: u32 = 2u;
const SLOT_MEAN: u32 = 3u;
const SLOT_INVSTD: u32 = 4u;
const SLOT_Y: u32 = 5u;
const SLOT_DX: u32 = 5u;
const SLOT_XHAT_OUT: u32 = 6u;
const SLOT_XHAT_IN: u32 = 6u;
const SLOT_RUNNING_MEAN: u32 = 6u; // never beside xhat: finalize and eval do not reach it
const SLOT_DGAMMA: u32 = 6u;
const SLOT_RUNNING_VAR: u32 = 7u;
const SLOT_DBETA: u32 = 7u;

// Where a member's blocks of the launcher's scratch start.
fn partials_base(member: u32) -> u32 {
  return member * 2u * params.splits * params.cols;
}

fn coef_base(member: u32) -> u32 {
  return member * 3u * params.cols;
}

// The statistics passes reduce two sums at once (sum and M2, or Σ dy and Σ dy·xhat) over the WG_K
// row lanes of each channel: li = lid.y·WG_J + lid.x, so a channel's lanes are WG_J apart.
alias ReduceValue = vec2<f32>;
var<workgroup> reduce_scratch: array<ReduceValue, WG_J * WG_K>;
#include "lib/workgroup_reduce.wgsl"

fn lane_sums(li: u32, k: u32, value: vec2<f32>) -> vec2<f32> {
  return workgroup_reduce(li, k, WG_K, WG_J, value);
}

fn chunk_rows(s: u32) -> u32 {
  return min(params.chunk, params.rows - s * params.chunk);
}

fn element_index(id: vec3<u32>) -> u32 {
  return id.y * params.row_stride + id.x;
}

// xhat of element i (channel c) of `member`.
fn xhat_at(i: u32, c: u32, member: u32) -> f32 {
  if (params.from_xhat != 0u) { return xhat_in[member_offset(SLOT_XHAT_IN, member) + i]; }
  let m = mean[member_offset(SLOT_MEAN, member) + c];
  return (x[member_offset(SLOT_X, member) + i] - m) * invstd[member_offset(SLOT_INVSTD, member) + c];
}

// ---- forward statistics ----

@compute @workgroup_size(WG_J, WG_K)
fn stats_partial(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let c = wid.x * WG_J + lid.x;
  let s = wid.y;
  let r0 = s * params.chunk;
  let r1 = min(r0 + params.chunk, params.rows);
  let live = c < params.cols;
  let x0 = member_offset(SLOT_X, wid.z);
  var acc = 0.0;
  if (live) {
    for (var r = r0 + lid.y; r < r1; r += WG_K) { acc += x[x0 + r * params.cols + c]; }
  }
  let chunk_sum = lane_sums(li, lid.y, vec2<f32>(acc, 0.0)).x;
  let chunk_mean = chunk_sum / f32(chunk_rows(s));
  var m2 = 0.0;
  if (live) {
    for (var r = r0 + lid.y; r < r1; r += WG_K) {
      let d = x[x0 + r * params.cols + c] - chunk_mean;
      m2 += d * d;
    }
  }
  let chunk_m2 = lane_sums(li, lid.y, vec2<f32>(m2, 0.0)).x;
  if (live && lid.y == 0u) {
    let p0 = partials_base(wid.z);
    partials[p0 + s * params.cols + c] = chunk_sum;
    partials[p0 + (params.splits + s) * params.cols + c] = chunk_m2;
  }
}

// Merges the splits' (sum, M2) of channel c of `member`; returns (mean, biased M2 total). Uniform
// control flow.
fn merge_stats(c: u32, k: u32, li: u32, member: u32) -> vec2<f32> {
  let live = c < params.cols;
  let p0 = partials_base(member);
  var acc = 0.0;
  if (live) {
    for (var s = k; s < params.splits; s += WG_K) { acc += partials[p0 + s * params.cols + c]; }
  }
  let m = lane_sums(li, k, vec2<f32>(acc, 0.0)).x / f32(params.rows);
  var m2 = 0.0;
  if (live) {
    for (var s = k; s < params.splits; s += WG_K) {
      let n = f32(chunk_rows(s));
      let d = partials[p0 + s * params.cols + c] / n - m;
      m2 += partials[p0 + (params.splits + s) * params.cols + c] + n * d * d;
    }
  }
  return vec2<f32>(m, lane_sums(li, k, vec2<f32>(m2, 0.0)).x);
}

@compute @workgroup_size(WG_J, WG_K)
fn stats_finalize(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let c = wid.x * WG_J + lid.x;
  let stats = merge_stats(c, lid.y, li, wid.z);
  if (c < params.cols && lid.y == 0u) {
    mean[member_offset(SLOT_MEAN, wid.z) + c] = stats.x;
    invstd[member_offset(SLOT_INVSTD, wid.z) + c] = inverseSqrt(stats.y / f32(params.rows) + params.eps);
  }
}

@compute @workgroup_size(WG_J, WG_K)
fn stats_finalize_running(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let c = wid.x * WG_J + lid.x;
  let stats = merge_stats(c, lid.y, li, wid.z);
  if (c < params.cols && lid.y == 0u) {
    mean[member_offset(SLOT_MEAN, wid.z) + c] = stats.x;
    invstd[member_offset(SLOT_INVSTD, wid.z) + c] = inverseSqrt(stats.y / f32(params.rows) + params.eps);
    let m = params.momentum;
    let rm = member_offset(SLOT_RUNNING_MEAN, wid.z) + c;
    running_mean[rm] = (1.0 - m) * running_mean[rm] + m * stats.x;
    if (params.rows > 1u) {
      let rv = member_offset(SLOT_RUNNING_VAR, wid.z) + c;
      running_var[rv] = (1.0 - m) * running_var[rv] + m * (stats.y / f32(params.rows - 1u));
    }
  }
}

// ---- forward and eval normalization ----

@compute @workgroup_size(WORKGROUP_SIZE)
fn normalize_forward(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = element_index(id);
  if (i >= params.rows * params.cols) { return; }
  let c = i % params.cols;
  let z = id.z;
  let xh = (x[member_offset(SLOT_X, z) + i] - mean[member_offset(SLOT_MEAN, z) + c]) *
    invstd[member_offset(SLOT_INVSTD, z) + c];
  y[member_offset(SLOT_Y, z) + i] = gamma[member_offset(SLOT_GAMMA, z) + c] * xh + beta[member_offset(SLOT_BETA, z) + c];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn normalize_forward_xhat(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = element_index(id);
  if (i >= params.rows * params.cols) { return; }
  let c = i % params.cols;
  let z = id.z;
  let xh = (x[member_offset(SLOT_X, z) + i] - mean[member_offset(SLOT_MEAN, z) + c]) *
    invstd[member_offset(SLOT_INVSTD, z) + c];
  xhat_out[member_offset(SLOT_XHAT_OUT, z) + i] = xh;
  y[member_offset(SLOT_Y, z) + i] = gamma[member_offset(SLOT_GAMMA, z) + c] * xh + beta[member_offset(SLOT_BETA, z) + c];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn normalize_eval(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = element_index(id);
  if (i >= params.rows * params.cols) { return; }
  let c = i % params.cols;
  let z = id.z;
  let rm = running_mean[member_offset(SLOT_RUNNING_MEAN, z) + c];
  let scale = inverseSqrt(running_var[member_offset(SLOT_RUNNING_VAR, z) + c] + params.eps);
  let xh = (x[member_offset(SLOT_X, z) + i] - rm) * scale;
  y[member_offset(SLOT_Y, z) + i] = gamma[member_offset(SLOT_GAMMA, z) + c] * xh + beta[member_offset(SLOT_BETA, z) + c];
}

// ---- backward ----

@compute @workgroup_size(WG_J, WG_K)
fn backward_partial(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let c = wid.x * WG_J + lid.x;
  let s = wid.y;
  let r0 = s * params.chunk;
  let r1 = min(r0 + params.chunk, params.rows);
  let dy0 = member_offset(SLOT_DY, wid.z);
  var sum_dy = 0.0;
  var sum_dy_xhat = 0.0;
  if (c < params.cols) {
    for (var r = r0 + lid.y; r < r1; r += WG_K) {
      let i = r * params.cols + c;
      let g = dy[dy0 + i];
      sum_dy += g;
      sum_dy_xhat += g * xhat_at(i, c, wid.z);
    }
  }
  let sums = lane_sums(li, lid.y, vec2<f32>(sum_dy, sum_dy_xhat));
  if (c < params.cols && lid.y == 0u) {
    let p0 = partials_base(wid.z);
    partials[p0 + s * params.cols + c] = sums.x;
    partials[p0 + (params.splits + s) * params.cols + c] = sums.y;
  }
}

@compute @workgroup_size(WG_J, WG_K)
fn backward_finalize(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let c = wid.x * WG_J + lid.x;
  let p0 = partials_base(wid.z);
  var sum_dy = 0.0;
  var sum_dy_xhat = 0.0;
  if (c < params.cols) {
    for (var s = lid.y; s < params.splits; s += WG_K) {
      sum_dy += partials[p0 + s * params.cols + c];
      sum_dy_xhat += partials[p0 + (params.splits + s) * params.cols + c];
    }
  }
  let sums = lane_sums(li, lid.y, vec2<f32>(sum_dy, sum_dy_xhat));
  if (c < params.cols && lid.y == 0u) {
    let db = sums.x;
    let dg = sums.y;
    let z = wid.z;
    let ib = member_offset(SLOT_DBETA, z) + c;
    let ig = member_offset(SLOT_DGAMMA, z) + c;
    if (params.accumulate != 0u) {
      dbeta[ib] += db;
      dgamma[ig] += dg;
    } else {
      dbeta[ib] = db;
      dgamma[ig] = dg;
    }
    let a = gamma[member_offset(SLOT_GAMMA, z) + c] * invstd[member_offset(SLOT_INVSTD, z) + c];
    let inv_rows = 1.0 / f32(params.rows);
    let k0 = coef_base(z);
    coef[k0 + c] = a;
    coef[k0 + params.cols + c] = -a * db * inv_rows;
    coef[k0 + 2u * params.cols + c] = -a * dg * inv_rows;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward_dx(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = element_index(id);
  if (i >= params.rows * params.cols) { return; }
  let c = i % params.cols;
  let z = id.z;
  let k0 = coef_base(z);
  let g = dy[member_offset(SLOT_DY, z) + i];
  dx[member_offset(SLOT_DX, z) + i] = coef[k0 + c] * g + coef[k0 + params.cols + c] + coef[k0 + 2u * params.cols + c] * xhat_at(i, c, z);
}
