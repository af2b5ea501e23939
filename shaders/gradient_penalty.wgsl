// WGAN-GP's gradient penalty (Gulrajani et al. 2017), the pieces that are not plain matmuls:
//   mix_rows:      x̂[i, j] = ε_i·real[i, j] + (1 − ε_i)·fake[i, j]          (rows × cols)
//   penalty_seed:  with g = ∇ₓ̂ D(x̂) (rows × cols) and R = (λ/rows)·Σ_i (‖g_i‖ − 1)²,
//                  seed[i, :] = ∂R/∂g_i = (2λ/rows)·(‖g_i‖ − 1)/‖g_i‖ · g_i (0 where g_i = 0),
//                  stats[0] = R. One workgroup; each thread takes rows lid, lid + WG, …
// The seed is then pushed back through D's input-gradient computation (see src/nn) to get ∂R/∂W.
// Bindings (group 0, numbered only in the declarations below; launchers bind by name): params
//   { rows, cols, lambda, row_stride }, a (read: real, or g), b (read: fake), eps (read, rows),
//   out (read_write: x̂ or seed), stats (read_write, 1).
override WG: u32 = 64u;   // power of two

struct Params {
  rows: u32,
  cols: u32,
  lambda: f32,
  row_stride: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> eps: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;

alias ReduceValue = f32;
var<workgroup> reduce_scratch: array<ReduceValue, WG>;
#include "lib/workgroup_reduce.wgsl"

@compute @workgroup_size(WG)
fn mix_rows(@builtin(global_invocation_id) id: vec3<u32>) {
  let k = id.y * params.row_stride + id.x;
  if (k >= params.rows * params.cols) { return; }
  let e = eps[k / params.cols];
  out[k] = e * a[k] + (1.0 - e) * b[k];
}

@compute @workgroup_size(WG)
fn penalty_seed(@builtin(local_invocation_index) lid: u32) {
  var sum = 0.0;
  for (var i = lid; i < params.rows; i += WG) {
    let row = i * params.cols;
    var sq = 0.0;
    for (var j = 0u; j < params.cols; j++) {
      sq += a[row + j] * a[row + j];
    }
    let norm = sqrt(sq);
    sum += (norm - 1.0) * (norm - 1.0);
    let factor = select(0.0, 2.0 * params.lambda / f32(params.rows) * (norm - 1.0) / norm, norm > 0.0);
    for (var j = 0u; j < params.cols; j++) {
      out[row + j] = factor * a[row + j];
    }
  }
  let total = workgroup_reduce(lid, lid, WG, 1u, sum);
  if (lid == 0u) {
    stats[0] = params.lambda / f32(params.rows) * total;
  }
}
