/**
 * Secrets stay out of everything a REST job leaves behind (R-SEC-1, R-CRED-4), even when the
 * service echoes them back encoded: a real `jobnet worker` process (its log captured) runs REST
 * jobs with bearer and basic credentials against a real HTTP target on loopback that answers with
 * the secrets it received in every encoding a response can carry — in a JSON body, in an XML
 * body, in headers, in values extracted by `jobnetValKeys` and `takeoverKeys`, and in the values
 * that end up in messages (a poll's end value, a check result). Then the whole Temporal history,
 * the run view as `jobnet get run --json` and `--output` print it, and the worker's log are
 * searched for every encoding of every secret.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { ChildProcess } from 'node:child_process';
import type { CompiledJobFields } from '../../workflows/lib/compiled-jobnet.js';
import type { RestCredential, RestSpec } from '../../workflows/lib/job-specs.js';
import type { RunInput } from '../../workflows/run-contract.js';
import { runJobnet } from '../cli/cli-process.js';
import { jobnetOf, summary } from './run-fixtures.js';
import { startRestTarget, type ReceivedRequest, type RestTarget } from './rest-target.js';
import { startWorkerProcess, stopWorkerProcesses, waitForView, workerOutput } from './worker-process.js';

// Quotes, backslash, slash, `<&>`, a space and a `+` (form encoding), and non-ASCII characters,
// so that every encoding differs from the raw value. A bearer token travels in a header, where
// only Latin-1 fits; the Basic password and the credential key are UTF-8, with astral characters.
const bearerToken = `Qu"ote\\Sec/ret <&> 'tökén'+42`;
const basicUser = 'svc-redaction';
const basicPassword = `Pa"ss\\wo/rd <&> 漢字-😀-é+1`;
const credentialKey = `Ke"y\\Va/lue <&> 日本-🎌-ü`;

const secretsEnv = {
  REDACTION_TEST_TOKEN: bearerToken,
  REDACTION_TEST_PASSWORD: basicPassword,
  REDACTION_TEST_KEY: credentialKey,
};

// -----------------------------------------------------------------------------------------------
// Encodings, written independently of the product's redaction.

const latin1Names: Record<string, string> = { é: 'eacute', ö: 'ouml', ü: 'uuml' };

function hex4(unit: number, upper: boolean): string {
  const text = unit.toString(16).padStart(4, '0');
  return upper ? text.toUpperCase() : text;
}

/** Every UTF-16 unit matching `which` as `\uXXXX`. */
function jsonUnicode(text: string, which: (unit: number) => boolean, upper: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out += which(unit) ? `\\u${hex4(unit, upper)}` : (text[i] as string);
  }
  return out;
}

function xmlNamed(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The encodings a service may echo a value in, by name. */
function encodingsOf(value: string): Record<string, string> {
  const json = JSON.stringify(value).slice(1, -1);
  return {
    raw: value,
    json,
    jsonSlash: json.replace(/\//g, '\\/'),
    // PHP's json_encode: slashes and every non-ASCII unit escaped.
    jsonAscii: jsonUnicode(json.replace(/\//g, '\\/'), (unit) => unit > 0x7e, false),
    // Go's encoding/json: <, > and & as \u003c…
    jsonHtmlSafe: jsonUnicode(json, (unit) => unit === 0x3c || unit === 0x3e || unit === 0x26, false),
    // Everything but letters and digits as \uXXXX, upper-case hex.
    jsonAll: jsonUnicode(value, (unit) => !/[A-Za-z0-9]/.test(String.fromCharCode(unit)), true),
    xmlNamed: xmlNamed(value),
    htmlNamed: [...xmlNamed(value).replace(/&apos;/g, '&#39;')]
      .map((c) => (latin1Names[c] !== undefined ? `&${latin1Names[c]};` : c))
      .join(''),
    xmlDecimal: [...value].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `&#${c.codePointAt(0)};`)).join(''),
    xmlHex: [...value]
      .map((c) => (/[A-Za-z0-9 ]/.test(c) ? c : `&#x${(c.codePointAt(0) as number).toString(16).toUpperCase()};`))
      .join(''),
    uri: encodeURIComponent(value),
    uriLower: encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    form: new URLSearchParams({ v: value }).toString().slice(2),
    base64: Buffer.from(value, 'utf8').toString('base64'),
    base64Url: Buffer.from(value, 'utf8').toString('base64url'),
  };
}

/** Every form to search for: each encoding, and each as it reads once more JSON-escaped (a value inside a JSON string). */
function searchForms(secrets: readonly string[]): Map<string, string> {
  const forms = new Map<string, string>();
  for (const [index, secret] of secrets.entries()) {
    for (const [name, form] of Object.entries(encodingsOf(secret))) {
      forms.set(form, `secret ${index} ${name}`);
      const escaped = JSON.stringify(form).slice(1, -1);
      if (!forms.has(escaped)) forms.set(escaped, `secret ${index} ${name}, JSON-escaped`);
    }
  }
  return forms;
}

const allSecrets = [bearerToken, basicPassword, credentialKey, `${basicUser}:${basicPassword}`];
const forms = searchForms(allSecrets);

/** Every string in `value`: payload bytes decoded as UTF-8, and JSON payloads parsed, recursively. */
function stringsOf(value: unknown, into: string[] = [], seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') {
    into.push(value);
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === 'object' && parsed !== null) stringsOf(parsed, into, seen);
      else if (typeof parsed === 'string') into.push(parsed);
    } catch {
      // Not JSON text.
    }
    return into;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return into;
  seen.add(value);
  if (value instanceof Uint8Array) return stringsOf(Buffer.from(value).toString('utf8'), into, seen);
  for (const entry of Object.values(value)) stringsOf(entry, into, seen);
  return into;
}

/** The forms found in `texts`, as `where: which form`. */
function leaks(where: string, texts: readonly string[]): string[] {
  const found = new Set<string>();
  for (const text of texts) for (const [form, name] of forms) if (text.includes(form)) found.add(`${where}: ${name}`);
  return [...found];
}

// -----------------------------------------------------------------------------------------------
// The echoing target.

/** What a request carried: the bearer token or the Basic credentials, and the credential key (in the body or the query). */
function sentSecrets(request: ReceivedRequest): string[] {
  const authorization = request.headers.authorization ?? '';
  const values: string[] = [];
  if (authorization.startsWith('Bearer ')) values.push(authorization.slice('Bearer '.length));
  if (authorization.startsWith('Basic ')) {
    const pair = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8');
    values.push(pair.slice(pair.indexOf(':') + 1), pair);
  }
  const key = request.body !== '' ? (JSON.parse(request.body) as { key?: string }).key : request.query.key;
  if (key !== undefined) values.push(key);
  return values;
}

/** The echo of `values`: `{ s0: { raw, json, … }, s1: … }`. */
function echoObject(values: readonly string[]): Record<string, Record<string, string>> {
  return Object.fromEntries(values.map((value, index) => [`s${index}`, encodingsOf(value)]));
}

/** Headers a service could send: the encodings that are valid header values (Latin-1, no edge spaces). */
function echoHeaders(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  values.forEach((value, index) => {
    for (const [name, form] of Object.entries(encodingsOf(value))) {
      if (/^[\x21-\x7e\x80-\xff]([\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?$/.test(form))
        headers[`x-echo-s${index}-${name.toLowerCase()}`] = form;
    }
  });
  return headers;
}

/** An XML document with the encodings that are XML text as they are, plus CDATA. */
function echoXml(state: string, result: string, values: readonly string[]): string {
  const elements = values.map((value, index) => {
    const encodings = encodingsOf(value);
    const text = Object.entries(encodings)
      .filter(
        ([name, form]) =>
          name !== 'htmlNamed' && !/[<&]/.test(form.replace(/&(amp|lt|gt|quot|apos|#x?[0-9A-Fa-f]+);/g, '')),
      )
      .map(([name, form]) => `<${name}>${form}</${name}>`)
      .join('');
    return `<s${index}>${text}<cdata><![CDATA[${value}]]></cdata></s${index}>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?><status><state>${xmlNamed(state)}</state><result>${xmlNamed(result)}</result><echo>${elements.join('')}</echo></status>`;
}

let target: RestTarget;
let connection: Connection;
let client: Client;
let worker: ChildProcess;
const address = (): string => inject('temporalAddress');
const namespace = (): string => inject('temporalNamespace');
const taskQueue = `rest-redaction-${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  target = await startRestTarget();
  connection = await Connection.connect({ address: address() });
  client = new Client({ connection, namespace: namespace() });
  worker = await startWorkerProcess(address(), namespace(), taskQueue, { ...process.env, ...secretsEnv });
});

afterAll(async () => {
  await stopWorkerProcesses();
  await connection?.close();
  await target?.stop();
});

function echoJob(name: string, credential: RestCredential): CompiledJobFields {
  const base = `/${name}`;
  // The request: a JSON body with every encoding, the same in headers; values taken from both.
  target.route('POST', `${base}/submit`, (request) => {
    const values = sentSecrets(request);
    return { body: { id: 'job-1', echo: echoObject(values) }, headers: echoHeaders(values) };
  });
  // The first poll's end value is the secret (not finished yet: a retried poll, whose failure
  // message is in history); the second ends with the secret as the check result (exit 7).
  target.route('GET', `${base}/status/job-1`, (request, count) => {
    const values = sentSecrets(request);
    const secret = values[0] ?? '';
    return {
      contentType: 'application/xml',
      body: echoXml(count === 1 ? secret : 'DONE', secret, values),
      headers: echoHeaders(values),
    };
  });
  const spec: RestSpec = {
    outputLimitBytes: 1024 * 1024,
    credential,
    request: {
      url: `${target.url}${base}/submit`,
      method: 'POST',
      timeout: 5,
      body: { key: '@API_KEY@' },
      takeoverKeys: { ID: 'id', SECRET_BACK: 'echo.s0.raw', KEY_BACK: 'echo.s1.json' },
      jobnetValKeys: Object.fromEntries(
        ['raw', 'json', 'jsonAscii', 'jsonAll', 'xmlNamed', 'xmlDecimal', 'uri', 'form', 'base64'].flatMap((form) => [
          [`S0_${form.toUpperCase()}`, `echo.s0.${form}`],
          [`S1_${form.toUpperCase()}`, `echo.s1.${form}`],
        ]),
      ),
    },
    monitoring: {
      url: `${target.url}${base}/status/<ID>`,
      method: 'GET',
      query: { key: '@API_KEY@' },
      firstMonitorInterval: 1,
      pollingInterval: 1,
      pollingCount: 5,
      pollingEndKey: 'status.state',
      pollingEndVal: ['DONE'],
      checkResultKey: 'status.result',
      checkResultVal: ['OK'],
      jobnetValKeys: {
        XML_RAW: 'status.echo.s0.xmlNamed',
        XML_DECIMAL: 'status.echo.s0.xmlDecimal',
        XML_CDATA: 'status.echo.s0.cdata',
        XML_KEY: 'status.echo.s1.xmlHex',
      },
    },
  };
  return { name, type: 'rest', spec };
}

describe('secret redaction of REST jobs', () => {
  it('keeps every encoding of bearer and basic secrets echoed by the service out of history, the run view and the worker log', async () => {
    const key = { API_KEY: { secretRef: { env: 'REDACTION_TEST_KEY' }, secret: true as const } };
    const bearer: RestCredential = {
      name: 'echo-bearer',
      type: 'bearer',
      token: { secretRef: { env: 'REDACTION_TEST_TOKEN' } },
      keys: key,
    };
    const basic: RestCredential = {
      name: 'echo-basic',
      type: 'basic',
      user: basicUser,
      password: { secretRef: { env: 'REDACTION_TEST_PASSWORD' } },
      keys: key,
    };
    const jobnet = jobnetOf('rest-redaction', [echoJob('bearer', bearer), echoJob('basic', basic)]);
    const input: RunInput = {
      jobnet,
      children: {},
      businessDate: '2026-11-23',
      trigger: 'manual',
      requestedBy: 'test',
      level: 1,
    };
    const id = `run/test/rest-redaction/${taskQueue}`;
    await client.workflow.start('runWorkflow', { workflowId: id, taskQueue, args: [input] });
    const view = await waitForView(client, id, (v) => v.state.result !== undefined, 90_000);

    // The secrets went out and came back, in every encoding, so there was something to redact.
    expect(target.requests('/bearer/submit')[0]?.headers.authorization).toBe(`Bearer ${bearerToken}`);
    expect(target.requests('/basic/submit')[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${basicUser}:${basicPassword}`).toString('base64')}`,
    );
    expect(JSON.parse(target.requests('/bearer/submit')[0]?.body ?? '{}')).toEqual({ key: credentialKey });
    expect(target.requests('/bearer/status/job-1')).toHaveLength(2);
    expect(summary(view)).toEqual({ '': 'abended', bearer: 'abended 7', basic: 'abended 7' });
    const history = await client.workflow.getHandle(id).fetchHistory();
    const historyStrings = stringsOf(history);

    const cli = ['--address', address(), '--namespace', namespace(), '--task-queue', taskQueue];
    const json = await runJobnet(['get', 'run', id, '--json', ...cli]);
    expect(json.code, json.stderr).toBe(0);
    const text = await runJobnet(['get', 'run', id, '--output', ...cli]);
    expect(text.code, text.stderr).toBe(0);

    expect([
      ...leaks('history', [JSON.stringify(history), ...historyStrings]),
      ...leaks('get run --json', [json.stdout, ...stringsOf(json.stdout)]),
      ...leaks('get run --output', [text.stdout]),
      ...leaks('worker log', [workerOutput(worker)]),
    ]).toEqual([]);

    // Redacted where the values were, not dropped. The poll that saw the secret as its end value
    // failed (and was retried): that failure is in history.
    expect(historyStrings.some((text) => text.includes('pollingEndKey is "***"'))).toBe(true);
    for (const job of ['bearer', 'basic']) {
      const output = view.state.jobs[job]?.output ?? '';
      expect(output).toContain('"raw": "***"');
      expect(output).toContain('S0_RAW=***');
      expect(output).toContain('S1_BASE64=***');
      expect(output).toContain('XML_CDATA=***');
      expect(text.stdout).toContain('ResultValue=***');
      expect(output).toContain(
        '0614: The execution result of the job on the cloud service is not the specified normal exit value. ResultValue=***',
      );
    }
  }, 150_000);
});
