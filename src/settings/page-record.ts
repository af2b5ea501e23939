/**
 * A page settings record from text (the URL's query) or from a partial record (a lesson's scene, a
 * demo button): every value checked against the settings table; one that is refused keeps the
 * value it would have had and yields a notice, in the same words as the CLI and validateConfig.
 */
import { SETTINGS } from '../gan/names';
import {
  EXTRA_SCHEMA,
  isImageData,
  noticeMessage,
  PAGE_IMAGE_BATCH_MAX,
  PAGE_SCHEMA,
  pageDefaults,
  shownValue,
  textOf,
  writePageField,
  type PageField,
  type PageSettings,
} from './schema';

/** A refused value, in words a visitor can act on. */
export interface SettingNotice {
  /** The URL key (`set` for the preset). */
  key: string;
  given: string;
  message: string;
}

export interface PageRecordResult {
  settings: PageSettings;
  notices: SettingNotice[];
}

const PAGE_FIELDS = Object.keys(PAGE_SCHEMA) as PageField[];

const defaultFallback = (field: PageField, current: PageSettings) =>
  `the default (${writePageField(field, current[field])})`;

/** Applies a `set=`/lesson preset name (A–F, any case) to the Adam fields; a notice when unknown. */
function applyPreset(settings: PageSettings, given: string, notices: SettingNotice[]): void {
  const read = EXTRA_SCHEMA.preset.codec.read(given);
  if ('error' in read) {
    notices.push({ key: 'set', given, message: noticeMessage('set', given, read.error, 'the default values') });
  } else {
    Object.assign(settings, SETTINGS[read.value]);
  }
}

/** Rules between fields that only the page has (the CLI has the device to itself). */
function applyPageRules(settings: PageSettings, notices: SettingNotice[]): void {
  if (isImageData(settings.data) && settings.batch > PAGE_IMAGE_BATCH_MAX) {
    const fallback = PAGE_SCHEMA.batch.imageDefault!;
    const given = String(settings.batch);
    const reason = `is too large for images (at most ${PAGE_IMAGE_BATCH_MAX})`;
    notices.push({ key: 'batch', given, message: noticeMessage('batch', given, reason, String(fallback)) });
    settings.batch = fallback;
  }
}

/**
 * Reads the page's settings from a query string. `set=A`…`F` applies a paper preset before the
 * individual values (which then override it); unknown keys are ignored with a notice.
 */
export function parseQuery(search: string): PageRecordResult {
  const params = new URLSearchParams(search);
  const settings = pageDefaults();
  const notices: SettingNotice[] = [];
  const presetKey = EXTRA_SCHEMA.preset.url!;
  const preset = params.get(presetKey);
  if (preset !== null) applyPreset(settings, preset, notices);
  for (const field of PAGE_FIELDS) {
    const key = PAGE_SCHEMA[field].url!;
    const raw = params.get(key);
    if (raw === null) continue;
    const result = PAGE_SCHEMA[field].codec.read(raw);
    if ('error' in result)
      notices.push({
        key,
        given: raw,
        message: noticeMessage(key, raw, result.error, defaultFallback(field, settings)),
      });
    else (settings as unknown as Record<string, unknown>)[field] = result.value;
  }
  const known = new Set([presetKey, ...PAGE_FIELDS.map((f) => PAGE_SCHEMA[f].url)]);
  for (const key of new Set(params.keys())) {
    // Written as the link has it (key=value), so even an empty key (`&=1`) is named.
    const given = params.get(key) ?? '';
    if (!known.has(key)) notices.push({ key, given, message: `${key}=${given} is not a setting; ignored.` });
  }
  applyPageRules(settings, notices);
  return { settings, notices };
}

/**
 * A partial record (a lesson's scene) checked field by field on top of `base`: the settings with
 * every valid value applied, and a notice for each refused one. `preset` (A–F) is applied first,
 * like `set=` in a link.
 */
export function validateSettings(
  patch: Partial<Record<PageField, unknown>> & { preset?: string },
  base: PageSettings = pageDefaults(),
): PageRecordResult {
  const settings: PageSettings = { ...base, variants: [...base.variants], hidden: [...base.hidden] };
  const notices: SettingNotice[] = [];
  const { preset, ...fields } = patch;
  if (preset !== undefined) applyPreset(settings, preset, notices);
  for (const [field, value] of Object.entries(fields)) {
    // Own rows only: a record's `constructor` or `toString` key is not a setting either.
    const row = Object.hasOwn(PAGE_SCHEMA, field) ? PAGE_SCHEMA[field as PageField] : undefined;
    if (!row) {
      notices.push({ key: field, given: textOf(value), message: `${field} is not a setting; ignored.` });
      continue;
    }
    const key = row.url!;
    const problem = row.codec.check(value);
    const given = shownValue(field as PageField, value);
    if (problem !== null)
      notices.push({
        key,
        given,
        message: noticeMessage(key, given, problem, defaultFallback(field as PageField, settings)),
      });
    else (settings as unknown as Record<string, unknown>)[field] = Array.isArray(value) ? [...value] : value;
  }
  applyPageRules(settings, notices);
  return { settings, notices };
}
