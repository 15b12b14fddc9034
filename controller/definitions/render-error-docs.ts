/**
 * Renders docs/errors.md from the diagnostic-code registry, so the documented codes are
 * exactly the codes the validator can emit (a test fails when the page is stale).
 *
 * Pure: returns the Markdown.
 */
import { diagnosticCodes } from './diagnostic-codes.js';

export function renderErrorDocs(): string {
  const lines = [
    '# Diagnostic codes',
    '',
    '<!-- Generated from controller/definitions/diagnostic-codes.ts by `npm run gen:docs`. Do not edit. -->',
    '',
    'Every problem `jobnet validate` (and the controller, and `jobnet plan`) finds in a definitions',
    'repository is reported with one of these stable codes, a severity, a message and the place:',
    '`file:line:column` plus the JSON pointer of the field. Errors block an apply; warnings never do.',
    'Each code has at least one example under `test/fixtures/invalid/<CODE>/` with the diagnostics it',
    'produces next to it in `expected.json`.',
    '',
    '| Code | Severity | What it means | How to fix it | Rules |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [code, info] of Object.entries(diagnosticCodes)) {
    const rules = 'rules' in info ? info.rules.join(', ') : '';
    lines.push(`| \`${code}\` | ${info.severity} | ${escapeCell(info.title)} | ${escapeCell(info.fix)} | ${rules} |`);
  }
  lines.push('');
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
