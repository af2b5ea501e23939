/**
 * The whole page configuration in the URL's query string, so a link reproduces a run (same seed,
 * same settings, same curves) and can hide controls for a class. Every value is checked: one that
 * is not valid falls back to its default and produces a notice the page shows.
 */
import { VARIANT_NAMES, type VariantName } from '../../gan/config';
import {
  CNN_WIDTHS,
  CONTROL_GROUPS,
  DATA_NAMES,
  DEFAULT_SETTINGS,
  isImageData,
  LOSS_NAMES,
  MLP_WIDTHS,
  SPEEDS,
  type ControlGroup,
  type PageSettings,
} from './settings';
import { SETTINGS, type SettingName } from '../../gan/config';

/** A rejected URL value, in words a visitor can act on. */
export interface UrlNotice {
  key: string;
  given: string;
  message: string;
}

type Reader = (raw: string) => { value: unknown } | { error: string };

const oneOf =
  <T extends string | number>(options: readonly T[], parse: (s: string) => T = (s) => s as T): Reader =>
  (raw) => {
    const v = parse(raw);
    return options.includes(v) ? { value: v } : { error: `must be one of ${options.join(', ')}` };
  };

const number =
  (min: number, max: number, integer: boolean, exclusiveMin = false): Reader =>
  (raw) => {
    const v = Number(raw);
    const okMin = exclusiveMin ? v > min : v >= min;
    if (raw.trim() === '' || !Number.isFinite(v) || !okMin || v > max || (integer && !Number.isInteger(v))) {
      const kind = integer ? 'an integer' : 'a number';
      return {
        error: `must be ${kind} ${exclusiveMin ? 'above' : 'from'} ${min} ${exclusiveMin ? 'up to' : 'to'} ${max}`,
      };
    }
    return { value: v };
  };

const flag: Reader = (raw) =>
  raw === '1' || raw === 'true'
    ? { value: true }
    : raw === '0' || raw === 'false'
      ? { value: false }
      : { error: 'must be 0 or 1' };

const list =
  <T extends string>(options: readonly T[], allowEmpty: boolean): Reader =>
  (raw) => {
    const items = raw.split(',').filter((s) => s !== '');
    const bad = items.filter((s) => !options.includes(s as T));
    if (bad.length > 0) return { error: `unknown ${bad.join(', ')} (choose from ${options.join(', ')})` };
    if (!allowEmpty && items.length === 0) return { error: 'needs at least one entry' };
    if (new Set(items).size !== items.length) return { error: 'lists an entry twice' };
    return { value: items };
  };

const fraction: Reader = (raw) => {
  const m = /^1\/(\d+)$/.exec(raw);
  const v = m ? 1 / Number(m[1]) : Number(raw);
  return (CNN_WIDTHS as readonly number[]).includes(v) ? { value: v } : { error: 'must be 1/8, 1/4, 1/2 or 1' };
};

/** URL key, settings field, reader and writer for every setting. */
const FIELDS: { key: string; field: keyof PageSettings; read: Reader; write?: (v: never) => string }[] = [
  { key: 'variants', field: 'variants', read: list(VARIANT_NAMES, false), write: (v: VariantName[]) => v.join(',') },
  { key: 'data', field: 'data', read: oneOf(DATA_NAMES) },
  { key: 'width', field: 'mlpWidth', read: oneOf(MLP_WIDTHS, Number) },
  { key: 'depth', field: 'mlpDepth', read: number(1, 4, true) },
  { key: 'z', field: 'noiseDim', read: number(1, 64, true) },
  {
    key: 'cnn',
    field: 'cnnWidth',
    read: fraction,
    write: (v: number) => (v === 1 ? '1' : `1/${Math.round(1 / v)}`),
  },
  { key: 'loss', field: 'loss', read: oneOf(LOSS_NAMES) },
  { key: 'lr', field: 'lr', read: number(0, 1, false, true) },
  { key: 'b1', field: 'beta1', read: number(0, 0.9999, false) },
  { key: 'b2', field: 'beta2', read: number(0, 0.99999, false) },
  { key: 'ndis', field: 'nDis', read: number(1, 20, true) },
  { key: 'batch', field: 'batch', read: number(1, 1024, true) },
  { key: 'ip', field: 'snRounds', read: number(1, 20, true) },
  { key: 'warmup', field: 'snWarmup', read: number(0, 100, true) },
  { key: 'clip', field: 'clip', read: number(0, 10, false, true) },
  { key: 'beta', field: 'orthoBeta', read: number(0, 10, false) },
  { key: 'gp', field: 'gpLambda', read: number(0, 1000, false) },
  { key: 'seed', field: 'seed', read: number(0, 2 ** 31 - 1, true) },
  { key: 'stats', field: 'statsEvery', read: number(1, 1000, true) },
  { key: 'spectra', field: 'spectraEvery', read: number(0, 100000, true) },
  {
    key: 'speed',
    field: 'speed',
    read: (raw) =>
      raw === 'max'
        ? { value: 0 }
        : oneOf(
            SPEEDS.filter((s) => s > 0),
            Number,
          )(raw),
    write: (v: number) => (v === 0 ? 'max' : String(v)),
  },
  { key: 'arrows', field: 'arrows', read: flag, write: (v: boolean) => (v ? '1' : '0') },
  { key: 'heatmap', field: 'heatmap', read: flag, write: (v: boolean) => (v ? '1' : '0') },
  { key: 'play', field: 'autoplay', read: flag, write: (v: boolean) => (v ? '1' : '0') },
  { key: 'hide', field: 'hidden', read: list(CONTROL_GROUPS, true), write: (v: ControlGroup[]) => v.join(',') },
];

/**
 * Checks a value typed into a control with the same rules as the URL: the parsed value, or why
 * it is not accepted.
 */
export function readSetting(field: keyof PageSettings, raw: string): { value: unknown } | { error: string } {
  const f = FIELDS.find((x) => x.field === field);
  if (!f) return { error: 'is not a setting' };
  return f.read(raw);
}

/** `set=A`…`F` applies a paper preset before the individual values (which then override it). */
const PRESET_KEY = 'set';

export function parseSettings(search: string): { settings: PageSettings; notices: UrlNotice[] } {
  const params = new URLSearchParams(search);
  const settings: PageSettings = { ...DEFAULT_SETTINGS, variants: [...DEFAULT_SETTINGS.variants], hidden: [] };
  const notices: UrlNotice[] = [];
  const reject = (key: string, given: string, why: string, fallback: string) =>
    notices.push({ key, given, message: `${key}=${given} ${why}; using ${fallback}.` });
  const preset = params.get(PRESET_KEY);
  if (preset !== null) {
    const p = SETTINGS[preset.toUpperCase() as SettingName];
    if (p) Object.assign(settings, p);
    else reject(PRESET_KEY, preset, 'is not one of the paper’s settings A–F', 'the default values');
  }
  for (const { key, field, read } of FIELDS) {
    const raw = params.get(key);
    if (raw === null) continue;
    const result = read(raw);
    if ('error' in result) reject(key, raw, result.error, `the default (${formatValue(field, settings[field])})`);
    else (settings as unknown as Record<string, unknown>)[field] = result.value;
  }
  const known = new Set([PRESET_KEY, ...FIELDS.map((f) => f.key)]);
  for (const key of params.keys()) {
    if (!known.has(key))
      notices.push({ key, given: params.get(key) ?? '', message: `${key} is not a setting; ignored.` });
  }
  if (isImageData(settings.data) && settings.batch > 256) {
    reject('batch', String(settings.batch), 'is too large for images (at most 256)', '64');
    settings.batch = 64;
  }
  return { settings, notices };
}

function formatValue(field: keyof PageSettings, value: unknown): string {
  const f = FIELDS.find((x) => x.field === field);
  return f?.write ? (f.write as (v: unknown) => string)(value) : String(value);
}

const MLP_FIELDS: readonly (keyof PageSettings)[] = ['mlpWidth', 'mlpDepth', 'noiseDim'];

/** The query string (without '?') holding every setting: a link that reproduces the run. */
export function serializeSettings(settings: PageSettings): string {
  const params = new URLSearchParams();
  for (const { key, field } of FIELDS) {
    const value = settings[field];
    // Display preferences, and the model sizes of the other data kind (CNN width for 2-D data, MLP
    // sizes for images), stay out of the link unless changed; everything that shapes the run is written.
    const displayOnly = field === 'autoplay' || field === 'hidden' || field === 'arrows' || field === 'heatmap';
    const otherModel = isImageData(settings.data) ? MLP_FIELDS.includes(field) : field === 'cnnWidth';
    if ((displayOnly || otherModel) && JSON.stringify(value) === JSON.stringify(DEFAULT_SETTINGS[field])) continue;
    params.set(key, formatValue(field, value));
  }
  return params.toString().replaceAll('%2C', ',').replaceAll('%2F', '/');
}
