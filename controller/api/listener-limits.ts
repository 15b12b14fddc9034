/**
 * The limits every HTTP listener of the product runs with (the controller's `--listen`, `jobnet
 * api`, `jobnet up`): how many connections it holds, how long a request may take to arrive, how
 * long idle and keep-alive connections stay open, and how many refused webhook requests a client
 * may send before it is answered 429. Without them a listener reachable from the network can be
 * made to hold sockets until the process runs out of file descriptors (a body sent one byte a
 * second never ends on its own).
 *
 * One options object with documented defaults ({@link defaultListenerLimits}); callers override
 * single fields (`jobnet controller --max-connections 64`). Pure: it computes the fastify and
 * node:http settings and applies nothing itself; `api-server.ts` does.
 */
import type { ServerOptions } from 'node:http';

export interface ListenerLimits {
  /** Connections held at once; further ones are closed as soon as they are accepted (node's `server.maxConnections`). */
  maxConnections: number;
  /** A request — headers and body — must have arrived in full within this, else it is answered 408 and its connection closed. */
  requestTimeoutMs: number;
  /** The request headers must have arrived within this (capped at `requestTimeoutMs`). */
  headersTimeoutMs: number;
  /** A connection on which nothing is sent or received for this long is closed (fastify `connectionTimeout`). */
  idleTimeoutMs: number;
  /** A kept-alive connection with no request in flight is closed after this. */
  keepAliveTimeoutMs: number;
  /** Refused (401) webhook requests one client address may make per minute; the following ones are answered 429. */
  maxRefusalsPerMinute: number;
  /** Largest request body (a push payload is a few KiB; GitHub caps them at 25 MB). */
  bodyLimitBytes: number;
}

/** The defaults (docs/operations.md "Listener limits"). */
export const defaultListenerLimits: Readonly<ListenerLimits> = Object.freeze({
  maxConnections: 256,
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  idleTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxRefusalsPerMinute: 10,
  bodyLimitBytes: 5 * 1024 * 1024,
});

/** A limit that cannot be used (zero, negative, not a whole number). */
export class ListenerLimitsError extends Error {
  override name = 'ListenerLimitsError';
}

/**
 * The defaults with `overrides` applied (undefined fields keep their default).
 * @throws ListenerLimitsError for a value that is not a positive whole number.
 */
export function listenerLimitsOf(overrides: Partial<ListenerLimits> = {}): ListenerLimits {
  const limits: ListenerLimits = { ...defaultListenerLimits };
  for (const [key, value] of Object.entries(overrides) as [keyof ListenerLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new ListenerLimitsError(`listener limit ${key} must be a positive whole number, not ${String(value)}`);
    limits[key] = value;
  }
  limits.headersTimeoutMs = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return limits;
}

/** The fastify constructor options that carry the limits. */
export function fastifyLimitOptions(limits: ListenerLimits): {
  connectionTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  bodyLimit: number;
  http: ServerOptions;
} {
  return {
    connectionTimeout: limits.idleTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    bodyLimit: limits.bodyLimitBytes,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // node checks the request and headers timeouts on this interval (default 30 s, which
      // would let a slow request live up to 30 s past its timeout).
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
  };
}
