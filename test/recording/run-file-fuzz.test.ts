/**
 * Fuzzed run files (issue 14): whatever text is opened as a run ("Open run…", a dropped file,
 * `npm run spectra`), the parser either returns a run or throws its own error — `not a recorded
 * run: …` naming the field that is wrong — never a TypeError, a RangeError or a hang. Valid files
 * of any content always parse. Cases: arbitrary JSON, valid files with one field removed, typed
 * wrong or set to an odd value, truncated text, huge numbers, NaN-like strings, deep nesting.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, VARIANT_NAMES, type VariantName } from '../../src/gan/config';
import type { StepMetrics } from '../../src/gan/trainer';
import { parseRecordedRun, parseRecordedRunText } from '../../src/recording/recorded-run';
import { encodeImages } from '../../src/recording/frame-codec';
import { runFile, runFileText, type RunFile } from '../../src/recording/run-file';

/** Cases per property: 300 in the suite; `npm run fuzz:full` sets FUZZ_RUNS (and FUZZ_SEED) for a long run. */
const RUNS = { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: Number(process.env.FUZZ_SEED ?? 1414) };
afterAll(() => console.log(`${RUNS.numRuns} cases per property, seed ${RUNS.seed}`));
const PARSER_ERROR = /^not a recorded run: /;

/** Parses `text`; returns the parser's message, or null when it parsed. Any other throw fails the test. */
function outcome(text: string): string | null {
  try {
    parseRecordedRunText(text);
    return null;
  } catch (error) {
    expect(error, `not the parser's own error for ${text.slice(0, 200)}`).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(PARSER_ERROR);
    // A message a person reads: no megabytes of echoed input.
    expect(message.length).toBeLessThan(400);
    return message;
  }
}

const finiteOrNot = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 0, 1e308));

const metricOf = (step: number, variant: VariantName, values: number[]): StepMetrics => ({
  step,
  variant,
  lossD: values[0],
  lossG: values[1],
  dReal: values[2],
  dFake: values[3],
  modesCovered: Number.isFinite(values[4]) ? values[4] : null,
  highQuality: null,
  sigma: variant === 'sn' ? [values[5]] : [],
  gradNorm: values[5],
  inceptionScore: null,
  fid: null,
});

/** A valid run file: a 2-D run (points, optional frames) or a digits run (images in frames). */
const validFile: fc.Arbitrary<RunFile> = fc
  .record({
    images: fc.boolean(),
    variants: fc.subarray([...VARIANT_NAMES], { minLength: 1 }),
    captures: fc.array(fc.array(finiteOrNot, { minLength: 6, maxLength: 6 }), { maxLength: 6 }),
    frames: fc.boolean(),
    diverged: fc.option(fc.integer({ min: 1, max: 40 })),
    adapter: fc.string({ maxLength: 30 }),
    seconds: fc.double({ min: 0, max: 1e6, noNaN: true }),
  })
  .map(({ images, variants, captures, frames, diverged, adapter, seconds }) => {
    const statsEvery = 5;
    const steps = Math.max(1, captures.length) * statsEvery;
    const config = defaultConfig({
      variants,
      statsEvery,
      ...(images ? { model: { kind: 'cnn', width: 0.125 } as never, data: 'mnist' as never } : {}),
    });
    const metrics = captures.flatMap((values, c) => variants.map((v) => metricOf((c + 1) * statsEvery, v, values)));
    const pixels = Float32Array.from({ length: 2 * 32 * 32 }, (_, i) => Math.sin(i));
    const sample = (): number[][] => (images ? [Array.from(pixels.subarray(0, 1024))] : [[0.5, -1.25]]);
    const frameOf = (step: number) => ({
      step,
      variants: Object.fromEntries(
        variants.map((v) => [
          v,
          images ? { count: 2, side: 32, images: encodeImages(pixels, 2, 1024) } : { points: [0.5, -1] },
        ]),
      ),
    });
    return runFile({
      config,
      adapter,
      backend: 'cpu',
      steps,
      seconds,
      metrics,
      variants: Object.fromEntries(
        variants.map((v, i) => [v, { diverged: i === 0 ? diverged : null, samples: sample(), layers: [] }]),
      ),
      ...(frames || images ? { recordedAt: '2026-01-02T03:04:05.000Z', frames: [frameOf(1), frameOf(steps)] } : {}),
    });
  });

type Path = (string | number)[];

/** Every path to a value in a JSON tree (objects' keys, arrays' indices), the root excluded. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

/** A copy of `doc` with the value at `path` removed (`undefined`) or replaced. */
function withValue(doc: unknown, path: Path, replacement: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (replacement === undefined) {
    if (Array.isArray(at)) at.splice(last as number, 1);
    else delete at[last];
  } else at[last] = replacement;
  return copy;
}

/** Values of the wrong type, odd strings and extremes a hand-edited file may hold. */
const oddValue = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e308,
    -1e308,
    2 ** 53,
    '',
    'NaN',
    'Infinity',
    '-0',
    '1e999',
    '0x10',
    '[]',
  ),
  fc.constantFrom({}, [], [null], [[]], { step: 1 }, ['sn'], 'sn', 'cnn', 'mlp', 'drawn', 'webgpu'),
  fc.string({ maxLength: 12 }),
  fc.double(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
);

/** The file's text with `1e999` (JSON for a number too big for a double) in place of one number. */
const hugeNumberIn = (text: string, nth: number): string => {
  let seen = 0;
  return text.replace(/-?\d+(\.\d+)?([eE][-+]?\d+)?/g, (m) => (seen++ === nth ? '1e999' : m));
};

describe('fuzzed run files', () => {
  it('a valid file of any content always parses, metrics and frames intact', () => {
    fc.assert(
      fc.property(validFile, (file) => {
        const run = parseRecordedRunText(runFileText(file));
        expect(run.metrics).toHaveLength(file.metrics.length);
        expect(run.frames.length).toBeGreaterThan(0);
        expect(run.config.variants).toEqual(file.config.variants);
      }),
      RUNS,
    );
  });

  it('one field removed or set to a wrong value: parsed, or refused naming that field', () => {
    const mutated = validFile.chain((file) => {
      const doc = JSON.parse(runFileText(file)) as unknown;
      return fc.tuple(fc.constant(doc), fc.constantFrom(...pathsOf(doc)), fc.option(oddValue, { nil: undefined }));
    });
    fc.assert(
      fc.property(mutated, ([doc, path, replacement]) => {
        const message = outcome(JSON.stringify(withValue(doc, path, replacement)));
        if (message === null) return;
        // The message names the field changed or one that holds it (a removed variant's metrics
        // name `variant`; a changed config.variants shows in what refers to it).
        const named = path.filter((k): k is string => typeof k === 'string');
        const mentions = [...named, 'variant', 'step'];
        expect(
          mentions.some((k) => message.includes(k)),
          `${message} for ${path.join('.')} = ${JSON.stringify(replacement)?.slice(0, 80)}`,
        ).toBe(true);
      }),
      RUNS,
    );
  });

  it('truncated text or a number too big for a double: parsed or refused in words', () => {
    const cases = validFile.chain((file) => {
      const text = runFileText(file);
      return fc.oneof(
        fc.integer({ min: 0, max: text.length - 1 }).map((n) => text.slice(0, n)),
        fc.nat(200).map((n) => hugeNumberIn(text, n)),
      );
    });
    fc.assert(
      fc.property(cases, (text) => void outcome(text)),
      RUNS,
    );
    expect(outcome('')).toMatch(/not complete JSON/);
    expect(outcome('{"config":')).toMatch(/not complete JSON/);
  });

  it('arbitrary JSON and arbitrary text never throw anything but the parser’s own error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string({ unit: 'binary' }),
        ),
        (text) => {
          expect(outcome(text)).not.toBeNull();
        },
      ),
      RUNS,
    );
    // Objects that look a little like a run, at every level.
    const runLike = fc.record(
      {
        config: fc.jsonValue(),
        adapter: fc.jsonValue(),
        backend: fc.jsonValue(),
        steps: fc.jsonValue(),
        metrics: fc.jsonValue(),
        variants: fc.jsonValue(),
        frames: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(runLike, (doc) => void outcome(JSON.stringify(doc))),
      RUNS,
    );
  });

  it('deep nesting and huge values anywhere give a short message, not a stack overflow', () => {
    const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const valid = JSON.parse(runFileText(fc.sample(validFile, { numRuns: 1, seed: 1 })[0])) as Record<string, unknown>;
    for (const depth of [1000, 100_000]) {
      expect(outcome(deep(depth))).toMatch(/expected a JSON object/);
      for (const key of ['steps', 'backend', 'config', 'metrics', 'variants', 'frames']) {
        const text = JSON.stringify({ ...valid, [key]: 0 }).replace(`"${key}":0`, `"${key}":${deep(depth)}`);
        expect(outcome(text)).toMatch(new RegExp(key));
      }
    }
    const long = 'x'.repeat(1_000_000);
    expect(outcome(JSON.stringify({ ...valid, backend: long }))).toMatch(/backend must be webgpu or cpu/);
    expect(outcome(JSON.stringify({ ...valid, steps: [long] }))).toMatch(/steps must be an integer/);
  });

  it('parses the object form with the same verdicts (a file the page already read)', () => {
    expect(() => parseRecordedRun(undefined)).toThrow(PARSER_ERROR);
    expect(() => parseRecordedRun(Object.create(null))).toThrow(PARSER_ERROR);
  });
});
