// Tiled f32 matrix multiply C = epilogue(op(A) · op(B)), all matrices dense and row-major.
// Uses lib/activation.wgsl (fn activate, override ACT), included below.
//
//   C      m×n                   op(A)  m×k: A stored m×k ("N"), or k×m with TRANS_A ("T")
//   bias   n (optional)          op(B)  k×n: B stored k×n ("N"), or n×k with TRANS_B ("T")
//   epilogue: C = act(op(A)op(B) + bias)   or, with ACCUMULATE, C = C + op(A)op(B)
//
// Bindings (group 0, numbered only in the declarations below; launchers bind by name):
//   params (uniform, struct Params below)
//   a  array<f32>            a4 array<vec4<f32>>     same buffer; a4 read only when VEC_A
//   b  array<f32>            b4 array<vec4<f32>>     same buffer; b4 read only when VEC_B
//   c  array<f32> (rw)       c4 array<vec4<f32>> (rw): entry `matmul` writes through c,
//                            `matmul_c4` (needs n % 4 == 0) through c4; never both in one entry,
//                            because WebGPU forbids aliased writable bindings
//   bias array<f32>          always bound (the launcher binds A there when there is no bias:
//                            a binding under a false override branch still counts as used)
//   partials array<f32>      split-K slices, read by `matmul_splitk_reduce`
//   members (uniform, lib/members.wgsl): per-member element offsets into a, b, c and bias
//
// Members (src/gpu/members.ts): one dispatch runs the product for every member of a batch, member
// = workgroup_id.z; member z reads and writes a, b, c, bias (and a4, b4, c4 at offset/4: members
// start on 256-byte boundaries) from its offsets in the members table. The split-K workspace is
// not in the table: the launcher allocates one region of splits·m·n per member, member z's at
// z·splits·m·n. Unbatched, the table is zeros and z = 1: the same indices as without members.
//
// Blocking: a workgroup of WG_X×WG_Y threads computes a TILE_M×TILE_N tile of C (TILE_M = 4·WG_Y,
// TILE_N = 4·WG_X; 16×16 threads → 64×64). Each thread owns a 4×4 block (rows ty·4…ty·4+3, columns
// tx·4…tx·4+3) accumulated in registers. Per step of TILE_K along k the workgroup stages
// op(A)[tile rows, k0…k0+TILE_K) and op(B)[k0…k0+TILE_K, tile columns] in workgroup memory,
// k-major and packed as vec4 along m / n, so the inner loop does two vec4 reads and 16 FMAs per k.
// Staging zero-fills everything outside the matrices: the inner loop has no bounds checks, and the
// loads check only the dimensions the launcher says do not divide the tile (CHECK_M/N/K).
//
// Global loads are vec4 along each matrix's contiguous dimension when VEC_A / VEC_B (that
// dimension % 4 == 0: k for A, m for Aᵀ; n for B, k for Bᵀ). "N" A and "T" B tiles are loaded
// along k and transposed into workgroup memory on the way in.
//
// Grid: one linear workgroup index (x fastest, over as many y rows as the per-dimension limit
// needs), split into (k-slice, tile). Tiles are visited in groups of GROUP_M tile rows so that
// workgroups resident together share A rows and B columns in L2. With split-K (splits > 1) each
// k-slice of k_chunk (a multiple of TILE_K) writes raw partial sums to slice s of a workspace
// (bound as c / c4, at offset s·m·n) and `matmul_splitk_reduce` sums the slices in a fixed order
// and applies the epilogue.
#include "lib/activation.wgsl"
#include "lib/members.wgsl"

// Tile and ordering come from the device profile (src/gpu/tuning.ts ctx.tuning.matmul: 16×16 threads
// on GPUs, 4×4 on software adapters); the defaults are GPU_TUNING's.
override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override TILE_K: u32 = 16u;
override GROUP_M: u32 = 8u;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override VEC_A: bool = false;
override VEC_B: bool = false;
override CHECK_M: bool = true;
override CHECK_N: bool = true;
override CHECK_K: bool = true;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;
// Split-K slice pass: store raw partial sums, no bias / activation / accumulate.
override SPLIT: bool = false;
override REDUCE_WG: u32 = 256u; // the device profile's elementwiseWorkgroup

// Derived sizes (not set by the launcher).
override THREADS: u32 = WG_X * WG_Y;
override TILE_M: u32 = 4u * WG_Y;
override TILE_N: u32 = 4u * WG_X;
override A_TILE_VEC4S: u32 = TILE_K * WG_Y; // TILE_K × TILE_M floats
override B_TILE_VEC4S: u32 = TILE_K * WG_X; // TILE_K × TILE_N floats
override K_VEC4S: u32 = TILE_K / 4u;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  slope: f32,        // LeakyReLU slope
  tiles_m: u32,
  tiles_n: u32,
  k_chunk: u32,      // k per split-K slice (multiple of TILE_K; ≥ k without split-K)
  splits: u32,
  row_stride: u32,   // reduce: threads per grid row
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> c4: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read> partials: array<f32>;
@group(0) @binding(9) var<uniform> members: Members;

// Member table slots: the launcher's MATMUL_MEMBER_SLOTS order.
const SLOT_A: u32 = 0u;
const SLOT_B: u32 = 1u;
const SLOT_C: u32 = 2u;
const SLOT_BIAS: u32 = 3u;

// This invocation's member's element offsets (set first thing by each entry point), so every
// access below is `array[off + index]` with the index arithmetic it had before members.
var<private> a_off: u32;
var<private> b_off: u32;
var<private> c_off: u32;
var<private> bias_off: u32;
// Where this member's tile-pass output starts: its C, or its region of the split-K workspace.
var<private> out_off: u32;

fn select_member(z: u32) {
  a_off = member_offset(SLOT_A, z);
  b_off = member_offset(SLOT_B, z);
  c_off = member_offset(SLOT_C, z);
  bias_off = member_offset(SLOT_BIAS, z);
  if (SPLIT) {
    out_off = z * params.splits * params.m * params.n;
  } else {
    out_off = c_off;
  }
}

// a_tile[kk · WG_Y + q] = op(A)[row0 + 4q … row0 + 4q + 3][k0 + kk]
var<workgroup> a_tile: array<vec4<f32>, A_TILE_VEC4S>;
// b_tile[kk · WG_X + q] = op(B)[k0 + kk][col0 + 4q … col0 + 4q + 3]
var<workgroup> b_tile: array<vec4<f32>, B_TILE_VEC4S>;

struct Tile {
  valid: bool,
  row0: u32,
  col0: u32,
  split: u32,
}

fn locate_tile(wid: vec3<u32>, nwg: vec3<u32>) -> Tile {
  let linear = wid.y * nwg.x + wid.x;
  let per_split = params.tiles_m * params.tiles_n;
  let split = linear / per_split;
  if (split >= params.splits) {
    return Tile(false, 0u, 0u, 0u);
  }
  // Grouped ordering: GROUP_M tile rows at a time, columns fastest within a group's column.
  let t = linear % per_split;
  let group_tiles = GROUP_M * params.tiles_n;
  let first_m = (t / group_tiles) * GROUP_M;
  let group_rows = min(params.tiles_m - first_m, GROUP_M);
  let in_group = t % group_tiles;
  let tile_m = first_m + in_group % group_rows;
  let tile_n = in_group / group_rows;
  return Tile(true, tile_m * TILE_M, tile_n * TILE_N, split);
}

fn load_a_tile(row0: u32, k0: u32, tid: u32) {
  let m = params.m;
  let k = params.k;
  if (TRANS_A) {
    // A is k×m: rows of the stored matrix run along m, so each vec4 lands whole in a_tile.
    for (var i = tid; i < A_TILE_VEC4S; i += THREADS) {
      let kg = k0 + i / WG_Y;
      let rg = row0 + 4u * (i % WG_Y);
      var v = vec4<f32>(0.0);
      if (VEC_A) {
        if ((!CHECK_K || kg < k) && (!CHECK_M || rg < m)) {
          v = a4[a_off / 4u + (kg * m + rg) / 4u];
        }
      } else if (!CHECK_K || kg < k) {
        let base = a_off + kg * m + rg;
        for (var j = 0u; j < 4u; j++) {
          if (!CHECK_M || rg + j < m) {
            v[j] = a[base + j];
          }
        }
      }
      a_tile[i] = v;
    }
  } else {
    // A is m×k: read 4 consecutive k of one row, scatter them to 4 k-slots of a_tile.
    for (var i = tid; i < A_TILE_VEC4S; i += THREADS) {
      let r = i / K_VEC4S;
      let kq = 4u * (i % K_VEC4S);
      let rg = row0 + r;
      let kg = k0 + kq;
      var v = vec4<f32>(0.0);
      if (VEC_A) {
        if ((!CHECK_M || rg < m) && (!CHECK_K || kg < k)) {
          v = a4[a_off / 4u + (rg * k + kg) / 4u];
        }
      } else if (!CHECK_M || rg < m) {
        let base = a_off + rg * k + kg;
        for (var j = 0u; j < 4u; j++) {
          if (!CHECK_K || kg + j < k) {
            v[j] = a[base + j];
          }
        }
      }
      let slot = r / 4u;
      let lane = r % 4u;
      for (var j = 0u; j < 4u; j++) {
        a_tile[(kq + j) * WG_Y + slot][lane] = v[j];
      }
    }
  }
}

fn load_b_tile(col0: u32, k0: u32, tid: u32) {
  let n = params.n;
  let k = params.k;
  if (!TRANS_B) {
    // B is k×n: rows run along n, each vec4 lands whole in b_tile.
    for (var i = tid; i < B_TILE_VEC4S; i += THREADS) {
      let kg = k0 + i / WG_X;
      let cg = col0 + 4u * (i % WG_X);
      var v = vec4<f32>(0.0);
      if (VEC_B) {
        if ((!CHECK_K || kg < k) && (!CHECK_N || cg < n)) {
          v = b4[b_off / 4u + (kg * n + cg) / 4u];
        }
      } else if (!CHECK_K || kg < k) {
        let base = b_off + kg * n + cg;
        for (var j = 0u; j < 4u; j++) {
          if (!CHECK_N || cg + j < n) {
            v[j] = b[base + j];
          }
        }
      }
      b_tile[i] = v;
    }
  } else {
    // B is n×k: read 4 consecutive k of one column of op(B), scatter them to 4 k-slots.
    for (var i = tid; i < B_TILE_VEC4S; i += THREADS) {
      let cl = i / K_VEC4S;
      let kq = 4u * (i % K_VEC4S);
      let cg = col0 + cl;
      let kg = k0 + kq;
      var v = vec4<f32>(0.0);
      if (VEC_B) {
        if ((!CHECK_N || cg < n) && (!CHECK_K || kg < k)) {
          v = b4[b_off / 4u + (cg * k + kg) / 4u];
        }
      } else if (!CHECK_N || cg < n) {
        let base = b_off + cg * k + kg;
        for (var j = 0u; j < 4u; j++) {
          if (!CHECK_K || kg + j < k) {
            v[j] = b[base + j];
          }
        }
      }
      let slot = cl / 4u;
      let lane = cl % 4u;
      for (var j = 0u; j < 4u; j++) {
        b_tile[(kq + j) * WG_X + slot][lane] = v[j];
      }
    }
  }
}

// The thread's 4×4 block of op(A)op(B) over this tile's k-slice; acc[i] is row ty·4 + i.
fn accumulate_tile(tile: Tile, lid: vec3<u32>) -> array<vec4<f32>, 4> {
  let tid = lid.y * WG_X + lid.x;
  let k_begin = tile.split * params.k_chunk;
  let k_end = min(params.k, k_begin + params.k_chunk);
  var acc = array<vec4<f32>, 4>();
  for (var k0 = k_begin; k0 < k_end; k0 += TILE_K) {
    load_a_tile(tile.row0, k0, tid);
    load_b_tile(tile.col0, k0, tid);
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let av = a_tile[kk * WG_Y + lid.y];
      let bv = b_tile[kk * WG_X + lid.x];
      acc[0] = fma(vec4<f32>(av.x), bv, acc[0]);
      acc[1] = fma(vec4<f32>(av.y), bv, acc[1]);
      acc[2] = fma(vec4<f32>(av.z), bv, acc[2]);
      acc[3] = fma(vec4<f32>(av.w), bv, acc[3]);
    }
    workgroupBarrier();
  }
  return acc;
}

fn finish(x: f32, col: u32) -> f32 {
  var v = x;
  if (HAS_BIAS) {
    v += bias[bias_off + col];
  }
  return activate(v, params.slope);
}

// Any n: scalar stores.
@compute @workgroup_size(WG_X, WG_Y)
fn matmul(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
) {
  select_member(wid.z);
  let tile = locate_tile(wid, nwg);
  if (!tile.valid) {
    return;
  }
  let acc = accumulate_tile(tile, lid);
  let m = params.m;
  let n = params.n;
  let base = tile.split * m * n;
  let col = tile.col0 + 4u * lid.x;
  for (var i = 0u; i < 4u; i++) {
    let row = tile.row0 + 4u * lid.y + i;
    if (CHECK_M && row >= m) {
      break;
    }
    for (var j = 0u; j < 4u; j++) {
      if (CHECK_N && col + j >= n) {
        break;
      }
      let idx = out_off + base + row * n + col + j;
      var v = acc[i][j];
      if (SPLIT) {
        c[idx] = v;
      } else {
        if (ACCUMULATE) {
          v += c[idx];
        }
        c[idx] = finish(v, col + j);
      }
    }
  }
}

// n % 4 == 0: vec4 stores (and vec4 reads of C when accumulating).
@compute @workgroup_size(WG_X, WG_Y)
fn matmul_c4(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
) {
  select_member(wid.z);
  let tile = locate_tile(wid, nwg);
  if (!tile.valid) {
    return;
  }
  let acc = accumulate_tile(tile, lid);
  let m = params.m;
  let n = params.n;
  let col = tile.col0 + 4u * lid.x;
  if (CHECK_N && col >= n) {
    return;
  }
  let base = tile.split * m * n;
  var b4v = vec4<f32>(0.0);
  if (HAS_BIAS && !SPLIT) {
    let bc = bias_off + col;
    b4v = vec4<f32>(bias[bc], bias[bc + 1u], bias[bc + 2u], bias[bc + 3u]);
  }
  for (var i = 0u; i < 4u; i++) {
    let row = tile.row0 + 4u * lid.y + i;
    if (CHECK_M && row >= m) {
      break;
    }
    let idx = (out_off + base + row * n + col) / 4u;
    var v = acc[i];
    if (!SPLIT) {
      if (ACCUMULATE) {
        v += c4[idx];
      }
      v += b4v;
      v = vec4<f32>(
        activate(v.x, params.slope),
        activate(v.y, params.slope),
        activate(v.z, params.slope),
        activate(v.w, params.slope),
      );
    }
    c4[idx] = v;
  }
}

// Split-K: C[i] = epilogue(Σ_s partials[s·m·n + i]), slices summed in order. One thread per element;
// member z sums the slices of its own workspace region.
@compute @workgroup_size(REDUCE_WG)
fn matmul_splitk_reduce(
  @builtin(global_invocation_id) id: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
) {
  select_member(wid.z);
  let i = id.y * params.row_stride + id.x;
  let count = params.m * params.n;
  if (i >= count) {
    return;
  }
  let region = wid.z * params.splits * count;
  var v = 0.0;
  for (var s = 0u; s < params.splits; s++) {
    v += partials[region + s * count + i];
  }
  if (ACCUMULATE) {
    v += c[c_off + i];
  }
  c[c_off + i] = finish(v, i % params.n);
}
