import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/core/activation';
import { activationBackwardInto, activationInto, im2colInto } from '../../src/engine/cpu-loops';
import { im2col } from '../../src/reference/conv';
import { activationBackward, activationForward } from '../../src/reference/elementwise';

const ACTIVATIONS: Activation[] = ['identity', 'relu', 'leaky_relu', 'tanh', 'sigmoid'];

function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * 3;
  }
  return out;
}

describe('the CPU backend in-place loops', () => {
  for (const n of [1, 7, 33, 127])
    it(`give the twins' activations and their backward exactly (n = ${n})`, () => {
      const x = values(n + 3, n);
      const dy = values(n + 3, 2 * n + 1);
      for (const activation of ACTIVATIONS) {
        const y = new Float32Array(n + 3).fill(5);
        activationInto(y, x, n, activation, 0.2);
        expect(Array.from(y.subarray(0, n))).toEqual(
          Array.from(new Float32Array(activationForward(x.subarray(0, n), activation, 0.2))),
        );
        expect(y[n]).toBe(5);
        const dx = new Float32Array(n);
        activationBackwardInto(dx, y, dy, n, activation, 0.2);
        expect(Array.from(dx)).toEqual(
          Array.from(new Float32Array(activationBackward(y.subarray(0, n), dy, activation, 0.2))),
        );
      }
    });

  for (const [height, width, channels, k, stride, pad] of [
    [7, 5, 1, 3, 1, 1],
    [8, 8, 3, 4, 2, 1],
    [1, 1, 2, 3, 1, 1],
  ])
    it(`im2col equals the twin exactly, zeros included (${height}×${width}×${channels}, ${k}×${k}/${stride}, pad ${pad})`, () => {
      const g = { batch: 2, height, width, channels, kh: k, kw: k, stride, pad };
      const image = values(2 * height * width * channels, height * 31 + channels);
      const expected = new Float32Array(im2col(image, g));
      const cols = new Float32Array(expected.length).fill(9); // stale values must be overwritten
      im2colInto(cols, image, g);
      expect(Array.from(cols)).toEqual(Array.from(expected));
    });
});
