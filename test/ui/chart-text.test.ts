import { describe, expect, it } from 'vitest';
import { chartTable, describeChart, formatValue } from '../../src/ui/a11y/chart-text';
import type { ChartSeries } from '../../src/ui/charts/series';

const series = (label: string, points: [number, number | null][]): ChartSeries => ({
  key: label,
  label,
  color: '#000',
  dash: [],
  points: points.map(([x, y]) => ({ x, y })),
});

describe('a chart in words', () => {
  it('says each series’ latest value and the step', () => {
    const text = describeChart({
      title: 'Discriminator loss',
      xLabel: 'step',
      index: false,
      series: [
        series('SN', [
          [200, 1.5],
          [400, 1.3114],
        ]),
        series('WN', [[400, 0.8823]]),
        series('No norm', [[400, 0.0213]]),
      ],
    });
    expect(text).toBe('Discriminator loss: SN 1.31, WN 0.882, No norm 0.0213 at step 400.');
  });

  it('names a series that stopped earlier, and a diverged one as NaN', () => {
    const text = describeChart({
      title: 'Generator loss',
      xLabel: 'step',
      index: false,
      series: [series('SN', [[300, 2]]), series('WN', [[100, 1]]), series('No norm', [[300, null]])],
    });
    expect(text).toBe('Generator loss: SN 2, WN 1 (step 100), No norm NaN at step 300.');
  });

  it('describes an index curve by its ends, and an empty chart as waiting', () => {
    const spectrum = describeChart({
      title: 'Spectrum',
      xLabel: 'index i',
      index: true,
      series: [
        series('SN', [
          [1, 1],
          [2, 0.5],
          [3, 0.01],
        ]),
      ],
    });
    expect(spectrum).toBe('Spectrum: SN, 3 values from 1 to 0.01.');
    expect(describeChart({ title: 'FID', xLabel: 'step', index: false, series: [series('SN', [])] })).toBe(
      'FID: no data yet.',
    );
  });

  it('formats numbers to be read aloud', () => {
    expect([0, 1.23456, 1234.5, 0.00012, 2.5e7, Number.NaN].map(formatValue)).toEqual([
      '0',
      '1.23',
      '1235',
      '1.20e-4',
      '2.50e+7',
      'NaN',
    ]);
  });
});

describe('a chart as a table', () => {
  it('has a row per x and a column per series, blank where a series has no point', () => {
    const table = chartTable({
      title: 'Loss',
      xLabel: 'step',
      index: false,
      series: [
        series('SN', [
          [1, 0.5],
          [2, 0.25],
        ]),
        series('WN', [[2, null]]),
      ],
    });
    expect(table).toEqual({
      columns: ['step', 'SN', 'WN'],
      rows: [
        ['1', '0.5', ''],
        ['2', '0.25', 'NaN'],
      ],
      note: '',
    });
  });

  it('keeps evenly spaced rows, the first and last among them, when there are too many', () => {
    const points = Array.from({ length: 1000 }, (_, i): [number, number] => [i, i]);
    const table = chartTable({ title: 'Loss', xLabel: 'step', index: false, series: [series('SN', points)] }, 10);
    expect(table.rows.length).toBe(10);
    expect(table.rows[0][0]).toBe('0');
    expect(table.rows[9][0]).toBe('999');
    expect(table.note).toMatch(/10 of 1000 rows/);
  });
});
