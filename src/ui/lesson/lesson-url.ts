/**
 * The lesson in the address bar: `lesson=N` opens scene N (1-based) with the scene's settings,
 * `present=1` the presentation mode; any other key overrides the scene's value, so a link can
 * still say `play=1` or another seed. The address bar follows the scene and writes only the keys
 * that differ from it. A page without `lesson` is the sandbox, exactly as before.
 */
import { SCENES, sceneAt } from '../../lesson/scenes';
import { parseSettings, serializeSettings, type UrlNotice } from '../state/url-state';
import type { PageSettings } from '../state/settings';

export const LESSON_KEY = 'lesson';
export const PRESENT_KEY = 'present';

export interface PageLocation {
  /** The scene number (1-based), or null for the sandbox page. */
  lesson: number | null;
  present: boolean;
  settings: PageSettings;
  notices: UrlNotice[];
}

/** The scene's own settings (its query over the defaults). */
export function sceneSettings(n: number): PageSettings {
  const scene = sceneAt(n);
  if (!scene) throw new Error(`no scene ${n}`);
  return parseSettings(scene.query).settings;
}

/** Reads the page's location: sandbox or scene, presentation mode, settings and notices. */
export function parseLocation(search: string): PageLocation {
  const params = new URLSearchParams(search);
  const notices: UrlNotice[] = [];
  const rawLesson = params.get(LESSON_KEY);
  const rawPresent = params.get(PRESENT_KEY);
  params.delete(LESSON_KEY);
  params.delete(PRESENT_KEY);
  let lesson: number | null = null;
  if (rawLesson !== null) {
    const n = Number(rawLesson);
    if (sceneAt(n)) lesson = n;
    else {
      lesson = 1;
      notices.push({
        key: LESSON_KEY,
        given: rawLesson,
        message: `${LESSON_KEY}=${rawLesson} must be a scene from 1 to ${SCENES.length}; using scene 1.`,
      });
    }
  }
  let present = false;
  if (rawPresent !== null) {
    if (rawPresent === '1' || rawPresent === 'true') present = true;
    else if (rawPresent !== '0' && rawPresent !== 'false') {
      notices.push({
        key: PRESENT_KEY,
        given: rawPresent,
        message: `${PRESENT_KEY}=${rawPresent} must be 0 or 1; using 0.`,
      });
    }
  }
  // A scene's settings first, then what the link says on top of them.
  const merged = new URLSearchParams(lesson !== null ? sceneAt(lesson)!.query : '');
  for (const [key, value] of params) merged.set(key, value);
  const parsed = parseSettings(merged.toString());
  return { lesson, present, settings: parsed.settings, notices: [...notices, ...parsed.notices] };
}

/** The query string (without '?') for this location: a link that reopens it. */
export function serializeLocation(lesson: number | null, present: boolean, settings: PageSettings): string {
  const query = new URLSearchParams(serializeSettings(settings));
  if (lesson === null) {
    if (present) query.set(PRESENT_KEY, '1');
    return decodeQuery(query);
  }
  const scene = new URLSearchParams(serializeSettings(sceneSettings(lesson)));
  const out = new URLSearchParams();
  out.set(LESSON_KEY, String(lesson));
  if (present) out.set(PRESENT_KEY, '1');
  for (const [key, value] of query) if (scene.get(key) !== value) out.set(key, value);
  // Only display flags at their default are left out by serializeSettings: one the scene turns on
  // and the visitor turned off again is written as 0.
  for (const [key] of scene) if (!query.has(key)) out.set(key, '0');
  return decodeQuery(out);
}

const decodeQuery = (params: URLSearchParams): string =>
  params.toString().replaceAll('%2C', ',').replaceAll('%2F', '/');
