// Counter-based random numbers on the GPU, so a training step draws its noise and its data
// without any upload from the CPU. A value is a pure function of (seed, stream, counter, index):
// the CPU twin (src/reference/counter-rng.ts) reproduces it bit for bit in the integer part.
// Bindings (group 0, numbered only in the declarations below; launchers bind by name):
//   params: { n: u32, seed: u32, stream: u32, anchor_count: u32, noise_std: f32, row_stride: u32 }
//   counter: array<u32> (read_write; [0] is the draw counter, advanced by `tick`)
//   normal:          out: array<f32>, n values ~ N(0, noise_std²)
//   sample_rows:     out: params.n = rows·dim floats, rows uniformly chosen rows of `anchors` (anchor_count × dim),
//                    the same choice per index as sample_anchors; one thread per output float
//   uniform_draw:    out: array<f32>, n values ~ U(0, 1) (open interval)
//   sample_anchors:  out: n points (2n floats): a uniformly chosen anchor + N(0, noise_std²) noise
//                    anchors: array<f32>, anchor_count × 2, row-major
override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  n: u32,
  seed: u32,
  stream: u32,
  anchor_count: u32,
  noise_std: f32,
  row_stride: u32,
  dim: u32,          // sample_rows: floats per row
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> counter: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> anchors: array<f32>;

// PCG-RXS-M-XS 32-bit output function (Jarzynski & Olano, "Hash Functions for GPU Rendering", 2020).
fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn random_bits(index: u32, draw: u32) -> u32 {
  return pcg_hash(index ^ pcg_hash(draw ^ pcg_hash(params.stream ^ pcg_hash(params.seed))));
}

// Uniform in (0, 1): 24 random bits, offset by half a step so log() never sees 0.
fn uniform01(bits: u32) -> f32 {
  return (f32(bits >> 8u) + 0.5) * (1.0 / 16777216.0);
}

fn gaussian(index: u32, draw: u32) -> f32 {
  // Box–Muller on two independent uniforms; the cosine branch only. The angle is kept in
  // [−π, π], the range where WGSL bounds cos's error (2^-11 absolute); the shift only flips sign.
  let u1 = uniform01(random_bits(2u * index, draw));
  let u2 = uniform01(random_bits(2u * index + 1u, draw));
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * (u2 - 0.5));
}

@compute @workgroup_size(1)
fn tick() {
  counter[0] = counter[0] + 1u;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn normal(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.y * params.row_stride + id.x;
  if (i >= params.n) { return; }
  out[i] = params.noise_std * gaussian(i, counter[0]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn uniform_draw(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.y * params.row_stride + id.x;
  if (i >= params.n) { return; }
  out[i] = uniform01(random_bits(i, counter[0]));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sample_anchors(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.y * params.row_stride + id.x;
  if (i >= params.n) { return; }
  let draw = counter[0];
  // The anchor choice uses bit index 3i (< 3n); the noise uses Gaussian indices from 2n on, whose
  // bit indices start at 4n, so no two draws share random bits.
  let a = random_bits(3u * i, draw) % params.anchor_count;
  out[2u * i] = anchors[2u * a] + params.noise_std * gaussian(params.n * 2u + 2u * i, draw);
  out[2u * i + 1u] = anchors[2u * a + 1u] + params.noise_std * gaussian(params.n * 2u + 2u * i + 1u, draw);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sample_rows(@builtin(global_invocation_id) id: vec3<u32>) {
  let k = id.y * params.row_stride + id.x;
  if (k >= params.n) { return; }   // n = rows × dim threads here
  let i = k / params.dim;
  let a = random_bits(3u * i, counter[0]) % params.anchor_count;
  out[k] = anchors[a * params.dim + k % params.dim];
}
