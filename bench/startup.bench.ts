/**
 * Benchmark: how long the `jobnet` command takes to start and finish, as a user runs it
 * (`node bin/jobnet.js …`), against bare `node`:
 * - `jobnet --help` (start-up only: loading the CLI);
 * - `jobnet validate examples` (loading plus the definitions pipeline on the bundled examples);
 * - `jobnet ls` against a running system: a `jobnet up` on the examples (its own dev server on a
 *   temporary database and free ports), measured once the controller has applied them — by
 *   default (which also reads each jobnet's definition for the zone of its calendar) and with
 *   `--utc` (which does not) — and the same `jobnet ls` through the operator API (`--server`,
 *   with the login token `jobnet up` prints), which loads no Temporal SDK.
 *
 * Each command runs `--runs` times (default 10) in a fresh process per variant: this checkout
 * from its compiled dist/ (built first if stale), this checkout from its sources through tsx
 * (JOBNET_FROM_SOURCE=1), and, with `--baseline DIR`, another checkout's bin (e.g. a clone at an
 * earlier commit, with node_modules linked). The variants take turns run by run, so load from
 * other work on the machine weighs on all of them alike. The table gives the minimum, median and
 * maximum wall time. Prints Markdown on stdout; progress goes to stderr. Figures go to
 * docs/performance.md ("Start-up of the jobnet command").
 *
 * Usage: npx tsx bench/startup.bench.ts [--runs 10] [--baseline DIR] [--no-ls]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../controller/temporal/dev-server.js';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { runs: { type: 'string' }, baseline: { type: 'string' }, 'no-ls': { type: 'boolean' } },
  strict: true,
});
const runs = values.runs === undefined ? 10 : Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs needs a positive whole number');
const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin', 'jobnet.js');

interface Variant {
  name: string;
  bin: string;
  env: NodeJS.ProcessEnv;
}

const variants: Variant[] = [
  { name: 'dist/', bin, env: {} },
  { name: 'sources (tsx)', bin, env: { JOBNET_FROM_SOURCE: '1' } },
  ...(values.baseline !== undefined
    ? [
        {
          name: `baseline ${path.basename(path.resolve(values.baseline))}`,
          bin: path.join(path.resolve(values.baseline), 'bin', 'jobnet.js'),
          env: {},
        },
      ]
    : []),
];

function log(message: string): void {
  process.stderr.write(`[startup] ${message}\n`);
}

/** Wall time of one run of `node args…` in ms; throws when it exits non-zero. */
function timeOnce(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

interface Row {
  command: string;
  variant: string;
  times: number[];
}

/** Runs `args` (after the bin) `runs` times for every variant, the variants taking turns. */
function measure(command: string, args: readonly string[]): Row[] {
  const rows = variants.map((variant) => ({ command, variant: variant.name, times: [] as number[] }));
  for (const variant of variants)
    timeOnce([variant.bin, ...args], variant.env, path.dirname(path.dirname(variant.bin))); // warm the caches
  for (let i = 0; i < runs; i++) {
    variants.forEach((variant, v) =>
      rows[v]?.times.push(timeOnce([variant.bin, ...args], variant.env, path.dirname(path.dirname(variant.bin)))),
    );
  }
  for (const row of rows) log(`${command} [${row.variant}]: median ${median(row.times).toFixed(0)} ms`);
  return rows;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Starts `jobnet up` on the examples and resolves with its Temporal address once `jobnet ls` lists every example jobnet. */
async function startSystem(
  dataDir: string,
): Promise<{ address: string; server: string; token: string; stop: () => Promise<void> }> {
  const [temporalPort, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.TEMPORAL_ADDRESS;
  const child = spawn(
    process.execPath,
    [
      bin,
      'up',
      '--data-dir',
      dataDir,
      '--temporal-port',
      String(temporalPort),
      '--ui-port',
      String(uiPort),
      '--listen',
      `127.0.0.1:${apiPort}`,
    ],
    {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGINT');
    await exited;
  };
  const address = `127.0.0.1:${temporalPort}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jobnet up exited ${child.exitCode}:\n${output.slice(-3000)}`);
    if (output.includes('jobnet is up')) {
      const listed = spawnSync(process.execPath, [bin, 'ls', '--address', address], { cwd: root, encoding: 'utf8' });
      const rows = listed.stdout.split('\n').filter((line) => /^(infra|sales)\//.test(line));
      const login = /(http:\/\/[\d.:]+)\/\?token=(jnt_[\w-]+)/.exec(output);
      if (listed.status === 0 && rows.length > 0 && !rows.some((line) => line.includes(' ? ')) && login !== null)
        return { address, server: login[1] as string, token: login[2] as string, stop };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`jobnet up was not ready in time:\n${output.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

log('building dist/ if it is stale');
const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-dist.js'), '--if-stale'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) throw new Error('the build failed');

const rows: Row[] = [];
const bare = Array.from({ length: runs }, () => timeOnce(['-e', '0'], {}, root));
rows.push({ command: 'node -e 0 (bare node)', variant: '-', times: bare });
rows.push(...measure('jobnet --help', ['--help']));
rows.push(...measure('jobnet validate examples', ['validate', 'examples']));
if (values['no-ls'] !== true) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jobnet-startup-'));
  try {
    log('starting jobnet up on examples/');
    const system = await startSystem(dataDir);
    try {
      rows.push(...measure('jobnet ls (examples applied, jobnet up)', ['ls', '--address', system.address]));
      rows.push(...measure('jobnet ls --utc', ['ls', '--utc', '--address', system.address]));
      process.env.JOBNET_TOKEN = system.token;
      rows.push(...measure('jobnet ls --server (operator API)', ['ls', '--server', system.server]));
      rows.push(...measure('jobnet ls --utc --server', ['ls', '--utc', '--server', system.server]));
      delete process.env.JOBNET_TOKEN;
    } finally {
      await system.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

process.stdout.write(
  `node ${process.version}, ${os.cpus().length} cores, load average ${os
    .loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}; ${runs} runs each, variants in turn\n\n`,
);
process.stdout.write(
  '| command | runs from | runs | min ms | median ms | max ms |\n| --- | --- | ---: | ---: | ---: | ---: |\n',
);
for (const row of rows) {
  const sorted = [...row.times].sort((a, b) => a - b);
  process.stdout.write(
    `| ${row.command} | ${row.variant} | ${row.times.length} | ${(sorted[0] as number).toFixed(0)} | ${median(row.times).toFixed(0)} | ${(sorted[sorted.length - 1] as number).toFixed(0)} |\n`,
  );
}
