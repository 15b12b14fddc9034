/**
 * One validation finds every mistake (CONTRIBUTING.md#3-collect-every-problem-then-report): a repository with six unrelated mistakes,
 * each in its own file or job, gets all six reported in a single run, each at the place a person
 * has to change — one mistake never hides another. Every code reported is documented for users.
 *
 * The fixture is test/fixtures/combined/six-mistakes/; each mistake is described by a comment at
 * the top of its file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../controller/definitions/diagnostics.js';
import { validateRepository } from '../../controller/definitions/validate-repository.js';

const repository = path.join(import.meta.dirname, '..', 'fixtures', 'combined', 'six-mistakes');
const errorsPage = path.join(import.meta.dirname, '..', '..', 'docs', 'errors.md');

/** The six mistakes, in the order diagnostics are sorted (file, line, column). */
const expectedPlaces = [
  'CRED-LITERAL-SECRET credentials/servicenow.yaml:9:13', // password: S3cr3t-Passw0rd
  'REST-EXTRACT-KEY projects/demo/jobnets/batch.yaml:16:21', // FIRST_ID: jobs.[0.jobId
  'SCHEMA-UNKNOWN-FIELD projects/demo/jobnets/batch.yaml:23:9', // authName: (in another job)
  'CHILD-DEPTH projects/demo/jobnets/level-1.yaml:11:15', // jobnet: level-2, the first of six levels
  'DAG-CYCLE projects/demo/jobnets/nightly.yaml:11:14', // extract's after: [report]
  'VAR-UNKNOWN projects/demo/jobnets/publish.yaml:12:14', // url: https://@REPORT_HOST@/…
];

describe('validating a repository with six mistakes at once', () => {
  let ok: boolean;
  let diagnostics: Diagnostic[];

  beforeAll(async () => {
    ({ ok, diagnostics } = await validateRepository(repository));
  });

  it('reports each mistake with its code at its exact file:line:column, and nothing else', () => {
    expect(diagnostics.map((d) => `${d.code} ${d.file}:${d.line}:${d.column}`)).toEqual(expectedPlaces);
    expect(ok).toBe(false);
  });

  it('reports the six different codes, each once', () => {
    expect(new Set(diagnostics.map((d) => d.code)).size).toBe(6);
  });

  it('reports only codes that docs/errors.md documents', () => {
    const documented = new Set(
      [...readFileSync(errorsPage, 'utf8').matchAll(/^\| `([A-Z][A-Z-]*)` \|/gm)].map((m) => m[1]),
    );
    expect(documented.size).toBeGreaterThan(0);
    expect(diagnostics.map((d) => d.code).filter((code) => !documented.has(code))).toEqual([]);
  });
});
