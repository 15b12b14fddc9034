/**
 * `jobnet retry RUN` and `jobnet cancel RUN [--job-state S] [--job PATTERN]` (R-OPS-4,
 * docs/operations.md#retry-and-cancel), and the retry links `jobnet get run` prints. Exit 0 when
 * accepted, 1 when refused (`refused: <reason>` on stderr; nothing changed), 2 for bad usage.
 *
 * Must not: decide whether a run may be retried or which jobs a filter selects (run-retry.ts,
 * run-cancel.ts decide), print the API key.
 */
import type { Command } from 'commander';
import type { KnownRetry } from '../../../workflows/lib/run-retry.js';
import type { CancelRunResult, RetryRunResult } from '../../runs/run-retry-client.js';
import type { RunView } from '../../../workflows/run-contract.js';
import type { TemporalFlags } from '../../temporal/temporal-target.js';
import {
  ApiClient,
  addOperatorTargetOptions,
  apiTargetForCommand,
  refuseByWithServer,
  segment,
  type ServerFlags,
} from '../api-client.js';
import { UsageError, exitCodes } from '../cli-errors.js';
import { operatorName, temporalTargetForCommand, withTemporalClient } from '../temporal-commands.js';

interface RetryFlags extends TemporalFlags, ServerFlags {
  by?: string;
  json?: boolean;
}

interface CancelFlags extends RetryFlags {
  jobState?: string;
  job?: string;
}

type RetryAnswer = RetryRunResult;
type CancelAnswer = CancelRunResult;

/** What `POST /api/v1/runs/:id/retry` answers. */
interface RemoteRetry {
  runId: string;
  retryOf: string;
  revision: string;
  businessDate: string;
  actor?: string;
  rerun: string[];
  carried: string[];
  variables: Record<string, string>;
  detail: string;
}

/** The API's retry answer in the form of the local one, so both print the same. */
function retryOfRemote(body: RemoteRetry): RetryAnswer {
  const { rerun, carried, variables, ...rest } = body;
  return { ok: true, ...rest, plan: { rerun, carried, variables } };
}

function refused(reason: string, json: boolean | undefined): void {
  if (json) process.stdout.write(JSON.stringify({ ok: false, reason }, null, 2) + '\n');
  process.stderr.write(`refused: ${reason}\n`);
  process.exitCode = exitCodes.failed;
}

/** The lines `jobnet get run` adds under its table: what the run retries, and its retries. */
export function renderRetryLinks(view: RunView, retries: readonly KnownRetry[]): string {
  const lines: string[] = [];
  if (view.retryOf !== undefined) lines.push(`retry of:   ${view.retryOf}`);
  for (const retry of retries) lines.push(`retried by: ${retry.runId} (${retry.status}${retry.open ? ', open' : ''})`);
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

/** Registers `jobnet retry` and `jobnet cancel`. */
export function registerRetryCommands(program: Command): void {
  const retry = program
    .command('retry')
    .description(
      "retry an abended or forced run: a new run, linked to it, re-runs the jobs that did not succeed and carries the others' results and variables (at the original's revision)",
    )
    .argument('<run>', 'run id (workflow id)')
    .option('--by <name>', 'operator name recorded with the retry (default: $USER, else "operator")')
    .option('--json', 'print the answer as JSON');
  addOperatorTargetOptions(retry).action(async (id: string, opts: RetryFlags) => {
    const remote = apiTargetForCommand(opts);
    let result: RetryAnswer;
    if (remote !== undefined) {
      refuseByWithServer(opts.by);
      const answer = await new ApiClient(remote).post<RemoteRetry>(`/api/v1/runs/${segment(id)}/retry`);
      result = answer.ok ? retryOfRemote(answer.body) : answer;
    } else {
      const by = operatorName(opts.by);
      const target = temporalTargetForCommand(opts);
      const { retryRun } = await import('../../runs/run-retry-client.js');
      result = await withTemporalClient(target, ({ client }) => retryRun(client, id, by), id);
    }
    if (!result.ok) return refused(result.reason, opts.json);
    if (opts.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    process.stdout.write(
      [
        `retry ${result.runId} started`,
        `retry of:   ${result.retryOf}`,
        `revision:   ${result.revision} (the original's)`,
        `re-runs:    ${result.plan.rerun.join(', ') || 'none'}`,
        `carried:    ${result.plan.carried.join(', ') || 'none'}`,
        ...(result.actor !== undefined ? [`jobnet:     ${result.actor} (its open run now)`] : []),
      ].join('\n') + '\n',
    );
  });

  const cancel = program
    .command('cancel')
    .description(
      'force-terminate the running and waiting jobs of a run at once (all of them, or those the filters match)',
    )
    .argument('<run>', 'run id (workflow id)')
    .option('--job-state <state>', 'only jobs in this state: running, waiting or held')
    .option('--job <pattern>', 'only jobs whose name matches this glob (picomatch: load-*, {a,b}, step?)')
    .option('--by <name>', 'operator name recorded with the cancel (default: $USER, else "operator")')
    .option('--json', 'print the answer as JSON');
  addOperatorTargetOptions(cancel).action(async (id: string, opts: CancelFlags) => {
    const { cancelSelection, CancelFilterError } = await import('../../runs/run-cancel.js');
    const filter = {
      ...(opts.jobState !== undefined ? { jobState: opts.jobState } : {}),
      ...(opts.job !== undefined ? { job: opts.job } : {}),
    };
    try {
      cancelSelection(filter);
    } catch (error) {
      if (error instanceof CancelFilterError)
        throw new UsageError(`${error.field === 'job' ? '--job' : '--job-state'}: ${error.message}`);
      throw error;
    }
    const remote = apiTargetForCommand(opts);
    let result: CancelAnswer;
    if (remote !== undefined) {
      refuseByWithServer(opts.by);
      const answer = await new ApiClient(remote).post<Omit<Extract<CancelAnswer, { ok: true }>, 'ok'>>(
        `/api/v1/runs/${segment(id)}/cancel`,
        filter,
      );
      result = answer.ok ? { ok: true, ...answer.body } : answer;
    } else {
      const by = operatorName(opts.by);
      const target = temporalTargetForCommand(opts);
      const { cancelRunJobs } = await import('../../runs/run-retry-client.js');
      result = await withTemporalClient(target, ({ client }) => cancelRunJobs(client, id, filter, by), id);
    }
    if (!result.ok) return refused(result.reason, opts.json);
    if (opts.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    const width = Math.max(3, ...result.jobs.map((job) => job.job.length));
    const rows = result.jobs.map((job) => `${job.job.padEnd(width)}  ${job.state.padEnd(8)}  ${job.outcome}`);
    const terminated = result.jobs.filter((job) => job.outcome === 'terminated').length;
    process.stdout.write(
      [`${'JOB'.padEnd(width)}  ${'STATE'.padEnd(8)}  RESULT`, ...rows].join('\n') +
        `\n${terminated} job(s) force-terminated; run status: ${result.status}\n`,
    );
  });
}
