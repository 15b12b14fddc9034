/**
 * REST authentication inside the worker (R-CRED-4, R-CRED-5, R-REST-7), without Temporal: OAuth2
 * client credentials against a real OAuth2 server (v2 `scope` and v1 `resource`), the token cache
 * and its expiry, and the AWS Signature V4 endpoint check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, prepareAuthentication } from '../../workflows/activities/rest/rest-authentication.js';
import type { RestCredential } from '../../workflows/lib/job-specs.js';
import type { PreparedCall } from '../../workflows/lib/rest-call.js';
import { jobsRunScope, startOAuthServer, type OAuthServer } from '../emulators/oauth-server.js';

let oauth: OAuthServer;
const clientSecret = 'cache-test-secret-4e1b';

beforeAll(async () => {
  process.env.REST_AUTH_TEST_SECRET = clientSecret;
  oauth = await startOAuthServer({ clientId: 'cache-client', clientSecret, accessTokenTtlSeconds: 4 });
});

afterAll(async () => {
  await oauth?.stop();
});

const call = (): PreparedCall => ({ url: new URL('https://service.example/api'), method: 'GET', headers: {} });

function azure(extra: { scope?: string; resource?: string }, name = 'azure'): RestCredential {
  return {
    name,
    type: 'azuread',
    clientId: 'cache-client',
    clientSecret: { secretRef: { env: 'REST_AUTH_TEST_SECRET' } },
    endpoint: oauth.tokenEndpoint,
    ...extra,
  };
}

async function bearerOf(credential: RestCredential): Promise<string> {
  const authentication = await prepareAuthentication(credential);
  const authorized = await authentication.authorize(call(), 10);
  const header = authorized.headers.Authorization ?? '';
  expect(header).toMatch(/^Bearer /);
  expect(authentication.secrets).toContain(clientSecret);
  return header.slice('Bearer '.length);
}

describe('OAuth2 client credentials', () => {
  it('gets a v2 token with the scope, then reuses it until shortly before it expires', async () => {
    const before = oauth.tokenRequests();
    const first = await bearerOf(azure({ scope: jobsRunScope }));
    const again = await Promise.all([
      bearerOf(azure({ scope: jobsRunScope })),
      bearerOf(azure({ scope: jobsRunScope })),
    ]);
    expect(again).toEqual([first, first]);
    expect(oauth.tokenRequests() - before).toBe(1);
    expect(await oauth.introspect(first)).toMatchObject({
      active: true,
      scope: jobsRunScope,
      client_id: 'cache-client',
    });

    // Lifetime 4 s: refreshed once half of it is gone.
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    const renewed = await bearerOf(azure({ scope: jobsRunScope }));
    expect(renewed).not.toBe(first);
    expect(oauth.tokenRequests() - before).toBe(2);
  });

  it('gets a v1 token for a resource, bound to it', async () => {
    const token = await bearerOf(azure({ resource: 'https://jobs.example/' }, 'azure-v1'));
    const introspection = await oauth.introspect(token);
    expect(introspection.active).toBe(true);
    expect(JSON.stringify(introspection.aud)).toContain('https://jobs.example/');
  });

  it('ends 10 when the token endpoint refuses the client, without the secret in the message', async () => {
    process.env.REST_AUTH_TEST_WRONG = 'not-the-secret-9a9a';
    const authentication = await prepareAuthentication({
      ...azure({ scope: jobsRunScope }, 'azure-wrong'),
      clientSecret: { secretRef: { env: 'REST_AUTH_TEST_WRONG' } },
    } as RestCredential);
    const failure = await authentication.authorize(call(), 10).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AuthenticationError);
    expect((failure as AuthenticationError).exitCode).toBe(10);
    expect((failure as Error).message).toBe(
      '0609: HTTP request failed. RequestType=authentication StatusCode=401 AuthName=azure-wrong',
    );
  });
});

describe('AWS Signature V4', () => {
  const aws = (endpoint: string): RestCredential => ({
    name: 'aws',
    type: 'awssigv4',
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: { secretRef: { env: 'REST_AUTH_TEST_SECRET' } },
    service: 'ec2',
    region: 'ap-northeast-1',
    endpoint,
    signedHeaders: { 'x-amz-target': 'T' },
  });

  it('signs host, x-amz-date, the payload hash and signedHeaders, leaving other headers unsigned', async () => {
    const authentication = await prepareAuthentication(aws('service.example'));
    const signed = await authentication.authorize({ ...call(), headers: { 'X-Other': 'o' } }, 10);
    expect(signed.headers.authorization).toMatch(
      /SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
    expect(signed.headers['x-amz-target']).toBe('T');
    expect(signed.headers['X-Other']).toBe('o');
    expect(signed.headers).not.toHaveProperty('host');
  });

  it('sends and signs the session token of temporary credentials', async () => {
    process.env.REST_AUTH_TEST_SESSION = 'session-token-for-test';
    const authentication = await prepareAuthentication({
      ...aws('service.example'),
      sessionToken: { secretRef: { env: 'REST_AUTH_TEST_SESSION' } },
    } as RestCredential);
    const signed = await authentication.authorize(call(), 10);
    expect(signed.headers['x-amz-security-token']).toBe('session-token-for-test');
    expect(signed.headers.authorization).toMatch(
      /SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target,/,
    );
    expect(authentication.secrets).toContain('session-token-for-test');
  });

  it('refuses (2) a request to a host other than the credential endpoint', async () => {
    const authentication = await prepareAuthentication(aws('ec2.ap-northeast-1.amazonaws.com'));
    const failure = await authentication.authorize(call(), 10).catch((error: unknown) => error);
    expect((failure as AuthenticationError).exitCode).toBe(2);
    expect((failure as Error).message).toContain(
      'the request goes to service.example, but the credential signs for ec2.ap-northeast-1.amazonaws.com',
    );
  });
});
