/**
 * `npm run audit:prod`: audits the dependencies the built page ships. Exit 0 when clean, 1 with the
 * findings, 2 when no audit could be made (with the reason).
 */
import { auditProduction } from './audit-report';

const verdict = auditProduction();
if (verdict.kind === 'clean') {
  console.log(`npm audit --omit=dev: no known vulnerabilities (${verdict.dependencies} production dependencies)`);
} else if (verdict.kind === 'vulnerable') {
  console.error(`npm audit --omit=dev found:\n  ${verdict.findings.join('\n  ')}`);
  process.exit(1);
} else {
  console.error(`npm audit --omit=dev could not run: ${verdict.reason}`);
  process.exit(2);
}
