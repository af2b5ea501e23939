import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/core/activation';
import {
  conv2dSizes,
  convTranspose2dSizes,
  patchGrid,
  type ConvGeometry,
  type ConvSizes,
  type PatchGeometry,
} from '../../src/core/conv-geometry';
import { Rng } from '../../src/core/random';
import type { Backend, BackendKind } from '../../src/engine/backend';
import { CpuBackend } from '../../src/engine/cpu-backend';
import { GpuBackend } from '../../src/engine/gpu-backend';
import { prepareCol2im, prepareIm2col } from '../../src/gpu/kernels/conv';
import { Conv2d } from '../../src/nn/conv2d';
import { ConvTranspose2d } from '../../src/nn/conv-transpose2d';
import {
  biasGrad,
  col2im,
  conv2dForward,
  conv2dInputGrad,
  conv2dWeightGrad,
  convTranspose2dForward,
  convTranspose2dInputGrad,
  convTranspose2dWeightGrad,
  im2col,
} from '../../src/reference/conv';
import { activationBackward, activationForward } from '../../src/reference/elementwise';
import { expectClose, runAndRead, testGpu, type Tolerance } from '../helpers/gpu';

// Tolerances. Inputs are f32 values, so the float64 twin is the exact answer to ~1e-16. An f32
// sum of k terms (each a rounded product, or an exact value), in any order and with or without
// fused multiply-add, is within γ_k·S of the exact sum, S = Σ|terms|, γ_k ≈ k·u, u = 2^-24 (Higham,
// Accuracy and Stability of Numerical Algorithms, §3.1); S is the same twin run on |inputs|, and
// the tests take its maximum over the output. That worst case needs every rounding to push the
// same way; with random-sign data the roundings add like a random walk, so the tests use
// atol = 4·√k·u·S — still the rigorous bound for k ≤ 16, and for the longest sums here (k ≈ 1000)
// two orders of magnitude above the errors actually seen (test-artifacts/kernel-errors.jsonl).
// A wrong index moves an element by a whole term, of order S/k, far above 4·√k·u·S.
const U = 2 ** -24;
function maxAbs(v: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]));
  return max;
}
function sumTolerance(k: number, absSums: ArrayLike<number>, extra: Partial<Tolerance> = {}): Tolerance {
  return { atol: 4 * Math.sqrt(k) * U * maxAbs(absSums) + (extra.atol ?? 0), rtol: extra.rtol ?? 0 };
}
const abs = (v: ArrayLike<number>): Float64Array => Float64Array.from(v, Math.abs);
const EXACT: Tolerance = { atol: 0, rtol: 0 };

const name = (g: PatchGeometry): string =>
  `B${g.batch} ${g.height}x${g.width}x${g.channels} k${g.kh}x${g.kw} s${g.stride} p${g.pad}`;

// Patch geometries: the paper's two, the odd ones, channel counts 1/3/7/33, batch 1/2, and a
// stride that does not divide H + 2p − kh (rows of the image no patch touches).
const PATCHES: PatchGeometry[] = [
  { batch: 2, height: 8, width: 8, channels: 3, kh: 3, kw: 3, stride: 1, pad: 1 },
  { batch: 2, height: 8, width: 8, channels: 7, kh: 4, kw: 4, stride: 2, pad: 1 },
  { batch: 1, height: 5, width: 6, channels: 33, kh: 1, kw: 1, stride: 1, pad: 0 },
  { batch: 2, height: 9, width: 7, channels: 1, kh: 5, kw: 5, stride: 2, pad: 2 },
  { batch: 1, height: 8, width: 9, channels: 7, kh: 3, kw: 3, stride: 2, pad: 0 },
  { batch: 2, height: 7, width: 5, channels: 3, kh: 2, kw: 2, stride: 1, pad: 1 },
  { batch: 1, height: 6, width: 7, channels: 33, kh: 3, kw: 2, stride: 2, pad: 1 },
];

describe('im2col and col2im against float64 twins', () => {
  it('im2col copies exactly; col2im sums within the f32 bound', async () => {
    const ctx = await testGpu();
    const rng = new Rng(21);
    for (const g of PATCHES) {
      const { rows, k } = patchGrid(g);
      const n = g.batch * g.height * g.width * g.channels;
      const x = rng.uniformArray(n);
      const image = ctx.buffers.storage('image', n, x);
      const cols = ctx.buffers.storage('cols', rows * k, rng.uniformArray(rows * k, 5, 6)); // garbage first
      const got = await runAndRead(ctx, [prepareIm2col(ctx, { geom: g, image, cols })], cols, rows * k);
      expectClose(`conv.im2col ${name(g)}`, got, im2col(x, g), EXACT);

      const c = rng.uniformArray(rows * k);
      ctx.buffers.write(cols, c);
      const out = ctx.buffers.storage('out', n, rng.uniformArray(n, 5, 6));
      const back = await runAndRead(ctx, [prepareCol2im(ctx, { geom: g, cols, image: out })], out, n);
      // At most ceil(kh/s)·ceil(kw/s) contributions per image element.
      const terms = Math.ceil(g.kh / g.stride) * Math.ceil(g.kw / g.stride);
      expectClose(`conv.col2im ${name(g)}`, back, col2im(c, g), sumTolerance(terms, col2im(abs(c), g)));
    }
  });

  it('col2im with bias, fused activation, and accumulate', async () => {
    const ctx = await testGpu();
    const rng = new Rng(22);
    const g = PATCHES[1];
    const { rows, k } = patchGrid(g);
    const n = g.batch * g.height * g.width * g.channels;
    const c = rng.uniformArray(rows * k);
    const b = rng.uniformArray(g.channels);
    const cols = ctx.buffers.storage('cols', rows * k, c);
    const bias = ctx.buffers.storage('bias', g.channels, b);
    const out = ctx.buffers.storage('out', n);
    const sum = col2im(c, g);
    const absSum = col2im(abs(c), g);
    const withBias = Float64Array.from(sum, (v, i) => v + b[i % g.channels]);
    const absWithBias = Float64Array.from(absSum, (v, i) => v + Math.abs(b[i % g.channels]));
    const tol = sumTolerance(5, absWithBias, { rtol: 2 * U }); // 4 terms + bias; slope·v rounds once
    const slope = 0.2;
    const act = await runAndRead(
      ctx,
      [prepareCol2im(ctx, { geom: g, cols, image: out, bias, activation: 'leaky_relu', slope })],
      out,
      n,
    );
    expectClose(`conv.col2im+bias+leaky ${name(g)}`, act, activationForward(withBias, 'leaky_relu', slope), tol);

    const before = rng.uniformArray(n);
    ctx.buffers.write(out, before);
    const acc = await runAndRead(ctx, [prepareCol2im(ctx, { geom: g, cols, image: out, accumulate: true })], out, n);
    expectClose(
      `conv.col2im accumulate ${name(g)}`,
      acc,
      Float64Array.from(sum, (v, i) => v + before[i]),
      sumTolerance(
        5,
        Float64Array.from(absSum, (v, i) => v + Math.abs(before[i])),
      ),
    );
    expect(() => prepareCol2im(ctx, { geom: g, cols, image: out, accumulate: true, activation: 'tanh' })).toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Conv2d and ConvTranspose2d as the trainer runs them (src/nn: im2col / col2im + matmul + column
// sums, through the engine's Backend), on the CPU backend and on the WebGPU backend, against the
// direct-loop twins: forward, then backward with dx, dW and db.

interface LayerCase {
  g: ConvGeometry;
  bias: boolean;
  activation?: Activation;
  /** accumulate: the parameter gradients start non-zero and are added to (weightGrads
   *  'accumulate'); normalized: the trace runs on a separate weight (D's W̄) and writes ∂L/∂W̄ to
   *  a separate target, leaving the layer's raw W unused and its gW untouched. */
  variant?: 'accumulate' | 'normalized';
}

const SLOPE = 0.1;
// Fused activations: ReLU is exact; LeakyReLU rounds slope·v once (u relative); tanh is a
// transcendental (a few ulps, as in the elementwise tests).
function activationTolerance(activation: Activation | undefined): Partial<Tolerance> {
  if (activation === 'leaky_relu') return { rtol: 2 * U };
  if (activation === 'tanh' || activation === 'sigmoid') return { atol: 1e-6, rtol: 1e-5 };
  return {};
}

// The backward's dz = dy·act'(y), from the layer's own output y, rounds in f32 (LeakyReLU:
// slope·dy; tanh: (1 − y²)·dy): at most 3u·|dy| per element. Every sum below is linear in dz, so
// it gains at most 3u·S with S the twin run on |dy| (≥ |dz|: act' is in [0, 1] here).
function gradTolerance(k: number, absSums: ArrayLike<number>, activation: Activation | undefined): Tolerance {
  const rounds = activation === 'leaky_relu' || activation === 'tanh' || activation === 'sigmoid';
  return sumTolerance(k, absSums, { atol: rounds ? 3 * U * maxAbs(absSums) : 0 });
}

const geomName = (g: ConvGeometry): string =>
  `B${g.batch} ${g.inH}x${g.inW} ${g.inC}->${g.outC} k${g.kh}x${g.kw} s${g.stride} p${g.pad}`;

const CONVS: LayerCase[] = [
  {
    g: { batch: 2, inH: 8, inW: 8, inC: 3, outC: 7, kh: 3, kw: 3, stride: 1, pad: 1 },
    bias: true,
    activation: 'leaky_relu',
  },
  {
    g: { batch: 2, inH: 16, inW: 16, inC: 33, outC: 64, kh: 4, kw: 4, stride: 2, pad: 1 },
    bias: true,
    variant: 'accumulate',
  },
  { g: { batch: 1, inH: 5, inW: 6, inC: 33, outC: 3, kh: 1, kw: 1, stride: 1, pad: 0 }, bias: false },
  {
    g: { batch: 2, inH: 9, inW: 7, inC: 1, outC: 7, kh: 5, kw: 5, stride: 2, pad: 2 },
    bias: true,
    variant: 'normalized',
  },
  { g: { batch: 1, inH: 8, inW: 9, inC: 7, outC: 1, kh: 3, kw: 3, stride: 2, pad: 0 }, bias: true },
  {
    g: { batch: 2, inH: 7, inW: 5, inC: 3, outC: 33, kh: 2, kw: 2, stride: 1, pad: 1 },
    bias: true,
    activation: 'relu',
  },
  { g: { batch: 1, inH: 6, inW: 7, inC: 33, outC: 7, kh: 3, kw: 2, stride: 2, pad: 1 }, bias: true },
];

const TRANSPOSED: LayerCase[] = [
  {
    g: { batch: 2, inH: 4, inW: 4, inC: 33, outC: 7, kh: 4, kw: 4, stride: 2, pad: 1 },
    bias: true,
    activation: 'relu',
  },
  { g: { batch: 2, inH: 6, inW: 6, inC: 7, outC: 3, kh: 3, kw: 3, stride: 1, pad: 1 }, bias: true, activation: 'tanh' },
  { g: { batch: 1, inH: 5, inW: 3, inC: 3, outC: 33, kh: 1, kw: 1, stride: 1, pad: 0 }, bias: false },
  { g: { batch: 2, inH: 4, inW: 3, inC: 7, outC: 1, kh: 5, kw: 5, stride: 2, pad: 2 }, bias: true },
  {
    g: { batch: 1, inH: 3, inW: 4, inC: 1, outC: 7, kh: 3, kw: 2, stride: 2, pad: 0 },
    bias: true,
    variant: 'normalized',
  },
  { g: { batch: 2, inH: 7, inW: 5, inC: 33, outC: 3, kh: 2, kw: 2, stride: 1, pad: 1 }, bias: true },
  { g: { batch: 1, inH: 1, inW: 1, inC: 3, outC: 33, kh: 4, kw: 4, stride: 2, pad: 1 }, bias: true },
  {
    g: { batch: 2, inH: 8, inW: 8, inC: 64, outC: 33, kh: 4, kw: 4, stride: 2, pad: 1 },
    bias: true,
    variant: 'accumulate',
  },
];

const BACKENDS: { kind: BackendKind; make: () => Promise<Backend> }[] = [
  { kind: 'cpu', make: () => Promise.resolve(new CpuBackend()) },
  { kind: 'webgpu', make: async () => new GpuBackend(await testGpu()) },
];

const plus = (a: ArrayLike<number>, b: ArrayLike<number>): Float64Array => Float64Array.from(a, (v, i) => v + b[i]);
const tagOf = (c: LayerCase): string =>
  `${geomName(c.g)}${c.activation ? ` ${c.activation}` : ''}${c.variant ? ` ${c.variant}` : ''}`;

/** A case's inputs; dw0 and db0 are what the gradients hold before the backward (garbage unless accumulating). */
interface LayerValues {
  x: Float32Array;
  w: Float32Array;
  b?: Float32Array;
  dy: Float32Array;
  dw0: Float32Array;
  db0: Float32Array;
}

function layerValues(rng: Rng, c: LayerCase, s: ConvSizes, fanIn: number): LayerValues {
  const accumulate = c.variant === 'accumulate';
  return {
    x: rng.uniformArray(s.x),
    w: rng.uniformArray(s.w, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)),
    b: c.bias ? rng.uniformArray(s.bias) : undefined,
    dy: rng.uniformArray(s.y),
    dw0: accumulate ? rng.uniformArray(s.w) : rng.uniformArray(s.w, 5, 6),
    db0: accumulate ? rng.uniformArray(s.bias) : rng.uniformArray(s.bias, 5, 6),
  };
}

interface LayerRun {
  y: Float32Array;
  dw: Float32Array;
  db?: Float32Array;
  dx: Float32Array;
  /** The layer's own gW after the backward. */
  rawGW: Float32Array;
}

/**
 * One layer's forward, then backward (weight and input gradients), run the way a Sequential
 * trace runs it: a shared im2col scratch that holds garbage before each pass (another layer's
 * leftovers), and output and gradient buffers that hold garbage before they are written.
 */
async function runLayer(
  backend: Backend,
  Layer: typeof Conv2d | typeof ConvTranspose2d,
  c: LayerCase,
  v: LayerValues,
  rng: Rng,
): Promise<LayerRun> {
  const { batch, ...shape } = c.g;
  const normalized = c.variant === 'normalized';
  const spec = { ...shape, activation: c.activation, slope: SLOPE };
  const layer = new Layer(backend, 'layer', spec, { w: normalized ? rng.uniformArray(v.w.length) : v.w, b: v.b });
  const weight = normalized ? backend.tensor('layer.wBar', v.w.length, v.w) : undefined;
  const target = weight ? backend.tensor('layer.gWBar', v.w.length, v.dw0) : layer.gW;
  const scratchSize = layer.scratchSize(batch);
  const scratch = backend.tensor('scratch', scratchSize, rng.uniformArray(scratchSize, 5, 6));
  const trace = layer.trace('layer', backend.tensor('x', v.x.length, v.x), batch, { weight, scratch });
  backend.write(trace.output, rng.uniformArray(trace.output.size, 5, 6));
  const [y] = await backend.run(trace.forward(), [trace.output]);

  backend.write(scratch, rng.uniformArray(scratchSize, 5, 6));
  backend.write(trace.outputGrad, v.dy);
  backend.write(trace.inputGrad, rng.uniformArray(trace.inputGrad.size, 5, 6));
  if (!weight) backend.write(layer.gW, v.dw0);
  if (layer.gB) backend.write(layer.gB, v.db0);
  const backward = trace.backward({
    label: 'backward',
    weightGrads: c.variant === 'accumulate' ? 'accumulate' : 'write',
    inputGrad: true,
    weightGradTarget: weight ? target : undefined,
  });
  const [dw, dx, rawGW, db] = await backend.run(backward, [
    target,
    trace.inputGrad,
    layer.gW,
    ...(layer.gB ? [layer.gB] : []),
  ]);
  return { y, dw, dx, rawGW, db };
}

/** The gradients' expected starting values: dw0 / db0 when accumulating, else nothing. */
function base(c: LayerCase, start: Float32Array): Float32Array {
  return c.variant === 'accumulate' ? start : new Float32Array(start.length);
}

type Twin = (...args: Parameters<typeof conv2dWeightGrad>) => Float64Array;

/** What differs between the two layers: the class, the twins, and how many terms each sum has. */
interface LayerKind {
  name: string;
  Layer: typeof Conv2d | typeof ConvTranspose2d;
  cases: LayerCase[];
  seed: number;
  sizes: (g: ConvGeometry) => ConvSizes;
  /** W's fan-in, for the initial scale. */
  fanIn: (g: ConvGeometry) => number;
  forward: typeof conv2dForward;
  weightGrad: Twin;
  inputGrad: Twin;
  /** Rows dW sums over: conv output pixels B·Ho·Wo, or transposed-conv input pixels B·H·W. */
  weightRows: (g: ConvGeometry, s: ConvSizes) => number;
  /** Geometry and seed of the twins' finite-difference check. */
  fd: { g: ConvGeometry; seed: number };
}

/** The transposed conv's finite-difference geometry, also the adjoint check's. */
const TRANSPOSED_FD: ConvGeometry = { batch: 2, inH: 3, inW: 2, inC: 3, outC: 2, kh: 4, kw: 3, stride: 2, pad: 1 };

// Forward: each output sums at most Cin·kh·kw products and the bias (the transposed conv fewer:
// Cin·ceil(kh/s)·ceil(kw/s)). Backward: dW sums weightRows products and db B·Ho·Wo values (+1 with
// accumulate), dx Cout·kh·kw products.
const KINDS: LayerKind[] = [
  {
    name: 'conv2d',
    Layer: Conv2d,
    cases: CONVS,
    seed: 41,
    sizes: conv2dSizes,
    fanIn: (g) => g.inC * g.kh * g.kw,
    forward: conv2dForward,
    weightGrad: conv2dWeightGrad,
    inputGrad: conv2dInputGrad,
    weightRows: (g, s) => s.y / g.outC,
    fd: { g: { batch: 2, inH: 5, inW: 4, inC: 2, outC: 3, kh: 3, kw: 3, stride: 2, pad: 1 }, seed: 32 },
  },
  {
    name: 'convTranspose2d',
    Layer: ConvTranspose2d,
    cases: TRANSPOSED,
    seed: 42,
    sizes: convTranspose2dSizes,
    fanIn: (g) => g.inC,
    forward: convTranspose2dForward,
    weightGrad: convTranspose2dWeightGrad,
    inputGrad: convTranspose2dInputGrad,
    weightRows: (g, s) => s.x / g.inC,
    fd: { g: TRANSPOSED_FD, seed: 33 },
  },
];

describe('Conv2d and ConvTranspose2d layers (as trained) against direct-loop twins', () => {
  for (const { kind, make } of BACKENDS) {
    for (const k of KINDS) {
      for (const c of k.cases) {
        const g = c.g;
        const tag = `${kind} ${k.name} ${tagOf(c)}`;
        it(tag, async () => {
          const backend = await make();
          const rng = new Rng(k.seed);
          const s = k.sizes(g);
          const v = layerValues(rng, c, s, k.fanIn(g));
          const run = await runLayer(backend, k.Layer, c, v, rng);
          expectClose(
            `${tag} forward`,
            run.y,
            k.forward(v.x, v.w, v.b, g, c.activation, SLOPE),
            sumTolerance(
              g.inC * g.kh * g.kw + 1,
              k.forward(abs(v.x), abs(v.w), v.b && abs(v.b), g),
              activationTolerance(c.activation),
            ),
          );

          const dz = activationBackward(run.y, v.dy, c.activation ?? 'identity', SLOPE);
          const absDy = abs(v.dy);
          const outPixels = s.y / g.outC;
          const extra = c.variant === 'accumulate' ? 1 : 0;
          const dw0 = base(c, v.dw0);
          expectClose(
            `${tag} dw`,
            run.dw,
            plus(k.weightGrad(v.x, dz, g), dw0),
            gradTolerance(k.weightRows(g, s) + extra, plus(k.weightGrad(abs(v.x), absDy, g), abs(dw0)), c.activation),
          );
          if (c.bias) {
            const db0 = base(c, v.db0);
            expectClose(
              `${tag} db`,
              run.db!,
              plus(biasGrad(dz, outPixels, g.outC), db0),
              gradTolerance(outPixels + extra, plus(biasGrad(absDy, outPixels, g.outC), abs(db0)), c.activation),
            );
          }
          expectClose(
            `${tag} dx`,
            run.dx,
            k.inputGrad(dz, v.w, g),
            gradTolerance(g.outC * g.kh * g.kw, k.inputGrad(absDy, abs(v.w), g), c.activation),
          );
          if (c.variant === 'normalized') {
            expectClose(`${tag} raw gW untouched`, run.rawGW, new Float32Array(s.w), EXACT);
          }
        });
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------
// The twins' backward against central finite differences of the twins' forward (float64).

/** L = Σ_o g_o · y_o, whose gradient with respect to y is g. */
function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Central differences of f at every element of v (perturbed in place and restored). */
function finiteDifferences(v: Float64Array, f: () => number, h = 1e-4): Float64Array {
  const grad = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const keep = v[i];
    v[i] = keep + h;
    const plus = f();
    v[i] = keep - h;
    const minus = f();
    v[i] = keep;
    grad[i] = (plus - minus) / (2 * h);
  }
  return grad;
}

// L is linear in each of x, w, b, so the central difference is exact up to float64 rounding of L
// (≈ 1e-16·|L|/h ≈ 1e-11 here); a wrong index in a backward twin is off by a whole term (≥ 1e-2).
const FD_TOL: Tolerance = { atol: 1e-8, rtol: 1e-8 };

describe('float64 twins: backward against finite differences of forward', () => {
  it('im2col and col2im are adjoint', () => {
    const rng = new Rng(31);
    for (const g of PATCHES) {
      const { rows, k } = patchGrid(g);
      const x = Float64Array.from(rng.uniformArray(g.batch * g.height * g.width * g.channels));
      const c = Float64Array.from(rng.uniformArray(rows * k));
      expectClose(`twin.adjoint ${name(g)}`, [dot(im2col(x, g), c)], [dot(x, col2im(c, g))], FD_TOL);
    }
  });

  for (const kind of KINDS) {
    const g = kind.fd.g;
    it(`${kind.name}: dx, dw, db (${geomName(g)})`, () => {
      const rng = new Rng(kind.fd.seed);
      const x = Float64Array.from(rng.uniformArray(g.batch * g.inH * g.inW * g.inC));
      // Both layouts ([Cout][Cin][kh][kw] and [Cin][Cout][kh][kw]) hold Cin·Cout·kh·kw weights.
      const w = Float64Array.from(rng.uniformArray(g.outC * g.inC * g.kh * g.kw));
      const b = Float64Array.from(rng.uniformArray(g.outC));
      const y = kind.forward(x, w, b, g);
      const dy = Float64Array.from(rng.uniformArray(y.length));
      const loss = (): number => dot(kind.forward(x, w, b, g), dy);
      const fd = (v: Float64Array): Float64Array => finiteDifferences(v, loss);
      expectClose(`twin.${kind.name}.dx`, kind.inputGrad(dy, w, g), fd(x), FD_TOL);
      expectClose(`twin.${kind.name}.dw`, kind.weightGrad(x, dy, g), fd(w), FD_TOL);
      expectClose(`twin.${kind.name}.db`, biasGrad(dy, y.length / g.outC, g.outC), fd(b), FD_TOL);
    });
  }

  it('transposed conv is the adjoint of the conv with the same weights', () => {
    // ConvTranspose2d(inC=a, outC=b) with weight [a][b][kh][kw] is the adjoint of Conv2d(b -> a)
    // with the same array read as [Cout=a][Cin=b][kh][kw]: <convT(x), z> = <x, conv(z)>.
    const g = TRANSPOSED_FD;
    const rng = new Rng(34);
    const x = Float64Array.from(rng.uniformArray(g.batch * g.inH * g.inW * g.inC));
    const w = Float64Array.from(rng.uniformArray(g.inC * g.outC * g.kh * g.kw));
    const y = convTranspose2dForward(x, w, undefined, g);
    const z = Float64Array.from(rng.uniformArray(y.length));
    const outH = (g.inH - 1) * g.stride - 2 * g.pad + g.kh;
    const outW = (g.inW - 1) * g.stride - 2 * g.pad + g.kw;
    const c: ConvGeometry = { ...g, inH: outH, inW: outW, inC: g.outC, outC: g.inC };
    expectClose('twin.convT2d.adjoint', [dot(y, z)], [dot(x, conv2dForward(z, w, undefined, c))], FD_TOL);
  });
});
