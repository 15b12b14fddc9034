/**
 * `jobnet export` and `jobnet import` (R-EXP-1..4, docs/bundles.md): a project as one versioned,
 * checksummed bundle file, and that file written back as definitions — into a directory, or as a
 * commit on a new branch for a pull request, with the `jobnet plan` of the change.
 *
 * The work is in controller/export/ (bundle-files.ts does the I/O, the pure modules decide);
 * here the flags are read, the live state fetched for `--with-state`, and results printed.
 * Refusals print their diagnostics to stderr and exit 1 having written nothing.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { addTemporalOptions, type TemporalFlags } from '../../temporal/temporal-target.js';
import { CommandFailure, UsageError } from '../cli-errors.js';
import { temporalTargetForCommand, withTemporalClient } from '../temporal-commands.js';
import type { BundleRefusal } from '../../export/bundle-files.js';
import type { JobnetExportState } from '../../export/bundle-format.js';
import type { OnConflict } from '../../export/import-plan.js';

interface ExportFlags extends TemporalFlags {
  project: string;
  dir?: string;
  repo?: string;
  ref?: string;
  path?: string;
  output?: string;
  withStartDays?: boolean;
  year?: string;
  withState?: boolean;
}

interface ImportFlags {
  into: string;
  project?: string;
  branch?: string;
  dryRun?: boolean;
  onConflict: string;
  env?: string;
  format: string;
}

const conflictChoices: readonly OnConflict[] = ['fail', 'skip', 'overwrite'];

/** Registers `jobnet export` and `jobnet import`. */
export function registerExportCommands(program: Command): void {
  const exportCommand = program
    .command('export')
    .description('write a project and every definition it uses as one bundle file with a sha256 (R-EXP-1)')
    .requiredOption('--project <name>', 'the project to export')
    .option('--dir <dir>', 'read the definitions from this directory (default: .)')
    .option('--repo <url>', 'read the definitions from this git repository (URL or local path) at --ref')
    .option('--ref <ref>', 'branch, tag or commit of --repo (default: HEAD)')
    .option('--path <path>', 'directory of the definitions inside --repo (default: its root)')
    .option('-o, --output <file>', 'the bundle file (default: <project>_yyyyMMddHHmmss.yaml; - for stdout)')
    .option('--with-start-days', "freeze each jobnet's start days of the year into the bundle")
    .option('--year <year>', 'the year of --with-start-days (default: the current year)')
    .option('--with-state', 'carry held/disabled state from the running system (uses the Temporal flags)');
  addTemporalOptions(exportCommand).action(async (opts: ExportFlags) => {
    if (opts.dir !== undefined && opts.repo !== undefined) throw new UsageError('give --dir or --repo, not both');
    if (opts.ref !== undefined && opts.repo === undefined) throw new UsageError('--ref goes with --repo');
    if (opts.year !== undefined && !opts.withStartDays) throw new UsageError('--year goes with --with-start-days');
    const now = Date.now();
    const year = opts.withStartDays ? parseYear(opts.year, now) : undefined;
    const state = opts.withState ? await liveState(opts.project, opts) : undefined;
    const files = await import('../../export/bundle-files.js');
    const { defaultBundleFileName } = await import('../../export/bundle-format.js');
    const progress = stageProgress();
    progress('reading and validating the definitions');
    const source =
      opts.repo === undefined ? { dir: opts.dir ?? '.' } : sourceOf(opts.repo, opts.ref ?? 'HEAD', opts.path);
    const exported = await refusalsPrinted(() =>
      files.exportProject({
        project: opts.project,
        source,
        ...(year === undefined ? {} : { startDaysYear: year }),
        ...(state === undefined ? {} : { state }),
        now,
      }),
    );
    progress(undefined);
    if (opts.output === '-') {
      process.stdout.write(exported.text);
      return;
    }
    const output = opts.output ?? defaultBundleFileName(opts.project, now);
    await writeFile(output, exported.text, { flag: opts.output === undefined ? 'wx' : 'w' }).catch((error: unknown) => {
      throw new CommandFailure(`cannot write ${output}: ${error instanceof Error ? error.message : String(error)}`);
    });
    const count = exported.bundle.definitions.length;
    process.stdout.write(
      `exported project ${opts.project}: ${count} definition${count === 1 ? '' : 's'} to ${output} (sha256 ${exported.bundle.sha256})\n`,
    );
  });

  program
    .command('import')
    .description('write a bundle file as definitions in the recommended layout, validated first (R-EXP-3)')
    .argument('<file>', 'the bundle file')
    .requiredOption('--into <dir>', 'the definitions directory to write into')
    .option('--project <name>', 'import the project under this name (every reference to it is renamed)')
    .option('--branch <name>', 'commit to this new branch of the git repository of --into instead of writing files')
    .option('--dry-run', 'print what would be written and the plan; write nothing')
    .option(
      '--on-conflict <choice>',
      `a definition already there with other content: ${conflictChoices.join(', ')}`,
      'fail',
    )
    .option('--env <name>', 'compile the plan for this Environment (default: the Settings environment)')
    .option('--format <format>', 'plan format: markdown, json', 'markdown')
    .action(async (file: string, opts: ImportFlags) => {
      if (!conflictChoices.includes(opts.onConflict as OnConflict)) {
        throw new UsageError(`--on-conflict must be one of ${conflictChoices.join(', ')}, not "${opts.onConflict}"`);
      }
      if (opts.format !== 'markdown' && opts.format !== 'json') {
        throw new UsageError(`--format must be markdown or json, not "${opts.format}"`);
      }
      await runImport(file, opts);
    });
}

async function runImport(file: string, opts: ImportFlags): Promise<void> {
  const files = await import('../../export/bundle-files.js');
  const { renderPlanMarkdown } = await import('../../reconcile/render-plan.js');
  const progress = stageProgress();
  const now = Date.now();
  progress('reading the bundle');
  const bundle = await refusalsPrinted(() => files.readBundleFile(file));
  let baseLabel = 'working tree';
  let baseRef: string | undefined;
  if (opts.branch !== undefined) {
    const { workTreeLocation } = await import('../../source/git-snapshot.js');
    await workTreeLocation(opts.into).catch(() => {
      throw new CommandFailure(`--branch needs a git work tree: ${opts.into} is not in one`);
    });
    baseRef = 'HEAD';
    baseLabel = 'HEAD';
  }
  progress('checking and validating the result');
  const prepared = await refusalsPrinted(() =>
    files.prepareImport(bundle, {
      into: opts.into,
      ...(opts.project === undefined ? {} : { project: opts.project }),
      onConflict: opts.onConflict as OnConflict,
      ...(baseRef === undefined ? {} : { baseRef }),
      now,
    }),
  );
  progress(undefined);
  const { plan } = prepared;
  const lines: string[] = [];
  for (const write of plan.writes)
    lines.push(`${write.action === 'create' ? 'create   ' : 'overwrite'} ${write.path}  (${write.what})`);
  for (const what of plan.unchanged) lines.push(`unchanged ${what}`);
  for (const what of plan.skipped) lines.push(`skipped   ${what} (--on-conflict skip)`);
  const report = await refusalsPrinted(() =>
    Promise.resolve().then(() =>
      files.planSnapshots(
        { side: { label: baseLabel }, snapshot: prepared.before },
        { side: { label: opts.branch ?? 'imported' }, repository: prepared.result },
        now,
        opts.env,
      ),
    ),
  );
  const planText = opts.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderPlanMarkdown(report);
  const stateNote =
    plan.state !== undefined && Object.keys(plan.state).length > 0
      ? `the bundle carries jobnet state, written as spec.initialState: each of these jobnets starts so when its actor is created by the first apply (a jobnet already applied keeps its state; use jobnet hold / jobnet disable there, docs/bundles.md): ${Object.entries(
          plan.state,
        )
          .map(
            ([name, s]) =>
              `${plan.project}/${name} ${[s.held ? 'held' : '', s.disabled ? 'disabled' : ''].filter(Boolean).join('+')}`,
          )
          .join(', ')}`
      : undefined;
  if (opts.dryRun) {
    process.stdout.write(`dry run: nothing is written\n${lines.join('\n')}\n\n${planText}`);
    if (stateNote !== undefined) process.stderr.write(`jobnet: note: ${stateNote}\n`);
    return;
  }
  if (opts.branch !== undefined) {
    const message = `Import project ${plan.project} from a bundle (sha256 ${bundle.sha256})`;
    const committed = await refusalsPrinted(() =>
      files.commitImportBranch(opts.into, opts.branch!, plan.writes, message),
    );
    process.stdout.write(
      `committed ${plan.writes.length} file${plan.writes.length === 1 ? '' : 's'} to the new branch ${opts.branch} (${committed.revision.slice(0, 12)}, from ${committed.base})\n${lines.join('\n')}\n\n${planText}`,
    );
  } else {
    await files.writeImport(opts.into, plan.writes);
    process.stdout.write(
      `imported project ${plan.project} into ${opts.into}: ${plan.writes.length} file${plan.writes.length === 1 ? '' : 's'} written\n${lines.join('\n')}\n\n${planText}`,
    );
  }
  if (stateNote !== undefined) process.stderr.write(`jobnet: note: ${stateNote}\n`);
}

/** Runs `work`; a BundleRefusal becomes a CommandFailure after its diagnostics are printed. */
async function refusalsPrinted<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error && error.name === 'GitSnapshotError') throw new UsageError(error.message);
    if (!(error instanceof Error) || error.name !== 'BundleRefusal') throw error;
    const refusal = error as BundleRefusal;
    if (refusal.diagnostics.length > 0 && refusal.repository !== undefined) {
      const { renderDiagnostics } = await import('../../definitions/render-diagnostics.js');
      process.stderr.write(
        renderDiagnostics(
          refusal.diagnostics,
          'text',
          { files: refusal.repository.fileCount, documents: refusal.repository.documents.length },
          { displayPath: (f) => f, texts: refusal.repository.texts },
        ),
      );
    }
    throw new CommandFailure(refusal.message);
  }
}

function sourceOf(
  repo: string,
  ref: string,
  subPath: string | undefined,
): { repo: string; ref: string; path?: string } {
  return subPath === undefined ? { repo, ref } : { repo, ref, path: subPath };
}

function parseYear(text: string | undefined, now: number): number {
  if (text === undefined) return new Date(now).getUTCFullYear();
  if (!/^\d{4}$/.test(text) || Number(text) < 1970)
    throw new UsageError(`--year must be a year such as 2027, not "${text}"`);
  return Number(text);
}

/** Held/disabled state of the project's applied jobnets, from their actors. */
async function liveState(project: string, flags: TemporalFlags): Promise<Record<string, JobnetExportState>> {
  const target = temporalTargetForCommand(flags);
  const { getJobnetView, listJobnetActors } = await import('../../jobnets/jobnet-client.js');
  return await withTemporalClient(target, async ({ client }) => {
    const state: Record<string, JobnetExportState> = {};
    for (const actor of await listJobnetActors(client, target.taskQueue, project)) {
      const view = await getJobnetView(client, target.taskQueue, actor.project, actor.jobnet);
      const entry: JobnetExportState = {};
      if (view.state.held) entry.held = true;
      if (view.state.disabledByOperator === true) entry.disabled = true;
      if (entry.held !== undefined || entry.disabled !== undefined) state[actor.jobnet] = entry;
    }
    return state;
  });
}

/** One line of progress on stderr, only on a terminal; `undefined` clears it. */
function stageProgress(): (stage: string | undefined) => void {
  if (!process.stderr.isTTY) return () => undefined;
  let shown = false;
  return (stage) => {
    if (stage === undefined) {
      if (shown) process.stderr.write('\r\u001b[2K');
      shown = false;
      return;
    }
    shown = true;
    process.stderr.write(`\r\u001b[2Kjobnet: ${stage}…`);
  };
}
