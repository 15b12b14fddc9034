/**
 * Malformed input to every route of the operator API (R-OPS-6, R-SEC-4), property style: the
 * routes are read from the server's own `/api/v1/openapi.json`, so a route added later is covered
 * once it is registered. For each route it sends wrong types for every declared field, unknown
 * fields, 1 MB strings, broken JSON, bad dates in date-like fields, path traversal and odd
 * encodings in path ids, and wrong content types. Every answer must be a 4xx with a
 * `{code, message}` body — never a 5xx — and nothing may change: the jobnet list, each jobnet's
 * state and the runs of the deployment are the same before and after.
 *
 * Values are drawn from a seeded generator (`MALFORMED_SEED`, printed on failure), so a failure
 * reproduces. Real dev server, real worker, real HTTP; the test OperatorAuth of api-fixture.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visibilityLiteral, workflowTypes } from '../../workflows/lib/wire-contract.js';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

const seed = Number(process.env.MALFORMED_SEED ?? 20261123);
let api: ApiFixture;

beforeAll(async () => {
  api = await startApiFixture();
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

/** mulberry32: a small seeded generator. */
function generator(start: number): () => number {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  enum?: unknown[];
  format?: string;
  required?: string[];
}

interface Operation {
  parameters?: { in: 'path' | 'query' | 'header'; name: string; schema?: Schema; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

interface Probe {
  route: string;
  what: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

const megabyte = 'x'.repeat(1024 * 1024);
const badIds = [
  '..%2F..%2Fetc',
  '..',
  '%00',
  'a%00b',
  '%E3%81',
  '%FF%FE',
  'x'.repeat(2000),
  '%2E%2E%2F',
  'a b',
  '%0d%0aX-Injected:1',
];
const badDates = [
  '2026-13-45',
  'yesterday',
  '2026-02-30T25:61:00Z',
  '0',
  '-1',
  '9999999999999999999',
  '2026-11-23T08:00:00+99:00',
];

function isDateLike(name: string, schema: Schema | undefined): boolean {
  return (
    schema?.format === 'date-time' ||
    schema?.format === 'date' ||
    /^(since|from|to|until|before|after|at)$|date/i.test(name)
  );
}

function typeOf(schema: Schema | undefined): string[] {
  if (schema?.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** Values of the wrong JSON type for a field of `schema`. */
function wrongTypes(schema: Schema | undefined): unknown[] {
  const types = typeOf(schema);
  const candidates: [string, unknown][] = [
    ['string', 'not-a-number'],
    ['number', 12345],
    ['boolean', true],
    ['object', { nested: { deeper: [1, 2] } }],
    ['array', ['a', 1, null]],
    ['null', null],
  ];
  return candidates
    .filter(([type]) => !types.includes(type) && !(type === 'number' && types.includes('integer')))
    .map(([, value]) => value);
}

/** A value a path parameter of `schema` accepts, so that other parts can be probed alone. */
function validPathValue(name: string, schema: Schema | undefined): string {
  if (schema?.enum !== undefined) return String(schema.enum[0]);
  if (name === 'project') return 'alpha';
  if (name === 'jobnet') return 'manual';
  return 'alpha';
}

/** Text of a query value that is not of the declared type (strings accept any text: then none). */
function wrongQueryTexts(schema: Schema | undefined): string[] {
  const types = typeOf(schema);
  if (schema?.enum !== undefined) return ['not-in-the-enum', '%00'];
  if (types.includes('integer') || types.includes('number')) return ['abc', '1e999', '-', '1.5.5', '0x10'];
  if (types.includes('boolean')) return ['maybe', '2'];
  return [];
}

function probesOf(path: string, method: string, operation: Operation, random: () => number): Probe[] {
  const route = `${method.toUpperCase()} ${path}`;
  const params = operation.parameters ?? [];
  const pathParams = params.filter((param) => param.in === 'path');
  const queryParams = params.filter((param) => param.in === 'query');
  const validPath = pathParams.reduce(
    (text, param) => text.replace(`{${param.name}}`, encodeURIComponent(validPathValue(param.name, param.schema))),
    path,
  );
  const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
  const takesBody = operation.requestBody !== undefined;
  // A body that is invalid on its own (an unknown field), so that a probe of another part can
  // never be a valid request that changes something.
  const invalidBody = JSON.stringify({ unknownFieldOfTheProbe: 1 });
  const probes: Probe[] = [];
  const push = (what: string, target: string, extra: Partial<Probe> = {}) =>
    probes.push({
      route,
      what,
      method: method.toUpperCase(),
      path: target,
      ...(takesBody ? { body: invalidBody, contentType: 'application/json' } : {}),
      ...extra,
    });

  for (const param of pathParams)
    for (const bad of [...badIds, badIds[Math.floor(random() * badIds.length)] + String(Math.floor(random() * 1e6))])
      push(
        `path ${param.name}=${bad.slice(0, 20)}`,
        pathParams.reduce(
          (text, other) =>
            text.replace(
              `{${other.name}}`,
              other === param ? bad : encodeURIComponent(validPathValue(other.name, other.schema)),
            ),
          path,
        ),
      );

  const separator = validPath.includes('?') ? '&' : '?';
  push('unknown query field', `${validPath}${separator}unknownQueryField=1`);
  push('1 MB query', `${validPath}${separator}${queryParams[0]?.name ?? 'q'}=${megabyte}`);
  for (const param of queryParams) {
    for (const text of wrongQueryTexts(param.schema))
      push(`query ${param.name}=${text}`, `${validPath}${separator}${param.name}=${encodeURIComponent(text)}`);
    if (isDateLike(param.name, param.schema))
      for (const text of badDates)
        push(`query ${param.name}=${text}`, `${validPath}${separator}${param.name}=${encodeURIComponent(text)}`);
    push(`query ${param.name} 100 kB`, `${validPath}${separator}${param.name}=${'y'.repeat(100_000)}`);
  }

  if (takesBody) {
    const fields = Object.entries(bodySchema?.properties ?? {});
    push('broken JSON', validPath, { body: '{"a": [1, 2', contentType: 'application/json' });
    push('JSON that is not an object', validPath, { body: '[1,2,3]', contentType: 'application/json' });
    push('text/plain body', validPath, { body: 'hello', contentType: 'text/plain' });
    push('XML body', validPath, { body: '<a>1</a>', contentType: 'application/xml' });
    push('form body with an unknown field', validPath, {
      body: 'unknownFieldOfTheProbe=1',
      contentType: 'application/x-www-form-urlencoded',
    });
    push('unknown fields', validPath, { body: JSON.stringify({ zzz: 1, __proto__x: {} }) });
    push('prototype pollution', validPath, { body: '{"__proto__": {"admin": true}, "constructor": {"x": 1}}' });
    for (const [name, schema] of fields) {
      for (const value of wrongTypes(schema))
        push(`body ${name} as ${JSON.stringify(value).slice(0, 20)}`, validPath, {
          body: JSON.stringify({ [name]: value, unknownFieldOfTheProbe: 1 }),
        });
      push(`body ${name} 1 MB`, validPath, { body: JSON.stringify({ [name]: megabyte }) });
      if (isDateLike(name, schema))
        for (const text of badDates)
          push(`body ${name}=${text}`, validPath, {
            body: JSON.stringify({ [name]: text, unknownFieldOfTheProbe: 1 }),
          });
    }
  }
  return probes;
}

/** What must not change: the jobnets (list and states) and the runs of the deployment. */
async function snapshot(): Promise<unknown> {
  const list = await api.call('GET', '/api/v1/jobnets');
  const rows = list.body as { project: string; jobnet: string }[];
  const states = await Promise.all(
    rows.map(async (row) => {
      const view = (await api.call('GET', `/api/v1/jobnets/${row.project}/${row.jobnet}`)).body as {
        status: string;
        state: { held: boolean; operations: unknown[]; pendingEvents: unknown; troubleCount: number };
      };
      return {
        status: view.status,
        held: view.state.held,
        operations: view.state.operations,
        pendingEvents: view.state.pendingEvents,
        troubles: view.state.troubleCount,
      };
    }),
  );
  const runs: string[] = [];
  const query = `WorkflowType = ${visibilityLiteral(workflowTypes.run)} AND TaskQueue = ${visibilityLiteral(api.harness.target.taskQueue)}`;
  for await (const run of api.harness.client.workflow.list({ query }))
    runs.push(`${run.workflowId} ${run.status.name}`);
  return { list: list.body, states, runs: runs.sort() };
}

describe('malformed input to every route of the OpenAPI document', () => {
  it('is answered 4xx with {code, message}, never 5xx, and changes nothing', async () => {
    const document = await api.call('GET', '/api/v1/openapi.json');
    expect(document.status).toBe(200);
    const paths = (document.body as { paths: Record<string, Record<string, Operation>> }).paths;
    const routes = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(routes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining([
        'post /api/v1/msgevent',
        'post /api/v1/jobnets/{project}/{jobnet}/operations/{operation}',
      ]),
    );

    const before = await snapshot();
    const random = generator(seed);
    const failures: string[] = [];
    let sent = 0;
    for (const route of routes) {
      for (const probe of probesOf(route.path, route.method, route.operation, random)) {
        sent += 1;
        const headers: Record<string, string> = { authorization: 'Bearer admin-token' };
        if (probe.contentType !== undefined) headers['content-type'] = probe.contentType;
        let status: number;
        let text: string;
        try {
          const response = await fetch(`${api.server.url}${probe.path}`, {
            method: probe.method,
            headers,
            ...(probe.body !== undefined && probe.method !== 'GET' ? { body: probe.body } : {}),
          });
          status = response.status;
          text = await response.text();
        } catch (error) {
          failures.push(`${probe.route} (${probe.what}): no answer: ${String(error)}`);
          continue;
        }
        let body: { code?: unknown; message?: unknown } | undefined;
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          body = undefined;
        }
        const ok =
          status >= 400 &&
          status < 500 &&
          typeof body?.code === 'string' &&
          typeof body.message === 'string' &&
          body.message !== '';
        if (!ok) failures.push(`${probe.route} (${probe.what}): ${status} ${text.slice(0, 200)}`);
      }
    }
    expect(sent).toBeGreaterThan(100);
    expect(failures, `seed ${seed}`).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, 240_000);
});
