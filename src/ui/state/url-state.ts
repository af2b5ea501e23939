/**
 * The whole page configuration in the URL's query string, so a link reproduces a run (same seed,
 * same settings, same curves) and can hide controls for a class. Keys, ranges, defaults and the
 * words of a notice come from the settings table (src/settings/schema.ts): a value that is not
 * valid falls back to its default and produces a notice the page shows.
 */
import { parseQuery, type SettingNotice } from '../../settings/page-record';
import {
  isImageData,
  PAGE_SCHEMA,
  pageDefaults,
  readPageField,
  writePageField,
  type PageField,
  type PageSettings,
} from '../../settings/schema';

/** A rejected URL value, in words a visitor can act on. */
export type UrlNotice = SettingNotice;

/**
 * Checks a value typed into a control with the same rules (and words) as the URL: the parsed
 * value, or why it is not accepted.
 */
export const readSetting = readPageField;

export function parseSettings(search: string): { settings: PageSettings; notices: UrlNotice[] } {
  return parseQuery(search);
}

const DEFAULTS = pageDefaults();
const MLP_FIELDS: readonly PageField[] = ['mlpWidth', 'mlpDepth', 'noiseDim'];
const DISPLAY_PREFERENCES: readonly PageField[] = ['autoplay', 'hidden', 'arrows', 'heatmap'];

/** The query string (without '?') holding every setting: a link that reproduces the run. */
export function serializeSettings(settings: PageSettings): string {
  const params = new URLSearchParams();
  for (const field of Object.keys(PAGE_SCHEMA) as PageField[]) {
    const value = settings[field];
    // Display preferences, and the model sizes of the other data kind (CNN width for 2-D data, MLP
    // sizes for images), stay out of the link unless changed; everything that shapes the run is written.
    const displayOnly = DISPLAY_PREFERENCES.includes(field);
    const otherModel = isImageData(settings.data) ? MLP_FIELDS.includes(field) : field === 'cnnWidth';
    // The drawing goes into every link of a drawn run, and into others only once something was drawn.
    const otherData = field === 'points' && settings.data !== 'drawn';
    if ((displayOnly || otherModel || otherData) && JSON.stringify(value) === JSON.stringify(DEFAULTS[field])) continue;
    params.set(PAGE_SCHEMA[field].url!, writePageField(field, value));
  }
  return params.toString().replaceAll('%2C', ',').replaceAll('%2F', '/');
}
