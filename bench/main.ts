/**
 * Benchmark runner: `npm run bench -- [name…] [--json]` (no name: every benchmark).
 *
 * Acquires a WebGPU device through Dawn (src/node/webgpu-node.ts), prints the adapter, runs the
 * named benchmarks in order and prints each one's figures as a table. With --json the tables go to
 * stderr and stdout carries exactly one JSON document (adapter, features, every benchmark's rows).
 * Each benchmark scales itself down on a software adapter (SwiftShader) and says so in its notes.
 */
import { describeAdapter, type GpuContext } from '../src/gpu/device';
import { acquireNodeGpu } from '../src/node/webgpu-node';
import { benchDispatches } from './dispatches';
import { benchMatmul } from './matmul';
import { benchPage } from './page';
import { benchSpectra } from './spectra';
import { benchCnn, benchTrain } from './train';

export type Cell = string | number | boolean | null;

/** What a benchmark returns: one table, plus notes on how it was measured. */
export interface BenchReport {
  title: string;
  /** Column keys in display order; every row has a value (or null) for each. */
  columns: string[];
  rows: Array<Record<string, Cell>>;
  notes: string[];
}

export interface BenchEnv {
  ctx: GpuContext;
  /** True on SwiftShader and other software adapters: run few repetitions on small shapes. */
  software: boolean;
  /** Progress lines (stderr, so they never mix with --json output). */
  log(line: string): void;
}

export type Benchmark = (env: BenchEnv) => Promise<BenchReport>;

/** Registry: name → benchmark. Add new benchmarks here. */
export const BENCHMARKS: Record<string, Benchmark> = {
  matmul: benchMatmul,
  train: benchTrain,
  cnn: benchCnn,
  spectra: benchSpectra,
  page: benchPage,
  dispatches: benchDispatches,
  // Builds the site and drives headless Chromium without WebGPU (the device above goes unused).
  'page-cpu': async (env) => (await import('./page-cpu')).benchPageCpu(env),
  // TF.js loads only for this one (a devDependency of the bench, large, and not ours to time otherwise).
  peers: async (env) => (await import('./peers')).benchPeers(env),
};

function formatCell(value: Cell): string {
  if (value === null) return '—';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    const abs = Math.abs(value);
    return abs >= 100 ? value.toFixed(0) : abs >= 1 ? value.toFixed(2) : value.toPrecision(3);
  }
  return String(value);
}

export function formatTable(report: BenchReport): string {
  const cells = report.rows.map((row) => report.columns.map((c) => formatCell(row[c] ?? null)));
  const widths = report.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  // Numbers right-aligned, text left-aligned (judged by the first row's value).
  const numeric = report.columns.map((c) => typeof report.rows[0]?.[c] === 'number');
  const line = (values: string[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ');
  return [
    `## ${report.title}`,
    line(report.columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    ...report.notes.map((n) => `* ${n}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${Object.keys(BENCHMARKS).join(', ')}`);
    return 2;
  }
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
  // With --json, stdout holds only the JSON document.
  const print = json ? (s: string) => console.error(s) : (s: string) => console.log(s);
  const log = (s: string) => console.error(s);

  const errors: string[] = [];
  const ctx = await acquireNodeGpu({
    label: 'bench.device',
    onUncapturedError: (error) => {
      errors.push(error.message);
      log(`[webgpu] ${error.message}`);
    },
  });
  const software = ctx.adapter.isSoftware;
  print(`adapter: ${describeAdapter(ctx.adapter)}`);
  print(`features: timestamp-query ${ctx.features.timestampQuery}, subgroups ${ctx.features.subgroups}`);
  print(`kernel tuning: ${ctx.tuning.profile} profile (src/gpu/tuning.ts; SNGAN_KERNEL_PROFILE overrides it)`);
  if (software) print('software adapter: benchmarks run reduced sizes and repetitions (see each table’s notes)');

  const reports: Record<string, BenchReport> = {};
  for (const name of selected) {
    log(`running ${name}…`);
    const report = await BENCHMARKS[name]({ ctx, software, log });
    reports[name] = report;
    print('');
    print(formatTable(report));
  }
  if (json) {
    const doc = {
      adapter: { ...ctx.adapter, name: describeAdapter(ctx.adapter) },
      features: ctx.features,
      tuning: ctx.tuning,
      date: new Date().toISOString(),
      uncapturedErrors: errors,
      benchmarks: reports,
    };
    console.log(JSON.stringify(doc, null, 2));
  }
  ctx.buffers.destroyAll();
  ctx.device.destroy();
  return errors.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
