/** The independent singular-value oracle the tests compare against: ml-matrix's SVD, in float64. */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';

/** All min(rows, cols) singular values of the row-major rows × cols matrix `a`, largest first. */
export function oracleSingularValues(a: ArrayLike<number>, rows: number, cols: number): number[] {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, a[i * cols + j]);
  return new SingularValueDecomposition(m, {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: true,
  }).diagonal;
}
