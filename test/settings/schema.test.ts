import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args';
import { CLI_OPTIONS, cliSettings, configFromArgs, usage } from '../../src/cli/options';
import {
  defaultConfig,
  DEFAULT_CNN,
  DEFAULT_MLP,
  SETTINGS,
  validateConfig,
  type TrainerConfig,
} from '../../src/gan/config';
import { validateSettings } from '../../src/settings/page-record';
import {
  ALL_ROWS,
  EXTRA_SCHEMA,
  PAGE_SCHEMA,
  problemWith,
  writePageField,
  type CliField,
  type PageField,
} from '../../src/settings/schema';
import { DEFAULT_SETTINGS, RUN_KEYS } from '../../src/ui/state/settings';
import { parseSettings, readSetting } from '../../src/ui/state/url-state';

const cli = (...argv: string[]) => cliSettings(parseArgs(argv, CLI_OPTIONS));

/** A trainable configuration with one value replaced, as the CLI or the page would build it. */
function configWith(field: PageField, value: unknown): TrainerConfig {
  const c = defaultConfig();
  const adam = { lr: 'lr', beta1: 'beta1', beta2: 'beta2', nDis: 'nDis' } as const;
  if (field in adam) return { ...c, adam: { ...c.adam, [field]: value } };
  if (field === 'cnnWidth') return { ...c, data: 'mnist', model: { ...DEFAULT_CNN, width: value as number } };
  if (field === 'noiseDim') return { ...c, model: { ...DEFAULT_MLP, noiseDim: value as number } };
  return { ...c, [field]: value };
}

/**
 * Bad values and the reason the table gives for them, written out here on purpose: a range changed
 * in the table shows up as a failure, to be confirmed in this list.
 */
const BAD: { field: PageField; raw: string; value: unknown; reason: string }[] = [
  { field: 'batch', raw: '2000', value: 2000, reason: 'must be an integer from 1 to 1024' },
  { field: 'lr', raw: '0', value: 0, reason: 'must be a number above 0' },
  { field: 'lr', raw: 'Infinity', value: Infinity, reason: 'must be a number above 0' },
  { field: 'beta1', raw: '1', value: 1, reason: 'must be a number from 0 to 0.9999' },
  { field: 'nDis', raw: '21', value: 21, reason: 'must be an integer from 1 to 20' },
  { field: 'snRounds', raw: '50', value: 50, reason: 'must be an integer from 1 to 20' },
  { field: 'snWarmup', raw: '101', value: 101, reason: 'must be an integer from 0 to 100' },
  { field: 'clip', raw: '-1', value: -1, reason: 'must be a number above 0 up to 10' },
  { field: 'gpLambda', raw: '-2', value: -2, reason: 'must be a number from 0 to 1000' },
  { field: 'seed', raw: '2.5', value: 2.5, reason: 'must be an integer from 0 to 2147483647' },
  { field: 'statsEvery', raw: '0', value: 0, reason: 'must be an integer from 1 to 1000' },
  { field: 'spectraEvery', raw: '-1', value: -1, reason: 'must be an integer from 0 to 100000' },
  { field: 'noiseDim', raw: '65', value: 65, reason: 'must be an integer from 1 to 64' },
  { field: 'cnnWidth', raw: '1/3', value: 1 / 3, reason: 'must be 1/8, 1/4, 1/2 or 1' },
  { field: 'loss', raw: 'l2', value: 'l2', reason: 'must be one of standard, hinge, wgan' },
  {
    field: 'variants',
    raw: 'sn,bogus',
    value: ['sn', 'bogus'],
    reason: 'unknown bogus (choose from sn, wn, none, clip, orthonormal, wgan-gp)',
  },
  { field: 'variants', raw: 'sn,sn', value: ['sn', 'sn'], reason: 'lists an entry twice' },
];

describe('the settings table', () => {
  it('refuses a bad value in the same words in the URL, the panel, the CLI, validateConfig and a lesson record', () => {
    for (const { field, raw, value, reason } of BAD) {
      const row = PAGE_SCHEMA[field];
      expect(problemWith(field, value), field).toBe(reason);
      // Page: the URL's notice, and the error next to a typed control.
      const url = parseSettings(`?${row.url}=${raw}`);
      const fallback = writePageField(field, DEFAULT_SETTINGS[field]);
      const notice = `${row.url}=${raw} ${reason}; using the default (${fallback}).`;
      expect(url.notices.map((n) => n.message)).toEqual([notice]);
      expect(readSetting(field, raw)).toEqual({ error: reason });
      // A lesson's partial record says it exactly as a link does.
      expect(validateSettings({ [field]: value }).notices.map((n) => n.message)).toEqual([notice]);
      // CLI and the trainer's own check.
      expect(() => cli(`--${row.cli}`, raw), field).toThrow(`--${row.cli} ${reason} (got ${raw})`);
      expect(() => validateConfig(configWith(field, value)), field).toThrow(`${row.url} ${reason} (got ${raw})`);
    }
  });

  it('gives the defaults of the page, the CLI and defaultConfig, differing only where a row says so', () => {
    for (const field of Object.keys(PAGE_SCHEMA) as PageField[])
      expect(DEFAULT_SETTINGS[field], field).toEqual(PAGE_SCHEMA[field].default);
    // Statistics: live charts on the page, a lighter JSON from the CLI; spectra every 10 reads on both.
    expect(PAGE_SCHEMA.statsEvery).toMatchObject({ default: 10, cliDefault: 50 });
    expect(DEFAULT_SETTINGS).toMatchObject({
      statsEvery: 10,
      spectraEvery: 100,
      clip: 0.01,
      batch: 128,
      ...SETTINGS.C,
    });
    const headless = cli();
    const config = defaultConfig();
    expect(config).toMatchObject({
      statsEvery: 50,
      spectraEvery: 500,
      clip: PAGE_SCHEMA.clip.default,
      evalSamples: 2500,
    });
    expect(configFromArgs(new Map()).config).toEqual(config);
    expect(headless).toMatchObject({
      statsEvery: 50,
      spectraEvery: 500,
      steps: 5000,
      backend: 'webgpu',
      model: 'mlp2d',
    });
    for (const field of Object.keys(PAGE_SCHEMA) as PageField[]) {
      const row = PAGE_SCHEMA[field];
      if (row.cli === undefined || row.cliDefault !== undefined) continue;
      expect(headless[field as CliField & PageField], field).toEqual(row.default);
    }
    // Defaults that follow other flags: images, the preset, the statistics interval.
    expect(cli('--model', 'cnn')).toMatchObject({ data: 'mnist', batch: 64, evalSamples: 100 });
    expect(cli('--settings', 'e', '--lr', '0.003')).toMatchObject({ ...SETTINGS.E, lr: 0.003 });
    expect(cli('--stats-every', '7').spectraEvery).toBe(70);
    expect(RUN_KEYS).not.toContain('speed');
    expect(RUN_KEYS).toContain('statsEvery');
  });

  it('has a row for every page setting, every URL key of existing links and every CLI flag', () => {
    expect(Object.keys(PAGE_SCHEMA)).toEqual(Object.keys(DEFAULT_SETTINGS));
    const urlKeys = ALL_ROWS.map((r) => r.row.url).filter((k) => k !== undefined);
    // Links in the wild use exactly these keys.
    expect(new Set(urlKeys)).toEqual(
      new Set(
        'variants data pts width depth z cnn loss lr b1 b2 ndis batch ip warmup clip beta gp seed stats spectra speed arrows heatmap play hide set'.split(
          ' ',
        ),
      ),
    );
    expect(new Set(urlKeys).size).toBe(urlKeys.length);
    const flags = ALL_ROWS.map((r) => r.row.cli).filter((k) => k !== undefined);
    expect(new Set(flags).size).toBe(flags.length);
    expect(Object.keys(CLI_OPTIONS).sort()).toEqual([...flags].sort());
    // Every flag the README documents is known, and --help describes every flag with its row's help.
    const readme = readFileSync('README.md', 'utf8');
    const documented = new Set(
      [...readme.matchAll(/npm run train -- [^`]*/g)].flatMap((m) =>
        [...m[0].matchAll(/--([a-z-]+)/g)].map((f) => f[1]),
      ),
    );
    expect(documented.size).toBeGreaterThan(8);
    for (const flag of documented) expect(CLI_OPTIONS, flag).toHaveProperty(flag);
    const help = usage();
    for (const { row } of ALL_ROWS.filter((r) => r.row.cli)) {
      expect(help).toContain(`--${row.cli}`);
      expect(help).toContain(row.help);
    }
    for (const row of [...Object.values(PAGE_SCHEMA), ...Object.values(EXTRA_SCHEMA)])
      expect(row.help.length, row.label).toBeGreaterThan(5);
  });

  it('validates a partial record (a lesson scene): valid values applied, the preset first, bad ones reported', () => {
    const ok = validateSettings({ preset: 'E', data: 'grid25', variants: ['sn', 'clip'], nDis: 2, speed: 0 });
    expect(ok.notices).toEqual([]);
    expect(ok.settings).toEqual({
      ...DEFAULT_SETTINGS,
      ...SETTINGS.E,
      data: 'grid25',
      variants: ['sn', 'clip'],
      nDis: 2,
      speed: 0,
    });
    const bad = validateSettings({ preset: 'Q', data: 'mnist', batch: 512, bogus: 1 } as never);
    expect(bad.settings).toMatchObject({ data: 'mnist', batch: 64, lr: DEFAULT_SETTINGS.lr });
    expect(bad.notices.map((n) => n.key)).toEqual(['set', 'bogus', 'batch']);
    expect(bad.notices[0].message).toBe('set=Q must be one of A–F (the paper’s Table 1); using the default values.');
    // The same image-batch rule as a link.
    expect(bad.notices[2].message).toBe(parseSettings('?data=mnist&batch=512').notices[0].message);
  });
});
