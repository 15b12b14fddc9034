import { describe, expect, it } from 'vitest';
import {
  findVariableReferences,
  substituteInValue,
  substituteVariables,
  takeoverTokens,
  type VariableSources,
} from '../../workflows/lib/variable-references.js';

/** Substitutes with generous limits and returns the text; fails the test on a substitution failure. */
function substituted(text: string, sources: VariableSources): string {
  const result = substituteVariables(text, sources, { field: 'request.url', allowNewlines: true });
  if (!result.ok) throw new Error(`unexpected failure ${result.exitCode}: ${result.message}`);
  return result.text;
}

describe('findVariableReferences recognises the four token kinds (R-VAR-1..3, R-REST-4)', () => {
  it.each<[string, [string, string, number, number][]]>([
    ['@REGION@', [['definition', 'REGION', 0, 8]]],
    ['x-@a_b-c9@-y', [['definition', 'a_b-c9', 2, 10]]],
    ['@CHECK.RESULT@', [['jobnet', 'CHECK.RESULT', 0, 14]]],
    ['p=@.VPARAM@', [['parameter', 'VPARAM', 2, 11]]],
    ['/runs/<RunId>/cancel', [['takeover', 'RunId', 6, 13]]],
    [
      'https://@HOST@/a/<ID>?q=@P.N@&v=@.VPARAM@',
      [
        ['definition', 'HOST', 8, 14],
        ['takeover', 'ID', 17, 21],
        ['jobnet', 'P.N', 24, 29],
        ['parameter', 'VPARAM', 32, 41],
      ],
    ],
    ['@A@B@', [['definition', 'A', 0, 3]]],
    [
      '@A@@B@',
      [
        ['definition', 'A', 0, 3],
        ['definition', 'B', 3, 6],
      ],
    ],
    ['<@X@>', [['definition', 'X', 1, 4]]],
  ])('%s', (text, expected) => {
    expect(findVariableReferences(text).map((r) => [r.kind, r.name, r.start, r.end])).toEqual(expected);
  });

  it.each([
    'user@example.com',
    '@@',
    '@',
    '@A B@',
    '@.X@',
    '@.vparam@',
    '@P.N.M@',
    '@P-1.N@',
    '<html lang="en">',
    '< X >',
    '<a-b>',
    '<>',
    '@JOBDEF.azurewebsites.net/api',
    '@ジョブ@',
  ])('%j holds no reference', (text) => {
    expect(findVariableReferences(text)).toEqual([]);
  });

  it('lists takeover names once each, in order, ignoring @ tokens', () => {
    expect(takeoverTokens('{"a":"<B>","b":"<A>","c":"<B>","d":"@X@"}')).toEqual(['B', 'A']);
    expect(takeoverTokens('no tokens <html lang="en">')).toEqual([]);
  });
});

describe('substituteVariables follows the order of R-VAR-4', () => {
  it.each<[string, string, VariableSources, string]>([
    [
      'a credential key beats a job-definition variable of the same name',
      '@TOKEN@',
      { credentialKeys: { TOKEN: 'from-credential' }, definitionVariables: { TOKEN: 'from-definition' } },
      'from-credential',
    ],
    [
      'a credential key value containing @JOBDEF@ gets the job-definition value',
      'k=@KEY@',
      { credentialKeys: { KEY: 'x-@ENV@' }, definitionVariables: { ENV: 'prod' } },
      'k=x-prod',
    ],
    [
      'a job-definition value containing <var> gets the takeover value',
      '@RUNS@/cancel',
      { definitionVariables: { RUNS: 'https://h/runs/<RunId>' }, takeoverValues: { RunId: '42' } },
      'https://h/runs/42/cancel',
    ],
    [
      'a job-definition value containing @PREFIX.NAME@ gets the jobnet variable',
      '@Q@',
      { definitionVariables: { Q: 'id=@SUBMIT.JOBID@' }, jobnetVariables: { 'SUBMIT.JOBID': 'j-7' } },
      'id=j-7',
    ],
    [
      'a takeover value containing @X@ is left alone',
      '<T>',
      { definitionVariables: { X: 'replaced' }, credentialKeys: { X: 'replaced' }, takeoverValues: { T: '@X@' } },
      '@X@',
    ],
    [
      'a job-definition value containing a credential key is left alone (earlier pass)',
      '@A@',
      { definitionVariables: { A: '@KEY@' }, credentialKeys: { KEY: 'secret' } },
      '@KEY@',
    ],
    [
      'a job-definition value is not re-scanned by its own pass',
      '@A@',
      { definitionVariables: { A: '@B@', B: 'b' } },
      '@B@',
    ],
    [
      'a jobnet variable value is not re-scanned by its own pass',
      '@P.N@',
      { jobnetVariables: { 'P.N': '@.VPARAM@' }, parameter: 'param' },
      '@.VPARAM@',
    ],
    [
      'unknown tokens of every kind stay as written',
      '@NOPE@ @P.X@ <nope> @.VPARAM@',
      { definitionVariables: { OTHER: 'o' }, jobnetVariables: { 'P.Y': 'y' }, takeoverValues: { yes: 'v' } },
      '@NOPE@ @P.X@ <nope> @.VPARAM@',
    ],
    ['the variable parameter fills @.VPARAM@', 'p=@.VPARAM@', { parameter: '2027-04-01' }, 'p=2027-04-01'],
    ['an empty variable parameter removes @.VPARAM@ (R-VAR-3)', '[@.VPARAM@]', { parameter: '' }, '[]'],
    [
      'inherited property names are not variables',
      '@constructor@ <toString>',
      { definitionVariables: {} },
      '@constructor@ <toString>',
    ],
    [
      'every occurrence is replaced, Japanese values included',
      '@A@/@A@/<t>',
      { definitionVariables: { A: '日次' }, takeoverValues: { t: '締め' } },
      '日次/日次/締め',
    ],
    [
      'text without tokens is unchanged',
      'user@example.com',
      { definitionVariables: { example: 'x' } },
      'user@example.com',
    ],
  ])('%s', (_behaviour, text, sources, expected) => {
    expect(substituted(text, sources)).toBe(expected);
  });
});

describe('substituteVariables ends the job with 245 for control characters (R-EXIT-2)', () => {
  it('names the credential key that brought the character in, never its value', () => {
    const result = substituteVariables(
      'Bearer @TOKEN@',
      { credentialKeys: { TOKEN: 's3cr3t\u0007value' } },
      {
        field: 'request.header.Authorization',
      },
    );
    expect(result).toMatchObject({ ok: false, exitCode: 245 });
    const message = result.ok ? '' : result.message;
    expect(message).toContain('request.header.Authorization');
    expect(message).toContain('@TOKEN@ (credential key)');
    expect(message).not.toContain('s3cr3t');
  });

  it('names the job-definition variable whose value sits inside a credential key value', () => {
    const result = substituteVariables(
      '@K@',
      { credentialKeys: { K: '@V@' }, definitionVariables: { V: 'a\u0000b' } },
      {
        field: 'request.query.q',
      },
    );
    expect(result.ok ? '' : result.message).toContain('it comes from the value of @V@');
  });

  it('blames the field text when no inserted value has the character', () => {
    const result = substituteVariables('a\u001bb', {}, { field: 'request.url' });
    expect(result).toMatchObject({ ok: false, exitCode: 245 });
    expect(result.ok ? '' : result.message).toContain('the field text itself');
  });

  it.each<[string, string, boolean, boolean]>([
    ['LF in a body', 'line1\nline2', true, true],
    ['CR LF and tab in a body', 'a\r\n\tb', true, true],
    ['LF in a URL', 'line1\nline2', false, false],
    ['tab in a header', 'a\tb', false, false],
    ['NUL in a body', 'a\u0000b', true, false],
    ['DEL in a body', 'a\u007fb', true, false],
    ['C1 control (NEL) in a body', 'a\u0085b', true, false],
    ['ordinary Japanese text', '日次締め', false, true],
  ])('%s', (_case, value, allowNewlines, ok) => {
    const result = substituteVariables('@V@', { definitionVariables: { V: value } }, { field: 'f', allowNewlines });
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.exitCode).toBe(245);
  });
});

describe('substituteVariables ends the job with 246 over the field limit (R-EXIT-2)', () => {
  it('counts UTF-8 bytes and reports the count, not the value', () => {
    // "あ" is 3 bytes: 4 of them take 12 bytes.
    const result = substituteVariables(
      '@V@',
      { definitionVariables: { V: 'ああああ' } },
      { field: 'request.url', maxBytes: 11 },
    );
    expect(result).toMatchObject({ ok: false, exitCode: 246 });
    const message = result.ok ? '' : result.message;
    expect(message).toContain('request.url');
    expect(message).toContain('12 bytes');
    expect(message).toContain('11 bytes');
    expect(message).not.toContain('あ');
  });

  it('accepts a result of exactly the limit', () => {
    expect(
      substituteVariables('@V@', { definitionVariables: { V: 'ああああ' } }, { field: 'f', maxBytes: 12 }),
    ).toEqual({
      ok: true,
      text: 'ああああ',
    });
  });

  it('applies the limit to the result, not to the text as written', () => {
    expect(
      substituteVariables(
        '@LONG_NAME_OF_VARIABLE@',
        { definitionVariables: { LONG_NAME_OF_VARIABLE: 'x' } },
        {
          field: 'f',
          maxBytes: 1,
        },
      ),
    ).toEqual({ ok: true, text: 'x' });
  });

  it('reports control characters before length when both apply', () => {
    const result = substituteVariables(
      '@V@',
      { definitionVariables: { V: 'a\u0001bcdef' } },
      { field: 'f', maxBytes: 2 },
    );
    expect(result).toMatchObject({ ok: false, exitCode: 245 });
  });
});

describe('substituteInValue substitutes every string of a body, query or header', () => {
  const sources: VariableSources = {
    credentialKeys: { KEY: 'k-1' },
    definitionVariables: { ENV: 'prod' },
    takeoverValues: { JOBID: 'j-9' },
  };

  it('replaces strings at any depth and leaves keys, numbers, booleans and null alone', () => {
    const body = {
      '@ENV@': '@ENV@',
      jobs: ['<JOBID>', 3, true, null],
      nested: { key: '@KEY@', deep: [{ env: 'env=@ENV@' }] },
    };
    expect(substituteInValue(body, sources, { field: 'monitoring.body' })).toEqual({
      ok: true,
      value: {
        '@ENV@': 'prod',
        jobs: ['j-9', 3, true, null],
        nested: { key: 'k-1', deep: [{ env: 'env=prod' }] },
      },
    });
  });

  it('does not modify its input', () => {
    const body = { a: ['@ENV@'] };
    substituteInValue(body, sources, { field: 'request.body' });
    expect(body).toEqual({ a: ['@ENV@'] });
  });

  it('substitutes a string body as a whole', () => {
    expect(substituteInValue('{"jobId": "<JOBID>"}', sources, { field: 'termination.body' })).toEqual({
      ok: true,
      value: '{"jobId": "j-9"}',
    });
  });

  it('keeps a "__proto__" key as an ordinary property', () => {
    const body: unknown = JSON.parse('{"__proto__": "@ENV@"}');
    const result = substituteInValue(body, sources, { field: 'request.body' });
    expect(result.ok).toBe(true);
    const value = result.ok ? (result.value as Record<string, unknown>) : {};
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toBe('prod');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('names the path of the failing string, applying limits per string', () => {
    const header = { 'X-Ok': '@ENV@', 'X-Token': '@KEY@', 'Content Type': 'x' };
    const result = substituteInValue(header, { credentialKeys: { KEY: 'secret\u0007' } }, { field: 'request.header' });
    expect(result).toMatchObject({ ok: false, exitCode: 245 });
    expect(result.ok ? '' : result.message).toContain('request.header.X-Token:');
    expect(result.ok ? '' : result.message).not.toContain('secret');

    const query = { q: ['short', '@ENV@@ENV@'] };
    const tooLong = substituteInValue(query, sources, { field: 'request.query', maxBytes: 5 });
    expect(tooLong).toMatchObject({ ok: false, exitCode: 246 });
    expect(tooLong.ok ? '' : tooLong.message).toContain('request.query.q[1]:');

    const quoted = substituteInValue({ 'Content Type': 'toolong' }, sources, { field: 'h', maxBytes: 3 });
    expect(quoted.ok ? '' : quoted.message).toContain('h["Content Type"]:');
  });
});
