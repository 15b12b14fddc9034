/**
 * The controller's side of the jobnet actors' and the event registry's contracts
 * (workflows/jobnet-actor-contract.ts, workflows/event-registry-contract.ts): load compiled
 * jobnets into their actors, read a jobnet's view, send jobnet operations (R-OPS-1..3), raise and
 * clear message events (R-EVT-1, R-EVT-3). The CLI and the HTTP API both go through here.
 *
 * Does Temporal I/O through a `Client` it is given; it must not open connections, print or decide
 * exit codes, and it does not interpret the jobnet state: the actor owns the state machine.
 */
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import {
  applyRoutesSignal,
  claimControllerUpdate,
  clearPendingEventsUpdate,
  controllerStatusQuery,
  controllerStatusSignal,
  eventRegistryViewQuery,
  raiseEventUpdate,
  releaseControllerSignal,
  type ControllerClaim,
  type ControllerOwner,
  type EventClearAnswer,
  type EventClearRequest,
  type EventRaise,
  type EventRaiseAnswer,
  type EventRegistryInput,
  type EventRegistryView,
  type ProjectAccessGrants,
} from '../../workflows/event-registry-contract.js';
import {
  applyDefinitionSignal,
  jobnetOperationUpdate,
  jobnetViewQuery,
  retireSignal,
  type JobnetActorInput,
  type JobnetOperationAnswer,
  type JobnetOperationRequest,
  type JobnetView,
  type RetireRequest,
} from '../../workflows/jobnet-actor-contract.js';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { eventRoutesOf, type EventRoute } from '../../workflows/lib/event-routing.js';
import { summaryOfMemo, summaryOfView, type JobnetSummary } from '../../workflows/lib/jobnet-summary.js';
import { isWorkflowNotFound, refusalReason } from '../../workflows/lib/temporal-refusals.js';
import { actorStartText } from '../../workflows/lib/temporal-ui-text.js';
import { mapConcurrently } from '../lib/bounded-concurrency.js';
import { getAppliedDefinition } from './applied-definition.js';
import { refusalText } from './refusal-text.js';
import {
  eventRegistryWorkflowId,
  jobnetSummaryMemoField,
  jobnetActorWorkflowId,
  parseJobnetActorWorkflowId,
  searchAttributeKeys as keys,
  visibilityLiteral,
  workflowTypes,
} from '../../workflows/lib/wire-contract.js';

/** What {@link applyJobnets} loads. */
export interface JobnetApply {
  taskQueue: string;
  /** Every compiled jobnet of the revision (each gets an actor). */
  jobnets: CompiledJobnet[];
  revision: string;
  /** Who applies (operator name, or `controller`). */
  by: string;
  /** The revision's project access grants, published with the routes for the API (R-SEC-3). */
  access?: ProjectAccessGrants;
}

export interface JobnetApplyResult {
  /** Actor workflow ids, one per jobnet, in the order given. */
  actors: string[];
  /** Jobnets routed by the event registry. */
  routes: number;
}

/**
 * Loads each compiled jobnet into its actor (`signalWithStart`: a new actor starts, a running one
 * takes the definition for its next run and ignores it when the digest is unchanged), then gives
 * the event registry the revision's routes. Idempotent: applying the same jobnets again changes
 * nothing.
 * @throws whatever the Temporal client throws (server unreachable, search attribute missing).
 */
export async function applyJobnets(client: Client, request: JobnetApply): Promise<JobnetApplyResult> {
  const actors: string[] = [];
  for (const definition of request.jobnets)
    actors.push(await applyJobnet(client, request.taskQueue, definition, request.by));
  const routes = eventRoutesOf(request.jobnets);
  await applyEventRoutes(client, request.taskQueue, request.revision, routes, request.access);
  return { actors, routes: routes.length };
}

/**
 * Loads one compiled jobnet into its actor (`signalWithStart`: a new actor starts with it, a
 * running one takes it for its next run, or ignores it when the digest is unchanged). Returns the
 * actor's workflow id.
 * @throws whatever the Temporal client throws.
 */
export async function applyJobnet(
  client: Client,
  taskQueue: string,
  definition: CompiledJobnet,
  by: string,
): Promise<string> {
  const workflowId = jobnetActorWorkflowId(taskQueue, definition.project, definition.name);
  const input: JobnetActorInput = { definition };
  await client.workflow.signalWithStart(workflowTypes.jobnetActor, {
    workflowId,
    taskQueue,
    args: [input],
    signal: applyDefinitionSignal,
    signalArgs: [{ definition, by }],
    ...actorStartText(definition),
    // Digest and revision at start too, so the controller observes a new actor at once rather
    // than after its first workflow task (which a large apply delays by many seconds).
    typedSearchAttributes: [
      { key: keys.project, value: definition.project },
      { key: keys.name, value: definition.name },
      { key: keys.revision, value: definition.revision },
      ...(definition.digest !== undefined ? [{ key: keys.digest, value: definition.digest }] : []),
    ],
  });
  return workflowId;
}

/**
 * Retires the actor of a jobnet removed from the definitions (R-GIT-3): it starts nothing more;
 * with `remove` (prune) it ends once no run is open. A jobnet without an actor is left alone.
 * @throws Temporal errors other than "not found".
 */
export async function retireJobnet(
  client: Client,
  taskQueue: string,
  project: string,
  jobnet: string,
  request: RetireRequest,
): Promise<void> {
  try {
    await client.workflow.getHandle(jobnetActorWorkflowId(taskQueue, project, jobnet)).signal(retireSignal, request);
  } catch (error) {
    if (!isWorkflowNotFound(error)) throw error;
  }
}

/**
 * Gives the event registry of the deployment on `taskQueue` the routes of `revision` and its
 * projects' access grants (which the API reads to resolve roles), starting it when needed.
 * @throws whatever the Temporal client throws.
 */
export async function applyEventRoutes(
  client: Client,
  taskQueue: string,
  revision: string,
  routes: EventRoute[],
  access?: ProjectAccessGrants,
): Promise<void> {
  const applied = { revision, routes, ...(access !== undefined ? { access } : {}) };
  const registryInput: EventRegistryInput = applied;
  await client.workflow.signalWithStart(workflowTypes.eventRegistry, {
    workflowId: eventRegistryWorkflowId(taskQueue),
    taskQueue,
    args: [registryInput],
    signal: applyRoutesSignal,
    signalArgs: [applied],
  });
}

/** The revision and routes the event registry of `taskQueue` holds; undefined when it does not run. */
export async function getEventRegistryView(client: Client, taskQueue: string): Promise<EventRegistryView | undefined> {
  try {
    return await client.workflow.getHandle(eventRegistryWorkflowId(taskQueue)).query(eventRegistryViewQuery);
  } catch (error) {
    if (isWorkflowNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * The view of jobnet `project/jobnet` of the deployment on `taskQueue` (its actor's query).
 * @throws WorkflowNotFoundError when the jobnet has no actor (never applied).
 */
export async function getJobnetView(
  client: Client,
  taskQueue: string,
  project: string,
  jobnet: string,
): Promise<JobnetView> {
  return await client.workflow.getHandle(jobnetActorWorkflowId(taskQueue, project, jobnet)).query(jobnetViewQuery);
}

/** Answer of {@link operateJobnet}: accepted with the actor's answer, or refused with its reason. */
export type OperateJobnetResult = { ok: true; answer: JobnetOperationAnswer } | { ok: false; reason: string };

/**
 * Sends a jobnet operation (R-OPS-1) to the actor and waits for the answer; a refusal (R-OPS-3)
 * comes back as `{ok: false, reason}` and changed nothing.
 * @throws WorkflowNotFoundError when the jobnet has no actor; other Temporal errors as thrown.
 */
export async function operateJobnet(
  client: Client,
  taskQueue: string,
  project: string,
  jobnet: string,
  request: JobnetOperationRequest,
): Promise<OperateJobnetResult> {
  try {
    const answer = await client.workflow
      .getHandle(jobnetActorWorkflowId(taskQueue, project, jobnet))
      .executeUpdate(jobnetOperationUpdate, { args: [request] });
    return { ok: true, answer };
  } catch (error) {
    const reason = refusalReason(error);
    if (reason !== undefined) return { ok: false, reason };
    throw error;
  }
}

/**
 * {@link operateJobnet}, with a refusal's advice checked against what the actor would accept now
 * (`refusal-text.ts`): the reason the CLI prints and the API answers. Best effort: when the
 * actor's state or definition cannot be read, the actor's reason as it is.
 * @throws WorkflowNotFoundError when the jobnet has no actor; other Temporal errors as thrown.
 */
export async function operateJobnetExplained(
  client: Client,
  taskQueue: string,
  project: string,
  jobnet: string,
  request: JobnetOperationRequest,
): Promise<OperateJobnetResult> {
  const result = await operateJobnet(client, taskQueue, project, jobnet, request);
  if (result.ok) return result;
  try {
    const [view, definition] = await Promise.all([
      getJobnetView(client, taskQueue, project, jobnet),
      getAppliedDefinition(client, taskQueue, project, jobnet),
    ]);
    if (definition.schedule === undefined) return result;
    return {
      ok: false,
      reason: refusalText(result.reason, request.operation, `${project}/${jobnet}`, view.state, definition.schedule)
        .reason,
    };
  } catch {
    return result;
  }
}

/** One applied jobnet with its view — or why its actor could not be queried — and, when asked for, its definition. */
export interface JobnetEntry {
  project: string;
  jobnet: string;
  view?: JobnetView;
  error?: string;
  /** The definition its actor holds (for its calendar), when asked for and readable. */
  definition?: CompiledJobnet;
}

/** An actor found by {@link listJobnetActors}, with the summary its memo carries (when one of this version). */
export interface ListedActor {
  project: string;
  jobnet: string;
  workflowId: string;
  summary?: JobnetSummary;
}

/** How many actors {@link readJobnetEntries} queries at once. */
const queryConcurrency = 8;

/**
 * The applied jobnets of the deployment on `taskQueue` (of `project`, or of the projects `include`
 * accepts) with their views, sorted; with `definitions`, the definitions their actors hold too. An
 * actor whose query fails is listed with the error instead of its view.
 * @throws Temporal errors of the listing itself.
 */
export async function readJobnetEntries(
  client: Client,
  taskQueue: string,
  options: { project?: string; include?: (project: string) => boolean; definitions?: boolean } = {},
): Promise<JobnetEntry[]> {
  const actors = (await listJobnetActors(client, taskQueue, options.project)).filter(
    (actor) => options.include === undefined || options.include(actor.project),
  );
  return await mapConcurrently(actors, queryConcurrency, async (actor): Promise<JobnetEntry> => {
    try {
      const view = await getJobnetView(client, taskQueue, actor.project, actor.jobnet);
      const definition =
        options.definitions === true
          ? await getAppliedDefinition(client, taskQueue, actor.project, actor.jobnet).catch(() => undefined)
          : undefined;
      return {
        project: actor.project,
        jobnet: actor.jobnet,
        view,
        ...(definition !== undefined ? { definition } : {}),
      };
    } catch (error) {
      return {
        project: actor.project,
        jobnet: actor.jobnet,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  });
}

/** One applied jobnet of the list with its summary, or why it could not be read. */
export interface JobnetSummaryEntry {
  project: string;
  jobnet: string;
  summary?: JobnetSummary;
  error?: string;
}

/**
 * The applied jobnets of the deployment on `taskQueue` (of `project`, or of the projects `include`
 * accepts) with their summaries, sorted: one visibility listing, whose memos carry the summaries
 * the actors publish (workflows/lib/jobnet-summary.ts). An actor is queried instead when it has
 * published none of this version yet, or when `ask` says its memo may be behind (a write this
 * process just made); a failed query lists the error.
 * @throws Temporal errors of the listing itself.
 */
export async function readJobnetSummaries(
  client: Client,
  taskQueue: string,
  options: {
    project?: string;
    include?: (project: string) => boolean;
    ask?: (project: string, jobnet: string) => boolean;
  } = {},
): Promise<JobnetSummaryEntry[]> {
  const ask = options.ask ?? (() => false);
  const actors = (await listJobnetActors(client, taskQueue, options.project)).filter(
    (actor) => options.include === undefined || options.include(actor.project),
  );
  return await mapConcurrently(actors, queryConcurrency, async ({ project, jobnet, summary }) =>
    summary !== undefined && !ask(project, jobnet)
      ? { project, jobnet, summary }
      : await querySummary(client, taskQueue, project, jobnet),
  );
}

/**
 * `entries` (a list read earlier) with the jobnets `ask` names read again from their actors.
 * A failed query lists the error.
 */
export async function refreshSummaries(
  client: Client,
  taskQueue: string,
  entries: readonly JobnetSummaryEntry[],
  ask: (project: string, jobnet: string) => boolean,
): Promise<JobnetSummaryEntry[]> {
  return await mapConcurrently(entries, queryConcurrency, async (entry) =>
    ask(entry.project, entry.jobnet) ? await querySummary(client, taskQueue, entry.project, entry.jobnet) : entry,
  );
}

async function querySummary(
  client: Client,
  taskQueue: string,
  project: string,
  jobnet: string,
): Promise<JobnetSummaryEntry> {
  try {
    return { project, jobnet, summary: summaryOfView(await getJobnetView(client, taskQueue, project, jobnet)) };
  } catch (error) {
    return { project, jobnet, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Answer of {@link raiseEvent}: each jobnet's answer, or the registry's refusal of the raise itself. */
export type RaiseEventResult = { ok: true; answer: EventRaiseAnswer } | { ok: false; reason: string };

/**
 * Raises a message event through the event registry of the deployment on `taskQueue` (R-EVT-1).
 * @throws Temporal errors other than a refusal; a registry that does not exist yet is a refusal
 *   ("no definitions have been applied").
 */
export async function raiseEvent(client: Client, taskQueue: string, raise: EventRaise): Promise<RaiseEventResult> {
  return await registryUpdate(client, taskQueue, async (handle) => ({
    ok: true,
    answer: await handle.executeUpdate(raiseEventUpdate, { args: [raise] }),
  }));
}

/** Answer of {@link clearEvents}. */
export type ClearEventsResult = { ok: true; answer: EventClearAnswer } | { ok: false; reason: string };

/** Clears pending raises of the jobnets in scope (R-EVT-3). */
export async function clearEvents(
  client: Client,
  taskQueue: string,
  request: EventClearRequest,
): Promise<ClearEventsResult> {
  return await registryUpdate(client, taskQueue, async (handle) => ({
    ok: true,
    answer: await handle.executeUpdate(clearPendingEventsUpdate, { args: [request] }),
  }));
}

async function registryUpdate<T>(
  client: Client,
  taskQueue: string,
  send: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<T>,
): Promise<T | { ok: false; reason: string }> {
  try {
    return await send(client.workflow.getHandle(eventRegistryWorkflowId(taskQueue)));
  } catch (error) {
    const reason = refusalReason(
      error,
      'no definitions have been applied yet (jobnet apply): no jobnet waits for events',
    );
    if (reason !== undefined) return { ok: false, reason };
    throw error;
  }
}

/** Workflow ids of the running jobnet actors of the deployment on `taskQueue`, optionally of one project, sorted. */
export async function listJobnetActors(client: Client, taskQueue: string, project?: string): Promise<ListedActor[]> {
  const clauses = [
    `WorkflowType = ${visibilityLiteral(workflowTypes.jobnetActor)}`,
    `ExecutionStatus = 'Running'`,
    `TaskQueue = ${visibilityLiteral(taskQueue)}`,
  ];
  if (project !== undefined) clauses.push(`${keys.project.name} = ${visibilityLiteral(project)}`);
  const found: ListedActor[] = [];
  for await (const execution of client.workflow.list({ query: clauses.join(' AND ') })) {
    const identity = parseJobnetActorWorkflowId(execution.workflowId);
    if (identity?.deployment !== taskQueue) continue;
    const summary = summaryOfMemo(execution.memo?.[jobnetSummaryMemoField]);
    found.push({
      project: identity.project,
      jobnet: identity.jobnet,
      workflowId: execution.workflowId,
      ...(summary !== undefined ? { summary } : {}),
    });
  }
  return found.sort((a, b) => (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0));
}

/**
 * Publishes the GitOps controller's status in the event registry of `taskQueue` (starting it with
 * no routes when no revision was applied yet), where `jobnet status` and the API read it.
 * @throws whatever the Temporal client throws.
 */
export async function publishControllerStatus(client: Client, taskQueue: string, status: unknown): Promise<void> {
  const registryInput: EventRegistryInput = { routes: [] };
  await client.workflow.signalWithStart(workflowTypes.eventRegistry, {
    workflowId: eventRegistryWorkflowId(taskQueue),
    taskQueue,
    args: [registryInput],
    signal: controllerStatusSignal,
    signalArgs: [status],
  });
}

/** The controller status published for `taskQueue`; undefined when none was. */
export async function getControllerStatus(client: Client, taskQueue: string): Promise<unknown> {
  try {
    return await client.workflow.getHandle(eventRegistryWorkflowId(taskQueue)).query(controllerStatusQuery);
  } catch (error) {
    if (isWorkflowNotFound(error)) return undefined;
    throw error;
  }
}

/** Answer of {@link claimController}: the claim as recorded, or the refusal naming the owner. */
export type ClaimControllerResult = { ok: true; owner: ControllerOwner } | { ok: false; reason: string };

/**
 * Claims (or renews the claim on) the deployment on `taskQueue` for one controller, starting the
 * event registry when needed. Refused while another controller's lease runs.
 * @throws Temporal errors other than the refusal.
 */
export async function claimController(
  client: Client,
  taskQueue: string,
  claim: ControllerClaim,
): Promise<ClaimControllerResult> {
  const registryInput: EventRegistryInput = { routes: [] };
  const start = new WithStartWorkflowOperation(workflowTypes.eventRegistry, {
    workflowId: eventRegistryWorkflowId(taskQueue),
    taskQueue,
    args: [registryInput],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  try {
    return {
      ok: true,
      owner: await client.workflow.executeUpdateWithStart(claimControllerUpdate, {
        args: [claim],
        startWorkflowOperation: start,
      }),
    };
  } catch (error) {
    const reason = refusalReason(error);
    if (reason !== undefined) return { ok: false, reason };
    throw error;
  }
}

/** Gives up a controller's claim on the deployment (at a clean stop). */
export async function releaseController(client: Client, taskQueue: string, id: string): Promise<void> {
  try {
    await client.workflow.getHandle(eventRegistryWorkflowId(taskQueue)).signal(releaseControllerSignal, { id });
  } catch (error) {
    if (!isWorkflowNotFound(error)) throw error;
  }
}
