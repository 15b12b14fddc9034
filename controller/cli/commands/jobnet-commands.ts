/**
 * The jobnet actors from the command line (R-OPS-7): `jobnet apply` loads a definitions
 * directory into the scheduler, `jobnet get jobnet`, `jobnet ls` and `jobnet troubles` show
 * what the actors hold, and `jobnet hold|release|disable|enable|confirm|release-carry-over|
 * cancel-end|force-terminate|restart` send them the jobnet operations (R-OPS-1). A refusal
 * prints `refused: <reason>` on stderr and exits 1; nothing was changed then (R-OPS-3: the actor
 * decides, `jobnets/jobnet-client.ts` carries it). A jobnet without an actor has not been applied.
 *
 * `jobnet apply` is one reconcile of a directory, now (R-GIT-3): it reads the directory once,
 * validates it like `jobnet validate` and compiles every jobnet, applies nothing unless all of that
 * succeeds, and hands the compiled revision to the reconciler for observe, plan and apply.
 *
 * Must not: interpret jobnet state (the actor owns it), print the API key, or load the Temporal
 * SDKs before a command connects.
 */
import type { Command } from 'commander';
import type {
  JobnetOperationAnswer,
  JobnetOperationName,
  JobnetOperationRequest,
  JobnetView,
} from '../../../workflows/jobnet-actor-contract.js';
import type { CompiledJobnet } from '../../../workflows/lib/compiled-jobnet.js';
import type { JobnetTrouble, TroubleKind } from '../../../workflows/lib/jobnet-state.js';
import { isWorkflowNotFound } from '../../../workflows/lib/temporal-refusals.js';
import type { OperateJobnetResult } from '../../jobnets/jobnet-client.js';
import {
  applySummaryOf,
  isTroubleKind,
  jobnetListJson,
  renderApplySummary,
  jobnetViewFromJson,
  renderJobnetList,
  renderJobnetRows,
  renderJobnetView,
  renderJobnetViewJson,
  renderTroublesJson,
  renderTroubleTable,
  selectTroubles,
  troubleKinds,
  type JobnetListEntry,
  type JobnetListRow,
} from '../../jobnets/render-jobnet.js';
import { addTemporalOptions, type TemporalFlags, type TemporalTarget } from '../../temporal/temporal-target.js';
import {
  addOperatorTargetOptions,
  apiTargetForCommand,
  ApiClient,
  refuseByWithServer,
  segment,
  type ApiTarget,
  type ServerFlags,
} from '../api-client.js';
import { CommandFailure, UsageError, exitCodes } from '../cli-errors.js';
import { requireDirectory, validOrRefused } from '../load-definitions.js';
import { operatorName, temporalTargetForCommand, withTemporalClient } from '../temporal-commands.js';
import {
  addTimeOptions,
  parseSinceOption,
  sinceMillis,
  zoneChoiceOf,
  zoneOf,
  type TimeFlags,
  type ZoneChoice,
} from '../times.js';

/** CLI operation names and the jobnet operations they send (R-OPS-1). `start` is `jobnet start`. */
const operations: Record<string, { operation: JobnetOperationName; description: string }> = {
  hold: { operation: 'hold', description: 'hold a jobnet: its next start waits for release, a further one is refused' },
  release: { operation: 'release', description: 'release a held jobnet; a start deferred meanwhile happens now' },
  disable: { operation: 'disable', description: 'disable a jobnet: its starts are skipped (trouble executionSkipped)' },
  enable: { operation: 'enable', description: 'enable a disabled jobnet' },
  confirm: {
    operation: 'confirm',
    description: 'confirm an abended or forced jobnet, closing its run (requireConfirmation)',
  },
  'release-carry-over': {
    operation: 'releaseCarryOver',
    description: 'release the carry-over of a run still going from an earlier business date',
  },
  'cancel-end': {
    operation: 'cancelEnd',
    description: "cancel the day's end: the jobnet may start again on this business date (oncePerDay)",
  },
  'force-terminate': { operation: 'forceTerminate', description: 'force-terminate the running run of a jobnet' },
  restart: { operation: 'restart', description: 'restart the abended or forced run of a jobnet from its failed jobs' },
};

/** The CLI jobnet operation names, in the order `jobnet --help` lists them. */
export const jobnetOperationNames: readonly string[] = Object.keys(operations);

/**
 * Project and jobnet of `<project>/<jobnet>`.
 * @throws UsageError unless the text is two non-empty names separated by one `/`.
 */
export function parseJobnetReference(text: string): { project: string; jobnet: string } {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(text);
  if (!match) throw new UsageError(`expected <project>/<jobnet>, e.g. sales/daily-close, not "${text}"`);
  return { project: match[1] as string, jobnet: match[2] as string };
}

/**
 * Runs `work`, turning "no such workflow" into the user's message that the jobnet has no actor.
 * @throws CommandFailure when the jobnet has not been applied; whatever `work` throws otherwise.
 */
export async function withJobnetActor<T>(project: string, jobnet: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isWorkflowNotFound(error))
      throw new CommandFailure(`jobnet ${project}/${jobnet} is not applied (run jobnet apply)`);
    throw error;
  }
}

/**
 * Sends `request` to the actor of `project/jobnet` on `target` and returns its answer or refusal.
 * @throws CommandFailure when the jobnet is not applied or Temporal cannot be reached.
 */
export async function sendJobnetOperation(
  target: TemporalTarget,
  project: string,
  jobnet: string,
  request: JobnetOperationRequest,
): Promise<OperateJobnetResult> {
  const { operateJobnetExplained } = await import('../../jobnets/jobnet-client.js');
  return await withTemporalClient(target, ({ client }) =>
    withJobnetActor(project, jobnet, () => operateJobnetExplained(client, target.taskQueue, project, jobnet, request)),
  );
}

/**
 * Prints a refusal the way every operation command does — `refused: <reason>` on stderr (and
 * `{"ok": false, "reason"}` on stdout with `--json`) — and sets exit code 1. Returns the answer
 * when the operation was accepted, undefined after a refusal.
 */
export function acceptedOrReport(result: OperateJobnetResult, json: boolean): JobnetOperationAnswer | undefined {
  if (result.ok) return result.answer;
  if (json) process.stdout.write(JSON.stringify({ ok: false, reason: result.reason }, null, 2) + '\n');
  process.stderr.write(`refused: ${result.reason}\n`);
  process.exitCode = exitCodes.failed;
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface ApplyFlags extends TemporalFlags {
  dir: string;
  env?: string;
  by?: string;
  json?: boolean;
}

interface ListFlags extends TemporalFlags, ServerFlags, TimeFlags {
  project?: string;
  json?: boolean;
}

interface TroublesFlags extends ListFlags {
  kind?: string;
  since?: string;
}

interface GetJobnetFlags extends TemporalFlags, ServerFlags, TimeFlags {
  json?: boolean;
}

interface OperateFlags extends TemporalFlags, ServerFlags {
  by?: string;
  json?: boolean;
}

/** Registers `jobnet apply`, `jobnet ls`, `jobnet troubles` and the jobnet operations. */
export function registerJobnetCommands(program: Command): void {
  registerApplyCommand(program);
  registerListCommand(program);
  registerTroublesCommand(program);
  for (const name of jobnetOperationNames) registerOperationCommand(program, name);
}

function registerApplyCommand(program: Command): void {
  const command = program
    .command('apply')
    .description(
      'reconcile a definitions directory into the scheduler once: validate, compile, plan against what Temporal runs, then create or update the changed jobnets (one actor each), retire removed ones (delete with --prune) and route events',
    )
    .argument('[dir]', 'definitions repository (same as --dir)')
    .option('--dir <dir>', 'definitions repository', '.')
    .option('--env <name>', 'environment whose variables to compile with (default: the Settings environment)')
    .option(
      '--prune',
      'delete jobnets removed from the definitions instead of retiring them (default: Settings controller.prune)',
    )
    .option('--by <name>', 'who applies, recorded with each jobnet (default: $USER, else "operator")')
    .option('--json', 'print JSON: {revision, jobnets: [{project, jobnet, trigger, actor, digest}], routes, plan}');
  addTemporalOptions(command).action(async (positional: string | undefined, opts: ApplyFlags & { prune?: boolean }) => {
    const dir = positional ?? opts.dir;
    const target = temporalTargetForCommand(opts);
    // Read, validated and compiled once, here, so problems are printed like `jobnet validate`
    // prints them; the reconciler takes the compiled revision on to observe, plan and apply.
    await requireDirectory(dir);
    const { DirectorySource } = await import('../../source/directory-source.js');
    const { compileRevision, validateRevision } = await import('../../reconcile/reconcile-steps.js');
    const source = new DirectorySource(dir);
    const fetched = await source.fetch().catch((error: unknown) => {
      throw new CommandFailure(`${error instanceof Error ? error.message : String(error)}; nothing was applied`);
    });
    const repository = await validOrRefused(
      dir,
      validateRevision(fetched),
      `the definitions in ${dir} have errors; nothing was applied`,
    );
    const compiled = compileRevision(repository, {
      ...(opts.env !== undefined ? { environment: opts.env } : {}),
      ...(opts.prune === true ? { prune: true } : {}),
    });
    if (!compiled.ok) {
      if (compiled.failures.length === 0) throw new CommandFailure(`${compiled.message}; nothing was applied`);
      const listing = compiled.failures
        .map((failure) => `  ${failure.project}/${failure.jobnet}: ${failure.message}`)
        .join('\n');
      throw new CommandFailure(
        `${compiled.failures.length} jobnet(s) could not be compiled; nothing was applied:\n${listing}`,
      );
    }
    const by = operatorName(opts.by);
    const { Reconciler } = await import('../../reconcile/reconciler.js');
    const { jobnetActorWorkflowId } = await import('../../../workflows/lib/wire-contract.js');
    const { eventRoutesOf } = await import('../../../workflows/lib/event-routing.js');
    if (process.stderr.isTTY) process.stderr.write(`applying ${compiled.desired.length} jobnet(s) from ${dir}…\n`);
    const outcome = await withTemporalClient(target, async ({ client }) => {
      const reconciler = new Reconciler({
        client,
        taskQueue: target.taskQueue,
        source,
        by,
        resyncIntervalMs: 0,
        ...(opts.env !== undefined ? { environment: opts.env } : {}),
        ...(opts.prune === true ? { prune: true } : {}),
      });
      const result = await reconciler.reconcile({ fetched, compiled });
      if (result.result === 'failed' || result.result === 'stalled')
        throw new CommandFailure(`nothing was applied: ${reconciler.getStatus().lastError ?? result.result}`);
      return result;
    });
    const revision = outcome.revision ?? fetched.revision;
    const actors = compiled.desired.map((jobnet) =>
      jobnetActorWorkflowId(target.taskQueue, jobnet.project, jobnet.name),
    );
    const summary = {
      ...applySummaryOf(compiled.desired, actors, revision, eventRoutesOf(compiled.desired).length),
      ...(outcome.plan !== undefined ? { plan: outcome.plan.counts } : {}),
    };
    if (opts.json) {
      process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      return;
    }
    process.stdout.write(renderApplySummary(summary));
    if (outcome.plan !== undefined) {
      const { create, update, noop, retire, delete: deleted } = outcome.plan.counts;
      process.stdout.write(
        `plan: ${create} created, ${update} updated, ${retire} retired, ${deleted} deleted, ${noop} unchanged\n`,
      );
    }
  });
}

/** Registers `jobnet get jobnet` on the `get` command (next to `get run`). */
export function registerGetJobnetCommand(get: Command): void {
  const command = get
    .command('jobnet')
    .description(
      'show a jobnet: status, next starts, open and last run, operator flags, pending events, recent troubles and operations',
    )
    .argument('<project/jobnet>', 'the jobnet, e.g. sales/daily-close')
    .option('--json', 'print the jobnet view as JSON (times as ISO 8601 UTC)');
  addOperatorTargetOptions(addTimeOptions(command)).action(async (reference: string, opts: GetJobnetFlags) => {
    const { project, jobnet } = parseJobnetReference(reference);
    const choice = zoneChoiceOf(opts);
    const remote = apiTargetForCommand(opts);
    if (remote !== undefined) {
      await getJobnetRemote(remote, project, jobnet, choice, opts.json === true);
      return;
    }
    const target = temporalTargetForCommand(opts);
    const { getJobnetView } = await import('../../jobnets/jobnet-client.js');
    const { getAppliedDefinition } = await import('../../jobnets/applied-definition.js');
    const { view, definition } = await withTemporalClient(target, ({ client }) =>
      withJobnetActor(project, jobnet, async () => {
        const shown = await getJobnetView(client, target.taskQueue, project, jobnet);
        const held = await getAppliedDefinition(client, target.taskQueue, project, jobnet).catch((error: unknown) => {
          process.stderr.write(
            `jobnet: warning: the definition the actor of ${project}/${jobnet} holds cannot be read (${errorText(error)}); times in UTC\n`,
          );
          return undefined;
        });
        return { view: shown, definition: held };
      }),
    );
    if (opts.json) {
      process.stdout.write(renderJobnetViewJson(view));
      return;
    }
    const zone = zoneOf(choice, definition?.calendar?.timezone);
    const zoneSource =
      choice.kind !== 'calendar'
        ? undefined
        : definition?.calendar !== undefined
          ? `calendar ${definition.calendar.name}`
          : undefined;
    process.stdout.write(
      renderJobnetView(view, {
        zone,
        ...(zoneSource !== undefined ? { zoneSource } : {}),
        ...(definition?.schedule !== undefined ? { schedule: definition.schedule } : {}),
      }),
    );
  });
}

/** The project of `--project`, refusing a blank one. */
function projectOption(project: string | undefined): string | undefined {
  if (project !== undefined && project.trim() === '') throw new UsageError('--project must not be blank');
  return project;
}

/** An applied jobnet with its view and, when asked for and readable, the definition its actor holds. */
type ActorEntry = JobnetListEntry & { definition?: CompiledJobnet };

/**
 * The applied jobnets (of `project`) with their views — and with `definitions`, the definitions
 * their actors hold (for the zone of their calendars); an actor whose query fails is listed with
 * the error instead of its view. With a project that has no applied jobnet, the projects that
 * have are listed in a CommandFailure.
 */
async function readActors(
  target: TemporalTarget,
  project: string | undefined,
  definitions: boolean,
): Promise<ActorEntry[]> {
  const { listJobnetActors, readJobnetEntries } = await import('../../jobnets/jobnet-client.js');
  return await withTemporalClient(target, async ({ client }) => {
    const entries = await readJobnetEntries(client, target.taskQueue, {
      ...(project !== undefined ? { project } : {}),
      definitions,
    });
    if (entries.length === 0 && project !== undefined) {
      const projects = [
        ...new Set((await listJobnetActors(client, target.taskQueue)).map((actor) => actor.project)),
      ].sort();
      const known =
        projects.length === 0
          ? 'no project has one yet (jobnet apply)'
          : `projects with applied jobnets: ${projects.join(', ')}`;
      throw new CommandFailure(`project ${project} has no applied jobnet on task queue ${target.taskQueue}; ${known}`);
    }
    return entries;
  });
}

/** The zone of each jobnet's times under `choice`, by `project/jobnet`. */
function zonesOf(entries: readonly ActorEntry[], choice: ZoneChoice): Map<string, string> {
  return new Map(
    entries.map((entry) => [`${entry.project}/${entry.jobnet}`, zoneOf(choice, entry.definition?.calendar?.timezone)]),
  );
}

function registerListCommand(program: Command): void {
  const command = program
    .command('ls')
    .description('list the applied jobnets with their status and next start ("?" when a jobnet cannot be queried)')
    .option('--project <name>', 'only the jobnets of this project')
    .option('--json', 'print JSON: [{project, jobnet, status, trigger, businessDate, revision, nextStart}]');
  addOperatorTargetOptions(addTimeOptions(command)).action(async (opts: ListFlags) => {
    const project = projectOption(opts.project);
    const choice = zoneChoiceOf(opts);
    const remote = apiTargetForCommand(opts);
    if (remote !== undefined) {
      await listRemote(remote, project, choice, opts.json === true);
      return;
    }
    const target = temporalTargetForCommand(opts);
    const entries = await readActors(target, project, opts.json !== true && choice.kind === 'calendar');
    for (const entry of entries) {
      if (entry.error !== undefined)
        process.stderr.write(`jobnet: warning: cannot query ${entry.project}/${entry.jobnet}: ${entry.error}\n`);
    }
    if (entries.length === 0 && !opts.json) {
      process.stdout.write(
        `no jobnet has been applied on task queue ${target.taskQueue} (jobnet apply, or a controller: jobnet up, jobnet controller)\n`,
      );
      return;
    }
    process.stdout.write(
      opts.json
        ? JSON.stringify(jobnetListJson(entries), null, 2) + '\n'
        : renderJobnetList(entries, { zones: zonesOf(entries, choice), zone: zoneOf(choice, undefined) }),
    );
  });
}

function registerTroublesCommand(program: Command): void {
  const kinds = Object.keys(troubleKinds).join(', ');
  const command = program
    .command('troubles')
    .description('list the troubles recorded by one jobnet, or by every applied jobnet (of a project), sorted by time')
    .argument('[project/jobnet]', 'one jobnet, e.g. sales/daily-close (default: every applied jobnet)')
    .option('--project <name>', 'only the jobnets of this project')
    .option('--kind <kind>', `only troubles of this kind: ${kinds}`)
    .option(
      '--since <when>',
      'only troubles recorded since then: a duration back from now (30m, 2h, 1d), a date or date and time in the zone of the times shown (2026-11-23, 2026-11-23T08:00), or an instant (2026-11-23T08:00:00Z)',
    )
    .option('--json', 'print the troubles as JSON (times as ISO 8601 UTC)');
  addTemporalOptions(addTimeOptions(command)).action(async (reference: string | undefined, opts: TroublesFlags) => {
    const one = reference === undefined ? undefined : parseJobnetReference(reference);
    const project = projectOption(opts.project);
    if (one !== undefined && project !== undefined)
      throw new UsageError('give either <project/jobnet> or --project, not both');
    let kind: TroubleKind | undefined;
    if (opts.kind !== undefined) {
      if (!isTroubleKind(opts.kind)) throw new UsageError(`--kind must be one of ${kinds}, not "${opts.kind}"`);
      kind = opts.kind;
    }
    const choice = zoneChoiceOf(opts);
    const since = opts.since === undefined ? undefined : parseSinceOption('--since', opts.since, Date.now());
    const target = temporalTargetForCommand(opts);
    // The zone of each jobnet's calendar, for showing times and for reading a --since without an offset.
    const needDefinitions = choice.kind === 'calendar' && (opts.json !== true || since?.kind === 'wallClock');
    let entries: ActorEntry[];
    if (one !== undefined) {
      const { getJobnetView } = await import('../../jobnets/jobnet-client.js');
      const { getAppliedDefinition } = await import('../../jobnets/applied-definition.js');
      entries = [
        await withTemporalClient(target, ({ client }) =>
          withJobnetActor(one.project, one.jobnet, async () => {
            const view = await getJobnetView(client, target.taskQueue, one.project, one.jobnet);
            const definition = needDefinitions
              ? await getAppliedDefinition(client, target.taskQueue, one.project, one.jobnet).catch(() => undefined)
              : undefined;
            return {
              project: one.project,
              jobnet: one.jobnet,
              view,
              ...(definition !== undefined ? { definition } : {}),
            };
          }),
        ),
      ];
    } else {
      entries = await readActors(target, project, needDefinitions);
    }
    const views: JobnetView[] = [];
    for (const entry of entries) {
      if (entry.view !== undefined) views.push(entry.view);
      else {
        // The listing is incomplete: say so, and exit 1 so that a script does not take it as whole.
        process.stderr.write(
          `jobnet: cannot query ${entry.project}/${entry.jobnet}; its troubles are missing: ${entry.error ?? ''}\n`,
        );
        process.exitCode = exitCodes.failed;
      }
    }
    const zones = zonesOf(entries, choice);
    const zone = zoneOf(choice, undefined);
    const recent = (trouble: JobnetTrouble): boolean =>
      since === undefined ||
      trouble.at >= sinceMillis(since, zones.get(`${trouble.project}/${trouble.jobnet}`) ?? zone);
    const troubles = selectTroubles(views, kind !== undefined ? { kind } : {}).filter(recent);
    process.stdout.write(opts.json ? renderTroublesJson(troubles) : renderTroubleTable(troubles, { zones, zone }));
  });
}

function registerOperationCommand(program: Command, name: string): void {
  const { operation, description } = operations[name]!;
  const command = program
    .command(name)
    .description(description)
    .argument('<project/jobnet>', 'the jobnet, e.g. sales/daily-close')
    .option('--by <name>', 'operator name recorded with the operation (default: $USER, else "operator")')
    .option('--json', 'print the answer as JSON: {ok, operation, detail, status, runId} or {ok: false, reason}');
  addOperatorTargetOptions(command).action(async (reference: string, opts: OperateFlags) => {
    const { project, jobnet } = parseJobnetReference(reference);
    const remote = apiTargetForCommand(opts);
    const result =
      remote !== undefined
        ? await sendJobnetOperationRemote(remote, project, jobnet, { operation }, opts.by)
        : await sendJobnetOperation(temporalTargetForCommand(opts), project, jobnet, {
            operation,
            by: operatorName(opts.by),
          });
    const answer = acceptedOrReport(result, opts.json === true);
    if (answer === undefined) return;
    if (opts.json) process.stdout.write(JSON.stringify({ ok: true, ...answer }, null, 2) + '\n');
    else process.stdout.write(`${answer.detail}\njobnet status: ${answer.status}\n`);
  });
}

// ---------------------------------------------------------------------------------------------
// The same commands through the operator API (`--server`, `../api-client.ts`).

/**
 * Sends a jobnet operation through the API at `remote`; the server records the token's subject.
 * @throws UsageError for `--by`; CommandFailure when the jobnet is not applied, the server cannot
 *   be reached or does not allow it.
 */
export async function sendJobnetOperationRemote(
  remote: ApiTarget,
  project: string,
  jobnet: string,
  request: Omit<JobnetOperationRequest, 'by'>,
  by: string | undefined,
): Promise<OperateJobnetResult> {
  refuseByWithServer(by);
  const { operation, ...body } = request;
  const answer = await new ApiClient(remote).post<JobnetOperationAnswer & { ok: true }>(
    `/api/v1/jobnets/${segment(project)}/${segment(jobnet)}/operations/${segment(operation)}`,
    body,
  );
  if (!answer.ok) return answer;
  const { ok: _ok, ...rest } = answer.body;
  return { ok: true, answer: rest };
}

interface RemoteJobnet extends Record<string, unknown> {
  calendar?: { name: string; timezone: string } | null;
  awaitingConfirmation?: boolean;
}

async function getJobnetRemote(
  remote: ApiTarget,
  project: string,
  jobnet: string,
  choice: ZoneChoice,
  json: boolean,
): Promise<void> {
  const { calendar, awaitingConfirmation, ...shown } = await new ApiClient(remote).get<RemoteJobnet>(
    `/api/v1/jobnets/${segment(project)}/${segment(jobnet)}`,
  );
  if (json) {
    process.stdout.write(JSON.stringify(shown, null, 2) + '\n');
    return;
  }
  const zone = zoneOf(choice, calendar?.timezone);
  const zoneSource = choice.kind === 'calendar' && calendar != null ? `calendar ${calendar.name}` : undefined;
  process.stdout.write(
    renderJobnetView(jobnetViewFromJson(shown), {
      zone,
      ...(zoneSource !== undefined ? { zoneSource } : {}),
      ...(awaitingConfirmation !== undefined ? { awaitingConfirmation } : {}),
    }),
  );
}

async function listRemote(
  remote: ApiTarget,
  project: string | undefined,
  choice: ZoneChoice,
  json: boolean,
): Promise<void> {
  const calendars = !json && choice.kind === 'calendar';
  const rows = await new ApiClient(remote).get<(JobnetListRow & { calendar?: { timezone: string } | null })[]>(
    '/api/v1/jobnets',
    { project, calendars: calendars ? true : undefined },
  );
  for (const row of rows)
    if (row.error !== undefined)
      process.stderr.write(`jobnet: warning: cannot query ${row.project}/${row.jobnet}: ${row.error}\n`);
  if (rows.length === 0 && project !== undefined)
    throw new CommandFailure(`project ${project} has no applied jobnet on ${remote.url}`);
  if (rows.length === 0 && !json) {
    process.stdout.write(`no jobnet has been applied on ${remote.url} (jobnet apply, or a controller)\n`);
    return;
  }
  const keys = ['project', 'jobnet', 'status', 'trigger', 'businessDate', 'revision', 'nextStart'] as const;
  const listed = rows.map((row): JobnetListRow =>
    row.error !== undefined
      ? { project: row.project, jobnet: row.jobnet, error: row.error }
      : (Object.fromEntries(keys.map((key) => [key, row[key] ?? null])) as unknown as JobnetListRow),
  );
  if (json) {
    process.stdout.write(JSON.stringify(listed, null, 2) + '\n');
    return;
  }
  const zones = new Map(rows.map((row) => [`${row.project}/${row.jobnet}`, zoneOf(choice, row.calendar?.timezone)]));
  process.stdout.write(renderJobnetRows(listed, { zones, zone: zoneOf(choice, undefined) }));
}
