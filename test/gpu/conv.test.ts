import { describe, expect, it } from 'vitest';
import type { Activation } from '../../src/gpu/activation';
import {
  conv2dSizes,
  convTranspose2dSizes,
  patchGrid,
  prepareCol2im,
  prepareConv2dBackward,
  prepareConv2dForward,
  prepareConvTranspose2dBackward,
  prepareConvTranspose2dForward,
  prepareIm2col,
  type ConvGeometry,
  type PatchGeometry,
} from '../../src/gpu/kernels/conv';
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
import { activationForward } from '../../src/reference/elementwise';
import { Rng } from '../../src/reference/random';
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
function sumTolerance(k: number, absSums: ArrayLike<number>, extra: Partial<Tolerance> = {}): Tolerance {
  let max = 0;
  for (let i = 0; i < absSums.length; i++) max = Math.max(max, absSums[i]);
  return { atol: 4 * Math.sqrt(k) * U * max + (extra.atol ?? 0), rtol: extra.rtol ?? 0 };
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
// Whole layers (im2col/col2im + matmul + column sums) against the direct-loop twins.

interface LayerCase {
  g: ConvGeometry;
  bias: boolean;
  activation?: Activation;
  /** accumulate: dw, db, dx start non-zero and are added to; recompute: the backward re-runs
   *  im2col(x) into a garbage-filled cols and writes dcols to a separate buffer. */
  variant?: 'accumulate' | 'recompute';
}

const SLOPE = 0.1;
// Fused activations: ReLU is exact; LeakyReLU rounds slope·v once (u relative); tanh is a
// transcendental (a few ulps, as in the elementwise tests).
function activationTolerance(activation: Activation | undefined): Partial<Tolerance> {
  if (activation === 'leaky_relu') return { rtol: 2 * U };
  if (activation === 'tanh' || activation === 'sigmoid') return { atol: 1e-6, rtol: 1e-5 };
  return {};
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
    variant: 'recompute',
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
  { g: { batch: 1, inH: 3, inW: 4, inC: 1, outC: 7, kh: 3, kw: 2, stride: 2, pad: 0 }, bias: true },
  { g: { batch: 2, inH: 7, inW: 5, inC: 33, outC: 3, kh: 2, kw: 2, stride: 1, pad: 1 }, bias: true },
  { g: { batch: 1, inH: 1, inW: 1, inC: 3, outC: 33, kh: 4, kw: 4, stride: 2, pad: 1 }, bias: true },
  {
    g: { batch: 2, inH: 8, inW: 8, inC: 64, outC: 33, kh: 4, kw: 4, stride: 2, pad: 1 },
    bias: true,
    variant: 'accumulate',
  },
];

const plus = (a: ArrayLike<number>, b: ArrayLike<number>): Float64Array => Float64Array.from(a, (v, i) => v + b[i]);

describe('conv layers against direct-loop twins', () => {
  for (const c of CONVS) {
    const g = c.g;
    const tag = `${geomName(g)}${c.activation ? ` ${c.activation}` : ''}${c.variant ? ` ${c.variant}` : ''}`;
    it(`conv2d ${tag}`, async () => {
      const ctx = await testGpu();
      const rng = new Rng(41);
      const s = conv2dSizes(g);
      const K = g.inC * g.kh * g.kw;
      const x = rng.uniformArray(s.x);
      const w = rng.uniformArray(s.w, -1 / Math.sqrt(K), 1 / Math.sqrt(K));
      const b = c.bias ? rng.uniformArray(s.bias) : undefined;
      const dy = rng.uniformArray(s.y);
      const bx = ctx.buffers.storage('x', s.x, x);
      const bw = ctx.buffers.storage('w', s.w, w);
      const bb = b ? ctx.buffers.storage('b', s.bias, b) : undefined;
      const by = ctx.buffers.storage('y', s.y);
      const cols = ctx.buffers.storage('cols', s.cols);
      const forward = prepareConv2dForward(ctx, g, {
        x: bx,
        w: bw,
        bias: bb,
        y: by,
        cols,
        activation: c.activation,
        slope: SLOPE,
      });
      const y = await runAndRead(ctx, [forward], by, s.y);
      expectClose(
        `conv2d.forward ${tag}`,
        y,
        conv2dForward(x, w, b, g, c.activation, SLOPE),
        sumTolerance(K + 1, conv2dForward(abs(x), abs(w), b && abs(b), g), activationTolerance(c.activation)),
      );

      const rows = s.y / g.outC;
      const accumulate = c.variant === 'accumulate';
      const dw0 = accumulate ? rng.uniformArray(s.w) : new Float32Array(s.w);
      const db0 = accumulate ? rng.uniformArray(s.bias) : new Float32Array(s.bias);
      const dx0 = accumulate ? rng.uniformArray(s.x) : new Float32Array(s.x);
      const bdy = ctx.buffers.storage('dy', s.y, dy);
      const bdw = ctx.buffers.storage('dw', s.w, accumulate ? dw0 : rng.uniformArray(s.w, 5, 6));
      const bdb = ctx.buffers.storage('db', s.bias, accumulate ? db0 : rng.uniformArray(s.bias, 5, 6));
      const bdx = ctx.buffers.storage('dx', s.x, accumulate ? dx0 : rng.uniformArray(s.x, 5, 6));
      const recompute = c.variant === 'recompute';
      if (recompute) ctx.buffers.write(cols, rng.uniformArray(s.cols, 5, 6));
      const dcols = recompute ? ctx.buffers.storage('dcols', s.cols) : undefined;
      const backward = prepareConv2dBackward(ctx, g, {
        dy: bdy,
        w: bw,
        cols,
        x: recompute ? bx : undefined,
        dcols,
        dw: bdw,
        db: bdb,
        dx: bdx,
        accumulate,
        accumulateInput: accumulate,
      });
      const dx = await runAndRead(ctx, [backward], bdx, s.x);
      const dw = await ctx.buffers.read(bdw, s.w);
      const db = await ctx.buffers.read(bdb, s.bias);
      // dW sums B·Ho·Wo products, db B·Ho·Wo values, dx Cout·kh·kw products (+1 with accumulate).
      const extra = accumulate ? 1 : 0;
      expectClose(
        `conv2d.dw ${tag}`,
        dw,
        plus(conv2dWeightGrad(x, dy, g), dw0),
        sumTolerance(rows + extra, plus(conv2dWeightGrad(abs(x), abs(dy), g), abs(dw0))),
      );
      expectClose(
        `conv2d.db ${tag}`,
        db,
        plus(biasGrad(dy, rows, g.outC), db0),
        sumTolerance(rows + extra, plus(biasGrad(abs(dy), rows, g.outC), abs(db0))),
      );
      expectClose(
        `conv2d.dx ${tag}`,
        dx,
        plus(conv2dInputGrad(dy, w, g), dx0),
        sumTolerance(g.outC * g.kh * g.kw + extra, plus(conv2dInputGrad(abs(dy), abs(w), g), abs(dx0))),
      );
    });
  }

  for (const c of TRANSPOSED) {
    const g = c.g;
    const tag = `${geomName(g)}${c.activation ? ` ${c.activation}` : ''}${c.variant ? ` ${c.variant}` : ''}`;
    it(`convTranspose2d ${tag}`, async () => {
      const ctx = await testGpu();
      const rng = new Rng(42);
      const s = convTranspose2dSizes(g);
      const x = rng.uniformArray(s.x);
      const w = rng.uniformArray(s.w, -1 / Math.sqrt(g.inC), 1 / Math.sqrt(g.inC));
      const b = c.bias ? rng.uniformArray(s.bias) : undefined;
      const dy = rng.uniformArray(s.y);
      const bx = ctx.buffers.storage('x', s.x, x);
      const bw = ctx.buffers.storage('w', s.w, w);
      const bb = b ? ctx.buffers.storage('b', s.bias, b) : undefined;
      const by = ctx.buffers.storage('y', s.y, rng.uniformArray(s.y, 5, 6));
      const cols = ctx.buffers.storage('cols', s.cols);
      const forward = prepareConvTranspose2dForward(ctx, g, {
        x: bx,
        w: bw,
        bias: bb,
        y: by,
        cols,
        activation: c.activation,
        slope: SLOPE,
      });
      const y = await runAndRead(ctx, [forward], by, s.y);
      // Each output sums at most Cin·ceil(kh/s)·ceil(kw/s) products and the bias.
      expectClose(
        `convT2d.forward ${tag}`,
        y,
        convTranspose2dForward(x, w, b, g, c.activation, SLOPE),
        sumTolerance(
          g.inC * g.kh * g.kw + 1,
          convTranspose2dForward(abs(x), abs(w), b && abs(b), g),
          activationTolerance(c.activation),
        ),
      );

      const pixels = s.x / g.inC;
      const outPixels = s.y / g.outC;
      const accumulate = c.variant === 'accumulate';
      const dw0 = accumulate ? rng.uniformArray(s.w) : new Float32Array(s.w);
      const db0 = accumulate ? rng.uniformArray(s.bias) : new Float32Array(s.bias);
      const dx0 = accumulate ? rng.uniformArray(s.x) : new Float32Array(s.x);
      const bdy = ctx.buffers.storage('dy', s.y, dy);
      const bdw = ctx.buffers.storage('dw', s.w, accumulate ? dw0 : rng.uniformArray(s.w, 5, 6));
      const bdb = ctx.buffers.storage('db', s.bias, accumulate ? db0 : rng.uniformArray(s.bias, 5, 6));
      const bdx = ctx.buffers.storage('dx', s.x, accumulate ? dx0 : rng.uniformArray(s.x, 5, 6));
      // The forward's cols serves as the backward's dcols.
      const backward = prepareConvTranspose2dBackward(ctx, g, {
        x: bx,
        dy: bdy,
        w: bw,
        dcols: cols,
        dw: bdw,
        db: bdb,
        dx: bdx,
        accumulate,
        accumulateInput: accumulate,
      });
      const dx = await runAndRead(ctx, [backward], bdx, s.x);
      const dw = await ctx.buffers.read(bdw, s.w);
      const db = await ctx.buffers.read(bdb, s.bias);
      const extra = accumulate ? 1 : 0;
      expectClose(
        `convT2d.dw ${tag}`,
        dw,
        plus(convTranspose2dWeightGrad(x, dy, g), dw0),
        sumTolerance(pixels + extra, plus(convTranspose2dWeightGrad(abs(x), abs(dy), g), abs(dw0))),
      );
      expectClose(
        `convT2d.db ${tag}`,
        db,
        plus(biasGrad(dy, outPixels, g.outC), db0),
        sumTolerance(outPixels + extra, plus(biasGrad(abs(dy), outPixels, g.outC), abs(db0))),
      );
      expectClose(
        `convT2d.dx ${tag}`,
        dx,
        plus(convTranspose2dInputGrad(dy, w, g), dx0),
        sumTolerance(g.outC * g.kh * g.kw + extra, plus(convTranspose2dInputGrad(abs(dy), abs(w), g), abs(dx0))),
      );
    });
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

  const conv: ConvGeometry = { batch: 2, inH: 5, inW: 4, inC: 2, outC: 3, kh: 3, kw: 3, stride: 2, pad: 1 };
  it(`conv2d: dx, dw, db (B2 5x4 2->3 k3 s2 p1)`, () => {
    const g = conv;
    const rng = new Rng(32);
    const x = Float64Array.from(rng.uniformArray(g.batch * g.inH * g.inW * g.inC));
    const w = Float64Array.from(rng.uniformArray(g.outC * g.inC * g.kh * g.kw));
    const b = Float64Array.from(rng.uniformArray(g.outC));
    const y = conv2dForward(x, w, b, g);
    const dy = Float64Array.from(rng.uniformArray(y.length));
    const loss = (): number => dot(conv2dForward(x, w, b, g), dy);
    expectClose('twin.conv2d.dx', conv2dInputGrad(dy, w, g), finiteDifferences(x, loss), FD_TOL);
    expectClose('twin.conv2d.dw', conv2dWeightGrad(x, dy, g), finiteDifferences(w, loss), FD_TOL);
    expectClose('twin.conv2d.db', biasGrad(dy, y.length / g.outC, g.outC), finiteDifferences(b, loss), FD_TOL);
  });

  const transposed: ConvGeometry = { batch: 2, inH: 3, inW: 2, inC: 3, outC: 2, kh: 4, kw: 3, stride: 2, pad: 1 };
  it(`convTranspose2d: dx, dw, db (B2 3x2 3->2 k4x3 s2 p1)`, () => {
    const g = transposed;
    const rng = new Rng(33);
    const x = Float64Array.from(rng.uniformArray(g.batch * g.inH * g.inW * g.inC));
    const w = Float64Array.from(rng.uniformArray(g.inC * g.outC * g.kh * g.kw));
    const b = Float64Array.from(rng.uniformArray(g.outC));
    const y = convTranspose2dForward(x, w, b, g);
    const dy = Float64Array.from(rng.uniformArray(y.length));
    const loss = (): number => dot(convTranspose2dForward(x, w, b, g), dy);
    expectClose('twin.convT2d.dx', convTranspose2dInputGrad(dy, w, g), finiteDifferences(x, loss), FD_TOL);
    expectClose('twin.convT2d.dw', convTranspose2dWeightGrad(x, dy, g), finiteDifferences(w, loss), FD_TOL);
    expectClose('twin.convT2d.db', biasGrad(dy, y.length / g.outC, g.outC), finiteDifferences(b, loss), FD_TOL);
  });

  it('transposed conv is the adjoint of the conv with the same weights', () => {
    // ConvTranspose2d(inC=a, outC=b) with weight [a][b][kh][kw] is the adjoint of Conv2d(b -> a)
    // with the same array read as [Cout=a][Cin=b][kh][kw]: <convT(x), z> = <x, conv(z)>.
    const g = transposed;
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
