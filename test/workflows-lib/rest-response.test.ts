/**
 * What a REST response means (R-REST-1, R-REST-4..6), without a network: the exit code of an
 * exchange, the format of a content type, the output section and key extraction.
 */
import { describe, expect, it } from 'vitest';
import {
  exchangeFailure,
  extractAll,
  extractValue,
  formatResponseSection,
  mediaTypeOf,
  responseFormatOf,
  type HttpExchange,
} from '../../workflows/lib/rest-response.js';

const response = (status: number): HttpExchange => ({
  kind: 'response',
  status,
  headers: {},
  contentType: 'application/json',
  body: '{}',
});

describe('exchangeFailure', () => {
  it.each<[string, HttpExchange, number | undefined]>([
    ['a 2xx response', response(204), undefined],
    ['a 4xx response', response(404), 4],
    ['a 5xx response', response(503), 4],
    ['a redirect that was not followed', response(302), 4],
    ['a timeout', { kind: 'timeout' }, 5],
    ['a network error', { kind: 'network', detail: 'ECONNREFUSED' }, 4],
    ['a cancelled call', { kind: 'cancelled' }, 4],
  ])('%s: exit code %s', (_what, exchange, exitCode) => {
    expect(exchangeFailure(exchange, 'request', 10)?.exitCode).toBe(exitCode);
  });

  it('names the request type and what happened', () => {
    expect(exchangeFailure(response(500), 'monitoring', 10)?.message).toBe(
      '0609: HTTP request failed. RequestType=monitoring StatusCode=500',
    );
    expect(exchangeFailure({ kind: 'timeout' }, 'termination', 30)?.message).toBe(
      '0611: HTTP request timed out. RequestType=termination (after 30 s)',
    );
  });
});

describe('response formats', () => {
  it.each<[string, 'JSON' | 'XML' | undefined]>([
    ['application/json; charset=utf-8', 'JSON'],
    ['application/x-amz-json-1.0', 'JSON'],
    ['application/problem+json', 'JSON'],
    ['Text/XML', 'XML'],
    ['application/atom+xml', 'XML'],
    ['text/plain', undefined],
    ['', undefined],
  ])('%s is read as %s', (contentType, format) => {
    expect(responseFormatOf(mediaTypeOf(contentType))).toBe(format);
  });
});

describe('formatResponseSection', () => {
  const headers = { 'content-type': 'application/json' };

  it('prints status, headers and a JSON body pretty-printed', () => {
    expect(formatResponseSection('Http', 200, headers, '{"id":"j1"}', { kind: 'json', value: { id: 'j1' } })).toBe(
      [
        'HttpStatusCode=200',
        'HttpResHeader={\n  "content-type": "application/json"\n}',
        'HttpResBody={\n  "id": "j1"\n}',
      ].join('\n'),
    );
  });

  it('prints an XML body as received, a placeholder for an invalid one, and no body line otherwise', () => {
    expect(
      formatResponseSection('ChkResultHttp', 200, {}, ' <r><s>OK</s></r>\n', {
        kind: 'xml',
        value: { r: { s: 'OK' } },
      }),
    ).toContain('ChkResultHttpResBody=<r><s>OK</s></r>');
    expect(formatResponseSection('Http', 200, {}, '{', { kind: 'invalid', format: 'JSON' })).toContain(
      'HttpResBody="The response is not a valid JSON response"',
    );
    expect(formatResponseSection('Http', 200, {}, 'hello', { kind: 'other', mediaType: 'text/plain' })).not.toContain(
      'ResBody',
    );
  });
});

describe('key extraction', () => {
  const document = { kind: 'json' as const, value: { job: { id: 'j1', steps: [{ state: 'DONE' }] } } };

  it('finds values and formats them as text', () => {
    expect(extractValue(document, 'job.steps.[0].state', 'pollingEndKey')).toEqual({ ok: true, value: 'DONE' });
    expect(extractAll(document, { ID: 'job.id', STATE: 'job.steps.[0].state' })).toEqual({
      ok: true,
      values: { ID: 'j1', STATE: 'DONE' },
    });
  });

  it('ends with 8 when the response has no such key or cannot be searched, and with 2 for a malformed key', () => {
    expect(extractValue(document, 'job.missing', 'ID')).toMatchObject({ ok: false, exitCode: 8 });
    expect(extractValue({ kind: 'empty' }, 'id', 'ID')).toMatchObject({ ok: false, exitCode: 8 });
    expect(extractValue({ kind: 'other', mediaType: 'text/plain' }, 'id', 'ID')).toMatchObject({
      ok: false,
      exitCode: 8,
    });
    expect(extractValue(document, 'job.[', 'ID')).toMatchObject({ ok: false, exitCode: 2 });
    expect(extractAll(document, { ID: 'job.id', GONE: 'nothing' })).toMatchObject({ ok: false, exitCode: 8 });
  });
});
