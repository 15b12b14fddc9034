/**
 * The `rest` job on the real dev server against a real HTTP target on loopback (R-REST, R-EXIT-3):
 * request, takeover values, polling, the output of R-REST-6, every failure code, forced
 * termination with its termination request, credentials from the worker's environment, and the
 * output cap. The worker runs in this process, so `process.env` is the worker's environment.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledJobFields, CompiledJobSettings } from '../../workflows/lib/compiled-jobnet.js';
import type { RestCallSpec, RestCredential, RestMonitoringSpec, RestSpec } from '../../workflows/lib/job-specs.js';
import { jobnetOf, startRunHarness, summary, type RunHarness } from './run-harness.js';
import { startRestTarget, type RestTarget } from './rest-target.js';

let harness: RunHarness;
let target: RestTarget;
const secretDirectory = mkdtempSync(path.join(tmpdir(), 'rest-job-secrets-'));

beforeAll(async () => {
  harness = await startRunHarness();
  target = await startRestTarget();
});

afterAll(async () => {
  await harness?.stop();
  await target?.stop();
  rmSync(secretDirectory, { recursive: true, force: true });
});

let sequence = 0;

/** A unique path prefix per test, so routes and request counts do not mix. */
function paths(): { base: string; submit: string; status: string; cancel: string } {
  sequence += 1;
  const base = `/t${sequence}`;
  return { base, submit: `${base}/submit`, status: `${base}/status`, cancel: `${base}/cancel` };
}

function monitoringOf(url: string, extra: Partial<RestMonitoringSpec> = {}): RestMonitoringSpec {
  return {
    url,
    method: 'GET',
    pollingInterval: 1,
    pollingCount: 0,
    firstMonitorInterval: 1,
    pollingEndKey: 'state',
    pollingEndVal: ['DONE', 'FAILED'],
    checkResultKey: 'state',
    checkResultVal: ['DONE'],
    ...extra,
  };
}

function restJob(
  name: string,
  spec: Partial<RestSpec> & { request: RestSpec['request'] },
  extra: Partial<CompiledJobSettings> = {},
): CompiledJobFields {
  return { name, type: 'rest', spec: { outputLimitBytes: 1024 * 1024, ...spec }, ...extra };
}

function requestOf(url: string, extra: Partial<RestSpec['request']> = {}): RestSpec['request'] {
  return { url, method: 'POST', timeout: 5, ...extra };
}

async function runOne(job: CompiledJobFields, variables: Record<string, string> = {}) {
  const id = await harness.start(jobnetOf(`rest-${sequence}`, [job], { variables }));
  const view = await harness.waitForEnd(id, 60_000);
  const record = view.state.jobs[job.name];
  if (record === undefined) throw new Error(`no record of ${job.name}: ${JSON.stringify(summary(view))}`);
  return { id, view, record, output: record.output ?? '' };
}

describe('the rest job', () => {
  it('takes over a value, polls until the end value, and prints the output of R-REST-6', async () => {
    const p = paths();
    target.route('POST', p.submit, { body: { jobId: 'job-42', queue: 'nightly' }, headers: { 'x-request-id': 'r1' } });
    target.route('GET', `${p.status}/job-42`, (_request, count) => ({
      body: {
        state: count < 3 ? 'RUNNING' : 'DONE',
        rc: 0,
        items: [
          { name: 'a', rc: 2 },
          { name: 'b', rc: 0 },
        ],
      },
    }));
    const { record, output, view } = await runOne(
      restJob(
        'submit',
        {
          request: requestOf(`${target.url}${p.submit}`, {
            body: { queue: '@QUEUE@', param: '@.VPARAM@' },
            takeoverKeys: { JOB: 'jobId' },
            jobnetValKeys: { QUEUE_NAME: 'queue' },
          }),
          monitoring: monitoringOf(`${target.url}${p.status}/<JOB>`, {
            jobnetValKeys: { B_RC: 'items.[?"name"=="b"].rc' },
          }),
        },
        { capturePrefix: 'R' },
      ),
      { QUEUE: 'nightly' },
    );
    expect(summary(view)).toEqual({ '': 'normal', submit: 'normal 0' });
    expect(target.requests(p.submit)).toHaveLength(1);
    expect(JSON.parse(target.requests(p.submit)[0]?.body ?? '')).toEqual({ queue: 'nightly', param: '' });
    expect(target.requests(p.submit)[0]?.headers['content-type']).toBe('application/json');
    expect(target.requests(`${p.status}/job-42`)).toHaveLength(3);
    expect(output).toMatch(/^HttpStatusCode=200\nHttpResHeader=\{\n {2}"connection": "keep-alive",/);
    expect(output).toContain(
      '  "x-request-id": "r1"\n}\nHttpResBody={\n  "jobId": "job-42",\n  "queue": "nightly"\n}\nChkResultHttpStatusCode=200\n',
    );
    expect(output).toContain('ChkResultHttpResBody={\n  "state": "DONE",');
    expect(output.endsWith('QUEUE_NAME=nightly\nB_RC=0')).toBe(true);
    expect(record.variables).toEqual({ 'R.QUEUE_NAME': 'nightly', 'R.B_RC': '0' });
  });

  it('reads XML responses from their root element, with list filters', async () => {
    const p = paths();
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><set><item><id>i-1</id><state><name>stopped</name></state></item><item><id>i-2</id><state><name>running</name></state></item></set></DescribeResponse>`;
    target.route('GET', p.status, { contentType: 'text/xml;charset=UTF-8', body: xml });
    const { view, output, record } = await runOne(
      restJob(
        'describe',
        {
          request: requestOf(`${target.url}${p.status}`, {
            method: 'GET',
            jobnetValKeys: { STATE: 'DescribeResponse.set.item.[?"id"=="i-2"].state.name' },
          }),
        },
        { capturePrefix: 'X' },
      ),
    );
    expect(summary(view)).toEqual({ '': 'normal', describe: 'normal 0' });
    expect(output).toContain(`HttpResBody=${xml}`);
    expect(record.variables).toEqual({ 'X.STATE': 'running' });
  });

  it('ends 4 on a non-2xx answer and keeps the response in the output', async () => {
    const p = paths();
    target.route('POST', p.submit, { status: 503, body: { error: 'maintenance' } });
    const { view, output } = await runOne(restJob('submit', { request: requestOf(`${target.url}${p.submit}`) }));
    expect(summary(view)).toEqual({ '': 'abended', submit: 'abended 4' });
    expect(output).toContain('HttpStatusCode=503');
    expect(output).toContain('"error": "maintenance"');
    expect(output).toContain('0609: HTTP request failed. RequestType=request StatusCode=503');
  });

  it('ends 4 when nothing listens, and 5 when the answer takes longer than the timeout', async () => {
    const closed = await startRestTarget();
    const closedUrl = closed.url;
    await closed.stop();
    const refused = await runOne(restJob('submit', { request: requestOf(`${closedUrl}/x`) }));
    expect(summary(refused.view)).toEqual({ '': 'abended', submit: 'abended 4' });
    expect(refused.output).toContain('0610: A network issue occurred. RequestType=request (ECONNREFUSED)');

    const p = paths();
    target.route('POST', p.submit, { delayMs: 3_000, body: { late: true } });
    const slow = await runOne(restJob('submit', { request: requestOf(`${target.url}${p.submit}`, { timeout: 1 }) }));
    expect(summary(slow.view)).toEqual({ '': 'abended', submit: 'abended 5' });
    expect(slow.output).toBe('0611: HTTP request timed out. RequestType=request (after 1 s)');
  });

  it('ends 8 with the placeholder line for an invalid JSON or XML body when a key is needed', async () => {
    const p = paths();
    target.route('POST', p.submit, { contentType: 'application/json', body: '{"jobId": ' });
    const json = await runOne(
      restJob('submit', { request: requestOf(`${target.url}${p.submit}`, { takeoverKeys: { JOB: 'jobId' } }) }),
    );
    expect(summary(json.view)).toEqual({ '': 'abended', submit: 'abended 8' });
    expect(json.output).toContain('HttpResBody="The response is not a valid JSON response"');
    expect(json.output).toContain('0615: The specified key is not found in the response result. ParamName=JOB');

    const q = paths();
    target.route('POST', q.submit, { contentType: 'application/xml', body: '<a><b></a>' });
    const xml = await runOne(
      restJob('submit', { request: requestOf(`${target.url}${q.submit}`, { takeoverKeys: { JOB: 'a.b' } }) }),
    );
    expect(summary(xml.view)).toEqual({ '': 'abended', submit: 'abended 8' });
    expect(xml.output).toContain('HttpResBody="The response is not a valid XML response"');
  });

  it('ends 8 when a key is not in the response, naming the key', async () => {
    const p = paths();
    target.route('POST', p.submit, { body: { jobId: 'j' } });
    const { view, output } = await runOne(
      restJob('submit', { request: requestOf(`${target.url}${p.submit}`, { jobnetValKeys: { OWNER: 'owner.name' } }) }),
    );
    expect(summary(view)).toEqual({ '': 'abended', submit: 'abended 8' });
    expect(output).toContain(
      '0615: The specified key is not found in the response result. ParamName=OWNER (nothing at owner)',
    );
  });

  it('accepts other content types when no key is extracted, and omits their body line', async () => {
    const p = paths();
    target.route('POST', p.submit, { contentType: 'text/plain', body: 'accepted' });
    const { view, output } = await runOne(restJob('submit', { request: requestOf(`${target.url}${p.submit}`) }));
    expect(summary(view)).toEqual({ '': 'normal', submit: 'normal 0' });
    expect(output).toContain('HttpStatusCode=200');
    expect(output).not.toContain('HttpResBody');

    const q = paths();
    target.route('POST', q.submit, { contentType: 'text/html', body: '<html></html>' });
    const keyed = await runOne(
      restJob('submit', { request: requestOf(`${target.url}${q.submit}`, { takeoverKeys: { ID: 'id' } }) }),
    );
    expect(summary(keyed.view)).toEqual({ '': 'abended', submit: 'abended 8' });
    expect(keyed.output).toContain('a text/html response cannot be searched for keys');
  });

  it('ends 6 after pollingCount polls, with the last poll in the output', async () => {
    const p = paths();
    target.route('POST', p.submit, { body: { id: 'x' } });
    target.route('GET', p.status, (_request, count) => ({ body: { state: 'RUNNING', poll: count } }));
    const { view, output } = await runOne(
      restJob('submit', {
        request: requestOf(`${target.url}${p.submit}`),
        monitoring: monitoringOf(`${target.url}${p.status}`, { pollingCount: 3 }),
      }),
    );
    expect(summary(view)).toEqual({ '': 'abended', submit: 'abended 6' });
    expect(target.requests(p.status)).toHaveLength(3);
    expect(output).toContain('"poll": 3');
    expect(output).not.toContain('"poll": 2');
    expect(output).toContain(
      '0613: The wait time for completion of the job on the cloud service has elapsed. (3 polls sent, pollingCount reached)',
    );
    const gaps = target
      .requests(p.status)
      .map((request, index, all) => (index === 0 ? 0 : request.at - (all[index - 1]?.at ?? 0)));
    expect(gaps.slice(1).every((gap) => gap >= 900)).toBe(true);
  });

  it('ends 7 when the work finished with a result not in checkResultVal', async () => {
    const p = paths();
    target.route('POST', p.submit, { body: { id: 'x' } });
    target.route('GET', p.status, { body: { state: 'FAILED' } });
    const { view, output } = await runOne(
      restJob('submit', {
        request: requestOf(`${target.url}${p.submit}`),
        monitoring: monitoringOf(`${target.url}${p.status}`),
      }),
    );
    expect(summary(view), output).toEqual({ '': 'abended', submit: 'abended 7' });
    expect(output).toContain(
      '0614: The execution result of the job on the cloud service is not the specified normal exit value. ResultValue=FAILED',
    );
  });

  it.each([
    ['an operator', 'operator'],
    ['its time limit', 'timeLimit'],
  ] as const)(
    'sends the termination request exactly once when %s force-terminates it while polling',
    async (_who, reason) => {
      const p = paths();
      target.route('POST', p.submit, { body: { executionArn: 'arn:exec:1' } });
      target.route('GET', p.status, { body: { state: 'RUNNING' } });
      target.route('POST', p.cancel, { status: 200, body: { stopped: true } });
      const termination: RestCallSpec = {
        url: `${target.url}${p.cancel}`,
        method: 'POST',
        body: { executionArn: '<ARN>', cause: 'force-terminated' },
      };
      const job = restJob(
        'submit',
        {
          request: requestOf(`${target.url}${p.submit}`, { takeoverKeys: { ARN: 'executionArn' } }),
          monitoring: monitoringOf(`${target.url}${p.status}`),
          termination,
        },
        reason === 'timeLimit' ? { timeLimitSeconds: 4 } : {},
      );
      const id = await harness.start(jobnetOf(`rest-kill-${reason}`, [job]));
      await harness.waitFor(id, () => target.requests(p.status).length >= 1, 30_000);
      if (reason === 'operator')
        expect(await harness.operate(id, { operation: 'forceTerminateJob', job: 'submit', by: 'alice' })).toMatchObject(
          { ok: true },
        );
      const view = await harness.waitForEnd(id, 60_000);
      expect(summary(view)).toEqual({ '': 'abended', submit: `forced 256 ${reason}` });
      expect(target.requests(p.cancel)).toHaveLength(1);
      expect(JSON.parse(target.requests(p.cancel)[0]?.body ?? '')).toEqual({
        executionArn: 'arn:exec:1',
        cause: 'force-terminated',
      });
      expect(view.state.jobs.submit?.output).toContain('termination request sent: HTTP 200');
      const polls = target.requests(p.status).length;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(target.requests(p.status)).toHaveLength(polls);
    },
  );

  it('reports a failed termination request (0635) and still ends forced', async () => {
    const p = paths();
    target.route('POST', p.submit, { body: { id: 'x' } });
    target.route('GET', p.status, { body: { state: 'RUNNING' } });
    target.route('DELETE', p.cancel, { status: 500, body: { error: 'cannot stop' } });
    const id = await harness.start(
      jobnetOf('rest-term-fail', [
        restJob('submit', {
          request: requestOf(`${target.url}${p.submit}`),
          monitoring: monitoringOf(`${target.url}${p.status}`),
          termination: { url: `${target.url}${p.cancel}`, method: 'DELETE' },
        }),
      ]),
    );
    await harness.waitFor(id, () => target.requests(p.status).length >= 1, 30_000);
    await harness.operate(id, { operation: 'forceTerminateJob', job: 'submit', by: 'bob' });
    const view = await harness.waitForEnd(id, 60_000);
    expect(summary(view)).toEqual({ '': 'abended', submit: 'forced 256 operator' });
    expect(view.state.jobs.submit?.output).toContain(
      '0635: HTTP request failed. RequestType=termination StatusCode=500 ProjectName=test JobNetName=rest-term-fail',
    );
    expect(target.requests(p.cancel, 'DELETE')).toHaveLength(1);
  });

  it('authenticates with basic and bearer credentials read from the worker environment and files, and fills @key@ values', async () => {
    process.env.REST_TEST_PASSWORD = 'pa55-word-basic';
    const tokenFile = path.join(secretDirectory, 'token');
    writeFileSync(tokenFile, 'bearer-token-from-file\n');
    process.env.REST_TEST_API_KEY = 'api-key-secret-value';
    const p = paths();
    target.route('POST', p.submit, { body: { ok: true } });
    const basic: RestCredential = {
      name: 'svc-basic',
      type: 'basic',
      user: 'svc',
      password: { secretRef: { env: 'REST_TEST_PASSWORD' } },
      keys: { TENANT: 'acme', REGION: 'key-wins' },
    };
    const bearer: RestCredential = {
      name: 'svc-bearer',
      type: 'bearer',
      token: { secretRef: { file: tokenFile } },
      keys: { API_KEY: { secretRef: { env: 'REST_TEST_API_KEY' }, secret: true } },
    };
    const basicRun = await runOne(
      restJob('submit', {
        credential: basic,
        request: requestOf(`${target.url}${p.submit}`, {
          query: { tenant: '@TENANT@', region: '@REGION@' },
          header: { 'X-Where': '@WHERE@' },
        }),
      }),
      { REGION: 'definition-loses', WHERE: 'tokyo' },
    );
    expect(summary(basicRun.view)).toEqual({ '': 'normal', submit: 'normal 0' });
    const sentBasic = target.requests(p.submit)[0];
    expect(sentBasic?.headers.authorization).toBe(`Basic ${Buffer.from('svc:pa55-word-basic').toString('base64')}`);
    expect(sentBasic?.query).toEqual({ tenant: 'acme', region: 'key-wins' });
    expect(sentBasic?.headers['x-where']).toBe('tokyo');

    const bearerRun = await runOne(
      restJob('submit', {
        credential: bearer,
        request: requestOf(`${target.url}${p.submit}`, { header: { 'X-Api-Key': '@API_KEY@' } }),
      }),
    );
    expect(summary(bearerRun.view)).toEqual({ '': 'normal', submit: 'normal 0' });
    const sentBearer = target.requests(p.submit)[1];
    expect(sentBearer?.headers.authorization).toBe('Bearer bearer-token-from-file');
    expect(sentBearer?.headers['x-api-key']).toBe('api-key-secret-value');
  });

  it('ends 10 when a secret reference cannot be resolved, naming the reference and sending nothing', async () => {
    delete process.env.REST_TEST_MISSING;
    const p = paths();
    target.route('POST', p.submit, { body: {} });
    const credential: RestCredential = {
      name: 'svc-missing',
      type: 'bearer',
      token: { secretRef: { env: 'REST_TEST_MISSING' } },
    };
    const { view, output } = await runOne(
      restJob('submit', { credential, request: requestOf(`${target.url}${p.submit}`) }),
    );
    expect(summary(view)).toEqual({ '': 'abended', submit: 'abended 10' });
    expect(output).toBe(
      "0616: Failed to obtain the authentication information. AuthName=svc-missing (credential svc-missing: token: the worker's environment variable REST_TEST_MISSING is not set)",
    );
    expect(target.requests(p.submit)).toHaveLength(0);
  });

  it('never puts a secret into the output, even when the service echoes it', async () => {
    process.env.REST_TEST_ECHO_TOKEN = 'echoed-secret-token-123';
    const p = paths();
    target.route('POST', p.submit, (request) => ({ body: { youSent: request.headers.authorization, id: 'z' } }));
    const credential: RestCredential = {
      name: 'svc-echo',
      type: 'bearer',
      token: { secretRef: { env: 'REST_TEST_ECHO_TOKEN' } },
    };
    const { output } = await runOne(
      restJob('submit', {
        credential,
        request: requestOf(`${target.url}${p.submit}`, { jobnetValKeys: { SENT: 'youSent' } }),
      }),
    );
    expect(output).toContain('"youSent": "Bearer ***"');
    expect(output).toContain('SENT=Bearer ***');
    expect(output).not.toContain('echoed-secret-token-123');
  });

  it('caps the output at outputLimitBytes with a marker', async () => {
    const p = paths();
    target.route('POST', p.submit, { body: { text: 'あ'.repeat(3000) } });
    const { view, output } = await runOne(
      restJob('submit', { request: requestOf(`${target.url}${p.submit}`), outputLimitBytes: 2048 }),
    );
    expect(summary(view)).toEqual({ '': 'normal', submit: 'normal 0' });
    expect(Buffer.byteLength(output)).toBeLessThanOrEqual(2048);
    expect(output.endsWith('[output truncated: it exceeded 2048 bytes]')).toBe(true);
  });

  it('ends 245 when a substituted value brings a control character, without sending', async () => {
    const p = paths();
    target.route('POST', p.submit, { body: {} });
    const { view, output } = await runOne(
      restJob('submit', { request: requestOf(`${target.url}${p.submit}`, { header: { 'X-Id': '@BAD@' } }) }),
      { BAD: 'a\nb' },
    );
    expect(summary(view)).toEqual({ '': 'abended', submit: 'abended 245' });
    expect(output).toContain('request.header.X-Id: a control character is not allowed after variable substitution');
    expect(target.requests(p.submit)).toHaveLength(0);
  });
});
