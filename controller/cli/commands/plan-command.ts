/**
 * `jobnet plan --base REF [--head REF] [DIR]` (R-GIT-5): what merging the head into the base would
 * change, for a pull request. Both sides go through the controller's own pipeline — a snapshot
 * (a commit read without checkout, or the directory as it is), `validateSnapshot` (the validation
 * of `jobnet validate`), `compileAllJobnets`, then `planReconcile` with the base's compiled jobnets
 * as the observed side — so no Temporal is needed and the plan is what the controller would do
 * once the merge lands, with the head's `controller.prune` deciding between retire and delete.
 *
 * An invalid head is refused like `jobnet validate` refuses it (its diagnostics, exit 1); an
 * invalid base is planned as empty, with a note, so a pull request that repairs a broken main
 * still gets a plan. Diagnostics and notes go to stderr as well, so stdout stays the plan.
 */
import type { Command } from 'commander';
import { UsageError } from '../cli-errors.js';
import { parseInstantOption } from '../times.js';
import type { PlanFlags } from './plan-run.js';

const formats = ['markdown', 'json'] as const;
type PlanFormat = (typeof formats)[number];

/** Registers `jobnet plan`. */
export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description(
      'print what merging --head into --base would change: jobnets added, changed and removed, field diffs, next starts, moved start days',
    )
    .argument('[dir]', 'definitions directory inside a git work tree', '.')
    .requiredOption('--base <ref>', 'branch, tag or commit the pull request merges into, e.g. main')
    .option('--head <ref>', 'branch, tag or commit to merge (default: DIR as it is, uncommitted changes included)')
    .option('--env <name>', 'compile for this Environment (default: the Settings environment)')
    .option('--format <format>', `output format: ${formats.join(', ')}`, 'markdown')
    .option(
      '--now <instant>',
      'count next starts and start days from this ISO 8601 instant with Z or offset (default: now)',
    )
    .action(async (dir: string, opts: PlanFlags) => {
      if (!formats.includes(opts.format as PlanFormat))
        throw new UsageError(`--format must be one of ${formats.join(', ')}, not "${opts.format}"`);
      const now = parseNow(opts.now);
      // The plan itself (git, the validator, the compile step) is loaded only when it runs.
      const { runPlan } = await import('./plan-run.js');
      await runPlan(dir, opts, now);
    });
}

/**
 * The instant of `--now`, or the current time.
 * @throws UsageError when it is not an ISO 8601 instant with Z or an offset, or not a real one.
 */
function parseNow(text: string | undefined): number {
  return text === undefined ? Date.now() : parseInstantOption('--now', text);
}
