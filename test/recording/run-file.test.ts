// The run file writer (shared by the CLI and the page) and the metrics CSV: a written file parses
// back as a recorded run, and the CSV has one row per capture with the metrics' fields as columns.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/gan/config';
import type { StepMetrics } from '../../src/gan/trainer';
import { metricsCsv } from '../../src/recording/metrics-csv';
import { parseRecordedRunText } from '../../src/recording/recorded-run';
import { runFile, runFileText, runFileVariant } from '../../src/recording/run-file';
import { layerSpectrum } from '../../src/spectra/spectra';

const metric = (step: number, variant: 'sn' | 'wn', lossD: number): StepMetrics => ({
  step,
  variant,
  lossD,
  lossG: 0.8,
  dReal: 0.6,
  dFake: 0.4,
  modesCovered: 3,
  highQuality: 55.5,
  sigma: variant === 'sn' ? [1.5, 2.25] : [],
  gradNorm: 0.5,
  inceptionScore: null,
  fid: null,
});

describe('run file and metrics CSV', () => {
  it('writes a file the recorded-run parser reads back, singular values with every layer', () => {
    const config = { ...defaultConfig(), variants: ['sn', 'wn'] as const } as ReturnType<typeof defaultConfig>;
    const layer = {
      name: 'd.0',
      shape: [2, 2] as [number, number],
      W: [2, 0, 0, 1],
      Wbar: [1, 0, 0, 0.5],
      u: [1, 0],
      sigmaEstimate: 2,
    };
    const points = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
    const variant = runFileVariant(null, points, 0, [layer], [layerSpectrum(layer)]);
    expect(variant.samples).toEqual([
      [points[0], points[1]],
      [points[2], points[3]],
    ]);
    expect(variant.layers[0].singularValues).toEqual([1, 0.5]);
    expect(variant.layers[0].singularValuesRaw).toEqual([2, 1]);
    const file = runFile({
      config,
      adapter: 'test adapter',
      backend: 'cpu',
      steps: 4,
      seconds: 2,
      metrics: [metric(2, 'sn', 0.7), metric(2, 'wn', NaN)],
      variants: { sn: variant, wn: { ...variant, diverged: 2 } },
    });
    expect(file.stepsPerSecond).toBe(2);
    const run = parseRecordedRunText(runFileText(file));
    expect(run.metrics[1].lossD).toBeNaN();
    expect(run.diverged).toEqual({ wn: 2 });
    expect(run.frames).toHaveLength(1);
  });

  it('has a header and one row per capture; arrays as one column per layer', () => {
    const spectrum = layerSpectrum({
      name: 'd.0',
      shape: [2, 2],
      W: [2, 0, 0, 1],
      Wbar: [1, 0, 0, 0.5],
      sigmaEstimate: 2,
    });
    const rows = metricsCsv([
      metric(1, 'sn', 0.7),
      metric(1, 'wn', NaN),
      { ...metric(2, 'sn', Infinity), spectra: [spectrum, spectrum] },
    ])
      .trimEnd()
      .split('\n');
    expect(rows[0]).toBe(
      'step,variant,lossD,lossG,dReal,dFake,modesCovered,highQuality,gradNorm,inceptionScore,fid,' +
        'sigma_1,sigma_2,sigma1_bar_1,sigma1_bar_2,stable_rank_1,stable_rank_2',
    );
    expect(rows).toHaveLength(4);
    expect(rows[1]).toBe('1,sn,0.7,0.8,0.6,0.4,3,55.5,0.5,,,1.5,2.25,,,,');
    expect(rows[2]).toBe('1,wn,NaN,0.8,0.6,0.4,3,55.5,0.5,,,,,,,,');
    expect(rows[3]).toBe('2,sn,Infinity,0.8,0.6,0.4,3,55.5,0.5,,,1.5,2.25,1,1,1.25,1.25');
  });
});
