/**
 * A real HTTP server on loopback for REST-job tests: routes answer with whatever a test scripts
 * (status, content type, body, delay), and every request is recorded (method, path, query,
 * headers, body) so tests can count requests and check what was sent. No vitest, no Temporal:
 * the benchmark uses it too.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the target received. Header names are lower case. */
export interface ReceivedRequest {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

/** What a route answers. */
export interface TargetAnswer {
  status?: number;
  contentType?: string;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
  headers?: Record<string, string>;
}

/** Answers a request; `count` is how many requests this route has received, this one included. */
export type TargetRoute = (request: ReceivedRequest, count: number) => TargetAnswer | Promise<TargetAnswer>;

export interface RestTarget {
  /** `http://127.0.0.1:port` */
  url: string;
  received: ReceivedRequest[];
  /** Requests received on `path` (and `method`, when given). */
  requests(path: string, method?: string): ReceivedRequest[];
  /** Sets (or replaces) the answer of `METHOD path`. */
  route(method: string, path: string, answer: TargetRoute | TargetAnswer): void;
  stop(): Promise<void>;
}

export async function startRestTarget(): Promise<RestTarget> {
  const routes = new Map<string, TargetRoute>();
  const received: ReceivedRequest[] = [];
  const counts = new Map<string, number>();
  const server: Server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://target');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(incoming.headers))
        if (typeof value === 'string') headers[name] = value;
      const request: ReceivedRequest = {
        at: Date.now(),
        method: incoming.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      const key = `${request.method} ${request.path}`;
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      const route = routes.get(key);
      void (async () => {
        const answer: TargetAnswer =
          route === undefined ? { status: 404, body: { error: `no route ${key}` } } : await route(request, count);
        if (answer.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
        if (response.destroyed) return;
        const body =
          answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        response.writeHead(answer.status ?? 200, {
          ...(answer.body !== undefined ? { 'content-type': answer.contentType ?? 'application/json' } : {}),
          ...(answer.headers ?? {}),
        });
        response.end(body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    requests: (path, method) =>
      received.filter((request) => request.path === path && (method === undefined || request.method === method)),
    route(method, path, answer) {
      routes.set(`${method} ${path}`, typeof answer === 'function' ? answer : () => answer);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
