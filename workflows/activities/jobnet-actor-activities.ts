/**
 * The activities of the jobnet actors and the event registry: the Updates and starts they send
 * to other workflows through the worker's client (a workflow cannot send an Update itself).
 * Each is idempotent: Updates carry ids derived from the request, and starts use the target's
 * deterministic workflow id with `signalWithStart`.
 *
 * A refusal by the target (a rejected Update) is an answer, not a failure: it is returned with
 * its reason so the actor or the registry can pass it on. Only infrastructure errors throw (and
 * are retried by Temporal).
 */
import type { Client } from '@temporalio/client';
import {
  raiseEventUpdate,
  type EventClearAnswer,
  type EventClearBatch,
  type EventDeliveryBatch,
  type EventRaise,
  type EventRaiseAnswer,
  type EventTargetResult,
} from '../event-registry-contract.js';
import {
  applyDefinitionSignal,
  clearEventsUpdate,
  deliverEventUpdate,
  jobnetOperationUpdate,
  type JobnetActorInput,
} from '../jobnet-actor-contract.js';
import { runOperationUpdate } from '../run-contract.js';
import { copyDefinition } from '../lib/jobnet-copy.js';
import { isWorkflowNotFound, refusalReason, updateRefusalReason } from '../lib/temporal-refusals.js';
import {
  eventRegistryWorkflowId,
  jobnetActorWorkflowId,
  searchAttributeKeys,
  workflowTypes,
} from '../lib/wire-contract.js';
import type {
  JobnetActorActivities,
  JobnetCopyAnswer,
  JobnetCopyRequest,
  RunOperationOfJobnet,
  RunOperationOutcome,
} from './activity.types.js';

/** The refusal reason of a target workflow that does not run. */
const notRunning = 'its workflow is not running';

export function createJobnetActorActivities(options: { client: Client; taskQueue: string }): JobnetActorActivities {
  const { client, taskQueue } = options;

  async function startJobnetCopy(request: JobnetCopyRequest): Promise<JobnetCopyAnswer> {
    const copy = copyDefinition(request.definition, request.suffix);
    const workflowId = jobnetActorWorkflowId(taskQueue, copy.project, copy.name);
    const input: JobnetActorInput = { definition: copy, copyOf: request.definition.name };
    await client.workflow.signalWithStart(workflowTypes.jobnetActor, {
      workflowId,
      taskQueue,
      args: [input],
      signal: applyDefinitionSignal,
      signalArgs: [{ definition: copy, by: 'copy start' }],
      typedSearchAttributes: [
        { key: searchAttributeKeys.project, value: copy.project },
        { key: searchAttributeKeys.name, value: copy.name },
      ],
    });
    const handle = client.workflow.getHandle(workflowId);
    try {
      if (request.event !== undefined) {
        const answer = await handle.executeUpdate(deliverEventUpdate, { args: [request.event] });
        return {
          ok: true,
          jobnet: copy.name,
          detail: answer.detail,
          ...(answer.runId !== undefined ? { runId: answer.runId } : {}),
        };
      }
      const operation = request.request ?? { operation: 'start' as const, by: 'copy start' };
      const answer = await handle.executeUpdate(jobnetOperationUpdate, { args: [operation] });
      return {
        ok: true,
        jobnet: copy.name,
        detail: answer.detail,
        ...(answer.runId !== undefined ? { runId: answer.runId } : {}),
      };
    } catch (error) {
      const reason = refusalReason(error, notRunning);
      if (reason === undefined) throw error;
      return { ok: false, reason: `copy ${copy.name}: ${reason}` };
    }
  }

  async function operateRunOfJobnet(request: RunOperationOfJobnet): Promise<RunOperationOutcome> {
    try {
      const answer = await client.workflow
        .getHandle(request.runId)
        .executeUpdate(runOperationUpdate, { args: [request.request] });
      return { ok: true, detail: answer.detail };
    } catch (error) {
      const reason = refusalReason(error, notRunning);
      if (reason === undefined) throw error;
      return { ok: false, reason: `run ${request.runId}: ${reason}` };
    }
  }

  async function deliverEventToJobnets(batch: EventDeliveryBatch): Promise<EventTargetResult[]> {
    const results: EventTargetResult[] = [];
    for (const target of batch.targets) {
      const { event, parameter, suffix, by } = batch.raise;
      const delivery = {
        event,
        by,
        ...(parameter !== undefined ? { parameter } : {}),
        ...(suffix !== undefined ? { suffix } : {}),
      };
      try {
        const answer = await client.workflow
          .getHandle(jobnetActorWorkflowId(taskQueue, target.project, target.jobnet))
          .executeUpdate(deliverEventUpdate, { args: [delivery], updateId: target.updateId });
        results.push({
          project: target.project,
          jobnet: target.jobnet,
          outcome: answer.outcome,
          detail: answer.detail,
          ...(answer.runId !== undefined ? { runId: answer.runId } : {}),
        });
      } catch (error) {
        const reason = refusalReason(error, notRunning);
        if (reason === undefined) throw error;
        results.push({ project: target.project, jobnet: target.jobnet, outcome: 'refused', detail: reason });
      }
    }
    return results;
  }

  async function clearEventsOfJobnets(batch: EventClearBatch): Promise<EventClearAnswer['results']> {
    const results: EventClearAnswer['results'] = [];
    for (const target of batch.targets) {
      try {
        const answer = await client.workflow
          .getHandle(jobnetActorWorkflowId(taskQueue, target.project, target.jobnet))
          .executeUpdate(clearEventsUpdate, {
            args: [
              { by: batch.request.by, ...(batch.request.event !== undefined ? { event: batch.request.event } : {}) },
            ],
            updateId: target.updateId,
          });
        results.push({ project: target.project, jobnet: target.jobnet, cleared: answer.cleared });
      } catch (error) {
        const reason = refusalReason(error, notRunning);
        if (reason === undefined) throw error;
        results.push({ project: target.project, jobnet: target.jobnet, cleared: 0, refused: reason });
      }
    }
    return results;
  }

  async function raiseEventFromJob(raise: EventRaise): Promise<EventRaiseAnswer | undefined> {
    try {
      return await client.workflow
        .getHandle(eventRegistryWorkflowId(taskQueue))
        .executeUpdate(raiseEventUpdate, { args: [raise] });
    } catch (error) {
      if (isWorkflowNotFound(error)) return undefined;
      const refused = updateRefusalReason(error);
      if (refused !== undefined)
        return {
          event: raise.event,
          results: [{ project: raise.project ?? '', jobnet: raise.jobnet ?? '', outcome: 'refused', detail: refused }],
        };
      throw error;
    }
  }

  return { startJobnetCopy, operateRunOfJobnet, deliverEventToJobnets, clearEventsOfJobnets, raiseEventFromJob };
}
