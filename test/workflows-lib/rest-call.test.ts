/**
 * A REST call assembled from its compiled form (R-REST-1), without a network: substitution, the
 * query in RFC 3986 encoding, the body serialised, and the refusals.
 */
import { describe, expect, it } from 'vitest';
import { encodeRfc3986, prepareCall } from '../../workflows/lib/rest-call.js';

describe('prepareCall', () => {
  const sources = {
    definitionVariables: { HOST: 'api.example.com', QUEUE: 'nightly batch' },
    takeoverValues: { ID: 'j1' },
  };

  it('substitutes the URL (takeover values included), appends the query encoded and serialises the body as JSON', () => {
    const prepared = prepareCall(
      {
        url: 'https://@HOST@/v1/jobs/<ID>?x=1',
        method: 'POST',
        query: { queue: '@QUEUE@', retry: 3, 'a*b': "it's" },
        header: { 'X-Trace': true },
        body: { id: '<ID>', queue: '@QUEUE@' },
      },
      sources,
      'monitoring',
    );
    if (!prepared.ok) throw new Error(prepared.message);
    expect(prepared.call.url.href).toBe(
      'https://api.example.com/v1/jobs/j1?x=1&queue=nightly%20batch&retry=3&a%2Ab=it%27s',
    );
    expect(prepared.call.headers).toEqual({ 'X-Trace': 'true', 'Content-Type': 'application/json' });
    expect(prepared.call.body).toBe('{"id":"j1","queue":"nightly batch"}');
  });

  it('sends a string body as it is, with the content type the headers give', () => {
    const prepared = prepareCall(
      { url: 'https://api.example.com/', method: 'PUT', header: { 'content-type': 'text/xml' }, body: '<job/>' },
      sources,
      'request',
    );
    expect(prepared).toMatchObject({ ok: true, call: { body: '<job/>', headers: { 'content-type': 'text/xml' } } });
  });

  it('refuses a URL that is not http(s), a GET with a body, and a value too long after substitution', () => {
    expect(prepareCall({ url: 'ftp://api.example.com/', method: 'GET' }, sources, 'request')).toMatchObject({
      ok: false,
      exitCode: 2,
    });
    expect(prepareCall({ url: 'https://api.example.com/', method: 'GET', body: {} }, sources, 'request')).toMatchObject(
      { ok: false, exitCode: 2 },
    );
    expect(
      prepareCall(
        { url: 'https://api.example.com/', method: 'GET', header: { Long: 'x'.repeat(1025) } },
        sources,
        'request',
      ),
    ).toMatchObject({ ok: false, exitCode: 246 });
  });
});

describe('encodeRfc3986', () => {
  it('encodes everything but unreserved characters', () => {
    expect(encodeRfc3986("a-b_c.d~e !*'()/漢")).toBe('a-b_c.d~e%20%21%2A%27%28%29%2F%E6%BC%A2');
  });
});
