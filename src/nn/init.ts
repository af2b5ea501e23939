/**
 * Initial weights, drawn on the CPU from the run's seed so every variant starts from the same
 * numbers on either backend. Linear layers use PyTorch's default: W and b ~ U(−1/√fan_in,
 * 1/√fan_in) (kaiming_uniform with a = √5, which reduces to that bound).
 */
import { Rng } from '../reference/random';

export interface DenseInit {
  w: Float32Array;
  b: Float32Array;
}

export function initDense(rng: Rng, dOut: number, dIn: number): DenseInit {
  const bound = 1 / Math.sqrt(dIn);
  return { w: rng.uniformArray(dOut * dIn, -bound, bound), b: rng.uniformArray(dOut, -bound, bound) };
}

export function initDenseStack(seed: number, sizes: number[]): DenseInit[] {
  const rng = new Rng(seed);
  return sizes.slice(1).map((dOut, i) => initDense(rng, dOut, sizes[i]));
}
