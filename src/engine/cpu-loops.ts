/**
 * In-place forms of the elementwise and im2col twins for the CPU backend: the same float64
 * arithmetic per element as src/reference/, written straight into the destination tensor. The
 * twins build a fresh array per call (through Float64Array.from with a callback), which made these
 * ops and the garbage collector a third of a CPU training step.
 */
import type { Activation } from '../core/activation';
import type { PatchGeometry } from '../core/conv-geometry';
import { activate, activationGradFromOutput } from '../reference/elementwise';

/** out[i] = act(x[i]) for i < n. */
export function activationInto(
  out: Float32Array,
  x: Float32Array,
  n: number,
  activation: Activation,
  slope: number,
): void {
  for (let i = 0; i < n; i++) out[i] = activate(x[i], activation, slope);
}

/** dx[i] = dy[i]·act′ expressed through the output y[i], for i < n. */
export function activationBackwardInto(
  dx: Float32Array,
  y: Float32Array,
  dy: Float32Array,
  n: number,
  activation: Activation,
  slope: number,
): void {
  for (let i = 0; i < n; i++) dx[i] = dy[i] * activationGradFromOutput(y[i], activation, slope);
}

/** The twin's im2col written into cols (zeros where a patch leaves the image). */
export function im2colInto(cols: Float32Array, image: Float32Array, g: PatchGeometry): void {
  const gh = Math.floor((g.height + 2 * g.pad - g.kh) / g.stride) + 1;
  const gw = Math.floor((g.width + 2 * g.pad - g.kw) / g.stride) + 1;
  const k = g.channels * g.kh * g.kw;
  for (let b = 0; b < g.batch; b++)
    for (let oy = 0; oy < gh; oy++)
      for (let ox = 0; ox < gw; ox++) {
        const row = ((b * gh + oy) * gw + ox) * k;
        for (let c = 0; c < g.channels; c++)
          for (let ky = 0; ky < g.kh; ky++) {
            const y = oy * g.stride - g.pad + ky;
            for (let kx = 0; kx < g.kw; kx++) {
              const x = ox * g.stride - g.pad + kx;
              const inside = y >= 0 && y < g.height && x >= 0 && x < g.width;
              cols[row + (c * g.kh + ky) * g.kw + kx] = inside
                ? image[((b * g.height + y) * g.width + x) * g.channels + c]
                : 0;
            }
          }
      }
}
