/**
 * The remote CLI (R-OPS-7, R-SEC-3): with `--server URL` (`JOBNET_SERVER`) the operator commands
 * go through the operator API instead of Temporal, with `--token` (`JOBNET_TOKEN`) as the bearer
 * token, so that the roles of the API apply to remote operators. Without `--server` they talk to
 * Temporal as before.
 *
 * One place for the plumbing: {@link addOperatorTargetOptions} adds the Temporal flags and the
 * server flags to a command, {@link apiTargetForCommand} says whether the command goes remote,
 * and {@link ApiClient} does the HTTP: `{code, message}` errors become the CLI's CommandFailure
 * (exit 1) with the server's message, 401/403 say what to do, a connection failure names the
 * server; a refusal (409 `REFUSED`) is returned to the command, which prints it as it prints a
 * local one. Commands added later (history, retry, cancel, get run) plug in the same way:
 * `const remote = apiTargetForCommand(opts); if (remote) { const api = new ApiClient(remote); … }`.
 *
 * Must not: print, log or put into a message the token (it is sent in the Authorization header
 * only).
 */
import type { Command } from 'commander';
import { addTemporalOptions, type TemporalFlags } from '../temporal/temporal-target.js';
import { CommandFailure, UsageError } from './cli-errors.js';

/** The server flags, as commander hands them over. */
export interface ServerFlags {
  server?: string;
  token?: string;
}

/** Where the operator API is and the token to use. */
export interface ApiTarget {
  /** Base URL without a trailing slash, e.g. `https://jobnet.example.com`. */
  url: string;
  /** Bearer token. Secret: never print it. */
  token?: string;
}

/** Adds `--server` and `--token` to `command`. */
export function addServerOptions(command: Command): Command {
  return command
    .option('--server <url>', 'go through the operator API at this URL instead of Temporal (env JOBNET_SERVER)')
    .option(
      '--token <token>',
      'API token for --server (env JOBNET_TOKEN; prefer the variable: flags are visible to other users)',
    );
}

/** The Temporal flags and the server flags: every operator command takes both. */
export function addOperatorTargetOptions(command: Command): Command {
  return addServerOptions(addTemporalOptions(command));
}

/**
 * The API target of the flags and the environment; undefined: talk to Temporal.
 * @throws UsageError for a URL that is not http(s), or a token without a server.
 */
export function apiTargetForCommand(
  flags: ServerFlags & TemporalFlags,
  env: NodeJS.ProcessEnv = process.env,
): ApiTarget | undefined {
  const server = nonEmpty(flags.server) ?? nonEmpty(env.JOBNET_SERVER);
  const token = nonEmpty(flags.token) ?? nonEmpty(env.JOBNET_TOKEN);
  if (server === undefined) {
    if (nonEmpty(flags.token) !== undefined)
      throw new UsageError('--token goes with --server (or JOBNET_SERVER): without it the command talks to Temporal');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server must be an http or https URL, e.g. http://127.0.0.1:8080, not "${server}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--server must be an http or https URL, not "${server}"`);
  for (const [flag, given] of [
    ['--address', flags.address],
    ['--task-queue', flags.taskQueue],
    ['--api-key', flags.apiKey],
  ] as const)
    if (given !== undefined)
      throw new UsageError(`${flag} goes with Temporal, not with --server: the server knows its deployment`);
  return { url: url.toString().replace(/\/+$/, ''), ...(token !== undefined ? { token } : {}) };
}

/**
 * @throws UsageError when `--by` is given with a server: the API records the token's subject.
 */
export function refuseByWithServer(by: string | undefined): void {
  if (by !== undefined)
    throw new UsageError('--by cannot be used with --server: the API records the subject of the token as who');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

/** What a request answered: the body of a 2xx, or a refusal (409 `REFUSED`) with its reason. */
export type ApiAnswer<T> = { ok: true; body: T } | { ok: false; reason: string };

/** A failure answer of the API that is not a refusal. */
export class ApiCallError extends CommandFailure {
  override name = 'ApiCallError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** HTTP calls to the operator API for the CLI. */
export class ApiClient {
  constructor(readonly target: ApiTarget) {}

  /** `GET path?query`. @throws CommandFailure as {@link request}; a refusal is a failure here. */
  async get<T>(path: string, query: Record<string, string | boolean | undefined> = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const search = params.size > 0 ? `?${params.toString()}` : '';
    const answer = await this.request<T>('GET', `${path}${search}`);
    if (!answer.ok) throw new CommandFailure(answer.reason);
    return answer.body;
  }

  /** `POST path` with a JSON body; a refusal comes back as `{ok: false, reason}`. */
  async post<T>(path: string, body: unknown = {}): Promise<ApiAnswer<T>> {
    return await this.request<T>('POST', path, body);
  }

  /**
   * One request.
   * @throws CommandFailure naming the server when it cannot be reached; ApiCallError (a
   *   CommandFailure) with the server's message for any other 4xx/5xx.
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.target.token !== undefined) headers.authorization = `Bearer ${this.target.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.target.url}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      throw new CommandFailure(`cannot reach the jobnet server at ${this.target.url}: ${reason}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok) return { ok: true, body: parsed as T };
    const error = parsed as { code?: unknown; message?: unknown } | undefined;
    const code = typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`;
    const message = typeof error?.message === 'string' ? error.message : `${response.status} ${response.statusText}`;
    if (response.status === 409 && code === 'REFUSED') return { ok: false, reason: message };
    if (response.status === 401)
      throw new ApiCallError(
        401,
        code,
        `the jobnet server at ${this.target.url} did not accept the token (${message}); give a valid one with --token or JOBNET_TOKEN`,
      );
    if (response.status === 403)
      throw new ApiCallError(403, code, `not allowed: ${message} (ask an admin for the role on the project)`);
    throw new ApiCallError(response.status, code, message);
  }
}

/** A path segment, encoded. */
export function segment(text: string): string {
  return encodeURIComponent(text);
}
