/**
 * A recorded run: what `npm run train -- … --out run.json` writes, read back for the page's
 * recorded-run player (for visitors without a real GPU, and for run files dropped on the page).
 *
 * THE FILE (JSON, one object). Fields of every `--out` file:
 *   config        TrainerConfig: model {kind 'mlp'|'cnn', width (cnn)…}, data, variants (names in
 *                 training order), loss, adam {lr, beta1, beta2, nDis}, batch, seed, statsEvery,
 *                 spectraEvery, evalSamples, …
 *   adapter       string: the adapter (or CPU backend) it trained on, e.g. "google / swiftshader / …"
 *   backend       'webgpu' | 'cpu'
 *   steps         integer ≥ 0: steps trained
 *   seconds, stepsPerSecond   numbers (wall time of training)
 *   metrics       StepMetrics[] in step order, one per live variant per statistics capture:
 *                 {step, variant, lossD, lossG, dReal, dFake, modesCovered, highQuality, sigma[],
 *                 gradNorm, inceptionScore, fid, spectra?}; JSON writes NaN/±Infinity as null,
 *                 read back as NaN (a gap in the charts, as in a live run)
 *   reference     (digits only) {inceptionScore, fid} of real digits
 *   variants      {[variant]: {diverged: step | null, samples, layers}}: samples are the last
 *                 capture's 16 images (each 32·32 numbers in [−1, 1]) or every generated 2-D point
 *                 ([x, y] pairs); layers every D layer's W, W̄, ũ, σ̃ and singular values
 *                 (an empty array with --no-weights; the player does not read them)
 * Optional additions (written by `--frames-every K`; absent from older files):
 *   recordedAt    string: ISO 8601 time the recording finished
 *   extent        (2-D only) [xMin, xMax, yMin, yMax] of the plot
 *   frames        Frame[] in increasing step order, captured at step 1 and every K steps
 *                 (K a multiple of config.statsEvery):
 *                 {step, variants: {[variant]: FrameSamples}} with only the variants that were
 *                 live and finite at that step, and FrameSamples either
 *                   {count, side, images}: `images` base64 of count·side·side bytes, row-major
 *                                          images of side × side, byte q ↦ pixel 2q/255 − 1
 *                   {points}:              2·N numbers x0, y0, x1, y1, … rounded to 4 decimals
 * A file without frames plays as one frame: `variants[v].samples` at step `steps`.
 */
import { drawnPointsProblem } from '../data/drawn';
import { VARIANT_NAMES, type TrainerConfig, type VariantName } from '../gan/config';
import type { StepMetrics } from '../gan/trainer';
import { decodeImageBytes } from './frame-codec';

/** One frame's samples of one variant, as the file holds them. */
export type FrameSamplesJson = { count: number; side: number; images: string } | { points: number[] };

export interface FrameJson {
  step: number;
  variants: Partial<Record<VariantName, FrameSamplesJson>>;
}

/** One capture of generated samples, decoded. */
export interface RecordedFrame {
  step: number;
  /** Per variant: count·side·side pixels in [−1, 1], or N × 2 points (x, y interleaved). */
  samples: Partial<Record<VariantName, Float32Array>>;
}

export interface RecordedRun {
  config: TrainerConfig;
  adapter: string;
  backend: 'webgpu' | 'cpu';
  steps: number;
  /** ISO 8601, or null for files written without frames. */
  recordedAt: string | null;
  kind: 'images' | 'points';
  /** Side of an image in pixels (images), 0 for points. */
  side: number;
  /** The plot's frame for 2-D points, or null. */
  extent: [number, number, number, number] | null;
  metrics: StepMetrics[];
  diverged: Partial<Record<VariantName, number>>;
  /** In increasing step order; at least one. */
  frames: RecordedFrame[];
}

type Json = Record<string, unknown>;

const fail = (message: string): never => {
  throw new Error(`not a recorded run: ${message}`);
};

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function field(obj: Json, key: string, where: string): unknown {
  if (!(key in obj)) fail(`${where}${key} is missing`);
  return obj[key];
}

function objectAt(obj: Json, key: string, where: string): Json {
  const v = field(obj, key, where);
  return isObject(v) ? v : fail(`${where}${key} must be an object (got ${typeName(v)})`);
}

function arrayAt(obj: Json, key: string, where: string): unknown[] {
  const v = field(obj, key, where);
  return Array.isArray(v) ? v : fail(`${where}${key} must be an array (got ${typeName(v)})`);
}

function stringAt(obj: Json, key: string, where: string): string {
  const v = field(obj, key, where);
  return typeof v === 'string' ? v : fail(`${where}${key} must be a string (got ${typeName(v)})`);
}

function integerAt(obj: Json, key: string, where: string, min: number): number {
  const v = field(obj, key, where);
  return typeof v === 'number' && Number.isInteger(v) && v >= min
    ? v
    : fail(`${where}${key} must be an integer ≥ ${min} (got ${shown(v)})`);
}

/** A number as JSON wrote it: null stands for NaN or ±Infinity. */
function numberAt(obj: Json, key: string, where: string): number {
  const v = field(obj, key, where);
  if (v === null) return NaN;
  return typeof v === 'number' ? v : fail(`${where}${key} must be a number (got ${typeName(v)})`);
}

function nullableNumberAt(obj: Json, key: string, where: string): number | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  return typeof v === 'number' ? v : fail(`${where}${key} must be a number or null (got ${typeName(v)})`);
}

/**
 * A value as a message shows it, briefly: a hand-edited file may hold a megabyte string or arrays
 * nested 100,000 deep, which JSON.stringify would echo in full or overflow the stack on.
 */
function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return Array.isArray(v) ? `an array of ${v.length}` : typeName(v);
}

/** A key of the file (a variant's name) as a message shows it. */
const keyShown = (key: string): string => (key.length > 40 ? `${key.slice(0, 40)}…` : key);

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

function variantName(v: unknown, where: string): VariantName {
  return (VARIANT_NAMES as readonly unknown[]).includes(v)
    ? (v as VariantName)
    : fail(`${where} is not a variant (got ${shown(v)}; known: ${VARIANT_NAMES.join(', ')})`);
}

function parseConfig(doc: Json): TrainerConfig {
  const config = objectAt(doc, 'config', '');
  const model = objectAt(config, 'model', 'config.');
  const kind = field(model, 'kind', 'config.model.');
  if (kind !== 'mlp' && kind !== 'cnn') fail(`config.model.kind must be mlp or cnn (got ${shown(kind)})`);
  if (kind === 'cnn') numberAt(model, 'width', 'config.model.');
  const data = stringAt(config, 'data', 'config.');
  // A drawn run's real data is its points: a file must carry them as a page would.
  const drawing = data === 'drawn' ? drawnPointsProblem(config.points) : null;
  if (drawing !== null) fail(`config.points (data drawn) ${drawing}`);
  const variants = arrayAt(config, 'variants', 'config.');
  if (variants.length === 0) fail('config.variants is empty');
  variants.forEach((v, i) => variantName(v, `config.variants[${i}]`));
  const adam = objectAt(config, 'adam', 'config.');
  for (const key of ['lr', 'beta1', 'beta2']) numberAt(adam, key, 'config.adam.');
  integerAt(adam, 'nDis', 'config.adam.', 1);
  integerAt(config, 'batch', 'config.', 1);
  integerAt(config, 'statsEvery', 'config.', 1);
  return config as unknown as TrainerConfig;
}

function parseMetric(raw: unknown, i: number, variants: readonly VariantName[]): StepMetrics {
  const where = `metrics[${i}].`;
  if (!isObject(raw)) return fail(`metrics[${i}] must be an object (got ${typeName(raw)})`);
  const variant = variantName(raw.variant, `${where}variant`);
  if (!variants.includes(variant)) fail(`${where}variant ${variant} is not in config.variants`);
  const sigma = arrayAt(raw, 'sigma', where).map((s, k) =>
    s === null ? NaN : typeof s === 'number' ? s : fail(`${where}sigma[${k}] must be a number`),
  );
  const spectra = raw.spectra;
  if (spectra !== undefined && !Array.isArray(spectra)) fail(`${where}spectra must be an array`);
  return {
    step: integerAt(raw, 'step', where, 1),
    variant,
    lossD: numberAt(raw, 'lossD', where),
    lossG: numberAt(raw, 'lossG', where),
    dReal: numberAt(raw, 'dReal', where),
    dFake: numberAt(raw, 'dFake', where),
    modesCovered: nullableNumberAt(raw, 'modesCovered', where),
    highQuality: nullableNumberAt(raw, 'highQuality', where),
    sigma,
    gradNorm: numberAt(raw, 'gradNorm', where),
    inceptionScore: nullableNumberAt(raw, 'inceptionScore', where),
    fid: nullableNumberAt(raw, 'fid', where),
    ...(spectra !== undefined ? { spectra: spectra as StepMetrics['spectra'] } : {}),
  };
}

function numbersIn(values: unknown, where: string): Float32Array {
  if (!Array.isArray(values)) return fail(`${where} must be an array of numbers`);
  const out = new Float32Array(values.length);
  values.forEach((v, i) => {
    if (v !== null && typeof v !== 'number') fail(`${where}[${i}] must be a number (got ${typeName(v)})`);
    out[i] = v === null ? NaN : v;
  });
  return out;
}

function parseFrameSamples(raw: unknown, where: string, kind: 'images' | 'points', side: number): Float32Array {
  if (!isObject(raw)) return fail(`${where} must be an object (got ${typeName(raw)})`);
  if (kind === 'points') {
    const points = numbersIn(field(raw, 'points', `${where}.`), `${where}.points`);
    if (points.length % 2 !== 0) fail(`${where}.points has an odd length ${points.length} (truncated?)`);
    return points;
  }
  const count = integerAt(raw, 'count', `${where}.`, 1);
  const frameSide = integerAt(raw, 'side', `${where}.`, 1);
  if (frameSide !== side) fail(`${where}.side is ${frameSide}, the run's images are ${side} × ${side}`);
  const text = stringAt(raw, 'images', `${where}.`);
  let pixels: Float32Array;
  try {
    pixels = decodeImageBytes(text);
  } catch {
    return fail(`${where}.images is not base64 (truncated?)`);
  }
  const need = count * side * side;
  if (pixels.length !== need)
    fail(
      `${where}.images holds ${pixels.length} bytes; ${count} images of ${side} × ${side} need ${need} (truncated?)`,
    );
  return pixels;
}

function parseFrames(raw: unknown[], kind: 'images' | 'points', side: number, steps: number): RecordedFrame[] {
  let last = 0;
  return raw.map((f, i) => {
    const where = `frames[${i}]`;
    if (!isObject(f)) return fail(`${where} must be an object (got ${typeName(f)})`);
    const step = integerAt(f, 'step', `${where}.`, 1);
    if (step <= last) fail(`${where}.step ${step} does not follow step ${last}`);
    if (step > steps) fail(`${where}.step ${step} is past the run's ${steps} steps`);
    last = step;
    const variants = objectAt(f, 'variants', `${where}.`);
    const samples: RecordedFrame['samples'] = {};
    for (const [name, value] of Object.entries(variants)) {
      const v = variantName(name, `${where}.variants.${keyShown(name)}`);
      samples[v] = parseFrameSamples(value, `${where}.variants.${keyShown(name)}`, kind, side);
    }
    return { step, samples };
  });
}

/** The one frame of a file without frames: each variant's last samples at the last step. */
function finalFrame(variants: Json, kind: 'images' | 'points', steps: number): RecordedFrame {
  const samples: RecordedFrame['samples'] = {};
  for (const [name, value] of Object.entries(variants)) {
    const where = `variants.${keyShown(name)}`;
    const v = variantName(name, where);
    if (!isObject(value)) return fail(`${where} must be an object`);
    const rows = arrayAt(value, 'samples', `${where}.`);
    const flat = rows.flatMap((row, i) =>
      Array.isArray(row) ? row : fail(`${where}.samples[${i}] must be an array`),
    ) as unknown[];
    if (flat.length > 0) samples[v] = numbersIn(flat, `${where}.samples`);
  }
  if (kind === 'images' && Object.keys(samples).length === 0) fail('variants hold no samples');
  return { step: Math.max(1, steps), samples };
}

/**
 * Checks a parsed `--out` JSON document and decodes it for the player. Throws an Error whose
 * message names the first thing wrong: `not a recorded run: metrics[3].lossD is missing`.
 */
export function parseRecordedRun(json: unknown): RecordedRun {
  if (!isObject(json)) return fail(`expected a JSON object (got ${typeName(json)})`);
  const config = parseConfig(json);
  const adapter = stringAt(json, 'adapter', '');
  const given = field(json, 'backend', '');
  const backend =
    given === 'webgpu' || given === 'cpu' ? given : fail(`backend must be webgpu or cpu (got ${shown(given)})`);
  const steps = integerAt(json, 'steps', '', 0);
  const recordedAt = json.recordedAt === undefined ? null : stringAt(json, 'recordedAt', '');
  if (recordedAt !== null && Number.isNaN(Date.parse(recordedAt)))
    fail(`recordedAt must be an ISO 8601 date (got ${shown(recordedAt)})`);
  const kind = config.model.kind === 'cnn' ? 'images' : 'points';
  const side = kind === 'images' ? 32 : 0;
  const metrics = arrayAt(json, 'metrics', '').map((m, i) => parseMetric(m, i, config.variants));
  for (let i = 1; i < metrics.length; i++)
    if (metrics[i].step < metrics[i - 1].step) fail(`metrics[${i}].step goes back to ${metrics[i].step}`);
  const variants = objectAt(json, 'variants', '');
  const diverged: RecordedRun['diverged'] = {};
  for (const [name, value] of Object.entries(variants)) {
    const v = variantName(name, `variants.${keyShown(name)}`);
    if (!isObject(value)) return fail(`variants.${keyShown(name)} must be an object (got ${typeName(value)})`);
    const at = value.diverged;
    if (at !== null && !(typeof at === 'number' && Number.isInteger(at)))
      fail(`variants.${keyShown(name)}.diverged must be a step or null (got ${shown(at)})`);
    if (typeof at === 'number') diverged[v] = at;
  }
  let extent: RecordedRun['extent'] = null;
  if (kind === 'points' && json.extent !== undefined) {
    const e = arrayAt(json, 'extent', '');
    if (e.length !== 4 || !e.every((x) => typeof x === 'number'))
      fail('extent must be four numbers [xMin, xMax, yMin, yMax]');
    extent = e as RecordedRun['extent'];
  }
  const frames =
    json.frames === undefined
      ? [finalFrame(variants, kind, steps)]
      : parseFrames(arrayAt(json, 'frames', ''), kind, side, steps);
  if (frames.length === 0) fail('frames is empty');
  return { config, adapter, backend, steps, recordedAt, kind, side, extent, metrics, diverged, frames };
}

/** Reads a file's text: refuses text that is not JSON (a truncated download) in words, then checks it. */
export function parseRecordedRunText(text: string): RecordedRun {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`the file is not complete JSON (${(error as Error).message}; truncated?)`);
  }
  return parseRecordedRun(json);
}
