import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toPaddedImages } from '../../src/data/mnist';
import { digitScorer } from '../../src/metrics/digit-scorer';
import { digitSplit } from '../../src/metrics/digit-split';
import { loadDigitClassifierInNode } from '../../src/node/digit-classifier-node';
import { loadMnistInNode } from '../../src/node/mnist-node';
import { parseRecordedRun } from '../../src/recording/recorded-run';

function train(args: string[]): { status: number | null; stderr: string; json: () => Record<string, unknown> } {
  const out = join(mkdtempSync(join(tmpdir(), 'sngan-')), 'run.json');
  const result = spawnSync(process.execPath, ['scripts/run-node.mjs', 'src/cli/train.ts', ...args, '--out', out], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stderr: result.stderr, json: () => JSON.parse(readFileSync(out, 'utf8')) };
}

describe('npm run train (headless trainer)', () => {
  for (const backend of ['webgpu', 'cpu']) {
    it(`writes the run as JSON on the ${backend} backend`, () => {
      const run = train([
        '--model',
        'mlp2d',
        '--data',
        'ring8',
        '--variants',
        'sn,wn,none',
        '--settings',
        'C',
        '--steps',
        '4',
        '--seed',
        '1',
        '--stats-every',
        '2',
        '--backend',
        backend,
        '--quiet',
      ]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/steps\/s/);
      const doc = run.json() as {
        config: { seed: number };
        adapter: string;
        backend: string;
        steps: number;
        metrics: Array<Record<string, unknown>>;
        variants: Record<
          string,
          { diverged: number | null; samples: number[][]; layers: Array<Record<string, unknown>> }
        >;
      };
      expect(doc.backend).toBe(backend);
      expect(doc.adapter.length).toBeGreaterThan(0);
      expect(doc.steps).toBe(4);
      expect(doc.config.seed).toBe(1);
      expect(doc.metrics.map((m) => `${m.step}:${m.variant}`)).toEqual([
        '1:sn',
        '1:wn',
        '1:none',
        '2:sn',
        '2:wn',
        '2:none',
        '4:sn',
        '4:wn',
        '4:none',
      ]);
      for (const key of [
        'step',
        'variant',
        'lossD',
        'lossG',
        'dReal',
        'dFake',
        'modesCovered',
        'highQuality',
        'sigma',
      ]) {
        expect(doc.metrics[0], key).toHaveProperty(key);
      }
      expect(Object.keys(doc.variants)).toEqual(['sn', 'wn', 'none']);
      for (const [name, v] of Object.entries(doc.variants)) {
        expect(v.diverged).toBeNull();
        expect(v.samples.length).toBe(2500);
        expect(v.samples[0].length).toBe(2);
        expect(v.layers.map((l) => l.shape)).toEqual([
          [64, 2],
          [64, 64],
          [1, 64],
        ]);
        for (const l of v.layers) {
          const [rows, cols] = l.shape as number[];
          expect((l.W as number[]).length).toBe(rows * cols);
          expect((l.Wbar as number[]).length).toBe(rows * cols);
          if (name === 'sn') {
            expect((l.u as number[]).length).toBe(rows);
            expect(l.sigmaEstimate).toBeGreaterThan(0);
            // ũᵀWṽ with unit vectors never exceeds σ₁(W) (float32 rounding aside), and W̄ = W/σ̃.
            const sigma1 = (l.singularValuesRaw as number[])[0];
            expect(l.sigmaEstimate).toBeLessThanOrEqual(sigma1 * (1 + 1e-5));
            const wBar = l.Wbar as number[];
            expect((l.W as number[]).every((w, i) => Math.abs(w / (l.sigmaEstimate as number) - wBar[i]) <= 1e-6)).toBe(
              true,
            );
          } else {
            expect(l.u).toBeNull();
          }
        }
      }
    });
  }

  it('rejects bad options with a message naming the problem', () => {
    for (const [args, message] of [
      [['--settings', 'Z'], /settings must be one of A–F/],
      // The same words as the page's URL notice (the settings table's reasons).
      [['--variants', 'sn,foo'], /--variants unknown foo \(choose from sn, wn, none/],
      [['--steps', '-3'], /steps must be a positive integer/],
      [['--batch', 'abc'], /--batch must be an integer from 1 to 1024 \(got abc\)/],
      [['--model', 'cnn', '--data', 'ring8'], /the CNN trains on images: data must be mnist/],
      [['--frobnicate', '1'], /unknown option --frobnicate/],
      // Frames come from statistics captures.
      [
        ['--stats-every', '2', '--frames-every', '3'],
        /--frames-every must be a multiple of --stats-every \(2\) \(got 3\)/,
      ],
    ] as const) {
      const run = train([...args, '--backend', 'cpu']);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(message);
    }
  });

  it('trains the paper CNN on MNIST digits and writes 16 images per variant with scores', async () => {
    const run = train([
      '--model',
      'cnn',
      '--data',
      'mnist',
      '--width',
      '1/8',
      '--variants',
      'sn,wgan-gp',
      '--steps',
      '2',
      '--batch',
      '8',
      '--eval-samples',
      '16',
      '--stats-every',
      '2',
      '--frames-every',
      '2',
      '--backend',
      'cpu',
      '--quiet',
    ]);
    expect(run.status, run.stderr).toBe(0);
    // Real digits against held-out digits, scored by the project's classifier.
    expect(run.stderr).toMatch(/real digits score IS \d/);
    const doc = run.json() as {
      reference: { inceptionScore: number; fid: number };
      metrics: Array<{ step: number; variant: string; inceptionScore: number | null; fid: number | null }>;
      variants: Record<string, { samples: number[][]; layers: Array<{ shape: number[] }> }>;
    };
    // Real digits at the same count (16) score like digits: IS near 10 classes, FID ≈ 110 at n = 16
    // (FID grows as samples shrink).
    expect(doc.reference.inceptionScore).toBeGreaterThan(5);
    expect(doc.reference.fid).toBeGreaterThan(0);
    expect(doc.metrics.map((m) => `${m.step}:${m.variant}`)).toEqual(['1:sn', '1:wgan-gp', '2:sn', '2:wgan-gp']);
    for (const m of doc.metrics) {
      // Two steps leave G untrained: its images are far from digits by both scores (IS ≈ 1,
      // FID ≈ 790 here), where a scorer that ignored its input would give the real digits' figures.
      expect(m.inceptionScore).toBeGreaterThanOrEqual(1);
      expect(m.inceptionScore!).toBeLessThan(doc.reference.inceptionScore / 2);
      expect(m.fid!).toBeGreaterThan(2 * doc.reference.fid);
    }
    // The scores are those of the images written out: the step-2 evaluation images, re-scored here.
    const set = await loadMnistInNode();
    const split = digitSplit(set.labels);
    const scorer = digitScorer(
      await loadDigitClassifierInNode(),
      toPaddedImages(set, { indices: split.heldOut }),
      split.heldOut.length,
    );
    for (const [name, v] of Object.entries(doc.variants)) {
      const recorded = doc.metrics.find((m) => m.step === 2 && m.variant === name)!;
      const rescored = scorer.score(Float32Array.from(v.samples.flat()), v.samples.length);
      expect(rescored.inceptionScore, `${name} IS`).toBeCloseTo(recorded.inceptionScore!, 6);
      expect(rescored.fid, `${name} FID`).toBeCloseTo(recorded.fid!, 4);
    }
    for (const v of Object.values(doc.variants)) {
      expect(v.samples.length).toBe(16);
      expect(v.samples.every((image) => image.length === 32 * 32 && image.every((p) => p >= -1 && p <= 1))).toBe(true);
      // Table 3 at width 1/8: conv 1→8 (3×3) … conv 32→64 (3×3), dense 4·4·64 → 1.
      expect(v.layers.map((l) => l.shape)).toEqual([
        [8, 9],
        [8, 128],
        [16, 72],
        [16, 256],
        [32, 144],
        [32, 512],
        [64, 288],
        [1, 1024],
      ]);
    }
    // --frames-every 2: the page's recorded-run player reads frames at step 1 and 2, 16 digits of
    // each variant as bytes; the last frame is the final samples to within a byte's step.
    const recorded = parseRecordedRun(doc);
    expect(recorded.frames.map((f) => f.step)).toEqual([1, 2]);
    for (const [name, v] of Object.entries(doc.variants)) {
      const pixels = recorded.frames[1].samples[name as 'sn']!;
      expect(pixels.length).toBe(16 * 32 * 32);
      const flat = v.samples.flat();
      expect(Math.max(...flat.map((p, i) => Math.abs(p - pixels[i])))).toBeLessThanOrEqual(1 / 255 + 1e-6);
    }
  });

  it('records frames of 512 generated points per variant for 2-D data, without the weights if asked', () => {
    const run = train([
      '--data',
      'ring8',
      '--steps',
      '4',
      '--stats-every',
      '2',
      '--frames-every',
      '4',
      '--no-weights',
      '--backend',
      'cpu',
      '--quiet',
    ]);
    expect(run.status, run.stderr).toBe(0);
    const doc = run.json() as { variants: Record<string, { samples: number[][]; layers: unknown[] }> };
    // --no-weights: the layers (W, W̄) are left out; the player does not need them.
    for (const v of Object.values(doc.variants)) expect(v.layers).toEqual([]);
    const recorded = parseRecordedRun(doc);
    expect(recorded.extent).toEqual([-3, 3, -3, 3]);
    expect(Date.now() - Date.parse(recorded.recordedAt!)).toBeLessThan(120_000);
    expect(recorded.frames.map((f) => [f.step, Object.keys(f.samples)])).toEqual([
      [1, ['sn', 'wn', 'none']],
      [4, ['sn', 'wn', 'none']],
    ]);
    const points = recorded.frames[1].samples.sn!;
    expect(points.length).toBe(2 * 512);
    const last = doc.variants.sn.samples.slice(0, 512).flat();
    expect(Math.max(...last.map((p, i) => Math.abs(p - points[i])))).toBeLessThanOrEqual(5e-5 + 1e-6);
  });
});
