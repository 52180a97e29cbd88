/**
 * OAuth 2.0 client credentials (RFC 6749 section 4.4) for a History Server behind an OAuth2 proxy: the collector asks
 * the token endpoint for an access token with its client id and secret, sends it as `Authorization: Bearer`, keeps it
 * while it is fresh and asks for a new one before it expires. The HTTP request itself is made by client.ts (the
 * module that owns axios, its TLS agents and the redaction of secrets); this module holds the request's form, the
 * response's schema and the cache.
 *
 * Refresh policy: a token with `expires_in` E seconds is used until min(60 s, E/2) before it expires (so a 5-minute
 * token is renewed after 4 minutes, a 4-second test token after 2 s); one without `expires_in` is kept until the
 * History Server (the proxy) answers 401, after which one new token is fetched and the request sent again (also what
 * happens when the proxy stops trusting a token early, e.g. after a key rotation). Concurrent requests share one
 * token request.
 */
import { z } from 'zod';
import type { SourceFailureKind } from '../../../../shared/src/protocol';

/** Client-credentials settings (the secret comes from the environment, a file or VS Code SecretStorage; never a flag). */
export interface ClientCredentials {
  /** The authorization server's token endpoint, e.g. `https://idp.example.com/oauth2/token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** `scope` of the token request (space-separated), when the authorization server needs one. */
  scope?: string;
  /** `resource` of the token request (RFC 8707): the audience the token is for, when the server needs one. */
  resource?: string;
}

/** The longest time before expiry at which a token is renewed, ms. */
export const MAX_REFRESH_AHEAD_MS = 60_000;

/**
 * A successful token response (RFC 6749 section 5.1). `expires_in` is a number of seconds; some servers (Azure AD v1)
 * send it as a string of digits, read the same.
 */
export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', { message: 'token_type is not Bearer' }),
  expires_in: z
    .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
    .pipe(z.number().positive())
    .optional(),
});

/** An error response (RFC 6749 section 5.2). */
const TokenErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/** What one token request answered: HTTP status and body text. */
export interface TokenHttpResponse {
  status: number;
  body: string;
}

/**
 * A token endpoint's answer that is not a token. `retryable` for 5xx, 429 and network failures; `kind` `credentials`
 * when the endpoint refused the client (401, `invalid_client`), so front ends can say where the secret comes from.
 */
export class TokenRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    readonly kind: SourceFailureKind = 'other',
  ) {
    super(message);
    this.name = 'TokenRequestError';
  }
}

/** The form of a client-credentials token request (the client authenticates with HTTP Basic, not in the form). */
export function tokenRequestForm(c: ClientCredentials): URLSearchParams {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (c.scope) form.set('scope', c.scope);
  if (c.resource) form.set('resource', c.resource);
  return form;
}

/**
 * The `Authorization` header value of `client_secret_basic` (RFC 6749 section 2.3.1): id and secret are each
 * form-urlencoded before they are joined and base64-encoded, so a `:` in the id stays unambiguous.
 */
export function clientSecretBasic(c: ClientCredentials): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(c.clientId)}:${enc(c.clientSecret)}`).toString('base64')}`;
}

/**
 * The token of a token response, or the failure it says.
 * @throws TokenRequestError saying what the endpoint answered (its `error` and `error_description`, never a secret).
 */
export function parseTokenResponse(
  res: TokenHttpResponse,
  tokenUrl: string,
): { accessToken: string; expiresInSeconds: number | null } {
  let json: unknown = null;
  try {
    json = JSON.parse(res.body);
  } catch {
    // not JSON: reported below by status or shape
  }
  if (res.status < 200 || res.status > 299) {
    const e = TokenErrorSchema.safeParse(json);
    const said = e.success
      ? `${e.data.error}${e.data.error_description ? ` (${e.data.error_description})` : ''}`
      : res.body.replace(/\s+/g, ' ').trim().slice(0, 200);
    // A refused client is kind `credentials`: each front end says where its secret comes from.
    const hint = e.success && e.data.error === 'invalid_scope' ? '; check the scope asked for' : '';
    const refused = res.status === 401 || (e.success && e.data.error === 'invalid_client');
    return fail(
      `Token endpoint ${tokenUrl} answered ${res.status}${said ? `: ${said}` : ''}${hint}`,
      res.status,
      res.status >= 500 || res.status === 429,
      refused ? 'credentials' : 'other',
    );
  }
  const t = TokenResponseSchema.safeParse(json);
  if (!t.success)
    return fail(
      `Token endpoint ${tokenUrl} answered ${res.status} without a bearer access token (${t.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')})`,
      res.status,
      false,
    );
  return { accessToken: t.data.access_token, expiresInSeconds: t.data.expires_in ?? null };
}

function fail(message: string, status: number, retryable: boolean, kind: SourceFailureKind = 'other'): never {
  throw new TokenRequestError(message, status, retryable, kind);
}

/** A cached client-credentials access token, renewed as the module comment says. */
export class ClientCredentialsToken {
  private token: string | null = null;
  /** When to renew, epoch ms (Infinity: until a 401). */
  private renewAtMs = 0;
  private pending: Promise<string> | null = null;
  /** Token requests made (successful or not). */
  requests = 0;

  /**
   * @param credentials what to ask with.
   * @param request sends one token request (POST of `form` with `authorization`) and returns the answer; throws
   *   for a network failure.
   * @param onToken told each new access token (client.ts adds it to the values it redacts).
   * @param now the clock, epoch ms.
   */
  constructor(
    readonly credentials: ClientCredentials,
    private readonly request: (form: URLSearchParams, authorization: string) => Promise<TokenHttpResponse>,
    private readonly onToken: (token: string) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A fresh access token: the cached one, or a new one when it is due for renewal (one request for all callers).
   * @throws TokenRequestError, or the request function's network error.
   */
  async accessToken(): Promise<string> {
    if (this.token !== null && this.now() < this.renewAtMs) return this.token;
    if (this.pending === null) {
      this.pending = this.fetch().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  /** Forgets `token` (the server refused it), so the next {@link accessToken} asks for a new one. */
  invalidate(token: string): void {
    if (this.token === token) {
      this.token = null;
      this.renewAtMs = 0;
    }
  }

  private async fetch(): Promise<string> {
    this.requests++;
    const askedAtMs = this.now();
    const res = await this.request(tokenRequestForm(this.credentials), clientSecretBasic(this.credentials));
    const { accessToken, expiresInSeconds } = parseTokenResponse(res, this.credentials.tokenUrl);
    this.onToken(accessToken);
    this.token = accessToken;
    // Counted from when it was asked for, so the time the request took is not taken for lifetime left.
    this.renewAtMs =
      expiresInSeconds === null
        ? Infinity
        : askedAtMs + expiresInSeconds * 1000 - Math.min(MAX_REFRESH_AHEAD_MS, (expiresInSeconds * 1000) / 2);
    return accessToken;
  }
}
