/**
 * A real OAuth 2.0 authorization server (`oidc-provider`, CONTRIBUTING.md#testing-tiers) on loopback for the
 * client-credentials tests of cloud and REST targets: one confidential client, the
 * `client_credentials` grant, token introspection, and a log of token requests so tests can check
 * token caching and how the product authenticated. No vitest: other tiers may use it.
 *
 * Facts found by experiment against oidc-provider 9.13:
 *   - Token endpoint `{issuer}/token`, introspection `{issuer}/token/introspection`.
 *   - v2 style `grant_type=client_credentials&scope=jobs.run` → 200 `{access_token, expires_in,
 *     token_type: "Bearer", scope: "jobs.run"}`. A requested scope survives only when it is in
 *     the provider's `scopes` list; unknown scopes are silently dropped (no `scope` in the answer).
 *   - v1 style `resource=<absolute URI>` (resourceIndicators feature): accepted; the token is bound
 *     to that resource server and carries only the requested scopes that resource server offers
 *     (`jobs.run` here), so `resource` without `scope` gives a token without a scope.
 *   - Client authentication: the client is registered with `client_secret_post`, but
 *     oidc-provider 9 accepts a client secret in the form body (client_id + client_secret) and
 *     in an `Authorization: Basic base64(id:secret)` header alike (sending both at once is 400
 *     invalid_request). Wrong client secret → 401 `{"error": "invalid_client", …}`.
 *   - oidc-provider 9 prints "Unsupported runtime. Use Node.js v22.x LTS" once per process on
 *     Node 20 (it wants an LTS ≥ 22); everything used here works on 20 (emulators.test.ts). Its
 *     in-memory adapter warning is avoided by passing its own memory adapter factory explicitly,
 *     one store per server.
 *   - Access tokens are opaque (43 characters); introspection by the same client says
 *     `{active: true, client_id, scope, token_type: "Bearer", exp, iat, …}` (plus `aud` for a
 *     resource-bound token), and `{active: false}` for anything unknown or expired.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The part of oidc-provider's API this module uses (the package ships no type declarations). */
interface OidcProvider {
  callback(): (request: IncomingMessage, response: ServerResponse) => void;
  on(event: 'grant.success' | 'grant.error', listener: (ctx: ProviderContext) => void): void;
}
type OidcProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;
/** The part of oidc-provider's (Koa) request context the token log reads. */
interface ProviderContext {
  req: IncomingMessage;
  oidc?: { params?: Record<string, unknown> };
}

/**
 * oidc-provider and its memory adapter factory, imported by non-literal specifiers so TypeScript
 * does not look for their (missing) types.
 */
async function loadProvider(): Promise<{ Provider: OidcProviderConstructor; createMemoryAdapter: () => unknown }> {
  const specifiers = ['oidc-provider', 'oidc-provider/lib/adapters/memory_adapter.js'];
  const [provider, adapter] = (await Promise.all(
    specifiers.map(async (specifier) => (await import(specifier)) as unknown),
  )) as [{ default: OidcProviderConstructor }, { createMemoryAdapter: () => unknown }];
  return { Provider: provider.default, createMemoryAdapter: adapter.createMemoryAdapter };
}

/** Scope the product requests for job runs. */
export const jobsRunScope = 'jobs.run';

export interface OAuthServerOptions {
  clientId: string;
  clientSecret: string;
  /** Lifetime of issued access tokens; default 600 s. */
  accessTokenTtlSeconds?: number;
}

/** A request to the token endpoint, as the server saw it. */
export interface TokenRequest {
  at: number;
  /** Where the client secret came from: an `Authorization: Basic` header, the form body, or nowhere. */
  clientAuth: 'basic' | 'post' | 'none';
  grantType?: string;
  scope?: string;
  resource?: string | string[];
  /** HTTP status of the answer (0 until it was sent). */
  status: number;
}

/** What the introspection endpoint says about a token (RFC 7662). */
export interface Introspection {
  active: boolean;
  scope?: string;
  client_id?: string;
  aud?: string | string[];
  exp?: number;
  [claim: string]: unknown;
}

/** A running OAuth server. */
export interface OAuthServer {
  /** `http://127.0.0.1:port` */
  issuer: string;
  /** `http://127.0.0.1:port/token` */
  tokenEndpoint: string;
  /** Requests received on the token endpoint so far (any outcome). */
  tokenRequests(): number;
  /** The token requests so far, oldest first. */
  tokenRequestLog(): TokenRequest[];
  /** Asks the introspection endpoint (authenticating as the configured client). */
  introspect(token: string): Promise<Introspection>;
  stop(): Promise<void>;
}

/**
 * Starts an oidc-provider on a free loopback port with one client allowed the client-credentials
 * grant and scope `jobs.run`, accepting both `scope=jobs.run` and `resource=<URI>` token requests.
 * Throws when the port cannot be bound.
 */
export async function startOAuthServer(options: OAuthServerOptions): Promise<OAuthServer> {
  const { Provider, createMemoryAdapter } = await loadProvider();
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 600;
  const handlers: { provider?: (request: IncomingMessage, response: ServerResponse) => void } = {};
  const tokenRequests: TokenRequest[] = [];
  const tokenRequestOf = new WeakMap<IncomingMessage, TokenRequest>();
  const server: Server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://oauth').pathname;
    if (request.method === 'POST' && pathname === '/token') {
      const entry: TokenRequest = {
        at: Date.now(),
        clientAuth: /^basic /i.test(request.headers.authorization ?? '') ? 'basic' : 'none',
        status: 0,
      };
      tokenRequests.push(entry);
      tokenRequestOf.set(request, entry);
      response.once('finish', () => (entry.status = response.statusCode));
    }
    if (handlers.provider === undefined) {
      response.writeHead(503).end();
      return;
    }
    handlers.provider(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_post',
        scope: jobsRunScope,
      },
    ],
    scopes: [jobsRunScope],
    adapter: createMemoryAdapter(),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' }] },
    ttl: { ClientCredentials: accessTokenTtlSeconds },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: () => Promise.resolve(true) },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => Promise.resolve(undefined),
        useGrantedResource: () => Promise.resolve(false),
        getResourceServerInfo: () =>
          Promise.resolve({ scope: jobsRunScope, accessTokenFormat: 'opaque', accessTokenTTL: accessTokenTtlSeconds }),
      },
    },
  });
  const noteParameters = (ctx: ProviderContext): void => {
    const entry = tokenRequestOf.get(ctx.req);
    const params = ctx.oidc?.params ?? {};
    if (entry === undefined) return;
    if (typeof params.client_secret === 'string') entry.clientAuth = 'post';
    if (typeof params.grant_type === 'string') entry.grantType = params.grant_type;
    if (typeof params.scope === 'string') entry.scope = params.scope;
    if (typeof params.resource === 'string' || Array.isArray(params.resource))
      entry.resource = params.resource as string | string[];
  };
  provider.on('grant.success', noteParameters);
  provider.on('grant.error', noteParameters);
  handlers.provider = provider.callback();

  const tokenEndpoint = `${issuer}/token`;
  return {
    issuer,
    tokenEndpoint,
    tokenRequests: () => tokenRequests.length,
    tokenRequestLog: () => tokenRequests.map((entry) => ({ ...entry })),
    async introspect(token) {
      const response = await fetch(`${tokenEndpoint}/introspection`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          token,
          client_id: options.clientId,
          client_secret: options.clientSecret,
        }).toString(),
      });
      if (!response.ok) throw new Error(`introspection answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as Introspection;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
