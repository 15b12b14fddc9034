/**
 * Benchmark of `jobnet export` and `jobnet import` on a project of 1,000 jobnets × 20 jobs (the
 * synthetic repository of bench/generate-repo.ts with one project), and of the refusal of a
 * 200 MiB bundle, which must stay in bounded memory (the size is checked before a byte is read).
 * Each stage runs in a fresh child process, which measures the call itself (not process start-up
 * or module loading) and reports its peak resident set size. One jobnet's title holds `&&`, as
 * shell command lines of real projects do (a text search for YAML anchors matches it). Two
 * baselines run in the same session: `jobnet validate` of the source tree (the validator both
 * export and import run), and a bare js-yaml parse and dump of the bundle text.
 *
 * Prints a Markdown table and writes the measurements to bench/.out/bundle.json.
 *
 * Usage: npx tsx bench/bundle.bench.ts [--jobnets N] [--jobs N]
 * This is a script, not a test: timing goals are measured here, never asserted in tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs } from './bench-options.js';
import { generateRepo } from './generate-repo.js';

const thisFile = fileURLToPath(import.meta.url);
const repoRoot = resolve(dirname(thisFile), '..');

interface StageReport {
  stage: string;
  seconds: number;
  maxRssMiB: number;
  detail: string;
}

async function runStage(stage: string, args: string[]): Promise<StageReport> {
  const files = await import('../controller/export/bundle-files.js');
  const start = performance.now();
  let detail: string;
  if (stage === 'export') {
    const [dir, project, out] = args as [string, string, string];
    const { bundle, text } = await files.exportProject({ project, source: { dir }, now: Date.now() });
    writeFileSync(out, text);
    detail = `${bundle.definitions.length} definitions, ${(text.length / (1024 * 1024)).toFixed(1)} MiB`;
  } else if (stage === 'import') {
    const [file, into] = args as [string, string];
    const bundle = await files.readBundleFile(file);
    const prepared = await files.prepareImport(bundle, { into, onConflict: 'fail', now: Date.now() });
    await files.writeImport(into, prepared.plan.writes);
    detail = `${prepared.plan.writes.length} files written`;
  } else if (stage === 'validate (baseline)') {
    const [dir] = args as [string];
    const { validateRepository } = await import('../controller/definitions/validate-repository.js');
    const result = await validateRepository(dir);
    detail = `${result.value.documents.length} documents, ${result.ok ? 'valid' : 'NOT valid'}`;
  } else if (stage === 'js-yaml parse + dump (baseline)') {
    const [file] = args as [string];
    const jsYaml = await import('js-yaml');
    const text = readFileSync(file, 'utf8');
    const value = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
    const again = jsYaml.dump(value, { noRefs: true, lineWidth: -1, schema: jsYaml.CORE_SCHEMA });
    detail = `${(again.length / (1024 * 1024)).toFixed(1)} MiB dumped`;
  } else {
    const [file] = args as [string];
    try {
      await files.readBundleFile(file);
      detail = 'NOT refused';
    } catch (error) {
      detail = `refused: ${(error as Error).message.slice(0, 60)}…`;
    }
  }
  return {
    stage,
    seconds: (performance.now() - start) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    detail,
  };
}

function child(stage: string, args: string[]): StageReport {
  const result = spawnSync(process.execPath, ['--import', 'tsx', thisFile, '--child', stage, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`stage ${stage} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as StageReport;
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    const [stage, ...args] = process.argv.slice(childAt + 1);
    process.stdout.write(JSON.stringify(await runStage(stage!, args)) + '\n');
    return;
  }
  const parsed = parseBenchArgs(process.argv.slice(2), ['jobnets', 'jobs'] as const).numbers;
  const numbers = { jobnets: parsed.jobnets ?? 1000, jobs: parsed.jobs ?? 20 };
  const scratch = mkdtempSync(join(tmpdir(), 'jobnet-bundle-bench-'));
  try {
    const source = join(scratch, 'source');
    generateRepo(source, { projects: 1, jobnetsPerProject: numbers.jobnets, jobsPerJobnet: numbers.jobs });
    const project = readdirSync(join(source, 'projects'))[0]!;
    const first = join(
      source,
      'projects',
      project,
      'jobnets',
      readdirSync(join(source, 'projects', project, 'jobnets'))[0]!,
    );
    writeFileSync(first, readFileSync(first, 'utf8').replace(/^ {2}title: (.*)$/m, '  title: "$1 && checked"'));
    const bundle = join(scratch, 'bundle.yaml');
    const target = join(scratch, 'target');
    mkdirSync(target);
    const huge = join(scratch, 'huge.yaml');
    writeFileSync(huge, '');
    truncateSync(huge, 200 * 1024 * 1024 + 1);
    const reports = [
      child('validate (baseline)', [source]),
      child('export', [source, project, bundle]),
      child('js-yaml parse + dump (baseline)', [bundle]),
      child('import', [bundle, target]),
      child('refuse-200MiB', [huge]),
    ];
    const lines = [
      `Bundle of one project, ${numbers.jobnets} jobnets × ${numbers.jobs} jobs`,
      '',
      '| Stage | Time | Peak RSS | Result |',
      '|---|---|---|---|',
      ...reports.map((r) => `| ${r.stage} | ${r.seconds.toFixed(2)} s | ${r.maxRssMiB.toFixed(0)} MiB | ${r.detail} |`),
    ];
    process.stdout.write(lines.join('\n') + '\n');
    mkdirSync(join(repoRoot, 'bench', '.out'), { recursive: true });
    writeFileSync(join(repoRoot, 'bench', '.out', 'bundle.json'), JSON.stringify(reports, null, 2) + '\n');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
