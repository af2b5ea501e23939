/** Float64 twins of shaders/elementwise.wgsl and shaders/lib/activation.wgsl. */
import type { Activation } from '../core/activation';

export function activate(x: number, activation: Activation, slope = 0): number {
  switch (activation) {
    case 'relu':
      return Math.max(x, 0);
    case 'leaky_relu':
      return x > 0 ? x : slope * x;
    case 'tanh':
      return Math.tanh(x);
    case 'sigmoid':
      return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    case 'identity':
      return x;
  }
}

/** d act / dx expressed through the output y (see shaders/lib/activation.wgsl for why that is exact). */
export function activationGradFromOutput(y: number, activation: Activation, slope = 0): number {
  switch (activation) {
    case 'relu':
      return y > 0 ? 1 : 0;
    case 'leaky_relu':
      return y > 0 ? 1 : slope;
    case 'tanh':
      return 1 - y * y;
    case 'sigmoid':
      return y * (1 - y);
    case 'identity':
      return 1;
  }
}

export function activationForward(x: ArrayLike<number>, activation: Activation, slope = 0): Float64Array {
  return Float64Array.from(x, (v) => activate(v, activation, slope));
}

export function activationBackward(
  y: ArrayLike<number>,
  dy: ArrayLike<number>,
  activation: Activation,
  slope = 0,
): Float64Array {
  return Float64Array.from(y, (v, i) => dy[i] * activationGradFromOutput(v, activation, slope));
}

/** alpha·a + beta·b, plus `into` (the previous output) when accumulating. */
export function axpby(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  alpha: number,
  beta: number,
  into?: ArrayLike<number>,
): Float64Array {
  return Float64Array.from(a, (v, i) => alpha * v + beta * b[i] + (into ? into[i] : 0));
}

export function scale(x: ArrayLike<number>, alpha: number): Float64Array {
  return Float64Array.from(x, (v) => alpha * v);
}
