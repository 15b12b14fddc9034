/**
 * Chaos soak (docs/performance.md#chaos-soak): a bounded mixed workload run while its processes are
 * SIGKILLed and restarted at random, then invariants checked from the loopback target's own counts
 * and from Temporal visibility.
 *
 * Workload, applied by a real `jobnet controller` process from a definitions directory and run by
 * two `jobnet worker` processes on one task queue:
 * - `tick-a`, `tick-b`: time starts every minute; a REST call (no polling) holding the exclusive
 *   resource `soak-lock`, then a 2 s sleep;
 * - `evt`: started by the event SOAK_GO with a unique parameter; a REST job that submits, then
 *   polls every second until the target answers DONE on the 3rd poll. Its runs are one at a time, so
 *   SOAK_GO is raised every `--event-every` seconds (default 4 on a dev server, 20 on the cluster,
 *   where a run under chaos takes about 13 s): a rate the runs keep up with;
 * - `term`: started by SOAK_TERM with a unique parameter; a REST job polling forever, which the
 *   harness force-terminates once it polls: its termination request must reach the target once;
 * - `fail`: started by SOAK_FAIL as a copy (`fail_<param>`); a REST call the target answers with
 *   500 for every other parameter, so those runs abend on their own (not by an operator).
 * An IncidentPolicy sends every trouble to the ServiceNow Table API stand-in
 * (test/emulators/servicenow-server.ts), its password an environment reference the workers resolve.
 * Victims: a worker, the Temporal server (the dev server on its database file, or with
 * `--cluster` one service of scripts/cluster.sh's cluster or its PostgreSQL), and the controller.
 *
 * Invariants (each reported with its figures):
 * - time starts: per jobnet, runs + recorded refusals/skips = due minutes, no minute twice;
 * - REST requests: no event parameter submitted twice; each one not submitted is explained by an
 *   abended run or is still queued in the actor (a backlog, reported apart); no id polled more
 *   than pollingCount allows, and every normal run polled exactly 3;
 * - terminations: every force-terminated job sent exactly one termination request;
 * - no run stuck (no open run with a job still running once the workload has settled);
 * - no resource held by a run that no longer runs;
 * - incidents: every trouble of every soak actor (abends of `term` and `fail` copies, refusals and
 *   skips of the time starts) opened exactly one incident — one record per correlation id, one
 *   per trouble — and no record stands for no trouble.
 *
 * Settling (after the workload): until no run has a job running and no raise is queued in `evt`, at
 * most 150 s, and beyond that for as long as the queue still shrinks (a queued raise started in the
 * last 60 s), at most 10 min in all; then the invariants are read whatever the state.
 *
 * Usage: npx tsx bench/chaos-soak.ts [--minutes 3] [--kill-every 20] [--event-every S] [--seed N] [--cluster]
 * The 3-minute version runs in the test suite (test/integration/chaos-soak.test.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getJobnetView, operateJobnet, raiseEvent } from '../controller/jobnets/jobnet-client.js';
import { listResourceLocks } from '../controller/resources/resource-client.js';
import { freePort, startDevServer, type DevServer } from '../controller/temporal/dev-server.js';
import { connectClient, type TemporalClientHandle } from '../controller/temporal/temporal-target.js';
import { runViewQuery, type RunView } from '../workflows/run-contract.js';
import type { JobnetTrouble } from '../workflows/lib/jobnet-state.js';
import { isWorkflowNotFound } from '../workflows/lib/temporal-refusals.js';
import { searchAttributeNames, visibilityLiteral, workflowTypes } from '../workflows/lib/wire-contract.js';
import { startServiceNowStandIn } from '../test/emulators/servicenow-server.js';
import { startRestTarget } from '../test/integration/rest-target.js';
import { killWorkerProcess, startWorkerProcess } from '../test/integration/worker-process.js';
import { parseBenchArgs } from './bench-options.js';

export interface SoakOptions {
  minutes: number;
  /** Mean seconds between two kills. */
  killEverySeconds: number;
  seed: number;
  /** Seconds between two SOAK_GO raises, a multiple of the workload's 4 s step (default 4; 20 with `cluster`). */
  eventEverySeconds?: number;
  /** Against scripts/cluster.sh's cluster (killing its services and PostgreSQL) instead of a dev server. */
  cluster: boolean;
  log?: (line: string) => void;
}

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SoakReport {
  invariants: Invariant[];
  kills: { atSeconds: number; victim: string; downSeconds: number }[];
  figures: Record<string, number>;
}

const projectRoot = path.resolve(import.meta.dirname, '..');
const clusterScript = path.join(projectRoot, 'scripts', 'cluster.sh');
const project = 'soak';
const pollsToDone = 3;
const serviceNowUser = 'svc_soak';
const serviceNowPasswordEnv = 'JOBNET_SOAK_SN_PASSWORD';

/** A small seeded generator (mulberry32): the same seed, the same kill schedule. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function definitions(dir: string, targetUrl: string, serviceNowUrl: string): void {
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  write('jobnet.yaml', 'apiVersion: jobnet/v1\nkind: Settings\nmetadata: {name: settings}\nspec:\n  timezone: UTC\n');
  write(
    'credentials/servicenow.yaml',
    `apiVersion: jobnet/v1
kind: Credential
metadata: {name: servicenow}
spec:
  type: basic
  user: ${serviceNowUser}
  password: {secretRef: {env: ${serviceNowPasswordEnv}}}
`,
  );
  // Only jobnetAbended has a rule; the other kinds are registered with 3/3 for every jobnet.
  write(
    'incidents/servicenow.yaml',
    `apiVersion: jobnet/v1
kind: IncidentPolicy
metadata: {name: servicenow}
spec:
  serviceNow:
    instanceUrl: ${serviceNowUrl}
    credential: servicenow
  rules:
    jobnetAbended:
      impact: 2
      urgency: 2
      include:
        - {project: ${project}, jobnet: "*"}
`,
  );
  write(
    `projects/${project}/jobnets/fail.yaml`,
    `apiVersion: jobnet/v1
kind: Jobnet
metadata: {project: ${project}, name: fail}
spec:
  start:
    events: {names: [SOAK_FAIL], whileRunning: true}
  jobs:
    call:
      type: rest
      request:
        url: ${targetUrl}/fail
        method: POST
        timeout: 10
        body: {param: "@.VPARAM@"}
`,
  );
  write(
    `projects/${project}/project.yaml`,
    `apiVersion: jobnet/v1\nkind: Project\nmetadata: {name: ${project}}\nspec: {}\n`,
  );
  for (const name of ['tick-a', 'tick-b']) {
    write(
      `projects/${project}/jobnets/${name}.yaml`,
      `apiVersion: jobnet/v1
kind: Jobnet
metadata: {project: ${project}, name: ${name}}
spec:
  start:
    every: {minutes: 1, from: "00:00", until: "23:59"}
  jobs:
    call:
      type: rest
      exclusive: [soak-lock]
      request:
        url: ${targetUrl}/tick/${name}
        method: POST
        timeout: 10
        body: {jobnet: ${name}}
    nap: {type: sleep, seconds: 2, after: [call]}
`,
    );
  }
  write(
    `projects/${project}/jobnets/evt.yaml`,
    `apiVersion: jobnet/v1
kind: Jobnet
metadata: {project: ${project}, name: evt}
spec:
  start:
    events: {names: [SOAK_GO], whileRunning: true}
  jobs:
    call:
      type: rest
      request:
        url: ${targetUrl}/submit
        method: POST
        timeout: 10
        body: {param: "@.VPARAM@"}
        takeoverKeys: {ID: id}
      monitoring:
        url: ${targetUrl}/status/<ID>
        method: GET
        firstMonitorInterval: 1
        pollingInterval: 1
        pollingCount: 0
        pollingEndKey: state
        pollingEndVal: [DONE]
        checkResultKey: state
        checkResultVal: [DONE]
`,
  );
  write(
    `projects/${project}/jobnets/term.yaml`,
    `apiVersion: jobnet/v1
kind: Jobnet
metadata: {project: ${project}, name: term}
spec:
  start:
    events: {names: [SOAK_TERM], whileRunning: true}
  jobs:
    call:
      type: rest
      request:
        url: ${targetUrl}/long
        method: POST
        timeout: 10
        body: {param: "@.VPARAM@"}
        takeoverKeys: {ID: id}
      monitoring:
        url: ${targetUrl}/status/<ID>
        method: GET
        firstMonitorInterval: 1
        pollingInterval: 1
        pollingCount: 0
        pollingEndKey: state
        pollingEndVal: [DONE]
        checkResultKey: state
        checkResultVal: [DONE]
      termination:
        url: ${targetUrl}/terminate/<ID>
        method: POST
        body: {id: "<ID>"}
`,
  );
}

function paramOf(body: string): string {
  try {
    const param = (JSON.parse(body) as { param?: unknown }).param;
    return typeof param === 'string' ? param : '';
  } catch {
    return '';
  }
}

export async function runChaosSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? ((line: string) => console.error(line));
  const rng = random(options.seed);
  const root = mkdtempSync(path.join(tmpdir(), 'jobnet-soak-'));
  const defsDir = path.join(root, 'defs');
  const taskQueue = `soak-${Date.now().toString(36)}`;
  const target = await startRestTarget();
  // The status route depends on the id in the path: one route per id is set when it is issued.
  const pollCounts = new Map<string, number>();
  const issue = (id: string) => {
    if (pollCounts.has(id)) return;
    pollCounts.set(id, 0);
    target.route('GET', `/status/${id}`, (_request, count) => {
      pollCounts.set(id, count);
      return { body: { state: id.startsWith('e-') && count >= pollsToDone ? 'DONE' : 'RUNNING' } };
    });
    if (id.startsWith('t-')) target.route('POST', `/terminate/${id}`, { body: { ok: true } });
  };
  target.route('POST', '/submit', (request, count) => {
    const id = `e-${paramOf(request.body)}-${count}`;
    issue(id);
    return { body: { id } };
  });
  target.route('POST', '/long', (request, count) => {
    const id = `t-${paramOf(request.body)}-${count}`;
    issue(id);
    return { body: { id } };
  });
  target.route('POST', '/tick/tick-a', { body: { ok: true } });
  target.route('POST', '/tick/tick-b', { body: { ok: true } });
  // `f<n>`: 500 for an even n, so every other `fail` copy abends.
  target.route('POST', '/fail', (request) =>
    Number(paramOf(request.body).slice(1)) % 2 === 0
      ? { status: 500, body: { error: 'soak' } }
      : { body: { ok: true } },
  );
  const serviceNowPassword = `soak-${randomBytes(8).toString('hex')}`;
  const serviceNow = await startServiceNowStandIn(serviceNowUser, serviceNowPassword);
  // The workers resolve the credential's reference; the controller gets it too, as a deployment would.
  const processEnv = { ...process.env, [serviceNowPasswordEnv]: serviceNowPassword };
  definitions(defsDir, target.url, serviceNow.url);

  // --- Temporal ---
  let devServer: DevServer | undefined;
  let address: string;
  const namespace = 'default';
  const dbFile = path.join(root, 'temporal.db');
  let devPort = 0;
  if (options.cluster) {
    const up = spawnSync('bash', [clusterScript, 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const found = /^TEMPORAL_ADDRESS=(.+)$/m.exec(up.stdout ?? '')?.[1];
    if (!found) throw new Error('scripts/cluster.sh up failed');
    address = found;
  } else {
    devPort = await freePort();
    devServer = await startDevServer({ dbFile, port: devPort });
    address = devServer.address;
  }
  const handle: TemporalClientHandle = await connectClient({ address, namespace, taskQueue });
  const { client } = handle;

  // --- processes ---
  const workers: (ChildProcess | undefined)[] = [undefined, undefined];
  const startWorkerAt = async (index: number) => {
    for (let attempt = 0; ; attempt++) {
      try {
        workers[index] = await startWorkerProcess(address, namespace, taskQueue, processEnv);
        return;
      } catch (error) {
        if (attempt > 30) throw error;
        await sleep(2000);
      }
    }
  };
  let controller: ChildProcess | undefined;
  let controllerLog = '';
  let keepController = true;
  const startController = () => {
    controller = spawn(
      process.execPath,
      [
        path.join(projectRoot, 'bin', 'jobnet.js'),
        'controller',
        '--repo',
        defsDir,
        '--address',
        address,
        '--namespace',
        namespace,
        '--task-queue',
        taskQueue,
        // Any free port: the default 8081 may be another controller's on this machine.
        '--listen',
        '127.0.0.1:0',
      ],
      { cwd: projectRoot, env: processEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // A controller killed holds its claim on the deployment for up to a minute (docs/operations.md,
    // "One controller per deployment"): its successor is refused and exits until then; try again.
    const child = controller;
    child.once('exit', (code) => {
      if (keepController && code !== null && controller === child)
        setTimeout(() => keepController && startController(), 5000);
    });
    controller.stdout?.on('data', (chunk: Buffer) => (controllerLog = (controllerLog + chunk.toString()).slice(-8000)));
    controller.stderr?.on('data', (chunk: Buffer) => (controllerLog = (controllerLog + chunk.toString()).slice(-8000)));
  };
  const killChild = async (child: ChildProcess | undefined) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  await Promise.all([startWorkerAt(0), startWorkerAt(1)]);
  startController();
  // Wait until the controller has applied the four actors.
  const appliedBy = Date.now() + 120_000;
  for (;;) {
    try {
      await Promise.all(
        ['tick-a', 'tick-b', 'evt', 'term', 'fail'].map((name) => getJobnetView(client, taskQueue, project, name)),
      );
      break;
    } catch {
      if (Date.now() > appliedBy)
        throw new Error(`the controller did not apply the soak definitions: ${controllerLog}`);
      await sleep(500);
    }
  }
  const startedAt = Date.now();
  const endsAt = startedAt + options.minutes * 60_000;
  log(`soak: task queue ${taskQueue} on ${address}, ${options.minutes} min, kill schedule ${options.seed}`);

  // --- chaos ---
  const kills: SoakReport['kills'] = [];
  const victims = options.cluster
    ? ['worker', 'worker', 'controller', 'frontend', 'history', 'matching', 'postgres']
    : ['worker', 'worker', 'controller', 'temporal'];
  const chaos = (async () => {
    while (Date.now() < endsAt - 20_000) {
      await sleep(options.killEverySeconds * 1000 * (0.5 + rng()));
      if (Date.now() >= endsAt - 20_000) break;
      const victim = victims[Math.floor(rng() * victims.length)]!;
      const downMs = 1000 + Math.floor(rng() * 4000);
      const at = Date.now();
      try {
        if (victim === 'worker') {
          const index = Math.floor(rng() * 2);
          await killWorkerProcess(workers[index]!);
          await sleep(downMs);
          await startWorkerAt(index);
        } else if (victim === 'controller') {
          await killChild(controller);
          await sleep(downMs);
          startController();
        } else if (victim === 'temporal') {
          if (devServer?.pid) process.kill(devServer.pid, 'SIGKILL');
          await sleep(downMs);
          devServer = await startDevServer({ dbFile, port: devPort });
        } else {
          spawnSync('bash', [clusterScript, 'kill', victim], { stdio: 'ignore' });
          await sleep(downMs);
          const up = spawnSync('bash', [clusterScript, 'up'], { stdio: 'ignore' });
          if (up.status !== 0) throw new Error(`cluster.sh up failed after killing ${victim}`);
        }
      } catch (error) {
        log(`soak: restarting ${victim} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      kills.push({
        atSeconds: Math.round((at - startedAt) / 1000),
        victim,
        downSeconds: Math.round(downMs / 100) / 10,
      });
      log(`soak: +${Math.round((at - startedAt) / 1000)} s killed ${victim}, down ${downMs} ms`);
    }
  })();

  // --- event starts and forced terminations ---
  const raised: { param: string; ok: boolean }[] = [];
  const termRaised: { param: string; ok: boolean }[] = [];
  const failRaised: { param: string; ok: boolean }[] = [];
  const terminatedIds = new Set<string>();
  let sequence = 0;
  // SOAK_GO on every `eventStride`-th step of 4 s; SOAK_TERM and SOAK_FAIL keep their steps.
  const eventStride = Math.max(1, Math.round((options.eventEverySeconds ?? (options.cluster ? 20 : 4)) / 4));
  const workload = (async () => {
    while (Date.now() < endsAt) {
      sequence += 1;
      const param = `p${sequence}`;
      if ((sequence - 1) % eventStride === 0) {
        try {
          const result = await raiseEvent(client, taskQueue, {
            event: 'SOAK_GO',
            project,
            parameter: param,
            by: 'soak',
          });
          raised.push({ param, ok: result.ok });
        } catch {
          // The answer is unknown (the server or the connection went away): the raise may or may not
          // have been taken; it is not retried, so it cannot start twice.
          raised.push({ param, ok: false });
        }
      }
      if (sequence % 3 === 0) {
        const termParam = `q${sequence}`;
        try {
          // A copy start (`term_<suffix>`): each force-terminated run is a jobnet of its own, so
          // the abended run it leaves open (awaiting an operator) holds up no other.
          const result = await raiseEvent(client, taskQueue, {
            event: 'SOAK_TERM',
            project,
            parameter: termParam,
            suffix: termParam,
            by: 'soak',
          });
          termRaised.push({ param: termParam, ok: result.ok });
        } catch {
          termRaised.push({ param: termParam, ok: false });
        }
      }
      if (sequence % 6 === 1) {
        // `f1`, `f2`, …: the target answers every other one with 500.
        const failParam = `f${failRaised.length + 1}`;
        try {
          const result = await raiseEvent(client, taskQueue, {
            event: 'SOAK_FAIL',
            project,
            parameter: failParam,
            suffix: failParam,
            by: 'soak',
          });
          failRaised.push({ param: failParam, ok: result.ok });
        } catch {
          failRaised.push({ param: failParam, ok: false });
        }
      }
      await sleep(4000);
    }
  })();
  // Force-terminates each `term` copy once its job polls (an id `t-<param>-<n>` with a poll).
  // After the workload it stops once every accepted raise's copy and every copy that polled has been
  // terminated (at least 10 s on, for a copy whose raise had no answer to poll), at most 30 s on.
  const terminatorDone = () =>
    Date.now() >= endsAt + 10_000 &&
    termRaised
      .filter((raise) => raise.ok)
      .every((raise) => [...terminatedIds].some((id) => id.split('-')[1] === raise.param)) &&
    [...pollCounts].every(([id, polls]) => !id.startsWith('t-') || polls < 1 || terminatedIds.has(id));
  const terminator = (async () => {
    while (Date.now() < endsAt + 30_000 && !terminatorDone()) {
      for (const [id, polls] of pollCounts) {
        if (!id.startsWith('t-') || polls < 1 || terminatedIds.has(id)) continue;
        const param = id.split('-')[1];
        try {
          const answer = await operateJobnet(client, taskQueue, project, `term_${param}`, {
            operation: 'forceTerminate',
            by: 'soak',
          });
          if (answer.ok) terminatedIds.add(id);
        } catch {
          // Tried again on the next round.
        }
      }
      await sleep(1000);
    }
  })();

  await workload;
  await chaos;
  log('soak: workload and chaos over; settling');
  // Everything running again (a restart may have failed while Temporal was away).
  for (let index = 0; index < 2; index++) {
    const child = workers[index];
    if (!child || child.exitCode !== null || child.signalCode !== null) await startWorkerAt(index);
  }
  if (!controller || controller.exitCode !== null) startController();
  if (options.cluster) spawnSync('bash', [clusterScript, 'up'], { stdio: 'ignore' });
  await terminator;

  // --- settle: wait until no run of the soak has a job running (bounded) ---
  const runQuery = `${searchAttributeNames.project} = ${visibilityLiteral(project)} AND TaskQueue = ${visibilityLiteral(taskQueue)} AND WorkflowType = ${visibilityLiteral(workflowTypes.run)}`;
  const openRunsWithRunningJobs = async (): Promise<{ id: string; view: RunView }[]> => {
    const open: { id: string; view: RunView }[] = [];
    for await (const execution of client.workflow.list({ query: `${runQuery} AND ExecutionStatus = 'Running'` })) {
      const view = await client.workflow.getHandle(execution.workflowId).query(runViewQuery);
      if (Object.values(view.state.jobs).some((job) => job.state === 'running'))
        open.push({ id: execution.workflowId, view });
    }
    return open;
  };
  let stuck: { id: string; view: RunView }[] = [];
  const settleStartedAt = Date.now();
  const settleBy = settleStartedAt + 150_000;
  const settleAtMost = settleStartedAt + 600_000;
  let queued = Number.POSITIVE_INFINITY;
  let queuedAtWorkloadEnd: number | undefined;
  let lastShrankAt = settleStartedAt;
  for (;;) {
    try {
      stuck = await openRunsWithRunningJobs();
      const view = await getJobnetView(client, taskQueue, project, 'evt');
      const count = Object.values(view.state.pendingEvents).reduce((sum, list) => sum + list.length, 0);
      queuedAtWorkloadEnd ??= count;
      if (count < queued) lastShrankAt = Date.now();
      queued = count;
      if (stuck.length === 0 && count === 0) break;
    } catch {
      // Temporal is still coming back.
    }
    // Past 150 s only while the queue drains: a raise of it started in the last 60 s.
    if (Date.now() > settleAtMost || (Date.now() > settleBy && Date.now() - lastShrankAt > 60_000)) break;
    await sleep(2000);
  }
  const endedAt = Date.now();

  // --- invariants ---
  const invariants: Invariant[] = [];
  const runs: { id: string; name: string; status: string; startedAt: number }[] = [];
  for await (const execution of client.workflow.list({ query: runQuery })) {
    const attributes = execution.searchAttributes as Record<string, string[] | undefined>;
    runs.push({
      id: execution.workflowId,
      name: attributes[searchAttributeNames.name]?.[0] ?? '',
      status: attributes[searchAttributeNames.runStatus]?.[0] ?? '',
      startedAt: execution.startTime.getTime(),
    });
  }

  // Time starts: due minutes from the first whole minute after the definitions were applied.
  for (const name of ['tick-a', 'tick-b']) {
    const own = runs.filter((run) => run.name === name);
    const view = await getJobnetView(client, taskQueue, project, name);
    const recorded = view.state.troubles.filter(
      (trouble) => trouble.kind === 'executionRefused' || trouble.kind === 'executionSkipped',
    ).length;
    const firstDue = Math.ceil(startedAt / 60_000) * 60_000;
    // Due until now: the schedule went on while the workload settled.
    const due = Math.max(0, Math.floor((Date.now() - firstDue) / 60_000) + 1);
    const minutes = own.map((run) => Math.floor(run.startedAt / 60_000));
    const twice = minutes.length - new Set(minutes).size;
    const requests = target.requests(`/tick/${name}`).length;
    const normal = own.filter((run) => run.status === 'normal').length;
    // A due start at the very end may or may not have come before the workload stopped.
    const accounted = own.length + recorded;
    invariants.push({
      name: `time starts of ${name}: each due minute ran once or is a recorded refusal/skip`,
      ok: twice === 0 && accounted >= due - 1 && accounted <= due + 1,
      detail: `${due} due, ${own.length} runs (${normal} normal), ${recorded} recorded, ${twice} minutes twice`,
    });
    invariants.push({
      name: `REST requests of ${name}: at most one per run, one per normal run`,
      ok: requests <= own.length && requests >= normal,
      detail: `${requests} requests for ${own.length} runs, ${normal} normal`,
    });
  }

  const submissions = new Map<string, number>();
  for (const request of target.requests('/submit')) {
    const param = paramOf(request.body);
    submissions.set(param, (submissions.get(param) ?? 0) + 1);
  }
  const evtRuns = runs.filter((run) => run.name === 'evt');
  const evtAbended = evtRuns.filter((run) => run.status !== 'normal').length;
  const raisedOk = raised.filter((raise) => raise.ok);
  const twiceSubmitted = [...submissions.values()].filter((count) => count > 1).length;
  // A raise still queued in the actor once the settling bound ran out (the runs of `evt` are one at a
  // time; when a run takes longer than the time between raises the queue grows) is not lost: it is
  // counted apart, so a loss and a backlog read differently.
  const evtView = await getJobnetView(client, taskQueue, project, 'evt');
  const stillPending = new Set(
    Object.values(evtView.state.pendingEvents)
      .flat()
      .map((raise) => raise.parameter ?? ''),
  );
  const notSubmitted = raisedOk.filter((raise) => !submissions.has(raise.param));
  const lost = notSubmitted.filter((raise) => !stillPending.has(raise.param)).length;
  invariants.push({
    name: 'event starts: every accepted raise sent exactly one request, or its run is a recorded abend, or it is still queued',
    ok: twiceSubmitted === 0 && lost <= evtAbended,
    detail: `${raised.length} raised (${raisedOk.length} accepted), ${submissions.size} submitted, ${twiceSubmitted} twice, ${notSubmitted.length} not submitted (${notSubmitted.length - lost} still queued in the actor), ${evtRuns.length} runs, ${evtAbended} not normal`,
  });
  const eIds = [...pollCounts.entries()].filter(([id]) => id.startsWith('e-'));
  const overPolled = eIds.filter(([, polls]) => polls > pollsToDone).length;
  const done = eIds.filter(([, polls]) => polls === pollsToDone).length;
  const evtNormal = evtRuns.filter((run) => run.status === 'normal').length;
  invariants.push({
    name: 'polls: no id polled after DONE; every normal run polled exactly pollingCount-to-DONE (3) times',
    ok: overPolled === 0 && done >= evtNormal,
    detail: `${eIds.length} ids, ${done} polled 3 times, ${overPolled} polled more, ${evtNormal} normal runs`,
  });

  const terminations = new Map<string, number>();
  for (const request of target.received.filter((r) => r.path.startsWith('/terminate/'))) {
    const id = request.path.slice('/terminate/'.length);
    terminations.set(id, (terminations.get(id) ?? 0) + 1);
  }
  const terminatedTwice = [...terminations.values()].filter((count) => count > 1).length;
  const terminatedNever = [...terminatedIds].filter((id) => !terminations.has(id)).length;
  const termRuns = runs.filter((run) => run.name.startsWith('term'));
  invariants.push({
    name: 'terminations: every force-terminated job sent exactly one termination request',
    ok: terminatedTwice === 0 && terminatedNever === 0,
    detail: `${terminatedIds.size} force-terminated, ${terminations.size} termination requests ids, ${terminatedTwice} twice, ${terminatedNever} never; ${termRuns.length} term runs, ${termRaised.length} raised`,
  });

  invariants.push({
    name: 'no run stuck: no open run with a job still running after settling',
    ok: stuck.length === 0,
    detail: stuck.length === 0 ? `${runs.length} runs` : stuck.map((run) => run.id).join(', '),
  });

  const locks = await listResourceLocks(client, taskQueue);
  const strayHolders: string[] = [];
  for (const lock of locks) {
    if (!lock.holder) continue;
    const description = await client.workflow.getHandle(lock.holder.requester).describe();
    const view =
      description.status.name === 'RUNNING'
        ? await client.workflow.getHandle(lock.holder.requester).query(runViewQuery)
        : undefined;
    if (!view || !Object.values(view.state.jobs).some((job) => job.state === 'running'))
      strayHolders.push(`${lock.resource} by ${lock.holder.requester}`);
  }
  invariants.push({
    name: 'resources: none held by a run that no longer runs',
    ok: strayHolders.length === 0,
    detail: strayHolders.length === 0 ? `${locks.length} locks` : strayHolders.join(', '),
  });

  // Incidents: the troubles as the actors hold them, against the stand-in's records. Delivery runs
  // behind the actors (its backoff reaches 30 s while ServiceNow or Temporal was away): wait until
  // every trouble has its record, bounded.
  const actorNames = [
    'tick-a',
    'tick-b',
    'evt',
    'term',
    'fail',
    ...termRaised.map((raise) => `term_${raise.param}`),
    ...failRaised.map((raise) => `fail_${raise.param}`),
  ];
  const readTroubles = async () => {
    const troubles: JobnetTrouble[] = [];
    for (const name of actorNames) {
      try {
        troubles.push(...(await getJobnetView(client, taskQueue, project, name)).state.troubles);
      } catch (error) {
        // A copy whose raise was not taken has no actor; anything else is a failure to read.
        if (!isWorkflowNotFound(error)) throw error;
      }
    }
    return troubles;
  };
  const recordsOf = (troubleId: string) =>
    serviceNow.records.filter((record) => record.correlation_display === troubleId);
  let troubles = await readTroubles();
  const incidentsBy = Date.now() + 120_000;
  while (troubles.some((trouble) => recordsOf(trouble.id).length === 0) && Date.now() < incidentsBy) {
    await sleep(2000);
    troubles = await readTroubles();
  }
  const perCorrelation = new Map<string, number>();
  for (const record of serviceNow.records)
    perCorrelation.set(record.correlation_id ?? '', (perCorrelation.get(record.correlation_id ?? '') ?? 0) + 1);
  const duplicated = [...perCorrelation.entries()].filter(([, count]) => count > 1).map(([id]) => id);
  const troubleIds = new Set(troubles.map((trouble) => trouble.id));
  const withoutIncident = troubles.filter((trouble) => recordsOf(trouble.id).length === 0).map((t) => t.id);
  const withSeveral = troubles.filter((trouble) => recordsOf(trouble.id).length > 1).map((t) => t.id);
  const orphans = serviceNow.records.filter((record) => !troubleIds.has(record.correlation_display ?? ''));
  const noted = troubles.filter((trouble) => trouble.incident !== undefined).length;
  const kinds = new Map<string, number>();
  for (const trouble of troubles) kinds.set(trouble.kind, (kinds.get(trouble.kind) ?? 0) + 1);
  const posts = serviceNow.requests.filter((request) => request.method === 'POST').length;
  invariants.push({
    name: 'incidents: every trouble gave exactly one incident (one record per correlation id)',
    ok:
      troubles.length > 0 &&
      duplicated.length === 0 &&
      withoutIncident.length === 0 &&
      withSeveral.length === 0 &&
      orphans.length === 0,
    detail:
      `${troubles.length} troubles (${[...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ')}), ` +
      `${serviceNow.records.length} incidents, ${perCorrelation.size} correlation ids, ${duplicated.length} duplicated, ` +
      `${withoutIncident.length} troubles without, ${orphans.length} for no trouble; ${noted} numbers on the troubles, ${posts} POSTs` +
      (withoutIncident.length + duplicated.length + orphans.length > 0
        ? `: without ${withoutIncident.slice(0, 10).join(' ')}; duplicated ${duplicated.slice(0, 10).join(' ')}; for none ${orphans
            .slice(0, 10)
            .map((record) => record.correlation_display)
            .join(' ')}`
        : ''),
  });

  const figures = {
    minutes: options.minutes,
    kills: kills.length,
    runs: runs.length,
    restRequests: target.received.length,
    troubles: troubles.length,
    incidents: serviceNow.records.length,
    settleSeconds: Math.round((endedAt - endsAt) / 1000),
    eventEverySeconds: eventStride * 4,
    queuedAtSettleStart: queuedAtWorkloadEnd ?? -1,
  };

  // --- clean up ---
  keepController = false;
  await killChild(controller);
  for (const child of workers) if (child) await killWorkerProcess(child);
  await handle.close();
  await devServer?.stop();
  await target.stop();
  await serviceNow.close();
  rmSync(root, { recursive: true, force: true });
  return { invariants, kills, figures };
}

/** The report as Markdown (docs/performance.md). */
export function renderSoakReport(report: SoakReport): string {
  const lines = [
    `| invariant | holds | figures |`,
    `| --- | --- | --- |`,
    ...report.invariants.map((inv) => `| ${inv.name} | ${inv.ok ? 'yes' : '**no**'} | ${inv.detail} |`),
    '',
    `Kills (${report.kills.length}): ${report.kills.map((k) => `+${k.atSeconds}s ${k.victim} (${k.downSeconds}s)`).join(', ')}`,
    '',
    `Figures: ${JSON.stringify(report.figures)}`,
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { numbers, flags } = parseBenchArgs(
    process.argv.slice(2),
    ['minutes', 'kill-every', 'event-every', 'seed'] as const,
    ['cluster'] as const,
  );
  const report = await runChaosSoak({
    minutes: numbers.minutes ?? 3,
    killEverySeconds: numbers['kill-every'] ?? 20,
    eventEverySeconds: numbers['event-every'],
    seed: numbers.seed ?? 1,
    cluster: flags.cluster,
  });
  console.log(renderSoakReport(report));
  process.exit(report.invariants.every((inv) => inv.ok) ? 0 : 1);
}
