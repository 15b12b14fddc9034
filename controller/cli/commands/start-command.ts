/**
 * `jobnet start <project>/<jobnet>` (R-OPS-1 `start`, R-OPS-7), in two ways:
 * - without `--dir`: sends the `start` operation to the jobnet's actor (the jobnet must have been
 *   applied, `jobnet apply`), optionally with a variable parameter and a copy suffix (R-JN-3), and
 *   prints the id of the run it started. The actor decides (R-STATE-1, R-OPS-3): a refusal prints
 *   `refused: <reason>` on stderr and exits 1.
 * - with `--dir`: validates the directory with the same function as `jobnet validate`, compiles
 *   the jobnet, starts a run of it on Temporal directly (no actor, no state checks) and prints the
 *   run id; with `--wait`, waits for its final status, prints the job table and exits 0 for
 *   normal/pseudo-normal, 1 for abended/forced.
 *
 * Invalid definitions are reported like `jobnet validate` reports them (on stderr, so stdout keeps
 * the run id or JSON) and nothing is started: no connection to Temporal is opened before the
 * definitions have validated and compiled. Must not print the API key.
 */
import type { Command } from 'commander';
import { compileJobnet } from '../../compile/compile-jobnet.js';
import { renderRunJson, renderRunTable, runCalendarZone } from '../../runs/render-run.js';
import type { TemporalFlags } from '../../temporal/temporal-target.js';
import { CommandFailure, UsageError, exitCodes } from '../cli-errors.js';
import { loadValidDefinitions } from '../load-definitions.js';
import { operatorName, temporalTargetForCommand, withTemporalClient } from '../temporal-commands.js';
import { zoneChoiceOf, zoneOf, type TimeFlags } from '../times.js';
import { addOperatorTargetOptions, apiTargetForCommand, type ServerFlags } from '../api-client.js';
import {
  acceptedOrReport,
  parseJobnetReference,
  sendJobnetOperation,
  sendJobnetOperationRemote,
} from './jobnet-commands.js';

export { parseJobnetReference };

interface StartFlags extends TemporalFlags, ServerFlags, TimeFlags {
  dir?: string;
  env?: string;
  param?: string;
  suffix?: string;
  by?: string;
  wait?: boolean;
  json?: boolean;
  routeEvents?: boolean;
}

/** Registers `jobnet start`. */
export function registerStartCommand(program: Command): void {
  const command = program
    .command('start')
    .description(
      'start a run of an applied jobnet now through its scheduler (refused when its state forbids it); ' +
        'with --dir, start it directly from a definitions directory instead, and --wait for its final status',
    )
    .argument('<project/jobnet>', 'the jobnet to run, e.g. sales/daily-close')
    .option('--dir <dir>', "start directly from this definitions repository, bypassing the jobnet's scheduler state")
    .option('--env <name>', 'with --dir: environment whose variables to compile with')
    .option('--param <value>', 'variable parameter, @.VPARAM@ in the jobs')
    .option(
      '--route-events',
      'with --dir: route the events its raiseEvent jobs raise to the jobnets waiting for them (by default they are only recorded in the run, so a test run starts no scheduled jobnet)',
    )
    .option('--suffix <suffix>', 'without --dir: start a copy of the jobnet named <jobnet>_<suffix>')
    .option('--by <name>', 'who starts the run (default: $USER, else "operator")')
    .option(
      '--wait',
      'with --dir: wait for the final status, print the job table; exit 1 unless normal or pseudo-normal',
    )
    .option(
      '--json',
      'print JSON: {"runId"} (without --dir with the answer: ok, detail, status), or the final run view with --wait',
    )
    .option('--utc', 'with --wait: show times in UTC')
    .option(
      '--tz <zone>',
      'with --wait: show times in this IANA time zone, or "local" (default: the zone of the jobnet\'s calendar)',
    );
  addOperatorTargetOptions(command).action(async (reference: string, opts: StartFlags) => {
    const { project, jobnet: name } = parseJobnetReference(reference);
    if (opts.dir !== undefined && apiTargetForCommand(opts) !== undefined)
      throw new UsageError('--dir starts directly on Temporal; it cannot be used with --server');
    if (opts.dir === undefined) {
      await startThroughActor(project, name, opts);
      return;
    }
    if (opts.suffix !== undefined)
      throw new UsageError('--suffix starts a copy through the scheduler; it cannot be used with --dir');
    const dir = opts.dir;
    const choice = zoneChoiceOf(opts);
    const target = temporalTargetForCommand(opts);
    const repository = await loadValidDefinitions(dir, `the definitions in ${dir} have errors; no run was started`);

    const compiled = compileJobnet(repository, project, name, opts.env !== undefined ? { environment: opts.env } : {});
    if (!compiled.ok) throw new CommandFailure(compiled.message);

    const { startRun, waitForRunEnd } = await import('../../runs/run-client.js');
    await withTemporalClient(target, async ({ client }) => {
      const runId = await startRun(client, {
        taskQueue: target.taskQueue,
        jobnet: compiled.jobnet,
        ...(opts.param !== undefined ? { parameter: opts.param } : {}),
        requestedBy: operatorName(opts.by),
        trigger: 'manual',
        ...(opts.routeEvents === true ? {} : { eventRouting: 'record' as const }),
      });
      if (!opts.wait) {
        process.stdout.write(opts.json ? JSON.stringify({ runId }, null, 2) + '\n' : `${runId}\n`);
        return;
      }
      if (!opts.json) process.stdout.write(`${runId}\n`);
      if (process.stderr.isTTY)
        process.stderr.write('waiting for the final status (Ctrl-C stops waiting; the run goes on)\n');
      const view = await waitForRunEnd(client, runId);
      if (opts.json) process.stdout.write(renderRunJson(view));
      else
        process.stdout.write(
          `\n${renderRunTable(view, { zone: zoneOf(choice, runCalendarZone(view)) })}\nfinal status: ${view.status}\n`,
        );
      process.exitCode = view.status === 'normal' || view.status === 'pseudoNormal' ? exitCodes.ok : exitCodes.failed;
    });
  });
}

/**
 * `jobnet start` without `--dir`: the `start` operation sent to the jobnet's actor; prints the
 * run id (or, with `--json`, the answer).
 * @throws UsageError for options that only go with `--dir`; CommandFailure when the jobnet has
 *   not been applied or Temporal cannot be reached.
 */
async function startThroughActor(project: string, jobnet: string, opts: StartFlags): Promise<void> {
  for (const [flag, given] of [
    ['--wait', opts.wait],
    ['--env', opts.env],
    ['--route-events', opts.routeEvents],
    ['--utc', opts.utc],
    ['--tz', opts.tz],
  ] as const) {
    if (given !== undefined)
      throw new UsageError(`${flag} goes with --dir only (a start through the scheduler uses the applied definition)`);
  }
  if (opts.suffix !== undefined && !/^[A-Za-z0-9_-]+$/.test(opts.suffix)) {
    throw new UsageError(`--suffix must be ASCII letters, digits, "_" or "-", not "${opts.suffix}"`);
  }
  const start = {
    operation: 'start' as const,
    ...(opts.param !== undefined ? { parameter: opts.param } : {}),
    ...(opts.suffix !== undefined ? { suffix: opts.suffix } : {}),
  };
  const remote = apiTargetForCommand(opts);
  const result =
    remote !== undefined
      ? await sendJobnetOperationRemote(remote, project, jobnet, start, opts.by)
      : await sendJobnetOperation(temporalTargetForCommand(opts), project, jobnet, {
          ...start,
          by: operatorName(opts.by),
        });
  const answer = acceptedOrReport(result, opts.json === true);
  if (answer === undefined) return;
  if (opts.json) process.stdout.write(JSON.stringify({ ok: true, ...answer }, null, 2) + '\n');
  else process.stdout.write(`${answer.runId ?? answer.detail}\n`);
}
