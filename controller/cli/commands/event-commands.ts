/**
 * `jobnet event raise <name>` and `jobnet event clear` (R-EVT-1, R-EVT-3, R-OPS-7): raise a
 * message event in a scope (everything, a project, or a project's jobnet) with an optional
 * variable parameter and copy suffix, or clear the pending raises of the scope. Both go through
 * the event registry of the deployment (`--task-queue`), which hands the raise to every jobnet in
 * scope that waits for the event and returns each one's answer.
 *
 * Exit codes: 0 when every jobnet in scope took the raise, 1 when the registry or any jobnet
 * refused it (each refusal on stderr) or no jobnet in scope waits for the event — then the
 * message names the events the applied jobnets wait for (the registry's routes) and the closest
 * one, or the jobnets outside the scope that wait for it — and 2 for a malformed scope.
 *
 * Must not: decide what a jobnet does with an event (its actor does), print the API key.
 */
import type { Command } from 'commander';
import type {
  EventClearAnswer,
  EventClearRequest,
  EventRaise,
  EventRaiseAnswer,
} from '../../../workflows/event-registry-contract.js';
import { scopeProblem } from '../../../workflows/lib/event-routing.js';
import {
  renderEventClear,
  renderEventRaise,
  unknownEventText,
  type RenderedAnswer,
} from '../../jobnets/render-jobnet.js';
import type { TemporalFlags } from '../../temporal/temporal-target.js';
import {
  addOperatorTargetOptions,
  apiTargetForCommand,
  ApiClient,
  refuseByWithServer,
  type ServerFlags,
} from '../api-client.js';
import { UsageError, exitCodes } from '../cli-errors.js';
import { operatorName, temporalTargetForCommand, withTemporalClient } from '../temporal-commands.js';

interface ScopeFlags extends TemporalFlags, ServerFlags {
  project?: string;
  jobnet?: string;
  by?: string;
  json?: boolean;
}

interface RaiseFlags extends ScopeFlags {
  param?: string;
  suffix?: string;
}

/**
 * The scope of `--project`/`--jobnet`.
 * @throws UsageError for a blank name or a jobnet without its project (R-EVT-1).
 */
export function eventScopeOf(flags: { project?: string; jobnet?: string }): { project?: string; jobnet?: string } {
  for (const [flag, value] of [
    ['--project', flags.project],
    ['--jobnet', flags.jobnet],
  ] as const) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} must not be blank`);
  }
  const scope = {
    ...(flags.project !== undefined ? { project: flags.project } : {}),
    ...(flags.jobnet !== undefined ? { jobnet: flags.jobnet } : {}),
  };
  const problem = scopeProblem(scope);
  // The problem text may cite the specification's rule; the user needs the flags only.
  if (problem !== undefined)
    throw new UsageError(`${problem.replace(/\s*\(R-[A-Z]+-\d+\)/g, '')}: give --project with --jobnet`);
  return scope;
}

/**
 * Writes a rendered answer — or, with `--json`, the answer itself with `ok` — and the refusals on
 * stderr; sets exit code 1 when anything was refused.
 */
function writeAnswer(rendered: RenderedAnswer, answer: object, json: boolean): void {
  process.stdout.write(json ? JSON.stringify({ ok: !rendered.refused, ...answer }, null, 2) + '\n' : rendered.stdout);
  process.stderr.write(rendered.stderr);
  if (rendered.refused) process.exitCode = exitCodes.failed;
}

/** Reports the registry's refusal of the whole request: stderr, `{"ok": false}` with --json, exit 1. */
function writeRefusal(reason: string, json: boolean): void {
  if (json) process.stdout.write(JSON.stringify({ ok: false, reason }, null, 2) + '\n');
  process.stderr.write(`refused: ${reason}\n`);
  process.exitCode = exitCodes.failed;
}

/** Registers `jobnet event raise` and `jobnet event clear`. */
export function registerEventCommands(program: Command): void {
  const event = program.command('event').description('raise or clear message events');

  const raise = event
    .command('raise')
    .description(
      'raise a message event: every jobnet in scope waiting for it starts, counts it, or hands it to a waiting run',
    )
    .argument('<name>', 'the event name')
    .option('--project <name>', 'only jobnets of this project')
    .option('--jobnet <name>', 'only this jobnet of --project')
    .option('--param <value>', 'variable parameter, @.VPARAM@ in the started jobnet')
    .option('--suffix <suffix>', 'start a copy <jobnet>_<suffix> instead of the jobnet itself')
    .option('--by <name>', 'who raises the event, recorded with it (default: $USER, else "operator")')
    .option('--json', 'print JSON: {ok, event, results: [{project, jobnet, outcome, detail, runId}]}');
  addOperatorTargetOptions(raise).action(async (name: string, opts: RaiseFlags) => {
    if (name.trim() === '') throw new UsageError('the event name must not be blank');
    const remote = apiTargetForCommand(opts);
    if (remote !== undefined) {
      refuseByWithServer(opts.by);
      const scope = eventScopeOf(opts);
      const answer = await new ApiClient(remote).post<EventRaiseAnswer & { ok: boolean }>('/api/v1/events/raise', {
        event: name,
        ...scope,
        ...(opts.param !== undefined ? { parameter: opts.param } : {}),
        ...(opts.suffix !== undefined ? { suffix: opts.suffix } : {}),
      });
      if (!answer.ok) writeRefusal(answer.reason, opts.json === true);
      else {
        const { ok: _ok, ...raised } = answer.body;
        writeAnswer(renderEventRaise(raised, undefined, scope), raised, opts.json === true);
      }
      return;
    }
    const request: EventRaise = { event: name, ...eventScopeOf(opts), by: operatorName(opts.by) };
    if (opts.param !== undefined) request.parameter = opts.param;
    if (opts.suffix !== undefined) request.suffix = opts.suffix;
    const target = temporalTargetForCommand(opts);
    const { getEventRegistryView, raiseEvent } = await import('../../jobnets/jobnet-client.js');
    const { result, routes } = await withTemporalClient(target, async ({ client }) => {
      const raised = await raiseEvent(client, target.taskQueue, request);
      // Nobody took it: the routes say which events are known, for the message.
      const known =
        raised.ok && raised.answer.results.length === 0
          ? await getEventRegistryView(client, target.taskQueue).catch(() => undefined)
          : undefined;
      return { result: raised, routes: known?.routes };
    });
    if (!result.ok) {
      writeRefusal(result.reason, opts.json === true);
      return;
    }
    const scope = eventScopeOf(opts);
    if (result.answer.results.length === 0) {
      writeRefusal(unknownEventText(name, routes, scope), opts.json === true);
      return;
    }
    writeAnswer(renderEventRaise(result.answer, routes, scope), result.answer, opts.json === true);
  });

  const clear = event
    .command('clear')
    .description('clear the pending raises of the jobnets in scope that start on events')
    .option('--project <name>', 'only jobnets of this project')
    .option('--jobnet <name>', 'only this jobnet of --project')
    .option('--by <name>', 'who clears, recorded with it (default: $USER, else "operator")')
    .option('--json', 'print JSON: {ok, results: [{project, jobnet, cleared, refused}]}');
  addOperatorTargetOptions(clear).action(async (opts: ScopeFlags) => {
    const remote = apiTargetForCommand(opts);
    if (remote !== undefined) {
      refuseByWithServer(opts.by);
      const answer = await new ApiClient(remote).post<EventClearAnswer & { ok: boolean }>(
        '/api/v1/events/clear',
        eventScopeOf(opts),
      );
      if (!answer.ok) writeRefusal(answer.reason, opts.json === true);
      else {
        const { ok: _ok, ...cleared } = answer.body;
        writeAnswer(renderEventClear(cleared), cleared, opts.json === true);
      }
      return;
    }
    const request: EventClearRequest = { ...eventScopeOf(opts), by: operatorName(opts.by) };
    const target = temporalTargetForCommand(opts);
    const { clearEvents } = await import('../../jobnets/jobnet-client.js');
    const result = await withTemporalClient(target, ({ client }) => clearEvents(client, target.taskQueue, request));
    if (!result.ok) {
      writeRefusal(result.reason, opts.json === true);
      return;
    }
    writeAnswer(renderEventClear(result.answer), result.answer, opts.json === true);
  });
}
