/**
 * Observes what Temporal runs for one deployment (R-GIT-3): the jobnet actors of its task queue
 * (by task queue and by the deployment in their workflow id, so another deployment's actors in the
 * same namespace are never taken for ours), each with the digest and revision of the definition it holds and its jobnet status, read
 * from their search attributes (`JobnetDigest`, `JobnetRevision`, `JobnetRunStatus`) with one
 * visibility query — no per-jobnet query, so observing 1,000 jobnets stays cheap (docs/architecture.md#performance-budget).
 *
 * Visibility is eventually consistent: an actor applied a moment ago may still show its previous
 * digest. That is safe, because applying is idempotent (an actor ignores a definition with the
 * digest it holds). Copies of copy starts (R-JN-3) are not definitions and are left out.
 *
 * Temporal I/O only; it decides nothing.
 */
import type { Client } from '@temporalio/client';
import {
  isCopyDigest,
  parseJobnetActorWorkflowId,
  retiredDigest,
  searchAttributeNames as names,
  visibilityLiteral,
  workflowTypes,
} from '../../workflows/lib/wire-contract.js';

/** A jobnet actor as visibility shows it. */
export interface ObservedActor {
  project: string;
  name: string;
  workflowId: string;
  /** Content digest of the definition the actor holds; undefined before its first workflow task. */
  digest?: string;
  revision?: string;
  /** The jobnet was removed from the definitions and the actor no longer schedules it. */
  retired: boolean;
  /** The jobnet status (docs/specification.md §4.1) the actor last published. */
  status?: string;
}

function keyword(attributes: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = attributes?.[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The running jobnet actors of the deployment on `taskQueue`, sorted by project, then name.
 * @throws whatever the Temporal client throws (server unreachable).
 */
export async function observeActors(client: Client, taskQueue: string): Promise<ObservedActor[]> {
  const query = `WorkflowType = ${visibilityLiteral(workflowTypes.jobnetActor)} AND ExecutionStatus = 'Running' AND TaskQueue = ${visibilityLiteral(taskQueue)}`;
  const actors: ObservedActor[] = [];
  for await (const execution of client.workflow.list({ query })) {
    if (parseJobnetActorWorkflowId(execution.workflowId)?.deployment !== taskQueue) continue;
    const attributes = execution.searchAttributes as Record<string, unknown> | undefined;
    const project = keyword(attributes, names.project);
    const name = keyword(attributes, names.name);
    if (project === undefined || name === undefined) continue;
    const digest = keyword(attributes, names.digest);
    if (digest !== undefined && isCopyDigest(digest)) continue;
    const actor: ObservedActor = { project, name, workflowId: execution.workflowId, retired: digest === retiredDigest };
    if (digest !== undefined && digest !== retiredDigest) actor.digest = digest;
    const revision = keyword(attributes, names.revision);
    if (revision !== undefined) actor.revision = revision;
    const status = keyword(attributes, names.runStatus);
    if (status !== undefined) actor.status = status;
    actors.push(actor);
  }
  return actors.sort((a, b) =>
    a.project < b.project ? -1 : a.project > b.project ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
}
