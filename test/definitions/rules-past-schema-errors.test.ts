/**
 * The rules that read a job past its schema errors — the job graph, child jobnets, references,
 * variables and name lengths (rules/rule-context.ts `jobFields`) — read only what is well formed
 * and was not reported already: a malformed value of any shape makes no rule throw and adds no
 * diagnostic to the schema's, while a problem in another field of the same job is still found.
 */
import { describe, expect, it } from 'vitest';
import { validateSnapshot } from '../../controller/definitions/validate-repository.js';

const project = 'apiVersion: jobnet/v1\nkind: Project\nmetadata: {name: demo}\nspec: {}\n';
const child =
  'apiVersion: jobnet/v1\nkind: Jobnet\nmetadata: {project: demo, name: child}\nspec:\n  jobs:\n    nap: {type: sleep, seconds: 1}\n';

/** Diagnostics of a repository whose jobnet `nightly` has job `ok` and the jobs given, as `CODE pointer`. */
function diagnosticsOf(jobs: string): string[] {
  const jobnet = `apiVersion: jobnet/v1\nkind: Jobnet\nmetadata: {project: demo, name: nightly}\nspec:\n  jobs:\n    ok: {type: sleep, seconds: 1}\n${jobs}`;
  const files = [
    { path: 'project.yaml', text: project },
    { path: 'child.yaml', text: child },
    { path: 'nightly.yaml', text: jobnet },
  ].map(({ path, text }) => ({ path, bytes: new TextEncoder().encode(text) }));
  return validateSnapshot({ files }).diagnostics.map((d) => `${d.code} ${d.path}`);
}

describe('rules past schema errors', () => {
  it.each([
    ['a job that is a number', 'bad: 5'],
    ['a job that is a list', 'bad: [1, 2]'],
    ['after that is a number', 'bad: {type: sleep, seconds: 1, after: 5}'],
    [
      'after entries of every wrong shape',
      'bad: {type: sleep, seconds: 1, after: [5, null, {job: 3}, {exitCode: 1}, [ok]]}',
    ],
    ['after that is a mapping', 'bad: {type: sleep, seconds: 1, after: {job: ok}}'],
    ['a recovery that is not a name', 'bad: {type: sleep, seconds: 1, recovery: {job: ok}}'],
    ['a restart point that is not a boolean', 'bad: {type: sleep, seconds: 1, restartPoint: "yes"}'],
    ['variables that are not a mapping', 'bad: {type: sleep, seconds: 1, variables: 5}'],
    ['a capture that is not a prefix', 'bad: {type: sleep, seconds: 1, variables: {capture: [P]}}'],
    ['a child jobnet that is not a name', 'bad: {type: jobnet, jobnet: [child]}'],
    ['a REST request that is not a mapping', 'bad: {type: rest, request: 5}'],
    [
      'a REST credential that is not a name',
      'bad: {type: rest, request: {url: "https://api.example.com/@apiKey@", method: GET, credential: {name: x}}}',
    ],
    ['an event scope whose project is not a name', 'bad: {type: raiseEvent, event: E, project: 5, jobnet: nowhere}'],
    ['a checkVariable variable that is not text', 'bad: {type: checkVariable, variable: 5}'],
    ['a description that is not text', 'bad: {type: sleep, seconds: 1, description: [5]}'],
    [
      'an unknown type with fields of every shape',
      'bad: {type: bogus, after: 5, recovery: [ok], variables: {capture: 5}, jobnet: 5, request: 5}',
    ],
    ['a name the schema refuses in after', 'bad: {type: sleep, seconds: 1, after: ["no such job!"]}'],
    ['a name the schema refuses in recovery', 'bad: {type: sleep, seconds: 1, recovery: "no such job!"}'],
    ['an unknown field holding an undefined variable', 'bad: {type: sleep, seconds: 1, note: "@NOWHERE@"}'],
  ])('%s: only the schema errors', (_what, jobs) => {
    const diagnostics = diagnosticsOf(`    ${jobs}\n`);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics.filter((d) => !d.startsWith('SCHEMA-'))).toEqual([]);
  });

  it('still finds what the well-formed fields of a job with schema errors say', () => {
    const jobs = [
      '    a: {type: bogus, after: [b]}',
      '    b: {type: sleep, seconds: 1, after: [a, missing], recovery: gone, colour: red}',
      '    c: {type: jobnet, jobnet: nowhere, timeout: 5}',
      '    d: {type: rest, request: {url: "https://@HOST@/", method: GET, credential: none, bodyy: 1}}',
      '    e: {type: raiseEvent, event: E, project: elsewhere, param: 5}',
      '    f: {type: checkVariable, variable: Q.X, invert: 3}',
      '',
    ].join('\n');
    expect(diagnosticsOf(jobs).sort()).toEqual(
      [
        'SCHEMA-ENUM /spec/jobs/a/type',
        'SCHEMA-UNKNOWN-FIELD /spec/jobs/b/colour',
        'REF-JOB /spec/jobs/b/after/1',
        'REF-JOB /spec/jobs/b/recovery',
        'DAG-CYCLE /spec/jobs/a/after',
        'SCHEMA-UNKNOWN-FIELD /spec/jobs/c/timeout',
        'REF-JOBNET /spec/jobs/c/jobnet',
        'SCHEMA-UNKNOWN-FIELD /spec/jobs/d/request/bodyy',
        'REF-CREDENTIAL /spec/jobs/d/request/credential',
        'VAR-UNKNOWN /spec/jobs/d/request/url',
        'SCHEMA-TYPE /spec/jobs/e/param',
        'REF-PROJECT /spec/jobs/e/project',
        'SCHEMA-TYPE /spec/jobs/f/invert',
        'VAR-CAPTURE-UNKNOWN /spec/jobs/f/variable',
      ].sort(),
    );
  });
});
