/**
 * Runs the benchmarks: `npm run bench` (every goal of the table atop docs/performance.md at its
 * goal's size, one bench after the other so none disturbs another) and `npm run bench:quick` (every
 * bench at a reduced size, in a few minutes: a check that each still runs and prints its tables,
 * not a measurement — the quick benches run side by side in lanes, and their sizes are far from
 * the goals').
 *
 * Each bench is its own process (`tsx bench/…`); its Markdown goes to stdout under a heading with
 * its command line, its progress to stderr. At the end a table gives each bench's wall time and
 * exit status, and the whole run's wall time and load. Exits 1 when a bench failed.
 *
 * The cluster benches need the PostgreSQL cluster (scripts/cluster.sh) and 30 minutes or more:
 * they run only with `--cluster` (full run only): the chaos soak for 30 minutes on the cluster
 * and the throughput on the cluster.
 *
 * Usage: npx tsx bench/run-all.ts [--quick] [--cluster] [NAME ...]  (NAMEs: only these benches)
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseBenchArgs } from './bench-options.js';

interface Bench {
  /** The file's name without `.bench.ts` / `.ts`; what NAME selects. */
  name: string;
  file: string;
  /** The goal it measures, as the row of the goals table says it. */
  goal: string;
  /** Arguments of the full run: the goal's size. */
  full: string[];
  /** Arguments of the quick run. */
  quick: string[];
  /**
   * Quick run only: the lane it runs in. Lanes run side by side; the benches of a lane one after
   * another. The benches that wait for whole minutes (scheduled starts) have lanes of their own.
   */
  lane: number;
  /** Needs the PostgreSQL cluster: only with `--cluster`, never quick. */
  cluster?: boolean;
}

const benches: Bench[] = [
  {
    name: 'validate-repo',
    file: 'validate-repo.bench.ts',
    goal: '`jobnet validate` 1,000 × 20 within 1.5× the floor and < 2 s; one-file re-validation < 100 ms',
    full: [],
    quick: ['--runs', '1', '--jobnets', '50', '--jobs', '10'],
    lane: 0,
  },
  {
    name: 'start-days',
    file: 'start-days.bench.ts',
    goal: 'start days for two years of 1,000 jobnets',
    full: [],
    quick: [],
    lane: 0,
  },
  {
    name: 'startup',
    file: 'startup.bench.ts',
    goal: '`jobnet --help` near bare `node`',
    full: [],
    quick: ['--runs', '1'],
    lane: 0,
  },
  {
    name: 'reconcile',
    file: 'reconcile.bench.ts',
    goal: 'push → applied at 1,000 jobnets; no-op reconcile after a restart',
    full: [],
    quick: ['--jobnets', '50', '--jobs', '5', '--pushes', '2', '--poll-interval', '2'],
    lane: 0,
  },
  {
    name: 'run-throughput',
    file: 'run-throughput.bench.ts',
    goal: 'single-job runs/min ≥ 0.9× a bare workflow',
    full: [],
    quick: ['--runs', '40', '--rounds', '1', '--batch', '20', '--warmup', '10'],
    lane: 0,
  },
  {
    name: 'incidents',
    file: 'incidents.bench.ts',
    goal: 'trouble → incident, burst of 1,000: p99 < 5 s, no duplicates',
    full: [],
    quick: ['--burst', '50', '--singles', '2', '--baseline', '50'],
    lane: 3,
  },
  {
    name: 'console',
    file: 'console.bench.ts',
    goal: 'the console with 1,000 jobnets stays live',
    full: [],
    quick: ['--jobnets', '50', '--loads', '2', '--consoles', '1', '--seconds', '5'],
    lane: 3,
  },
  {
    name: 'rest-polling',
    file: 'rest-polling.bench.ts',
    goal: '1,000 polling REST jobs: p99 lateness < 1 s, no missed or repeated poll',
    full: ['--jobs', '1000'],
    quick: ['--jobs', '50', '--interval', '2', '--polls', '3'],
    lane: 0,
  },
  {
    name: 'history-api',
    file: 'history-api.bench.ts',
    goal: '`GET /api/v1/runs` with 10,000 runs in visibility',
    full: [],
    quick: ['--runs', '200', '--requests', '20'],
    lane: 3,
  },
  {
    name: 'bundle',
    file: 'bundle.bench.ts',
    goal: 'export and import bundles of 1,000 jobnets',
    full: [],
    quick: ['--jobnets', '50', '--jobs', '5'],
    lane: 3,
  },
  {
    name: 'sandbox-promises',
    file: 'sandbox-promises.bench.ts',
    goal: 'promises per run in the workflow sandbox',
    full: [],
    quick: ['--replays', '1'],
    lane: 0,
  },
  {
    name: 'start-latency',
    file: 'start-latency.bench.ts',
    goal: '200 jobnets due the same minute: p99 ≤ 1.2× Temporal Schedules, none refused',
    full: [],
    quick: ['--jobnets', '10', '--minutes', '1', '--idle', '50', '--no-light'],
    lane: 1,
  },
  {
    name: 'idle-actors',
    file: 'idle-actors.bench.ts',
    goal: 'idle actors ≤ 100 KiB each at 10,000; an evicted actor’s wake',
    full: [],
    quick: ['--actors', '300', '--cache', '100', '--wake', '5', '--cached', '5', '--lead', '15'],
    lane: 2,
  },
  {
    name: 'chaos-soak',
    file: 'chaos-soak.ts',
    goal: 'chaos soak: nothing lost or duplicated (3 minutes on a dev server; 30 on the cluster with --cluster)',
    full: [],
    quick: ['--minutes', '1'],
    lane: 3,
  },
  {
    name: 'chaos-soak-cluster',
    file: 'chaos-soak.ts',
    goal: 'chaos soak, 30 min on the cluster: nothing lost or duplicated',
    full: ['--minutes', '30', '--cluster'],
    quick: [],
    lane: 0,
    cluster: true,
  },
  {
    name: 'cluster-throughput',
    file: 'cluster-throughput.bench.ts',
    goal: 'throughput with 1–3 workers on the cluster',
    full: [],
    quick: [],
    lane: 0,
    cluster: true,
  },
];

const { flags, positionals } = parseBenchArgs(process.argv.slice(2), [] as const, ['quick', 'cluster'] as const);
const unknown = positionals.filter((name) => !benches.some((bench) => bench.name === name));
if (unknown.length > 0)
  throw new Error(`no bench named ${unknown.join(', ')}; the benches: ${benches.map((b) => b.name).join(', ')}`);
const selected = benches.filter(
  (bench) =>
    (positionals.length === 0 || positionals.includes(bench.name)) &&
    (bench.cluster !== true || (flags.cluster && !flags.quick)),
);

interface Outcome {
  bench: Bench;
  args: string[];
  seconds: number;
  code: number | null;
  output: string;
}

const tsx = path.resolve(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx');

/** Runs one bench to its end: its stdout kept for the report, its stderr passed on with its name. */
async function runBench(bench: Bench): Promise<Outcome> {
  const args = flags.quick ? bench.quick : bench.full;
  const started = performance.now();
  process.stderr.write(`[bench] ${new Date().toISOString()} ${bench.name} ${args.join(' ')}\n`);
  const child = spawn(tsx, [path.join(import.meta.dirname, bench.file), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    for (const line of chunk
      .toString()
      .split('\n')
      .filter((text) => text !== ''))
      process.stderr.write(`[${bench.name}] ${line}\n`);
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`[bench] ${bench.name} ended with ${code} after ${seconds.toFixed(0)} s\n`);
  return { bench, args, seconds, code, output };
}

const loadAtStart = os.loadavg();
const started = performance.now();
const outcomes: Outcome[] = [];
if (flags.quick) {
  const lanes = [...new Set(selected.map((bench) => bench.lane))];
  await Promise.all(
    lanes.map(async (lane) => {
      for (const bench of selected.filter((b) => b.lane === lane)) outcomes.push(await runBench(bench));
    }),
  );
} else {
  for (const bench of selected) outcomes.push(await runBench(bench));
}
const totalSeconds = (performance.now() - started) / 1000;

const loads = (values: number[]) => values.map((value) => value.toFixed(2)).join(' / ');
const order = (outcome: Outcome) => selected.indexOf(outcome.bench);
const lines: string[] = [];
for (const outcome of [...outcomes].sort((a, b) => order(a) - order(b))) {
  lines.push(
    `### ${outcome.bench.name}: \`npx tsx bench/${outcome.bench.file} ${outcome.args.join(' ')}\``.trimEnd(),
    '',
    outcome.output.trim(),
    '',
  );
}
lines.push(
  `### ${flags.quick ? 'bench:quick' : 'bench'}: ${totalSeconds.toFixed(0)} s wall time; load ${loads(loadAtStart)} at start, ${loads(os.loadavg())} at end`,
  '',
  '| bench | goal | s | exit |',
  '| --- | --- | ---: | ---: |',
  ...[...outcomes]
    .sort((a, b) => order(a) - order(b))
    .map(
      (outcome) =>
        `| ${outcome.bench.name} | ${outcome.bench.goal} | ${outcome.seconds.toFixed(0)} | ${outcome.code ?? 'killed'} |`,
    ),
);
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(outcomes.every((outcome) => outcome.code === 0) ? 0 : 1);
