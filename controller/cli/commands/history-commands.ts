/**
 * `jobnet history` and `jobnet history show RUN` (R-OPS-5, R-OPS-7): the runs
 * of the deployment from Temporal visibility, newest first, as the table `ID  STARTED  FINISHED  STATUS  PROJECT/JOBNET`, JSON or CSV; and
 * one run as JSON (every field of R-OPS-5) or its jobs as CSV.
 *
 * Times are read and shown in the machine's zone unless `--utc` or `--tz ZONE`: `--from`/`--to`
 * take ISO 8601 (with an offset or `Z`) or a local `YYYY-MM-DD HH:mm:ss` / `YYYY-MM-DD`. CSV is
 * UTF-8 or, with `--encoding sjis`, Shift_JIS (Windows-31J); characters with no Shift_JIS code are
 * written as `?` and counted in a warning on stderr (history-csv.ts).
 *
 * Must not: decide what visibility holds (history-client.ts reads it), print the API key.
 */
import { Option, type Command } from 'commander';
import {
  historyStatuses,
  historyTriggers,
  type HistoryEntry,
  type HistoryFilter,
  type HistoryPage,
} from '../../runs/history-query.js';
import { csvEncodings, encodeCsv, unmappedWarning, type CsvEncoding } from '../../runs/history-csv.js';
import type { RunHistoryRecord } from '../../runs/history-record.js';
import type { TemporalFlags } from '../../temporal/temporal-target.js';
import { ApiClient, addOperatorTargetOptions, apiTargetForCommand, segment, type ServerFlags } from '../api-client.js';
import { CommandFailure, UsageError } from '../cli-errors.js';
import { temporalTargetForCommand, withTemporalClient } from '../temporal-commands.js';
import { localZoneName, parseWindowBound, zoneChoiceOf, type TimeFlags } from '../times.js';

interface HistoryFlags extends TemporalFlags, TimeFlags, ServerFlags {
  from?: string;
  to?: string;
  project?: string;
  jobnet?: string;
  status?: (typeof historyStatuses)[number];
  trigger?: (typeof historyTriggers)[number];
  limit: string;
  cursor?: string;
  csv?: boolean;
  encoding?: CsvEncoding;
  json?: boolean;
}

interface ShowFlags extends TemporalFlags, TimeFlags, ServerFlags {
  csv?: boolean;
  encoding?: CsvEncoding;
}

/** The zone of the history commands: the machine's own unless `--utc` or `--tz`, and how headers name it. */
function historyZone(flags: TimeFlags): { zone: string; label: string } {
  const choice = zoneChoiceOf(flags);
  if (choice.kind === 'utc') return { zone: 'UTC', label: 'UTC' };
  if (choice.kind === 'zone') return { zone: choice.zone, label: choice.zone };
  return { zone: localZoneName(), label: 'LOCAL' };
}

function limitOf(text: string): number {
  const value = Number(text);
  if (!/^\d{1,5}$/.test(text.trim()) || value < 1 || value > 10_000)
    throw new UsageError(`--limit must be a whole number from 1 to 10000, not "${text}"`);
  return value;
}

/** Writes CSV text in `encoding` to stdout, warning on stderr about characters written as `?`. */
function writeCsv(text: string, encoding: CsvEncoding): void {
  const encoded = encodeCsv(text, encoding);
  process.stdout.write(encoded.bytes);
  const warning = unmappedWarning(encoded.unmapped);
  if (warning !== undefined) process.stderr.write(`jobnet: warning: ${warning}\n`);
}

function addOutputOptions(command: Command): Command {
  return command
    .option('--csv', 'write CSV (RFC 4180, header row) instead of the table')
    .addOption(
      new Option('--encoding <encoding>', 'with --csv: utf8, or sjis (Shift_JIS, Windows-31J)')
        .choices(csvEncodings)
        .default('utf8'),
    );
}

function addZoneOptions(command: Command): Command {
  return command
    .option('--utc', 'read and show times in UTC')
    .option('--tz <zone>', 'read and show times in this IANA time zone (default: this machine\'s, "LOCAL")');
}

/** Registers `jobnet history` and `jobnet history show`. */
export function registerHistoryCommands(program: Command): void {
  const history = program
    .command('history')
    .description('list runs from the history, newest first: open runs, then ended runs by their end')
    .option('--from <time>', 'runs started at or after: ISO 8601, or a local "YYYY-MM-DD HH:mm:ss" or date')
    .option('--to <time>', 'runs started at or before (a date alone: through that day)')
    .option('--project <project>', 'only runs of this project')
    .option('--jobnet <jobnet>', 'only runs of this jobnet')
    .addOption(new Option('--status <status>', 'only runs with this status').choices(historyStatuses))
    .addOption(new Option('--trigger <trigger>', 'only runs started this way').choices(historyTriggers))
    .option('--limit <n>', 'at most this many runs', '100')
    .option('--cursor <cursor>', 'continue a listing: the nextCursor of the previous --json output')
    .option('--json', 'print {"runs": [...], "nextCursor"} (times as ISO 8601 UTC)')
    // `history show RUN --address …`: the options after `show` are its own.
    .enablePositionalOptions();
  addOperatorTargetOptions(addOutputOptions(addZoneOptions(history))).action(async (opts: HistoryFlags) => {
    const { zone, label } = historyZone(opts);
    const limit = limitOf(opts.limit);
    if (opts.csv === true && opts.json === true) throw new UsageError('give either --csv or --json, not both');
    if (opts.encoding === 'sjis' && opts.csv !== true) throw new UsageError('--encoding goes with --csv');
    const filter: HistoryFilter = { projects: opts.project !== undefined ? [opts.project] : 'all' };
    if (opts.from !== undefined) filter.startedFrom = parseWindowBound('--from', opts.from, zone, 'from');
    if (opts.to !== undefined) filter.startedBefore = parseWindowBound('--to', opts.to, zone, 'to');
    if (opts.jobnet !== undefined) filter.jobnet = opts.jobnet;
    if (opts.status !== undefined) filter.status = opts.status;
    if (opts.trigger !== undefined) filter.trigger = opts.trigger;
    const remote = apiTargetForCommand(opts);
    const page =
      remote !== undefined
        ? await remoteHistory(new ApiClient(remote), filter, limit, opts.cursor)
        : await localHistory();
    async function localHistory(): Promise<HistoryPage> {
      const target = temporalTargetForCommand(opts);
      const { listRunHistory } = await import('../../runs/history-client.js');
      const { HistoryCursorError } = await import('../../runs/history-query.js');
      return await withTemporalClient(target, async ({ client }) => {
        const runs: HistoryEntry[] = [];
        let cursor = opts.cursor;
        do {
          const next: HistoryPage = await listRunHistory(client, target.taskQueue, filter, {
            pageSize: Math.min(limit - runs.length, 1000),
            ...(cursor !== undefined ? { cursor } : {}),
          }).catch((error: unknown) => {
            if (error instanceof HistoryCursorError) throw new UsageError(`--cursor: ${error.message}`);
            throw error;
          });
          runs.push(...next.runs);
          cursor = next.nextCursor;
        } while (cursor !== undefined && runs.length < limit);
        const listed: HistoryPage = { runs, ...(cursor !== undefined ? { nextCursor: cursor } : {}) };
        return listed;
      });
    }
    if (opts.json === true) {
      process.stdout.write(JSON.stringify(page, null, 2) + '\n');
      return;
    }
    if (opts.csv === true) {
      const { historyListCsv } = await import('../../runs/history-csv.js');
      writeCsv(historyListCsv(page.runs, zone), opts.encoding ?? 'utf8');
    } else {
      const { renderHistoryTable } = await import('../../runs/render-history.js');
      process.stdout.write(page.runs.length === 0 ? 'no runs\n' : renderHistoryTable(page.runs, zone, label));
    }
    if (page.nextCursor !== undefined)
      process.stderr.write(`jobnet: more than ${limit} runs match; narrow the filters or raise --limit\n`);
  });

  const show = history
    .command('show')
    .description('print one run as JSON: times, status, trigger, revision, parameter, every job, errors, retries')
    .argument('<run>', 'run id (as jobnet history lists it)');
  addOperatorTargetOptions(addOutputOptions(addZoneOptions(show))).action(async (id: string, opts: ShowFlags) => {
    const { zone } = historyZone(opts);
    if (opts.encoding === 'sjis' && opts.csv !== true) throw new UsageError('--encoding goes with --csv');
    const remote = apiTargetForCommand(opts);
    let found: { record: RunHistoryRecord } | undefined;
    if (remote !== undefined) {
      found = { record: await new ApiClient(remote).get<RunHistoryRecord>(`/api/v1/runs/${segment(id)}`) };
    } else {
      const target = temporalTargetForCommand(opts);
      const { getRunHistory } = await import('../../runs/history-client.js');
      found = await withTemporalClient(target, ({ client }) => getRunHistory(client, target.taskQueue, id), id);
      if (found === undefined) throw new CommandFailure(`no run ${id} in task queue ${target.taskQueue}`);
    }
    if (opts.csv === true) {
      const { runJobsCsv } = await import('../../runs/history-csv.js');
      writeCsv(runJobsCsv(found.record, zone), opts.encoding ?? 'utf8');
      return;
    }
    process.stdout.write(JSON.stringify(found.record, null, 2) + '\n');
  });
}

/**
 * The runs of `filter` through the operator API (`GET /api/v1/runs`), page after page up to
 * `limit`: the same listing as {@link listRunHistory}, limited to what the token may see.
 */
async function remoteHistory(
  api: ApiClient,
  filter: HistoryFilter,
  limit: number,
  from: string | undefined,
): Promise<HistoryPage> {
  const runs: HistoryEntry[] = [];
  let cursor = from;
  do {
    const next = await api.get<HistoryPage>('/api/v1/runs', {
      ...(filter.projects !== 'all' ? { project: filter.projects[0] } : {}),
      ...(filter.jobnet !== undefined ? { jobnet: filter.jobnet } : {}),
      ...(filter.status !== undefined ? { status: filter.status } : {}),
      ...(filter.trigger !== undefined ? { trigger: filter.trigger } : {}),
      // Instants, so the server's zone does not matter; `to` is inclusive there, as here.
      ...(filter.startedFrom !== undefined ? { from: new Date(filter.startedFrom).toISOString() } : {}),
      ...(filter.startedBefore !== undefined ? { to: new Date(filter.startedBefore - 1).toISOString() } : {}),
      limit: String(Math.min(limit - runs.length, remoteHistoryPageSize)),
      ...(cursor !== undefined ? { cursor } : {}),
    });
    runs.push(...next.runs);
    cursor = next.nextCursor;
  } while (cursor !== undefined && runs.length < limit);
  return { runs, ...(cursor !== undefined ? { nextCursor: cursor } : {}) };
}

/** Runs per API page of {@link remoteHistory} (the route's maximum, `maxHistoryPageSize`). */
const remoteHistoryPageSize = 1000;
