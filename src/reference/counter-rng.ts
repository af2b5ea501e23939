/** Float64 twin of shaders/random.wgsl: the same integer hashing, the same Box–Muller. */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

export interface CounterRngKey {
  seed: number;
  stream: number;
  /** The GPU's draw counter after its tick. */
  draw: number;
}

export function randomBits(index: number, key: CounterRngKey): number {
  return pcgHash((index ^ pcgHash((key.draw ^ pcgHash((key.stream ^ pcgHash(key.seed >>> 0)) >>> 0)) >>> 0)) >>> 0);
}

export function uniform01(bits: number): number {
  return ((bits >>> 8) + 0.5) / 16777216;
}

export function gaussian(index: number, key: CounterRngKey): number {
  const u1 = uniform01(randomBits(2 * index, key));
  const u2 = uniform01(randomBits(2 * index + 1, key));
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * (u2 - 0.5));
}

export function normalDraw(n: number, std: number, key: CounterRngKey): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => std * gaussian(i, key));
}

export function uniformDraw(n: number, key: CounterRngKey): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => uniform01(randomBits(i, key)));
}

export function sampleAnchors(n: number, anchors: ArrayLike<number>, std: number, key: CounterRngKey): Float64Array {
  const count = anchors.length / 2;
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const a = randomBits(3 * i, key) % count;
    out[2 * i] = anchors[2 * a] + std * gaussian(2 * n + 2 * i, key);
    out[2 * i + 1] = anchors[2 * a + 1] + std * gaussian(2 * n + 2 * i + 1, key);
  }
  return out;
}

/** n rows of `rows` (count × dim) chosen as shaders/random.wgsl's sample_rows chooses them. */
export function sampleRows(
  n: number,
  rows: ArrayLike<number>,
  count: number,
  dim: number,
  key: CounterRngKey,
): Float64Array {
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const a = randomBits(3 * i, key) % count;
    for (let j = 0; j < dim; j++) out[i * dim + j] = rows[a * dim + j];
  }
  return out;
}
