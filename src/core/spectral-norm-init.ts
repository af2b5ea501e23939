/**
 * Where spectral normalization starts: the initial ũ, ṽ every layer draws from its seed. Shared by
 * the WGSL launcher (src/gpu/kernels/spectral-norm.ts), its float64 twin and the CPU backend's
 * normalization wrapper, so every backend starts a run from the same vectors.
 */
import { Rng } from './random';

/** PyTorch's normalize(eps = 1e-12): x / max(‖x‖₂, ε). */
export function normalize(x: ArrayLike<number>, eps = 1e-12): Float64Array {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  const scale = 1 / Math.max(Math.sqrt(sum), eps);
  return Float64Array.from(x, (value) => value * scale);
}

/**
 * The initial ũ ~ N(0, I) drawn once per layer from the seed (then ṽ from the same stream), both
 * scaled to unit length as PyTorch does, rounded to float32 so the GPU and the twin start equal.
 */
export function spectralNormInitialVectors(
  dOut: number,
  dIn: number,
  seed: number,
): { u: Float32Array; v: Float32Array } {
  const rng = new Rng(seed);
  const u = Float32Array.from(normalize(Float64Array.from({ length: dOut }, () => rng.normal())));
  const v = Float32Array.from(normalize(Float64Array.from({ length: dIn }, () => rng.normal())));
  return { u, v };
}
