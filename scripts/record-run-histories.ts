/**
 * Records the workflow histories of representative runs into test/fixtures/run-histories/, for
 * the replay test (CONTRIBUTING.md#8-workflow-code-is-deterministic: a change to running workflow logic must replay these, or go
 * behind `patched()`). Run it when a new kind of run deserves a committed history:
 *
 *   npx tsx scripts/record-run-histories.ts
 *
 * It starts its own in-memory dev server, a worker that allows command jobs and an HTTP target
 * for REST jobs, runs each
 * scenario of test/integration/run-scenarios.ts to its end (applying the scenario's operations),
 * and writes one JSON history per scenario. Existing files are overwritten.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { startDevServer, temporalCliPath } from '../controller/temporal/dev-server.js';
import { connectClient } from '../controller/temporal/temporal-target.js';
import { startWorker } from '../controller/worker/start-worker.js';
import { runOperationUpdate, runViewQuery, type RunView } from '../workflows/run-contract.js';
import { runScenarios } from '../test/integration/run-scenarios.js';
import { startRestTarget } from '../test/integration/rest-target.js';

const outputDir = path.resolve(import.meta.dirname, '..', 'test', 'fixtures', 'run-histories');

async function until(client: Client, id: string, predicate: (view: RunView) => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!predicate(await client.workflow.getHandle(id).query(runViewQuery))) {
    if (Date.now() > deadline) throw new Error(`run ${id} did not reach the expected state`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const server = await startDevServer();
const taskQueue = 'record-histories';
const worker = await startWorker({
  target: { address: server.address, namespace: server.namespace, taskQueue },
  allowCommandJobs: true,
});
const temporal = await connectClient({ address: server.address, namespace: server.namespace, taskQueue });
const client = temporal.client;
const restTarget = await startRestTarget();
try {
  for (const scenario of runScenarios(restTarget.url)) {
    scenario.routes?.(restTarget);
    const id = `run/replay/${scenario.name}`;
    await client.workflow.start('runWorkflow', { workflowId: id, taskQueue, args: [scenario.input] });
    for (const step of scenario.steps) {
      await until(client, id, step.when);
      if (step.operation)
        await client.workflow.getHandle(id).executeUpdate(runOperationUpdate, { args: [step.operation] });
      if (step.signal) await step.signal(client.workflow.getHandle(id));
    }
    await client.workflow.getHandle(id).result();
    // The CLI writes the JSON form of a history that the SDK's replayer reads (historyFromJSON).
    const json = execFileSync(
      temporalCliPath(),
      [
        'workflow',
        'show',
        '--address',
        server.address,
        '--namespace',
        server.namespace,
        '--workflow-id',
        id,
        '--output',
        'json',
      ],
      { encoding: 'utf8' },
    );
    writeFileSync(path.join(outputDir, `${scenario.name}.json`), json.endsWith('\n') ? json : `${json}\n`);
    const events = (JSON.parse(json) as { events?: unknown[] }).events?.length ?? 0;
    process.stdout.write(`recorded ${scenario.name} (${events} events)\n`);
  }
} finally {
  await restTarget.stop();
  await temporal.close();
  await worker.shutdown();
  await server.stop();
}
