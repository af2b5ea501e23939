// Shared activation functions for the shaders that fuse one (elementwise, the matmul epilogue,
// col2im): a module splices them in with the line `#include "lib/activation.wgsl"`
// (src/gpu/shader-source.ts). They declare no bindings.
// ACT: 0 identity, 1 ReLU, 2 LeakyReLU (slope passed at run time), 3 tanh, 4 sigmoid.
// Backward is written in terms of the OUTPUT y: every activation here is monotone, and LeakyReLU's
// slope is > 0, so sign(y) = sign(x) and the forward input need not be kept.
override ACT: u32 = 0u;

fn activate(x: f32, slope: f32) -> f32 {
  switch ACT {
    case 1u: { return max(x, 0.0); }
    case 2u: { return select(slope * x, x, x > 0.0); }
    case 3u: { return tanh(x); }
    case 4u: {
      // Split by sign so exp never overflows.
      if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
      let e = exp(x);
      return e / (1.0 + e);
    }
    default: { return x; }
  }
}

fn activation_grad_from_output(y: f32, slope: f32) -> f32 {
  switch ACT {
    case 1u: { return select(0.0, 1.0, y > 0.0); }
    case 2u: { return select(slope, 1.0, y > 0.0); }
    case 3u: { return 1.0 - y * y; }
    case 4u: { return y * (1.0 - y); }
    default: { return 1.0; }
  }
}
