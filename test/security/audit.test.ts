// The production dependencies pass `npm audit` (issue 14). The verdict is checked on reports with
// and without a finding, and on npm's answer when the registry has no audit endpoint; the real
// audit is skipped, with the reason printed, only when it could not run at all.
import { describe, expect, it } from 'vitest';
import { auditProduction, auditVerdict } from '../../tools/audit-report';

const report = (vulnerabilities: Record<string, unknown>, total: number) =>
  JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities,
    metadata: {
      vulnerabilities: { info: 0, low: 0, moderate: total, high: 0, critical: 0, total },
      dependencies: { prod: 7, dev: 300, total: 307 },
    },
  });

describe('npm audit of the production dependencies', () => {
  it('reads clean, vulnerable and unavailable audits apart', () => {
    expect(auditVerdict(report({}, 0))).toEqual({ kind: 'clean', dependencies: 7 });
    const bad = auditVerdict(report({ katex: { name: 'katex', severity: 'moderate', range: '<0.16.21' } }, 1));
    expect(bad).toEqual({ kind: 'vulnerable', findings: ['katex <0.16.21 (moderate)'] });
    // What npm prints when the registry (a mirror here) does not offer the audit endpoint.
    const refused = JSON.stringify({
      message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
      error: { summary: '', detail: '' },
    });
    expect(auditVerdict(refused)).toEqual({ kind: 'unavailable', reason: expect.stringMatching(/^405 Method/) });
    expect(auditVerdict('', 'npm error code ENOTFOUND\nnpm error network request failed')).toEqual({
      kind: 'unavailable',
      reason: 'code ENOTFOUND',
    });
  });

  it('finds no known vulnerability in what the page ships', (ctx) => {
    const verdict = auditProduction();
    if (verdict.kind === 'unavailable') {
      console.warn(`SKIPPED npm audit --omit=dev: it could not run (${verdict.reason})`);
      ctx.skip(`npm audit could not run: ${verdict.reason}`);
    }
    expect(verdict).toMatchObject({ kind: 'clean' });
  });
});
