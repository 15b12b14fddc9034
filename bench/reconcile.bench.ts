/**
 * Benchmark of the GitOps controller (docs/architecture.md#one-pipeline-from-source-to-status, docs/architecture.md#performance-budget): reconcile times, the controller's memory
 * and push → applied latency, on a fresh in-memory Temporal dev server with one `jobnet worker`
 * process. The controller (the `Reconciler`, its sources, the API) runs in this process, so the
 * RSS and heap reported are the controller's alone; the worker and the dev server are separate
 * processes.
 *
 * 1. Full apply: N new jobnets × J jobs (bench/generate-repo.ts) in a directory source. Every
 *    jobnet with a start trigger gets `validFrom` months ahead (in its `days`, or in the DayPattern
 *    it takes its days from), so the actors only sleep on a far timer and no run starts (checked
 *    from visibility at the end). Measures the first reconcile split into steps, and the time
 *    until every actor has published its digest (observeActors shows N with the compiled digest).
 * 2. No-op reconciles of the same N: a second `reconcile()` of the same Reconciler (the resync
 *    path: fetch, observe, plan, nothing applied) and the first `reconcile()` of a new Reconciler
 *    (a controller restart: fetch, validate, compile, observe, plan, nothing applied).
 * 3. One jobnet changed in the directory: the reconcile, and when the actor holds the revision.
 * 4. Push → applied with a git remote (a bare repository and a work tree): K pushes each changing
 *    one jobnet, (a) with a signed push webhook to a real `startApiServer` wired to
 *    `reconciler.request()` (poll interval 10 min), (b) with polling only (`--poll-interval`);
 *    latency from `git push` returning until the changed jobnet's actor answers its view query
 *    with the pushed commit as its revision. The periodic resync is off (`resyncIntervalMs: 0`)
 *    so that only the path measured can pick a push up.
 *
 * Steps are timed on the real Reconciler, not on a copy of its pipeline: the source is wrapped to
 * note when `fetch()` returns, and the Temporal client to note the visibility list (observe) and
 * the first `signalWithStart` (apply). fetch → list call is validate + compile; validate and
 * compile alone are timed once by calling the same functions on the same snapshot.
 *
 * Prints Markdown tables on stdout (progress on stderr). Figures go to docs/performance.md.
 * This is a script, not a test: the docs/architecture.md#performance-budget goals are compared here, never asserted.
 *
 * Usage: npx tsx bench/reconcile.bench.ts [--jobnets 1000] [--jobs 20] [--pushes 5]
 *   [--poll-interval 5] [--keep]
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Client } from '@temporalio/client';
import { parseDocument } from 'yaml';
import { startApiServer } from '../controller/api/api-server.js';
import { compileAllJobnets } from '../controller/compile/compile-jobnet.js';
import { validateSnapshot } from '../controller/definitions/validate-repository.js';
import { getJobnetView, publishControllerStatus } from '../controller/jobnets/jobnet-client.js';
import type { ControllerStatus } from '../controller/reconcile/controller-status.js';
import { observeActors } from '../controller/reconcile/observe.js';
import type { ActionKind } from '../controller/reconcile/plan.js';
import { Reconciler, type ReconcileOutcome } from '../controller/reconcile/reconciler.js';
import { DirectorySource } from '../controller/source/directory-source.js';
import { GitSource } from '../controller/source/git-source.js';
import type { DefinitionSource } from '../controller/source/source-types.js';
import { githubSignature } from '../controller/source/webhook-signature.js';
import { startDevServer } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import { startWorkerProcess, stopWorkerProcesses } from '../test/integration/worker-process.js';
import { parseBenchArgs } from './bench-options.js';
import { generateRepo } from './generate-repo.js';

const { numbers, flags, positionals } = parseBenchArgs(
  process.argv.slice(2),
  ['jobnets', 'jobs', 'pushes', 'poll-interval'] as const,
  ['keep'] as const,
);
if (positionals.length > 0)
  throw new Error('usage: reconcile.bench.ts [--jobnets 1000] [--jobs 20] [--pushes 5] [--poll-interval 5] [--keep]');
const requestedJobnets = numbers.jobnets ?? 1000;
const jobsPerJobnet = numbers.jobs ?? 20;
const pushes = numbers.pushes ?? 5;
const pollIntervalMs = (numbers['poll-interval'] ?? 5) * 1000;
/** The environment the controller compiles for (the generated repository defines dev and prod). */
const environment = 'prod';
const webhookSecret = 'bench-webhook-secret';
/** The Reconciler's default `resyncIntervalMs`. */
const defaultResyncMs = 30_000;
/** A push not seen on its actor after this long is reported as not applied. */
const pushTimeoutMs = 120_000;

const exec = promisify(execFile);
const loadAtStart = os.loadavg();

function log(message: string): void {
  process.stderr.write(`[reconcile] ${new Date().toISOString()} ${message}\n`);
}

async function sleep(ms: number): Promise<void> {
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// The controller's memory: this process's RSS and heap; after a full GC for what stays retained.

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as unknown;

interface MemorySample {
  rssMiB: number;
  heapUsedMiB: number;
  /** heapUsed after a full garbage collection (what the controller keeps). */
  retainedHeapMiB: number;
  /** The process's peak RSS so far. */
  peakRssMiB: number;
}

function controllerMemory(): MemorySample {
  const { rss, heapUsed } = process.memoryUsage();
  if (typeof collectGarbage === 'function') (collectGarbage as () => void)();
  return {
    rssMiB: rss / 2 ** 20,
    heapUsedMiB: heapUsed / 2 ** 20,
    retainedHeapMiB: process.memoryUsage().heapUsed / 2 ** 20,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

function processRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

// ---------------------------------------------------------------------------------------------
// The repository: generated, then every start moved months ahead so that no run starts.

interface BenchRepo {
  dir: string;
  jobnets: number;
  jobs: number;
  files: number;
  megabytes: number;
  /** Jobnet files no other jobnet runs as a child (changing one changes one digest), spread over projects. */
  changeable: { project: string; name: string; file: string }[];
}

function prepareRepo(dir: string, validFrom: string): BenchRepo {
  const projects = Math.min(10, requestedJobnets);
  const generated = generateRepo(dir, {
    projects,
    jobnetsPerProject: Math.ceil(requestedJobnets / projects),
    jobsPerJobnet,
  });
  const pattern = join(dir, 'daypatterns', 'month-end.yaml');
  rewriteYaml(pattern, (document) => document.setIn(['spec', 'validFrom'], validFrom));
  const changeable: { project: string; name: string; file: string; n: number }[] = [];
  let bytes = 0;
  for (const project of readdirSync(join(dir, 'projects')).sort()) {
    for (const entry of readdirSync(join(dir, 'projects', project, 'jobnets')).sort()) {
      const file = join(dir, 'projects', project, 'jobnets', entry);
      rewriteYaml(file, (document) => {
        if (document.hasIn(['spec', 'days'])) document.setIn(['spec', 'days', 'validFrom'], validFrom);
      });
      const n = Number(/^jn-(\d+)\.yaml$/.exec(entry)?.[1] ?? -1);
      // The generator lets jobnets 0–4 of each ten run 5–9 as children: 0–4 are nobody's child.
      if (n >= 0 && n % 10 < 5) changeable.push({ project, name: entry.replace(/\.yaml$/, ''), file, n });
    }
  }
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(path, entry.name));
      else bytes += readFileSync(join(path, entry.name)).byteLength;
    }
  };
  walk(dir);
  changeable.sort((a, b) => a.n - b.n || (a.project < b.project ? -1 : 1));
  return {
    dir,
    jobnets: generated.jobnets,
    jobs: generated.jobs,
    files: generated.files,
    megabytes: bytes / 1e6,
    changeable: changeable.map(({ project, name, file }) => ({ project, name, file })),
  };
}

function rewriteYaml(file: string, change: (document: ReturnType<typeof parseDocument>) => void): void {
  const document = parseDocument(readFileSync(file, 'utf8'));
  change(document);
  writeFileSync(file, String(document));
}

/** Changes what one jobnet's REST jobs send (its `JOB_PREFIX` variable): its digest changes, no other's. */
function changeJobnet(file: string, tag: string): void {
  rewriteYaml(file, (document) => {
    const prefix = String(document.getIn(['spec', 'variables', 'JOB_PREFIX']));
    document.setIn(['spec', 'variables', 'JOB_PREFIX'], `${prefix.replace(/-r\d+$/, '')}-${tag}`);
  });
}

// ---------------------------------------------------------------------------------------------
// Step marks: set by the wrapped source and client while a reconcile runs.

interface StepMarks {
  start: number;
  fetched?: number;
  observeStart?: number;
  observeEnd?: number;
  applyStart?: number;
}

let marks: StepMarks = { start: 0 };

/** The source as the Reconciler sees it, noting when `fetch()` returns. */
function timedSource(source: DefinitionSource): DefinitionSource {
  return {
    describe: () => source.describe(),
    fetch: async () => {
      const fetched = await source.fetch();
      marks.fetched ??= performance.now();
      return fetched;
    },
    watch: (onChange, onError) => source.watch(onChange, onError),
  };
}

/** The client as the Reconciler sees it, noting the visibility list (observe) and the first signalWithStart (apply). */
function timedClient(client: Client): Client {
  const workflow = client.workflow;
  const timedWorkflow = new Proxy(workflow, {
    get(target, property) {
      if (property === 'list') {
        return (...args: Parameters<typeof workflow.list>) => {
          marks.observeStart ??= performance.now();
          const listing = target.list(...args);
          return {
            async *[Symbol.asyncIterator]() {
              for await (const execution of listing) yield execution;
              marks.observeEnd ??= performance.now();
            },
          };
        };
      }
      if (property === 'signalWithStart') {
        return (...args: Parameters<typeof workflow.signalWithStart>) => {
          marks.applyStart ??= performance.now();
          return target.signalWithStart(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const timed = Object.create(client) as Client;
  Object.defineProperty(timed, 'workflow', { value: timedWorkflow });
  return timed;
}

interface ReconcileRow {
  label: string;
  result: ReconcileOutcome['result'];
  revision?: string;
  /** Action counts only: keeping the plan would keep its compiled jobnets alive after the controller is dropped. */
  counts?: Record<ActionKind, number>;
  fetchS: number;
  validateCompileS: number;
  observeS: number;
  planS: number;
  applyS: number;
  totalS: number;
  afterFetchS: number;
  /** performance.now() at the start and end. */
  startedAt: number;
  endedAt: number;
  memory: MemorySample;
}

/**
 * One `reconcile()` of `reconciler`, timed step by step; `inspect` sees the outcome before the
 * controller's memory is sampled. Throws when the reconcile failed or stalled.
 */
async function timedReconcile(
  label: string,
  reconciler: Reconciler,
  inspect?: (outcome: ReconcileOutcome) => void,
): Promise<ReconcileRow> {
  log(`${label}: reconcile`);
  marks = { start: performance.now() };
  const outcome = await reconciler.reconcile();
  const end = performance.now();
  const taken = marks;
  if (outcome.result === 'failed' || outcome.result === 'stalled')
    throw new Error(
      `${label}: the reconcile ${outcome.result}: ${JSON.stringify(reconciler.getStatus().conditions)} ${reconciler.getStatus().lastError ?? ''}`,
    );
  inspect?.(outcome);
  await reconciler.flushed();
  const fetched = taken.fetched ?? taken.start;
  const observeStart = taken.observeStart ?? fetched;
  const observeEnd = taken.observeEnd ?? observeStart;
  const applyStart = taken.applyStart;
  const s = (ms: number) => ms / 1000;
  const row: ReconcileRow = {
    label,
    result: outcome.result,
    fetchS: s(fetched - taken.start),
    validateCompileS: s(observeStart - fetched),
    observeS: s(observeEnd - observeStart),
    planS: s((applyStart ?? end) - observeEnd),
    applyS: applyStart === undefined ? 0 : s(end - applyStart),
    totalS: s(end - taken.start),
    afterFetchS: s(end - fetched),
    startedAt: taken.start,
    endedAt: end,
    memory: controllerMemory(),
  };
  if (outcome.revision !== undefined) row.revision = outcome.revision;
  if (outcome.plan !== undefined) row.counts = { ...outcome.plan.counts };
  log(`${label}: ${row.totalS.toFixed(2)} s, ${countsText(row.counts)}`);
  return row;
}

function countsText(counts: Record<ActionKind, number> | undefined): string {
  if (counts === undefined) return '–';
  const { create, update, noop, retire, delete: deleted } = counts;
  return `${create} / ${update} / ${noop}${retire + deleted > 0 ? ` (+${retire} retire, ${deleted} delete)` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Waiting for what Temporal holds.

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() > deadline)
      throw new Error(
        `${what}: not reached in ${timeoutMs} ms (${lastError instanceof Error ? lastError.message : 'no error'})`,
      );
    await sleep(everyMs);
  }
}

/** Resolves at the instant (performance.now()) the jobnet's actor answers with `revision`. */
async function actorHolds(
  client: Client,
  project: string,
  name: string,
  revision: string,
  timeoutMs: number,
): Promise<number> {
  return await until(
    `${project}/${name} on ${revision}`,
    async () =>
      (await getJobnetView(client, taskQueue, project, name)).revision === revision ? performance.now() : undefined,
    timeoutMs,
    50,
  );
}

/** First instants (performance.now()) at which the status showed a revision fetched and applied. */
class StatusTimes {
  readonly fetched = new Map<string, number>();
  readonly applied = new Map<string, number>();
  record(status: ControllerStatus): void {
    const now = performance.now();
    if (status.fetchedRevision !== undefined && !this.fetched.has(status.fetchedRevision))
      this.fetched.set(status.fetchedRevision, now);
    if (status.appliedRevision !== undefined && !this.applied.has(status.appliedRevision))
      this.applied.set(status.appliedRevision, now);
  }
}

// ---------------------------------------------------------------------------------------------
// Figures.

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

interface PushSample {
  revision: string;
  jobnet: string;
  /** Seconds from `git push` returning; NaN when not reached. */
  fetchedS: number;
  appliedS: number;
  actorS: number;
}

// ---------------------------------------------------------------------------------------------
// Phases 1–3.

type NewReconciler = (source: DefinitionSource) => Reconciler;

/** Stops a controller and forgets it. */
async function dropReconciler(reconcilers: Reconciler[], reconciler: Reconciler): Promise<void> {
  await reconciler.stop();
  await reconciler.flushed();
  reconcilers.splice(reconcilers.indexOf(reconciler), 1);
}

/** validateSnapshot and compileAllJobnets alone, on the snapshot the directory source reads. */
async function measurePureSteps(dir: string): Promise<{ validateS: number; compileS: number }> {
  const snapshot = await new DirectorySource(dir).fetch();
  let started = performance.now();
  const validated = validateSnapshot(snapshot.snapshot, { oversized: snapshot.oversized });
  const validateS = (performance.now() - started) / 1000;
  if (!validated.ok)
    throw new Error(
      `the generated repository does not validate: ${validated.diagnostics
        .slice(0, 3)
        .map((d) => `${d.file}:${d.line} ${d.message}`)
        .join('; ')}`,
    );
  started = performance.now();
  const compiled = compileAllJobnets(validated.value, { environment });
  const compileS = (performance.now() - started) / 1000;
  if (!compiled.ok || compiled.failures.length > 0) throw new Error('the generated repository does not compile');
  log(`validate ${validateS.toFixed(2)} s, compile ${compileS.toFixed(2)} s`);
  return { validateS, compileS };
}

/** 1. The first reconcile of N new jobnets, until every actor published its digest; 2a. the resync. */
async function measureFullApplyAndResync(
  newReconciler: NewReconciler,
  reconcilers: Reconciler[],
  dir: string,
  client: Client,
  taskQueue: string,
  jobnets: number,
  workerPid: number,
) {
  const first = newReconciler(new DirectorySource(dir));
  const digests = new Map<string, string>();
  const fullApply = await timedReconcile(`full apply of ${jobnets} jobnets`, first, (outcome) => {
    for (const action of outcome.plan?.actions ?? [])
      if (action.kind === 'create' && action.desired.digest !== undefined)
        digests.set(`${action.project}/${action.name}`, action.desired.digest);
  });
  // How many actors visibility shows with their digest when the reconcile returned, and when the
  // controller's default periodic resync (30 s after start) would observe them again.
  const published: { whenReturned?: number; atDefaultResync?: number; defaultResyncAtS?: number } = {};
  const allPublishedAt = await until(
    'every actor publishing its digest',
    async () => {
      const actors = await observeActors(client, taskQueue);
      const count = actors.filter(
        (actor) => actor.digest !== undefined && digests.get(`${actor.project}/${actor.name}`) === actor.digest,
      ).length;
      published.whenReturned ??= count;
      // A resync due while the reconcile runs starts as soon as it ends (Reconciler.request()).
      const sinceStart = performance.now() - fullApply.startedAt;
      if (sinceStart >= defaultResyncMs && published.atDefaultResync === undefined) {
        published.atDefaultResync = count;
        published.defaultResyncAtS = sinceStart / 1000;
      }
      return count === jobnets ? performance.now() : undefined;
    },
    600_000,
    500,
  );
  const workerRssMiB = processRssMiB(workerPid);
  log(
    `every actor published its digest ${((allPublishedAt - fullApply.startedAt) / 1000).toFixed(1)} s after the reconcile began`,
  );
  const resync = await timedReconcile('no-op: second reconcile, same controller (resync)', first);
  await dropReconciler(reconcilers, first);
  return { fullApply, resync, allPublishedAt, published, workerRssMiB };
}

/** 2b. A new controller on the unchanged directory; 3. one jobnet changed, applied by it. */
async function measureRestartAndOneChange(
  newReconciler: NewReconciler,
  reconcilers: Reconciler[],
  dir: string,
  client: Client,
  changed: { project: string; name: string; file: string },
) {
  const restarted = newReconciler(new DirectorySource(dir));
  const beforeRestart = controllerMemory();
  const restart = await timedReconcile('no-op: new controller (restart)', restarted);
  changeJobnet(changed.file, 'r1');
  const oneChange = await timedReconcile(`one jobnet changed (${changed.project}/${changed.name})`, restarted);
  const changeSeenAt = await actorHolds(client, changed.project, changed.name, oneChange.revision ?? '', 60_000);
  await dropReconciler(reconcilers, restarted);
  return { beforeRestart, restart, oneChange, changeSeenAt };
}

// ---------------------------------------------------------------------------------------------

const root = await mkdtemp(join(os.tmpdir(), 'jobnet-reconcile-bench-'));
const workDir = join(root, 'work');
const remote = join(root, 'remote.git');
const validFrom = new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);
log(`generating the repository in ${workDir} (starts from ${validFrom} on)`);
const repo = prepareRepo(workDir, validFrom);
log(`${repo.files} files, ${repo.jobnets} jobnets, ${repo.jobs} jobs, ${repo.megabytes.toFixed(1)} MB`);
if (repo.changeable.length < 1 + 2 * pushes)
  throw new Error(
    `--pushes ${pushes} needs ${1 + 2 * pushes} jobnets that are nobody's child; the repository has ${repo.changeable.length}`,
  );

const server = await startDevServer();
const taskQueue = `bench-reconcile-${Date.now()}`;
const temporal = await connectClient({ address: server.address, namespace: server.namespace, taskQueue });
const client = temporal.client;
const reconcilers: Reconciler[] = [];
let closeApi: (() => Promise<void>) | undefined;
try {
  const worker = await startWorkerProcess(server.address, server.namespace, taskQueue);
  const statusTimes = new StatusTimes();
  const controllerClient = timedClient(client);
  const newReconciler = (source: DefinitionSource): Reconciler => {
    const reconciler = new Reconciler({
      client: controllerClient,
      taskQueue,
      source: timedSource(source),
      environment,
      resyncIntervalMs: 0,
      publish: async (status) => await publishControllerStatus(client, taskQueue, status),
      onStatus: (status) => statusTimes.record(status),
      log: (level, message, fields) =>
        log(`controller ${level}: ${message}${fields !== undefined ? ` ${JSON.stringify(fields)}` : ''}`),
    });
    reconcilers.push(reconciler);
    return reconciler;
  };

  // Validate and compile alone; then the phases. Each phase is a function, so that what one
  // controller held is garbage before the next one's memory is sampled.
  const { validateS, compileS } = await measurePureSteps(workDir);
  const idle = controllerMemory();
  const { fullApply, resync, allPublishedAt, published, workerRssMiB } = await measureFullApplyAndResync(
    newReconciler,
    reconcilers,
    workDir,
    client,
    taskQueue,
    repo.jobnets,
    worker.pid ?? 0,
  );
  const { beforeRestart, restart, oneChange, changeSeenAt } = await measureRestartAndOneChange(
    newReconciler,
    reconcilers,
    workDir,
    client,
    repo.changeable[0]!,
  );

  // 4. Push → applied with a git remote.
  const git = async (...args: string[]): Promise<string> =>
    (
      await exec(
        'git',
        ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.test', '-c', 'init.defaultBranch=main', ...args],
        { cwd: workDir, maxBuffer: 64 * 2 ** 20 },
      )
    ).stdout.trim();
  await exec('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  await git('init', '-q', '-b', 'main');
  await git('remote', 'add', 'origin', remote);
  await git('add', '-A');
  await git('commit', '-q', '-m', 'generated definitions');
  await git('push', '-q', 'origin', 'main');
  const cacheDir = join(root, 'cache');

  const pushOne = async (
    reconciler: Reconciler,
    target: { project: string; name: string; file: string },
    tag: string,
    notify: (revision: string) => Promise<void>,
  ): Promise<PushSample> => {
    changeJobnet(target.file, tag);
    await git('commit', '-q', '-a', '-m', `${target.project}/${target.name} ${tag}`);
    await git('push', '-q', 'origin', 'main');
    const pushedAt = performance.now();
    const revision = await git('rev-parse', 'HEAD');
    marks = { start: pushedAt };
    await notify(revision);
    let actorS = Number.NaN;
    try {
      // Query the actor only once the apply has begun: queries every 50 ms during the whole
      // reconcile would load the worker and the server while the controller validates.
      await until('the apply beginning', () => Promise.resolve(marks.applyStart), pushTimeoutMs, 10);
      actorS = ((await actorHolds(client, target.project, target.name, revision, pushTimeoutMs)) - pushedAt) / 1000;
    } catch (error) {
      log(`push ${tag}: ${error instanceof Error ? error.message : String(error)}`);
    }
    await reconciler.settled();
    await reconciler.flushed();
    const since = (at: number | undefined) => (at === undefined ? Number.NaN : (at - pushedAt) / 1000);
    const sample = {
      revision,
      jobnet: `${target.project}/${target.name}`,
      fetchedS: since(statusTimes.fetched.get(revision)),
      appliedS: since(statusTimes.applied.get(revision)),
      actorS,
    };
    log(
      `push ${tag} (${sample.jobnet}): fetched ${fixed(sample.fetchedS)} s, applied ${fixed(sample.appliedS)} s, actor ${fixed(sample.actorS)} s`,
    );
    return sample;
  };

  // (a) The webhook; the source polls every 10 minutes. (b) Polling only; pushes land at spread
  // phases of the poll cycle (golden-ratio offsets). Each in a function, so that one controller
  // is garbage before the next starts.
  const measureWebhook = async (): Promise<{ gitStart: ReconcileRow; samples: PushSample[] }> => {
    const reconciler = newReconciler(new GitSource({ url: remote, branch: 'main', cacheDir, pollIntervalMs: 600_000 }));
    const gitStart = await timedReconcile('git source: new controller (clone, nothing applied)', reconciler);
    const api = await startApiServer({
      port: 0,
      status: () => reconciler.getStatus(),
      webhook: { secret: webhookSecret, source: { url: remote, branch: 'main' }, onPush: () => reconciler.request() },
    });
    closeApi = () => api.close();
    reconciler.start();
    await reconciler.settled();
    await reconciler.flushed();
    const samples: PushSample[] = [];
    for (let i = 0; i < pushes; i++) {
      samples.push(
        await pushOne(reconciler, repo.changeable[1 + i]!, `r${2 + i}`, async (revision) => {
          const body = JSON.stringify({ ref: 'refs/heads/main', after: revision, repository: { clone_url: remote } });
          const answer = await fetch(`${api.url}/api/v1/hooks/git`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-github-event': 'push',
              'x-hub-signature-256': githubSignature(body, webhookSecret),
            },
            body,
          });
          const text = await answer.text();
          if (answer.status !== 202 || !text.includes('"accepted":true'))
            throw new Error(`the webhook was not accepted: ${answer.status} ${text}`);
        }),
      );
      await sleep(1000);
    }
    await dropReconciler(reconcilers, reconciler);
    await api.close();
    closeApi = undefined;
    return { gitStart, samples };
  };
  const measurePolling = async (): Promise<PushSample[]> => {
    const reconciler = newReconciler(new GitSource({ url: remote, branch: 'main', cacheDir, pollIntervalMs }));
    reconciler.start();
    await reconciler.settled();
    await reconciler.flushed();
    const samples: PushSample[] = [];
    for (let i = 0; i < pushes; i++) {
      await sleep((((i + 1) * 0.618_034) % 1) * pollIntervalMs);
      samples.push(
        await pushOne(reconciler, repo.changeable[1 + pushes + i]!, `r${2 + pushes + i}`, () => Promise.resolve()),
      );
    }
    await dropReconciler(reconcilers, reconciler);
    return samples;
  };
  const { gitStart, samples: webhookSamples } = await measureWebhook();
  const pollingSamples = await measurePolling();
  const afterPushes = controllerMemory();

  const runs = (await client.workflow.count("WorkflowType = 'runWorkflow'")).count;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const loadAtEnd = os.loadavg();

  // ---------------------------------------------------------------------------------------------
  const out: string[] = [];
  const loads = (values: number[]) => values.map((value) => value.toFixed(2)).join(' / ');
  out.push('#### Machine', '');
  out.push('| cores | CPU | memory GiB | node | load average 1/5/15 min at start | at end |');
  out.push('| ---: | --- | ---: | --- | --- | --- |');
  out.push(
    `| ${os.availableParallelism()} | ${os.cpus()[0]?.model ?? '?'} | ${(os.totalmem() / 2 ** 30).toFixed(0)} | ${process.version} | ${loads(loadAtStart)} | ${loads(loadAtEnd)} |`,
    '',
  );

  out.push('#### Repository and the pure steps (same functions as the reconciler, same snapshot)', '');
  out.push(
    '| jobnets | jobs | files | MB | validate s | compile s | controller RSS MiB before the first reconcile | heap retained MiB |',
  );
  out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  out.push(
    `| ${repo.jobnets} | ${repo.jobs} | ${repo.files} | ${repo.megabytes.toFixed(1)} | ${fixed(validateS)} | ${fixed(compileS)} | ${idle.rssMiB.toFixed(0)} | ${idle.retainedHeapMiB.toFixed(0)} |`,
    '',
  );

  out.push('#### Reconciles (controller memory = this process, right after the reconcile)', '');
  out.push(
    '| reconcile | fetch s | validate + compile s | observe s | plan s | apply s | total s | after the fetch s | create / update / noop | RSS MiB | heapUsed MiB | heap retained after GC MiB | peak RSS so far MiB |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |');
  for (const row of [fullApply, resync, restart, oneChange, gitStart]) {
    out.push(
      `| ${row.label} | ${fixed(row.fetchS)} | ${fixed(row.validateCompileS)} | ${fixed(row.observeS)} | ${fixed(row.planS)} | ${fixed(row.applyS)} | ${fixed(row.totalS)} | ${fixed(row.afterFetchS)} | ${countsText(row.counts)} | ${row.memory.rssMiB.toFixed(0)} | ${row.memory.heapUsedMiB.toFixed(0)} | ${row.memory.retainedHeapMiB.toFixed(0)} | ${row.memory.peakRssMiB.toFixed(0)} |`,
    );
  }
  out.push('');
  out.push(
    `Controller peak RSS over the whole bench: ${peakRssMiB.toFixed(0)} MiB. Heap retained with no controller (each dropped): ${beforeRestart.retainedHeapMiB.toFixed(0)} MiB before the restart, ${afterPushes.retainedHeapMiB.toFixed(0)} MiB after the push measurements. ` +
      `The last row is the first reconcile of the git source (clone of the remote, validate, compile; nothing to apply), before the push measurements.`,
    '',
  );

  out.push('#### Actors', '');
  out.push('| what | s after the reconcile began | s after it returned |');
  out.push('| --- | ---: | ---: |');
  out.push(
    `| all ${repo.jobnets} actors show their digest in visibility (observeActors) | ${fixed((allPublishedAt - fullApply.startedAt) / 1000)} | ${fixed((allPublishedAt - fullApply.endedAt) / 1000)} |`,
  );
  out.push(
    `| the changed jobnet's actor answers with the new revision | ${fixed((changeSeenAt - oneChange.startedAt) / 1000)} | ${fixed((changeSeenAt - oneChange.endedAt) / 1000)} |`,
    '',
  );
  out.push(
    `Actors showing their digest in visibility: ${published.whenReturned ?? '–'} of ${repo.jobnets} when the reconcile returned; ` +
      (published.atDefaultResync === undefined
        ? `all of them before a controller with the default ${defaultResyncMs / 1000} s resync would have observed again. `
        : `${published.atDefaultResync} of ${repo.jobnets} ${fixed(published.defaultResyncAtS ?? Number.NaN, 1)} s after it began, when a controller with the default ${defaultResyncMs / 1000} s resync observes again ` +
          `(a jobnet observed without its digest is planned as an update and sent again). `) +
      `Worker RSS with ${repo.jobnets} idle actors: ${workerRssMiB.toFixed(0)} MiB. Runs started during the bench (visibility, \`runWorkflow\`): ${runs}.`,
    '',
  );

  out.push(`#### Push → applied (git remote, ${pushes} pushes each changing one jobnet; resync off)`, '');
  out.push(
    '| path | pushes applied | push → fetched p50 s | push → status applied p50 s | push → actor holds the commit p50 s | max s | each s | goal (docs/architecture.md#performance-budget) |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  const pushRow = (label: string, samples: PushSample[], goal: string) => {
    const actor = samples.map((sample) => sample.actorS).filter(Number.isFinite);
    out.push(
      `| ${label} | ${actor.length} of ${samples.length} | ${fixed(median(samples.map((s) => s.fetchedS).filter(Number.isFinite)))} | ${fixed(median(samples.map((s) => s.appliedS).filter(Number.isFinite)))} | ${fixed(median(actor))} | ${fixed(actor.length > 0 ? Math.max(...actor) : Number.NaN)} | ${samples.map((s) => fixed(s.actorS, 1)).join(', ')} | ${goal} |`,
    );
  };
  pushRow('signed webhook → `reconciler.request()` (poll every 10 min)', webhookSamples, '< 5 s');
  pushRow(
    `polling \`git ls-remote\` every ${pollIntervalMs / 1000} s`,
    pollingSamples,
    `≤ ${pollIntervalMs / 1000 + 2} s`,
  );
  out.push('');
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  for (const reconciler of reconcilers) await reconciler.stop();
  await closeApi?.();
  await stopWorkerProcesses();
  await temporal.close();
  await server.stop();
  if (flags.keep) log(`kept ${root}`);
  else await rm(root, { recursive: true, force: true });
}
