/** Float64 twin of shaders/adam.wgsl: Adam with bias correction (Kingma & Ba 2015, Algorithm 1). */

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export interface AdamState {
  param: Float64Array;
  m: Float64Array;
  v: Float64Array;
  /** Updates taken so far (the GPU's tick count). */
  t: number;
}

export function adamInit(param: ArrayLike<number>): AdamState {
  const n = param.length;
  return { param: Float64Array.from(param), m: new Float64Array(n), v: new Float64Array(n), t: 0 };
}

/** One optimizer update in place: t ← t + 1, then the moments and the parameter. */
export function adamStep(state: AdamState, grad: ArrayLike<number>, h: AdamHyper): void {
  state.t += 1;
  const correction1 = 1 - Math.pow(h.beta1, state.t);
  const correction2 = 1 - Math.pow(h.beta2, state.t);
  for (let i = 0; i < state.param.length; i++) {
    const g = grad[i];
    state.m[i] = h.beta1 * state.m[i] + (1 - h.beta1) * g;
    state.v[i] = h.beta2 * state.v[i] + (1 - h.beta2) * g * g;
    const mHat = state.m[i] / correction1;
    const vHat = state.v[i] / correction2;
    state.param[i] -= (h.lr * mHat) / (Math.sqrt(vHat) + h.eps);
  }
}
