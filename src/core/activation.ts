/**
 * The activation functions a layer can apply, shared by the WGSL launchers (which map them to
 * shader codes in src/gpu/activation.ts), the float64 twins and the layers.
 */
export type Activation = 'identity' | 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid';
