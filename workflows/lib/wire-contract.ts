/**
 * The product's wire contract with Temporal: the workflow type names, the workflow id formats,
 * the search-attribute keys and the markers that ride in them. The controller, the CLI, the
 * activities and the workflows all build and read ids and attributes through this module, so a
 * format lives in exactly one place.
 *
 * Every id is scoped by its *deployment*: the task queue its workers poll. Two deployments in one
 * namespace (staging and production, or two test runs) therefore never address each other's
 * actors, runs, locks or registry:
 * - jobnet actor   `jobnet/<deployment>/<project>/<jobnet>`
 * - run            `run/<deployment>/<project>/<jobnet>/<business-date>/<seq>`
 * - child run      `<parent run id>/<job>/<attempt>`
 * - resource lock  `resource/<deployment>/<resource>`
 * - event registry `jobnet-registry/<deployment>`
 * Each segment is percent-encoded, so a `/` inside a name cannot forge another id.
 *
 * Earlier versions used ids without the deployment (`jobnet/<project>/<jobnet>`,
 * `run/<project>/<jobnet>/…`, `resource/<resource>`). Workflows started then keep their ids; the
 * run ids an actor creates are derived from the actor's own id, so an actor keeps producing the
 * ids its recorded history has.
 *
 * Pure and sandbox-safe: no I/O, no clock.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Workflow type names, as exported by workflows/index.ts. */
export const workflowTypes = {
  run: 'runWorkflow',
  jobnetActor: 'jobnetActorWorkflow',
  eventRegistry: 'eventRegistryWorkflow',
  resourceLock: 'resourceLockWorkflow',
  delivery: 'deliveryWorkflow',
} as const;

/** The product's search attributes (registered on the namespace at start-up). */
export const searchAttributeNames = {
  project: 'JobnetProject',
  name: 'JobnetName',
  runStatus: 'JobnetRunStatus',
  revision: 'JobnetRevision',
  businessDate: 'JobnetBusinessDate',
  trigger: 'JobnetTrigger',
  digest: 'JobnetDigest',
  /** On a retry run (R-OPS-4): the workflow id of the run it retries; the original lists its retries by it. */
  retryOf: 'JobnetRetryOf',
} as const;

export type SearchAttributeName = (typeof searchAttributeNames)[keyof typeof searchAttributeNames];

/** Every product search attribute is a keyword. */
export const searchAttributeKeys = {
  project: defineSearchAttributeKey(searchAttributeNames.project, SearchAttributeType.KEYWORD),
  name: defineSearchAttributeKey(searchAttributeNames.name, SearchAttributeType.KEYWORD),
  runStatus: defineSearchAttributeKey(searchAttributeNames.runStatus, SearchAttributeType.KEYWORD),
  revision: defineSearchAttributeKey(searchAttributeNames.revision, SearchAttributeType.KEYWORD),
  businessDate: defineSearchAttributeKey(searchAttributeNames.businessDate, SearchAttributeType.KEYWORD),
  trigger: defineSearchAttributeKey(searchAttributeNames.trigger, SearchAttributeType.KEYWORD),
  digest: defineSearchAttributeKey(searchAttributeNames.digest, SearchAttributeType.KEYWORD),
  retryOf: defineSearchAttributeKey(searchAttributeNames.retryOf, SearchAttributeType.KEYWORD),
} as const;

/**
 * The memo field in which a jobnet actor publishes its summary (lib/jobnet-summary.ts): what the
 * jobnet list reads with one visibility listing.
 */
export const jobnetSummaryMemoField = 'jobnetSummary';

/** What a retired actor publishes as its `JobnetDigest` (it holds no applied definition). */
export const retiredDigest = 'retired';

/** The digest of a copy (R-JN-3) of a jobnet with digest `digest` started with `suffix`. */
export function copyDigest(digest: string, suffix: string): string {
  return `${digest}+copy:${suffix}`;
}

/** Whether a published digest is that of a copy, which is not a definition of its own. */
export function isCopyDigest(digest: string): boolean {
  return digest.includes('+copy:');
}

const actorPrefix = 'jobnet';
const runPrefix = 'run';
const resourcePrefix = 'resource';
const registryPrefix = 'jobnet-registry';
const deliveryPrefix = 'jobnet-delivery';

function segment(text: string): string {
  return encodeURIComponent(text);
}

function segmentsOf(id: string): string[] | undefined {
  try {
    return id.split('/').map((part) => decodeURIComponent(part));
  } catch {
    return undefined;
  }
}

/** Workflow id of the actor of `project/jobnet` in `deployment`. */
export function jobnetActorWorkflowId(deployment: string, project: string, jobnet: string): string {
  return [actorPrefix, deployment, project, jobnet].map(segment).join('/');
}

/** What an actor's workflow id names; `deployment` is absent for an id of an earlier version. */
export interface ActorIdentity {
  deployment?: string;
  project: string;
  jobnet: string;
}

/** Reads a jobnet actor id (either form); undefined for anything else. */
export function parseJobnetActorWorkflowId(id: string): ActorIdentity | undefined {
  const parts = segmentsOf(id);
  if (parts?.[0] !== actorPrefix) return undefined;
  if (parts.length === 4)
    return { deployment: parts[1] as string, project: parts[2] as string, jobnet: parts[3] as string };
  if (parts.length === 3) return { project: parts[1] as string, jobnet: parts[2] as string };
  return undefined;
}

/** Workflow id of a top-level run of `project/jobnet` in `deployment` (manual starts without an actor). */
export function runWorkflowId(
  deployment: string,
  project: string,
  jobnet: string,
  businessDate: string,
  seq: string,
): string {
  return [runPrefix, deployment, project, jobnet, businessDate, seq].map(segment).join('/');
}

/** What a top-level run's workflow id names (either id form); a child run's id names its top-level run's. */
export interface RunIdentity {
  deployment?: string;
  project: string;
  jobnet: string;
  businessDate: string;
  seq: string;
}

/**
 * Reads a run id (a top-level run's, or a child run's — which starts with its parent's id);
 * undefined for anything else.
 */
export function parseRunWorkflowId(id: string): RunIdentity | undefined {
  const parts = segmentsOf(id);
  if (parts?.[0] !== runPrefix) return undefined;
  // run/<deployment>/<project>/<jobnet>/<date>/<seq>[/<job>/<attempt>…]; the earlier form has no deployment.
  const dated = (index: number): boolean => /^\d{4}-\d{2}-\d{2}$/.test(parts[index] ?? '');
  if (parts.length >= 6 && (parts.length - 6) % 2 === 0 && dated(4))
    return {
      deployment: parts[1] as string,
      project: parts[2] as string,
      jobnet: parts[3] as string,
      businessDate: parts[4] as string,
      seq: parts[5] as string,
    };
  if (parts.length >= 5 && (parts.length - 5) % 2 === 0 && dated(3))
    return {
      project: parts[1] as string,
      jobnet: parts[2] as string,
      businessDate: parts[3] as string,
      seq: parts[4] as string,
    };
  return undefined;
}

/**
 * Workflow id of a run the actor `actorId` starts: the actor's id with `run` for `jobnet`, plus
 * the business date and sequence — so an actor of an earlier version keeps its id form.
 * @throws Error when `actorId` is not a jobnet actor id (a caller bug).
 */
export function runWorkflowIdOfActor(actorId: string, businessDate: string, seq: string): string {
  if (!actorId.startsWith(`${actorPrefix}/`)) throw new Error(`not a jobnet actor id: ${actorId}`);
  return `${runPrefix}/${actorId.slice(actorPrefix.length + 1)}/${segment(businessDate)}/${segment(seq)}`;
}

/** Workflow id of the child run started by attempt `attempt` of `job` in run `parentId`. */
export function childRunWorkflowId(parentId: string, job: string, attempt: number): string {
  return `${parentId}/${segment(job)}/${attempt}`;
}

/** Workflow id of the lock of exclusive resource `resource` in `deployment`. */
export function resourceLockWorkflowId(deployment: string, resource: string): string {
  return [resourcePrefix, deployment, resource].map(segment).join('/');
}

/** The id form of earlier versions, for replaying their runs. */
export function legacyResourceLockWorkflowId(resource: string): string {
  return `${resourcePrefix}/${segment(resource)}`;
}

/** Reads a resource lock id (either form); undefined for anything else. */
export function parseResourceLockWorkflowId(id: string): { deployment?: string; resource: string } | undefined {
  const parts = segmentsOf(id);
  if (parts?.[0] !== resourcePrefix) return undefined;
  if (parts.length === 3) return { deployment: parts[1] as string, resource: parts[2] as string };
  if (parts.length === 2) return { resource: parts[1] as string };
  return undefined;
}

/** Workflow id of the event registry of `deployment` (one per deployment). */
export function eventRegistryWorkflowId(deployment: string): string {
  return `${registryPrefix}/${segment(deployment)}`;
}

/**
 * Workflow id of the delivery workflow of `deployment` (one per deployment): it holds the incident
 * and log sink queues (docs/incidents.md, docs/logging.md).
 */
export function deliveryWorkflowId(deployment: string): string {
  return `${deliveryPrefix}/${segment(deployment)}`;
}

/**
 * Occurrence id of a trouble (R-INC-3): the actor chain's first execution run id (a Temporal UUID,
 * new when a jobnet is deleted and re-created, kept across continue-as-new) and the trouble's
 * number in the actor. At most 36 + 1 + 10 characters: fits ServiceNow's 64-character
 * `correlation_id`.
 */
export function troubleOccurrenceId(actorFirstRunId: string, troubleNumber: number): string {
  return `${actorFirstRunId}#${troubleNumber}`;
}

/**
 * Id of a run's start or end event in the job management log (R-LOG-1): the actor chain's first
 * execution run id, the run's workflow id and the event code. A trouble's event has the trouble's
 * occurrence id.
 */
export function runLogEventId(actorFirstRunId: string, runId: string, code: string): string {
  return `${actorFirstRunId}:${runId}:${code}`;
}

/**
 * Id of a REST job's termination-request failure in the job management log (R-LOG-1, events
 * 0635–0638): the run's execution run id (globally unique) and the job name. A retried attempt of
 * the termination activity reports the same id.
 */
export function terminationFailureEventId(runExecutionId: string, job: string): string {
  return `${runExecutionId}:${job}:termination`;
}

/** A visibility query string literal: `'text'` with quotes and backslashes escaped. */
export function visibilityLiteral(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
