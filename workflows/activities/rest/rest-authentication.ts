/**
 * Authentication of REST calls by credential type (R-CRED-1, R-REST-7): Basic and Bearer headers,
 * OAuth2 client credentials (`azuread` with `resource` or `scope`, and `scs`) with tokens cached
 * per credential until shortly before they expire (R-CRED-5), AWS Signature Version 4 through the
 * AWS SDK's own signer, and `others`, which only carries keys.
 *
 * Secrets are resolved here, inside the worker, when a call needs them (R-CRED-4). Every resolved
 * secret — and a Basic credential's `user:password` pair, an OAuth2 access token — is listed in
 * {@link RestAuthentication.secrets} so that callers can make sure none leaks into an output or a
 * message (secret-redaction.ts derives the encoded forms); errors name credentials and references,
 * never values.
 */
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { CredentialValue, RestCredential } from '../../lib/job-specs.js';
import type { PreparedCall } from '../../lib/rest-call.js';
import { restMessages } from '../../lib/rest-messages.js';
import { SecretUnavailableError } from '../secret-references.js';
import { resolveCredentialKey, resolveCredentialValue } from './secret-values.js';

/** Why authentication failed: a credential that cannot be had (10) or is unusable for this call (2). */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
  constructor(
    message: string,
    readonly exitCode: 2 | 10,
  ) {
    super(message);
  }
}

/** A credential made ready for the calls of one activity. */
export interface RestAuthentication {
  /** Credential keys by name, for `@key@` (R-CRED-2). */
  keys: Record<string, string>;
  /** Every secret value resolved, so callers can keep them out of outputs. */
  secrets: string[];
  /**
   * Adds the credential's authentication to a call (the last step before sending, so a signature
   * covers the final request).
   * @throws AuthenticationError
   */
  authorize(call: PreparedCall, timeoutSeconds: number): Promise<PreparedCall>;
}

const noAuthentication: RestAuthentication = { keys: {}, secrets: [], authorize: (call) => Promise.resolve(call) };

/**
 * Resolves the credential's keys and fields.
 * @throws AuthenticationError (10) when a referenced secret cannot be read.
 */
export async function prepareAuthentication(credential: RestCredential | undefined): Promise<RestAuthentication> {
  if (credential === undefined) return noAuthentication;
  const secrets: string[] = [];
  const where = `credential ${credential.name}`;
  const resolve = async (value: CredentialValue, field: string): Promise<string> => {
    const resolved = await resolveCredentialValue(value, `${where}: ${field}`);
    if (resolved.secret) secrets.push(resolved.value);
    return resolved.value;
  };
  try {
    const keys: Record<string, string> = {};
    for (const [name, value] of Object.entries(credential.keys ?? {})) {
      const resolved = await resolveCredentialKey(value, `${where}: keys.${name}`);
      if (resolved.secret) secrets.push(resolved.value);
      keys[name] = resolved.value;
    }
    const authorize = await authorizerOf(credential, resolve, secrets);
    return { keys, secrets, authorize };
  } catch (error) {
    if (error instanceof SecretUnavailableError) {
      throw new AuthenticationError(restMessages.credentialUnavailable(credential.name, error.message), 10);
    }
    throw error;
  }
}

type Resolve = (value: CredentialValue, field: string) => Promise<string>;
type Authorize = RestAuthentication['authorize'];

async function authorizerOf(credential: RestCredential, resolve: Resolve, secrets: string[]): Promise<Authorize> {
  switch (credential.type) {
    case 'others':
      return (call) => Promise.resolve(call);
    case 'basic': {
      const user = await resolve(credential.user, 'user');
      const password = await resolve(credential.password, 'password');
      const credentials = `${user}:${password}`;
      // The pair as sent (its base64 forms are redacted with it), whichever part is the secret.
      secrets.push(credentials);
      const header = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
      return (call) => Promise.resolve(withHeader(call, 'Authorization', header));
    }
    case 'bearer': {
      const token = await resolve(credential.token, 'token');
      return (call) => Promise.resolve(withHeader(call, 'Authorization', `Bearer ${token}`));
    }
    case 'azuread':
    case 'scs': {
      const client: OAuthClient = {
        credential: credential.name,
        endpoint: await resolve(credential.endpoint, 'endpoint'),
        clientId: await resolve(credential.clientId, 'clientId'),
        clientSecret: await resolve(credential.clientSecret, 'clientSecret'),
      };
      if (credential.type === 'azuread' && credential.resource !== undefined)
        client.resource = await resolve(credential.resource, 'resource');
      if (credential.type === 'azuread' && credential.scope !== undefined)
        client.scope = await resolve(credential.scope, 'scope');
      return async (call, timeoutSeconds) => {
        const token = await oauthToken(client, timeoutSeconds);
        secrets.push(token);
        return withHeader(call, 'Authorization', `Bearer ${token}`);
      };
    }
    case 'awssigv4': {
      const signing: SigV4Signing = {
        credential: credential.name,
        accessKeyId: await resolve(credential.accessKeyId, 'accessKeyId'),
        secretAccessKey: await resolve(credential.secretAccessKey, 'secretAccessKey'),
        service: await resolve(credential.service, 'service'),
        region: await resolve(credential.region, 'region'),
        endpoint: await resolve(credential.endpoint, 'endpoint'),
        signedHeaders: { ...(credential.signedHeaders ?? {}) },
      };
      if (credential.sessionToken !== undefined)
        signing.sessionToken = await resolve(credential.sessionToken, 'sessionToken');
      return (call) => signSigV4(signing, call);
    }
  }
}

/** Sets a header, replacing one of the same name in any letter case. */
function withHeader(call: PreparedCall, name: string, value: string): PreparedCall {
  const headers: Record<string, string> = {};
  for (const [key, existing] of Object.entries(call.headers))
    if (key.toLowerCase() !== name.toLowerCase()) headers[key] = existing;
  headers[name] = value;
  return { ...call, headers };
}

// ---------------------------------------------------------------------------------------------
// OAuth2 client credentials (R-CRED-5)

interface OAuthClient {
  credential: string;
  endpoint: string;
  clientId: string;
  clientSecret: string;
  resource?: string;
  scope?: string;
}

interface CachedToken {
  token: string;
  /** Epoch ms after which the token is fetched again. */
  refreshAt: number;
}

/** Tokens by client identity (including a hash of the secret, so a rotated secret gets a new token). */
const tokenCache = new Map<string, CachedToken>();
/** Token requests in flight, so many jobs starting together share one. */
const tokenRequests = new Map<string, Promise<CachedToken>>();

/** Longest time before expiry at which a cached token is replaced. */
const tokenRefreshMarginMs = 5 * 60_000;

function tokenCacheKey(client: OAuthClient): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        client.endpoint,
        client.clientId,
        client.clientSecret,
        client.resource ?? null,
        client.scope ?? null,
      ]),
    )
    .digest('hex');
}

async function oauthToken(client: OAuthClient, timeoutSeconds: number): Promise<string> {
  const key = tokenCacheKey(client);
  const cached = tokenCache.get(key);
  if (cached !== undefined && Date.now() < cached.refreshAt) return cached.token;
  let request = tokenRequests.get(key);
  if (request === undefined) {
    request = fetchToken(client, timeoutSeconds).finally(() => tokenRequests.delete(key));
    tokenRequests.set(key, request);
  }
  const fetched = await request;
  tokenCache.set(key, fetched);
  return fetched.token;
}

async function fetchToken(client: OAuthClient, timeoutSeconds: number): Promise<CachedToken> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: client.clientId,
    client_secret: client.clientSecret,
  });
  if (client.resource !== undefined) form.set('resource', client.resource);
  if (client.scope !== undefined) form.set('scope', client.scope);
  let response: Response;
  try {
    response = await fetch(client.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal: AbortSignal.timeout(timeoutSeconds * 1000),
    });
  } catch (error) {
    const detail =
      (error as Error).name === 'TimeoutError'
        ? `the token endpoint did not answer within ${timeoutSeconds} s`
        : 'the token endpoint cannot be reached';
    throw new AuthenticationError(restMessages.credentialUnavailable(client.credential, detail), 10);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    throw new AuthenticationError(
      `${restMessages.httpFailed('authentication', response.status)} AuthName=${client.credential}`,
      10,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const token = record.access_token;
  if (typeof token !== 'string' || token === '')
    throw new AuthenticationError(restMessages.noAccessToken(client.credential), 10);
  // Azure v1 endpoints send expires_in as a string.
  const lifetimeMs = Math.max(0, Number(record.expires_in ?? 3600) * 1000) || 3600_000;
  const margin = Math.min(tokenRefreshMarginMs, lifetimeMs / 2);
  return { token, refreshAt: Date.now() + lifetimeMs - margin };
}

// ---------------------------------------------------------------------------------------------
// AWS Signature Version 4 (R-REST-7)

interface SigV4Signing {
  credential: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  service: string;
  region: string;
  endpoint: string;
  signedHeaders: Record<string, string>;
}

/** `host` or `host:port` of the credential's endpoint, which may be written as a URL. */
function endpointHost(endpoint: string): string | undefined {
  try {
    return new URL(endpoint.includes('://') ? endpoint : `https://${endpoint}`).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Signs `host`, `x-amz-date`, the payload hash (`x-amz-content-sha256`), the session token and the
 * credential's `signedHeaders` (which are also sent); other headers are sent unsigned, as WOI does.
 */
async function signSigV4(signing: SigV4Signing, call: PreparedCall): Promise<PreparedCall> {
  const host = call.url.host.toLowerCase();
  const expected = endpointHost(signing.endpoint);
  // A URL with the default port has none in `host`; an endpoint written with it must still match.
  const defaultPort = call.url.protocol === 'https:' ? ':443' : ':80';
  if (expected !== host && expected !== `${host}${defaultPort}`) {
    throw new AuthenticationError(
      restMessages.invalidParameter(
        `credential ${signing.credential}: endpoint`,
        `the request goes to ${host}, but the credential signs for ${expected ?? 'an endpoint that is not a host name'}`,
      ),
      2,
    );
  }
  const headers: Record<string, string> = { ...call.headers, ...signing.signedHeaders, host };
  const signable = new Set(['host', ...Object.keys(signing.signedHeaders).map((name) => name.toLowerCase())]);
  const unsignable = new Set(
    Object.keys(headers)
      .map((name) => name.toLowerCase())
      .filter((name) => !signable.has(name)),
  );
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of call.url.searchParams) {
    const existing = query[name];
    query[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: signing.accessKeyId,
      secretAccessKey: signing.secretAccessKey,
      ...(signing.sessionToken !== undefined ? { sessionToken: signing.sessionToken } : {}),
    },
    region: signing.region,
    service: signing.service,
    sha256: Sha256,
    // S3 signs the path as sent; every other service signs it encoded once more.
    uriEscapePath: signing.service !== 's3',
  });
  const signed = await signer.sign(
    {
      method: call.method,
      protocol: call.url.protocol,
      hostname: call.url.hostname,
      ...(call.url.port !== '' ? { port: Number(call.url.port) } : {}),
      path: call.url.pathname,
      query,
      headers,
      ...(call.body !== undefined ? { body: call.body } : {}),
    },
    { unsignableHeaders: unsignable },
  );
  // fetch sets Host itself, to the same value.
  const { host: _host, ...sent } = signed.headers;
  return { ...call, headers: sent };
}
