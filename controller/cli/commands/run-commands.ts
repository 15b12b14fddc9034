/**
 * `jobnet get run <id>` and `jobnet run <operation> <id>` (R-OPS-1, R-OPS-3, R-OPS-7): show a run
 * as a table or JSON, and send it operator operations. A refusal prints `refused: <reason>` on
 * stderr and exits 1; nothing is changed then (the run decides, run-client.ts carries it).
 *
 * Must not: interpret run state (the workflow refuses what is not allowed), print the API key.
 */
import { Option, type Command } from 'commander';
import type { RunOperationAnswer, RunOperationRequest } from '../../../workflows/run-contract.js';
import type { OperateRunResult } from '../../runs/run-client.js';
import { renderRunTable, runCalendarZone, runViewJson } from '../../runs/render-run.js';
import { addTemporalOptions, type TemporalFlags } from '../../temporal/temporal-target.js';
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
import { addTimeOptions, zoneChoiceOf, zoneOf, type TimeFlags } from '../times.js';
import { registerGetJobnetCommand } from './jobnet-commands.js';
import { registerRetryCommands, renderRetryLinks } from './retry-commands.js';
import { runOperationNames, runOperations } from '../../runs/run-operation-names.js';

/** CLI operation names, what they map to, and whether `--job` is required, optional or refused (shared with the API). */
const operations = runOperations;

/** The CLI operation names, in the order `jobnet run --help` lists them. */
export { runOperationNames };

/**
 * The request for CLI operation `name` on `job` (if given) by `by`.
 * @throws UsageError for an unknown operation, a missing `--job` where one is needed, or a
 * `--job` where the operation takes none.
 */
export function runOperationRequest(name: string, job: string | undefined, by: string): RunOperationRequest {
  const operation = operations[name];
  if (operation === undefined)
    throw new UsageError(`unknown run operation "${name}"; one of: ${runOperationNames.join(', ')}`);
  if (job !== undefined) {
    if (operation.job === undefined) {
      const hint = name === 'restart' ? ' (to re-run one job and what follows, use restart-from --job)' : '';
      throw new UsageError(`run ${name} applies to the whole run and takes no --job${hint}`);
    }
    return { operation: operation.job, job, by };
  }
  if (operation.run === undefined) throw new UsageError(`run ${name} needs --job <name>`);
  return { operation: operation.run, by };
}

interface GetRunFlags extends TemporalFlags, TimeFlags {
  json?: boolean;
  output?: boolean;
}

interface OperateFlags extends TemporalFlags, ServerFlags {
  job?: string;
  by?: string;
  json?: boolean;
}

/** Registers `jobnet get run`, `jobnet get jobnet` (jobnet-commands.ts) and `jobnet run <operation>`. */
export function registerRunCommands(program: Command): void {
  const get = program.command('get').description('show one object');
  const getRun = get
    .command('run')
    .description('show a run: its jobs with state, exit code and times')
    .argument('<id>', 'run id (workflow id, run/<project>/<jobnet>/<business-date>/<seq>)')
    .option('--json', 'print the run as JSON (with every job output; times as ISO 8601 UTC)')
    .option('--output', "print each job's output under its row");
  addTemporalOptions(addTimeOptions(getRun, "the zone of the run's calendar")).action(
    async (id: string, opts: GetRunFlags) => {
      const choice = zoneChoiceOf(opts);
      const target = temporalTargetForCommand(opts);
      const { getRunView } = await import('../../runs/run-client.js');
      const { listRetries } = await import('../../runs/run-retry-client.js');
      const [view, retries] = await withTemporalClient(
        target,
        ({ client }) => Promise.all([getRunView(client, id), listRetries(client, id)]),
        id,
      );
      if (opts.json) {
        const json = runViewJson(view);
        process.stdout.write(JSON.stringify({ ...json, retries }, null, 2) + '\n');
      } else {
        process.stdout.write(
          renderRunTable(view, { zone: zoneOf(choice, runCalendarZone(view)), outputs: opts.output === true }) +
            renderRetryLinks(view, retries),
        );
      }
    },
  );
  registerGetJobnetCommand(get);

  const run = program.command('run').description('operate a run: force-terminate, restart, hold, release, recovery…');
  for (const name of runOperationNames) {
    const operation = operations[name]!;
    const needsJob = operation.run === undefined;
    const job = new Option(
      '--job <name>',
      needsJob ? 'the job to operate on (required)' : 'operate on this job instead of the whole run',
    );
    // Run-wide operations keep a hidden --job so that using it gets a clear message, not "unknown option".
    if (operation.job === undefined) job.hideHelp();
    const sub = run
      .command(name)
      .description(operation.description)
      .argument('<id>', 'run id')
      .addOption(job)
      .option('--by <name>', 'operator name recorded with the operation (default: $USER, else "operator")')
      .option('--json', 'print the answer as JSON');
    addOperatorTargetOptions(sub).action(async (id: string, opts: OperateFlags) => {
      const request = runOperationRequest(name, opts.job, operatorName(opts.by));
      const remote = apiTargetForCommand(opts);
      let result: OperateRunResult;
      if (remote !== undefined) {
        refuseByWithServer(opts.by);
        const answer = await new ApiClient(remote).post<RunOperationAnswer>(
          `/api/v1/runs/${segment(id)}/operations/${segment(name)}`,
          opts.job !== undefined ? { job: opts.job } : {},
        );
        result = answer.ok ? { ok: true, answer: answer.body } : answer;
      } else {
        const target = temporalTargetForCommand(opts);
        const { operateRun } = await import('../../runs/run-client.js');
        result = await withTemporalClient(target, ({ client }) => operateRun(client, id, request), id);
      }
      if (!result.ok) {
        if (opts.json) process.stdout.write(JSON.stringify({ ok: false, reason: result.reason }, null, 2) + '\n');
        process.stderr.write(`refused: ${result.reason}\n`);
        process.exitCode = exitCodes.failed;
        return;
      }
      if (opts.json) process.stdout.write(JSON.stringify({ ok: true, ...result.answer }, null, 2) + '\n');
      else process.stdout.write(`${result.answer.detail}\nrun status: ${result.answer.status}\n`);
    });
  }
  registerRetryCommands(program);
}
