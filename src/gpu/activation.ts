/** Activation functions the kernels can apply or fuse; codes match shaders/activation.wgsl. */
export type Activation = 'identity' | 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid';

export const ACTIVATION_CODE: Record<Activation, number> = {
  identity: 0,
  relu: 1,
  leaky_relu: 2,
  tanh: 3,
  sigmoid: 4,
};
