/**
 * The human form of the controller status (R-GIT-4) prints what comes from the repository and
 * the reconcile — source, revisions, errors, warnings, condition messages, jobnet names and the
 * diagnostics of a stalled revision — with control characters escaped, one line per entry.
 */
import { describe, expect, it } from 'vitest';
import { diagnostic } from '../../controller/definitions/diagnostics.js';
import { initialStatus, type ControllerStatus } from '../../controller/reconcile/controller-status.js';
import { renderControllerStatus } from '../../controller/reconcile/render-status.js';

describe('renderControllerStatus', () => {
  it('escapes control characters in every value, so none forges a line or drives the terminal', () => {
    const status: ControllerStatus = {
      ...initialStatus(
        'git https://example.test/defs.git\u001b[2J',
        'jobnet',
        'prod\rstaging',
        new Date('2027-01-10T00:00:00Z'),
      ),
      attemptedRevision: 'abc\ndef',
      lastError: 'fetch failed: remote said \u001b[31mnope\u009b2J',
      warnings: [
        { project: 'sales', name: 'daily', code: 'RUN-KEEPS-REVISION', message: 'run open\nwarning:    forged' },
      ],
      jobnets: [
        {
          project: 'sales',
          jobnet: 'daily\u001b[K',
          sync: 'Synced',
          health: 'Healthy',
          status: 'waiting',
          revision: 'abc',
        },
      ],
      diagnostics: [
        diagnostic('SCHEMA-UNKNOWN-FIELD', 'unknown field "a\u001b[2J\rb"', {
          file: 'evil.yaml\nerror forged.yaml',
          line: 1,
          column: 1,
        }),
      ],
    };
    const text = renderControllerStatus(status);
    expect([...text].filter((c) => (c < ' ' && c !== '\n') || (c >= '\u007f' && c <= '\u009f'))).toEqual([]);
    const lines = text.split('\n');
    expect(lines).toContain('source:     git https://example.test/defs.git\\x1b[2J');
    expect(lines).toContain('task queue: jobnet   environment: prod\\rstaging');
    expect(lines).toContain('last error: fetch failed: remote said \\x1b[31mnope\\x9b2J');
    expect(lines).toContain('warning:    sales/daily: run open\\nwarning:    forged');
    expect(lines).toContain('DIAGNOSTICS of revision abc\\ndef');
    expect(lines).toContain(
      'evil.yaml\\nerror forged.yaml:1:1: error SCHEMA-UNKNOWN-FIELD: unknown field "a\\x1b[2J\\rb"',
    );
    expect(lines.some((line) => line.startsWith('sales/daily\\x1b[K  Synced'))).toBe(true);
    expect(lines.filter((line) => /^(def|warning: {4}forged|error forged)/.test(line))).toEqual([]);
  });
});
