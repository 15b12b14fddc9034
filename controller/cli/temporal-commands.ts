/**
 * The CLI's one translation of Temporal connection problems into user errors, shared by every
 * command that talks to Temporal (start, worker, get, run): a bad target is a usage error
 * (exit 2), an unreachable server or a missing run a failure (exit 1), anything else a bug.
 * Also the operator name recorded with what a command does (R-OPS-3).
 *
 * Must not: print the API key, or load the Temporal SDKs before a command connects.
 */
import { isWorkflowNotFound } from '../../workflows/lib/temporal-refusals.js';
import {
  TemporalTargetError,
  temporalTargetFrom,
  withConnectedClient,
  type TemporalClientHandle,
  type TemporalFlags,
  type TemporalTarget,
} from '../temporal/temporal-target.js';
import { CommandFailure, UsageError } from './cli-errors.js';

/**
 * Error names of the Temporal SDKs that mean "the server could not be reached or said no". Names,
 * not classes, so that the SDKs are loaded only by commands that connect (the SDK's own
 * `instanceof` checks go by name too).
 */
const unavailableErrorNames = new Set([
  'TemporalUnavailableError',
  'TransportError',
  'ServiceError',
  'NamespaceNotFoundError',
]);

/**
 * The error to throw for a failure of a Temporal call made for a user: `UsageError` for a target
 * that cannot be used as configured, `CommandFailure` for an unreachable server, an unknown
 * namespace or (with `runId`) a run that does not exist; the error itself otherwise (a bug).
 */
export function userErrorOf(error: unknown, runId?: string): unknown {
  if (error instanceof TemporalTargetError) return new UsageError(error.message);
  if (isWorkflowNotFound(error) && runId !== undefined) return new CommandFailure(`no run ${runId}`);
  if (error instanceof Error && unavailableErrorNames.has(error.name)) return new CommandFailure(error.message);
  return error;
}

/**
 * The Temporal target of a command's flags and the environment.
 * @throws UsageError when the settings contradict each other.
 */
export function temporalTargetForCommand(flags: TemporalFlags): TemporalTarget {
  try {
    return temporalTargetFrom(flags);
  } catch (error) {
    throw userErrorOf(error);
  }
}

/**
 * Connects to `target` (within `settings.connectTimeoutMs`, default 10 s), runs `work` with the client, and closes the connection
 * (`withConnectedClient`), turning Temporal's failures into the user's errors.
 * @throws UsageError for an unreadable TLS file; CommandFailure when Temporal cannot be reached
 * or (with `runId`) the run does not exist.
 */
export async function withTemporalClient<T>(
  target: TemporalTarget,
  work: (handle: TemporalClientHandle) => Promise<T>,
  runId?: string,
  settings: { connectTimeoutMs?: number } = {},
): Promise<T> {
  try {
    return await withConnectedClient(target, work, settings);
  } catch (error) {
    throw userErrorOf(error, runId);
  }
}

/** The operator name recorded with an operation (R-OPS-3): `--by`, else the login name. */
export function operatorName(by: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  for (const candidate of [by, env.USER, env.USERNAME]) {
    if (candidate !== undefined && candidate.trim() !== '') return candidate.trim();
  }
  return 'operator';
}
