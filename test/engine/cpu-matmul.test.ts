import { describe, expect, it } from 'vitest';
import { matmulInto } from '../../src/engine/cpu-matmul';
import { matmulReference, type MatmulReferenceOptions } from '../../src/reference/matmul';

/** Deterministic float32 values in [-1, 1). */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [7, 33, 1],
  [1, 127, 7],
  [33, 7, 127],
  [127, 33, 7],
];

describe('the CPU backend matmul', () => {
  // Same terms summed in the same order as the twin, so equal bit for bit, not within a tolerance.
  for (const [m, n, k] of SHAPES)
    for (const transA of [false, true])
      for (const transB of [false, true])
        it(`equals the float64 twin exactly: ${m}×${n}×${k}, transA ${transA}, transB ${transB}`, () => {
          const a = values(m * k, m + 3 * k);
          const b = values(k * n, n + 5 * k);
          const cases: MatmulReferenceOptions[] = [
            { m, n, k, transA, transB },
            { m, n, k, transA, transB, bias: values(n, 9), activation: 'leaky_relu', slope: 0.1 },
            { m, n, k, transA, transB, bias: values(n, 11), activation: 'tanh' },
            { m, n, k, transA, transB, c: values(m * n, 13) },
          ];
          for (const options of cases) {
            const out = new Float32Array(m * n);
            matmulInto(out, a, b, options);
            expect(Array.from(out)).toEqual(Array.from(new Float32Array(matmulReference(a, b, options))));
          }
        });

  it('writes only the m×n result and leaves the rest of a longer output alone', () => {
    const out = new Float32Array(10).fill(7);
    matmulInto(out, values(6, 1), values(6, 2), { m: 2, n: 3, k: 2 });
    expect(Array.from(out.subarray(6))).toEqual([7, 7, 7, 7]);
  });
});
