/**
 * Prepares a namespace on a Temporal cluster for the product (docs/operations.md#a-temporal-cluster-here-scriptsclustersh):
 * registers the namespace when it does not exist and adds the product's search attributes that it
 * lacks, through the operator API — what `temporal server start-dev --search-attribute` does for
 * the dev server. Idempotent: a second call changes nothing.
 *
 * Does network I/O (one connection to the frontend); it must not know about definitions or runs.
 */
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { searchAttributes } from './search-attributes.js';

export interface NamespaceSetupOptions {
  /** host:port of the frontend (gRPC). */
  address: string;
  namespace: string;
  /** Closed-workflow retention of a namespace this call registers; default 3 days. */
  retentionDays?: number;
  /** How long to wait for a new namespace and its attributes to be usable; default 60 s. */
  timeoutMs?: number;
}

export interface NamespaceSetupResult {
  /** The namespace did not exist and was registered. */
  registered: boolean;
  /** Search attributes this call added (names). */
  added: string[];
}

/** `temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD`. */
const keyword = 2;

/**
 * Registers `namespace` and its search attributes when missing and waits until a visibility query
 * on every product attribute is accepted.
 * @throws Error when the frontend cannot be reached or refuses, naming the step.
 */
export async function ensureNamespace(options: NamespaceSetupOptions): Promise<NamespaceSetupResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const connection = await Connection.connect({ address: options.address, connectTimeout: 10_000 });
  try {
    const { namespace } = options;
    let registered = false;
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (error) {
      if (!isNotFound(error)) throw new Error(`describing namespace ${namespace} failed`, { cause: error });
      try {
        await connection.workflowService.registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs(`${options.retentionDays ?? 3} days`),
        });
        registered = true;
      } catch (registerError) {
        if (!isAlreadyExists(registerError))
          throw new Error(`registering namespace ${namespace} failed`, { cause: registerError });
      }
    }
    // A namespace just registered reaches every service through its namespace cache (refreshed
    // every few seconds): until then the operator API does not know it.
    let added: string[] = [];
    await until(deadline, `namespace ${namespace} to take search attributes`, async () => {
      const existing = await connection.operatorService.listSearchAttributes({ namespace });
      const missing = Object.keys(searchAttributes).filter((name) => !(name in (existing.customAttributes ?? {})));
      if (missing.length === 0) return;
      try {
        await connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword])),
        });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
      added = [...added, ...missing];
    });
    const query = Object.keys(searchAttributes)
      .map((name) => `${name} = 'x'`)
      .join(' AND ');
    await until(deadline, `the search attributes of ${namespace} to become usable`, async () => {
      await connection.workflowService.countWorkflowExecutions({ namespace, query });
    });
    return { registered, added };
  } finally {
    await connection.close();
  }
}

async function until(deadline: number, what: string, attempt: () => Promise<unknown>): Promise<void> {
  for (;;) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** gRPC status codes of the answers this module tells apart. */
const notFound = 5;
const alreadyExists = 6;

function codeOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number'
    ? error.code
    : undefined;
}

function isNotFound(error: unknown): boolean {
  return codeOf(error) === notFound;
}

function isAlreadyExists(error: unknown): boolean {
  return codeOf(error) === alreadyExists;
}
