/**
 * Float64 twin of shaders/batchnorm.wgsl: batch normalization over the rows of a row-major
 * rows × cols matrix (NHWC flattened), per channel (column), training and eval mode.
 */

export interface BatchNormTwinForward {
  y: Float64Array;
  xhat: Float64Array;
  mean: Float64Array;
  /** Biased (divide by rows) batch variance. */
  variance: Float64Array;
  invstd: Float64Array;
}

export function batchNormForward(
  x: ArrayLike<number>,
  rows: number,
  cols: number,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  eps = 1e-5,
): BatchNormTwinForward {
  const mean = new Float64Array(cols);
  const variance = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c] += x[r * cols + c];
  for (let c = 0; c < cols; c++) mean[c] /= rows;
  // Two passes: the centred sum of squares, never E[x²] − mean².
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = x[r * cols + c] - mean[c];
      variance[c] += d * d;
    }
  }
  for (let c = 0; c < cols; c++) variance[c] /= rows;
  const invstd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const xhat = new Float64Array(rows * cols);
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      xhat[i] = (x[i] - mean[c]) * invstd[c];
      y[i] = gamma[c] * xhat[i] + beta[c];
    }
  }
  return { y, xhat, mean, variance, invstd };
}

/**
 * PyTorch's running statistics: rm ← (1−m)·rm + m·mean, rv ← (1−m)·rv + m·var·R/(R−1).
 * With rows = 1 the unbiased variance does not exist and rv is returned unchanged.
 */
export function updateRunningStats(
  runningMean: ArrayLike<number>,
  runningVar: ArrayLike<number>,
  mean: ArrayLike<number>,
  biasedVariance: ArrayLike<number>,
  rows: number,
  momentum = 0.1,
): { runningMean: Float64Array; runningVar: Float64Array } {
  return {
    runningMean: Float64Array.from(runningMean, (rm, c) => (1 - momentum) * rm + momentum * mean[c]),
    runningVar: Float64Array.from(runningVar, (rv, c) =>
      rows > 1 ? (1 - momentum) * rv + momentum * ((biasedVariance[c] * rows) / (rows - 1)) : rv,
    ),
  };
}

export function batchNormEval(
  x: ArrayLike<number>,
  rows: number,
  cols: number,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  runningMean: ArrayLike<number>,
  runningVar: ArrayLike<number>,
  eps = 1e-5,
): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      y[i] = (gamma[c] * (x[i] - runningMean[c])) / Math.sqrt(runningVar[c] + eps) + beta[c];
    }
  }
  return y;
}

export interface BatchNormTwinGradients {
  dx: Float64Array;
  dgamma: Float64Array;
  dbeta: Float64Array;
}

/** dgamma = Σ dy·xhat, dbeta = Σ dy, dx = gamma·invstd/R · (R·dy − dbeta − xhat·dgamma). */
export function batchNormBackward(
  dy: ArrayLike<number>,
  xhat: ArrayLike<number>,
  invstd: ArrayLike<number>,
  gamma: ArrayLike<number>,
  rows: number,
  cols: number,
): BatchNormTwinGradients {
  const dgamma = new Float64Array(cols);
  const dbeta = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      dbeta[c] += dy[i];
      dgamma[c] += dy[i] * xhat[i];
    }
  }
  const dx = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      dx[i] = ((gamma[c] * invstd[c]) / rows) * (rows * dy[i] - dbeta[c] - xhat[i] * dgamma[c]);
    }
  }
  return { dx, dgamma, dbeta };
}
