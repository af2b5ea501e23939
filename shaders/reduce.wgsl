// Sums over one axis of a row-major R×C f32 matrix (x[r * C + c]), deterministically: no atomics,
// and the order of every addition depends only on the shape, the chunk and the override constants.
//
// Bindings (group 0, numbered only in the declarations below; launchers bind by name):
//   params (uniform, below)
//   x       (read)        the matrix, params.rows × params.cols
//   result  (read_write)  see the entry points; read only when accumulating
//
// Entry points, each for one pass:
//   sum_cols: for column c and row chunk s (rows [s·chunk, min((s+1)·chunk, R))):
//               result[s·C + c] = Σ_r f(x[r·C + c])
//             Workgroup WG_J × WG_K: local x runs along WG_J adjacent columns (coalesced loads),
//             local y along WG_K row lanes; lane k adds rows k, k + WG_K, … of the chunk in order,
//             then the lanes meet in a shared-memory tree (lib/workgroup_reduce.wgsl).
//   sum_rows: for row r and column chunk s: result[r·splits + s] = Σ_c f(x[r·C + c]).
//             Workgroup WG_K × WG_J: local x runs along the reduced axis (coalesced), y along rows.
// With splits = 1 a pass writes the final answer, result[j] = scale · Σ + (accumulate ? result[j] : 0);
// with splits > 1 the launcher runs the same entry point again over the splits×C (or R×splits)
// partials until one split is left. f(v) is v·v when params.square is set (first pass only), else v.
//
// Grid: x · z = blocks of WG_J kept indices (z only when x would exceed the per-dimension limit,
// block = wid.x + (wid.z / members) · grid_x), y = splits.
//
// Batched (src/gpu/members.ts): z also counts members, member = wid.z % params.members (z =
// block rows × members), and x and result are read and written at that member's offsets (slots
// X_SLOT, RESULT_SLOT). Unbatched: members = 1 and a zero table, the same sums as before.
#include "lib/members.wgsl"
override WG_J: u32 = 64u; // threads along the kept axis (a power of two)
override WG_K: u32 = 4u; // threads along the reduced axis (a power of two)
// WG_J · WG_K is the device profile's reductionWorkgroup (src/gpu/tuning.ts): 256 on GPUs.

struct Params {
  rows: u32,
  cols: u32,
  chunk: u32, // length of the reduced axis one workgroup covers
  splits: u32, // workgroups along the reduced axis (grid y)
  scale: f32, // applied to the final pass only (1 on partial passes)
  accumulate: u32, // 1: add into result (final pass only)
  square: u32, // 1: reduce squares (first pass only)
  grid_x: u32, // workgroups in grid x
  members: u32, // members in the dispatch (1 when not batched)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> result: array<f32>;
@group(0) @binding(3) var<uniform> members: Members;

const X_SLOT: u32 = 0u;
const RESULT_SLOT: u32 = 1u;

alias ReduceValue = f32;
var<workgroup> reduce_scratch: array<ReduceValue, WG_J * WG_K>;
#include "lib/workgroup_reduce.wgsl"

// i and the store's index are within the member's tensors; base_x / base_result are its offsets.
fn term(base_x: u32, i: u32) -> f32 {
  let v = x[base_x + i];
  if (params.square != 0u) { return v * v; }
  return v;
}

fn store(base_result: u32, i: u32, total: f32) {
  var value = params.scale * total;
  if (params.accumulate != 0u) { value = result[base_result + i] + value; }
  result[base_result + i] = value;
}

@compute @workgroup_size(WG_J, WG_K)
fn sum_cols(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let member = wid.z % params.members;
  let base_x = member_offset(X_SLOT, member);
  let base_result = member_offset(RESULT_SLOT, member);
  let c = (wid.x + (wid.z / params.members) * params.grid_x) * WG_J + lid.x;
  let r0 = wid.y * params.chunk;
  let r1 = min(r0 + params.chunk, params.rows);
  var acc = 0.0;
  if (c < params.cols) {
    for (var r = r0 + lid.y; r < r1; r += WG_K) {
      acc += term(base_x, r * params.cols + c);
    }
  }
  // li = lid.y · WG_J + lid.x, so the lanes of one column are WG_J apart.
  let total = workgroup_reduce(li, lid.y, WG_K, WG_J, acc);
  if (lid.y == 0u && c < params.cols) {
    store(base_result, wid.y * params.cols + c, total);
  }
}

@compute @workgroup_size(WG_K, WG_J)
fn sum_rows(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let member = wid.z % params.members;
  let base_x = member_offset(X_SLOT, member);
  let base_result = member_offset(RESULT_SLOT, member);
  let r = (wid.x + (wid.z / params.members) * params.grid_x) * WG_J + lid.y;
  let c0 = wid.y * params.chunk;
  let c1 = min(c0 + params.chunk, params.cols);
  var acc = 0.0;
  if (r < params.rows) {
    for (var c = c0 + lid.x; c < c1; c += WG_K) {
      acc += term(base_x, r * params.cols + c);
    }
  }
  // li = lid.y · WG_K + lid.x: the lanes of one row are adjacent.
  let total = workgroup_reduce(li, lid.x, WG_K, 1u, acc);
  if (lid.x == 0u && r < params.rows) {
    store(base_result, r * params.splits + wid.y, total);
  }
}
