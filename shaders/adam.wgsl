// Adam (Kingma & Ba 2015) with bias correction, updating param, m and v in place.
// The step count t lives on the GPU so a training step never writes a buffer from the CPU:
// `tick` advances it once per optimizer update (encode it before that update's parameter
// kernels; dispatches in one pass see each other's writes), and `adam_update` derives the bias
// corrections 1 − β1^t, 1 − β2^t from it.
// Bindings (group 0, numbered only in the declarations below; launchers bind by name):
//   params (uniform): see Params; ln β arrives precomputed in float64 on the CPU.
//   tick:         counter (read_write, u32[1])             counter[0] += 1
//   adam_update:  grad (read, f32[n])   param (read_write, f32[n])
//                 m (read_write, f32[n])   v (read_write, f32[n])   step (read, u32[1])
//     m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g² ;
//     param ← param − lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + ε)
// One thread per element; the grid is 2-D when n exceeds 65535 workgroups (row_stride threads
// per grid row). t = 0 (no tick yet) divides by zero: always tick first.
// Batched (src/gpu/members.ts): grid z is the member, and each access is shifted by that member's
// offset for its binding (slots below; counter and step share STEP_SLOT, as the launchers' 'step').
// Members may share one step counter in adam_update (it only reads it); tick needs a counter each.
#include "lib/members.wgsl"

override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  n: u32,
  row_stride: u32,
  lr: f32,
  eps: f32,
  beta1: f32,
  one_minus_beta1: f32,
  beta2: f32,
  one_minus_beta2: f32,
  log_beta1: f32,   // ln β1, clamped to ≥ −80 so β1 = 0 needs no infinity
  log_beta2: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@group(0) @binding(5) var<storage, read_write> counter: array<u32>;
@group(0) @binding(6) var<storage, read> step: array<u32>;
@group(0) @binding(7) var<uniform> members: Members;

// The launchers' member slots (ADAM_MEMBER_SLOTS in src/gpu/kernels/adam.ts).
const PARAM_SLOT: u32 = 0u;
const GRAD_SLOT: u32 = 1u;
const M_SLOT: u32 = 2u;
const V_SLOT: u32 = 3u;
const STEP_SLOT: u32 = 4u;

// 1 − e^x for x ≤ 0. Near 0 this is tiny (1 − β2^t ≈ t·0.001 early on) and 1 − exp(x) would lose
// most of its digits to cancellation (and WGSL's exp/log are only accurate to a few ulps), so
// −expm1(x) is summed as a Taylor series there: Horner, x·(1 + x/2·(1 + x/3·(…(1 + x/11)))),
// truncation below 1e-8 relative for |x| ≤ 1.
fn one_minus_exp(x: f32) -> f32 {
  if (x < -1.0) {
    return 1.0 - exp(x);
  }
  var p = 1.0;
  for (var k = 11; k >= 2; k--) {
    p = 1.0 + x * p / f32(k);
  }
  return -x * p;
}

@compute @workgroup_size(1)
fn tick(@builtin(workgroup_id) wid: vec3<u32>) {
  let at = member_offset(STEP_SLOT, wid.z);
  counter[at] = counter[at] + 1u;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn adam_update(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.y * params.row_stride + id.x;
  if (i >= params.n) {
    return;
  }
  let member = id.z; // workgroup size 1 in z
  let t = f32(step[member_offset(STEP_SLOT, member)]);
  let correction1 = one_minus_exp(t * params.log_beta1);
  let correction2 = one_minus_exp(t * params.log_beta2);
  let ip = member_offset(PARAM_SLOT, member) + i;
  let ig = member_offset(GRAD_SLOT, member) + i;
  let im = member_offset(M_SLOT, member) + i;
  let iv = member_offset(V_SLOT, member) + i;
  let g = grad[ig];
  let m_new = params.beta1 * m[im] + params.one_minus_beta1 * g;
  let v_new = params.beta2 * v[iv] + params.one_minus_beta2 * (g * g);
  m[im] = m_new;
  v[iv] = v_new;
  param[ip] = param[ip] - params.lr * (m_new / correction1) / (sqrt(v_new / correction2) + params.eps);
}
