/**
 * Initial weights, drawn on the CPU from the run's seed so every variant starts from the same
 * numbers on either backend. Linear layers use PyTorch's default: W and b ~ U(−1/√fan_in,
 * 1/√fan_in) (kaiming_uniform with a = √5, which reduces to that bound).
 */
import { Rng } from '../core/random';
import type { WeightInit } from './layer';

export interface LinearInit extends WeightInit {
  w: Float32Array;
  b: Float32Array;
}

/** One Linear layer's W (dOut × dIn) then b, from `rng`. */
export function initLinear(rng: Rng, dOut: number, dIn: number): LinearInit {
  const bound = 1 / Math.sqrt(dIn);
  return { w: rng.uniformArray(dOut * dIn, -bound, bound), b: rng.uniformArray(dOut, -bound, bound) };
}

/** The layers of `mlp` (src/nn/sequential.ts) from sizes[0] to the last size, in order, from one seed. */
export function initMlp(seed: number, sizes: number[]): LinearInit[] {
  const rng = new Rng(seed);
  return sizes.slice(1).map((dOut, i) => initLinear(rng, dOut, sizes[i]));
}
