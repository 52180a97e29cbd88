/**
 * A real OpenID Connect / OAuth 2.0 authorization server on 127.0.0.1 for the live tests: panva's `oidc-provider`
 * (npm, OpenID Certified), run in this process with its in-memory adapter, the client-credentials grant and resource
 * indicators (RFC 8707) enabled, issuing RFC 9068 JWT access tokens signed with an RS256 key made here. Each resource
 * (audience) has its own scope list and token lifetime; each client its allowed scopes and secret. Its discovery
 * document is `/.well-known/openid-configuration`, its keys `/jwks`, its token endpoint `/token`.
 *
 * Stop it with `stop()` (closes the listener and its connections).
 */
import * as http from 'http';
import type * as net from 'net';
import type { JWK } from 'jose' with { 'resolution-mode': 'import' };

/** A client of the provider (client_secret_basic, client-credentials grant only). */
export interface TestClient {
  clientId: string;
  clientSecret: string;
  /** The scopes it may ask for (space-separated). */
  scope: string;
  /** Lifetime of its access tokens, whole seconds (default: the resource's). */
  accessTokenTtlSeconds?: number;
}

/** A resource server (an audience tokens can be asked for with `resource`). */
export interface TestResource {
  /** The resource indicator, an absolute URI; also the tokens' `aud`. */
  audience: string;
  /** The scopes tokens for it may carry (space-separated). */
  scope: string;
  /** Access-token lifetime, whole seconds. */
  accessTokenTtlSeconds: number;
}

/** What to start. */
export interface TestProviderOptions {
  clients: TestClient[];
  resources: TestResource[];
  /** The RS256 private key (JWK) to sign with; default: a new one. Two providers given one key share their JWKS. */
  signingKey?: JWK;
  /** The issuer to claim; default: its own URL `http://127.0.0.1:<port>`. Another provider's issuer makes tokens that name that issuer but are signed with this one's key. */
  issuer?: string;
}

/** A running provider. */
export class TestOidcProvider {
  /** Token requests answered (POST /token), successful or not. */
  tokenRequests = 0;

  private constructor(
    /** `http://127.0.0.1:<port>` */
    readonly url: string,
    /** The `iss` of its tokens. */
    readonly issuer: string,
    /** Its signing key (private JWK), to start a second provider with the same keys. */
    readonly signingKey: JWK,
    private readonly server: http.Server,
    private readonly sockets: Set<net.Socket>,
  ) {}

  /** The token endpoint. */
  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  /** The JWKS URL. */
  get jwksUri(): string {
    return `${this.url}/jwks`;
  }

  /** Starts a provider on a free port of 127.0.0.1. */
  static async start(opts: TestProviderOptions): Promise<TestOidcProvider> {
    const jose = await import('jose');
    const oidc = await import('oidc-provider');
    const Provider = oidc.default;
    let signingKey = opts.signingKey;
    if (signingKey === undefined) {
      const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
      signingKey = { ...(await jose.exportJWK(privateKey)), alg: 'RS256', use: 'sig' };
      signingKey.kid = await jose.calculateJwkThumbprint(signingKey);
    }
    let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
    const sockets = new Set<net.Socket>();
    let self: TestOidcProvider | null = null;
    const server = http.createServer((req, res) => {
      if (req.method === 'POST' && req.url?.startsWith('/token') && self) self.tokenRequests++;
      handler(req, res);
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const issuer = opts.issuer ?? url;
    const resources = new Map(opts.resources.map((r) => [r.audience, r]));
    const scopes = [
      ...new Set([
        ...opts.clients.flatMap((c) => c.scope.split(' ')),
        ...opts.resources.flatMap((r) => r.scope.split(' ')),
      ]),
    ];
    const provider = new Provider(issuer, {
      clients: opts.clients.map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: c.scope,
      })),
      scopes,
      jwks: { keys: [signingKey] },
      cookies: { keys: ['spark-optimizer test provider cookie key'] },
      ttl: {
        ClientCredentials: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
          token.resourceServer?.accessTokenTTL ?? 600,
      },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: readonly string[]) => oneOf,
          useGrantedResource: async () => false,
          getResourceServerInfo: async (_ctx: unknown, resourceIndicator: string, client: { clientId: string }) => {
            const r = resources.get(resourceIndicator);
            if (!r) throw new oidc.errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
            const ttl =
              opts.clients.find((c) => c.clientId === client.clientId)?.accessTokenTtlSeconds ??
              r.accessTokenTtlSeconds;
            return {
              audience: r.audience,
              scope: r.scope,
              accessTokenFormat: 'jwt' as const,
              accessTokenTTL: ttl,
              jwt: { sign: { alg: 'RS256' } },
            };
          },
        },
      },
    });
    // Its own URL differs from the issuer when it impersonates another provider: serve its routes all the same.
    // Koa's callback answers its own errors (ctx.onerror), so its promise is not awaited here.
    const callback = provider.callback();
    handler = (req, res) => void callback(req, res);
    self = new TestOidcProvider(url, issuer, signingKey, server, sockets);
    return self;
  }

  /**
   * Asks for a client-credentials token (client_secret_basic) as a client would.
   * @returns the access token (a JWT) and its `expires_in`.
   * @throws Error with the provider's answer when it is not a token.
   */
  async clientCredentialsToken(
    client: TestClient,
    resource: string,
    scope: string,
  ): Promise<{ accessToken: string; expiresIn: number }> {
    const res = await fetch(this.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }).toString(),
    });
    const body = (await res.json()) as { access_token?: string; expires_in?: number };
    if (res.status !== 200 || typeof body.access_token !== 'string')
      throw new Error(`token endpoint answered ${res.status}: ${JSON.stringify(body)}`);
    return { accessToken: body.access_token, expiresIn: Number(body.expires_in) };
  }

  /** Closes the listener and every connection. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
