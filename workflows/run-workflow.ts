/**
 * The run workflow (docs/architecture.md#runs-are-child-workflows): the interpreter of one run of one revision-pinned
 * compiled jobnet. The decisions are the pure run state machine's (`lib/run-state.ts`); this
 * workflow only carries them out durably:
 * - starts the jobs `readyJobs` names (after their retry interval, after acquiring their
 *   exclusive resources from the resource locks, R-JOB), each in its own cancellation scope,
 *   with its time limit racing it (reason `timeLimit`) and its expected duration watched
 *   (trouble `jobOverrun`);
 * - reports each start and end to the state machine, cancels what `jobsToCancel` names
 *   (reason `operator`), and takes operator operations as an Update whose validator refuses,
 *   changing nothing, what the state forbids (R-OPS-3);
 * - answers the `runView` query with the state, troubles, events and child runs.
 *
 * A run that is not a child ends when it ends normally or pseudo-normally; an abended or forced
 * run stays open awaiting restart, a recovery operation or `closeRun` (R-OPS-2). A child run
 * completes at its first final status and returns it to its parent's `jobnet` job. Cancelling the
 * workflow (from Temporal or a parent) force-terminates the run and waits for its jobs to stop.
 *
 * Deterministic workflow code only (CONTRIBUTING.md#8-workflow-code-is-deterministic): time is the workflow clock, every
 * iteration is in sorted order, and all I/O happens in activities.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  proxySinks,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JobnetActivities } from './activities/activity.types.js';
import type { JobnetEventSinks } from './event-sink-contract.js';
import type { ForcedEndReason } from './lib/exit-classification.js';
import { schedulerExitCodes } from './lib/exit-classification.js';
import { formatDuration } from './lib/durations.js';
import * as runState from './lib/run-state.js';
import type { JobOutcome, OperationResult, ReadyJob, RunFinalStatus, RunState, RunStatus } from './lib/run-state.js';
import { closedRunFailure, firstFailedJob, runCurrentDetails } from './lib/temporal-ui-text.js';
import { legacyResourceLockWorkflowId, resourceLockWorkflowId, searchAttributeKeys } from './lib/wire-contract.js';
import { releaseResourceSignal } from './resource-lock-workflow.js';
import { runReportSignal } from './jobnet-actor-contract.js';
import {
  closeRunSignal,
  deliverEventSignal,
  livenessProbeSignal,
  resourceGrantedSignal,
  runOperationUpdate,
  runViewQuery,
  type RaisedEvent,
  type RunInput,
  type RunOperationAnswer,
  type RunOperationRequest,
  type RunResult,
  type RunTrouble,
  type RunView,
} from './run-contract.js';
import { maxJobnetLevel } from './jobs/child-jobnet-job.js';
import { executeJob } from './jobs/execute-job.js';
import type { JobExecution } from './jobs/job-context.js';

const lockActivities = proxyActivities<JobnetActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

// Metrics and terminal lines of the worker process; no history events (event-sink-contract.ts).
const { jobnetEvents } = proxySinks<JobnetEventSinks>();

/** An exclusive resource a job asked for: the lock workflow's id and the request's token. */
interface HeldResource {
  resource: string;
  token: string;
  lock: string;
}

/** A job the workflow has started: its scope, and why it is being cancelled, once it is. */
interface ActiveJob {
  scope: CancellationScope;
  cancelReason?: ForcedEndReason;
}

function isFinal(status: RunStatus): status is RunFinalStatus {
  return status !== 'running' && status !== 'warning';
}

/** Runs one compiled jobnet (see the module header). */
export async function runWorkflow(input: RunInput): Promise<RunResult> {
  const runId = workflowInfo().workflowId;
  const { jobnet } = input;
  let state: RunState = initialState(input);
  let changed = false;
  let lastStatus: RunStatus | undefined;
  // The status in the run's `JobnetRunStatus`: upserted only when it changes (see RunInput.startedWithStatus).
  let publishedStatus: RunStatus | undefined = input.startedWithStatus;
  let closed: RunView['closed'];
  const troubles: RunTrouble[] = [];
  const raisedEvents: RaisedEvent[] = [];
  const pendingEvents: Record<string, number> = {};
  const jobMessages: Record<string, string> = {};
  const childRuns: Record<string, string> = {};
  const childStates: Record<string, RunState> = {};
  const active = new Map<string, ActiveJob>();
  const launching = new Set<string>();
  const grants = new Set<string>();
  let tokenSequence = 0;
  const identity = { project: jobnet.project, jobnet: jobnet.name };
  jobnetEvents.emit({
    event: 'runStarted',
    at: Date.now(),
    ...identity,
    runId,
    businessDate: input.businessDate,
    trigger: input.trigger,
    level: input.level,
  });

  const touch = (): void => {
    changed = true;
  };

  const view = (): RunView => {
    const answer: RunView = {
      runId,
      project: jobnet.project,
      jobnet: jobnet.name,
      revision: jobnet.revision,
      businessDate: input.businessDate,
      trigger: input.trigger,
      requestedBy: input.requestedBy,
      level: input.level,
      status: runState.runStatus(state),
      state,
      troubles,
      raisedEvents,
      pendingEvents,
      jobMessages,
      childRuns,
    };
    if (jobnet.title !== undefined) answer.title = jobnet.title;
    if (input.parameter !== undefined) answer.parameter = input.parameter;
    if (closed) answer.closed = closed;
    if (input.actor !== undefined) answer.actor = input.actor;
    if (input.retryOf !== undefined) answer.retryOf = input.retryOf;
    return answer;
  };

  const operate = (request: RunOperationRequest): OperationResult => {
    const context = { by: request.by, at: Date.now() };
    if (closed) return { ok: false, reason: `the run was closed by ${closed.by}; it accepts no more operations` };
    switch (request.operation) {
      case 'forceTerminateRun':
        return runState.forceTerminateRun(state, context);
      case 'restartRun':
        return runState.restartRun(state, context);
      case 'closeRun':
      case 'cancelJobs':
        return { ok: false, reason: `${request.operation} is handled by the run itself` };
      case 'forceTerminateJob':
        return runState.forceTerminateJob(state, request.job, context);
      case 'holdJob':
        return runState.holdJob(state, request.job, context);
      case 'releaseJob':
        return runState.releaseJob(state, request.job, context);
      case 'disableJob':
        return runState.disableJob(state, request.job, context);
      case 'enableJob':
        return runState.enableJob(state, request.job, context);
      case 'startFromJob':
        return runState.startFromJob(state, request.job, context);
      case 'restartFromJob':
        return runState.restartFromJob(state, request.job, context);
      case 'skipJob':
        return runState.skipJob(state, request.job, context);
      case 'runOnlyJob':
        return runState.runOnlyJob(state, request.job, context);
    }
  };

  /** Why `closeRun` is refused now, or undefined when it may close the run. */
  const closeRefusal = (): string | undefined => {
    if (closed) return `the run was already closed by ${closed.by}`;
    const status = runState.runStatus(state);
    if (!isFinal(status) || active.size > 0) return `cannot close the run: it is ${status}; force-terminate it first`;
    return undefined;
  };

  setHandler(runViewQuery, view);
  setHandler(deliverEventSignal, ({ event }) => {
    pendingEvents[event] = (pendingEvents[event] ?? 0) + 1;
    touch();
  });
  setHandler(closeRunSignal, ({ by }) => {
    if (closeRefusal() !== undefined) return;
    closed = { by, at: Date.now() };
    touch();
  });
  setHandler(livenessProbeSignal, () => undefined);
  setHandler(resourceGrantedSignal, ({ token }) => {
    grants.add(token);
    touch();
  });
  setHandler(
    runOperationUpdate,
    (request): RunOperationAnswer => {
      if (request.operation === 'closeRun') {
        const refusal = closeRefusal();
        if (refusal !== undefined) throw ApplicationFailure.nonRetryable(refusal, 'OperationRefused');
        closed = { by: request.by, at: Date.now() };
        touch();
        jobnetEvents.emit({
          event: 'operation',
          at: closed.at,
          ...identity,
          runId,
          operation: 'closeRun',
          by: request.by,
          detail: `run closed ${runState.runStatus(state)}`,
        });
        return {
          operation: 'closeRun',
          detail: `run closed ${runState.runStatus(state)}`,
          status: runState.runStatus(state),
        };
      }
      if (request.operation === 'cancelJobs') {
        // One Update for every job (R-OPS-4): never refused, so repeating it is harmless.
        const context = { by: request.by, at: Date.now() };
        const result = closed
          ? {
              state,
              answers: [...new Set(request.jobs)]
                .sort()
                .map((job) => ({ job, outcome: 'alreadyEnded' as const, state: state.jobs[job]?.state ?? 'waiting' })),
            }
          : runState.forceTerminateJobs(state, request.jobs, request.jobStates, context);
        if (result.state !== state) {
          state = result.state;
          touch();
        }
        const terminated = result.answers.filter((answer) => answer.outcome === 'terminated').length;
        return {
          operation: 'cancelJobs',
          detail: `${terminated} of ${result.answers.length} job(s) force-terminated`,
          status: runState.runStatus(state),
          jobs: result.answers,
        };
      }
      const result = operate(request);
      if (!result.ok) throw ApplicationFailure.nonRetryable(result.reason, 'OperationRefused');
      state = result.state;
      touch();
      const record = state.operations[state.operations.length - 1];
      jobnetEvents.emit({
        event: 'operation',
        at: Date.now(),
        ...identity,
        runId,
        operation: request.operation,
        by: request.by,
        detail: record?.detail ?? '',
      });
      return { operation: request.operation, detail: record?.detail ?? '', status: runState.runStatus(state) };
    },
    {
      validator: (request: RunOperationRequest) => {
        if (request.operation === 'cancelJobs') return;
        const refusal =
          request.operation === 'closeRun'
            ? closeRefusal()
            : ((result) => (result.ok ? undefined : result.reason))(operate(request));
        if (refusal !== undefined) throw new Error(refusal);
      },
    },
  );

  const jobnetVariables = (): Record<string, string> => ({ ...(input.inheritedVariables ?? {}), ...state.variables });

  const recordTrouble = (trouble: Omit<RunTrouble, 'at' | 'project' | 'jobnet' | 'runId' | 'title'>): void => {
    const entry: RunTrouble = { at: Date.now(), project: jobnet.project, jobnet: jobnet.name, runId, ...trouble };
    if (jobnet.title !== undefined) entry.title = jobnet.title;
    troubles.push(entry);
    // A run an actor follows has its troubles recorded (and emitted) by the actor.
    if (input.actor === undefined)
      jobnetEvents.emit({
        event: 'trouble',
        at: entry.at,
        ...identity,
        trouble: entry.kind,
        runId,
        ...(entry.job !== undefined ? { job: entry.job } : {}),
        ...(entry.exitCode !== undefined ? { exitCode: entry.exitCode } : {}),
        message: entry.message,
      });
  };

  const stillReady = (ready: ReadyJob): boolean =>
    runState
      .readyJobs(state)
      .some((entry) => entry.job === ready.job && entry.attempt === ready.attempt && entry.mode === ready.mode);

  /** Acquires the job's exclusive resources in name order (no deadlock between runs); false when the job stopped being ready. */
  const acquireResources = async (ready: ReadyJob, held: HeldResource[]): Promise<boolean> => {
    for (const resource of [...ready.exclusive].sort()) {
      tokenSequence += 1;
      const token = `${runId}#${ready.job}#${ready.attempt}#${tokenSequence}`;
      // Locks are per deployment; runs of earlier versions asked the namespace-wide lock.
      const lock = patched('deployment-scoped-ids')
        ? resourceLockWorkflowId(workflowInfo().taskQueue, resource)
        : legacyResourceLockWorkflowId(resource);
      held.push({ resource, token, lock });
      await lockActivities.requestResourceLock({ resource, requester: runId, token, lock });
      await condition(() => grants.has(token) || !stillReady(ready));
      if (!grants.has(token)) return false;
    }
    return true;
  };

  const releaseResources = async (held: HeldResource[]): Promise<void> => {
    for (const { lock, token } of held) {
      grants.delete(token);
      try {
        await getExternalWorkflowHandle(lock).signal(releaseResourceSignal, { token });
      } catch {
        // The lock has ended (it ends when nobody holds or waits): nothing to release.
      }
    }
  };

  /**
   * Starts one job and carries it to its end; every path ends by marking the run changed. Called
   * only from the run's loop, so it runs in the loop's non-cancellable scope: a job is stopped by
   * cancelling its own scope (runStartedJob), never by the workflow's cancellation reaching it.
   */
  const launch = async (ready: ReadyJob): Promise<void> => {
    const held: HeldResource[] = [];
    try {
      if (ready.notBefore !== undefined && ready.notBefore > Date.now()) {
        await condition(() => !stillReady(ready), ready.notBefore - Date.now());
      }
      if (!stillReady(ready)) return;
      if (ready.exclusive.length > 0 && !(await acquireResources(ready, held))) return;
      if (!stillReady(ready)) return;
      state = runState.jobStarted(state, ready.job, Date.now());
      delete jobMessages[ready.job];
      launching.delete(ready.job);
      touch();
      const execution = await runStartedJob(ready);
      if (execution.message !== undefined) jobMessages[ready.job] = execution.message;
      state = runState.jobEnded(state, ready.job, execution.outcome, Date.now());
      const ended = state.jobs[ready.job];
      if (ended !== undefined)
        jobnetEvents.emit({
          event: 'jobEnded',
          at: Date.now(),
          ...identity,
          runId,
          job: ready.job,
          jobType: jobnet.jobs[ready.job]?.type ?? 'unknown',
          state: ended.state,
          ...(ended.exitCode !== undefined ? { exitCode: ended.exitCode } : {}),
          seconds: Math.max(0, (ended.endedAt ?? Date.now()) - (ended.startedAt ?? Date.now())) / 1000,
        });
    } finally {
      launching.delete(ready.job);
      active.delete(ready.job);
      if (held.length > 0) await releaseResources(held);
      touch();
    }
  };

  /** Runs a started job in its own scope, with its time limit and expected duration watched. */
  const runStartedJob = async (ready: ReadyJob): Promise<JobExecution> => {
    const job = jobnet.jobs[ready.job];
    if (job === undefined) {
      return {
        outcome: { exitCode: schedulerExitCodes.jobDefinitionNotFound },
        message: `job "${ready.job}" is not in the compiled jobnet`,
      };
    }
    const scope = new CancellationScope();
    const entry: ActiveJob = { scope };
    active.set(ready.job, entry);
    // Each scope costs the workflow thread several promises: a job watched by nothing gets none.
    const watched = job.timeLimitSeconds !== undefined || job.expectedDurationSeconds !== undefined;
    const watchers = watched ? new CancellationScope() : undefined;
    if (watchers !== undefined && job.timeLimitSeconds !== undefined) {
      const seconds = job.timeLimitSeconds;
      void watchers
        .run(async () => {
          await sleep(seconds * 1000);
          if (entry.cancelReason === undefined) {
            entry.cancelReason = 'timeLimit';
            scope.cancel();
          }
        })
        .catch(ignoreCancellation);
    }
    if (watchers !== undefined && job.expectedDurationSeconds !== undefined) {
      const seconds = job.expectedDurationSeconds;
      void watchers
        .run(async () => {
          await sleep(seconds * 1000);
          recordTrouble({
            kind: 'jobOverrun',
            job: ready.job,
            message: `job "${ready.job}" has run longer than its expected duration ${formatDuration(seconds)} and is still running`,
          });
          touch();
        })
        .catch(ignoreCancellation);
    }
    // A job already asked to stop before it got going (operator, or the run force-terminated).
    if (state.jobs[ready.job]?.cancelRequested !== undefined) {
      entry.cancelReason = 'operator';
      scope.cancel();
    }
    let execution: JobExecution;
    try {
      execution = await scope.run(() =>
        executeJob({
          input,
          runId,
          job,
          attempt: ready.attempt,
          resume: ready.resume === true,
          jobnetVariables,
          takeEvent: async (event) => {
            await condition(() => (pendingEvents[event] ?? 0) > 0);
            pendingEvents[event] = (pendingEvents[event] ?? 1) - 1;
            if (pendingEvents[event] === 0) delete pendingEvents[event];
          },
          recordRaisedEvent: (event) => raisedEvents.push(event),
          previousChildState: () => childStates[ready.job],
          recordChildRun: (workflowId) => {
            childRuns[ready.job] = workflowId;
          },
          recordChildState: (childState) => {
            childStates[ready.job] = childState;
          },
          now: () => Date.now(),
        }),
      );
    } catch (error) {
      if (entry.cancelReason === undefined || !isCancellation(error)) {
        const message = error instanceof Error ? error.message : String(error);
        execution = { outcome: { exitCode: schedulerExitCodes.jobStartFailed, output: message }, message };
      } else {
        execution = { outcome: { exitCode: schedulerExitCodes.forceTerminated } };
      }
    } finally {
      watchers?.cancel();
    }
    if (entry.cancelReason !== undefined) {
      const outcome: JobOutcome = { exitCode: schedulerExitCodes.forceTerminated, forcedReason: entry.cancelReason };
      if (execution.outcome.output !== undefined) outcome.output = execution.outcome.output;
      return { outcome };
    }
    return execution;
  };

  // The jobnet actor that started the run follows its status, troubles and completion. Reports
  // go out one after another, in order; an actor that is gone (retired jobnet) is not an error.
  let reportedTroubles = 0;
  let reports: Promise<void> = Promise.resolve();
  const reportToActor = (completed: boolean): Promise<void> => {
    const actor = input.actor;
    if (actor === undefined) return reports;
    const report = {
      runId,
      status: runState.runStatus(state),
      troubles: troubles.slice(reportedTroubles),
      completed,
      at: Date.now(),
    };
    reportedTroubles = troubles.length;
    reports = reports
      .then(() => getExternalWorkflowHandle(actor).signal(runReportSignal, report))
      .catch(() => undefined);
    return reports;
  };

  // Cancelling the workflow (Temporal, or the parent run) force-terminates the run (R-OPS-1).
  const root = CancellationScope.current();
  root.cancelRequested.catch(() => {
    const result = runState.forceTerminateRun(state, {
      by: input.parent ? input.parent.workflowId : 'temporal-cancel',
      at: Date.now(),
    });
    if (result.ok) state = result.state;
    touch();
  });

  return await CancellationScope.nonCancellable(async () => {
    for (;;) {
      for (const job of runState.jobsToCancel(state)) {
        const entry = active.get(job);
        if (entry && entry.cancelReason === undefined) {
          entry.cancelReason = 'operator';
          entry.scope.cancel();
        }
      }
      for (const ready of runState.readyJobs(state)) {
        if (launching.has(ready.job) || active.has(ready.job)) continue;
        launching.add(ready.job);
        void launch(ready);
      }
      const status = runState.runStatus(state);
      if (status !== lastStatus) {
        lastStatus = status;
        if (status !== publishedStatus) {
          publishedStatus = status;
          upsertSearchAttributes([{ key: searchAttributeKeys.runStatus, value: status }]);
        }
        // The job that failed first (it ran and ended abended or forced), with its exit code.
        const abnormal = status === 'abended' || status === 'forced';
        const [failedJob, failed] = (abnormal ? firstFailedJob(state) : undefined) ?? [undefined, undefined];
        const failure = {
          ...(failedJob !== undefined ? { job: failedJob } : {}),
          ...(failed?.exitCode !== undefined ? { exitCode: failed.exitCode } : {}),
          ...(failed?.forcedReason !== undefined ? { forcedReason: failed.forcedReason } : {}),
        };
        // A forced run is a `jobnetAbended` trouble too (R-TRB), with the forced-end reason (R-INC-4).
        if (abnormal)
          recordTrouble({
            kind: 'jobnetAbended',
            ...failure,
            message: `jobnet ${jobnet.project}/${jobnet.name} ended abnormally${failedJob !== undefined ? `: job ${failedJob} ended ${failed?.state ?? ''}${failed?.exitCode !== undefined ? ` with exit code ${failed.exitCode}` : ''}` : ''}`,
          });
        if (isFinal(status))
          jobnetEvents.emit({
            event: 'runEnded',
            at: Date.now(),
            ...identity,
            runId,
            businessDate: input.businessDate,
            status,
            ...failure,
          });
        void reportToActor(false);
      } else if (troubles.length > reportedTroubles) {
        void reportToActor(false);
      }
      setCurrentDetails(runCurrentDetails(status, state, closed?.by));
      const idle = active.size === 0 && launching.size === 0;
      if (idle && isFinal(status)) {
        const ended = status === 'normal' || status === 'pseudoNormal';
        if (ended || input.parent !== undefined || closed) {
          await reportToActor(true);
          // A closed abended or forced run ends as a failed workflow, so Temporal shows it as one.
          if (!ended && input.parent === undefined && closed && patched('fail-closed-abnormal-runs'))
            throw ApplicationFailure.nonRetryable(
              closedRunFailure(
                { project: jobnet.project, jobnet: jobnet.name, businessDate: input.businessDate },
                status,
                state,
                closed.by,
              ),
              status === 'forced' ? 'RunForced' : 'RunAbended',
            );
          return { status, state };
        }
      }
      changed = false;
      await condition(() => changed);
    }
  });
}

function ignoreCancellation(error: unknown): void {
  if (!isCancellation(error)) throw error;
}

/** A new run, or the resumed previous run of a child jobnet (R-OPS-2). */
function initialState(input: RunInput): RunState {
  const now = Date.now();
  if (input.level > maxJobnetLevel)
    throw ApplicationFailure.nonRetryable(`a run at level ${input.level} exceeds ${maxJobnetLevel} levels`);
  if (input.resumeFrom) {
    const resumed = runState.restartRun(input.resumeFrom, { by: input.requestedBy, at: now });
    if (resumed.ok) return resumed.state;
  }
  return runState.createRunState(input.jobnet, now);
}
