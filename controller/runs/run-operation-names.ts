/**
 * The operator names of the run, job and recovery operations (R-OPS-1, WOI 5.3.1) — those of
 * `jobnet run <operation>` and of `POST /api/v1/runs/{id}/operations/{operation}` — and the run
 * workflow operation each maps to, with or without a job.
 *
 * Pure: no I/O. Must not decide whether an operation is allowed (the run refuses what its state forbids).
 */
import type { RunJobOperationName, RunOperationRequest, RunWideOperationName } from '../../workflows/run-contract.js';

/** One operation: its description, and what it maps to on the whole run and on one job. */
export interface RunOperationEntry {
  description: string;
  run?: RunWideOperationName;
  job?: RunJobOperationName;
}

/** Operation names, in the order help lists them. */
export const runOperations: Readonly<Record<string, RunOperationEntry>> = {
  'force-terminate': {
    description: 'force-terminate the run, or one running job with --job',
    run: 'forceTerminateRun',
    job: 'forceTerminateJob',
  },
  restart: {
    description: 'restart an abended or forced run from its failed jobs (or restart point)',
    run: 'restartRun',
  },
  hold: { description: 'hold a job (it does not start until released)', job: 'holdJob' },
  release: { description: 'release a held job', job: 'releaseJob' },
  disable: { description: 'disable a job (it counts as passed)', job: 'disableJob' },
  enable: { description: 'enable a disabled job', job: 'enableJob' },
  'start-from': { description: 'recovery: start the job afresh and continue with its successors', job: 'startFromJob' },
  'restart-from': {
    description: 'recovery: re-run the job (a child jobnet from its failed jobs) and its successors',
    job: 'restartFromJob',
  },
  skip: { description: 'recovery: treat the failed job as passed and continue with its successors', job: 'skipJob' },
  'run-only': { description: 'recovery: run only this job', job: 'runOnlyJob' },
  close: { description: 'close an ended run: it accepts no more operations', run: 'closeRun' },
};

/** The operation names, in the order help lists them. */
export const runOperationNames: readonly string[] = Object.keys(runOperations);

/** The request for operation `name` on `job` (if given) by `by`, or why the pair is not an operation. */
export function runOperationRequestOf(
  name: string,
  job: string | undefined,
  by: string,
): { ok: true; request: RunOperationRequest } | { ok: false; problem: string } {
  const operation = runOperations[name];
  if (operation === undefined)
    return { ok: false, problem: `unknown run operation "${name}"; one of: ${runOperationNames.join(', ')}` };
  if (job !== undefined) {
    if (operation.job === undefined) {
      const hint = name === 'restart' ? ' (to re-run one job and what follows, use restart-from with a job)' : '';
      return { ok: false, problem: `run ${name} applies to the whole run and takes no job${hint}` };
    }
    return { ok: true, request: { operation: operation.job, job, by } };
  }
  if (operation.run === undefined) return { ok: false, problem: `run ${name} needs a job` };
  return { ok: true, request: { operation: operation.run, by } };
}
