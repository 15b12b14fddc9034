/**
 * A RepositoryValidator kept across snapshots (the controller's) gives, edit after edit, exactly
 * what a full validation of the same snapshot gives: the same diagnostics in the same order, the
 * same verdict and the same index. The edits touch what the incremental path must follow: files
 * added, changed, broken and fixed, deleted; a parent's captured prefix read by an unchanged
 * child; child calls made, dangling and closed into a cycle; an identity clash; and changes to
 * documents that are not jobnets (a project, Settings). Compiling each step with the bodies kept
 * from the steps before (CompileCache) gives what compiling it afresh gives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRepo } from '../../bench/generate-repo.js';
import { CompileCache, compileAllJobnets } from '../../controller/compile/compile-jobnet.js';
import type { Result } from '../../controller/definitions/diagnostics.js';
import { readDirectorySnapshot, type SourceFile } from '../../controller/definitions/repository-snapshot.js';
import {
  RepositoryValidator,
  validateSnapshot,
  type ValidatedRepository,
} from '../../controller/definitions/validate-repository.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function jobnetYaml(name: string, jobs: string, project = 'sales'): string {
  return `apiVersion: jobnet/v1
kind: Jobnet
metadata:
  project: ${project}
  name: ${name}
spec:
  jobs:
${jobs}`;
}

const restCapturing = (prefix: string): string => `    fetch:
      type: rest
      request:
        url: https://example.com/fetch
        method: GET
      variables:
        capture: ${prefix}
`;

const childCall = (job: string, child: string, after?: string): string =>
  `    ${job}:
      type: jobnet
      jobnet: ${child}
${after !== undefined ? `      after:\n        - ${after}\n` : ''}`;

const checkVariable = (variable: string): string => `    check:
      type: checkVariable
      variable: ${variable}
      operator: eq
      value: done
`;

/** Everything of a result that does not hold functions (the documents' lazy ASTs). */
function comparable(result: Result<ValidatedRepository>): unknown {
  const { index } = result.value;
  const keys = (map: Map<string, unknown>) => [...map.keys()];
  return {
    ok: result.ok,
    diagnostics: result.diagnostics,
    fileCount: result.value.fileCount,
    documents: result.value.documents.map((d) => `${d.file}#${d.index}`),
    texts: [...result.value.texts.keys()],
    settings: index.settings?.doc.file,
    jobnets: keys(index.jobnets),
    projects: keys(index.projects),
    calendars: keys(index.calendars),
    credentials: keys(index.credentials),
    environments: keys(index.environments),
  };
}

describe('incremental validation', () => {
  let dir: string;
  let files: Map<string, Uint8Array>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jobnet-incremental-'));
    generateRepo(dir, { projects: 2, jobnetsPerProject: 6, jobsPerJobnet: 8 });
    const snapshot = await readDirectorySnapshot(dir);
    files = new Map(snapshot.files.map((f) => [f.path, f.bytes]));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives what a full validation gives after every edit', () => {
    const validator = new RepositoryValidator();
    const cache = new CompileCache();
    let compiledJobnets = 0;
    const put = (path: string, text: string) => files.set(path, encoder.encode(text));
    const text = (path: string) => decoder.decode(files.get(path));
    const snapshot = (): { files: SourceFile[]; revision: string } => ({
      files: [...files]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([path, bytes]) => ({ path, bytes: Uint8Array.from(bytes) })),
      revision: `r${step}`,
    });
    const project = [...files.keys()].find((p) => p.startsWith('projects/') && p.endsWith('/project.yaml'))!;
    const projectName = project.split('/')[1]!;
    const jobnetsDir = `projects/${projectName}/jobnets`;
    const existing = [...files.keys()].find((p) => p.startsWith(`${jobnetsDir}/`))!;
    const existingName = existing.slice(jobnetsDir.length + 1, -'.yaml'.length);
    const parent = `${jobnetsDir}/zz-parent.yaml`;
    const child = `${jobnetsDir}/zz-child.yaml`;
    const duplicate = `${jobnetsDir}/zz-duplicate.yaml`;

    const edits: [string, () => void, string[]][] = [
      ['the repository as generated', () => undefined, []],
      [
        'add a jobnet with an unknown variable that calls an existing one',
        () =>
          put(
            parent,
            jobnetYaml(
              'zz-parent',
              `${childCall('run-existing', existingName)}    echo:
      type: rest
      request:
        url: https://example.com/@NOT_DEFINED@
        method: GET
`,
              projectName,
            ),
          ),
        ['VAR-UNKNOWN'],
      ],
      [
        'call a child that is not there',
        () =>
          put(
            parent,
            jobnetYaml(
              'zz-parent',
              `${childCall('run-existing', existingName)}${childCall('run-child', 'zz-child')}`,
              projectName,
            ),
          ),
        ['REF-JOBNET'],
      ],
      [
        'add the child, which reads a prefix nobody captures',
        () => put(child, jobnetYaml('zz-child', checkVariable('P.STATE'), projectName)),
        ['VAR-CAPTURE-UNKNOWN'],
      ],
      [
        'the parent captures the prefix (the child is unchanged)',
        () =>
          put(
            parent,
            jobnetYaml('zz-parent', `${restCapturing('P')}${childCall('run-child', 'zz-child', 'fetch')}`, projectName),
          ),
        [],
      ],
      [
        'break the parent',
        () => put(parent, `${text(parent)}\n  jobs: [unclosed\n`),
        ['YAML-SYNTAX', 'VAR-CAPTURE-UNKNOWN'],
      ],
      [
        'fix the parent',
        () =>
          put(
            parent,
            jobnetYaml('zz-parent', `${restCapturing('P')}${childCall('run-child', 'zz-child', 'fetch')}`, projectName),
          ),
        [],
      ],
      [
        'the child calls the parent: a cycle of child jobnets',
        () =>
          put(
            child,
            jobnetYaml(
              'zz-child',
              `${checkVariable('P.STATE')}${childCall('back', 'zz-parent', 'check')}`,
              projectName,
            ),
          ),
        ['CHILD-DEPTH'],
      ],
      [
        'a job cycle and a schema error in the child',
        () =>
          put(
            child,
            jobnetYaml(
              'zz-child',
              `    a:
      type: sleep
      seconds: 1
      after: [b]
    b:
      type: sleep
      seconds: 1
      after: [a]
    c:
      type: sleep
      seconds: -1
`,
              projectName,
            ),
          ),
        ['DAG-CYCLE', 'SCHEMA-RANGE'],
      ],
      [
        'the project drops its variables (every rule runs again)',
        () => put(project, text(project).replace(/\n {2}variables:\n( {4}.*\n)+/, '\n')),
        ['VAR-UNKNOWN'],
      ],
      ['a second file defines the parent again', () => put(duplicate, text(parent)), ['DUPLICATE-IDENTITY']],
      ['the duplicate goes', () => files.delete(duplicate), []],
      ['delete the child', () => files.delete(child), ['REF-JOBNET']],
      ['delete the parent', () => files.delete(parent), []],
      ['no change at all', () => undefined, []],
      [
        'Settings ignores the jobnets of the project',
        () => put('jobnet.yaml', text('jobnet.yaml').replace('- drafts/**', `- drafts/**\n    - ${jobnetsDir}/**`)),
        [],
      ],
    ];

    let step = 0;
    const seen = new Set<string>();
    for (const [what, edit, expectedCodes] of edits) {
      step++;
      edit();
      const current = snapshot();
      const full = validateSnapshot(current);
      const incremental = validator.validate(current);
      expect(comparable(incremental), `step ${step}: ${what}`).toEqual(comparable(full));
      // Compiling with the bodies kept from the earlier steps gives what compiling afresh gives.
      const compiled = compileAllJobnets(incremental.value, { environment: 'prod', cache });
      expect(compiled, `step ${step}: ${what}: compile`).toEqual(
        compileAllJobnets(full.value, { environment: 'prod' }),
      );
      if (compiled.ok) compiledJobnets += compiled.jobnets.length;
      const codes = new Set(full.diagnostics.map((d) => d.code));
      for (const code of expectedCodes) expect(codes.has(code as never), `step ${step}: ${what}: ${code}`).toBe(true);
      for (const code of codes) seen.add(code);
    }
    expect(compiledJobnets).toBeGreaterThan(100);
    // The edits did produce problems of every kind they aimed at.
    expect([...seen].sort()).toEqual(
      expect.arrayContaining([
        'CHILD-DEPTH',
        'DAG-CYCLE',
        'REF-JOBNET',
        'VAR-CAPTURE-UNKNOWN',
        'VAR-UNKNOWN',
        'YAML-SYNTAX',
      ]),
    );
  });
});
