/**
 * Fixture repositories are the specification of the validator (CONTRIBUTING.md#12-tests-are-specifications):
 * - test/fixtures/valid/<name>/ validates with no diagnostics at all;
 * - test/fixtures/invalid/<CODE>/<case>/ produces exactly the diagnostics in its expected.json
 *   (code, file, line, column) — no more, no fewer;
 * - every registered code has at least one invalid fixture.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnosticCodes } from '../../controller/definitions/diagnostic-codes.js';
import { validateRepository } from '../../controller/definitions/validate-repository.js';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures');

interface Expected {
  code: string;
  file: string;
  line: number;
  column: number;
  /** Optional substring the message must contain. */
  message?: string;
}

function subdirectories(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : [];
}

describe('valid fixtures', () => {
  for (const name of subdirectories(path.join(fixtures, 'valid'))) {
    it(`${name} validates with no diagnostics`, async () => {
      const result = await validateRepository(path.join(fixtures, 'valid', name));
      expect(result.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}:${d.column} ${d.message}`)).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.value.documents.length).toBeGreaterThan(0);
    });
  }
});

describe('invalid fixtures', () => {
  const cases = subdirectories(path.join(fixtures, 'invalid')).flatMap((code) =>
    subdirectories(path.join(fixtures, 'invalid', code)).map((name) => ({
      code,
      name,
      dir: path.join(fixtures, 'invalid', code, name),
    })),
  );
  for (const { code, name, dir } of cases) {
    it(`${code}/${name} produces exactly its expected diagnostics`, async () => {
      const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected[];
      expect(
        expected.some((e) => e.code === code),
        `expected.json of ${code}/${name} must contain ${code}`,
      ).toBe(true);
      // A fixture may set validator options (e.g. a small maxFileBytes) in options.json.
      const optionsFile = path.join(dir, 'options.json');
      const options = existsSync(optionsFile)
        ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as { maxFileBytes?: number })
        : {};
      const result = await validateRepository(dir, options);
      const actual = result.diagnostics.map((d) => ({
        code: d.code,
        file: d.file,
        line: d.line,
        column: d.column,
        message: d.message,
      }));
      expect(actual.map(({ message: _m, ...rest }) => rest)).toEqual(expected.map(({ message: _m, ...rest }) => rest));
      for (const [i, e] of expected.entries()) {
        if (e.message) expect(actual[i]!.message).toContain(e.message);
      }
      if (diagnosticCodes[code as keyof typeof diagnosticCodes]?.severity === 'error') expect(result.ok).toBe(false);
    });
  }

  it('every diagnostic code has at least one invalid fixture', () => {
    const covered = new Set(
      subdirectories(path.join(fixtures, 'invalid')).filter(
        (code) => subdirectories(path.join(fixtures, 'invalid', code)).length > 0,
      ),
    );
    const missing = Object.keys(diagnosticCodes).filter((code) => !covered.has(code));
    expect(missing).toEqual([]);
  });
});
