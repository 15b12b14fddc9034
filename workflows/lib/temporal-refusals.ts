/**
 * What the error of a Temporal client call means when it is the target workflow's answer rather
 * than a failure of the call:
 * - a rejected Update (`WorkflowUpdateFailedError`) carries the refusal reason its validator threw
 *   (R-OPS-3: refused, nothing changed);
 * - `WorkflowNotFoundError` says the workflow does not run: it was never started, or it has ended.
 * The controller's clients (jobnets, runs, resources), the CLI and the worker's activities all read
 * Temporal's answers here, so a refusal reads the same whoever passes it on.
 *
 * Goes by the errors' names, which the SDK sets on each class and by which its own `instanceof`
 * checks work, so this module loads no SDK (CLI commands that never connect stay fast) and can be
 * imported by anyone. Pure: no I/O.
 */

function named(error: unknown, name: string): error is Error {
  return error instanceof Error && error.name === name;
}

/** Whether `error` says the workflow does not run (never started, or ended). */
export function isWorkflowNotFound(error: unknown): boolean {
  return named(error, 'WorkflowNotFoundError');
}

/** The reason a workflow gave for rejecting an Update; undefined when `error` is anything else. */
export function updateRefusalReason(error: unknown): string | undefined {
  if (!named(error, 'WorkflowUpdateFailedError')) return undefined;
  const cause = (error as { cause?: { message?: unknown } }).cause;
  return typeof cause?.message === 'string' ? cause.message : error.message;
}

/**
 * The reason to report when a call was refused: a rejected Update's reason, or `notFound` for a
 * workflow that does not run (only when `notFound` is given). Undefined otherwise: the call failed,
 * and the caller rethrows the error.
 */
export function refusalReason(error: unknown, notFound?: string): string | undefined {
  const refused = updateRefusalReason(error);
  if (refused !== undefined) return refused;
  return notFound !== undefined && isWorkflowNotFound(error) ? notFound : undefined;
}
