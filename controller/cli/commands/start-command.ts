/**
 * `jobnet start <project>/<jobnet>` (R-OPS-1 `start`, R-OPS-7): validates a definitions directory
 * with the same function as `jobnet validate`, compiles the jobnet, starts a run of it on
 * Temporal and prints the run id; with `--wait`, waits for its final status, prints the job
 * table and exits 0 for normal/pseudo-normal, 1 for abended/forced.
 *
 * Invalid definitions are reported like `jobnet validate` reports them (on stderr, so stdout keeps
 * the run id or JSON) and nothing is started: no connection to Temporal is opened before the
 * definitions have validated and compiled. Must not print the API key.
 */
import type { Command } from 'commander';
import { compileJobnet } from '../../compile/compile-jobnet.js';
import { renderRunJson, renderRunTable } from '../../runs/render-run.js';
import { addTemporalOptions, type TemporalFlags } from '../../temporal/temporal-target.js';
import { CommandFailure, UsageError, exitCodes } from '../cli-errors.js';
import { loadValidDefinitions } from '../load-definitions.js';
import { operatorName, temporalTargetForCommand, withTemporalClient } from '../temporal-commands.js';

interface StartFlags extends TemporalFlags {
  dir: string;
  env?: string;
  param?: string;
  by?: string;
  wait?: boolean;
  json?: boolean;
  utc?: boolean;
}

/**
 * Project and jobnet of `<project>/<jobnet>`.
 * @throws UsageError unless the text is two non-empty names separated by one `/`.
 */
export function parseJobnetReference(text: string): { project: string; jobnet: string } {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(text);
  if (!match) throw new UsageError(`expected <project>/<jobnet>, e.g. sales/daily-close, not "${text}"`);
  return { project: match[1] as string, jobnet: match[2] as string };
}

/** Registers `jobnet start`. */
export function registerStartCommand(program: Command): void {
  const command = program
    .command('start')
    .description('start a run of a jobnet now from a definitions directory; --wait for its final status')
    .argument('<project/jobnet>', 'the jobnet to run, e.g. sales/daily-close')
    .option('--dir <dir>', 'definitions repository', '.')
    .option('--env <name>', 'environment whose variables to compile with (R-VAR-2)')
    .option('--param <value>', 'variable parameter, @.VPARAM@ in the jobs (R-VAR-3)')
    .option('--by <name>', 'who starts the run (default: $USER, else "operator")')
    .option('--wait', 'wait for the final status, print the job table; exit 1 unless normal or pseudo-normal')
    .option('--json', 'print JSON: {"runId"}, or the final run view with --wait')
    .option('--utc', 'with --wait: show times in UTC instead of local time');
  addTemporalOptions(command).action(async (reference: string, opts: StartFlags) => {
    const { project, jobnet: name } = parseJobnetReference(reference);
    const target = temporalTargetForCommand(opts);
    const repository = await loadValidDefinitions(opts.dir, `the definitions in ${opts.dir} have errors; no run was started`);

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
      });
      if (!opts.wait) {
        process.stdout.write(opts.json ? JSON.stringify({ runId }, null, 2) + '\n' : `${runId}\n`);
        return;
      }
      if (!opts.json) process.stdout.write(`${runId}\n`);
      if (process.stderr.isTTY) process.stderr.write('waiting for the final status (Ctrl-C stops waiting; the run goes on)\n');
      const view = await waitForRunEnd(client, runId);
      if (opts.json) process.stdout.write(renderRunJson(view));
      else process.stdout.write(`\n${renderRunTable(view, { utc: opts.utc === true })}\nfinal status: ${view.status}\n`);
      process.exitCode = view.status === 'normal' || view.status === 'pseudoNormal' ? exitCodes.ok : exitCodes.failed;
    });
  });
}
