/**
 * `jobnet resource ls` and `jobnet resource release <resource>`: the exclusive resources of the
 * deployment (`--task-queue`) that are held or waited for — holder, since when, the queue, and the
 * latest releases the lock made itself — and the operator's way to release a stuck holder.
 *
 * Exit codes: 0 listed / released, 1 refused (nothing held, no such request).
 * Must not: decide who gets a resource (the lock workflow does).
 */
import type { Command } from 'commander';
import type { ResourceLockView } from '../../../workflows/resource-lock-workflow.js';
import { addTemporalOptions, type TemporalFlags } from '../../temporal/temporal-target.js';
import { exitCodes } from '../cli-errors.js';
import { operatorName, temporalTargetForCommand, withTemporalClient } from '../temporal-commands.js';
import { addTimeOptions, formatInstant, zoneChoiceOf, zoneOf, type TimeFlags } from '../times.js';

interface ResourceFlags extends TemporalFlags, TimeFlags {
  json?: boolean;
  by?: string;
  token?: string;
}

/** The lock listing as a table: one line per holder or waiting request; the releases' times in `zone` (default UTC). */
export function renderResourceLocks(views: readonly ResourceLockView[], now: number, zone = 'UTC'): string {
  if (views.length === 0) return 'no exclusive resource is held or waited for\n';
  const rows: string[][] = [['RESOURCE', 'ROLE', 'RUN', 'FOR', 'TOKEN']];
  const age = (at: number | undefined): string =>
    at === undefined ? '-' : `${Math.max(0, Math.round((now - at) / 1000))}s`;
  for (const view of views) {
    if (view.holder !== undefined)
      rows.push([view.resource, 'holder', view.holder.requester, age(view.holder.at), view.holder.token]);
    for (const entry of view.queue) rows.push([view.resource, 'waiting', entry.requester, age(entry.at), entry.token]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '),
  );
  const releases = views.flatMap((view) =>
    view.releases.map(
      (release) =>
        `  ${formatInstant(release.at, zone)}  ${view.resource}: ${release.requester} released by ${release.by} (${release.reason})`,
    ),
  );
  return `${lines.join('\n')}\n${releases.length > 0 ? `\nreleased without the holder:\n${releases.join('\n')}\n` : ''}`;
}

export function registerResourceCommands(program: Command): void {
  const resource = program
    .command('resource')
    .description('exclusive resources: who holds them and who waits, and releasing a stuck holder');
  const list = resource
    .command('ls')
    .description('list the exclusive resources that are held or waited for')
    .option('--json', 'print the locks as JSON');
  addTemporalOptions(addTimeOptions(list, 'UTC')).action(async (opts: ResourceFlags) => {
    const zone = zoneOf(zoneChoiceOf(opts), undefined);
    const target = temporalTargetForCommand(opts);
    const { listResourceLocks } = await import('../../resources/resource-client.js');
    const views = await withTemporalClient(target, ({ client }) => listResourceLocks(client, target.taskQueue));
    process.stdout.write(
      opts.json ? JSON.stringify(views, null, 2) + '\n' : renderResourceLocks(views, Date.now(), zone),
    );
  });
  const release = resource
    .command('release')
    .description(
      "release a resource's holder by hand (the run is not told: use it when the holder no longer works with the resource)",
    )
    .argument('<resource>', 'the resource name, as in exclusive: [...]')
    .option('--token <token>', 'release this request (holder or waiting) instead of the holder')
    .option('--by <name>', 'who releases (default: $USER)')
    .option('--json', 'print the answer as JSON');
  addTemporalOptions(release).action(async (name: string, opts: ResourceFlags) => {
    const target = temporalTargetForCommand(opts);
    const { releaseResource } = await import('../../resources/resource-client.js');
    const request = { by: operatorName(opts.by), ...(opts.token !== undefined ? { token: opts.token } : {}) };
    const result = await withTemporalClient(target, ({ client }) =>
      releaseResource(client, target.taskQueue, name, request),
    );
    if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    if (!result.ok) {
      process.stderr.write(`refused: ${result.reason}\n`);
      process.exitCode = exitCodes.failed;
      return;
    }
    if (!opts.json) process.stdout.write(`released ${name}: ${result.released}\n`);
  });
}
