/**
 * The compile step, the digest, the definition diff and the run state on the largest shapes a
 * valid repository can have — children 5 levels deep with a wide level, 255 jobs in one `after`
 * chain, a REST body nested as deep as the YAML parser accepts — and on a 10,000-jobnet chain a
 * validator refuses: every walk is a loop (children gathered breadth-first into one flat map), so
 * none of them recurses once per jobnet or job.
 */
import { describe, expect, it } from 'vitest';
import { compileAllJobnets, compileJobnet } from '../../controller/compile/compile-jobnet.js';
import { jobnetDigest } from '../../controller/compile/jobnet-digest.js';
import { validateSnapshot, type ValidatedRepository } from '../../controller/definitions/validate-repository.js';
import { diffJobnets } from '../../controller/reconcile/definition-diff.js';
import { compiledJobnetProblems, type CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { createRunState, jobEnded, jobStarted, readyJobs, runStatus } from '../../workflows/lib/run-state.js';
import { jobChain, jobnetChain, snapshotOf, type RepositoryFiles } from '../definitions/large-repositories.js';

function validated(files: RepositoryFiles, valid = true): ValidatedRepository {
  const result = validateSnapshot(snapshotOf(files));
  if (valid) expect(result.diagnostics.map((d) => `${d.code} ${d.file}:${d.line} ${d.message}`)).toEqual([]);
  else expect(result.ok).toBe(false);
  return result.value;
}

function compiled(repository: ValidatedRepository, name: string): CompiledJobnet {
  const result = compileJobnet(repository, 'demo', name);
  if (!result.ok) throw new Error(`unexpected compile failure: ${result.message}`);
  return result.jobnet;
}

/** A jobnet file with the given jobs text. */
function jobnet(name: string, jobs: string): string {
  return `apiVersion: jobnet/v1\nkind: Jobnet\nmetadata:\n  project: demo\n  name: ${name}\nspec:\n  jobs:\n${jobs}`;
}

/** A REST body nested `depth` lists deep around `value`, in flow style. */
function nestedBody(depth: number, value: number): string {
  return `${'['.repeat(depth)}${value}${']'.repeat(depth)}`;
}

describe('compiling the largest valid shapes', () => {
  it('gathers children 5 levels deep with 250 leaves on the 4th level into one flat map', () => {
    const files = jobnetChain(5);
    let leaves = '';
    for (let i = 1; i <= 250; i++) {
      leaves += `    run-leaf-${i}:\n      type: jobnet\n      jobnet: leaf-${i}\n`;
      files[`jobnets/leaf-${i}.yaml`] = jobnet(`leaf-${i}`, '    nap:\n      type: sleep\n      seconds: 1\n');
    }
    files['jobnets/level-4.yaml'] = files['jobnets/level-4.yaml']! + leaves;
    const repository = validated(files);
    const root = compiled(repository, 'level-1');
    expect(Object.keys(root.children ?? {})).toHaveLength(4 + 250);
    for (const child of Object.values(root.children ?? {})) expect(child.children).toBeUndefined();
    expect(root.digest).toBe(jobnetDigest(root));
    const all = compileAllJobnets(repository);
    expect(all.ok && all.failures).toEqual([]);
    expect(all.ok && all.jobnets).toHaveLength(5 + 250);
  });

  it('compiles 255 jobs in one after chain and runs them to the end through the run state', () => {
    const root = compiled(validated(jobChain(255)), 'long');
    expect(compiledJobnetProblems(root)).toEqual([]);
    let state = createRunState(root, 0);
    for (let step = 1; step <= 255; step++) {
      const ready = readyJobs(state).map((entry) => entry.job);
      expect(ready).toEqual([`job-${step}`]);
      state = jobEnded(jobStarted(state, ready[0]!, step), ready[0]!, { exitCode: 0 }, step);
    }
    expect(runStatus(state)).toBe('normal');
  });

  it('digests and diffs a REST body nested 500 lists deep', () => {
    const rest = (value: number) =>
      jobnet(
        'deep',
        `    call:\n      type: rest\n      request:\n        url: https://example.com/x\n        method: POST\n        body: ${nestedBody(500, value)}\n`,
      );
    const project = 'apiVersion: jobnet/v1\nkind: Project\nmetadata:\n  name: demo\nspec: {}\n';
    const before = compiled(validated({ 'project.yaml': project, 'jobnets/deep.yaml': rest(1) }), 'deep');
    const after = compiled(validated({ 'project.yaml': project, 'jobnets/deep.yaml': rest(2) }), 'deep');
    expect(before.digest).not.toBe(after.digest);
    const changes = diffJobnets(before, after);
    expect(changes).toHaveLength(1);
    // The innermost list holds plain values only, so it is one field.
    expect(changes[0]).toEqual({
      path: `/jobs/call/spec/request/body${'/0'.repeat(499)}`,
      before: '[1]',
      after: '[2]',
    });
  });
});

describe('compiling a chain the validator refuses', () => {
  it('walks 10,000 children, and a ring of them, breadth-first without recursion', () => {
    const chain = compiled(validated(jobnetChain(10_000), false), 'level-1');
    expect(Object.keys(chain.children ?? {})).toHaveLength(9_999);
    expect(chain.digest).toBe(jobnetDigest(chain));
    const ring = compiled(validated(jobnetChain(10_000, { ring: true }), false), 'level-1');
    expect(Object.keys(ring.children ?? {})).toHaveLength(9_999);
    expect(ring.children?.['level-1']).toBeUndefined();
  });
});
