/**
 * A worker process for the baseline of bench/run-throughput.bench.ts: the bare workflow and its
 * activity on one task queue, with the SDK's default worker options. Prints `worker connected`
 * once it polls, as `jobnet worker` does.
 *
 * Usage: node --import tsx bench/bare-run/bare-run-worker.ts <address> <namespace> <task-queue>
 */
import path from 'node:path';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { bareRunActivities } from './bare-run-activities.js';

const [address, namespace, taskQueue] = process.argv.slice(2);
if (address === undefined || namespace === undefined || taskQueue === undefined)
  throw new Error('usage: bare-run-worker.ts <address> <namespace> <task-queue>');
const quiet = () => undefined;
const workflowBundle = await bundleWorkflowCode({
  workflowsPath: path.join(import.meta.dirname, `bare-run-workflow${path.extname(import.meta.filename)}`),
  logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error },
});
const connection = await NativeConnection.connect({ address });
const worker = await Worker.create({
  connection,
  namespace,
  taskQueue,
  workflowBundle,
  activities: bareRunActivities,
});
console.log('worker connected');
await worker.run();
await connection.close();
