/**
 * A ServiceNow Table API stand-in on loopback for incident tests, speaking the contract the
 * product relies on:
 *   - Basic authentication; a wrong pair is 401 `{"error": {"message": "User Not Authenticated",
 *     "detail": "Required to provide Auth information"}, "status": "failure"}`.
 *   - `POST /api/now/table/incident` → 201 `{"result": {…}}` with every value a string, a
 *     `Location` header naming the record, `number` `INC0010001`…, `sys_id` 32 hex digits.
 *   - `GET /api/now/v2/table/incident?sysparm_query=a=b^c=d&sysparm_fields=…`: `{"result": [...]}`,
 *     an empty list when nothing matches; the v1 path (`/api/now/table/incident`) answers 404
 *     `No Record found` instead. A query term on an unknown field is ignored, as ServiceNow does,
 *     so the rows that come back may not match it.
 *   - Modes for faults: `tooManyRequests` (429 with `Retry-After`), `createThen502` (the next
 *     POSTs create the record and answer 502), `createThenHold` (the next POSTs create the record
 *     and never answer, as an instance whose client died mid-call), `down` (the socket is
 *     destroyed, as an instance that cannot be reached).
 * No vitest: other tiers may use it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServiceNowRecord {
  [field: string]: string;
}

export interface ServiceNowStandIn {
  url: string;
  records: ServiceNowRecord[];
  /** When each record was created (epoch ms), by `sys_id`. */
  createdAt: Map<string, number>;
  /** Every request: method, path and query. */
  requests: { method: string; path: string; status: number }[];
  mode: {
    tooManyRequests: number;
    retryAfterSeconds: number;
    createThen502: number;
    createThenHold: number;
    down: boolean;
    unauthorized: boolean;
  };
  close(): Promise<void>;
}

const knownFields = new Set([
  'sys_id',
  'number',
  'short_description',
  'description',
  'impact',
  'urgency',
  'priority',
  'state',
  'correlation_id',
  'correlation_display',
  'caller_id',
  'sys_created_on',
]);

export async function startServiceNowStandIn(user: string, password: string): Promise<ServiceNowStandIn> {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  let sequence = 10000;
  const standIn: ServiceNowStandIn = {
    url: '',
    records: [],
    createdAt: new Map(),
    requests: [],
    mode: {
      tooManyRequests: 0,
      retryAfterSeconds: 1,
      createThen502: 0,
      createThenHold: 0,
      down: false,
      unauthorized: false,
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    response.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
    response.end(JSON.stringify(body));
  };
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<number> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (standIn.mode.down) {
      request.socket.destroy();
      return 0;
    }
    if (standIn.mode.unauthorized || request.headers.authorization !== expected) {
      send(response, 401, {
        error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
        status: 'failure',
      });
      return 401;
    }
    if (standIn.mode.tooManyRequests > 0) {
      standIn.mode.tooManyRequests -= 1;
      send(
        response,
        429,
        { error: { message: 'Too Many Requests', detail: 'rate limit' }, status: 'failure' },
        { 'retry-after': String(standIn.mode.retryAfterSeconds) },
      );
      return 429;
    }
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (request.method === 'POST' && url.pathname === '/api/now/table/incident') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      sequence += 1;
      const record: ServiceNowRecord = {};
      for (const [key, value] of Object.entries(body)) record[key] = String(value);
      record.sys_id = randomBytes(16).toString('hex');
      record.number = `INC00${sequence}`;
      record.state = '1';
      record.sys_created_on = new Date().toISOString().replace('T', ' ').slice(0, 19);
      standIn.records.push(record);
      standIn.createdAt.set(record.sys_id, Date.now());
      if (standIn.mode.createThenHold > 0) {
        standIn.mode.createThenHold -= 1;
        return 0; // the answer never comes; the socket closes with its client
      }
      if (standIn.mode.createThen502 > 0) {
        standIn.mode.createThen502 -= 1;
        response.writeHead(502, { 'content-type': 'text/html' });
        response.end('<html><body>502 Bad Gateway</body></html>');
        return 502;
      }
      send(response, 201, { result: record }, { location: `${standIn.url}/api/now/table/incident/${record.sys_id}` });
      return 201;
    }
    if (
      request.method === 'GET' &&
      (url.pathname === '/api/now/v2/table/incident' || url.pathname === '/api/now/table/incident')
    ) {
      const terms = (url.searchParams.get('sysparm_query') ?? '')
        .split('^')
        .filter((term) => term !== '')
        .map((term) => term.split('=') as [string, string])
        .filter(([field]) => knownFields.has(field)); // unknown fields are ignored
      const rows = standIn.records.filter((record) => terms.every(([field, value]) => record[field] === value));
      const fields = url.searchParams.get('sysparm_fields')?.split(',');
      const shown = rows.map((row) =>
        fields === undefined ? row : Object.fromEntries(fields.map((field) => [field, row[field] ?? ''])),
      );
      if (shown.length === 0 && url.pathname === '/api/now/table/incident') {
        send(response, 404, { error: { message: 'No Record found', detail: 'Records not found' }, status: 'failure' });
        return 404;
      }
      send(response, 200, { result: shown });
      return 200;
    }
    send(response, 400, { error: { message: 'Invalid table', detail: url.pathname }, status: 'failure' });
    return 400;
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    handle(request, response).then(
      (status) => standIn.requests.push({ method: request.method ?? '', path: url.pathname + url.search, status }),
      () => response.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standIn;
}
