/**
 * Push webhooks (R-GIT-1, `POST /api/v1/hooks/git`): verifies that a request comes from the git
 * host that shares our secret, and reads from a push payload which branch moved to which commit, so
 * the controller can tell whether the push concerns its source and, if so, poll now.
 *
 * - GitHub signs the raw body: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`.
 * - GitLab sends the secret token itself: `X-Gitlab-Token: <secret>`.
 * Both are compared in constant time (crypto.timingSafeEqual); GitLab's token is compared through
 * sha256 digests so that its length does not leak either. A request without a valid signature is
 * refused with a typed reason, never accepted because no secret was configured.
 *
 * Pure: no I/O, no clock. The signature must be checked on the bytes as received, before any JSON
 * parsing or re-encoding; the HTTP layer passes the raw body. The webhook never carries a revision
 * into the reconcile: the source's own poll reads the branch (a forged payload could at most cause
 * one extra poll, and only with the secret).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookProvider = 'github' | 'gitlab';

/** Request headers as node:http gives them (any case is accepted). */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export type WebhookRefusalReason =
  /** No shared secret is configured, so no request can be authenticated. */
  | 'secret-not-configured'
  /** Neither GitHub nor GitLab headers (or both). */
  | 'unknown-provider'
  | 'missing-signature'
  /** Present but not of the provider's form (or repeated). */
  | 'malformed-signature'
  | 'signature-mismatch';

export interface WebhookRefusal {
  ok: false;
  reason: WebhookRefusalReason;
  /** For the HTTP answer and the log; never contains the secret or the received signature. */
  message: string;
}

export type WebhookVerification = { ok: true; provider: WebhookProvider } | WebhookRefusal;

export interface PushEvent {
  provider: WebhookProvider;
  /** The full ref, `refs/heads/main` or `refs/tags/v1`. */
  ref: string;
  /** The branch name when `ref` is a branch (`refs/heads/release/2025` → `release/2025`). */
  branch?: string;
  /** The commit the ref points to after the push (all zeros when deleted). */
  after: string;
  /** The push deleted the ref. */
  deleted: boolean;
  /** Every URL the payload gives for the repository (clone, ssh, web). */
  repositoryUrls: string[];
}

export type PushParseResult =
  { ok: true; push: PushEvent } | { ok: false; reason: 'not-a-push' | 'malformed-payload'; message: string };

function header(headers: WebhookHeaders, name: string): string | readonly string[] | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers))
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  return undefined;
}

function singleHeader(headers: WebhookHeaders, name: string): string | undefined {
  const value = header(headers, name);
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  return value.length === 1 ? value[0] : undefined;
}

function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** Which host sent the request, from its headers; undefined when neither or both. */
export function detectWebhookProvider(headers: WebhookHeaders): WebhookProvider | undefined {
  const github =
    header(headers, 'x-github-event') !== undefined || header(headers, 'x-hub-signature-256') !== undefined;
  const gitlab = header(headers, 'x-gitlab-event') !== undefined || header(headers, 'x-gitlab-token') !== undefined;
  if (github === gitlab) return undefined;
  return github ? 'github' : 'gitlab';
}

/** The `X-Hub-Signature-256` value GitHub sends for `body` with `secret`. */
export function githubSignature(body: Uint8Array | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(toBytes(body)).digest('hex')}`;
}

function refuse(reason: WebhookRefusalReason, message: string): WebhookRefusal {
  return { ok: false, reason, message };
}

/**
 * Checks the request's signature against the shared secret.
 * @param rawBody the body exactly as received.
 */
export function verifyWebhookSignature(
  headers: WebhookHeaders,
  rawBody: Uint8Array | string,
  secret: string,
): WebhookVerification {
  if (secret === '')
    return refuse('secret-not-configured', 'no webhook secret is configured; push webhooks are refused');
  const provider = detectWebhookProvider(headers);
  if (provider === undefined) {
    return refuse('unknown-provider', 'not a GitHub (X-GitHub-Event) or GitLab (X-Gitlab-Event) webhook');
  }
  if (provider === 'github') {
    const raw = header(headers, 'x-hub-signature-256');
    if (raw === undefined) {
      const legacy = header(headers, 'x-hub-signature') !== undefined;
      return refuse(
        'missing-signature',
        legacy
          ? 'only an SHA-1 X-Hub-Signature was sent; X-Hub-Signature-256 is required'
          : 'the X-Hub-Signature-256 header is missing',
      );
    }
    const value = singleHeader(headers, 'x-hub-signature-256');
    const match = value === undefined ? null : /^sha256=([0-9a-f]{64})$/i.exec(value.trim());
    if (!match?.[1])
      return refuse('malformed-signature', 'X-Hub-Signature-256 is not of the form sha256=<64 hex digits>');
    const received = Buffer.from(match[1], 'hex');
    const expected = createHmac('sha256', secret).update(toBytes(rawBody)).digest();
    return timingSafeEqual(received, expected)
      ? { ok: true, provider }
      : refuse('signature-mismatch', 'X-Hub-Signature-256 does not match the body and the shared secret');
  }
  const raw = header(headers, 'x-gitlab-token');
  if (raw === undefined) return refuse('missing-signature', 'the X-Gitlab-Token header is missing');
  const token = singleHeader(headers, 'x-gitlab-token');
  if (token === undefined) return refuse('malformed-signature', 'X-Gitlab-Token was sent more than once');
  const received = createHash('sha256').update(token, 'utf8').digest();
  const expected = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(received, expected)
    ? { ok: true, provider }
    : refuse('signature-mismatch', 'X-Gitlab-Token does not match the shared secret');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(record: unknown, keys: readonly string[]): string[] {
  if (!isRecord(record)) return [];
  return keys.map((key) => record[key]).filter((value): value is string => typeof value === 'string' && value !== '');
}

const zeroSha = /^0+$/;
const shaPattern = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;

/** JSON payloads, and GitHub's form-encoded variant (`payload=<json>`). */
function decodePayload(headers: WebhookHeaders, rawBody: Uint8Array | string): unknown {
  let text = typeof rawBody === 'string' ? rawBody : new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
  const contentType = singleHeader(headers, 'content-type') ?? '';
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw new Error('the form body has no payload field');
    text = payload;
  }
  return JSON.parse(text) as unknown;
}

/**
 * Reads a push from a verified webhook request. Other events (GitHub `ping`, GitLab merge
 * requests) are `not-a-push`; a push payload without a usable ref or commit is `malformed-payload`.
 * Tag pushes are pushes without a `branch`.
 */
export function parsePushEvent(
  provider: WebhookProvider,
  headers: WebhookHeaders,
  rawBody: Uint8Array | string,
): PushParseResult {
  const event = singleHeader(headers, provider === 'github' ? 'x-github-event' : 'x-gitlab-event') ?? '';
  let payload: unknown;
  try {
    payload = decodePayload(headers, rawBody);
  } catch (error) {
    return {
      ok: false,
      reason: 'malformed-payload',
      message: `the webhook body is not valid JSON (${error instanceof Error ? error.message : 'unreadable'})`,
    };
  }
  if (!isRecord(payload))
    return { ok: false, reason: 'malformed-payload', message: 'the webhook body is not a JSON object' };

  let repositoryUrls: string[];
  if (provider === 'github') {
    if (event !== 'push')
      return { ok: false, reason: 'not-a-push', message: `GitHub event ${JSON.stringify(event)} is not a push` };
    repositoryUrls = strings(payload.repository, ['clone_url', 'ssh_url', 'git_url', 'html_url', 'url', 'svn_url']);
  } else {
    const kind = payload.object_kind;
    if (kind !== 'push' && kind !== 'tag_push') {
      return {
        ok: false,
        reason: 'not-a-push',
        message: `GitLab event ${JSON.stringify(event || kind)} is not a push`,
      };
    }
    repositoryUrls = [
      ...strings(payload.project, ['git_http_url', 'git_ssh_url', 'web_url', 'http_url', 'ssh_url', 'url']),
      ...strings(payload.repository, ['git_http_url', 'git_ssh_url', 'homepage', 'url']),
    ];
  }
  const { ref, after } = payload;
  if (typeof ref !== 'string' || !ref.startsWith('refs/')) {
    return { ok: false, reason: 'malformed-payload', message: 'the push payload has no ref' };
  }
  if (typeof after !== 'string' || !shaPattern.test(after)) {
    return { ok: false, reason: 'malformed-payload', message: 'the push payload has no commit SHA in "after"' };
  }
  const deleted = payload.deleted === true || zeroSha.test(after);
  const push: PushEvent = {
    provider,
    ref,
    after: after.toLowerCase(),
    deleted,
    repositoryUrls: [...new Set(repositoryUrls)],
  };
  if (ref.startsWith('refs/heads/')) push.branch = ref.slice('refs/heads/'.length);
  return { ok: true, push };
}

/**
 * A repository URL reduced to `host/path` in lower case, so the https, ssh and web URLs of one
 * repository compare equal: user info, port, a trailing `/` and `.git` are dropped;
 * `git@host:org/repo.git`, `ssh://git@host:22/org/repo` and `https://host/org/repo` all give
 * `host/org/repo`. Local paths and file:// URLs give the path.
 */
export function normaliseRepositoryUrl(url: string): string {
  const trimmed = url.trim();
  let hostAndPath: string;
  const scp = /^(?:[^@/]+@)?([^/:]+):(?!\/\/)(.*)$/.exec(trimmed);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      const parsed = new URL(trimmed);
      hostAndPath =
        parsed.protocol === 'file:'
          ? decodeURIComponent(parsed.pathname)
          : `${parsed.hostname}${decodeURIComponent(parsed.pathname)}`;
    } catch {
      hostAndPath = trimmed;
    }
  } else if (scp && !/^[a-z]:[\\/]/i.test(trimmed)) {
    hostAndPath = `${scp[1]}/${scp[2]}`;
  } else {
    hostAndPath = trimmed;
  }
  return hostAndPath
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/\/{2,}/g, '/')
    .toLowerCase();
}

/** Whether a push moved the branch of the source at `url`/`branch` (tag pushes never do). */
export function pushConcernsSource(push: PushEvent, source: { url: string; branch: string }): boolean {
  if (push.branch !== source.branch) return false;
  const wanted = normaliseRepositoryUrl(source.url);
  return push.repositoryUrls.some((candidate) => normaliseRepositoryUrl(candidate) === wanted);
}
