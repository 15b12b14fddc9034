/**
 * The console's only way to the system: `fetch` of the operator API with the tab's bearer token.
 * The token lives in sessionStorage (this tab only, gone when it closes); a 401 signs the tab out.
 *
 * Browser code; no state beyond the token.
 */

const tokenKey = 'jobnet.token';

/** A failed API call: the `{code, message}` the API answered. */
export class ApiFailure extends Error {
  override name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function storedToken(): string | null {
  return sessionStorage.getItem(tokenKey);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(tokenKey, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(tokenKey);
  lastAnswers.clear();
}

/** Listeners told when the API refused the token (expired, revoked): the app shows the sign-in form. */
const signedOutListeners = new Set<() => void>();
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  accept = 'application/json',
  ifNoneMatch?: string,
): Promise<Response> {
  const token = storedToken();
  if (token === null) throw new ApiFailure(401, 'UNAUTHENTICATED', 'not signed in');
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (ifNoneMatch !== undefined) headers['if-none-match'] = ifNoneMatch;
  const response = await fetch(path, {
    method,
    headers,
    cache: 'no-store',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status === 304 && ifNoneMatch !== undefined) return response;
  if (!response.ok) {
    let code = 'HTTP_' + String(response.status);
    let message = response.statusText;
    try {
      const answer = (await response.json()) as { code?: string; message?: string };
      code = answer.code ?? code;
      message = answer.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    if (response.status === 401) {
      forgetToken();
      for (const listener of signedOutListeners) listener();
    }
    throw new ApiFailure(response.status, code, message);
  }
  return response;
}

/**
 * The last answers of GET paths with their entity tags (the newest few): a poll asks
 * If-None-Match, and on 304 gets the very object it had, so a screen whose data did not change
 * does not render again.
 */
const lastAnswers = new Map<string, { etag: string; value: unknown }>();
const keptAnswers = 16;

export async function getJson<T>(path: string): Promise<T> {
  const last = lastAnswers.get(path);
  const response = await call('GET', path, undefined, 'application/json', last?.etag);
  if (response.status === 304 && last !== undefined) return last.value as T;
  const value = (await response.json()) as T;
  lastAnswers.delete(path);
  const etag = response.headers.get('etag');
  if (etag !== null) {
    lastAnswers.set(path, { etag, value });
    for (const oldest of lastAnswers.keys()) {
      if (lastAnswers.size <= keptAnswers) break;
      lastAnswers.delete(oldest);
    }
  }
  return value;
}

export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  return (await (await call('POST', path, body)).json()) as T;
}

/** Downloads `path` as a file (CSV) through the API with the token, then saves it under `name`. */
export async function download(path: string, name: string): Promise<void> {
  const blob = await (await call('GET', path, undefined, 'text/csv')).blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `/api/v1/runs/<id>` with the run id as one path segment. */
export function runPath(id: string): string {
  return `/api/v1/runs/${encodeURIComponent(id)}`;
}

export function jobnetPath(project: string, jobnet: string): string {
  return `/api/v1/jobnets/${encodeURIComponent(project)}/${encodeURIComponent(jobnet)}`;
}

// ---------------------------------------------------------------------------------------------
// What the API answers (docs/api.md), as far as the console reads it.

export type Role = 'viewer' | 'operator' | 'admin';

export interface Me {
  subject: string;
  groups: string[];
  admin: boolean;
  deployment: string;
  projects: { project: string; role: Role }[];
}

export interface RunRef {
  runId: string;
  status: string;
  startedAt?: string;
  businessDate?: string;
  trigger?: string;
  /** When the open run's end deadline falls (ISO 8601 UTC). */
  endDeadlineAt?: string;
}

export interface JobnetItem {
  project: string;
  jobnet: string;
  title?: string;
  status?: string;
  trigger?: string;
  businessDate?: string;
  revision?: string;
  nextStart?: { instant: string; time: string; businessDate: string } | null;
  openRun?: RunRef | null;
  lastRun?: RunRef | null;
  result?: string | null;
  troubleCount?: number;
  error?: string;
}

export interface RunJob {
  name: string;
  title?: string;
  state: string;
  exitCode?: number;
  attempts?: number;
  started?: string;
  finished?: string;
  output?: string;
  error?: string;
}

export interface RunEntry {
  id: string;
  project: string;
  jobnet: string;
  businessDate: string;
  trigger: string;
  status: string;
  started: string;
  finished?: string;
  open: boolean;
  revision?: string;
  retryOf?: string;
}

export interface RunDetail extends RunEntry {
  title?: string;
  requestedBy?: string;
  parameter?: string;
  error?: string;
  retries?: RunEntry[];
  jobs: RunJob[];
}

export interface GraphJob {
  name: string;
  title?: string;
  type: string;
  join: 'all' | 'any';
  predecessors: { job: string; exitCode?: string }[];
  hold: boolean;
  disabled: boolean;
  recovery?: string;
  restartPoint?: boolean;
  child?: string;
}

export interface Graph {
  name: string;
  title?: string;
  jobs: GraphJob[];
}

export interface JobnetGraph extends Graph {
  project: string;
  revision: string;
  children: Record<string, Graph>;
}

export interface Trouble {
  id?: number | string;
  kind: string;
  at: string;
  project: string;
  jobnet: string;
  runId?: string;
  businessDate?: string;
  job?: string;
  exitCode?: number;
  message?: string;
}
