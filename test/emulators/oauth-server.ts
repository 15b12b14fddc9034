/**
 * A real OAuth 2.0 authorization server (`oidc-provider`, DESIGN.md §7) on loopback for the
 * client-credentials tests of cloud and REST targets: one confidential client authenticating with
 * `client_secret_post`, the `client_credentials` grant, token introspection, and a count of token
 * requests so tests can check token caching. No vitest: other tiers may use it.
 *
 * Facts found by experiment against oidc-provider 9.13:
 *   - Token endpoint `{issuer}/token`, introspection `{issuer}/token/introspection`.
 *   - v2 style `grant_type=client_credentials&scope=jobs.run` → 200 `{access_token, expires_in,
 *     token_type: "Bearer", scope: "jobs.run"}`. A requested scope survives only when it is in
 *     the provider's `scopes` list; unknown scopes are silently dropped (no `scope` in the answer).
 *   - v1 style `resource=<absolute URI>` (resourceIndicators feature): accepted; the token is bound
 *     to that resource server and carries only the requested scopes that resource server offers
 *     (`jobs.run` here), so `resource` without `scope` gives a token without a scope.
 *   - Wrong client secret → 401 `{"error": "invalid_client", …}`.
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
}
type OidcProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

/** oidc-provider, imported by a non-literal specifier so TypeScript does not look for its (missing) types. */
async function loadProvider(): Promise<OidcProviderConstructor> {
  const specifier = 'oidc-provider';
  return ((await import(specifier)) as { default: OidcProviderConstructor }).default;
}

/** Scope the product requests for job runs. */
export const jobsRunScope = 'jobs.run';

export interface OAuthServerOptions {
  clientId: string;
  clientSecret: string;
  /** Lifetime of issued access tokens; default 600 s. */
  accessTokenTtlSeconds?: number;
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
  /** Asks the introspection endpoint (authenticating as the configured client). */
  introspect(token: string): Promise<Introspection>;
  stop(): Promise<void>;
}

/**
 * Starts an oidc-provider on a free loopback port with one client allowed the client-credentials
 * grant and scope `jobs.run`, accepting both `scope=jobs.run` and `resource=<URI>` token requests.
 */
export async function startOAuthServer(options: OAuthServerOptions): Promise<OAuthServer> {
  const Provider = await loadProvider();
  const handlers: { provider?: (request: IncomingMessage, response: ServerResponse) => void } = {};
  let tokenRequestCount = 0;
  const server: Server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://oauth').pathname;
    if (request.method === 'POST' && pathname === '/token') tokenRequestCount += 1;
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
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' }] },
    ttl: { ClientCredentials: options.accessTokenTtlSeconds ?? 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: () => Promise.resolve(true) },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => Promise.resolve(undefined),
        useGrantedResource: () => Promise.resolve(false),
        getResourceServerInfo: () => Promise.resolve({ scope: jobsRunScope, accessTokenFormat: 'opaque', accessTokenTTL: options.accessTokenTtlSeconds ?? 600 }),
      },
    },
  });
  handlers.provider = provider.callback();

  const tokenEndpoint = `${issuer}/token`;
  return {
    issuer,
    tokenEndpoint,
    tokenRequests: () => tokenRequestCount,
    async introspect(token) {
      const response = await fetch(`${tokenEndpoint}/introspection`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, client_id: options.clientId, client_secret: options.clientSecret }).toString(),
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
