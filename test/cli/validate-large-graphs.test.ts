/**
 * `jobnet validate` on graphs far longer than any real repository has: the real bin, on generated
 * repositories in a temp directory. Each walk over definitions must report the problem — once, at
 * the place the rule names for small cases — instead of dying with "Maximum call stack size
 * exceeded" as an internal error, and in seconds rather than quadratic (or worse) time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dayPatternChain,
  jobChain,
  jobnetChain,
  writeRepository,
  type RepositoryFiles,
} from '../definitions/large-repositories.js';
import { runJobnet } from './cli-process.js';

/** What a validation of a generated repository may take at most on a busy machine, startup included. */
const budgetMs = 20_000;

interface Reported {
  code: string;
  file: string;
  line: number;
  column: number;
  message: string;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes the repository, runs `jobnet validate DIR --format json` and returns the exit code, diagnostics (files relative to DIR) and time taken. */
async function validate(
  files: RepositoryFiles,
): Promise<{ code: number | null; diagnostics: Reported[]; stderr: string; elapsedMs: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'jobnet-large-'));
  dirs.push(dir);
  writeRepository(dir, files);
  const started = Date.now();
  // Killed well after the budget, so a regression fails the assertion below instead of hanging on.
  const { code, stdout, stderr } = await runJobnet(['validate', dir, '--format', 'json'], {}, { timeoutMs: 50_000 });
  const elapsedMs = Date.now() - started;
  expect(stderr).not.toMatch(/internal error|Maximum call stack/);
  const report = JSON.parse(stdout) as { diagnostics: Reported[] };
  const diagnostics = report.diagnostics.map(({ code: c, file, line, column, message }) => ({
    code: c,
    file: path.relative(dir, path.resolve(file)),
    line,
    column,
    message,
  }));
  return { code, diagnostics, stderr, elapsedMs };
}

describe('jobnet validate on long graphs', () => {
  it(
    'reports a chain of 10,000 child jobnets once, as CHILD-DEPTH at the outermost jobnet',
    { timeout: 60_000 },
    async () => {
      const { code, diagnostics, elapsedMs } = await validate(jobnetChain(10_000));
      expect(code).toBe(1);
      expect(diagnostics).toEqual([
        {
          code: 'CHILD-DEPTH',
          file: 'jobnets/level-1.yaml',
          line: 10,
          column: 15,
          message:
            'child jobnets nest 10000 levels deep (level-1 → level-2 → level-3 → level-4 → level-5 → level-6 → … → level-10000); at most 5 levels are allowed',
        },
      ]);
      expect(elapsedMs).toBeLessThan(budgetMs);
    },
  );

  it(
    'reports a ring of 10,000 child jobnets once, as a CHILD-DEPTH cycle at its first jobnet',
    { timeout: 60_000 },
    async () => {
      const { code, diagnostics, elapsedMs } = await validate(jobnetChain(10_000, { ring: true }));
      expect(code).toBe(1);
      expect(diagnostics).toEqual([
        {
          code: 'CHILD-DEPTH',
          file: 'jobnets/level-1.yaml',
          line: 10,
          column: 15,
          message:
            'child jobnets call each other in a cycle of 10000 jobnets: level-1 → level-2 → level-3 → level-4 → level-5 → level-6 → … → level-10000 → level-1',
        },
      ]);
      expect(elapsedMs).toBeLessThan(budgetMs);
    },
  );

  it(
    'reports a cycle of 200 jobs inside a 255-job after chain as one DAG-CYCLE at its first job',
    { timeout: 60_000 },
    async () => {
      const { code, diagnostics } = await validate(jobChain(255, { cycleOf: 200 }));
      expect(code).toBe(1);
      expect(diagnostics).toEqual([
        {
          code: 'DAG-CYCLE',
          file: 'jobnets/long.yaml',
          line: 11,
          column: 14,
          message: 'dependency cycle of 200 jobs: job-1 → job-2 → job-3 → job-4 → job-5 → job-6 → … → job-200 → job-1',
        },
      ]);
    },
  );

  it(
    'reports a jobnet of 20,000 jobs in one after cycle with JOB-LIMIT and one DAG-CYCLE',
    { timeout: 60_000 },
    async () => {
      const { code, diagnostics, elapsedMs } = await validate(jobChain(20_000, { cycleOf: 20_000 }));
      expect(code).toBe(1);
      expect(diagnostics.map((d) => `${d.code} ${d.file}:${d.line}:${d.column}`)).toEqual([
        'JOB-LIMIT jobnets/long.yaml:7:3',
        'DAG-CYCLE jobnets/long.yaml:11:14',
      ]);
      expect(diagnostics[1]!.message).toBe(
        'dependency cycle of 20000 jobs: job-1 → job-2 → job-3 → job-4 → job-5 → job-6 → … → job-20000 → job-1',
      );
      expect(elapsedMs).toBeLessThan(budgetMs);
    },
  );

  it(
    'reports a ring of 10,000 day patterns excluding each other once, and accepts the same chain without the ring',
    { timeout: 60_000 },
    async () => {
      const ring = await validate(dayPatternChain(10_000, { ring: true }));
      expect(ring.code).toBe(1);
      expect(ring.diagnostics).toEqual([
        {
          code: 'SCHEDULE-INVALID',
          file: 'daypatterns.yaml',
          line: 8,
          column: 17,
          message:
            'day patterns exclude each other in a cycle of 10000 day patterns: p1 → p2 → p3 → p4 → p5 → p6 → … → p10000 → p1',
        },
      ]);
      expect(ring.elapsedMs).toBeLessThan(budgetMs);
      const chain = await validate(dayPatternChain(10_000));
      expect(chain.code).toBe(0);
      expect(chain.diagnostics).toEqual([]);
      expect(chain.elapsedMs).toBeLessThan(budgetMs);
    },
  );
});
