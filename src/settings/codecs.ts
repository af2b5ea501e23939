/**
 * How one setting's value is read from text (URL, CLI, a typed control), checked as a value (a
 * lesson's record, a TrainerConfig), written back to text, and described for --help. Every surface
 * goes through these, so the same bad value gets the same reason everywhere.
 */

export type Read<V> = { value: V } | { error: string };

export interface Codec<V> {
  /** Text to value, or the reason it is refused. */
  read(raw: string): Read<V>;
  /** The reason a value (from a record, not text) is refused, or null when it is fine. */
  check(value: unknown): string | null;
  write(value: V): string;
  /** The allowed values in words, for --help: "an integer from 1 to 1024". */
  allowed: string;
  /** What --help shows after the flag: N, X, LIST. */
  placeholder: string;
}

const checked =
  <V>(parse: (raw: string) => unknown, check: (value: unknown) => string | null) =>
  (raw: string): Read<V> => {
    const value = parse(raw);
    const error = check(value);
    return error === null ? { value: value as V } : { error };
  };

const toNumber = (raw: string): number => (raw.trim() === '' ? NaN : Number(raw));

/** A whole number in [min, max]; max = Infinity for "any positive integer". */
export function integer(min: number, max: number): Codec<number> {
  const allowed =
    max === Infinity ? (min === 1 ? 'a positive integer' : `an integer ≥ ${min}`) : `an integer from ${min} to ${max}`;
  const check = (v: unknown) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : `must be ${allowed}`;
  return { read: checked(toNumber, check), check, write: String, allowed, placeholder: 'N' };
}

/** A finite number in [min, max], or (min, max] with exclusiveMin. */
export function decimal(min: number, max: number, exclusiveMin = false): Codec<number> {
  const upper = max === Infinity ? '' : ` ${exclusiveMin ? 'up to' : 'to'} ${max}`;
  const allowed = `a number ${exclusiveMin ? 'above' : max === Infinity ? '≥' : 'from'} ${min}${upper}`;
  const check = (v: unknown) =>
    typeof v === 'number' && Number.isFinite(v) && (exclusiveMin ? v > min : v >= min) && v <= max
      ? null
      : `must be ${allowed}`;
  return { read: checked(toNumber, check), check, write: String, allowed, placeholder: 'X' };
}

/** One of a fixed list; `parse` turns the text into the option's type (Number for sizes). */
export function oneOf<T extends string | number>(
  options: readonly T[],
  parse: (raw: string) => unknown = (raw) => raw,
  allowed = `one of ${options.join(', ')}`,
): Codec<T> {
  const check = (v: unknown) => ((options as readonly unknown[]).includes(v) ? null : `must be ${allowed}`);
  return { read: checked(parse, check), check, write: String, allowed, placeholder: options.join('|') };
}

/** Fractions written as 1/8 … 1 (the CNN's width multiplier). */
export function fraction(options: readonly number[]): Codec<number> {
  const write = (v: number) => (v === 1 ? '1' : Number.isInteger(1 / v) ? `1/${1 / v}` : String(v));
  const allowed = options
    .map(write)
    .join(', ')
    .replace(/, ([^,]*)$/, ' or $1');
  const parse = (raw: string) => {
    const m = /^1\/(\d+)$/.exec(raw);
    return m ? 1 / Number(m[1]) : toNumber(raw);
  };
  const check = (v: unknown) => (options.includes(v as number) ? null : `must be ${allowed}`);
  return { read: checked(parse, check), check, write, allowed, placeholder: options.map(write).join('|') };
}

/** On or off: 1/true or 0/false. */
export const onOff: Codec<boolean> = {
  read: (raw) =>
    raw === '1' || raw === 'true'
      ? { value: true }
      : raw === '0' || raw === 'false'
        ? { value: false }
        : { error: 'must be 0 or 1' },
  check: (v) => (typeof v === 'boolean' ? null : 'must be 0 or 1'),
  write: (v) => (v ? '1' : '0'),
  allowed: '0 or 1',
  placeholder: '0|1',
};

/** Any value as text, even one String() refuses (an object without a prototype). */
const shown = (value: unknown): string => {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
};

/** A comma-separated list of distinct options (variants=sn,wn). */
export function listOf<T extends string>(options: readonly T[], allowEmpty: boolean): Codec<T[]> {
  const check = (v: unknown): string | null => {
    if (!Array.isArray(v)) return `must be a list of ${options.join(', ')}`;
    const bad = v.filter((s) => !(options as readonly unknown[]).includes(s));
    if (bad.length > 0) return `unknown ${bad.map(shown).join(', ')} (choose from ${options.join(', ')})`;
    if (!allowEmpty && v.length === 0) return 'needs at least one entry';
    if (new Set(v).size !== v.length) return 'lists an entry twice';
    return null;
  };
  return {
    read: checked(
      (raw) =>
        raw
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      check,
    ),
    check,
    write: (v) => v.join(','),
    allowed: `a comma-separated list of ${options.join(', ')}${allowEmpty ? '' : ' (at least one)'}`,
    placeholder: 'LIST',
  };
}

/** Free text that must not be empty (a file path). */
export const text: Codec<string> = {
  read: (raw) => (raw === '' ? { error: 'must not be empty' } : { value: raw }),
  check: (v) => (typeof v === 'string' ? null : 'must be text'),
  write: (v) => v,
  allowed: 'a path',
  placeholder: 'PATH',
};

/** A command-line switch that takes no value (--quiet); present means true. */
export const presence: Codec<boolean> = { ...onOff, allowed: 'no value', placeholder: '' };
