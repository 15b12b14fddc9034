/**
 * Sends one prepared REST call (`lib/rest-call.ts`) with Node's fetch and a timeout, and reads the
 * whole response (R-REST-1). What came back is `HttpExchange` (`lib/rest-response.ts`).
 */
import type { PreparedCall } from '../../lib/rest-call.js';
import type { HttpExchange } from '../../lib/rest-response.js';

/**
 * Sends a prepared call and reads the whole response within `timeoutSeconds` (R-REST-1). A
 * network error, a timeout, or cancellation through `signal` is a result, not an exception.
 */
export async function sendCall(
  call: PreparedCall,
  timeoutSeconds: number,
  signal?: AbortSignal,
): Promise<HttpExchange> {
  const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
  const combined = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
  try {
    const response = await fetch(call.url, {
      method: call.method,
      headers: call.headers,
      ...(call.body !== undefined ? { body: call.body } : {}),
      signal: combined,
      redirect: 'follow',
    });
    const body = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return {
      kind: 'response',
      status: response.status,
      headers,
      contentType: response.headers.get('content-type') ?? '',
      body,
    };
  } catch (error) {
    if (timeout.aborted) return { kind: 'timeout' };
    if (signal?.aborted === true) return { kind: 'cancelled' };
    return { kind: 'network', detail: networkDetail(error) };
  }
}

/** A short, value-free description of a fetch failure: the system error code where there is one. */
function networkDetail(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause !== undefined && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'unknown error';
}
