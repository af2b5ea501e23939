/**
 * `npm audit --omit=dev` for what the page ships (chart.js, katex, lit and their dependencies),
 * read into one of three verdicts. An audit that could not run (no registry, or a registry
 * without the audit endpoint) is neither clean nor failed: it says why, so no check passes
 * silently on an audit that never happened.
 */
import { spawnSync } from 'node:child_process';

export type AuditVerdict =
  | { kind: 'clean'; dependencies: number }
  | { kind: 'vulnerable'; findings: string[] }
  | { kind: 'unavailable'; reason: string };

interface AuditJson {
  vulnerabilities?: Record<string, { severity?: string; range?: string; via?: unknown[] }>;
  metadata?: { vulnerabilities?: Record<string, number>; dependencies?: Record<string, number> };
  message?: string;
  error?: { code?: string; summary?: string; detail?: string };
}

/** Reads `npm audit --json` output (an audit report, or npm's description of why there is none). */
export function auditVerdict(stdout: string, stderr = ''): AuditVerdict {
  let report: AuditJson;
  try {
    report = JSON.parse(stdout) as AuditJson;
  } catch {
    return { kind: 'unavailable', reason: firstLine(stderr) || 'npm audit printed no report' };
  }
  const counts = report.metadata?.vulnerabilities;
  if (!counts) {
    const why = [report.error?.code, report.message, report.error?.summary].filter((s) => s).join(': ');
    return { kind: 'unavailable', reason: why || firstLine(stderr) || 'npm audit returned no counts' };
  }
  const findings = Object.entries(report.vulnerabilities ?? {}).map(([name, v]) =>
    `${name} ${v.range ?? ''} (${v.severity ?? 'unknown severity'})`.replace('  ', ' '),
  );
  const total = counts.total ?? Object.values(counts).reduce((a, b) => a + b, 0);
  if (total > 0 || findings.length > 0)
    return { kind: 'vulnerable', findings: findings.length ? findings : [`${total} vulnerabilities`] };
  return { kind: 'clean', dependencies: report.metadata?.dependencies?.prod ?? 0 };
}

const firstLine = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.replace(/^npm (error|warn) /, '').trim())
    .find((l) => l.length > 0) ?? '';

/** Runs the audit of the production dependencies in `cwd` (the registry npm is configured for). */
export function auditProduction(cwd = process.cwd()): AuditVerdict {
  const result = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) return { kind: 'unavailable', reason: `npm could not run: ${result.error.message}` };
  return auditVerdict(result.stdout, result.stderr);
}
