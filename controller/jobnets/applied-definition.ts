/**
 * The compiled definition a jobnet actor holds — the one its schedule, calendar and confirmation
 * rule come from — read from Temporal for the CLI (`jobnet days`, `jobnet next`, the zone of a
 * jobnet's times, whether an abended jobnet awaits confirmation, which operations it accepts).
 *
 * The actor's query (`JobnetView`) carries its state, not its definition, so the definition is
 * read where Temporal keeps it: the actor's event history. An actor takes a definition from its
 * input (at its start, and after each continue-as-new) and from every `applyDefinition` signal
 * since; it ignores a signal whose digest it already has, which carries the same compiled content.
 * So the newest `applyDefinition` signal of the current execution, else the input of its start,
 * is the definition the actor runs. The history is read newest first and only as far back as
 * that event.
 *
 * Temporal I/O through the `Client` it is given; it must not print, decide exit codes, or
 * interpret the jobnet's state.
 */
import { WorkflowNotFoundError, isGrpcServiceError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  applyDefinitionSignal,
  type DefinitionApply,
  type JobnetActorInput,
} from '../../workflows/jobnet-actor-contract.js';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { jobnetActorWorkflowId } from '../../workflows/lib/wire-contract.js';

/** Events read per page, newest first. */
const pageSize = 200;
/** gRPC status NOT_FOUND: no such workflow. */
const grpcNotFound = 5;

/** The actor's history did not hold a readable definition (an actor of an unknown version). */
export class AppliedDefinitionError extends Error {
  override name = 'AppliedDefinitionError';
}

type Payload = Parameters<typeof defaultPayloadConverter.fromPayload>[0];

function firstPayload<T>(input: { payloads?: Payload[] | null } | null | undefined): T | undefined {
  const payload = input?.payloads?.[0];
  if (payload === undefined || payload === null) return undefined;
  return defaultPayloadConverter.fromPayload<T>(payload);
}

/**
 * The compiled jobnet the actor of `project/jobnet` on `taskQueue` holds.
 * @throws WorkflowNotFoundError when the jobnet has no actor (never applied); AppliedDefinitionError
 *   when its history holds no definition; other Temporal errors as thrown.
 */
export async function getAppliedDefinition(
  client: Client,
  taskQueue: string,
  project: string,
  jobnet: string,
): Promise<CompiledJobnet> {
  const workflowId = jobnetActorWorkflowId(taskQueue, project, jobnet);
  const page = async (runId: string, nextPageToken: Uint8Array | undefined) =>
    await client.workflowService
      .getWorkflowExecutionHistoryReverse({
        namespace: client.options.namespace,
        execution: { workflowId, runId },
        maximumPageSize: pageSize,
        ...(nextPageToken !== undefined ? { nextPageToken } : {}),
      })
      .catch((error: unknown) => {
        if (isGrpcServiceError(error) && Number(error.code) === grpcNotFound)
          throw new WorkflowNotFoundError(`no actor ${workflowId}`, workflowId, undefined);
        throw error;
      });
  type Page = Awaited<ReturnType<typeof page>>;
  const definitionIn = (events: Page): CompiledJobnet | undefined => {
    for (const event of events.history?.events ?? []) {
      const signaled = event.workflowExecutionSignaledEventAttributes;
      if (signaled?.signalName === applyDefinitionSignal.name) {
        const applied = firstPayload<DefinitionApply>(signaled.input);
        if (applied?.definition?.project === project && applied.definition.name === jobnet) return applied.definition;
        continue;
      }
      const started = event.workflowExecutionStartedEventAttributes;
      if (started !== undefined && started !== null) {
        const input = firstPayload<JobnetActorInput>(started.input);
        if (input?.definition !== undefined) return input.definition;
        throw new AppliedDefinitionError(`the actor of ${project}/${jobnet} was started without a definition`);
      }
    }
    return undefined;
  };
  const tokenOf = (events: Page): Uint8Array | undefined =>
    events.nextPageToken !== undefined && events.nextPageToken !== null && events.nextPageToken.length > 0
      ? events.nextPageToken
      : undefined;

  // The newest events of the current run usually hold it: one call, without looking the run up.
  const first = await page('', undefined);
  const found = definitionIn(first);
  if (found !== undefined) return found;
  if (tokenOf(first) === undefined)
    throw new AppliedDefinitionError(`the history of the actor of ${project}/${jobnet} holds no definition`);
  // Further back: pin the run, so that a continue-as-new meanwhile cannot mix two histories.
  const { runId } = await client.workflow.getHandle(workflowId).describe();
  let token: Uint8Array | undefined;
  do {
    const next = await page(runId, token);
    const definition = definitionIn(next);
    if (definition !== undefined) return definition;
    token = tokenOf(next);
  } while (token !== undefined);
  throw new AppliedDefinitionError(`the history of the actor of ${project}/${jobnet} holds no definition`);
}
