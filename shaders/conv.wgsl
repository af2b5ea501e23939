// Convolution as matmul: the data-movement kernels around the matmul, im2col and col2im. Uses
// lib/activation.wgsl (fn activate, override ACT), included below, which col2im uses to fuse a
// transposed convolution's activation. (Bias gradients are column sums: shaders/reduce.wgsl.)
//
// Layout. The "image" is NHWC row-major: image[((b * img_h + y) * img_w + x) * channels + c].
// The patch grid is what a convolution of the image with a kh×kw kernel, stride `stride` and
// zero padding `pad` produces: grid_h = (img_h + 2·pad − kh) / stride + 1 (floor), same for w.
// The column matrix has one row per grid position and one column per patch element:
//   cols[(b·grid_h + oy)·grid_w + ox][c·kh·kw + ky·kw + kx]   (row length K = channels·kh·kw)
//     = image[b][oy·stride − pad + ky][ox·stride − pad + kx][c]   (0 outside the image)
// so a conv weight in PyTorch order [Cout][Cin][kh][kw] is exactly a Cout × K matrix.
//
// Entry points and bindings (group 0, numbered only in the declarations below; launchers bind by name):
//   im2col       params   src = image (read)   dst = cols (write)
//                one thread per cols element.
//   col2im       params   src = cols (read)    dst = image (read_write)
//   col2im_bias  params   src = cols (read)    dst = image (read_write)   bias (read, length channels)
//                GATHER form: one thread per image element sums every cols entry that im2col would
//                have copied from it (at most ceil(kh/stride)·ceil(kw/stride) of them), so no atomics
//                and a deterministic summation order:
//                image = act(sum (+ bias[c]) (+ image if params.accumulate)).
// im2col and col2im run on a 1-D index spread over a 2-D grid when it exceeds 65535 workgroups.
//
// Members (src/gpu/members.ts): every entry point also binds `members`, the uniform member table.
// workgroup_id.z is the member (workgroups are 1 deep, so global_invocation_id.z is too); every
// access to src, dst and bias is offset by that member's element offset, slot 0 = src, 1 = dst,
// 2 = bias (the launchers' slot lists: im2col ['image', 'cols'], col2im ['cols', 'image', 'bias']).
// Unbatched: offsets 0, z = 1.
#include "lib/activation.wgsl"
#include "lib/members.wgsl"

override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  batch: u32,
  img_h: u32,
  img_w: u32,
  channels: u32,
  grid_h: u32,
  grid_w: u32,
  kh: u32,
  kw: u32,
  stride: u32,
  pad: u32,
  total: u32,        // threads that do work: cols elements (im2col) or image elements (col2im)
  row_stride: u32,   // threads per grid row = workgroups in x * WORKGROUP_SIZE
  accumulate: u32,   // col2im: 1 adds to what dst holds
  slope: f32,        // col2im: LeakyReLU slope
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<uniform> members: Members;

const SLOT_SRC: u32 = 0u;
const SLOT_DST: u32 = 1u;
const SLOT_BIAS: u32 = 2u;

fn flat_index(id: vec3<u32>) -> u32 {
  return id.y * params.row_stride + id.x;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn im2col(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = flat_index(id);
  if (i >= params.total) { return; }
  let taps = params.kh * params.kw;
  let k = params.channels * taps;
  let row = i / k;
  let col = i - row * k;
  let c = col / taps;
  let tap = col - c * taps;
  let ky = tap / params.kw;
  let kx = tap - ky * params.kw;
  let ox = row % params.grid_w;
  let rest = row / params.grid_w;
  let oy = rest % params.grid_h;
  let b = rest / params.grid_h;
  let y = i32(oy * params.stride + ky) - i32(params.pad);
  let x = i32(ox * params.stride + kx) - i32(params.pad);
  var value = 0.0;
  if (y >= 0 && y < i32(params.img_h) && x >= 0 && x < i32(params.img_w)) {
    let pixel = (b * params.img_h + u32(y)) * params.img_w + u32(x);
    value = src[member_offset(SLOT_SRC, id.z) + pixel * params.channels + c];
  }
  dst[member_offset(SLOT_DST, id.z) + i] = value;
}

// Sum of every cols entry that im2col copies from image element i (NHWC flat index); the member's
// cols start at src[src0].
fn col2im_sum(i: u32, src0: u32) -> f32 {
  let c = i % params.channels;
  let pixel = i / params.channels;
  let x = pixel % params.img_w;
  let rest = pixel / params.img_w;
  let y = rest % params.img_h;
  let b = rest / params.img_h;
  let taps = params.kh * params.kw;
  let k = params.channels * taps;
  // Image row y is tap ky of grid row oy when oy·stride + ky = y + pad: ky ≡ (y + pad) mod stride,
  // ky ≤ y + pad, and oy = (y + pad − ky) / stride < grid_h. Likewise for columns.
  let ty = y + params.pad;
  let tx = x + params.pad;
  var sum = 0.0;
  for (var ky = ty % params.stride; ky < params.kh && ky <= ty; ky += params.stride) {
    let oy = (ty - ky) / params.stride;
    if (oy >= params.grid_h) { continue; }
    for (var kx = tx % params.stride; kx < params.kw && kx <= tx; kx += params.stride) {
      let ox = (tx - kx) / params.stride;
      if (ox >= params.grid_w) { continue; }
      let row = (b * params.grid_h + oy) * params.grid_w + ox;
      sum += src[src0 + row * k + c * taps + ky * params.kw + kx];
    }
  }
  return sum;
}

// Stores image element i of the member whose image starts at dst[dst0].
fn col2im_store(i: u32, dst0: u32, value: f32) {
  var v = value;
  if (params.accumulate != 0u) { v += dst[dst0 + i]; }
  dst[dst0 + i] = activate(v, params.slope);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn col2im(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = flat_index(id);
  if (i >= params.total) { return; }
  col2im_store(i, member_offset(SLOT_DST, id.z), col2im_sum(i, member_offset(SLOT_SRC, id.z)));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn col2im_bias(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = flat_index(id);
  if (i >= params.total) { return; }
  let bias0 = member_offset(SLOT_BIAS, id.z);
  let sum = col2im_sum(i, member_offset(SLOT_SRC, id.z));
  col2im_store(i, member_offset(SLOT_DST, id.z), sum + bias[bias0 + i % params.channels]);
}
