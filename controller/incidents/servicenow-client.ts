/**
 * Creates ServiceNow incidents exactly once (R-INC-2, R-INC-3) through the Table API: the
 * correlation id is looked up first (`GET /api/now/v2/table/incident?sysparm_query=correlation_id=…`,
 * the returned `correlation_id` compared exactly, because ServiceNow ignores a query term on an
 * unknown field and then returns unrelated rows), and only when no incident carries it is one
 * created (`POST /api/now/table/incident`). An ambiguous answer to the POST (timeout, 5xx,
 * connection reset) is a failure: the next attempt starts with the lookup again, so a record the
 * instance created before failing is found, not created twice.
 *
 * HTTP I/O with `fetch`; the Authorization header is given by the caller (resolved on the worker).
 * What it returns says what went wrong in the instance's own words, never a credential.
 */
import type { AttemptOutcome } from '../../workflows/lib/delivery-sink.js';
import type { IncidentRecord } from '../../workflows/lib/incident-record.js';

export interface ServiceNowConnection {
  instanceUrl: string;
  authorization: string;
  timeoutMs?: number;
}

export type ServiceNowOutcome =
  { ok: true; number: string; sysId: string; created: boolean } | Extract<AttemptOutcome, { ok: false }>;

const tableApi = '/api/now/table/incident';
const lookupApi = '/api/now/v2/table/incident';

/** Looks the incident up by correlation id, creates it when none has it. */
export async function registerIncident(
  connection: ServiceNowConnection,
  record: IncidentRecord,
): Promise<ServiceNowOutcome> {
  const base = connection.instanceUrl.replace(/\/+$/, '');
  const lookup = new URL(base + lookupApi);
  lookup.searchParams.set('sysparm_query', `correlation_id=${record.correlation_id}`);
  lookup.searchParams.set('sysparm_fields', 'sys_id,number,correlation_id');
  const found = await call(connection, 'GET', lookup);
  if (!found.ok) return found;
  if (found.status === 200) {
    const existing = rowsOf(found.body).find((row) => row.correlation_id === record.correlation_id);
    if (existing !== undefined)
      return { ok: true, number: text(existing.number), sysId: text(existing.sys_id), created: false };
  } else if (found.status !== 404) {
    return failure('lookup', found.status, found.body, found.retryAfterMs);
  }
  const created = await call(connection, 'POST', new URL(base + tableApi), JSON.stringify(record));
  if (!created.ok) return created;
  if (created.status === 201 || created.status === 200) {
    const result = resultOf(created.body);
    return { ok: true, number: text(result.number), sysId: text(result.sys_id), created: true };
  }
  return failure('create', created.status, created.body, created.retryAfterMs);
}

type Answer =
  { ok: true; status: number; body: unknown; retryAfterMs?: number } | Extract<AttemptOutcome, { ok: false }>;

async function call(connection: ServiceNowConnection, method: string, url: URL, body?: string): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        authorization: connection.authorization,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(connection.timeoutMs ?? 30_000),
    });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return {
      ok: false,
      configuration: false,
      error: `ServiceNow ${url.host} ${timedOut ? 'did not answer in time' : 'cannot be reached'} (${method} ${url.pathname})`,
    };
  }
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text.slice(0, 200);
  }
  const retryAfterMs = retryAfterOf(response.headers.get('retry-after'));
  return { ok: true, status: response.status, body: parsed, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

/** `Retry-After` in seconds or as an HTTP date. */
export function retryAfterOf(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function failure(
  what: string,
  status: number,
  body: unknown,
  retryAfterMs: number | undefined,
): Extract<AttemptOutcome, { ok: false }> {
  const configuration = status === 400 || status === 401 || status === 403 || status === 404;
  const detail = errorMessageOf(body);
  return {
    ok: false,
    configuration,
    error: `ServiceNow ${what} answered HTTP ${status}${detail !== '' ? `: ${detail}` : ''}`,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/** `{"error": {"message", "detail"}}`, as the Table API answers errors. */
function errorMessageOf(body: unknown): string {
  if (typeof body === 'string') return body;
  const error = (body as { error?: { message?: unknown; detail?: unknown } } | undefined)?.error;
  if (error === undefined) return '';
  const message = typeof error.message === 'string' ? error.message : '';
  const detail = typeof error.detail === 'string' && error.detail !== '' ? ` (${error.detail})` : '';
  return message + detail;
}

function resultOf(body: unknown): Record<string, unknown> {
  const result = (body as { result?: unknown } | undefined)?.result;
  return typeof result === 'object' && result !== null && !Array.isArray(result)
    ? (result as Record<string, unknown>)
    : {};
}

function rowsOf(body: unknown): Record<string, unknown>[] {
  const result = (body as { result?: unknown } | undefined)?.result;
  return Array.isArray(result)
    ? (result.filter((row) => typeof row === 'object' && row !== null) as Record<string, unknown>[])
    : [];
}

/** A field value as ServiceNow sends it: a string (anything else reads as empty). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
