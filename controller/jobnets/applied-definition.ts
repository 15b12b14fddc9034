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
import { defaultPayloadConverter } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { applyDefinitionSignal, type DefinitionApply, type JobnetActorInput } from '../../workflows/jobnet-actor-contract.js';
import type { CompiledJobnet } from '../../workflows/lib/compiled-jobnet.js';
import { jobnetActorWorkflowId } from '../../workflows/lib/wire-contract.js';

/** Events read per page, newest first. */
const pageSize = 200;

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
export async function getAppliedDefinition(client: Client, taskQueue: string, project: string, jobnet: string): Promise<CompiledJobnet> {
  const workflowId = jobnetActorWorkflowId(taskQueue, project, jobnet);
  const description = await client.workflow.getHandle(workflowId).describe();
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: client.options.namespace,
      execution: { workflowId, runId: description.runId },
      maximumPageSize: pageSize,
      ...(nextPageToken !== undefined ? { nextPageToken } : {}),
    });
    for (const event of page.history?.events ?? []) {
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
    nextPageToken = page.nextPageToken !== undefined && page.nextPageToken !== null && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
  } while (nextPageToken !== undefined);
  throw new AppliedDefinitionError(`the history of the actor of ${project}/${jobnet} holds no definition`);
}
