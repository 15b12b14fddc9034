/**
 * Vitest global setup: one real Temporal dev server (in memory, loopback, free port) per test
 * run, shared by the integration tests through `inject('temporalAddress')` (docs/architecture.md#the-temporal-cli-built-from-the-go-module-proxy, CONTRIBUTING.md#testing-tiers).
 */
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../controller/temporal/dev-server.js';

let server: DevServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startDevServer();
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
  }
}
