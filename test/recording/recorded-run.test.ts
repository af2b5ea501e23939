import { describe, expect, it } from 'vitest';
import { defaultConfig, DEFAULT_CNN, SETTINGS } from '../../src/gan/config';
import { decodeImageBytes, dequantizePixel, encodeImages, quantizePixel } from '../../src/recording/frame-codec';
import { FrameRecorder } from '../../src/recording/frame-recorder';
import { parseRecordedRun, parseRecordedRunText } from '../../src/recording/recorded-run';
import { describeSettings, recordingLabel, recordingLabelText } from '../../src/recording/recording-label';

const SIZE = 32 * 32;

/** Distinct pixels in [−1, 1] per image and step, so a decoded frame can be traced to its source. */
function images(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count * SIZE }, (_, i) => Math.sin(i * 0.37 + seed));
}

const metric = (step: number, variant: string, lossD: number | null = 0.7) => ({
  step,
  variant,
  lossD,
  lossG: 0.8,
  dReal: 0.1,
  dFake: -0.1,
  modesCovered: null,
  highQuality: null,
  sigma: variant === 'sn' ? [1, 1.01, null] : [],
  gradNorm: 0.5,
  inceptionScore: 2.5,
  fid: 120,
});

/** A digits run of 4 steps (stats and frames every 2), written the way the CLI writes it. */
function digitsDoc(): Record<string, unknown> {
  const recorder = new FrameRecorder(2, SIZE);
  for (const step of [1, 2, 4]) {
    recorder.capture(step, [
      { variant: 'sn', samples: images(100, step), diverged: null },
      { variant: 'none', samples: images(100, 10 + step), diverged: step >= 4 ? 4 : null },
    ]);
  }
  const doc = {
    config: defaultConfig({
      model: { ...DEFAULT_CNN, width: 0.125 },
      data: 'mnist',
      variants: ['sn', 'none'],
      adam: SETTINGS.E,
      batch: 64,
      statsEvery: 2,
      evalSamples: 100,
    }),
    adapter: 'google / swiftshader (software)',
    backend: 'webgpu',
    steps: 4,
    seconds: 10,
    stepsPerSecond: 0.4,
    metrics: [1, 2, 4].flatMap((s) => [metric(s, 'sn'), metric(s, 'none', s === 4 ? null : 0.6)]),
    reference: { inceptionScore: 9.5, fid: 10 },
    variants: {
      sn: { diverged: null, samples: [], layers: [] },
      none: { diverged: 4, samples: [], layers: [] },
    },
    recordedAt: '2026-11-30T10:00:00.000Z',
    frames: recorder.frames,
  };
  return JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
}

describe('recorded runs (the --out JSON with frames)', () => {
  it('quantizes pixels to bytes within 1/255 and decodes them back', () => {
    const pixels = images(2, 3);
    const decoded = decodeImageBytes(encodeImages(pixels, 2, SIZE));
    expect(decoded.length).toBe(2 * SIZE);
    let worst = 0;
    for (let i = 0; i < decoded.length; i++) worst = Math.max(worst, Math.abs(decoded[i] - pixels[i]));
    expect(worst).toBeLessThanOrEqual(1 / 255 + 1e-6);
    expect([quantizePixel(-1), quantizePixel(1), quantizePixel(NaN), quantizePixel(7)]).toEqual([0, 255, 0, 255]);
    expect(dequantizePixel(255)).toBe(1);
  });

  it('reads a recording: metrics (null as NaN), divergence, and frames of the live variants only', () => {
    const run = parseRecordedRun(digitsDoc());
    expect(run.kind).toBe('images');
    expect(run.steps).toBe(4);
    expect(run.recordedAt).toBe('2026-11-30T10:00:00.000Z');
    expect(run.diverged).toEqual({ none: 4 });
    expect(run.metrics.map((m) => `${m.step}:${m.variant}`)).toEqual([
      '1:sn',
      '1:none',
      '2:sn',
      '2:none',
      '4:sn',
      '4:none',
    ]);
    expect(run.metrics[5].lossD).toBeNaN();
    expect(run.metrics[0].sigma[2]).toBeNaN();
    expect(run.frames.map((f) => f.step)).toEqual([1, 2, 4]);
    expect(Object.keys(run.frames[2].samples)).toEqual(['sn']);
    const first = run.frames[1].samples.sn!;
    expect(first.length).toBe(16 * SIZE);
    const source = images(16, 2);
    for (const i of [0, 1, 500, 16 * SIZE - 1])
      expect(Math.abs(first[i] - source[i])).toBeLessThanOrEqual(1 / 255 + 1e-6);
    expect(describeSettings(run)).toBe('MNIST, CNN ⅛ width, setting E, batch 64, 4 steps');
    expect(recordingLabelText(recordingLabel(run))).toBe(
      'Recorded run — google / swiftshader (software), 2026-11-30, MNIST, CNN ⅛ width, setting E, batch 64, 4 steps',
    );
  });

  it('plays a file without frames as one frame of its final samples', () => {
    const doc = digitsDoc();
    delete doc.frames;
    delete doc.recordedAt;
    const pixels = Array.from(images(2, 0));
    (doc.variants as Record<string, { samples: number[][] }>).sn.samples = [pixels.slice(0, SIZE), pixels.slice(SIZE)];
    const run = parseRecordedRun(doc);
    expect(run.recordedAt).toBeNull();
    expect(run.frames).toHaveLength(1);
    expect(run.frames[0].step).toBe(4);
    expect(Array.from(run.frames[0].samples.sn!)).toEqual(Array.from(Float32Array.from(pixels)));
    expect(recordingLabel(run).recordedAt).toBe('date unknown');
  });

  it('names what is wrong with a malformed, truncated or foreign file', () => {
    // The edits reach anywhere into the parsed JSON, as a damaged file would.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const broken = (edit: (d: Record<string, any>) => void): (() => unknown) => {
      const doc = digitsDoc();
      edit(doc);
      return () => parseRecordedRun(doc);
    };
    expect(() => parseRecordedRun([1, 2])).toThrow('not a recorded run: expected a JSON object (got an array)');
    expect(() => parseRecordedRun({ name: 'package', version: '1.0.0' })).toThrow(
      'not a recorded run: config is missing',
    );
    expect(broken((d) => delete d.adapter)).toThrow('not a recorded run: adapter is missing');
    expect(broken((d) => (d.steps = '4'))).toThrow('steps must be an integer ≥ 0 (got "4")');
    expect(broken((d) => (d.config.variants = ['sn', 'bogus']))).toThrow(
      'config.variants[1] is not a variant (got "bogus"',
    );
    expect(broken((d) => delete d.metrics[3].lossD)).toThrow('not a recorded run: metrics[3].lossD is missing');
    expect(broken((d) => (d.metrics[2].lossG = 'x'))).toThrow('metrics[2].lossG must be a number (got string)');
    expect(broken((d) => (d.frames[1].step = 1))).toThrow('frames[1].step 1 does not follow step 1');
    expect(broken((d) => (d.frames[2].step = 9))).toThrow("frames[2].step 9 is past the run's 4 steps");
    expect(broken((d) => (d.recordedAt = 'yesterday'))).toThrow('recordedAt must be an ISO 8601 date');
    // A frame cut short: fewer bytes than its images need.
    expect(broken((d) => (d.frames[0].variants.sn.images = d.frames[0].variants.sn.images.slice(0, 4000)))).toThrow(
      'frames[0].variants.sn.images holds 3000 bytes; 16 images of 32 × 32 need 16384 (truncated?)',
    );
    expect(broken((d) => (d.frames[0].variants.sn.images = 'not base64!'))).toThrow(
      'frames[0].variants.sn.images is not base64 (truncated?)',
    );
    const text = JSON.stringify(digitsDoc());
    expect(() => parseRecordedRunText(text.slice(0, text.length / 2))).toThrow(
      /^not a recorded run: the file is not complete JSON \(.*; truncated\?\)$/,
    );
    expect(parseRecordedRunText(text).steps).toBe(4);
  });
});
