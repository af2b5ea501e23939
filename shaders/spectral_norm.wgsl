// Spectral normalization (Miyato et al. 2018, Algorithm 1) on the RAW weight W, viewed as the
// rows × cols = d_out × d_in row-major matrix (conv kernels as d_out × (d_in·kh·kw)).
// Persistent state: u (rows), v (cols), sigma (1 float). One power-iteration round is
//   mat_t_vec (v ← Wᵀu) · normalize_cols (v ← v / max(‖v‖, ε)) ·
//   mat_vec (wv ← Wv)   · normalize_rows_dot (u ← wv / max(‖wv‖, ε); sigma ← u·wv = uᵀWv)
// (ε = 1e-12, PyTorch's normalize). With zero rounds, mat_vec then dot_rows give sigma = uᵀWv.
// Forward:  divide_by_sigma        W̄ = W / σ
// Backward: row_dots, sum_rows     c = ⟨G, W̄⟩_F (paper eq. 12's λ)
//           backward               ∂L/∂W = (G − c·u vᵀ) / σ      (u, v held fixed)
// Small layers (the launcher's bound: rows·cols ≤ 262144, rows + cols ≤ FUSED_FLOATS) run each of
// the two steps as ONE single-workgroup dispatch instead, saving the per-dispatch cost that
// dominates there:
//   fused_update    `rounds` rounds (or, with 0, σ = uᵀWv only) then W̄ = W / σ; ũ and ṽ live in
//                   workgroup memory between the phases (vec_u, vec_v in sn_vectors)
//   fused_backward  λ = ⟨G, W̄⟩_F then ∂L/∂W = (G − λ·u vᵀ) / σ
// Every sum there is a fixed-order per-thread loop followed by the workgroup tree, so runs are
// bit-reproducible (not bit-equal to the multi-dispatch path, whose partial sums differ).
// Bindings (group 0, numbered only in the declarations below; launchers bind by name), each entry
// point using the ones it names: params (uniform), mat (read: W or G, rows×cols), x (read, vector),
// y (read_write: vector or matrix out), s (read_write, 1 float: sigma out, or c), z (read, vector),
// sigma (read, 1 float), mat2 (read: W̄, rows×cols), u_state and v_state (read_write: ũ, ṽ,
// fused_update only).
// Workgroups: mat_t_vec is TCOLS columns × TLANES row lanes (lanes reduced in workgroup memory);
// mat_vec and row_dots one WG-thread workgroup per row (grid split over x, y past 65535);
// norms and dots one WG-thread workgroup in all; elementwise ones one thread per element.
// Sizes come from the device profile (src/gpu/tuning.ts: WG = reductionWorkgroup, TCOLS/TLANES =
// spectralNorm); the defaults are GPU_TUNING's. The launcher sizes its grids with the same values.
override WG: u32 = 256u;      // power of two (tree reduction)
override TCOLS: u32 = 32u;
override TLANES: u32 = 8u;    // power of two (tree reduction)
// Floats of workgroup memory for ũ and ṽ in fused_update (rows + cols of them). The launcher passes
// SPECTRAL_NORM_FUSED_VECTOR_FLOATS (src/gpu/limits.ts), whose comment says why 3072.
override FUSED_FLOATS: u32 = 3072u;

struct Params {
  rows: u32,
  cols: u32,
  n: u32,            // rows·cols
  row_stride: u32,   // elementwise grid: threads per grid row
  eps: f32,
  rounds: u32,       // fused_update: power-iteration rounds
  row_lanes: u32,    // fused_update: threads per row in Wv (power of two ≤ WG)
  col_lanes: u32,    // fused_update: threads per column in Wᵀu (power of two ≤ WG)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> mat: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> s: array<f32>;
@group(0) @binding(5) var<storage, read> z: array<f32>;
@group(0) @binding(6) var<storage, read> sigma: array<f32>;
@group(0) @binding(7) var<storage, read> mat2: array<f32>;
@group(0) @binding(8) var<storage, read_write> u_state: array<f32>;
@group(0) @binding(9) var<storage, read_write> v_state: array<f32>;

// Scratch for every reduction here (lib/workgroup_reduce.wgsl): the WG-thread trees and mat_t_vec's
// TCOLS × TLANES lanes.
alias ReduceValue = f32;
var<workgroup> reduce_scratch: array<ReduceValue, max(WG, TCOLS * TLANES)>;
#include "lib/workgroup_reduce.wgsl"

// y[j] = Σ_i mat[i, j] · x[i]: neighbouring threads read neighbouring columns of one row.
@compute @workgroup_size(TCOLS, TLANES)
fn mat_t_vec(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let j = wid.x * TCOLS + lid.x;
  var acc = 0.0;
  if (j < params.cols) {
    for (var i = lid.y; i < params.rows; i += TLANES) {
      acc += mat[i * params.cols + j] * x[i];
    }
  }
  let total = workgroup_reduce(lid.y * TCOLS + lid.x, lid.y, TLANES, TCOLS, acc);
  if (lid.y == 0u && j < params.cols) {
    y[j] = total;
  }
}

fn row_of(wid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return wid.y * groups.x + wid.x;
}

// y[i] = Σ_j mat[i, j] · x[j], one workgroup per row.
@compute @workgroup_size(WG)
fn mat_vec(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = row_of(wid, groups);
  var acc = 0.0;
  if (i < params.rows) {
    let base = i * params.cols;
    for (var j = lid; j < params.cols; j += WG) {
      acc += mat[base + j] * x[j];
    }
  }
  let total = workgroup_reduce(lid, lid, WG, 1u, acc);
  if (lid == 0u && i < params.rows) {
    y[i] = total;
  }
}

// y[i] = Σ_j mat[i, j] · mat2[i, j], one workgroup per row.
@compute @workgroup_size(WG)
fn row_dots(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = row_of(wid, groups);
  var acc = 0.0;
  if (i < params.rows) {
    let base = i * params.cols;
    for (var j = lid; j < params.cols; j += WG) {
      acc += mat[base + j] * mat2[base + j];
    }
  }
  let total = workgroup_reduce(lid, lid, WG, 1u, acc);
  if (lid == 0u && i < params.rows) {
    y[i] = total;
  }
}

// y ← y / max(‖y‖₂, ε) over cols entries, one workgroup.
@compute @workgroup_size(WG)
fn normalize_cols(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var j = lid; j < params.cols; j += WG) {
    acc += y[j] * y[j];
  }
  let scale = 1.0 / max(sqrt(workgroup_reduce(lid, lid, WG, 1u, acc)), params.eps);
  for (var j = lid; j < params.cols; j += WG) {
    y[j] = y[j] * scale;
  }
}

// y = x / max(‖x‖₂, ε) over rows entries, then s[0] = y·x (= uᵀWv for x = Wv), one workgroup.
@compute @workgroup_size(WG)
fn normalize_rows_dot(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < params.rows; i += WG) {
    acc += x[i] * x[i];
  }
  let scale = 1.0 / max(sqrt(workgroup_reduce(lid, lid, WG, 1u, acc)), params.eps);
  var dot = 0.0;
  for (var i = lid; i < params.rows; i += WG) {
    let u = x[i] * scale;
    y[i] = u;
    dot += u * x[i];
  }
  let total = workgroup_reduce(lid, lid, WG, 1u, dot);
  if (lid == 0u) {
    s[0] = total;
  }
}

// s[0] = Σ_i x[i] · z[i] over rows entries, one workgroup.
@compute @workgroup_size(WG)
fn dot_rows(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < params.rows; i += WG) {
    acc += x[i] * z[i];
  }
  let total = workgroup_reduce(lid, lid, WG, 1u, acc);
  if (lid == 0u) {
    s[0] = total;
  }
}

// s[0] = Σ_i x[i] over rows entries, one workgroup.
@compute @workgroup_size(WG)
fn sum_rows(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < params.rows; i += WG) {
    acc += x[i];
  }
  let total = workgroup_reduce(lid, lid, WG, 1u, acc);
  if (lid == 0u) {
    s[0] = total;
  }
}

// y[k] = mat[k] / sigma, k < n.
@compute @workgroup_size(WG)
fn divide_by_sigma(@builtin(global_invocation_id) id: vec3<u32>) {
  let k = id.y * params.row_stride + id.x;
  if (k >= params.n) {
    return;
  }
  y[k] = mat[k] / sigma[0];
}

// y[i, j] = (mat[i, j] − s[0] · z[i] · x[j]) / sigma: G, c, u, v → ∂L/∂W.
@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) id: vec3<u32>) {
  let k = id.y * params.row_stride + id.x;
  if (k >= params.n) {
    return;
  }
  let i = k / params.cols;
  let j = k - i * params.cols;
  y[k] = (mat[k] - s[0] * z[i] * x[j]) / sigma[0];
}

// ---- Single-workgroup kernels for small layers ----

// ũ at sn_vectors[0, rows), ṽ at sn_vectors[rows, rows + cols).
var<workgroup> sn_vectors: array<f32, FUSED_FLOATS>;

// ṽ ← Wᵀũ (unnormalized) in sn_vectors. K = col_lanes threads share a column (the column's rows
// split K ways, then the tree), WG / K columns per pass; neighbouring threads take neighbouring
// columns of one row, so reads of W stay contiguous. Call from uniform control flow.
fn fused_wt_u(li: u32) {
  let lanes = params.col_lanes;
  let span = WG / lanes;
  let lane = li / span;
  let c = li - lane * span;
  let passes = (params.cols + span - 1u) / span;
  for (var p = 0u; p < passes; p++) {
    let j = p * span + c;
    var acc = 0.0;
    if (j < params.cols) {
      for (var i = lane; i < params.rows; i += lanes) {
        acc += mat[i * params.cols + j] * sn_vectors[i];
      }
    }
    let total = workgroup_reduce(li, lane, lanes, span, acc);
    if (lane == 0u && j < params.cols) {
      sn_vectors[params.rows + j] = total; // the ṽ slots: no thread reads them in this function
    }
  }
  workgroupBarrier();
}

// (Wṽ)_i for every row: K = row_lanes threads share a row, WG / K rows per pass. With store_wv the
// row's value replaces ũ_i (a round no longer needs the old ũ once ṽ is computed) and its square
// is summed; otherwise ũ_i·(Wṽ)_i is. Returns this thread's running sum over the rows it finished
// (0 on lanes other than 0) for the caller's tree. Call from uniform control flow.
fn fused_w_v(li: u32, store_wv: bool) -> f32 {
  let lanes = params.row_lanes;
  let span = WG / lanes;
  let slot = li / lanes;
  let lane = li - slot * lanes;
  let passes = (params.rows + span - 1u) / span;
  var mine = 0.0;
  for (var p = 0u; p < passes; p++) {
    let i = p * span + slot;
    var acc = 0.0;
    if (i < params.rows) {
      let base = i * params.cols;
      for (var j = lane; j < params.cols; j += lanes) {
        acc += mat[base + j] * sn_vectors[params.rows + j];
      }
    }
    let total = workgroup_reduce(li, lane, lanes, 1u, acc);
    if (lane == 0u && i < params.rows) {
      if (store_wv) {
        sn_vectors[i] = total; // the ũ slots: no thread reads them in this pass
        mine += total * total;
      } else {
        mine += sn_vectors[i] * total;
      }
    }
  }
  workgroupBarrier();
  return mine;
}

// mat = W (raw), u_state/v_state = ũ/ṽ (updated in place unless rounds = 0), s[0] ← σ̃, y ← W̄.
// One workgroup of WG threads.
@compute @workgroup_size(WG)
fn fused_update(@builtin(local_invocation_index) li: u32) {
  let rows = params.rows;
  let cols = params.cols;
  for (var i = li; i < rows; i += WG) {
    sn_vectors[i] = u_state[i];
  }
  for (var j = li; j < cols; j += WG) {
    sn_vectors[rows + j] = v_state[j];
  }
  workgroupBarrier();
  var sigma_value = 0.0;
  if (params.rounds == 0u) {
    sigma_value = workgroup_reduce(li, li, WG, 1u, fused_w_v(li, false));
  }
  for (var r = 0u; r < params.rounds; r++) {
    fused_wt_u(li);
    var vv = 0.0;
    for (var j = li; j < cols; j += WG) {
      vv += sn_vectors[rows + j] * sn_vectors[rows + j];
    }
    let v_scale = 1.0 / max(sqrt(workgroup_reduce(li, li, WG, 1u, vv)), params.eps);
    for (var j = li; j < cols; j += WG) {
      sn_vectors[rows + j] = sn_vectors[rows + j] * v_scale;
    }
    workgroupBarrier();
    let u_scale = 1.0 / max(sqrt(workgroup_reduce(li, li, WG, 1u, fused_w_v(li, true))), params.eps);
    var dot = 0.0;
    for (var i = li; i < rows; i += WG) {
      let wv = sn_vectors[i];
      let u = wv * u_scale;
      sn_vectors[i] = u;
      dot += u * wv;
    }
    sigma_value = workgroup_reduce(li, li, WG, 1u, dot); // σ̃ = ũᵀWṽ with the new ũ, ṽ
  }
  if (params.rounds > 0u) {
    for (var i = li; i < rows; i += WG) {
      u_state[i] = sn_vectors[i];
    }
    for (var j = li; j < cols; j += WG) {
      v_state[j] = sn_vectors[rows + j];
    }
  }
  if (li == 0u) {
    s[0] = sigma_value;
  }
  for (var k = li; k < params.n; k += WG) {
    y[k] = mat[k] / sigma_value;
  }
}

// mat = G = ∂L/∂W̄, mat2 = W̄, z = ũ, x = ṽ, sigma = σ̃, y ← ∂L/∂W. One workgroup of WG threads.
@compute @workgroup_size(WG)
fn fused_backward(@builtin(local_invocation_index) li: u32) {
  var acc = 0.0;
  for (var k = li; k < params.n; k += WG) {
    acc += mat[k] * mat2[k];
  }
  let lambda = workgroup_reduce(li, li, WG, 1u, acc);
  let sig = sigma[0];
  for (var k = li; k < params.n; k += WG) {
    let i = k / params.cols;
    let j = k - i * params.cols;
    y[k] = (mat[k] - lambda * z[i] * x[j]) / sig;
  }
}
