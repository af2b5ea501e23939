// Spectral normalization (Miyato et al. 2018, Algorithm 1) on the RAW weight W, viewed as the
// rows × cols = d_out × d_in row-major matrix (conv kernels as d_out × (d_in·kh·kw)).
// Persistent state: u (rows), v (cols), sigma (1 float). One power-iteration round is
//   mat_t_vec (v ← Wᵀu) · normalize_cols (v ← v / max(‖v‖, ε)) ·
//   mat_vec (wv ← Wv)   · normalize_rows_dot (u ← wv / max(‖wv‖, ε); sigma ← u·wv = uᵀWv)
// (ε = 1e-12, PyTorch's normalize). With zero rounds, mat_vec then dot_rows give sigma = uᵀWv.
// Forward:  divide_by_sigma        W̄ = W / σ
// Backward: row_dots, sum_rows     c = ⟨G, W̄⟩_F (paper eq. 12's λ)
//           backward               ∂L/∂W = (G − c·u vᵀ) / σ      (u, v held fixed)
// Bindings (group 0, numbered only in the declarations below; launchers bind by name), each entry
// point using the ones it names: params (uniform), mat (read: W or G, rows×cols), x (read, vector),
// y (read_write: vector or matrix out), s (read_write, 1 float: sigma out, or c), z (read, vector),
// sigma (read, 1 float), mat2 (read: W̄, rows×cols).
// Workgroups: mat_t_vec is TCOLS columns × TLANES row lanes (lanes reduced in workgroup memory);
// mat_vec and row_dots one WG-thread workgroup per row (grid split over x, y past 65535);
// norms and dots one WG-thread workgroup in all; elementwise ones one thread per element.
// Sizes come from the device profile (src/gpu/tuning.ts: WG = reductionWorkgroup, TCOLS/TLANES =
// spectralNorm); the defaults are GPU_TUNING's. The launcher sizes its grids with the same values.
override WG: u32 = 256u;      // power of two (tree reduction)
override TCOLS: u32 = 32u;
override TLANES: u32 = 8u;    // power of two (tree reduction)

struct Params {
  rows: u32,
  cols: u32,
  n: u32,            // rows·cols
  row_stride: u32,   // elementwise grid: threads per grid row
  eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> mat: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> s: array<f32>;
@group(0) @binding(5) var<storage, read> z: array<f32>;
@group(0) @binding(6) var<storage, read> sigma: array<f32>;
@group(0) @binding(7) var<storage, read> mat2: array<f32>;

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
