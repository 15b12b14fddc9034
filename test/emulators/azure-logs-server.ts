/**
 * An Azure Monitor Logs Ingestion API stand-in on loopback for job management log tests,
 * speaking the contract the product relies on:
 *   - `POST /dataCollectionRules/{ruleId}/streams/{stream}?api-version=2023-01-01` only; another
 *     rule or stream is 404 `{"error": {"code": "NotFound"}}`, another api-version 400
 *     `InvalidApiVersion`.
 *   - `Authorization: Bearer <token>` where the token is one the given oidc-provider
 *     (oauth-server.ts) issued, still active, with the audience `https://monitor.azure.com`;
 *     anything else is 401 `InvalidToken` (the token is checked by introspection).
 *   - The body may be gzip (`Content-Encoding: gzip`); uncompressed above 1 MB it is 413
 *     `ContentLengthLimitExceeded`. It must be a JSON array of objects with the stream's columns
 *     `TimeGenerated` (ISO 8601), `JobnetName`, `ProjectName`, `LogLevel`, `Message`, `EventId`,
 *     all strings, nothing else — otherwise 400 `InvalidStream` naming the column.
 *   - 204 with an empty body on success. Mode `tooManyRequests` answers 429 with `Retry-After`.
 * Rows are kept as received; `uniqueEventIds` counts them de-duplicated by `EventId`, as a query
 * would. No vitest: other tiers may use it.
 */
import { gunzipSync } from 'node:zlib';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Introspection } from './oauth-server.js';

export const monitorAudience = 'https://monitor.azure.com';
export const logsIngestionColumns = ['TimeGenerated', 'JobnetName', 'ProjectName', 'LogLevel', 'Message', 'EventId'];

export interface AzureLogRow {
  [column: string]: string;
}

export interface AzureLogsStandIn {
  /** The data collection endpoint, `http://127.0.0.1:port`. */
  endpoint: string;
  ruleId: string;
  stream: string;
  rows: AzureLogRow[];
  requests: { status: number; rows: number; code?: string }[];
  /** Tokens seen in Authorization headers (tests check they are not leaked elsewhere). */
  tokens: Set<string>;
  mode: { tooManyRequests: number; retryAfterSeconds: number; down: boolean };
  uniqueEventIds(): Set<string>;
  close(): Promise<void>;
}

export interface AzureLogsOptions {
  ruleId?: string;
  stream?: string;
  /** Introspects a bearer token (oauth-server.ts `introspect`). */
  introspect(token: string): Promise<Introspection>;
  /** Largest uncompressed body accepted; 1 MB like the real API. */
  maxBytes?: number;
}

export async function startAzureLogsStandIn(options: AzureLogsOptions): Promise<AzureLogsStandIn> {
  const ruleId = options.ruleId ?? 'dcr-00000000000000000000000000000001';
  const stream = options.stream ?? 'Custom-JobnetLog_CL';
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const verified = new Map<string, boolean>();
  const standIn: AzureLogsStandIn = {
    endpoint: '',
    ruleId,
    stream,
    rows: [],
    requests: [],
    tokens: new Set(),
    mode: { tooManyRequests: 0, retryAfterSeconds: 1, down: false },
    uniqueEventIds: () => new Set(standIn.rows.map((row) => row.EventId ?? '')),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const fail = (response: ServerResponse, status: number, code: string, message: string, headers = {}): number => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify({ error: { code, message } }));
    standIn.requests.push({ status, rows: 0, code });
    return status;
  };
  const audienceOk = async (token: string): Promise<boolean> => {
    const known = verified.get(token);
    if (known !== undefined) return known;
    const answer = await options.introspect(token);
    const audiences = Array.isArray(answer.aud) ? answer.aud : answer.aud !== undefined ? [answer.aud] : [];
    const ok = answer.active && audiences.includes(monitorAudience);
    verified.set(token, ok);
    return ok;
  };
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<number> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (standIn.mode.down) {
      request.socket.destroy();
      return 0;
    }
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (request.method !== 'POST' || url.pathname !== `/dataCollectionRules/${ruleId}/streams/${stream}`)
      return fail(response, 404, 'NotFound', `no data collection rule or stream at ${url.pathname}`);
    if (url.searchParams.get('api-version') !== '2023-01-01')
      return fail(response, 400, 'InvalidApiVersion', 'the api-version query parameter must be 2023-01-01');
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined || !(await audienceOk(token)))
      return fail(response, 401, 'InvalidToken', `the token is not valid for the audience ${monitorAudience}`);
    standIn.tokens.add(token);
    if (standIn.mode.tooManyRequests > 0) {
      standIn.mode.tooManyRequests -= 1;
      return fail(response, 429, 'TooManyRequests', 'the request rate is too high', {
        'retry-after': String(standIn.mode.retryAfterSeconds),
      });
    }
    let body = Buffer.concat(chunks);
    if ((request.headers['content-encoding'] ?? '').toLowerCase() === 'gzip') {
      try {
        body = gunzipSync(body);
      } catch {
        return fail(response, 400, 'InvalidContentEncoding', 'the body is not valid gzip');
      }
    }
    if (body.length > maxBytes)
      return fail(response, 413, 'ContentLengthLimitExceeded', `the request is larger than ${maxBytes} bytes`);
    let rows: unknown;
    try {
      rows = JSON.parse(body.toString('utf8'));
    } catch {
      return fail(response, 400, 'InvalidJson', 'the body is not JSON');
    }
    if (!Array.isArray(rows)) return fail(response, 400, 'InvalidStream', 'the body must be a JSON array');
    for (const [i, row] of rows.entries()) {
      if (typeof row !== 'object' || row === null)
        return fail(response, 400, 'InvalidStream', `row ${i} is not an object`);
      const columns = Object.keys(row as object);
      const extra = columns.find((column) => !logsIngestionColumns.includes(column));
      if (extra !== undefined) return fail(response, 400, 'InvalidStream', `row ${i}: unknown column ${extra}`);
      for (const column of logsIngestionColumns) {
        const value = (row as Record<string, unknown>)[column];
        if (typeof value !== 'string' || value === '')
          return fail(response, 400, 'InvalidStream', `row ${i}: column ${column} is missing or not a string`);
      }
      if (Number.isNaN(Date.parse((row as AzureLogRow).TimeGenerated!)))
        return fail(response, 400, 'InvalidStream', `row ${i}: TimeGenerated is not a date`);
    }
    standIn.rows.push(...(rows as AzureLogRow[]));
    standIn.requests.push({ status: 204, rows: rows.length });
    response.writeHead(204).end();
    return 204;
  };
  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standIn;
}
