/**
 * The forms of a secret that REST activities redact (R-SEC-1), table by table: each encoding is
 * produced here by the standard library or by hand, independently of the redaction module, and
 * must come out as `***` whatever surrounds it; text without a secret comes out unchanged.
 */
import { describe, expect, it } from 'vitest';
import {
  createSecretRedactor,
  minimumSecretLength,
  redactSecrets,
  redactValues,
} from '../../workflows/lib/secret-redaction.js';

const secret = `Qu"ote\\Sec/ret <&> 'tökén'+漢😀`;

function hex(value: number, width: number, upper: boolean): string {
  const text = value.toString(16).padStart(width, '0');
  return upper ? text.toUpperCase() : text;
}

/** Every UTF-16 unit for which `which` holds as `\uXXXX`. */
function jsonUnicode(text: string, which: (unit: number) => boolean, upper = false): string {
  let out = '';
  for (let i = 0; i < text.length; i++)
    out += which(text.charCodeAt(i)) ? `\\u${hex(text.charCodeAt(i), 4, upper)}` : (text[i] as string);
  return out;
}

const json = JSON.stringify(secret).slice(1, -1);
const utf8 = Buffer.from(secret, 'utf8');

/** Bytes before and after a secret inside a longer base64 text. */
function embeddedBase64(before: string, after: string, url = false): string {
  return Buffer.concat([Buffer.from(before), utf8, Buffer.from(after)]).toString(url ? 'base64url' : 'base64');
}

const encodings: [string, string][] = [
  ['raw', secret],
  ['JSON', json],
  ['JSON with \\/', json.replace(/\//g, '\\/')],
  ['JSON, non-ASCII as \\uxxxx (surrogate pairs)', jsonUnicode(json, (unit) => unit > 0x7e)],
  ['JSON, non-ASCII as \\uXXXX, and \\/', jsonUnicode(json.replace(/\//g, '\\/'), (unit) => unit > 0x7e, true)],
  ['JSON, <>& as \\u003c (Go)', jsonUnicode(json, (unit) => unit === 0x3c || unit === 0x3e || unit === 0x26)],
  ['JSON, every character as \\uXXXX', jsonUnicode(secret, () => true, true)],
  ['JSON, mixed hex case in one escape', jsonUnicode(secret, (unit) => unit > 0x7e).replace('\\u00f6', '\\u00F6')],
  ['JSON text inside a JSON string', JSON.stringify(json).slice(1, -1)],
  [
    'JSON-escaped \\u forms inside a JSON string',
    JSON.stringify(jsonUnicode(json, (unit) => unit > 0x7e)).slice(1, -1),
  ],
  [
    'XML named entities',
    secret
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;'),
  ],
  [
    'HTML names (Latin-1, &#39;)',
    secret
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&QUOT;')
      .replace(/'/g, '&#39;')
      .replace('ö', '&ouml;')
      .replace('é', '&eacute;'),
  ],
  [
    'HTML 5 punctuation names',
    secret
      .replace(/\//g, '&sol;')
      .replace(/\\/g, '&bsol;')
      .replace(/\+/g, '&plus;')
      .replace(/&(?![a-z]+;)/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;'),
  ],
  ['decimal character references', [...secret].map((c) => `&#${c.codePointAt(0)};`).join('')],
  ['decimal with leading zeros', [...secret].map((c) => `&#000${c.codePointAt(0)};`).join('')],
  [
    'hex character references, upper case',
    [...secret].map((c) => `&#x${hex(c.codePointAt(0) as number, 1, true)};`).join(''),
  ],
  [
    'hex character references, &#X and lower case',
    [...secret].map((c) => `&#X00${hex(c.codePointAt(0) as number, 1, false)};`).join(''),
  ],
  ['encodeURIComponent', encodeURIComponent(secret)],
  [
    'encodeURIComponent, lower-case hex',
    encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
  ],
  ['form encoding (+ for space)', new URLSearchParams({ v: secret }).toString().slice(2)],
  ['every byte percent-encoded', [...utf8].map((byte) => `%${hex(byte, 2, true)}`).join('')],
  ['RFC 3986', encodeURIComponent(secret).replace(/[!'()*]/g, (c) => `%${hex(c.charCodeAt(0), 2, true)}`)],
  ['base64', utf8.toString('base64')],
  ['base64 without padding', utf8.toString('base64').replace(/=+$/, '')],
  ['base64url', utf8.toString('base64url')],
  ['base64 with \\/ in a JSON string', utf8.toString('base64').replace(/\//g, '\\/')],
  ['base64 percent-encoded', encodeURIComponent(utf8.toString('base64'))],
];

describe('createSecretRedactor', () => {
  it.each(encodings)('redacts the secret written as %s', (_name, encoded) => {
    expect(encoded === secret || !encoded.includes(secret)).toBe(true);
    const redact = createSecretRedactor([secret]);
    expect(redact(`before ${encoded} after`)).toBe('before *** after');
    expect(redact(`{"token":"${encoded}","n":1}`)).toBe('{"token":"***","n":1}');
  });

  it('redacts the base64 of a secret inside a longer base64 text at every byte alignment', () => {
    const redact = createSecretRedactor([secret]);
    for (const before of ['', 'a', 'ab', 'abc', '{"token":"']) {
      for (const url of [false, true]) {
        const text = embeddedBase64(before, '","more":"data"}', url);
        const redacted = redact(text);
        expect(redacted, `${before.length} bytes before`).toContain('***');
        // What is left are the few characters shared with the bytes around the secret.
        expect(redacted.length, text).toBeLessThan(text.length - 40);
      }
    }
  });

  it("redacts a Basic credential's user:password pair in base64, and the password inside it", () => {
    const password = `pä"ss\\/wörd`;
    const redact = createSecretRedactor([password, `svc:${password}`]);
    const header = `Basic ${Buffer.from(`svc:${password}`).toString('base64')}`;
    expect(redact(header)).toBe('Basic ***');
    expect(redact(`user svc:${password} and ${JSON.stringify(password)}`)).toBe('user *** and "***"');
  });

  it('removes the longest secret first, so a shorter one inside it leaves nothing behind', () => {
    const redact = createSecretRedactor(['abcd', 'xxabcdyy']);
    expect(redact('xxabcdyy abcd')).toBe('*** ***');
    expect(redact(encodeURIComponent('xx"abcd"yy'))).toBe(encodeURIComponent('xx"***"yy'));
    expect(createSecretRedactor(['xyab', 'abcdef'])('xyabcdef')).toBe('xy***');
  });

  it('treats the characters of a secret literally, not as a pattern', () => {
    const redact = createSecretRedactor(['a.b*c+(d)[e]{f}|g^$\\h']);
    expect(redact('a.b*c+(d)[e]{f}|g^$\\h')).toBe('***');
    expect(redact('aXbbbc+(d)[e]{f}|g^$\\h')).toBe('aXbbbc+(d)[e]{f}|g^$\\h');
  });

  it('leaves text without a secret as it is, and ignores values too short to search for', () => {
    const redact = createSecretRedactor([secret, 'abc', '']);
    const text = 'HttpStatusCode=200\nHttpResBody={ "a": "Qu\\"ote", "b": "%22", "c": "&lt;abc&gt;", "d": "YWJj" }';
    expect(redact(text)).toBe(text);
    expect(minimumSecretLength).toBe(4);
    expect(createSecretRedactor([])('abc')).toBe('abc');
  });

  it('redacts every value of a record, and one text at a time', () => {
    const redact = createSecretRedactor([secret]);
    expect(redactValues({ A: `x${json}y`, B: 'plain' }, redact)).toEqual({ A: 'x***y', B: 'plain' });
    expect(redactSecrets(`token=${encodeURIComponent(secret)}&n=1`, [secret])).toBe('token=***&n=1');
  });

  it('redacts a response of a mebibyte within two seconds', () => {
    const redact = createSecretRedactor([secret, `svc:${secret}`, 'another-secret-value']);
    const text = `{"a": "b\\"c", "d": 12345, "e": "<x>&amp;</x> %41%42 QWxhZGRpbjpvcGVu"} `.repeat(16_000) + json;
    const started = performance.now();
    expect(redact(text).endsWith('***')).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
