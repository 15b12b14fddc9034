/**
 * Benchmark helper for bench/run-throughput.bench.ts (docs/performance.md#run-throughput-against-a-bare-workflow):
 * how many promises one run creates inside the workflow sandbox — each costs the SDK's promise
 * hook a captured, source-mapped stack trace — for the run workflow and for the bare workflow
 * doing the same work (bench/bare-run/).
 *
 * Runs one of each on an in-memory dev server (the product's worker and a bare worker in this
 * process, the loopback HTTP target of the throughput bench), then replays each history
 * `--replays` times (a replay worker runs its workflows on this thread, in debug mode) with a
 * `v8.promiseHooks` init hook counting the promises whose constructor is not this realm's
 * `Promise`, i.e. the sandbox's. With `--where` it also prints where the run workflow's promises are created.
 *
 * Usage: npx tsx bench/sandbox-promises.bench.ts [--replays 3] [--where]
 */
import path from 'node:path';
import v8 from 'node:v8';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import { bundleWorkflows, startWorker } from '../controller/worker/start-worker.js';
import { workflowTypes } from '../workflows/lib/wire-contract.js';
import { runStartTextOf, topLevelRunStart } from '../workflows/run-contract.js';
import { jobnetOf } from '../test/integration/run-fixtures.js';
import { startRestTarget } from '../test/integration/rest-target.js';
import { bareRunActivities } from './bare-run/bare-run-activities.js';
import { parseBenchArgs } from './bench-options.js';

const { numbers, flags } = parseBenchArgs(process.argv.slice(2), ['replays'] as const, ['where'] as const);
const replays = numbers.replays ?? 3;
const timeLimitSeconds = 60;
const quiet = () => undefined;
const logger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error };

const server = await startDevServer();
const target = await startRestTarget();
target.route('POST', '/call', { body: { ok: true } });
const oursBundle = await bundleWorkflows();
const bareBundle = await bundleWorkflowCode({
  workflowsPath: path.join(import.meta.dirname, 'bare-run', `bare-run-workflow${path.extname(import.meta.filename)}`),
  logger,
});
const suffix = Date.now().toString(36);
const ours = await startWorker({
  target: { address: server.address, namespace: server.namespace, taskQueue: `ours-${suffix}` },
  allowCommandJobs: false,
  workflowBundle: oursBundle,
});
const connection = await NativeConnection.connect({ address: server.address });
const bareWorker = await Worker.create({
  connection,
  namespace: server.namespace,
  taskQueue: `bare-${suffix}`,
  workflowBundle: bareBundle,
  activities: bareRunActivities,
});
const bareDone = bareWorker.run();
const temporal = await connectClient({
  address: server.address,
  namespace: server.namespace,
  taskQueue: `ours-${suffix}`,
});
const lines: string[] = [];
try {
  const jobnet = jobnetOf('promises', [
    {
      name: 'call',
      type: 'rest',
      timeLimitSeconds,
      spec: {
        outputLimitBytes: 1024 * 1024,
        request: { url: `${target.url}/call`, method: 'POST', timeout: 10, body: {} },
      },
    },
  ]);
  const { input, searchAttributes } = topLevelRunStart({
    jobnet,
    businessDate: '2026-12-03',
    trigger: 'manual',
    requestedBy: 'bench',
  });
  const oursRun = await temporal.client.workflow.start(workflowTypes.run, {
    workflowId: `run/bench/promises/${suffix}`,
    taskQueue: `ours-${suffix}`,
    args: [input],
    typedSearchAttributes: searchAttributes,
    ...runStartTextOf(input),
  });
  const bareRun = await temporal.client.workflow.start('bareRunWorkflow', {
    workflowId: `bare/bench/promises/${suffix}`,
    taskQueue: `bare-${suffix}`,
    args: [`${target.url}/call`, timeLimitSeconds],
  });
  await Promise.all([oursRun.result(), bareRun.result()]);
  const histories = [
    { kind: 'ours', bundle: oursBundle, history: await oursRun.fetchHistory(), id: oursRun.workflowId },
    { kind: 'bare', bundle: bareBundle, history: await bareRun.fetchHistory(), id: bareRun.workflowId },
  ];
  await ours.shutdown();
  bareWorker.shutdown();
  await bareDone;

  let count = 0;
  let where: Map<string, number> | undefined;
  const stop = v8.promiseHooks.onInit((promise: Promise<unknown>) => {
    if (promise.constructor === Promise) return;
    count++;
    if (where === undefined) return;
    const frames = (new Error().stack ?? '')
      .split('\n')
      .slice(2)
      .map((line) =>
        line
          .trim()
          .replace(/^at /, '')
          .replace(/ \(.*\)$/, '')
          .replace(/^\S*workflow-bundle-[0-9a-f]+\.js/, 'bundle'),
      )
      .filter((frame) => !frame.startsWith('node:') && frame !== 'initAll');
    const key = frames.slice(0, 3).join(' < ');
    where.set(key, (where.get(key) ?? 0) + 1);
  }) as () => void;
  lines.push('| workflow | history events | sandbox promises per run (each replay) |', '| --- | ---: | --- |');
  for (const { kind, bundle, history, id } of histories) {
    const counts: number[] = [];
    for (let replay = 0; replay < replays; replay++) {
      count = 0;
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, id);
      counts.push(count);
    }
    lines.push(`| ${kind} | ${history.events?.length ?? 0} | ${counts.join(', ')} |`);
    if (flags.where && kind === 'ours') {
      where = new Map();
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, id);
      const found = where;
      where = undefined;
      lines.push('', '| promises | created at (innermost first) |', '| ---: | --- |');
      for (const [frames, n] of [...found].sort((a, b) => b[1] - a[1])) lines.push(`| ${n} | \`${frames}\` |`);
      lines.push('');
    }
  }
  stop();
} finally {
  await temporal.close();
  await connection.close();
  await target.stop();
  await server.stop();
}
process.stdout.write(`${lines.join('\n')}\n`);
