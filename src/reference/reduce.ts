/** Float64 twins of shaders/reduce.wgsl: sums over an axis of a row-major rows × cols matrix. */

export interface ReduceTwinOptions {
  /** 'mean' divides by the length of the reduced axis. */
  op?: 'sum' | 'mean';
  /** Sum x² instead of x. */
  square?: boolean;
  /** Extra factor on the result. */
  scale?: number;
  /** Previous contents of out, added to the result (accumulate). */
  accumulateInto?: ArrayLike<number>;
}

function finish(sums: Float64Array, count: number, o: ReduceTwinOptions): Float64Array {
  const factor = (o.scale ?? 1) * (o.op === 'mean' ? 1 / count : 1);
  return sums.map((s, j) => factor * s + (o.accumulateInto ? o.accumulateInto[j] : 0));
}

/** out[c] = Σ_r f(x[r·cols + c]). */
export function columnReduce(
  x: ArrayLike<number>,
  rows: number,
  cols: number,
  o: ReduceTwinOptions = {},
): Float64Array {
  const sums = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = x[r * cols + c];
      sums[c] += o.square ? v * v : v;
    }
  }
  return finish(sums, rows, o);
}

/** out[r] = Σ_c f(x[r·cols + c]). */
export function rowReduce(x: ArrayLike<number>, rows: number, cols: number, o: ReduceTwinOptions = {}): Float64Array {
  const sums = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) {
      const v = x[r * cols + c];
      s += o.square ? v * v : v;
    }
    sums[r] = s;
  }
  return finish(sums, cols, o);
}

/** [Σ_i f(x[i])] as a one-element array. */
export function totalReduce(x: ArrayLike<number>, o: ReduceTwinOptions = {}): Float64Array {
  return rowReduce(x, 1, x.length, o);
}

/** Σ_i x[i]². */
export function squaredNorm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}
