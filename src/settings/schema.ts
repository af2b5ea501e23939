/**
 * THE table of settings: for each one its URL key and CLI flag, its type and allowed values, its
 * default, whether changing it starts a new run, and one line of help. The page's URL state and
 * settings panel, the headless CLI (its --help too), `defaultConfig` and `validateConfig` all read
 * this table, so a key, a range, a default or a message is written once. No DOM, no GPU here.
 */
import { DATASET_2D_NAMES, type Dataset2dName } from '../data/mixtures';
import type { GanLossKind } from '../engine/backend';
import { SETTING_NAMES, SETTINGS, VARIANT_NAMES, type SettingName, type VariantName } from '../gan/names';
import { decimal, fraction, integer, listOf, onOff, oneOf, presence, text, type Codec } from './codecs';

export type DataName = Dataset2dName | 'mnist';
export const DATA_NAMES: readonly DataName[] = [...DATASET_2D_NAMES, 'mnist'];
export const LOSS_NAMES: readonly GanLossKind[] = ['standard', 'hinge', 'wgan'];
export const CNN_WIDTHS = [0.125, 0.25, 0.5, 1] as const;
export const MLP_WIDTHS = [16, 32, 64, 128, 256] as const;
/** Hidden layers of the 2-D MLPs: 1 to this many (the panel offers each). */
export const MLP_DEPTHS = [1, 2, 3, 4] as const;
/** Steps per animation frame; 0 means "as fast as the device allows". */
export const SPEEDS = [1, 2, 5, 10, 25, 100, 0] as const;
/** Control groups a shared link can hide (hide=…). */
export const CONTROL_GROUPS = [
  'variants',
  'data',
  'hyper',
  'presets',
  'seed',
  'speed',
  'step',
  'display',
  'share',
  'selftest',
] as const;
export type ControlGroup = (typeof CONTROL_GROUPS)[number];
/** The paper's setting both the page and the CLI start from (lr, β1, β2, n_dis). */
export const DEFAULT_PRESET: SettingName = 'C';
/**
 * The page trains digits next to the browser's own use of the GPU, so it caps image batches; the
 * headless CLI has the device to itself and keeps the plain batch range.
 */
export const PAGE_IMAGE_BATCH_MAX = 256;
/** The headless CLI's statistics interval (see the statsEvery row for why it differs from the page's). */
const CLI_STATS_EVERY = 50;

export const isImageData = (data: DataName): boolean => data === 'mnist';

/** Everything a visitor can set on the page, as one flat record (what the URL holds). */
export interface PageSettings {
  variants: VariantName[];
  data: DataName;
  /** MLP hidden width and depth (2-D data). */
  mlpWidth: number;
  mlpDepth: number;
  /** MLP noise dimension. */
  noiseDim: number;
  /** CNN width multiplier (images). */
  cnnWidth: number;
  loss: GanLossKind;
  lr: number;
  beta1: number;
  beta2: number;
  nDis: number;
  batch: number;
  snRounds: number;
  snWarmup: number;
  clip: number;
  orthoBeta: number;
  gpLambda: number;
  seed: number;
  statsEvery: number;
  spectraEvery: number;
  /** Steps per frame (0: as fast as possible). */
  speed: number;
  arrows: boolean;
  heatmap: boolean;
  /** Start training as soon as the page is ready (for links shown in class). */
  autoplay: boolean;
  hidden: ControlGroup[];
}

/** Settings that are not fields of PageSettings: the preset (both surfaces) and the CLI's own. */
export interface ExtraSettings {
  preset: SettingName;
  model: 'mlp2d' | 'cnn';
  steps: number;
  evalSamples: number;
  backend: 'webgpu' | 'cpu';
  out: string;
  /** Steps between recorded frames of samples in the --out JSON (0: none). */
  framesEvery: number;
  /** Leave every D layer's W and W̄ out of the --out JSON. */
  noWeights: boolean;
  quiet: boolean;
  help: boolean;
}

/** What a headless run reads: the training part of the page's record and the CLI's own settings. */
export type CliSettings = ExtraSettings & Omit<PageSettings, 'speed' | 'arrows' | 'heatmap' | 'autoplay' | 'hidden'>;

export interface SettingRow<V> {
  codec: Codec<V>;
  /** Query key on the page (absent: not in links). */
  url?: string;
  /** Flag of `npm run train` without the dashes (absent: page only). */
  cli?: string;
  /** The default on the page, and in the CLI unless cliDefault says otherwise. */
  default: V;
  /** The default when training images (MNIST with the CNN), when it differs. */
  imageDefault?: V;
  /** The CLI's default where it must differ from the page's (the row says why); may follow other flags. */
  cliDefault?: V | ((chosen: Partial<CliSettings>) => V);
  /** How --help states a cliDefault that follows other flags. */
  cliDefaultNote?: string;
  /** The CLI's default when training images, where it differs from imageDefault. */
  cliImageDefault?: V;
  /** Changing it on the page starts a new run from step 0 (display settings do not). */
  restarts: boolean;
  /** The panel's label. */
  label: string;
  /** One line for --help and the panel's tooltip. */
  help: string;
}

const preset = SETTINGS[DEFAULT_PRESET];

/** The speed control: positive steps per frame, or `max` (0, as fast as the device allows). */
const speedCodec: Codec<number> = (() => {
  const positive = SPEEDS.filter((s) => s > 0);
  const steps = oneOf<number>(positive, Number, `one of ${positive.join(', ')} or max`);
  return {
    read: (raw) => (raw === 'max' ? { value: 0 } : steps.read(raw)),
    check: (v) => (v === 0 ? null : steps.check(v)),
    write: (v) => (v === 0 ? 'max' : String(v)),
    allowed: steps.allowed,
    placeholder: `${positive.join('|')}|max`,
  };
})();

/** One row per PageSettings field, in URL order (links list their keys in this order). */
export const PAGE_SCHEMA: { readonly [K in keyof PageSettings]: SettingRow<PageSettings[K]> } = {
  variants: {
    codec: listOf(VARIANT_NAMES, false),
    url: 'variants',
    cli: 'variants',
    default: ['sn', 'wn', 'none'],
    restarts: true,
    label: 'Discriminator variants',
    help: 'discriminator variants trained side by side on the same data and noise',
  },
  data: {
    codec: oneOf(DATA_NAMES),
    url: 'data',
    cli: 'data',
    default: 'ring8',
    cliDefault: (s) => (s.model === 'cnn' ? 'mnist' : 'ring8'),
    cliDefaultNote: 'ring8; mnist with --model cnn',
    restarts: true,
    label: 'Data',
    help: 'training data: a 2-D mixture (MLP) or MNIST digits (CNN)',
  },
  mlpWidth: {
    codec: oneOf(MLP_WIDTHS, Number),
    url: 'width',
    // The CLI's --width has always been the CNN's width multiplier (README), so the MLP's is --mlp-width.
    cli: 'mlp-width',
    default: 64,
    restarts: true,
    label: 'MLP width',
    help: 'hidden units per layer of the 2-D MLPs (G and D alike)',
  },
  mlpDepth: {
    codec: integer(MLP_DEPTHS[0], MLP_DEPTHS[MLP_DEPTHS.length - 1]),
    url: 'depth',
    cli: 'depth',
    default: 2,
    restarts: true,
    label: 'Hidden layers',
    help: 'hidden layers of the 2-D MLPs',
  },
  noiseDim: {
    codec: integer(1, 64),
    url: 'z',
    cli: 'z',
    default: 2,
    restarts: true,
    label: 'Noise dim z',
    help: 'noise dimension of the 2-D generator (the CNN uses 128)',
  },
  cnnWidth: {
    codec: fraction(CNN_WIDTHS),
    url: 'cnn',
    cli: 'width',
    default: 0.25,
    restarts: true,
    label: 'CNN width',
    help: 'width multiplier of the paper’s CNN (Table 3; 1 is the paper’s network)',
  },
  loss: {
    codec: oneOf(LOSS_NAMES),
    url: 'loss',
    cli: 'loss',
    default: 'standard',
    restarts: true,
    label: 'Loss',
    help: 'GAN loss: standard (non-saturating), hinge or Wasserstein',
  },
  lr: {
    // No upper bound: a huge rate is how a run is made to diverge on purpose (the trainer's tests do).
    codec: decimal(0, Infinity, true),
    url: 'lr',
    cli: 'lr',
    default: preset.lr,
    restarts: true,
    label: 'α (learning rate)',
    help: 'Adam learning rate α (default: the preset’s)',
  },
  beta1: {
    codec: decimal(0, 0.9999),
    url: 'b1',
    cli: 'b1',
    default: preset.beta1,
    restarts: true,
    label: 'β1',
    help: 'Adam β1 (default: the preset’s)',
  },
  beta2: {
    codec: decimal(0, 0.99999),
    url: 'b2',
    cli: 'b2',
    default: preset.beta2,
    restarts: true,
    label: 'β2',
    help: 'Adam β2 (default: the preset’s)',
  },
  nDis: {
    codec: integer(1, 20),
    url: 'ndis',
    cli: 'ndis',
    default: preset.nDis,
    restarts: true,
    label: 'n_dis',
    help: 'discriminator updates per generator update (default: the preset’s)',
  },
  batch: {
    codec: integer(1, 1024),
    url: 'batch',
    cli: 'batch',
    default: 128,
    imageDefault: 64,
    restarts: true,
    label: 'Batch size',
    help: `minibatch size (images: 64 by default; the page takes at most ${PAGE_IMAGE_BATCH_MAX})`,
  },
  snRounds: {
    codec: integer(1, 20),
    url: 'ip',
    cli: 'ip',
    default: 1,
    restarts: true,
    label: 'SN: Ip',
    help: 'power-iteration rounds per D update (paper: 1)',
  },
  snWarmup: {
    codec: integer(0, 100),
    url: 'warmup',
    cli: 'warmup',
    default: 0,
    restarts: true,
    label: 'SN: warm-up',
    help: 'extra power-iteration rounds when ũ is created (PyTorch: 15)',
  },
  clip: {
    codec: decimal(0, 10, true),
    url: 'clip',
    cli: 'clip',
    default: 0.01,
    restarts: true,
    label: 'Clip bound c',
    help: 'weight clipping: W and b clamped to ±c after each D update (default: the WGAN paper’s bound)',
  },
  orthoBeta: {
    codec: decimal(0, 10),
    url: 'beta',
    cli: 'beta',
    default: 1e-4,
    restarts: true,
    label: 'Ortho β',
    help: 'orthonormal regularization strength: loss + β‖WᵀW − I‖²_F per D layer',
  },
  gpLambda: {
    codec: decimal(0, 1000),
    url: 'gp',
    cli: 'gp',
    default: 10,
    restarts: true,
    label: 'GP λ',
    help: 'gradient penalty weight: loss + λ(‖∇ₓD‖ − 1)² at interpolates',
  },
  seed: {
    codec: integer(0, 2 ** 31 - 1),
    url: 'seed',
    cli: 'seed',
    default: 1,
    restarts: true,
    label: 'Seed',
    help: 'initialization, noise and data order (the same seed repeats a run)',
  },
  statsEvery: {
    codec: integer(1, 1000),
    url: 'stats',
    cli: 'stats-every',
    // The page draws live charts, so it reads statistics often; the headless CLI reads them less
    // often because its speed and the size of its JSON (one metrics row per variant per read)
    // depend on it.
    default: 10,
    cliDefault: CLI_STATS_EVERY,
    restarts: true,
    label: 'Stats every',
    help: 'steps between statistics read-backs (losses, σ, coverage or scores)',
  },
  spectraEvery: {
    codec: integer(0, 100000),
    url: 'spectra',
    cli: 'spectra-every',
    // Exact spectra are costly: the page computes them in a worker every 10 reads of its frequent
    // statistics; the CLI likewise every 10 statistics intervals, whatever --stats-every is.
    default: 100,
    cliDefault: (s) => 10 * (s.statsEvery ?? CLI_STATS_EVERY),
    cliDefaultNote: `10 × --stats-every (${10 * CLI_STATS_EVERY})`,
    restarts: true,
    label: 'Spectra every',
    help: 'steps between exact SVDs of every D layer, on statistics steps (0: never)',
  },
  speed: {
    codec: speedCodec,
    url: 'speed',
    default: 5,
    restarts: false,
    label: 'Speed',
    help: 'training steps per animation frame (max: as fast as the device allows)',
  },
  arrows: {
    codec: onOff,
    url: 'arrows',
    default: false,
    restarts: false,
    label: 'Gradient arrows ∇ₓD on generated points',
    help: 'draw ∇ₓD at generated points',
  },
  heatmap: {
    codec: onOff,
    url: 'heatmap',
    default: true,
    restarts: false,
    label: 'D heatmap behind the points',
    help: 'draw the discriminator’s output behind the points',
  },
  autoplay: {
    codec: onOff,
    url: 'play',
    default: false,
    restarts: false,
    label: 'Start at once',
    help: 'start training as soon as the page is ready',
  },
  hidden: {
    codec: listOf(CONTROL_GROUPS, true),
    url: 'hide',
    default: [],
    restarts: false,
    label: 'Hidden controls',
    help: 'control groups a shared link hides (for class)',
  },
};

/** The preset (`set=` on the page, `--settings` in the CLI) and the CLI's own settings. */
export const EXTRA_SCHEMA: { readonly [K in keyof ExtraSettings]: SettingRow<ExtraSettings[K]> } = {
  preset: {
    codec: oneOf(SETTING_NAMES, (raw) => raw.toUpperCase(), 'one of A–F (the paper’s Table 1)'),
    url: 'set',
    cli: 'settings',
    default: DEFAULT_PRESET,
    restarts: true,
    label: 'Paper setting',
    help: 'Adam preset from the paper’s Table 1 (α, β1, β2, n_dis); single values override it',
  },
  model: {
    codec: oneOf(['mlp2d', 'cnn'] as const),
    cli: 'model',
    default: 'mlp2d',
    restarts: true,
    label: 'Model',
    help: 'the 2-D MLPs or the paper’s CNN (on the page, the data decides)',
  },
  steps: {
    codec: integer(1, Infinity),
    cli: 'steps',
    default: 5000,
    restarts: true,
    label: 'Steps',
    help: 'generator updates to train',
  },
  evalSamples: {
    codec: integer(1, 100000),
    cli: 'eval-samples',
    default: 2500,
    // The page scores the digits of every capture with the classifier (in a worker, ~0.7 s for 256),
    // so it takes a smaller set than 2-D points need; the CLI scores 100 digits per read, as its JSON has always reported.
    imageDefault: 256,
    cliImageDefault: 100,
    restarts: true,
    label: 'Evaluation samples',
    help: 'generated samples scored on statistics steps (mode coverage, IS and FID)',
  },
  backend: {
    codec: oneOf(['webgpu', 'cpu'] as const),
    cli: 'backend',
    default: 'webgpu',
    restarts: true,
    label: 'Backend',
    help: 'WebGPU through Dawn, or the float64 CPU backend',
  },
  out: {
    codec: text,
    cli: 'out',
    default: '',
    restarts: false,
    label: 'Output',
    help: 'write the run (config, metrics, samples, every D layer) as JSON to this path',
  },
  framesEvery: {
    codec: integer(0, Infinity),
    cli: 'frames-every',
    default: 0,
    restarts: false,
    label: 'Frames every',
    help: 'with --out: every this many steps (a multiple of --stats-every; 0: never) record 16 digits or 512 points per variant for the page’s recorded-run player',
  },
  noWeights: {
    codec: presence,
    cli: 'no-weights',
    default: false,
    restarts: false,
    label: 'No weights',
    help: 'with --out: leave out every D layer (W, W̄, ũ: megabytes for the CNN; npm run spectra needs them), e.g. for a recording the page downloads',
  },
  quiet: {
    codec: presence,
    cli: 'quiet',
    default: false,
    restarts: false,
    label: 'Quiet',
    help: 'no progress bar',
  },
  help: {
    codec: presence,
    cli: 'help',
    default: false,
    restarts: false,
    label: 'Help',
    help: 'print this help',
  },
};

type AnyRow = SettingRow<unknown>;
export type PageField = keyof PageSettings;
export type CliField = keyof CliSettings;

/** Every row of the table, page fields first, with the field it fills. */
export const ALL_ROWS: readonly { field: CliField | PageField; row: AnyRow }[] = [
  ...Object.entries(PAGE_SCHEMA),
  ...Object.entries(EXTRA_SCHEMA),
].map(([field, row]) => ({ field: field as CliField | PageField, row: row as AnyRow }));

export const pageRow = (field: PageField): AnyRow => PAGE_SCHEMA[field] as AnyRow;

export function rowOf(field: CliField | PageField): AnyRow {
  const found = ALL_ROWS.find((r) => r.field === field);
  if (!found) throw new Error(`${field} has no row in the settings table`);
  return found.row;
}

const copy = <V>(v: V): V => (Array.isArray(v) ? ([...v] as V) : v);

/** The page's default for a field, or the CLI's, for 2-D data or images. */
export function defaultOf(
  field: CliField | PageField,
  surface: 'page' | 'cli',
  images = false,
  chosen: Partial<CliSettings> = {},
): unknown {
  const row = rowOf(field);
  if (surface === 'cli') {
    if (images && row.cliImageDefault !== undefined) return copy(row.cliImageDefault);
    if (images && row.imageDefault !== undefined) return copy(row.imageDefault);
    if (row.cliDefault !== undefined)
      return copy(typeof row.cliDefault === 'function' ? row.cliDefault(chosen) : row.cliDefault);
    return copy(row.default);
  }
  return copy(images && row.imageDefault !== undefined ? row.imageDefault : row.default);
}

/** The page's defaults, every one from the table. */
export function pageDefaults(): PageSettings {
  return Object.fromEntries(
    Object.entries(PAGE_SCHEMA).map(([field, row]) => [field, copy((row as AnyRow).default)]),
  ) as unknown as PageSettings;
}

/** The fields whose change starts a new run (the session compares them). */
export const RUN_FIELDS: readonly PageField[] = (Object.keys(PAGE_SCHEMA) as PageField[]).filter(
  (f) => PAGE_SCHEMA[f].restarts,
);

/** The name a problem is reported under: the URL key (or the CLI flag for CLI-only settings). */
export const keyOf = (field: CliField | PageField): string => {
  const row = rowOf(field);
  return row.url ?? row.cli ?? field;
};

/** Why `value` is not accepted for `field` (the same words on every surface), or null. */
export function problemWith(field: CliField | PageField, value: unknown): string | null {
  return rowOf(field).codec.check(value);
}

/** A refused value as the page's notice says it: `batch=abc must be …; using the default (128).` */
export function noticeMessage(key: string, given: string, reason: string, fallback: string): string {
  return `${key}=${given} ${reason}; using ${fallback}.`;
}

/** Reads one page field from text (a URL value or a typed control). */
export function readPageField(field: PageField, raw: string): { value: unknown } | { error: string } {
  const row = PAGE_SCHEMA[field] as AnyRow | undefined;
  return row ? row.codec.read(raw) : { error: 'is not a setting' };
}

/** Writes one page field as the URL holds it. */
export function writePageField(field: PageField, value: unknown): string {
  return (PAGE_SCHEMA[field].codec as Codec<unknown>).write(value);
}

/** Any value as text, even one String() refuses (an object without a prototype, a symbol's description). */
export function textOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A value as a notice shows it: written as the URL would write it, whatever it is. */
export function shownValue(field: CliField | PageField, value: unknown): string {
  try {
    return rowOf(field).codec.write(value);
  } catch {
    return textOf(value);
  }
}

/** Recorded frames come from statistics captures, so their interval must be a multiple of it. */
export function framesEveryProblem(framesEvery: number, statsEvery: number): string | null {
  return framesEvery % statsEvery === 0
    ? null
    : `--frames-every must be a multiple of --stats-every (${statsEvery}) (got ${framesEvery})`;
}

/** Model and data must go together: the CNN trains on digits, the MLPs on 2-D points. */
export function modelDataProblem(model: 'mlp2d' | 'cnn', data: string): string | null {
  if (model === 'cnn' && data !== 'mnist') return `the CNN trains on images: data must be mnist (got ${data})`;
  if (model === 'mlp2d' && data === 'mnist') return 'mnist needs the CNN model (--model cnn on the command line)';
  return null;
}
