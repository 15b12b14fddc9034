/**
 * The jobnet actor (docs/architecture.md#a-jobnet-actor-not-temporal-schedules): one long-lived workflow per jobnet, id
 * `jobnet/<deployment>/<project>/<jobnet>` (lib/wire-contract.ts), that holds the jobnet's state
 * across runs and the compiled definition of the latest applied revision.
 *
 * Every decision is the pure machine's (`lib/jobnet-machine.ts`): this workflow is a loop that
 * hands it each input — its own wake, the signals (a definition applied, a retire, a run's report),
 * the Updates (operations, event deliveries, clears) and the end of a child run — and carries out
 * the effects it returns, in order: start a run as a child that outlives the actor's own
 * continue-as-new (parent close policy ABANDON), signal a run (close, deliver an event, probe),
 * run the copy and forward-operation activities, upsert the search attributes and the memo's
 * summary, answer or refuse an Update, continue as new, complete, or sleep until the next thing
 * that can happen by itself.
 * An effect that takes time is awaited here and its outcome handed back to the machine, which
 * goes on from where it was. The operation Update's validator asks the machine's own refusal
 * function, so a refused operation never reaches history (R-OPS-3).
 *
 * Catch-up after an outage (R-SCH-3) needs no special code: a timer that should have fired while
 * no worker ran fires when one is back, and the machine sorts the starts found overdue.
 *
 * Histories of running actors must replay: the commands, their order and the `patched()` markers
 * are those of the actor before the machine existed (test/fixtures/actor-histories/).
 * Deterministic workflow code only (CONTRIBUTING.md#8-workflow-code-is-deterministic): workflow clock, I/O in activities.
 */
import {
  ApplicationFailure,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  setCurrentDetails,
  proxyActivities,
  proxySinks,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JobnetActorActivities } from './activities/activity.types.js';
import type { JobnetEventSinks } from './event-sink-contract.js';
import {
  applyDefinitionSignal,
  clearEventsUpdate,
  deliverEventUpdate,
  jobnetOperationUpdate,
  jobnetViewQuery,
  retireSignal,
  runReportSignal,
  type EventDeliveryAnswer,
  type JobnetActorInput,
  type JobnetOperationAnswer,
  type JobnetOperationRequest,
} from './jobnet-actor-contract.js';
import {
  createMachine,
  jobnetViewOf,
  operationRefusalOf,
  step,
  type ActorAnswer,
  type ActorEffect,
  type ActorInput,
  type ActorWorld,
  type EffectOutcome,
} from './lib/jobnet-machine.js';
import type { JobnetActorState } from './lib/jobnet-state.js';
import {
  closeRunSignal,
  deliverEventSignal,
  livenessProbeSignal,
  runStartTextOf,
  type RunResult,
} from './run-contract.js';
import { runWorkflow } from './run-workflow.js';
import { actorCurrentDetails } from './lib/temporal-ui-text.js';
import type { DeliveryActivities } from './activities/delivery.types.js';
import { incidentRegisteredSignal } from './delivery-contract.js';
import { outboxItemsOf, type OutboxItems } from './lib/actor-outbox.js';
import { noteIncident } from './lib/jobnet-state.js';
import { jobnetSummaryMemoField } from './lib/wire-contract.js';

const actorActivities = proxyActivities<JobnetActorActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

// Metrics and terminal lines of the worker process; no history events (event-sink-contract.ts).
const { jobnetEvents } = proxySinks<JobnetEventSinks>();

/**
 * Emits the troubles and operations `after` recorded since `before` (a step's input and result):
 * troubles by their count, operations as those after the last one `before` held.
 */
function emitRecorded(
  identity: { project: string; jobnet: string },
  before: JobnetActorState,
  after: JobnetActorState,
): void {
  const newTroubles = after.troubleCount - before.troubleCount;
  for (const trouble of newTroubles > 0 ? after.troubles.slice(-newTroubles) : []) {
    jobnetEvents.emit({
      event: 'trouble',
      at: trouble.at,
      project: trouble.project,
      jobnet: trouble.jobnet,
      trouble: trouble.kind,
      ...(trouble.runId !== undefined ? { runId: trouble.runId } : {}),
      ...(trouble.job !== undefined ? { job: trouble.job } : {}),
      ...(trouble.exitCode !== undefined ? { exitCode: trouble.exitCode } : {}),
      message: trouble.message,
    });
  }
  if (after.operations === before.operations) return;
  const last = before.operations[before.operations.length - 1];
  const from = last === undefined ? 0 : after.operations.lastIndexOf(last) + 1;
  for (const operation of after.operations.slice(from)) {
    jobnetEvents.emit({
      event: 'operation',
      at: operation.at,
      ...identity,
      operation: operation.operation,
      by: operation.by,
      detail: operation.detail,
    });
  }
}

/** The hand-over to delivery: retried until the delivery workflow has the items. */
const outboxActivities = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Marks the actors that publish their summary in the memo, where the jobnet list reads it (lib/jobnet-summary.ts). */
const summaryMemoPatch = 'jobnet-summary-memo';

/** Marks the actors that hand their troubles and run events to delivery (docs/incidents.md). */
const deliveryOutboxPatch = 'delivery-outbox';

/** Runs one jobnet's schedule and state across its runs (see the module header). */
export async function jobnetActorWorkflow(input: JobnetActorInput): Promise<void> {
  let machine = createMachine(input, workflowInfo().workflowId, Date.now());
  /** Set by a step that changed what the loop's sleep was planned on: the sleep ends. */
  let changed = false;
  // Delivery (docs/incidents.md): what each step recorded, handed on in order by one courier.
  const outbox: OutboxItems[] = [];
  let handingOver = false;
  /** A step found the courier busy: once it is idle the loop wakes, so a deferred continue-as-new happens. */
  let waitedForOutbox = false;
  const outboxIdle = (): boolean => outbox.length === 0 && !handingOver;

  const world = (): ActorWorld => {
    const info = workflowInfo();
    return {
      patched,
      historyLength: info.historyLength,
      continueAsNewSuggested: info.continueAsNewSuggested,
      handlersFinished: allHandlersFinished() && outboxHandedOver(),
    };
  };

  /** One step of the machine: its new state kept, the loop woken if it changed something; the effects to carry out. */
  const outboxHandedOver = (): boolean => {
    if (outboxIdle()) return true;
    waitedForOutbox = true;
    return false;
  };

  const advance = (next: ActorInput): ActorEffect[] => {
    const before = machine.state;
    const result = step(machine, next, Date.now(), world());
    emitRecorded(
      { project: result.state.definition.project, jobnet: result.state.definition.name },
      machine.state,
      result.state.state,
    );
    machine = result.state;
    collectOutbox(before);
    if (result.changed) changed = true;
    // What Temporal's UI shows as the actor's current details; no command, nothing in history.
    setCurrentDetails(actorCurrentDetails(machine.published.status ?? 'starting', machine.state));
    return result.effects;
  };

  /**
   * Carries out the effects of `first`, and of the inputs the awaited ones lead to, until the
   * flow ends: an Update's answer (resolved) or refusal (thrown); for the loop, whose every sleep
   * leads to the next wake, the actor's completion or continue-as-new.
   */
  const run = async <T extends ActorAnswer>(first: ActorInput): Promise<T | undefined> => {
    for (let next: ActorInput | undefined = first; next !== undefined;) {
      const effects = advance(next);
      next = undefined;
      for (const effect of effects) {
        switch (effect.kind) {
          case 'publish':
            upsertSearchAttributes(effect.attributes);
            break;
          case 'publishSummary':
            if (patched(summaryMemoPatch)) upsertMemo({ [jobnetSummaryMemoField]: effect.summary });
            break;
          case 'answer':
            return effect.answer as T; // the machine answers each Update with that Update's answer
          case 'refuse':
            throw ApplicationFailure.nonRetryable(effect.reason, effect.failureType);
          case 'complete':
            // Items of the step that decided it are handed on first (no command while there are none).
            if (!outboxIdle()) await condition(outboxIdle);
            return undefined;
          case 'continueAsNew':
            if (!outboxIdle()) {
              await condition(outboxIdle);
              // Steps taken while waiting are carried too.
              return await continueAsNew<typeof jobnetActorWorkflow>({
                ...effect.input,
                definition: machine.definition,
                carried: machine.state,
              });
            }
            return await continueAsNew<typeof jobnetActorWorkflow>(effect.input);
          case 'sleep':
            changed = false;
            if (effect.milliseconds > 0) await condition(() => changed, effect.milliseconds);
            next = { kind: 'wake' };
            break;
          case 'deliverToRun':
            await getExternalWorkflowHandle(effect.runId).signal(deliverEventSignal, { event: effect.event });
            break;
          case 'closeRun':
            next = { kind: 'resume', then: effect.then, outcome: await closeRun(effect.runId, effect.by) };
            break;
          case 'startRun':
            next = { kind: 'resume', then: effect.then, outcome: await startRun(effect) };
            break;
          case 'startCopy':
            next = {
              kind: 'resume',
              then: effect.then,
              outcome: { kind: 'copy', answer: await actorActivities.startJobnetCopy(effect.request) },
            };
            break;
          case 'operateRun':
            next = {
              kind: 'resume',
              then: effect.then,
              outcome: { kind: 'runOperated', answer: await actorActivities.operateRunOfJobnet(effect.request) },
            };
            break;
          case 'probeRun':
            next = { kind: 'resume', then: effect.then, outcome: await probeRun(effect.runId) };
            break;
        }
      }
    }
    return undefined;
  };

  /** Starts a run as a child run and watches its end; Temporal's refusal is the outcome, not a failure. */
  const startRun = async (effect: Extract<ActorEffect, { kind: 'startRun' }>): Promise<EffectOutcome> => {
    const outcome: EffectOutcome = { kind: 'runStarted', runId: effect.runId, businessDate: effect.input.businessDate };
    try {
      const child = await startChild(runWorkflow, {
        workflowId: effect.runId,
        args: [effect.input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
        typedSearchAttributes: effect.searchAttributes,
        ...runStartTextOf(effect.input),
      });
      watchRun(effect.runId, child.result());
    } catch (error) {
      outcome.error = error instanceof Error ? error.message : String(error);
    }
    return outcome;
  };

  /** The end of a run this execution started: the machine notices a run that ended without reporting. */
  const watchRun = (runId: string, result: Promise<RunResult>): void => {
    void result.then(
      (ended) => run({ kind: 'runEnded', runId, ended: { status: ended.status } }),
      (error: unknown) => run({ kind: 'runEnded', runId, ended: { failure: failureText(error) } }),
    );
  };

  const closeRun = async (runId: string, by: string): Promise<EffectOutcome> => {
    try {
      await getExternalWorkflowHandle(runId).signal(closeRunSignal, { by });
    } catch {
      // The run has completed already.
    }
    return { kind: 'closed' };
  };

  /** Signalling a workflow that has ended fails: that is how a run terminated in Temporal shows. */
  const probeRun = async (runId: string): Promise<EffectOutcome> => {
    try {
      await getExternalWorkflowHandle(runId).signal(livenessProbeSignal);
      return { kind: 'probed', alive: true };
    } catch {
      return { kind: 'probed', alive: false };
    }
  };

  /** The step's troubles and run events, queued for the courier (actors recorded before delivery existed hand on nothing). */
  const collectOutbox = (before: typeof machine.state): void => {
    const { definition } = machine;
    const items = outboxItemsOf(
      {
        actorId: workflowInfo().workflowId,
        actorFirstRunId: workflowInfo().firstExecutionRunId,
        project: definition.project,
        jobnet: definition.name,
        ...(definition.title !== undefined ? { title: definition.title } : {}),
      },
      before,
      machine.state,
      Date.now(),
    );
    if (items.incidents.length === 0 && items.logs.length === 0) return;
    if (!patched(deliveryOutboxPatch)) return;
    outbox.push(items);
  };

  const courier = async (): Promise<void> => {
    for (;;) {
      await condition(() => outbox.length > 0);
      handingOver = true;
      const batch = outbox.splice(0, outbox.length);
      await outboxActivities.enqueueDeliveries({
        deployment: workflowInfo().taskQueue,
        items: { incidents: batch.flatMap((items) => items.incidents), logs: batch.flatMap((items) => items.logs) },
      });
      handingOver = false;
      if (outbox.length === 0 && waitedForOutbox) {
        waitedForOutbox = false;
        changed = true;
      }
    }
  };
  void courier();

  setHandler(incidentRegisteredSignal, (registered) =>
    noteIncident(machine.state, registered.troubleId, { number: registered.number, sysId: registered.sysId }),
  );
  setHandler(jobnetViewQuery, () => jobnetViewOf(machine, Date.now()));
  setHandler(applyDefinitionSignal, (apply) => void advance({ kind: 'applyDefinition', apply }));
  setHandler(retireSignal, (retire) => void advance({ kind: 'retire', retire }));
  setHandler(runReportSignal, (report) => void advance({ kind: 'runReport', report }));
  // The Updates' promises are the flows' own (no extra await): the machine always ends them with an answer or a refusal.
  setHandler(
    jobnetOperationUpdate,
    (request) => run<JobnetOperationAnswer>({ kind: 'operation', request }) as Promise<JobnetOperationAnswer>,
    {
      validator: (request: JobnetOperationRequest) => {
        const refusal = operationRefusalOf(machine, request);
        if (refusal !== undefined) throw new Error(refusal);
      },
    },
  );
  setHandler(
    deliverEventUpdate,
    (delivery) => run<EventDeliveryAnswer>({ kind: 'eventDelivery', delivery }) as Promise<EventDeliveryAnswer>,
  );
  setHandler(clearEventsUpdate, ({ by, event }) => {
    const [answer] = advance({ kind: 'clearEvents', by, ...(event !== undefined ? { event } : {}) });
    return answer?.kind === 'answer' ? (answer.answer as { cleared: number }) : { cleared: 0 };
  });

  await run({ kind: 'wake' });
}

/** A child run's failure as an operator reads it: `terminated: reason`, `timed out`, … */
function failureText(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error)
    return `${cause.name === 'TerminatedFailure' ? 'terminated' : cause.name}: ${cause.message}`;
  return String(cause);
}
