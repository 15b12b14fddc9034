/**
 * Posts JSON to a webhook the Standard Webhooks way (R-LOG-2, R-INC-5): `webhook-id` (the event's
 * id, stable across retries, so a receiver de-duplicates), `webhook-timestamp` and, when the
 * target's credential has a `webhookSecret` key (`whsec_…`), `webhook-signature` made by the
 * `standardwebhooks` package. Other authentication (Basic, Bearer, headers) is the caller's.
 *
 * HTTP I/O with `fetch`.
 */
import { Webhook } from 'standardwebhooks';
import type { AttemptOutcome } from '../../workflows/lib/delivery-sink.js';
import { retryAfterOf } from '../incidents/servicenow-client.js';

export interface SignedPost {
  url: string;
  id: string;
  payload: string;
  headers: Record<string, string>;
  signingSecret?: string;
  now?: Date;
}

/** The Standard Webhooks headers of a message. */
export function standardWebhookHeaders(
  id: string,
  payload: string,
  signingSecret: string | undefined,
  now: Date,
): Record<string, string> {
  const headers: Record<string, string> = {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
  };
  if (signingSecret !== undefined) headers['webhook-signature'] = new Webhook(signingSecret).sign(id, now, payload);
  return headers;
}

export async function postSigned(post: SignedPost, label: string): Promise<AttemptOutcome> {
  const url = new URL(post.url);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        ...post.headers,
        'content-type': 'application/json',
        ...standardWebhookHeaders(post.id, post.payload, post.signingSecret, post.now ?? new Date()),
      },
      body: post.payload,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return {
      ok: false,
      configuration: false,
      error: `${label} ${url.host} ${timedOut ? 'did not answer in time' : 'cannot be reached'}`,
    };
  }
  await response.arrayBuffer().catch(() => undefined);
  if (response.ok) return { ok: true };
  const retryAfterMs = retryAfterOf(response.headers.get('retry-after'));
  return {
    ok: false,
    configuration:
      response.status === 400 || response.status === 401 || response.status === 403 || response.status === 404,
    error: `${label} answered HTTP ${response.status}`,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}
