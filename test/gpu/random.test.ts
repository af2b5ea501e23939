import { describe, expect, it } from 'vitest';
import { dataset2d } from '../../src/data/mixtures';
import {
  createDrawCounter,
  prepareAnchorSample,
  prepareDrawTick,
  prepareNormalDraw,
  prepareRowSample,
  prepareUniformDraw,
} from '../../src/gpu/kernels/random';
import { normalDraw, pcgHash, sampleAnchors, sampleRows, uniformDraw } from '../../src/reference/counter-rng';
import { expectClose, runAndRead, testGpu } from '../helpers/gpu';

// WGSL bounds cos's error by 2^-11 absolute on [−π, π] and sqrt(−2 log u) ≤ 5.8 for 24-bit u, so
// an implementation may be off by 5.8·2^-11 ≈ 3e-3 per unit of std. The integer hashing is exact,
// so a wrong index or counter still fails by O(1).
const TOL = { atol: 3e-3, rtol: 0 };

describe('counter-based GPU random numbers against the twin', () => {
  it('the twin hash matches published PCG values', () => {
    // pcg_hash(0) and (1) computed independently with Python big integers masked to 32 bits.
    expect(pcgHash(0)).toBe(129708002);
    expect(pcgHash(1)).toBe(2831084092);
  });

  it('normal draws match bit-exact hashing and advance with the counter', async () => {
    const ctx = await testGpu();
    for (const n of [1, 7, 33, 127, 70_001]) {
      const counter = createDrawCounter(ctx, 'counter', 5);
      const out = ctx.buffers.storage('out', n);
      const key = { seed: 42, stream: 3 };
      const tick = prepareDrawTick(ctx, counter);
      const draw = prepareNormalDraw(ctx, { out, n, seed: key.seed, stream: key.stream, counter, std: 1.5 });
      const first = await runAndRead(ctx, [tick, draw], out, n);
      expectClose(`random.normal n=${n}`, first, normalDraw(n, 1.5, { ...key, draw: 6 }), {
        atol: 1.5 * TOL.atol,
        rtol: 0,
      });
      const second = await runAndRead(ctx, [tick, draw], out, n);
      expectClose(`random.normal.next n=${n}`, second, normalDraw(n, 1.5, { ...key, draw: 7 }), {
        atol: 1.5 * TOL.atol,
        rtol: 0,
      });
      if (n > 1) expect(second[0]).not.toBe(first[0]);
    }
  });

  it('normal draws have mean 0 and variance std² (n = 70,001: 5-sigma bounds)', async () => {
    const ctx = await testGpu();
    const n = 70_001;
    const counter = createDrawCounter(ctx, 'counter');
    const out = ctx.buffers.storage('out', n);
    const x = await runAndRead(
      ctx,
      [prepareDrawTick(ctx, counter), prepareNormalDraw(ctx, { out, n, seed: 1, stream: 1, counter })],
      out,
      n,
    );
    const mean = x.reduce((a, b) => a + b, 0) / n;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('anchor samples match the twin and visit every ring mode', async () => {
    const ctx = await testGpu();
    const ring = dataset2d('ring8');
    for (const n of [1, 33, 2500]) {
      const counter = createDrawCounter(ctx, 'counter');
      const anchors = ctx.buffers.storage('anchors', ring.anchors.length, ring.anchors);
      const out = ctx.buffers.storage('out', 2 * n);
      const got = await runAndRead(
        ctx,
        [
          prepareDrawTick(ctx, counter),
          prepareAnchorSample(ctx, { out, n, anchors, anchorCount: 8, std: ring.std, seed: 9, stream: 2, counter }),
        ],
        out,
        2 * n,
      );
      const want = sampleAnchors(n, ring.anchors, ring.std, { seed: 9, stream: 2, draw: 1 });
      expectClose(`random.sampleAnchors n=${n}`, got, want, { atol: ring.std * TOL.atol + 1e-6, rtol: 0 });
      if (n === 2500) {
        const hits = new Set<number>();
        for (let i = 0; i < n; i++) {
          const angle = Math.atan2(got[2 * i + 1], got[2 * i]);
          hits.add(((Math.round((angle / (2 * Math.PI)) * 8) % 8) + 8) % 8);
        }
        expect(hits.size).toBe(8);
      }
    }
  });

  it('uniform draws are bit-exact and lie in (0, 1)', async () => {
    const ctx = await testGpu();
    for (const n of [1, 33, 257]) {
      const counter = createDrawCounter(ctx, 'counter', 2);
      const out = ctx.buffers.storage('out', n);
      const got = await runAndRead(
        ctx,
        [prepareDrawTick(ctx, counter), prepareUniformDraw(ctx, { out, n, seed: 5, stream: 4, counter })],
        out,
        n,
      );
      // (k + 0.5)·2^-24 rounded once to float32 on both sides: bit-exact.
      const want = Float32Array.from(uniformDraw(n, { seed: 5, stream: 4, draw: 3 }));
      expectClose(`random.uniform n=${n}`, got, want, { atol: 0, rtol: 0 });
      expect(got.every((u) => u > 0 && u < 1)).toBe(true);
    }
  });

  it('row samples copy uniformly chosen rows exactly', async () => {
    const ctx = await testGpu();
    const [count, dim] = [37, 33];
    const rows = Float32Array.from({ length: count * dim }, (_, k) => k + 0.5);
    const table = ctx.buffers.storage('rows', rows.length, rows);
    for (const n of [1, 7, 64]) {
      const counter = createDrawCounter(ctx, 'counter', 4);
      const out = ctx.buffers.storage('out', n * dim);
      const kernel = prepareRowSample(ctx, { out, n, rows: table, count, dim, seed: 3, stream: 1, counter });
      const got = await runAndRead(ctx, [prepareDrawTick(ctx, counter), kernel], out, n * dim);
      expectClose(`random.sampleRows n=${n}`, got, sampleRows(n, rows, count, dim, { seed: 3, stream: 1, draw: 5 }), {
        atol: 0,
        rtol: 0,
      });
    }
  });
});
