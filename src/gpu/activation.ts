import type { Activation } from '../core/activation';

export type { Activation };

/** Shader codes of the activations; they match shaders/lib/activation.wgsl. */
export const ACTIVATION_CODE: Record<Activation, number> = {
  identity: 0,
  relu: 1,
  leaky_relu: 2,
  tanh: 3,
  sigmoid: 4,
};
