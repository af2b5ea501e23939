/**
 * The headless trainer's options, all read from the settings table: the flags it knows, its
 * --help, and the run a command line describes. A refused value reads as on the page:
 * `--batch must be an integer from 1 to 1024 (got abc)`. No Node or GPU here, so tests import it.
 */
import { SETTINGS, type TrainerConfig } from '../gan/config';
import { presence } from '../settings/codecs';
import {
  ALL_ROWS,
  defaultOf,
  EXTRA_SCHEMA,
  framesEveryProblem,
  modelDataProblem,
  type CliField,
  type CliSettings,
  type SettingRow,
} from '../settings/schema';
import { toTrainerConfig } from '../settings/trainer-config';

/** The CLI's own settings first (model, preset, steps, …), then the training settings in table order. */
const CLI_ROWS = [
  ...ALL_ROWS.filter((r) => r.field in EXTRA_SCHEMA),
  ...ALL_ROWS.filter((r) => !(r.field in EXTRA_SCHEMA)),
].filter((r) => r.row.cli !== undefined) as { field: CliField; row: SettingRow<unknown> }[];
/** The Adam fields a preset (--settings) fills in unless given on their own. */
const PRESET_FIELDS = ['lr', 'beta1', 'beta2', 'nDis'] as const;

/** Every flag the CLI knows, and whether it takes a value. */
export const CLI_OPTIONS: Record<string, 'value' | 'flag'> = Object.fromEntries(
  CLI_ROWS.map(({ row }) => [row.cli!, row.codec === presence ? 'flag' : 'value']),
);

/** A refused command-line value, in the table's words. */
export const cliProblem = (flag: string, reason: string, given: string): string => `--${flag} ${reason} (got ${given})`;

function defaultText(field: CliField, row: SettingRow<unknown>): string {
  if (row.cliDefaultNote !== undefined) return row.cliDefaultNote;
  if (field === 'out') return 'none';
  const plain = row.codec.write(defaultOf(field, 'cli', false));
  const images = row.codec.write(defaultOf(field, 'cli', true));
  return images === plain ? plain : `${plain}; ${images} with --model cnn`;
}

/** --help: one line per flag, from the table. */
export function usage(): string {
  const lines = CLI_ROWS.map(({ field, row }) => {
    const flag = `  --${row.cli}${row.codec.placeholder ? ` ${row.codec.placeholder}` : ''}`;
    const detail = row.codec.placeholder
      ? `\n${' '.repeat(6)}${row.codec.allowed}; default ${defaultText(field, row)}`
      : '';
    return `${flag.padEnd(32)} ${row.help}${detail}`;
  });
  return ['usage: npm run train -- [options]', ...lines].join('\n');
}

/** The settings a command line gives, each checked by its row; throws on the first refused one. */
export function cliSettings(args: Map<string, string>): CliSettings {
  const chosen: Partial<Record<CliField, unknown>> = {};
  for (const { field, row } of CLI_ROWS) {
    const raw = args.get(row.cli!);
    if (raw === undefined) continue;
    const read = row.codec.read(raw);
    if ('error' in read) throw new Error(cliProblem(row.cli!, read.error, raw));
    chosen[field] = read.value;
  }
  const given = chosen as Partial<CliSettings>;
  const model = given.model ?? EXTRA_SCHEMA.model.default;
  const preset = SETTINGS[given.preset ?? EXTRA_SCHEMA.preset.default];
  const settings: Record<string, unknown> = {};
  for (const { field } of CLI_ROWS) {
    if (field in chosen) settings[field] = chosen[field];
    else if ((PRESET_FIELDS as readonly string[]).includes(field)) settings[field] = preset[field as 'lr'];
    else settings[field] = defaultOf(field, 'cli', model === 'cnn', { ...given, model });
  }
  const s = settings as unknown as CliSettings;
  const mismatch = modelDataProblem(s.model, s.data);
  if (mismatch !== null) throw new Error(mismatch);
  const frames = framesEveryProblem(s.framesEvery, s.statsEvery);
  if (frames !== null) throw new Error(frames);
  return s;
}

/** The run a command line describes. Variants train in the order given. */
export function configFromArgs(args: Map<string, string>): { config: TrainerConfig; steps: number } {
  const s = cliSettings(args);
  return { config: toTrainerConfig(s, s.evalSamples), steps: s.steps };
}
