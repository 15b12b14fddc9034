/**
 * Checks the emulator helpers against the real emulators: moto enforces SigV4 after its bootstrap,
 * Azurite's container is private but listable with the SAS, and the OAuth server issues and
 * introspects client-credentials tokens. No mocks.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type AzuriteServer } from './azurite-server.js';
import { startMoto, type MotoServer } from './moto-server.js';
import { jobsRunScope, startOAuthServer, type OAuthServer } from './oauth-server.js';

describe('moto', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(async () => await moto?.stop());

  const describeInstances = () => `Action=DescribeInstances&Version=2016-11-15&InstanceId.1=${moto.instanceId}`;

  /** POSTs an EC2 Query API form body, signed with `secretAccessKey` unless it is undefined. */
  async function ec2(body: string, secretAccessKey: string | undefined): Promise<{ status: number; text: string }> {
    let headers: Record<string, string> = {
      host: moto.host,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    };
    if (secretAccessKey !== undefined) {
      const signer = new SignatureV4({
        service: 'ec2',
        region: moto.region,
        sha256: Sha256,
        credentials: { accessKeyId: moto.accessKeyId, secretAccessKey },
      });
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: Number(moto.host.split(':')[1]),
        path: '/',
        headers,
        body,
      });
      headers = signed.headers;
    }
    const { host: _host, ...sendable } = headers;
    const response = await fetch(`${moto.endpoint}/`, { method: 'POST', headers: sendable, body });
    return { status: response.status, text: await response.text() };
  }

  it('refuses an unsigned request after the bootstrap (moto answers 500: its auth check needs an Authorization header)', async () => {
    const { status } = await ec2(describeInstances(), undefined);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBe(500);
  });

  it('refuses a request signed with the wrong secret (EC2: 401 AuthFailure)', async () => {
    const { status, text } = await ec2(describeInstances(), `${moto.secretAccessKey}x`);
    expect(status).toBe(401);
    expect(text).toContain('<Code>AuthFailure</Code>');
  });

  it('accepts a signed GET Query API request as well as a POSTed form', async () => {
    const query = Object.fromEntries(new URLSearchParams(describeInstances()));
    const signer = new SignatureV4({
      service: 'ec2',
      region: moto.region,
      sha256: Sha256,
      credentials: { accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey },
    });
    const signed = await signer.sign({
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: Number(moto.host.split(':')[1]),
      path: '/',
      query,
      headers: { host: moto.host },
    });
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(`${moto.endpoint}/?${describeInstances()}`, { headers });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(`<instanceId>${moto.instanceId}</instanceId>`);
  });

  it('accepts a request signed with the bootstrap key and shows the running instance', async () => {
    const { status, text } = await ec2(describeInstances(), moto.secretAccessKey);
    expect(status).toBe(200);
    expect(text).toContain('<DescribeInstancesResponse');
    expect(text).toContain(`<instanceId>${moto.instanceId}</instanceId>`);
    expect(text).toContain('<instanceState><code>16</code><name>running</name></instanceState>');
    expect(moto.stateMachineArn).toMatch(/^arn:aws:states:ap-northeast-1:123456789012:stateMachine:/);
  });

  it('refuses a Step Functions call signed with the wrong secret or an unknown key (403) and accepts the right one', async () => {
    const call = async (secretAccessKey: string, accessKeyId = moto.accessKeyId) => {
      const body = JSON.stringify({ stateMachineArn: moto.stateMachineArn });
      const signer = new SignatureV4({
        service: 'states',
        region: moto.region,
        sha256: Sha256,
        credentials: { accessKeyId, secretAccessKey },
      });
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: Number(moto.host.split(':')[1]),
        path: '/',
        headers: {
          host: moto.host,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'AWSStepFunctions.ListExecutions',
        },
        body,
      });
      const { host: _host, ...headers } = signed.headers;
      return await fetch(`${moto.endpoint}/`, { method: 'POST', headers, body });
    };
    const refused = await call('wrong');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const unknown = await call(moto.secretAccessKey, 'UNKNOWNACCESSKEY0000');
    expect(unknown.status).toBe(403);
    expect(await unknown.text()).toContain('<Code>InvalidClientTokenId</Code>');
    const response = await call(moto.secretAccessKey);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await response.json()).toEqual({ executions: [] });
  });

  /** A Step Functions JSON 1.0 call signed with the bootstrap key. */
  async function sfn(
    operation: string,
    input: Record<string, unknown>,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const body = JSON.stringify(input);
    const signer = new SignatureV4({
      service: 'states',
      region: moto.region,
      sha256: Sha256,
      credentials: { accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey },
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: Number(moto.host.split(':')[1]),
      path: '/',
      headers: {
        host: moto.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AWSStepFunctions.${operation}`,
      },
      body,
    });
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(`${moto.endpoint}/`, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('stops and starts the EC2 instance (DescribeInstances shows the new state at once)', async () => {
    const stopped = await ec2(
      `Action=StopInstances&Version=2016-11-15&InstanceId.1=${moto.instanceId}`,
      moto.secretAccessKey,
    );
    expect(stopped.status).toBe(200);
    expect(stopped.text).toContain('<currentState><code>64</code><name>stopping</name></currentState>');
    expect((await ec2(describeInstances(), moto.secretAccessKey)).text).toContain(
      '<instanceState><code>80</code><name>stopped</name></instanceState>',
    );
    const started = await ec2(
      `Action=StartInstances&Version=2016-11-15&InstanceId.1=${moto.instanceId}`,
      moto.secretAccessKey,
    );
    expect(started.text).toContain(
      '<currentState><code>0</code><name>pending</name></currentState><previousState><code>80</code><name>stopped</name></previousState>',
    );
    expect((await ec2(describeInstances(), moto.secretAccessKey)).text).toContain(
      '<instanceState><code>16</code><name>running</name></instanceState>',
    );
    expect(await moto.describeInstanceState()).toBe('running');
  });

  it('starts, describes and stops a Step Functions execution', async () => {
    const stateMachineArn = moto.waitingStateMachineArn;
    const started = await sfn('StartExecution', { stateMachineArn, name: 'emulator-test-1', input: '{}' });
    expect(started.status).toBe(200);
    const executionArn = started.body.executionArn as string;
    expect(executionArn).toMatch(/:execution:[^:]+:emulator-test-1$/);
    // Same name and input while RUNNING: idempotent, the same execution.
    expect((await sfn('StartExecution', { stateMachineArn, name: 'emulator-test-1', input: '{}' })).body).toMatchObject(
      { executionArn },
    );
    expect((await sfn('DescribeExecution', { executionArn })).body).toMatchObject({
      status: 'RUNNING',
      name: 'emulator-test-1',
    });
    expect((await sfn('StopExecution', { executionArn, error: 'Cancelled', cause: 'test' })).status).toBe(200);
    expect((await sfn('DescribeExecution', { executionArn })).body).toMatchObject({ status: 'ABORTED' });
    // Once finished, the name is taken.
    const again = await sfn('StartExecution', { stateMachineArn, name: 'emulator-test-1', input: '{}' });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ __type: 'ExecutionAlreadyExists' });
    expect(await moto.executionStatus(executionArn)).toBe('ABORTED');
  });

  it('runs the bootstrap state machines: one succeeds after about a second, one fails at once', async () => {
    const succeeding = (
      await sfn('StartExecution', { stateMachineArn: moto.stateMachineArn, name: 'emulator-test-2', input: '{}' })
    ).body.executionArn as string;
    const failing = (
      await sfn('StartExecution', {
        stateMachineArn: moto.failingStateMachineArn,
        name: 'emulator-test-3',
        input: '{}',
      })
    ).body.executionArn as string;
    expect((await sfn('DescribeExecution', { executionArn: succeeding })).body).toMatchObject({ status: 'RUNNING' });
    await expect.poll(() => moto.executionStatus(succeeding), { timeout: 10_000, interval: 250 }).toBe('SUCCEEDED');
    expect((await sfn('DescribeExecution', { executionArn: succeeding })).body).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"result": "done"}',
    });
    expect((await sfn('DescribeExecution', { executionArn: failing })).body).toMatchObject({
      status: 'FAILED',
      error: 'JobFailed',
      cause: 'failed on purpose',
    });
  });
});

describe('azurite', () => {
  let azurite: AzuriteServer;
  beforeAll(async () => {
    azurite = await startAzurite();
  }, 60_000);
  afterAll(async () => await azurite?.stop());

  const listUrl = (prefix: string, sas: Record<string, string> | undefined) =>
    `${azurite.blobEndpoint}/${azurite.container}?${new URLSearchParams({ restype: 'container', comp: 'list', prefix, ...(sas ?? {}) }).toString()}`;

  it('refuses listing the private container without the SAS', async () => {
    const response = await fetch(listUrl('out/', undefined));
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>AuthorizationFailure</Code>');
  });

  it('lists with the SAS: nothing, then the uploaded blob', async () => {
    expect(Object.keys(azurite.sasQuery)).toEqual(expect.arrayContaining(['sv', 'se', 'sr', 'sp', 'sig']));
    expect(azurite.sasQuery.sp).toBe('rl');
    const before = await fetch(listUrl('out/', azurite.sasQuery));
    expect(before.status).toBe(200);
    expect(await before.text()).toContain('<Blobs/>');

    await azurite.upload('out/done.txt', 'finished');
    await azurite.upload('elsewhere.txt', 'x');
    const after = await fetch(listUrl('out/', azurite.sasQuery));
    expect(after.status).toBe(200);
    const xml = await after.text();
    expect(xml).toContain('<Blob><Name>out/done.txt</Name>');
    expect(xml).not.toContain('elsewhere.txt');
  });
});

describe('oauth server', () => {
  let oauth: OAuthServer;
  const clientId = 'jobnet-test';
  const clientSecret = 'right-secret';
  beforeAll(async () => {
    oauth = await startOAuthServer({ clientId, clientSecret, accessTokenTtlSeconds: 120 });
  });
  afterAll(async () => await oauth?.stop());

  const requestToken = async (secret: string, extra: Record<string, string>) =>
    await fetch(oauth.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
        ...extra,
      }).toString(),
    });

  it('issues a jobs.run token for the right secret, and introspection says active', async () => {
    const response = await requestToken(clientSecret, { scope: jobsRunScope });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      access_token: string;
      token_type: string;
      expires_in: number;
      scope?: string;
    };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 120, scope: 'jobs.run' });
    expect(await oauth.introspect(body.access_token)).toMatchObject({
      active: true,
      client_id: clientId,
      scope: 'jobs.run',
    });
    expect(await oauth.introspect('not-a-token')).toEqual({ active: false });
  });

  it('refuses a wrong secret', async () => {
    const response = await requestToken('wrong-secret', { scope: jobsRunScope });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('accepts the client secret in a Basic authorization header too', async () => {
    const response = await fetch(oauth.tokenEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: jobsRunScope }).toString(),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ token_type: 'Bearer', scope: 'jobs.run' });
    expect(oauth.tokenRequestLog().at(-1)).toMatchObject({
      clientAuth: 'basic',
      grantType: 'client_credentials',
      scope: 'jobs.run',
      status: 200,
    });
  });

  it('accepts the v1 resource parameter', async () => {
    const response = await requestToken(clientSecret, { resource: 'https://jobs.example.test/', scope: jobsRunScope });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string };
    expect(await oauth.introspect(body.access_token)).toMatchObject({
      active: true,
      aud: 'https://jobs.example.test/',
      scope: 'jobs.run',
    });
  });

  it('accepts the v1 resource parameter alone: a token for that audience without a scope', async () => {
    const response = await requestToken(clientSecret, { resource: 'https://jobs.example.test/' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; scope?: string };
    expect(body.scope).toBeUndefined();
    const introspection = await oauth.introspect(body.access_token);
    expect(introspection).toMatchObject({ active: true, aud: 'https://jobs.example.test/' });
    expect(introspection.scope).toBeUndefined();
  });

  it('counts and logs every token request, refused ones included', async () => {
    const before = oauth.tokenRequests();
    await requestToken('wrong-secret', { scope: jobsRunScope });
    await requestToken(clientSecret, { resource: 'https://jobs.example.test/', scope: jobsRunScope });
    expect(oauth.tokenRequests()).toBe(before + 2);
    expect(oauth.tokenRequestLog().slice(-2)).toMatchObject([
      { clientAuth: 'post', grantType: 'client_credentials', scope: 'jobs.run', status: 401 },
      { clientAuth: 'post', resource: 'https://jobs.example.test/', scope: 'jobs.run', status: 200 },
    ]);
  });
});
