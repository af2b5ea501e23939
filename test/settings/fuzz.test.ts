// Fuzzed settings input (issue 14): query strings for the page (parseQuery, the lesson's
// parseLocation), records for validateSettings, and command lines for the CLI. Whatever comes in,
// nothing throws by accident: the result is a valid settings record, with a notice naming each
// refused key, or (CLI) an Error whose message names the flag or value it refuses. Fixed seed and
// a modest number of runs, so it takes seconds and fails the same way every time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args';
import { CLI_OPTIONS, configFromArgs } from '../../src/cli/options';
import { validateConfig } from '../../src/gan/config';
import { SCENES } from '../../src/lesson/scenes';
import { parseQuery, validateSettings, type SettingNotice } from '../../src/settings/page-record';
import {
  EXTRA_SCHEMA,
  isImageData,
  PAGE_IMAGE_BATCH_MAX,
  PAGE_SCHEMA,
  type PageField,
  type PageSettings,
} from '../../src/settings/schema';
import { parseLocation } from '../../src/ui/lesson/lesson-url';
import { serializeSettings } from '../../src/ui/state/url-state';

const RUNS = { seed: 1414, numRuns: 300 };
const FIELDS = Object.keys(PAGE_SCHEMA) as PageField[];
const URL_KEYS = [...FIELDS.map((f) => PAGE_SCHEMA[f].url!), EXTRA_SCHEMA.preset.url!];
/** Names every object inherits, empty and odd keys, the lesson's own keys. */
const ODD_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'LR', 'lr ', 'lesson'];
const ODD_VALUES = [
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
  '-0',
  '0x10',
  '1e-320',
  '9007199254740993',
  '1/0',
  '1/8',
  '1//8',
  '１',
  '\u0000',
  '%',
  'sn,,sn',
  ',',
  'max',
  'true',
  'null',
  'undefined',
  '[object Object]',
  '<script>alert(1)</script>',
  'a=b',
  '==',
  'x'.repeat(5000),
];

const key = fc.oneof(fc.constantFrom(...URL_KEYS), fc.constantFrom(...ODD_KEYS), fc.string({ maxLength: 8 }));
const value = fc.oneof(
  fc.constantFrom(...ODD_VALUES),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.double().map(String),
  fc.integer().map(String),
  fc.constantFrom('sn,wn', 'mnist', 'grid25', 'hinge', 'A', 'e', '64', '300', '0.5', '1', '0'),
);
/** Queries built from pairs (encoded or written raw, so & and = may land anywhere) or plain junk. */
const query = fc.oneof(
  fc
    .array(fc.tuple(key, value, fc.boolean()), { maxLength: 8 })
    .map((pairs) =>
      pairs.map(([k, v, raw]) => (raw ? `${k}=${v}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&'),
    ),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

/** Why `settings` is not a settings record the page can use, or null. */
function invalid(settings: PageSettings): string | null {
  for (const field of FIELDS) {
    const problem = PAGE_SCHEMA[field].codec.check(settings[field]);
    if (problem !== null) return `${field}: ${problem}`;
  }
  if (isImageData(settings.data) && settings.batch > PAGE_IMAGE_BATCH_MAX) return 'image batch too large';
  return null;
}

function expectNamedNotices(notices: SettingNotice[], keys: Set<string>): void {
  for (const n of notices) {
    expect(keys, `notice for a key the input did not have: ${n.message}`).toContain(n.key);
    expect(n.message).toContain(n.key);
  }
}

describe('fuzzed page settings', () => {
  it('a query string gives valid settings, and each key is either used or named in a notice', () => {
    fc.assert(
      fc.property(query, (search) => {
        const { settings, notices } = parseQuery(search);
        expect(invalid(settings)).toBeNull();
        const params = new URLSearchParams(search);
        expectNamedNotices(notices, new Set(params.keys()));
        const noticed = new Set(notices.map((n) => n.key));
        for (const field of FIELDS) {
          const raw = params.get(PAGE_SCHEMA[field].url!);
          if (raw === null || noticed.has(PAGE_SCHEMA[field].url!)) continue;
          const read = PAGE_SCHEMA[field].codec.read(raw);
          expect(read, `${field}=${raw} was refused without a notice`).toHaveProperty('value');
          expect(settings[field]).toEqual((read as { value: unknown }).value);
        }
        for (const k of params.keys()) if (!URL_KEYS.includes(k)) expect(noticed).toContain(k);
        // What the page writes back reads the same, without a notice.
        const again = parseQuery(serializeSettings(settings));
        expect(again.notices).toEqual([]);
        expect(JSON.stringify(again.settings)).toBe(JSON.stringify(settings));
      }),
      RUNS,
    );
  });

  it('a lesson link gives a scene (or none) and valid settings, with notices naming their keys', () => {
    const lessonValue = fc.oneof(value, fc.integer({ min: -2, max: SCENES.length + 2 }).map(String));
    const search = fc
      .tuple(fc.option(lessonValue), fc.option(value), query)
      .map(
        ([lesson, present, rest]) =>
          `?${lesson === null ? '' : `lesson=${encodeURIComponent(lesson)}&`}${present === null ? '' : `present=${encodeURIComponent(present)}&`}${rest}`,
      );
    fc.assert(
      fc.property(search, (s) => {
        const location = parseLocation(s);
        expect(location.lesson === null || (location.lesson >= 1 && location.lesson <= SCENES.length)).toBe(true);
        expect(invalid(location.settings)).toBeNull();
        expectNamedNotices(location.notices, new Set(new URLSearchParams(s).keys()));
      }),
      RUNS,
    );
  });

  it('a record of any values (a scene, a demo) gives valid settings and names each refused key', () => {
    const anyValue = fc.oneof(value, fc.anything({ withNullPrototype: true, withBigInt: true, maxDepth: 2 }));
    const fieldValue = fc.oneof(
      fc.constantFrom(...FIELDS).chain((f) => fc.tuple(fc.constant<string>(f), anyValue)),
      fc.tuple(fc.oneof(fc.constantFrom(...ODD_KEYS), fc.string({ maxLength: 6 })), anyValue),
    );
    fc.assert(
      fc.property(fc.array(fieldValue, { maxLength: 6 }), fc.option(value), (entries, preset) => {
        const patch: Record<string, unknown> = {};
        for (const [k, v] of entries)
          Object.defineProperty(patch, k, { value: v, enumerable: true, configurable: true, writable: true });
        const { settings, notices } = validateSettings(preset === null ? patch : { ...patch, preset });
        expect(invalid(settings)).toBeNull();
        const named = new Set([
          'set',
          'batch',
          ...Object.keys(patch).map((k) => PAGE_SCHEMA[k as PageField]?.url ?? k),
        ]);
        expectNamedNotices(notices, named);
      }),
      RUNS,
    );
  });
});

const VALUE_FLAGS = Object.keys(CLI_OPTIONS).filter((f) => CLI_OPTIONS[f] === 'value');
const SWITCHES = Object.keys(CLI_OPTIONS).filter((f) => CLI_OPTIONS[f] === 'flag');

/** A command line of known flags with values good and bad, unknown flags, stray words, `--f=v` forms. */
const argv = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom(...VALUE_FLAGS), value).map(([f, v]) => [`--${f}`, v]),
      fc.tuple(fc.constantFrom(...VALUE_FLAGS), value).map(([f, v]) => [`--${f}=${v}`]),
      fc.constantFrom(...SWITCHES).map((f) => [`--${f}`]),
      fc.oneof(fc.constantFrom(...ODD_KEYS), fc.string({ maxLength: 6 })).map((k) => [`--${k}`]),
      value.map((v) => [v]),
      fc.constantFrom(['--'], ['-x'], ['--=1'], ['--quiet=0'], ['--model', 'cnn'], ['--data', 'mnist']),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.flat());

/** The flag names and values a command line holds (what an error message may name). */
function tokens(args: string[]): string[] {
  return args.flatMap((a) => {
    if (!a.startsWith('--')) return [a];
    const eq = a.indexOf('=');
    return eq < 0 ? [a] : [a.slice(0, eq), a.slice(eq + 1)];
  });
}

describe('fuzzed command lines', () => {
  it('give a valid run, or an Error naming the flag or value it refuses', () => {
    fc.assert(
      fc.property(argv, (args) => {
        let config;
        try {
          config = configFromArgs(parseArgs(args, CLI_OPTIONS)).config;
        } catch (error) {
          // A plain Error with a message: a TypeError or RangeError here would be a bug, not a refusal.
          expect((error as Error).constructor).toBe(Error);
          const message = (error as Error).message;
          const named = tokens(args).filter((t) => (t.length > 0 && message.includes(t)) || message.includes(`"${t}"`));
          expect(named, `"${message}" names nothing of ${JSON.stringify(args)}`).not.toEqual([]);
          return;
        }
        expect(() => validateConfig(config)).not.toThrow();
        // Accepted: every --name was a known option, and a switch carried no value.
        for (const t of args.filter((a) => a.startsWith('--'))) {
          const [name, inline] = [t.slice(2).split('=')[0], t.includes('=')];
          expect(Object.hasOwn(CLI_OPTIONS, name), `${t} accepted`).toBe(true);
          if (CLI_OPTIONS[name] === 'flag') expect(inline, `${t} accepted`).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('read `--flag=value` exactly as `--flag value`', () => {
    const value2 = value.filter((v) => !v.startsWith('--'));
    fc.assert(
      fc.property(fc.constantFrom(...VALUE_FLAGS), value2, (flag, v) => {
        expect(parseArgs([`--${flag}=${v}`], CLI_OPTIONS)).toEqual(parseArgs([`--${flag}`, v], CLI_OPTIONS));
      }),
      RUNS,
    );
  });
});
