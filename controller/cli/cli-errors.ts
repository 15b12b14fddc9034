/**
 * The one boundary between user errors and bugs (CONTRIBUTING.md#5-errors-decide-control-flow): commands throw
 * `UsageError` (exit 2) or `CommandFailure` (exit 1) with a message for the user; anything
 * else is a bug and is printed with its stack and a request to report it.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export class CommandFailure extends Error {
  override name = 'CommandFailure';
}

export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;
