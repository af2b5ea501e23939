import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/gpu/activation';
import type { GpuContext } from '../../src/gpu/device';
import { chooseSplits, MATMUL_TUNING, prepareMatmul, type MatmulTuning } from '../../src/gpu/kernels/matmul';
import { matmulReference, transpose } from '../../src/reference/matmul';
import { Rng } from '../../src/reference/random';
import { expectClose, runAndRead, testGpu, type Tolerance } from '../helpers/gpu';

/** f32 unit roundoff. */
const U = 2 ** -24;

/**
 * Inputs are uniform in [−1, 1]. Each output is a k-term sum of products accumulated in f32 with
 * one rounding per term (fma), in k order within a k-slice. Its error is Σ δ_p·S_p over the
 * partial sums S_p with |δ_p| ≤ u: a random walk of k roundings, each proportional to a partial sum
 * that itself grows like √k, so the error grows like k·u (not √k·u). The worst seen over all cases
 * here is 1.3·u·k (TN 127×257×127; 1.1·u·k at k = 257): atol = 4u·k + 4u leaves ≥ 3× headroom, and
 * rtol = 4u covers the final rounding of C and of the bias add. A wrong index or a dropped term
 * moves an output by |a·b| (0.25 on average): ~4000× atol at k = 257 and still ~16× at
 * k = 65536 (atol 0.016). tanh and sigmoid add the error of one f32 transcendental, as in the
 * elementwise tests.
 */
function tolerance(k: number, activation: Activation = 'identity'): Tolerance {
  const transcendental = activation === 'tanh' || activation === 'sigmoid';
  return {
    atol: 4 * U * k + 4 * U + (transcendental ? 1e-6 : 0),
    rtol: transcendental ? 1e-5 : 4 * U,
  };
}

/** The same criterion as expectClose, without failing: does any element fall outside? */
function exceeds(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): boolean {
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol.atol + tol.rtol * Math.abs(expected[i]))) return true;
  }
  return false;
}

interface Case {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  bias?: boolean;
  activation?: Activation;
  slope?: number;
  accumulate?: boolean;
  splitK?: number;
  tuning?: Partial<MatmulTuning>;
}

const form = (c: { transA?: boolean; transB?: boolean }) => `${c.transA ? 'T' : 'N'}${c.transB ? 'T' : 'N'}`;

function describeCase(c: Case): string {
  const extras = [
    c.bias ? 'bias' : '',
    c.activation && c.activation !== 'identity' ? c.activation : '',
    c.accumulate ? 'accumulate' : '',
    c.splitK ? `splitK=${c.splitK}` : '',
    c.tuning ? `tuning=${JSON.stringify(c.tuning)}` : '',
  ].filter((s) => s);
  return `matmul.${form(c)} ${c.m}x${c.n}x${c.k}${extras.length ? ' ' + extras.join(' ') : ''}`;
}

/** Runs one case on the GPU and checks it against the twin; returns both for further checks. */
async function check(
  ctx: GpuContext,
  rng: Rng,
  c: Case,
  limits?: GPUSupportedLimits,
): Promise<{ got: Float32Array; want: Float64Array }> {
  const { m, n, k } = c;
  const a = rng.uniformArray(m * k);
  const b = rng.uniformArray(k * n);
  const bias = c.bias ? rng.uniformArray(n) : undefined;
  const c0 = c.accumulate ? rng.uniformArray(m * n) : undefined;
  const ba = ctx.buffers.storage('matmulTest.a', m * k, a);
  const bb = ctx.buffers.storage('matmulTest.b', k * n, b);
  const bc = ctx.buffers.storage('matmulTest.c', m * n, c0);
  const bbias = bias ? ctx.buffers.storage('matmulTest.bias', n, bias) : undefined;
  const label = describeCase(c);
  try {
    const kernel = prepareMatmul(limits ? { ...ctx, limits } : ctx, {
      a: ba,
      b: bb,
      c: bc,
      m,
      n,
      k,
      transA: c.transA,
      transB: c.transB,
      bias: bbias,
      activation: c.activation,
      slope: c.slope,
      accumulate: c.accumulate,
      splitK: c.splitK,
      tuning: c.tuning,
      label,
    });
    const got = await runAndRead(ctx, [kernel], bc, m * n);
    const want = matmulReference(a, b, {
      m,
      n,
      k,
      transA: c.transA,
      transB: c.transB,
      bias,
      activation: c.activation,
      slope: c.slope,
      c: c0,
    });
    expectClose(label, got, want, tolerance(k, c.activation));
    return { got, want };
  } finally {
    for (const buffer of [ba, bb, bc, bbias]) if (buffer) ctx.buffers.destroy(buffer);
  }
}

const AWKWARD = [1, 7, 33, 127, 257];
const FORMS = [
  { transA: false, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: false },
];
const ACTIVATIONS: Activation[] = ['identity', 'relu', 'leaky_relu', 'tanh', 'sigmoid'];

describe('matmul float64 twin', () => {
  it('matches a hand-computed 2×3 · 3×2, with bias and activation', () => {
    const a = [1, 2, 3, 4, 5, 6]; // [[1,2,3],[4,5,6]]
    const b = [7, 8, 9, 10, 11, 12]; // [[7,8],[9,10],[11,12]]
    // [[1·7+2·9+3·11, 1·8+2·10+3·12], [4·7+5·9+6·11, 4·8+5·10+6·12]]
    expect(Array.from(matmulReference(a, b, { m: 2, n: 2, k: 3 }))).toEqual([58, 64, 139, 154]);
    const bias = [-100, -200];
    expect(Array.from(matmulReference(a, b, { m: 2, n: 2, k: 3, bias }))).toEqual([-42, -136, 39, -46]);
    expect(Array.from(matmulReference(a, b, { m: 2, n: 2, k: 3, bias, activation: 'relu' }))).toEqual([0, 0, 39, 0]);
    const leaky = matmulReference(a, b, { m: 2, n: 2, k: 3, bias, activation: 'leaky_relu', slope: 0.5 });
    expect(Array.from(leaky)).toEqual([-21, -68, 39, -23]);
    // Accumulate: C + AB.
    expect(Array.from(matmulReference(a, b, { m: 2, n: 2, k: 3, c: [1, 2, 3, 4] }))).toEqual([59, 66, 142, 158]);
    // 3×1 · 1×2 outer product and 1×3 · 3×1 inner product.
    expect(Array.from(matmulReference([1, 2, 3], [4, 5], { m: 3, n: 2, k: 1 }))).toEqual([4, 5, 8, 10, 12, 15]);
    expect(Array.from(matmulReference([1, 2, 3], [4, 5, 6], { m: 1, n: 1, k: 3 }))).toEqual([32]);
  });

  it('transposed storage gives the same product as NN', () => {
    const rng = new Rng(21);
    for (const [m, n, k] of [
      [1, 1, 1],
      [2, 3, 4],
      [7, 5, 3],
      [33, 17, 9],
    ]) {
      const a = rng.uniformArray(m * k);
      const b = rng.uniformArray(k * n);
      const nn = matmulReference(a, b, { m, n, k });
      const at = transpose(a, m, k); // k×m
      const bt = transpose(b, k, n); // n×k
      expect(matmulReference(at, b, { m, n, k, transA: true })).toEqual(nn);
      expect(matmulReference(a, bt, { m, n, k, transB: true })).toEqual(nn);
      expect(matmulReference(at, bt, { m, n, k, transA: true, transB: true })).toEqual(nn);
      // (AB)ᵀ = BᵀAᵀ
      expect(matmulReference(bt, at, { m: n, n: m, k })).toEqual(transpose(nn, m, n));
    }
  });

  it('rejects accumulate together with bias or activation', () => {
    expect(() => matmulReference([1], [1], { m: 1, n: 1, k: 1, c: [0], bias: [1] })).toThrow();
    expect(() => matmulReference([1], [1], { m: 1, n: 1, k: 1, c: [0], activation: 'relu' })).toThrow();
  });

  it('the tolerance catches one wrong term', () => {
    // A dropped k-edge term (an off-by-one bounds check) or two swapped k indices must fail it.
    const rng = new Rng(8);
    for (const [m, n, k] of [
      [33, 7, 2],
      [7, 33, 33],
      [16, 16, 257],
      [4, 4, 4096],
      [4, 4, 65536],
    ]) {
      const a = rng.uniformArray(m * k);
      const b = rng.uniformArray(k * n);
      const want = matmulReference(a, b, { m, n, k });
      const dropped = Float32Array.from(a, (v, i) => (i % k === k - 1 ? 0 : v));
      expect(exceeds(matmulReference(dropped, b, { m, n, k }), want, tolerance(k))).toBe(true);
      const swapped = Float32Array.from(b, (v, i) => (i < n ? b[i + n] : i < 2 * n ? b[i - n] : v));
      expect(exceeds(matmulReference(a, swapped, { m, n, k }), want, tolerance(k))).toBe(true);
    }
  });
});

/**
 * Small tilings for the feature matrix (epilogues, accumulate, split-K, mixed vec4/scalar paths):
 * the shader is the same, only override values differ, and these compile in ~0.2 s on SwiftShader
 * where the default 64×64×16 tiling takes ~1.3 s per variant. SMALL_A loops twice over its A tile
 * loads (32 threads, 64 vec4s); SMALL_B has more threads than A-tile vec4s and TILE_K = 4.
 */
const SMALL_A: Partial<MatmulTuning> = { WG_X: 4, WG_Y: 8, TILE_K: 8, GROUP_M: 3 };
const SMALL_B: Partial<MatmulTuning> = { WG_X: 8, WG_Y: 4, TILE_K: 4, GROUP_M: 2 };

describe("matmul kernel (the device profile's default tiling) against the float64 twin", () => {
  for (const f of FORMS) {
    it(`${form(f)} on every combination of m, n, k in {1, 7, 33, 127, 257}`, async () => {
      const ctx = await testGpu();
      const rng = new Rng(100);
      for (const m of AWKWARD)
        for (const n of AWKWARD) for (const k of AWKWARD) await check(ctx, rng, { m, n, k, ...f });
    });

    it(`${form(f)} with vec4 loads and stores, on whole and on ragged tiles`, async () => {
      const ctx = await testGpu();
      const rng = new Rng(200);
      // Whole 64×64×16 tiles: no bounds checks at all.
      for (const [m, n, k] of [
        [64, 64, 16],
        [128, 64, 48],
        [64, 192, 256],
      ]) {
        await check(ctx, rng, { m, n, k, ...f });
      }
      // Multiples of 4 that leave ragged tiles in m, n and k; the last one has more tile rows than
      // GROUP_M and several tile columns.
      for (const [m, n, k] of [
        [4, 4, 4],
        [68, 36, 20],
        [12, 260, 132],
        [600, 136, 8],
      ]) {
        await check(ctx, rng, { m, n, k, ...f });
      }
    });
  }

  it('tall-skinny shapes of the first conv layer at batch 64 (65536×27 · 27×64) and its backward', async () => {
    const ctx = await testGpu();
    const rng = new Rng(800);
    // Forward: patches (65536×27) · weights (27×64) + bias, LeakyReLU.
    await check(ctx, rng, { m: 65536, n: 64, k: 27, bias: true, activation: 'leaky_relu', slope: 0.1 });
    // Weight gradient: Xᵀ (X stored 65536×27) · dY (65536×64), accumulated; split-K by default.
    await check(ctx, rng, { m: 27, n: 64, k: 65536, transA: true, accumulate: true });
    // Input gradient dY · Wᵀ (W stored 27×64), at batch 16 to keep SwiftShader quick.
    await check(ctx, rng, { m: 16384, n: 27, k: 64, transB: true });
  });
});

describe('matmul kernel features (small tilings) against the float64 twin', () => {
  it('mixes vec4 and scalar paths when only some dimensions are multiples of 4', async () => {
    const ctx = await testGpu();
    const rng = new Rng(250);
    for (const f of FORMS) {
      for (const [m, n, k] of [
        [7, 64, 36],
        [36, 7, 36],
        [36, 36, 7],
        [65, 68, 64],
      ]) {
        await check(ctx, rng, { m, n, k, ...f, tuning: SMALL_A });
      }
    }
  });

  it('fuses bias and every activation, in every form, with scalar and vec4 stores', async () => {
    const ctx = await testGpu();
    const rng = new Rng(300);
    for (const activation of ACTIVATIONS) {
      for (const [i, f] of FORMS.entries()) {
        for (const bias of [true, false]) {
          if (activation === 'identity' && !bias) continue; // the plain product, covered above
          const tuning = i % 2 === 0 ? SMALL_A : SMALL_B;
          for (const [m, n, k] of [
            [33, 127, 7], // scalar C
            [36, 68, 20], // vec4 C
          ]) {
            await check(ctx, rng, { m, n, k, ...f, bias, activation, slope: 0.2, tuning });
          }
        }
      }
    }
  });

  it('accumulates into C, in every form, with scalar and vec4 stores', async () => {
    const ctx = await testGpu();
    const rng = new Rng(400);
    for (const f of FORMS) {
      for (const [m, n, k] of [
        [1, 1, 1],
        [33, 127, 7],
        [36, 68, 20],
      ]) {
        await check(ctx, rng, { m, n, k, ...f, accumulate: true, tuning: SMALL_A });
      }
    }
  });

  it('split-K sums k-slices in order and applies the epilogue once', async () => {
    const ctx = await testGpu();
    const rng = new Rng(500);
    await check(ctx, rng, { m: 33, n: 7, k: 257, splitK: 3, tuning: SMALL_A });
    await check(ctx, rng, {
      m: 7,
      n: 33,
      k: 257,
      transB: true,
      splitK: 5,
      bias: true,
      activation: 'tanh',
      tuning: SMALL_A,
    });
    await check(ctx, rng, { m: 64, n: 68, k: 300, transA: true, splitK: 4, accumulate: true, tuning: SMALL_B });
    await check(ctx, rng, {
      m: 36,
      n: 64,
      k: 64,
      splitK: 4,
      bias: true,
      activation: 'leaky_relu',
      slope: 0.1,
      tuning: SMALL_B,
    });
    // More slices asked for than k has TILE_K steps: rounded to whole steps (here 5 of 8).
    await check(ctx, rng, { m: 7, n: 7, k: 33, splitK: 16, tuning: SMALL_A });
    // The shape heuristic (default tiling): split only small outputs with long k.
    expect(chooseSplits(27, 64, 65536)).toBe(256);
    expect(chooseSplits(64, 1, 8192)).toBe(32);
    expect(chooseSplits(4096, 4096, 4096)).toBe(1);
    expect(chooseSplits(65536, 64, 27)).toBe(1);
  });

  it('handles empty products: k = 0 leaves act(bias) or C itself, m = 0 records nothing', async () => {
    const ctx = await testGpu();
    const rng = new Rng(550);
    await check(ctx, rng, { m: 3, n: 5, k: 0, bias: true, activation: 'relu', tuning: SMALL_A });
    await check(ctx, rng, { m: 5, n: 8, k: 0, transA: true, accumulate: true, tuning: SMALL_A });
    await check(ctx, rng, { m: 0, n: 5, k: 7, tuning: SMALL_A });
  });

  it('folds the grid into two dimensions when the workgroups exceed the per-dimension limit', async () => {
    const ctx = await testGpu();
    const rng = new Rng(600);
    const limits = {
      maxComputeWorkgroupsPerDimension: 16,
      maxComputeInvocationsPerWorkgroup: ctx.limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: ctx.limits.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: ctx.limits.maxComputeWorkgroupSizeY,
      maxComputeWorkgroupStorageSize: ctx.limits.maxComputeWorkgroupStorageSize,
    } as GPUSupportedLimits;
    // GPU tiling (64×64, whatever the device profile): 25 tiles on a 13×2 grid (1 idle workgroup).
    await check(ctx, rng, { m: 257, n: 257, k: 7, tuning: MATMUL_TUNING }, limits);
    // 9×8 tiles × 3 slices = 216 workgroups on 16×14 (8 idle); the reduction's 128 fold to 16×8.
    await check(ctx, rng, { m: 257, n: 127, k: 257, splitK: 3, tuning: SMALL_A }, limits);
  });

  it('visits tiles in groups of GROUP_M rows, with a partial last group', async () => {
    const ctx = await testGpu();
    const rng = new Rng(700);
    for (const f of FORMS) {
      await check(ctx, rng, { m: 257, n: 127, k: 33, ...f, tuning: SMALL_A }); // 9×8 tiles, groups of 3 rows
      await check(ctx, rng, { m: 257, n: 127, k: 33, ...f, tuning: SMALL_B }); // 17×4 tiles, groups of 2
    }
  });

  it('a wrong form is caught (the comparison can fail)', async () => {
    const ctx = await testGpu();
    const rng = new Rng(900);
    const m = 33;
    const a = rng.uniformArray(m * m);
    const b = rng.uniformArray(m * m);
    const ba = ctx.buffers.storage('matmulTest.a', m * m, a);
    const bb = ctx.buffers.storage('matmulTest.b', m * m, b);
    const bc = ctx.buffers.storage('matmulTest.c', m * m);
    const got = await runAndRead(ctx, [prepareMatmul(ctx, { a: ba, b: bb, c: bc, m, n: m, k: m })], bc, m * m);
    expect(exceeds(got, matmulReference(a, b, { m, n: m, k: m, transB: true }), tolerance(m))).toBe(true);
    expect(exceeds(got, matmulReference(a, b, { m, n: m, k: m, transA: true }), tolerance(m))).toBe(true);
    expect(exceeds(got, matmulReference(a, b, { m, n: m, k: m }), tolerance(m))).toBe(false);
    for (const buffer of [ba, bb, bc]) ctx.buffers.destroy(buffer);
  });

  it('rejects bad arguments', async () => {
    const ctx = await testGpu();
    const a = ctx.buffers.storage('matmulTest.a', 16);
    const c = ctx.buffers.storage('matmulTest.c', 16);
    const small = ctx.buffers.storage('matmulTest.small', 4);
    expect(() => prepareMatmul(ctx, { a, b: a, c, m: 4, n: 4, k: 4, accumulate: true, bias: a })).toThrow(/accumulate/);
    expect(() => prepareMatmul(ctx, { a, b: a, c, m: 4, n: 4, k: 4, accumulate: true, activation: 'relu' })).toThrow(
      /accumulate/,
    );
    expect(() => prepareMatmul(ctx, { a, b: a, c: a, m: 4, n: 4, k: 4 })).toThrow(/different buffer/);
    expect(() => prepareMatmul(ctx, { a, b: small, c, m: 4, n: 4, k: 4 })).toThrow(/B holds/);
    expect(() => prepareMatmul(ctx, { a, b: a, c, m: 4, n: 4, k: 4, tuning: { TILE_K: 6 } })).toThrow(/TILE_K/);
    for (const buffer of [a, c, small]) ctx.buffers.destroy(buffer);
  });
});
