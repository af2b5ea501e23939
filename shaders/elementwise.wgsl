// Elementwise kernels over flat f32 arrays of length params.n.
// Uses lib/activation.wgsl (fn activate, activation_grad_from_output, override ACT), included below.
// Bindings (group 0, numbered only in the declarations below; launchers bind by name):
//   params: { n: u32, alpha: f32, beta: f32 }   alpha doubles as the LeakyReLU slope
//   activate:            first = x (read)    result = y                       y = act(x)
//   activate_backward:   first = y (read)    second = dy (read)   result2 = dx   dx = dy * act'(from y)
//   axpby:               first = a (read)    second = b (read)    result2 = out  out = alpha * a + beta * b
//   axpby_accumulate:    first = a (read)    second = b (read)    result2 = out  out += alpha * a + beta * b
//   scale:               first = x (read)    result = y                       y = alpha * x
// One thread per element; the grid is 2-D when n exceeds 65535 workgroups.
#include "lib/activation.wgsl"

override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  n: u32,
  alpha: f32,
  beta: f32,
  row_stride: u32,   // threads per grid row = workgroups in x * WORKGROUP_SIZE
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> first: array<f32>;
@group(0) @binding(2) var<storage, read_write> result: array<f32>;
@group(0) @binding(3) var<storage, read> second: array<f32>;
@group(0) @binding(4) var<storage, read_write> result2: array<f32>;

fn flat_index(id: vec3<u32>) -> u32 {
  return id.y * params.row_stride + id.x;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn activate_forward(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = flat_index(id);
  if (i >= params.n) { return; }
  result[i] = activate(first[i], params.alpha);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn activate_backward(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = flat_index(id);
  if (i >= params.n) { return; }
  result2[i] = second[i] * activation_grad_from_output(first[i], params.alpha);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn axpby(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = flat_index(id);
  if (i >= params.n) { return; }
  result2[i] = params.alpha * first[i] + params.beta * second[i];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn axpby_accumulate(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = flat_index(id);
  if (i >= params.n) { return; }
  result2[i] = result2[i] + params.alpha * first[i] + params.beta * second[i];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn scale(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = flat_index(id);
  if (i >= params.n) { return; }
  result[i] = params.alpha * first[i];
}
