/**
 * Vitest global setup: one real Temporal server per test run, shared by the integration tests
 * through `inject('temporalAddress')` (docs/architecture.md#the-temporal-cli-built-from-the-go-module-proxy, CONTRIBUTING.md#testing-tiers).
 *
 * By default a dev server (in memory, loopback, free port). With `JOBNET_TEST_TEMPORAL=cluster`,
 * the Temporal cluster of scripts/cluster.sh (PostgreSQL, one process per service): started with
 * `cluster.sh up` (idempotent: one already running is used as it is), its namespace prepared, and
 * stopped again at the end only when this run started it. Tests that start a dev server of their
 * own (to restart it) still do.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureNamespace } from '../controller/temporal/namespace-setup.js';
import { startDevServer, type DevServer } from '../controller/temporal/dev-server.js';

let server: DevServer | undefined;
let stopCluster: (() => void) | undefined;

const clusterScript = path.resolve(import.meta.dirname, '..', 'scripts', 'cluster.sh');

export async function setup(project: TestProject): Promise<void> {
  const mode = process.env.JOBNET_TEST_TEMPORAL ?? 'dev';
  if (mode === 'cluster') {
    const { address, startedHere } = clusterUp();
    const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
    await ensureNamespace({ address, namespace });
    if (startedHere) stopCluster = () => void spawnSync('bash', [clusterScript, 'down'], { stdio: 'inherit' });
    project.provide('temporalAddress', address);
    project.provide('temporalNamespace', namespace);
    return;
  }
  if (mode !== 'dev') throw new Error(`JOBNET_TEST_TEMPORAL=${mode}: expected dev (the default) or cluster`);
  server = await startDevServer();
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
}

/** `cluster.sh up`, and whether the cluster was not running before it. */
function clusterUp(): { address: string; startedHere: boolean } {
  const before = spawnSync('bash', [clusterScript, 'status'], { encoding: 'utf8' });
  const up = spawnSync('bash', [clusterScript, 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const address = /^TEMPORAL_ADDRESS=(.+)$/m.exec(up.stdout ?? '')?.[1];
  if (up.status !== 0 || !address) throw new Error(`scripts/cluster.sh up failed (exit ${up.status}), see above`);
  return { address, startedHere: before.status !== 0 };
}

export async function teardown(): Promise<void> {
  await server?.stop();
  stopCluster?.();
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
  }
}
