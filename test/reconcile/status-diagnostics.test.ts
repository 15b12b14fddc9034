/**
 * The diagnostics of a stalled revision as the controller status carries them (R-GIT-2, R-GIT-4):
 * with the code frame of `jobnet validate` for the first few, never a line that holds a literal
 * secret (the status is stored in Temporal and served by the API), and `jobnet status` prints the
 * frame under its diagnostic.
 */
import { describe, expect, it } from 'vitest';
import { diagnostic } from '../../controller/definitions/diagnostics.js';
import { maxFrameLineLength } from '../../controller/definitions/render-diagnostics.js';
import {
  initialStatus,
  maxFramedDiagnostics,
  statusDiagnostics,
  withheldSecretLine,
} from '../../controller/reconcile/controller-status.js';
import { renderControllerStatus } from '../../controller/reconcile/render-status.js';

const file = 'projects/sales/jobnets/daily.yaml';
const text = ['kind: Jobnet', 'spec:', '  jobs:', '    a: {type: sleep, seconds: 0}', '    b: {after: [zz]}', ''].join(
  '\n',
);

describe('statusDiagnostics', () => {
  it('gives a diagnostic the lines around it with a caret under the column', () => {
    const [framed] = statusDiagnostics(
      [diagnostic('REF-JOB', 'no job zz', { file, line: 5, column: 17, endLine: 5, endColumn: 19 })],
      new Map([[file, text]]),
    );
    expect(framed?.frame).toEqual([
      '    3 |   jobs:',
      '    4 |     a: {type: sleep, seconds: 0}',
      '  > 5 |     b: {after: [zz]}',
      '      |                 ^^',
      '    6 | ',
    ]);
  });

  it('frames only the first diagnostics, cuts long lines, and leaves file-wide ones and unknown files alone', () => {
    const long = `x: ${'y'.repeat(5000)}`;
    const many = Array.from({ length: maxFramedDiagnostics + 5 }, (_, index) =>
      diagnostic('SCHEMA-UNKNOWN-FIELD', `field ${index}`, { file: 'long.yaml', line: 1, column: 4000 }),
    );
    const result = statusDiagnostics(
      [
        ...many,
        diagnostic('REPO-EMPTY', 'empty', { file: '.', line: 0, column: 0 }),
        diagnostic('REF-JOB', 'x', { file: 'gone.yaml', line: 1, column: 1 }),
      ],
      new Map([['long.yaml', long]]),
    );
    expect(result).toHaveLength(many.length + 2);
    expect(result.filter((d) => d.frame !== undefined)).toHaveLength(maxFramedDiagnostics);
    for (const d of result.slice(0, maxFramedDiagnostics))
      for (const line of d.frame ?? []) expect(line.length).toBeLessThan(maxFrameLineLength + 20);
    expect(result.at(-1)?.frame).toBeUndefined();
    expect(result.at(-2)?.frame).toBeUndefined();
  });

  it('never shows a line holding a literal secret, in its own frame or a neighbour’s', () => {
    const credentials = ['kind: Credential', 'spec:', '  password: hunter2-s3cr3t', '  user: ops', ''].join('\n');
    const result = statusDiagnostics(
      [
        diagnostic('CRED-LITERAL-SECRET', 'password is a secret', { file: 'cred.yaml', line: 3, column: 13 }),
        diagnostic('SCHEMA-UNKNOWN-FIELD', 'unknown field user', { file: 'cred.yaml', line: 4, column: 3 }),
      ],
      new Map([['cred.yaml', credentials]]),
    );
    const frames = JSON.stringify(result);
    expect(frames).not.toContain('hunter2');
    expect(result[0]?.frame?.[2]).toBe(`  > 3 | ${withheldSecretLine}`);
    expect(result[1]?.frame).toContain(`    3 | ${withheldSecretLine}`);
    expect(result[1]?.frame).toContain('  > 4 |   user: ops');
  });

  it('is printed by jobnet status under its diagnostic', () => {
    const status = {
      ...initialStatus('dir /defs', 'jobnet', undefined, new Date('2027-01-10T00:00:00Z')),
      attemptedRevision: 'abc',
      diagnostics: statusDiagnostics(
        [diagnostic('REF-JOB', 'no job zz', { file, line: 5, column: 17 })],
        new Map([[file, text]]),
      ),
    };
    const lines = renderControllerStatus(status).split('\n');
    const at = lines.indexOf(`${file}:5:17: error REF-JOB: no job zz`);
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '    3 |   jobs:',
      '    4 |     a: {type: sleep, seconds: 0}',
      '  > 5 |     b: {after: [zz]}',
      '      |                 ^',
    ]);
  });
});
