/**
 * Benchmark of `jobnet validate` on a large repository (docs/architecture.md#performance-budget: 1,000 jobnets × 20 jobs
 * in < 2 s on one core). Generates the synthetic repository of bench/generate-repo.ts into a
 * temporary directory, then validates it N times, each time in a fresh child process pinned to
 * CPU 0 (`taskset -c 0`, when available) so that runs do not share JIT state or caches other
 * than the operating system's file cache. The child measures the validation call itself (not
 * process start-up or module loading) and reports its peak resident set size.
 *
 * The floor (bench/validate-floor.ts: read, js-yaml, Ajv against schemas/, nothing else) runs in
 * the same way, alternating with the product's runs, and the table gives the ratio of the medians
 * (goal: at most 1.5× the floor, and under 2 s). Last, one child times what a controller does
 * with a one-file change (`--incremental`: a kept RepositoryValidator and CompileCache, goal
 * under 100 ms), against the whole validation and compilation in the same process.
 *
 * Prints a Markdown table and writes the measurements to bench/.out/validate.json.
 *
 * Usage: npx tsx bench/validate-repo.bench.ts [--runs N] [--jobnets N] [--jobs N] [--keep]
 * This is a script, not a test: timing goals are measured here, never asserted in tests.
 */
import { spawnSync } from 'node:child_process';
import { parseBenchArgs } from './bench-options.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateRepo } from './generate-repo.js';
import { validateFloor, type FloorReport } from './validate-floor.js';

const thisFile = fileURLToPath(import.meta.url);
const repoRoot = resolve(dirname(thisFile), '..');

/** What a child process reports on its last stdout line. */
interface ChildReport {
  seconds: number;
  /** CPU time (user + system) of the validation: less sensitive than `seconds` to other load on the core. */
  cpuSeconds: number;
  maxRssMiB: number;
  ok: boolean;
  files: number;
  documents: number;
  errors: number;
  warnings: number;
  firstDiagnostics: string[];
}

async function runFloorChild(dir: string): Promise<void> {
  const report: FloorReport & { maxRssMiB?: number } = await validateFloor(dir);
  report.maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** What the incremental child reports: a full validation and compilation, then one-file edits. */
interface IncrementalReport {
  fullValidateMs: number;
  fullCompileMs: number;
  edits: { edit: string; validateMs: number; compileMs: number; diagnostics: number }[];
}

/**
 * In one process, as a controller would: validate and compile the repository whole with a
 * RepositoryValidator and a CompileCache, then re-validate and re-compile after each of a
 * sequence of one-file edits (every file's bytes freshly copied, as a new fetch reads them).
 */
async function runIncrementalChild(dir: string): Promise<void> {
  const { RepositoryValidator } = await import('../controller/definitions/validate-repository.js');
  const { readDirectorySnapshot } = await import('../controller/definitions/repository-snapshot.js');
  const { CompileCache, compileAllJobnets } = await import('../controller/compile/compile-jobnet.js');
  const read = await readDirectorySnapshot(dir);
  const files = new Map(read.files.map((f) => [f.path, f.bytes]));
  const validator = new RepositoryValidator();
  const cache = new CompileCache();
  let revision = 0;
  const round = (): { validateMs: number; compileMs: number; diagnostics: number } => {
    revision++;
    const snapshot = {
      revision: `r${revision}`,
      files: [...files]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([path, bytes]) => ({ path, bytes: Uint8Array.from(bytes) })),
    };
    const started = performance.now();
    const result = validator.validate(snapshot);
    const validated = performance.now();
    if (result.ok) compileAllJobnets(result.value, { environment: 'prod', cache });
    return {
      validateMs: validated - started,
      compileMs: result.ok ? performance.now() - validated : 0,
      diagnostics: result.diagnostics.length,
    };
  };
  const full = round();
  const jobnets = [...files.keys()].filter((p) => p.includes('/jobnets/'));
  const target = jobnets[Math.floor(jobnets.length / 2)]!;
  const original = files.get(target)!;
  const text = new TextDecoder().decode(original);
  const encode = (value: string) => new TextEncoder().encode(value);
  const added = target.replace(/[^/]+\.yaml$/, 'zz-added.yaml');
  const edits: [string, () => void][] = [
    [
      'change a jobnet (a job title)',
      () => files.set(target, encode(text.replace(/title: (.*)/, 'title: $1 (changed)'))),
    ],
    ['change it again (a sleep)', () => files.set(target, encode(text.replace(/seconds: (\d+)/, 'seconds: 1$1')))],
    ['break it (YAML syntax)', () => files.set(target, encode(`${text}\n  jobs: [unclosed\n`))],
    ['fix it', () => files.set(target, original)],
    ['break it again (the YAML parser warmed up)', () => files.set(target, encode(`${text}\n  jobs: [unclosed\n`))],
    ['fix it again', () => files.set(target, original)],
    ['add a jobnet file', () => files.set(added, encode(text.replace(/name: (jn-\d+)/, 'name: zz-added')))],
    [
      'change the added file',
      () =>
        files.set(
          added,
          encode(text.replace(/name: (jn-\d+)/, 'name: zz-added').replace(/minutes: \d+/, 'minutes: 30')),
        ),
    ],
    ['delete the added file', () => files.delete(added)],
  ];
  const report: IncrementalReport = { fullValidateMs: full.validateMs, fullCompileMs: full.compileMs, edits: [] };
  for (const [edit, apply] of edits) {
    apply();
    report.edits.push({ edit, ...round() });
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function runChild(dir: string): Promise<void> {
  const { validateRepository } = await import('../controller/definitions/validate-repository.js');
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = await validateRepository(dir);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const report: ChildReport = {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    // maxRSS is in kibibytes.
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    ok: result.ok,
    files: result.value.fileCount,
    documents: result.value.documents.length,
    errors: result.diagnostics.filter((d) => d.severity === 'error').length,
    warnings: result.diagnostics.filter((d) => d.severity === 'warning').length,
    firstDiagnostics: result.diagnostics
      .slice(0, 5)
      .map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

interface Options {
  runs: number;
  jobnets: number;
  jobs: number;
  keep: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const { numbers, flags, positionals } = parseBenchArgs(argv, ['runs', 'jobnets', 'jobs'], ['keep']);
  if (positionals.length > 0)
    throw new Error('usage: validate-repo.bench.ts [--runs N] [--jobnets N] [--jobs N] [--keep]');
  return { runs: numbers.runs ?? 5, jobnets: numbers.jobnets ?? 1000, jobs: numbers.jobs ?? 20, keep: flags.keep };
}

function tasksetWorks(): boolean {
  const probe = spawnSync('taskset', ['-c', '0', process.execPath, '-e', ''], { stdio: 'ignore' });
  return probe.status === 0;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function runParent(options: Options): void {
  const dir = mkdtempSync(join(tmpdir(), 'jobnet-validate-bench-'));
  try {
    const projects = Math.min(10, options.jobnets);
    const generated = generateRepo(dir, {
      projects,
      jobnetsPerProject: Math.ceil(options.jobnets / projects),
      jobsPerJobnet: options.jobs,
    });
    process.stderr.write(
      `generated ${generated.files} files (${generated.jobnets} jobnets, ${generated.jobs} jobs) in ${dir}\n`,
    );

    const pinned = tasksetWorks();
    const command = (mode: '--child' | '--floor' | '--incremental'): [string, string[]] => {
      const nodeArgs = ['--import', 'tsx', thisFile, mode, dir];
      return pinned ? ['taskset', ['-c', '0', process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
    };
    if (!pinned) process.stderr.write('taskset is not available: runs are not pinned to one core\n');
    const spawnChild = (
      mode: '--child' | '--floor' | '--incremental',
      run: number,
    ): { lastLine: string; processSeconds: number } => {
      const [program, args] = command(mode);
      const started = performance.now();
      const child = spawnSync(program, args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      const processSeconds = (performance.now() - started) / 1000;
      const lastLine = child.stdout.trim().split('\n').pop() ?? '';
      if (child.status !== 0 || !lastLine.startsWith('{')) {
        throw new Error(
          `${mode.slice(2)} run ${run} failed (exit ${String(child.status ?? child.signal)}):\n${child.stderr}`,
        );
      }
      return { lastLine, processSeconds };
    };

    const reports: (ChildReport & { processSeconds: number })[] = [];
    const floorReports: (FloorReport & { processSeconds: number })[] = [];
    for (let run = 1; run <= options.runs; run++) {
      // Floor and product alternate, so that a change of machine load touches both alike.
      const floorChild = spawnChild('--floor', run);
      const floor = JSON.parse(floorChild.lastLine) as FloorReport;
      floorReports.push({ ...floor, processSeconds: floorChild.processSeconds });
      const { lastLine, processSeconds } = spawnChild('--child', run);
      const report = JSON.parse(lastLine) as ChildReport;
      reports.push({ ...report, processSeconds });
      process.stderr.write(
        `run ${run}/${options.runs}: floor ${floor.seconds.toFixed(3)} s (CPU ${floor.cpuSeconds.toFixed(3)} s), jobnet validate ${report.seconds.toFixed(3)} s (CPU ${report.cpuSeconds.toFixed(3)} s), ${report.maxRssMiB.toFixed(0)} MiB\n`,
      );
      if (run === 1 && !report.ok) {
        process.stderr.write(
          `warning: the generated repository has ${report.errors} error(s); first:\n  ${report.firstDiagnostics.join('\n  ')}\n`,
        );
      }
      if (run === 1 && floor.invalidDocuments > 0)
        process.stderr.write(`warning: the floor found ${floor.invalidDocuments} invalid document(s)\n`);
    }

    const incremental = JSON.parse(spawnChild('--incremental', 1).lastLine) as IncrementalReport;

    const seconds = reports.map((r) => r.seconds);
    const first = reports[0]!;
    const summary = {
      files: first.files,
      documents: first.documents,
      jobnets: generated.jobnets,
      jobs: generated.jobs,
      runs: reports.length,
      minSeconds: Math.min(...seconds),
      medianSeconds: median(seconds),
      maxSeconds: Math.max(...seconds),
      floorMinSeconds: Math.min(...floorReports.map((r) => r.seconds)),
      floorMedianSeconds: median(floorReports.map((r) => r.seconds)),
      floorMaxSeconds: Math.max(...floorReports.map((r) => r.seconds)),
      ratio: median(seconds) / median(floorReports.map((r) => r.seconds)),
      cpuMedianSeconds: median(reports.map((r) => r.cpuSeconds)),
      floorCpuMedianSeconds: median(floorReports.map((r) => r.cpuSeconds)),
      cpuRatio: median(reports.map((r) => r.cpuSeconds)) / median(floorReports.map((r) => r.cpuSeconds)),
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      peakRssMiB: Math.max(...reports.map((r) => r.maxRssMiB)),
      pinnedToOneCore: pinned,
      valid: first.ok,
      errors: first.errors,
      warnings: first.warnings,
    };

    const table = [
      '| files | jobs | runs | floor min / median / max s | ours min / median / max s | ratio (medians) | CPU s floor / ours (medians) | CPU ratio | peak RSS MiB | one core | load after |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---|',
      `| ${summary.files} | ${summary.jobs} | ${summary.runs} | ${summary.floorMinSeconds.toFixed(3)} / ${summary.floorMedianSeconds.toFixed(3)} / ${summary.floorMaxSeconds.toFixed(3)} | ${summary.minSeconds.toFixed(3)} / ${summary.medianSeconds.toFixed(3)} / ${summary.maxSeconds.toFixed(3)} | ${summary.ratio.toFixed(2)}× | ${summary.floorCpuMedianSeconds.toFixed(3)} / ${summary.cpuMedianSeconds.toFixed(3)} | ${summary.cpuRatio.toFixed(2)}× | ${summary.peakRssMiB.toFixed(1)} | ${pinned ? 'yes' : 'no'} | ${summary.loadAverage} |`,
    ].join('\n');
    process.stdout.write(`\n### jobnet validate — ${summary.jobnets} jobnets × ${options.jobs} jobs\n\n${table}\n`);
    const editMs = incremental.edits.map((e) => e.validateMs);
    const incrementalTable = [
      '| one-file edit, in a kept RepositoryValidator + CompileCache | validate ms | compile ms | diagnostics |',
      '|---|---:|---:|---:|',
      `| (first: the whole repository) | ${incremental.fullValidateMs.toFixed(0)} | ${incremental.fullCompileMs.toFixed(0)} | — |`,
      ...incremental.edits.map(
        (e) => `| ${e.edit} | ${e.validateMs.toFixed(1)} | ${e.compileMs.toFixed(1)} | ${e.diagnostics} |`,
      ),
      `| **median of the edits** | **${median(editMs).toFixed(1)}** | ${median(incremental.edits.map((e) => e.compileMs)).toFixed(1)} | |`,
    ].join('\n');
    process.stdout.write(
      `\n### incremental re-validation (goal: < 100 ms for a one-file change)\n\n${incrementalTable}\n`,
    );

    const outDir = join(repoRoot, 'bench', '.out');
    mkdirSync(outDir, { recursive: true });
    const record = {
      benchmark: 'validate-repo',
      measuredAt: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpu: cpus()[0]?.model ?? 'unknown',
      options,
      summary,
      runs: reports,
      floorRuns: floorReports,
      incremental,
      markdown: table,
    };
    writeFileSync(join(outDir, 'validate.json'), `${JSON.stringify(record, null, 2)}\n`);
    process.stderr.write(`wrote ${join(outDir, 'validate.json')}\n`);
  } finally {
    if (options.keep) process.stderr.write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
try {
  if (argv[0] === '--child') {
    const dir = argv[1];
    if (dir === undefined) throw new Error('--child needs a directory');
    await runChild(dir);
  } else if (argv[0] === '--incremental') {
    const dir = argv[1];
    if (dir === undefined) throw new Error('--incremental needs a directory');
    await runIncrementalChild(dir);
  } else if (argv[0] === '--floor') {
    const dir = argv[1];
    if (dir === undefined) throw new Error('--floor needs a directory');
    await runFloorChild(dir);
  } else {
    runParent(parseArgs(argv));
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
