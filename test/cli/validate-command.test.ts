/**
 * `jobnet validate` and `jobnet schema` as users run them: the real bin, real exit codes
 * (0 clean, 1 errors, 2 usage — R-OPS-7), and the three output formats (R-GIT-5).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJobnet, type CliResult } from './cli-process.js';

const root = path.join(import.meta.dirname, '..', '..');
const sixMistakes = 'test/fixtures/combined/six-mistakes';

async function jobnet(...args: string[]): Promise<CliResult> {
  return await runJobnet(args);
}

describe('jobnet validate', () => {
  it('exits 0 on the bundled examples and says there are no problems', async () => {
    const { code, stdout } = await jobnet('validate', 'examples');
    expect(code).toBe(0);
    expect(stdout).toMatch(/no problems/);
  });

  it('exits 1 and prints every problem with file:line:column and a code frame', async () => {
    const { code, stdout } = await jobnet('validate', sixMistakes);
    expect(code).toBe(1);
    expect(stdout).toContain(`error[CRED-LITERAL-SECRET] ${sixMistakes}/credentials/servicenow.yaml:9:13`);
    expect(stdout).toMatch(/> +9 \| +password: /);
    expect(stdout).toMatch(/✖ .*6 errors/);
    // The literal secret itself is never echoed in the message.
    const messageLines = stdout.split('\n').filter((l) => l.startsWith('  ') && !l.includes('|'));
    expect(messageLines.join('\n')).not.toContain(
      readFileSync(path.join(root, sixMistakes, 'credentials/servicenow.yaml'), 'utf8').match(/password: (.*)/)![1],
    );
  });

  it('prints GitHub annotations with --format github', async () => {
    const { code, stdout } = await jobnet('validate', sixMistakes, '--format', 'github');
    expect(code).toBe(1);
    const annotations = stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(annotations).toHaveLength(6);
    expect(annotations[0]).toMatch(
      /^::error file=test\/fixtures\/combined\/six-mistakes\/credentials\/servicenow\.yaml,line=9,col=13,.*title=CRED-LITERAL-SECRET::/,
    );
  });

  it('prints machine-readable JSON with --format json', async () => {
    const { code, stdout } = await jobnet('validate', sixMistakes, '--format', 'json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { ok: boolean; errors: number; diagnostics: { code: string; path: string }[] };
    expect(report.ok).toBe(false);
    expect(report.errors).toBe(6);
    expect(report.diagnostics.find((d) => d.code === 'CRED-LITERAL-SECRET')?.path).toBe('/spec/password');
  });

  it('prints file names and values with control characters escaped, so none can forge a line or drive the terminal', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'jobnet-injection-'));
    mkdirSync(path.join(dir, 'projects'));
    // A file name that would print a forged error line and clear the screen.
    const forgedName = 'evil.yaml\nerror[FORGED] all-good.yaml:1:1 nothing to see\u001b[2J.yaml';
    writeFileSync(
      path.join(dir, 'projects', forgedName),
      'apiVersion: jobnet/v1\nkind: Project\nmetadata:\n  name: evil\nspec: {unknownField: 1}\n',
    );
    // YAML values with escape codes (ESC, CR and an 8-bit CSI) that end up in diagnostic messages.
    writeFileSync(
      path.join(dir, 'projects', 'keys.yaml'),
      'apiVersion: jobnet/v1\nkind: Project\nmetadata:\n  name: keys\nspec: {"bad\\e[2J\\rerror[FORGED-KEY] x": 1, calendar: "cal\\x9b2J"}\n',
    );
    for (const format of ['text', 'github']) {
      const { code, stdout } = await jobnet('validate', dir, '--format', format);
      expect(code, format).toBe(1);
      // No control character but the renderer's own line breaks: no ESC, no CR, no C1.
      const controls = [...stdout].filter((c) => (c < ' ' && c !== '\n') || (c >= '\u007f' && c <= '\u009f'));
      expect(controls, format).toEqual([]);
      const lines = stdout.split('\n');
      expect(
        lines.filter((line) => /^\s*(error|::error)\S*FORGED/.test(line)),
        format,
      ).toEqual([]);
      const header = format === 'text' ? 'error[SCHEMA-UNKNOWN-FIELD] ' : '::error file=';
      expect(
        lines.filter((line) => line.startsWith(header) && line.includes('evil.yaml\\nerror[FORGED] all-good.yaml')),
        format,
      ).toHaveLength(1);
      expect(stdout, format).toContain('nothing to see\\x1b[2J.yaml');
      expect(stdout, format).toContain('unknown field "bad\\x1b[2J\\rerror[FORGED-KEY] x"');
      expect(stdout, format).toContain('"cal\\x9b2J"');
    }
  });

  it('cuts a long line in the code frame around the column, so a 200 KB single-line document prints a frame of a screen width', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'jobnet-validate-long-'));
    const padding = ' '.repeat(1000);
    const jobs = Array.from(
      { length: 200 },
      (_, i) => `"job-${String(i).padStart(3, '0')}": {"type": "sleep",${padding}"seconds": 1}`,
    );
    jobs.splice(100, 0, '"odd-one": {"type": "sleep", "seconds": 1, "secnods": 1}');
    const line = `{"apiVersion": "jobnet/v1", "kind": "Jobnet", "metadata": {"project": "demo", "name": "flat"}, "spec": {"jobs": {${jobs.join(', ')}}}}`;
    expect(line.length).toBeGreaterThan(200_000);
    mkdirSync(path.join(dir, 'projects/demo/jobnets'), { recursive: true });
    writeFileSync(
      path.join(dir, 'projects/demo/project.yaml'),
      'apiVersion: jobnet/v1\nkind: Project\nmetadata: {name: demo}\nspec: {}\n',
    );
    writeFileSync(path.join(dir, 'projects/demo/jobnets/flat.yaml'), `${line}\n`);
    const { code, stdout } = await jobnet('validate', dir);
    expect(code).toBe(1);
    expect(stdout).toContain('error[SCHEMA-UNKNOWN-FIELD]');
    const lines = stdout.split('\n');
    const at = lines.findIndex((text) => text.startsWith('  > 1 | '));
    const [source, caret] = lines.slice(at, at + 2) as [string, string];
    expect(Math.max(...lines.map((text) => text.length))).toBeLessThan(300);
    expect(source.length).toBeLessThan(200);
    expect(source).toMatch(/^ {2}> 1 \| ….*"secnods".*…$/);
    expect(source.charAt(caret.indexOf('^'))).toBe('"');
    expect(source.slice(caret.indexOf('^'), caret.lastIndexOf('^') + 1)).toBe('"secnods"');
  });

  it('warns when the tree holds no definition at all, and when a symbolic link leads out of it', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'jobnet-validate-empty-'));
    writeFileSync(path.join(empty, 'README.md'), '# nothing here\n');
    const quiet = await jobnet('validate', empty);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toContain('warning[REPO-EMPTY]');
    expect(quiet.stdout).toContain('0 files, 0 documents: 0 errors, 1 warning');

    const linked = mkdtempSync(path.join(tmpdir(), 'jobnet-validate-links-'));
    mkdirSync(path.join(linked, 'calendars'));
    writeFileSync(
      path.join(empty, 'shared.yaml'),
      'apiVersion: jobnet/v1\nkind: Calendar\nmetadata: {name: shared}\nspec: {weeklyHolidays: [sat, sun]}\n',
    );
    writeFileSync(
      path.join(linked, 'project.yaml'),
      'apiVersion: jobnet/v1\nkind: Project\nmetadata: {name: demo}\nspec: {calendar: shared}\n',
    );
    symlinkSync(path.join(empty, 'shared.yaml'), path.join(linked, 'calendars/shared.yaml'));
    const outside = await jobnet('validate', linked);
    expect(outside.code).toBe(1);
    expect(outside.stdout).toContain(
      `warning[FILE-SYMLINK] ${path.relative(root, path.join(linked, 'calendars/shared.yaml'))}`,
    );
    expect(outside.stdout).toContain('outside the definitions tree: it is not followed');
    expect(outside.stdout).toContain('error[REF-CALENDAR]');
  });

  it('exits 2 on usage errors', async () => {
    expect((await jobnet('validate', '--format', 'xml', 'examples')).code).toBe(2);
    expect((await jobnet('validate', 'no/such/dir')).code).toBe(2);
    expect((await jobnet('no-such-command')).code).toBe(2);
  });
});

describe('jobnet schema', () => {
  it('writes one self-contained schema per kind plus the combined schema', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'jobnet-schema-'));
    const { code } = await jobnet('schema', '--out', out);
    expect(code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toContain('definitions.schema.json');
    expect(files).toContain('jobnet.schema.json');
    for (const file of files) {
      const text = readFileSync(path.join(out, file), 'utf8');
      expect(text, `${file} must not reference other files`).not.toMatch(/"\$ref": "[^#]/);
    }
  });
});
