// Elementwise kernels over flat f32 arrays of length params.n.
// Uses lib/activation.wgsl (fn activate, activation_grad_from_output, override ACT), included below.
// Bindings (group 0, numbered only in the declarations below; launchers bind by name):
//   params: { n: u32, alpha: f32, beta: f32 }   alpha doubles as the LeakyReLU slope
//   activate:            first = x (read)    result = y                       y = act(x)
//   activate_backward:   first = y (read)    second = dy (read)   result2 = dx   dx = dy * act'(from y)
//   axpby:               first = a (read)    second = b (read)    result2 = out  out = alpha * a + beta * b
//   axpby_accumulate:    first = a (read)    second = b (read)    result2 = out  out += alpha * a + beta * b
//   scale:               first = x (read)    result = y                       y = alpha * x
//   members: the member offsets (lib/members.wgsl), slots below
// One thread per element; the grid is 2-D when n exceeds 65535 workgroups.
// Batched (src/gpu/members.ts): grid z is the member; each binding's accesses are shifted by that
// member's offset for its slot. The launchers number their arguments so that one slot per binding
// serves every entry point: activate (x, y), activate_backward (y, dy, dx), axpby (a, b, out).
#include "lib/activation.wgsl"
#include "lib/members.wgsl"

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
@group(0) @binding(5) var<uniform> members: Members;

const FIRST_SLOT: u32 = 0u;
const RESULT_SLOT: u32 = 1u;
const SECOND_SLOT: u32 = 1u;
const RESULT2_SLOT: u32 = 2u;

fn flat_index(id: vec3<u32>) -> u32 {
  return id.y * params.row_stride + id.x;
}

// Element i of this member's tensor in each binding (workgroup size is 1 in z, so id.z is the member).
fn first_at(id: vec3<u32>, i: u32) -> u32 { return member_offset(FIRST_SLOT, id.z) + i; }
fn result_at(id: vec3<u32>, i: u32) -> u32 { return member_offset(RESULT_SLOT, id.z) + i; }
fn second_at(id: vec3<u32>, i: u32) -> u32 { return member_offset(SECOND_SLOT, id.z) + i; }
fn result2_at(id: vec3<u32>, i: u32) -> u32 { return member_offset(RESULT2_SLOT, id.z) + i; }

@compute @workgroup_size(WORKGROUP_SIZE)
fn activate_forward(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = flat_index(id);
  if (i >= params.n) { return; }
  result[result_at(id, i)] = activate(first[first_at(id, i)], params.alpha);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn activate_backward(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = flat_index(id);
  if (i >= params.n) { return; }
  result2[result2_at(id, i)] = second[second_at(id, i)] * activation_grad_from_output(first[first_at(id, i)], params.alpha);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn axpby(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = flat_index(id);
  if (i >= params.n) { return; }
  result2[result2_at(id, i)] = params.alpha * first[first_at(id, i)] + params.beta * second[second_at(id, i)];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn axpby_accumulate(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = flat_index(id);
  if (i >= params.n) { return; }
  let o = result2_at(id, i);
  result2[o] = result2[o] + params.alpha * first[first_at(id, i)] + params.beta * second[second_at(id, i)];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn scale(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = flat_index(id);
  if (i >= params.n) { return; }
  result[result_at(id, i)] = params.alpha * first[first_at(id, i)];
}
