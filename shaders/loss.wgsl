// GAN losses on discriminator logits, with their gradients and a small statistics record, in one
// workgroup (batches up to a few thousand: each thread loops over its logits, then a tree).
//
// MODE 0 standard (BCE with logits, written with softplus(z) = log(1 + e^z), stable for any z):
//   D: mean softplus(−l_real) + mean softplus(l_fake)     G (non-saturating): mean softplus(−l_fake)
// MODE 1 hinge:
//   D: mean max(0, 1 − l_real) + mean max(0, 1 + l_fake)   G: −mean l_fake
// MODE 2 wgan (critic; weight clipping or a gradient penalty are applied elsewhere):
//   D: mean l_fake − mean l_real                           G: −mean l_fake
// Gradients are of the scalar loss, the 1/N of each mean included:
//   standard D: d_real = −σ(−l)/Nr, d_fake = σ(l)/Nf;  G: d_fake = −σ(−l)/Nf
//   hinge D:    d_real = −1/Nr where l < 1 else 0, d_fake = 1/Nf where l > −1 else 0 (0 at the kinks,
//               as ReLU's derivative at 0);  G: −1/Nf
//   wgan D:     d_real = −1/Nr, d_fake = 1/Nf;  G: −1/Nf
// Statistics, 3 floats at stats[stats_offset …]:
//   [0] the loss
//   [1] mean D(x) over the real batch: mean σ(l_real) for standard, mean l_real (raw critic score) for
//       hinge and wgan; the generator entry point has no real batch and writes 0
//   [2] mean D(G(z)) over the fake batch, the same way
//
// Bindings (group 0, numbered only in the declarations below; launchers bind by name):
//   params { n_real, n_fake, stats_offset }, real (read), fake (read), d_real (read_write),
//   d_fake (read_write), stats (read_write)
//   members (uniform, lib/members.wgsl): the member offsets, slots REAL_SLOT … STATS_SLOT below
// Entry points: discriminator (all), discriminator_joint (params, real, d_real, stats, members: the
// real logits then the fake ones in one array, the same arithmetic as discriminator), generator
// (params, fake, d_fake, stats, members). Dispatch
// exactly one workgroup per member: grid z is the member (src/gpu/members.ts), and every access
// is shifted by that member's offset for its binding (zero when not batched).
#include "lib/members.wgsl"

override MODE: u32 = 0u;
// Threads in the one workgroup: a power of two (the tree), the device profile's reductionWorkgroup.
override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  n_real: u32,
  n_fake: u32,
  stats_offset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> real: array<f32>;
@group(0) @binding(2) var<storage, read> fake: array<f32>;
@group(0) @binding(3) var<storage, read_write> d_real: array<f32>;
@group(0) @binding(4) var<storage, read_write> d_fake: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;
@group(0) @binding(6) var<uniform> members: Members;

// The launchers' member slots (LOSS_MEMBER_SLOTS in src/gpu/kernels/loss.ts).
const REAL_SLOT: u32 = 0u;
const FAKE_SLOT: u32 = 1u;
const D_REAL_SLOT: u32 = 2u;
const D_FAKE_SLOT: u32 = 3u;
const STATS_SLOT: u32 = 4u;

// Per lane: (real loss terms, real D values, fake loss terms, fake D values).
alias ReduceValue = vec4<f32>;
var<workgroup> reduce_scratch: array<ReduceValue, WORKGROUP_SIZE>;
#include "lib/workgroup_reduce.wgsl"

// σ(z) without overflow: exp only ever sees −|z|.
fn sigmoid(z: f32) -> f32 {
  let e = exp(-abs(z));
  if (z >= 0.0) { return 1.0 / (1.0 + e); }
  return e / (1.0 + e);
}

// log(1 + e) for e in [0, 1], accurate for small e (Kahan: the rounding of 1 + e cancels).
fn log1p_unit(e: f32) -> f32 {
  let u = 1.0 + e;
  if (u == 1.0) { return e; }
  return log(u) * (e / (u - 1.0));
}

// softplus(z) = log(1 + e^z) = max(z, 0) + log(1 + e^−|z|): never overflows, exact for large |z|.
fn softplus(z: f32) -> f32 {
  return max(z, 0.0) + log1p_unit(exp(-abs(z)));
}

// A logit the loss wants high (the real batch in D, the fake batch in G for the standard loss):
// (loss term, d term / d logit, D value).
fn judged_real(l: f32) -> vec3<f32> {
  switch MODE {
    case 0u: { return vec3<f32>(softplus(-l), -sigmoid(-l), sigmoid(l)); }
    case 1u: { return vec3<f32>(max(0.0, 1.0 - l), select(0.0, -1.0, l < 1.0), l); }
    default: { return vec3<f32>(-l, -1.0, l); }
  }
}

// A fake logit in D's loss.
fn judged_fake(l: f32) -> vec3<f32> {
  switch MODE {
    case 0u: { return vec3<f32>(softplus(l), sigmoid(l), sigmoid(l)); }
    case 1u: { return vec3<f32>(max(0.0, 1.0 + l), select(0.0, 1.0, l > -1.0), l); }
    default: { return vec3<f32>(l, 1.0, l); }
  }
}

// A fake logit in G's loss: non-saturating for standard, −l for hinge and wgan.
fn generator_term(l: f32) -> vec3<f32> {
  if (MODE == 0u) { return judged_real(l); }
  return vec3<f32>(-l, -1.0, l);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn discriminator(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let real0 = member_offset(REAL_SLOT, wid.z);
  let fake0 = member_offset(FAKE_SLOT, wid.z);
  let d_real0 = member_offset(D_REAL_SLOT, wid.z);
  let d_fake0 = member_offset(D_FAKE_SLOT, wid.z);
  let stats0 = member_offset(STATS_SLOT, wid.z) + params.stats_offset;
  let n_real = f32(params.n_real);
  let n_fake = f32(params.n_fake);
  var acc = vec4<f32>(0.0);
  for (var i = li; i < params.n_real; i += WORKGROUP_SIZE) {
    let t = judged_real(real[real0 + i]);
    d_real[d_real0 + i] = t.y / n_real;
    acc.x += t.x;
    acc.y += t.z;
  }
  for (var i = li; i < params.n_fake; i += WORKGROUP_SIZE) {
    let t = judged_fake(fake[fake0 + i]);
    d_fake[d_fake0 + i] = t.y / n_fake;
    acc.z += t.x;
    acc.w += t.z;
  }
  let total = workgroup_reduce(li, li, WORKGROUP_SIZE, 1u, acc);
  if (li == 0u) {
    stats[stats0] = total.x / n_real + total.z / n_fake;
    stats[stats0 + 1u] = total.y / n_real;
    stats[stats0 + 2u] = total.w / n_fake;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn generator(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let fake0 = member_offset(FAKE_SLOT, wid.z);
  let d_fake0 = member_offset(D_FAKE_SLOT, wid.z);
  let stats0 = member_offset(STATS_SLOT, wid.z) + params.stats_offset;
  let n_fake = f32(params.n_fake);
  var acc = vec4<f32>(0.0);
  for (var i = li; i < params.n_fake; i += WORKGROUP_SIZE) {
    let t = generator_term(fake[fake0 + i]);
    d_fake[d_fake0 + i] = t.y / n_fake;
    acc.z += t.x;
    acc.w += t.z;
  }
  let total = workgroup_reduce(li, li, WORKGROUP_SIZE, 1u, acc);
  if (li == 0u) {
    stats[stats0] = total.z / n_fake;
    stats[stats0 + 1u] = 0.0;
    stats[stats0 + 2u] = total.w / n_fake;
  }
}

// D's loss on one joint batch: real logits at real[0, n_real), fake ones right after them, and the
// gradients in the same places of d_real. The loops and the tree are discriminator's, so each value
// is what discriminator computes from the halves (the trainer's D pass over real and generated rows
// at once; one written binding, so the members of a batched dispatch may sit side by side).
@compute @workgroup_size(WORKGROUP_SIZE)
fn discriminator_joint(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let real0 = member_offset(REAL_SLOT, wid.z);
  let d_real0 = member_offset(D_REAL_SLOT, wid.z);
  let fake0 = real0 + params.n_real;
  let d_fake0 = d_real0 + params.n_real;
  let stats0 = member_offset(STATS_SLOT, wid.z) + params.stats_offset;
  let n_real = f32(params.n_real);
  let n_fake = f32(params.n_fake);
  var acc = vec4<f32>(0.0);
  for (var i = li; i < params.n_real; i += WORKGROUP_SIZE) {
    let t = judged_real(real[real0 + i]);
    d_real[d_real0 + i] = t.y / n_real;
    acc.x += t.x;
    acc.y += t.z;
  }
  for (var i = li; i < params.n_fake; i += WORKGROUP_SIZE) {
    let t = judged_fake(real[fake0 + i]);
    d_real[d_fake0 + i] = t.y / n_fake;
    acc.z += t.x;
    acc.w += t.z;
  }
  let total = workgroup_reduce(li, li, WORKGROUP_SIZE, 1u, acc);
  if (li == 0u) {
    stats[stats0] = total.x / n_real + total.z / n_fake;
    stats[stats0 + 1u] = total.y / n_real;
    stats[stats0 + 2u] = total.w / n_fake;
  }
}
