/**
 * The single-dispatch spectral-norm path for small layers (shaders/spectral_norm.wgsl fused_update,
 * fused_backward): against the float64 twin, against the multi-dispatch path, against finite
 * differences, through views of shared buffers, and the dispatch counts the bench quotes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { viewOf, type BufferView, type GpuBinding } from '../../src/gpu/binding';
import type { GpuContext } from '../../src/gpu/device';
import { submitKernels, type Kernel } from '../../src/gpu/kernel';
import {
  createSpectralNormState,
  prepareSpectralNorm,
  prepareSpectralNormBackward,
  spectralNormDispatches,
  spectralNormFuses,
  type SpectralNormPath,
  type SpectralNormState,
} from '../../src/gpu/kernels/spectral-norm';
import { SPECTRAL_NORM_FUSED_VECTOR_FLOATS } from '../../src/gpu/limits';
import { GPU_TUNING } from '../../src/gpu/tuning';
import { acquireNodeGpu } from '../../src/node/webgpu-node';
import { Rng } from '../../src/reference/random';
import {
  matVec,
  spectralNormApply,
  spectralNormBackward,
  spectralNormPowerIteration,
} from '../../src/reference/spectral-norm';
import { expectClose, testGpu } from '../helpers/gpu';

/**
 * (d_out, d_in): degenerate, thin, awkward, and the 2-D MLP discriminator's three layers. 33 × 7
 * splits Wᵀũ's columns over 2 threads each on the 16-thread software profile (with d_in = 1 the
 * split cannot show: ṽ normalizes to ±1 whatever the sum's size).
 */
const SHAPES: Array<[number, number]> = [
  [1, 1],
  [1, 7],
  [7, 1],
  [33, 7],
  [33, 127],
  [127, 33],
  [128, 128],
  [2, 128],
  [128, 1],
];

// Unit vectors and σ̃ after up to 5 float32 rounds of ≤ 128-term sums, against float64 from the
// same start: absolute errors ≤ 3.5e-7 measured on SwiftShader (the log prints them per shape). A wrong index or a missed normalization
// moves components by O(1/√d) ≥ 0.08 here.
const VEC_TOL = { atol: 2e-6, rtol: 4e-6 };
const SIGMA_TOL = { atol: 0, rtol: 4e-6 };
// W̄ = W/σ̃ carries σ̃'s relative error and one rounding.
const WBAR_TOL = { atol: 1e-7, rtol: 8e-6 };
/** The backward's entries are O(|G|/σ̃); λ's float32 error enters through |ũ_i ṽ_j| ≤ 1. */
const gradTol = (sigma: number) => ({ atol: 4e-6 / sigma, rtol: 4e-6 });

function gaussian(rng: Rng, n: number, scale: number): Float32Array {
  return rng.normalArray(n, scale);
}

async function run(ctx: GpuContext, kernels: Kernel[]): Promise<void> {
  ctx.device.pushErrorScope('validation');
  submitKernels(ctx, kernels, 'snf');
  const error = await ctx.device.popErrorScope();
  if (error) throw new Error(`WebGPU validation error: ${error.message}`);
}

async function readBinding(ctx: GpuContext, b: GpuBinding, count: number): Promise<Float32Array> {
  return 'buffer' in b ? ctx.buffers.read(b.buffer, count, b.offset / 4) : ctx.buffers.read(b, count);
}

interface Layer {
  dOut: number;
  dIn: number;
  w: Float32Array;
  wBuf: GPUBuffer;
  st: SpectralNormState;
  wBar: GPUBuffer;
}

function makeLayer(ctx: GpuContext, rng: Rng, dOut: number, dIn: number, seed: number, tag: string): Layer {
  const w = gaussian(rng, dOut * dIn, 1 / Math.sqrt(dIn));
  return {
    dOut,
    dIn,
    w,
    wBuf: ctx.buffers.storage(`snf.${tag}.w`, dOut * dIn, w),
    st: createSpectralNormState(ctx, { dOut, dIn, seed, label: `snf.${tag}` }),
    wBar: ctx.buffers.storage(`snf.${tag}.wBar`, dOut * dIn),
  };
}

async function readLayer(ctx: GpuContext, l: Layer) {
  const [u, v, sigma, wBar] = await Promise.all([
    ctx.buffers.read(l.st.u, l.dOut),
    ctx.buffers.read(l.st.v, l.dIn),
    ctx.buffers.read(l.st.sigma, 1),
    ctx.buffers.read(l.wBar, l.dOut * l.dIn),
  ]);
  return { u, v, sigma: sigma[0], wBar };
}

function update(ctx: GpuContext, l: Layer, rounds: number, path: SpectralNormPath): Kernel {
  return prepareSpectralNorm(ctx, { w: l.wBuf, ...l.st, wBar: l.wBar, rounds, path });
}

function destroy(ctx: GpuContext, buffers: GPUBuffer[]): void {
  for (const b of buffers) ctx.buffers.destroy(b);
}

/** The fused update (rounds 1, 5, 0 in turn) and backward on one shape against the twin. */
async function checkShape(ctx: GpuContext, rng: Rng, dOut: number, dIn: number): Promise<void> {
  const tag = `${dOut}x${dIn}`;
  expect(spectralNormFuses(ctx, dOut, dIn), `${tag} takes the fused path`).toBe(true);
  const l = makeLayer(ctx, rng, dOut, dIn, 3 + dOut * 7 + dIn, tag);
  let before = await readLayer(ctx, l);
  for (const rounds of [1, 5, 0]) {
    await run(ctx, [update(ctx, l, rounds, 'fused')]);
    const got = await readLayer(ctx, l);
    // The twin from the GPU's own state before this call: the kernel's error alone.
    const twin = spectralNormPowerIteration(l.w, before.u, before.v, dOut, dIn, rounds);
    const at = `${tag} r=${rounds}`;
    const errs = [
      expectClose(`snf.u ${at}`, got.u, twin.u, VEC_TOL),
      expectClose(`snf.v ${at}`, got.v, twin.v, VEC_TOL),
      expectClose(`snf.sigma ${at}`, [got.sigma], [twin.sigma], SIGMA_TOL),
      expectClose(`snf.wBar ${at}`, got.wBar, spectralNormApply(l.w, twin.sigma), WBAR_TOL),
    ];
    if (rounds === 0) {
      // The refresh moves neither vector: bit for bit.
      expect(Array.from(got.u), `${at}: ũ kept`).toEqual(Array.from(before.u));
      expect(Array.from(got.v), `${at}: ṽ kept`).toEqual(Array.from(before.v));
    }
    console.log(`snf ${at}: max abs err u/v/σ/W̄`, errs.map((e) => e.maxAbs.toExponential(1)).join(' '));
    before = got;
  }

  const n = dOut * dIn;
  const g = gaussian(rng, n, 1);
  const gWbar = ctx.buffers.storage(`snf.${tag}.gWbar`, n, g);
  const gW = ctx.buffers.storage(`snf.${tag}.gW`, n);
  const { u, v, sigma, wBar } = before;
  await run(ctx, [prepareSpectralNormBackward(ctx, { gWbar, wBar: l.wBar, ...l.st, gW, dOut, dIn, path: 'fused' })]);
  const grad = await ctx.buffers.read(gW, n);
  const e = expectClose(
    `snf.backward ${tag}`,
    grad,
    spectralNormBackward(g, wBar, u, v, sigma, dOut, dIn),
    gradTol(sigma),
  );
  console.log(`snf.backward ${tag}: max abs err ${e.maxAbs.toExponential(1)} (σ̃ ${sigma.toFixed(3)})`);
  destroy(ctx, [l.wBuf, l.wBar, l.st.u, l.st.v, l.st.sigma, gWbar, gW]);
}

describe('fused spectral norm against the float64 twin', () => {
  it('rounds 1, 5, 0 and the backward on awkward shapes', async () => {
    const ctx = await testGpu();
    const rng = new Rng(808);
    for (const [dOut, dIn] of SHAPES) await checkShape(ctx, rng, dOut, dIn);
  });

  it('the GPU profile (256-thread workgroup: other lane splits) on a second device', async () => {
    const ctx = await acquireNodeGpu({ label: 'snf.gpuTuning', tuning: GPU_TUNING });
    try {
      const rng = new Rng(909);
      for (const [dOut, dIn] of [
        [7, 1],
        [33, 127],
        [128, 128],
        [1, 7],
      ] as Array<[number, number]>) {
        await checkShape(ctx, rng, dOut, dIn);
      }
    } finally {
      ctx.buffers.destroyAll();
      ctx.device.destroy();
    }
  });
});

describe('fused and multi-dispatch paths', () => {
  it('agree within tolerance from the same state, update and backward', async () => {
    const ctx = await testGpu();
    for (const [dOut, dIn] of [
      [33, 127],
      [128, 128],
      [7, 1],
    ] as Array<[number, number]>) {
      const tag = `${dOut}x${dIn}`;
      const seed = 61 + dOut;
      // Same W and seed: two identical layers, one per path.
      const [a, b] = [new Rng(seed), new Rng(seed)].map((r, k) => makeLayer(ctx, r, dOut, dIn, seed, `${tag}.${k}`));
      for (const rounds of [1, 5, 0]) {
        await run(ctx, [update(ctx, a, rounds, 'fused'), update(ctx, b, rounds, 'multi')]);
        const [ga, gb] = [await readLayer(ctx, a), await readLayer(ctx, b)];
        expectClose(`snf.paths.u ${tag} r=${rounds}`, ga.u, gb.u, VEC_TOL);
        expectClose(`snf.paths.v ${tag} r=${rounds}`, ga.v, gb.v, VEC_TOL);
        expectClose(`snf.paths.sigma ${tag} r=${rounds}`, [ga.sigma], [gb.sigma], SIGMA_TOL);
        expectClose(`snf.paths.wBar ${tag} r=${rounds}`, ga.wBar, gb.wBar, WBAR_TOL);
      }
      const n = dOut * dIn;
      const gWbar = ctx.buffers.storage(`snf.${tag}.gWbar`, n, gaussian(new Rng(seed + 1), n, 1));
      const outs = [ctx.buffers.storage(`snf.${tag}.gW.fused`, n), ctx.buffers.storage(`snf.${tag}.gW.multi`, n)];
      const paths: SpectralNormPath[] = ['fused', 'multi'];
      await run(
        ctx,
        paths.map((path, k) =>
          prepareSpectralNormBackward(ctx, { gWbar, wBar: a.wBar, ...a.st, gW: outs[k], dOut, dIn, path }),
        ),
      );
      const [fused, multi] = await Promise.all(outs.map((o) => ctx.buffers.read(o, n)));
      const { sigma } = await readLayer(ctx, a);
      expectClose(`snf.paths.backward ${tag}`, fused, multi, gradTol(sigma));
      destroy(ctx, [gWbar, ...outs]);
    }
  });
});

describe('fused backward against central finite differences', () => {
  /** L(W) = ⟨G, W/σ(W)⟩ with σ = ũᵀWṽ and ũ, ṽ held fixed, in float64. */
  function loss(w: Float64Array, g: ArrayLike<number>, u: ArrayLike<number>, v: ArrayLike<number>): number {
    const wv = matVec(w, v, u.length, v.length);
    const sigma = wv.reduce((acc, x, i) => acc + x * u[i], 0);
    return w.reduce((acc, x, k) => acc + (x / sigma) * g[k], 0);
  }

  // h = 1e-4 in float64: truncation ~h²·|L'''| and cancellation ~1e-16·|L|/h stay ≲ 1e-8, so the
  // GPU's float32 error dominates (≤ 2.3e-7 measured); a wrong term is off by O(|G|/σ̃) ~ 0.1–1.
  it.each([
    [1, 7],
    [7, 5],
    [33, 7],
  ])('∂L/∂W on %i×%i', async (dOut, dIn) => {
    const ctx = await testGpu();
    const rng = new Rng(dOut * 1000 + dIn);
    const l = makeLayer(ctx, rng, dOut, dIn, 11, `fd.${dOut}x${dIn}`);
    const n = dOut * dIn;
    const g = gaussian(rng, n, 1);
    const gWbar = ctx.buffers.storage('snf.fd.gWbar', n, g);
    const gW = ctx.buffers.storage('snf.fd.gW', n);
    // Two rounds: ũ, ṽ near but not at the singular vectors, as in training.
    await run(ctx, [
      update(ctx, l, 2, 'fused'),
      prepareSpectralNormBackward(ctx, { gWbar, wBar: l.wBar, ...l.st, gW, dOut, dIn, path: 'fused' }),
    ]);
    const { u, v, sigma } = await readLayer(ctx, l);
    const grad = await ctx.buffers.read(gW, n);
    const h = 1e-4;
    const w = Float64Array.from(l.w);
    const numeric = Float64Array.from(w, (x, k) => {
      const plus = Float64Array.from(w);
      const minus = Float64Array.from(w);
      plus[k] = x + h;
      minus[k] = x - h;
      return (loss(plus, g, u, v) - loss(minus, g, u, v)) / (2 * h);
    });
    const e = expectClose(`snf.fd ${dOut}x${dIn}`, grad, numeric, gradTol(sigma));
    console.log(`snf.fd ${dOut}x${dIn}: max abs err ${e.maxAbs.toExponential(1)} (σ̃ ${sigma.toFixed(3)})`);
    destroy(ctx, [l.wBuf, l.wBar, l.st.u, l.st.v, l.st.sigma, gWbar, gW]);
  });
});

describe('views of shared buffers', () => {
  const SENTINEL = -777.25;

  /** A buffer of sentinels holding the given tensors at 256-byte-aligned, non-zero offsets. */
  function sharedBuffer(ctx: GpuContext, label: string, tensors: Array<ArrayLike<number> | number>) {
    const offsets: number[] = [];
    let at = 256; // leave the first 256 bytes as sentinels: no view starts at 0
    for (const t of tensors) {
      offsets.push(at);
      const floats = typeof t === 'number' ? t : t.length;
      at += Math.ceil((floats * 4) / 256) * 256 + 256; // a sentinel gap after each
    }
    const data = new Float32Array(at / 4).fill(SENTINEL);
    tensors.forEach((t, k) => {
      if (typeof t !== 'number') data.set(t, offsets[k] / 4);
    });
    const buffer = ctx.buffers.storage(label, data.length, data);
    const views = tensors.map((t, k) => viewOf(buffer, offsets[k], typeof t === 'number' ? t : t.length));
    return { buffer, views, floats: data.length };
  }

  /** Every float outside the views' tensors (padding inside a view included) is still the sentinel. */
  async function expectSentinels(
    ctx: GpuContext,
    s: { buffer: GPUBuffer; views: BufferView[]; floats: number },
    counts: number[],
  ) {
    const all = await ctx.buffers.read(s.buffer, s.floats);
    const inside = new Uint8Array(s.floats);
    s.views.forEach((view, k) => inside.fill(1, view.offset / 4, view.offset / 4 + counts[k]));
    const touched = [...all.keys()].filter((i) => !inside[i] && all[i] !== SENTINEL);
    expect(touched, `${s.buffer.label}: floats outside every tensor that changed`).toEqual([]);
  }

  it.each([
    [33, 127],
    [1, 7],
  ])('%i×%i: bit-identical to whole buffers, sentinels untouched', async (dOut, dIn) => {
    const ctx = await testGpu();
    const rng = new Rng(dOut + 5 * dIn);
    const n = dOut * dIn;
    const ref = makeLayer(ctx, rng, dOut, dIn, 21, `views.ref.${dOut}x${dIn}`);
    const g = gaussian(rng, n, 1);
    const [u0, v0] = await Promise.all([ctx.buffers.read(ref.st.u, dOut), ctx.buffers.read(ref.st.v, dIn)]);
    // Read-only tensors in one shared buffer, the update's outputs in another, ∂L/∂W in a third:
    // the backward reads what the update wrote, and one dispatch may not bind a buffer both
    // read-only and writable (WebGPU's usage-scope rule, even at disjoint ranges).
    const inputs = sharedBuffer(ctx, 'snf.views.inputs', [ref.w, g]);
    const state = sharedBuffer(ctx, 'snf.views.state', [u0, v0, [1], n]);
    const grads = sharedBuffer(ctx, 'snf.views.grads', [n]);
    const [wV, gV] = inputs.views;
    const [uV, vV, sigmaV, wBarV] = state.views;
    const [gWV] = grads.views;
    const gWbar = ctx.buffers.storage('snf.views.ref.gWbar', n, g);
    const gW = ctx.buffers.storage('snf.views.ref.gW', n);
    const back = { dOut, dIn, path: 'fused' as const };
    await run(ctx, [
      update(ctx, ref, 3, 'fused'),
      prepareSpectralNormBackward(ctx, { ...back, gWbar, wBar: ref.wBar, ...ref.st, gW }),
      prepareSpectralNorm(ctx, {
        w: wV,
        u: uV,
        v: vV,
        sigma: sigmaV,
        wBar: wBarV,
        dOut,
        dIn,
        rounds: 3,
        path: 'fused',
      }),
      prepareSpectralNormBackward(ctx, { ...back, gWbar: gV, wBar: wBarV, u: uV, v: vV, sigma: sigmaV, gW: gWV }),
    ]);
    const want = await readLayer(ctx, ref);
    const wantGrad = await ctx.buffers.read(gW, n);
    const got = await Promise.all([
      readBinding(ctx, uV, dOut),
      readBinding(ctx, vV, dIn),
      readBinding(ctx, sigmaV, 1),
      readBinding(ctx, wBarV, n),
      readBinding(ctx, gWV, n),
    ]);
    const expected = [want.u, want.v, [want.sigma], want.wBar, wantGrad];
    ['u', 'v', 'sigma', 'wBar', 'gW'].forEach((name, k) => {
      expect(Array.from(got[k]), `view ${name} vs whole buffer`).toEqual(Array.from(expected[k]));
    });
    await expectSentinels(ctx, state, [dOut, dIn, 1, n]);
    await expectSentinels(ctx, grads, [n]);
    await expectSentinels(ctx, inputs, [n, n]);
  });

  it('refuses a view too small or a written argument overlapping a read one, naming it', async () => {
    const ctx = await testGpu();
    const [dOut, dIn] = [7, 5];
    const big = ctx.buffers.storage('snf.refuse.big', 4096);
    const st = createSpectralNormState(ctx, { dOut, dIn, seed: 1 });
    const w = viewOf(big, 0, dOut * dIn);
    const wBar = viewOf(big, 1024, dOut * dIn);
    expect(() =>
      prepareSpectralNorm(ctx, { w, ...st, v: viewOf(big, 2048, dIn - 1), wBar, dOut, dIn, rounds: 1 }),
    ).toThrow(/v binds 16 B, needs 5 floats/);
    expect(() => prepareSpectralNorm(ctx, { w, ...st, wBar: w, dOut, dIn, rounds: 1 })).toThrow(/wBar overlaps w/);
    expect(() =>
      prepareSpectralNormBackward(ctx, { gWbar: w, wBar, ...st, gW: viewOf(big, 0, dOut * dIn), dOut, dIn }),
    ).toThrow(/gW overlaps gWbar/);
    // Disjoint, but ũ read-only and ∂L/∂W written in one buffer: refused before Dawn would.
    const state = viewOf(big, 2048, dOut);
    expect(() =>
      prepareSpectralNormBackward(ctx, {
        gWbar: ctx.buffers.storage('snf.refuse.g', dOut * dIn),
        wBar: ctx.buffers.storage('snf.refuse.wBar2', dOut * dIn),
        ...st,
        u: state,
        gW: viewOf(big, 3072, dOut * dIn),
        dOut,
        dIn,
      }),
    ).toThrow(/z and the written y are both in buffer "snf.refuse.big"/);
    expect(() => prepareSpectralNorm(ctx, { w, ...st, wBar, dOut, dIn, rounds: -1 })).toThrow(/rounds must be ≥ 0/);
    const wide = { dOut: 1, dIn: SPECTRAL_NORM_FUSED_VECTOR_FLOATS }; // d_out + d_in one past the bound
    const wideState = createSpectralNormState(ctx, { ...wide, seed: 1 });
    expect(() =>
      prepareSpectralNorm(ctx, { ...wideState, w: viewOf(big, 0, 3072), wBar: viewOf(big, 12288, 1), path: 'fused' }),
    ).toThrow(/wBar binds 16 B/);
    const wBarWide = ctx.buffers.storage('snf.refuse.wBarWide', 3072);
    expect(() =>
      prepareSpectralNorm(ctx, { ...wideState, w: viewOf(big, 0, 3072), wBar: wBarWide, path: 'fused' }),
    ).toThrow(/1 × 3072 is too large for the single-dispatch path/);
  });
});

describe('dispatch counts (the bench quotes spectralNormDispatches)', () => {
  /** Dispatches a kernel encodes, counted on a stand-in pass (nothing runs). */
  function dispatches(kernel: Kernel): number {
    let count = 0;
    const pass = {
      setPipeline: () => undefined,
      setBindGroup: () => undefined,
      dispatchWorkgroups: () => {
        count++;
      },
    } as unknown as GPUComputePassEncoder;
    kernel.encode(pass);
    return count;
  }

  it('match what the launchers encode, fused and not', async () => {
    const ctx = await testGpu();
    const cases: Array<[number, number]> = [
      [128, 2],
      [128, 128],
      [1, 128],
      [1, SPECTRAL_NORM_FUSED_VECTOR_FLOATS], // d_out + d_in one past the workgroup vectors
      [64, 4097], // d_out·d_in past 262144
    ];
    for (const [dOut, dIn] of cases) {
      const n = dOut * dIn;
      const w = ctx.buffers.storage('snf.count.w', n);
      const wBar = ctx.buffers.storage('snf.count.wBar', n);
      const gW = ctx.buffers.storage('snf.count.gW', n);
      const st = createSpectralNormState(ctx, { dOut, dIn, seed: 2 });
      for (const rounds of [0, 1, 5]) {
        const want = spectralNormDispatches(dOut, dIn, rounds);
        const fused = dOut * dIn <= 262144 && dOut + dIn <= SPECTRAL_NORM_FUSED_VECTOR_FLOATS;
        expect(want, `${dOut}x${dIn} r=${rounds}`).toEqual(
          fused ? { update: 1, backward: 1 } : { update: (rounds === 0 ? 2 : 4 * rounds) + 1, backward: 3 },
        );
        expect(dispatches(prepareSpectralNorm(ctx, { w, ...st, wBar, dOut, dIn, rounds })), 'update').toBe(want.update);
      }
      const back = prepareSpectralNormBackward(ctx, { gWbar: w, wBar, ...st, gW, dOut, dIn });
      expect(dispatches(back), `${dOut}x${dIn} backward`).toBe(spectralNormDispatches(dOut, dIn, 1).backward);
      destroy(ctx, [w, wBar, gW, st.u, st.v, st.sigma]);
    }
  });

  it('the launcher’s workgroup vector size is the WGSL override’s default', () => {
    const wgsl = readFileSync('shaders/spectral_norm.wgsl', 'utf8');
    expect(/override FUSED_FLOATS: u32 = (\d+)u;/.exec(wgsl)?.[1]).toBe(String(SPECTRAL_NORM_FUSED_VECTOR_FLOATS));
  });
});
