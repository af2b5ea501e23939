/**
 * Fuzzed drawings (issue 14): any `pts=` text decodes to a drawing the page can train on or to a
 * reason, never a throw; any drawing on the grid round-trips through a link; a link damaged by one
 * character, cut short or padded still gives one of the two; and a drawing held in a record (a
 * run file's config.points) is judged without a throw whatever the value.
 */
import fc from 'fast-check';
import { compressToEncodedURIComponent } from 'lz-string';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodePoints,
  DRAW_LIMIT,
  DRAW_QUANTUM,
  drawnPointsProblem,
  encodePoints,
  MAX_DRAWN_POINTS,
  uniquePoints,
} from '../../src/data/drawn';

/** Cases per property: 300 in the suite; `npm run fuzz:full` sets FUZZ_RUNS (and FUZZ_SEED) for a long run. */
const RUNS = { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: Number(process.env.FUZZ_SEED ?? 1414) };
afterAll(() => console.log(`${RUNS.numRuns} cases per property, seed ${RUNS.seed}`));
const STEPS = Math.round(DRAW_LIMIT / DRAW_QUANTUM);

/** A coordinate on the drawing's grid, edges included. */
const onGrid = fc.integer({ min: -STEPS, max: STEPS }).map((k) => k / Math.round(1 / DRAW_QUANTUM));
const drawing = fc
  .array(fc.tuple(onGrid, onGrid), { minLength: 1, maxLength: MAX_DRAWN_POINTS })
  .map((pairs) => uniquePoints(pairs.flat()));

/** The decoder's verdict: valid points (which a record would accept too) or a non-empty reason. */
function verdict(raw: string): 'points' | 'refused' {
  const r = decodePoints(raw);
  if ('error' in r) {
    expect(r.error.length).toBeGreaterThan(0);
    expect(r.error.length).toBeLessThan(200);
    return 'refused';
  }
  expect(drawnPointsProblem(r.value), raw.slice(0, 80)).toBeNull();
  return 'points';
}

describe('fuzzed drawings', () => {
  it('any drawing on the grid round-trips through a link, in URL-safe characters', () => {
    fc.assert(
      fc.property(drawing, (points) => {
        const text = encodePoints(points);
        expect(text).toMatch(/^[A-Za-z0-9_.-]+$/);
        expect(decodePoints(text)).toEqual({ value: points });
      }),
      RUNS,
    );
  });

  it('any text, and any lz-string payload, decodes to a valid drawing or a reason', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({
        unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.- +$'),
        maxLength: 200,
      }),
      // Payloads in the page's own container: the version tag, then any characters.
      fc.string({ unit: 'binary', maxLength: 60 }).map((body) => compressToEncodedURIComponent(`D1${body}`)),
    );
    fc.assert(
      fc.property(text, (raw) => void verdict(raw)),
      RUNS,
    );
  });

  it('a link damaged by one character, cut short or padded gives a valid drawing or a reason', () => {
    const damaged = drawing.chain((points) => {
      const text = encodePoints(points);
      return fc.oneof(
        fc
          .tuple(fc.nat(text.length - 1), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }))
          .map(([i, c]) => text.slice(0, i) + c + text.slice(i + 1)),
        fc.nat(text.length - 1).map((n) => text.slice(0, n)),
        fc.string({ maxLength: 8 }).map((tail) => text + tail),
      );
    });
    fc.assert(
      fc.property(damaged, (raw) => void verdict(raw)),
      RUNS,
    );
  });

  it('a drawing in a record of any value is accepted only when it lies on the grid, else a reason', () => {
    const value = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.array(fc.oneof(fc.double(), onGrid, fc.constantFrom(NaN, Infinity, '0.5', null)), { maxLength: 12 }),
    );
    fc.assert(
      fc.property(value, (v) => {
        const problem = drawnPointsProblem(v);
        if (problem === null) expect(decodePoints(encodePoints(v as number[]))).toEqual({ value: v });
        else expect(problem.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
});
