// Weight normalization as Miyato et al. 2018 compare it (footnote 8): every row (output unit) of
// the rows × cols = d_out × d_in row-major weight divided by its ℓ2 norm, gain fixed to 1; and
// WGAN weight clipping.
//   forward:  norms[i] = max(‖W_i‖₂, ε) ;  W̄_i = W_i / norms[i]         (ε = params.eps)
//   backward: ∂L/∂W_i = (g_i − (g_i·W̄_i) W̄_i) / norms[i]
//   clip:     W ← clamp(W, −c, c) in place
// Bindings (group 0, numbered only in the declarations below; launchers bind by name), each entry
// point using the ones it names: params (uniform), input (read: W for forward, g = ∂L/∂W̄ for
// backward, rows×cols), normalized (read: W̄, backward), output (read_write: W̄, ∂L/∂W, or W for
// clip), norms (read_write, rows: written by forward, read by backward).
// forward and backward: one WG-thread workgroup per row (grid split over x, y past 65535 rows),
// a tree reduction in workgroup memory, then the row's elements; clip: one thread per element.
// WG is the device profile's reductionWorkgroup (src/gpu/tuning.ts; 256 on GPUs), also the clip grid's.
override WG: u32 = 256u;   // power of two (tree reduction)

struct Params {
  rows: u32,
  cols: u32,
  n: u32,            // rows·cols
  row_stride: u32,   // clip grid: threads per grid row
  eps: f32,
  clip: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> normalized: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;
@group(0) @binding(4) var<storage, read_write> norms: array<f32>;

alias ReduceValue = f32;
var<workgroup> reduce_scratch: array<ReduceValue, WG>;
#include "lib/workgroup_reduce.wgsl"

@compute @workgroup_size(WG)
fn forward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = wid.y * groups.x + wid.x;
  let base = i * params.cols;
  var acc = 0.0;
  if (i < params.rows) {
    for (var j = lid; j < params.cols; j += WG) {
      acc += input[base + j] * input[base + j];
    }
  }
  let norm = max(sqrt(workgroup_reduce(lid, lid, WG, 1u, acc)), params.eps);
  if (i >= params.rows) {
    return;
  }
  if (lid == 0u) {
    norms[i] = norm;
  }
  for (var j = lid; j < params.cols; j += WG) {
    output[base + j] = input[base + j] / norm;
  }
}

@compute @workgroup_size(WG)
fn backward(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = wid.y * groups.x + wid.x;
  let base = i * params.cols;
  var acc = 0.0;
  if (i < params.rows) {
    for (var j = lid; j < params.cols; j += WG) {
      acc += input[base + j] * normalized[base + j];
    }
  }
  let along = workgroup_reduce(lid, lid, WG, 1u, acc);
  if (i >= params.rows) {
    return;
  }
  let norm = norms[i];
  for (var j = lid; j < params.cols; j += WG) {
    output[base + j] = (input[base + j] - along * normalized[base + j]) / norm;
  }
}

@compute @workgroup_size(WG)
fn clip(@builtin(global_invocation_id) id: vec3<u32>) {
  let k = id.y * params.row_stride + id.x;
  if (k >= params.n) {
    return;
  }
  output[k] = clamp(output[k], -params.clip, params.clip);
}
