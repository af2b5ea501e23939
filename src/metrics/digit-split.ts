/**
 * The fixed train / held-out split of the 10,000 MNIST digits used to train and check the digit
 * classifier (src/metrics/digit-classifier.ts). Stratified and seedless: within each class, in the
 * `mnist` package's order (the order of public/data/mnist-10k.bin), the first ⌊0.8·n_c⌋ digits
 * train and the remaining ones are held out — 7,996 train / 2,004 held out for the package's
 * class sizes. Any loader order that keeps each class's digits in package order gives the same split.
 */
export const TRAIN_FRACTION = 0.8;

export const SPLIT_DESCRIPTION =
  'stratified: per class, in the mnist package order, the first floor(0.8·n_c) digits train, the rest are held out';

export interface DigitSplit {
  /** Indices into the data set, ascending. */
  train: number[];
  heldOut: number[];
}

/** The split of a labelled set (labels in data-set order). */
export function digitSplit(labels: ArrayLike<number>): DigitSplit {
  const perClass = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) perClass.set(labels[i], (perClass.get(labels[i]) ?? 0) + 1);
  const seen = new Map<number, number>();
  const train: number[] = [];
  const heldOut: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    const rank = seen.get(c) ?? 0;
    seen.set(c, rank + 1);
    if (rank < Math.floor(TRAIN_FRACTION * perClass.get(c)!)) train.push(i);
    else heldOut.push(i);
  }
  return { train, heldOut };
}

/**
 * Two disjoint, class-balanced halves of `indices` (alternating within each class, in order):
 * what the real-digit reference FID compares.
 */
export function alternatingHalves(indices: ArrayLike<number>, labels: ArrayLike<number>): [number[], number[]] {
  const seen = new Map<number, number>();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < indices.length; i++) {
    const c = labels[indices[i]];
    const rank = seen.get(c) ?? 0;
    seen.set(c, rank + 1);
    (rank % 2 === 0 ? a : b).push(indices[i]);
  }
  return [a, b];
}
