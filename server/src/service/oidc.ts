/**
 * OAuth 2.0 / OpenID Connect access tokens for the REST service: a JWT access token (RFC 9068) from a configured
 * issuer is accepted besides the service's own `spo_` tokens. `jose` (panva/jose) verifies its signature against the
 * issuer's JSON Web Key Set and checks `iss`, `aud`, `exp` and `nbf`; the token's scope claim gives the service scope.
 * This module is the service's only outgoing HTTP: the issuer's discovery document (once, at start) and its JWKS
 * (jose's remote key set: fetched on the first token, again for a key id it does not hold, at most every 30 s,
 * cached 10 min). Both trust Node's CA store, plus the PEM file of NODE_EXTRA_CA_CERTS for a company CA.
 *
 * Scope mapping: the claim `scopeClaim` (default `scope`) holds the token's scopes as one space-separated string
 * (RFC 8693 section 4.2, RFC 9068 section 2.2.3; Keycloak, Auth0, oidc-provider, Azure AD's `scp`) or as an array of
 * strings (Okta's `scp`). Each service scope is granted by one configured scope value (`scopes.read`,
 * `scopes.collect`, `scopes.admin`; defaults `spark-optimizer:read` ...); the highest one the token carries wins,
 * and admin ⊇ collect ⊇ read as for `spo_` tokens.
 */
import type { TokenScope } from '../history/service-store';
import { TOKEN_SCOPES } from '../history/service-store';
import { ProblemError } from './problems';
import { errorMessage } from '../../../shared/src/errors';
import { z } from 'zod';
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };

/** The OIDC settings of the service (service/config.ts reads them from the config file, environment and flags). */
export interface OidcSettings {
  /** The issuer identifier, exactly as the tokens' `iss` claim writes it (e.g. `https://idp.example.com/realms/data`). */
  issuer: string;
  /** The audience this service is (the tokens' `aud` must contain it), e.g. `spark-optimizer` or the service's URL. */
  audience: string;
  /** The issuer's JWKS URL; absent: `jwks_uri` of `{issuer}/.well-known/openid-configuration` (OpenID Connect Discovery 1.0). */
  jwksUri?: string;
  /** The claim holding the token's scopes (`scope` or `scp`). */
  scopeClaim: string;
  /** The scope value that grants each service scope. */
  scopes: Record<TokenScope, string>;
  /** Clock skew allowed when checking `exp` and `nbf`, seconds. */
  clockToleranceSeconds: number;
}

/** Default scope values granting read, collect and admin. */
export const DEFAULT_OIDC_SCOPES: Record<TokenScope, string> = {
  read: 'spark-optimizer:read',
  collect: 'spark-optimizer:collect',
  admin: 'spark-optimizer:admin',
};

/** Default clock tolerance for `exp`/`nbf`, seconds (a minute of skew between the IdP's and this host's clocks would otherwise refuse fresh tokens). */
export const DEFAULT_OIDC_CLOCK_TOLERANCE_SECONDS = 30;

/** Time allowed for the discovery document and the JWKS, ms. */
const FETCH_TIMEOUT_MS = 10_000;

/** What a verified access token grants. */
export interface VerifiedAccessToken {
  scope: TokenScope;
  /** `sub` (the user, or for client credentials the client). */
  subject: string | null;
  /** `client_id` (RFC 9068), else `azp`. */
  clientId: string | null;
}

/** Anything that checks a bearer token that is not one of the service's own; the service calls it for a JWT. */
export interface AccessTokenVerifier {
  /**
   * @throws ProblemError `unauthorized` (bad signature, unknown key, wrong issuer or audience, expired, not yet valid,
   *   malformed), `insufficient-scope` (a valid token carrying none of the configured scopes), or
   *   `identity-provider-unavailable` (the JWKS could not be fetched).
   */
  verify(token: string): Promise<VerifiedAccessToken>;
}

const DiscoverySchema = z.object({ issuer: z.string(), jwks_uri: z.url() });

/** True when `token` has the shape of a JWS compact serialisation (three base64url parts), as JWT access tokens do. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/**
 * The service scope a token's scope claim grants, or null when it carries none of the configured values.
 * @param claim the claim's value: a space-separated string or an array of strings (anything else grants nothing).
 */
export function scopeFromClaim(claim: unknown, scopes: Record<TokenScope, string>): TokenScope | null {
  const values =
    typeof claim === 'string'
      ? claim.split(' ').filter((s) => s !== '')
      : Array.isArray(claim)
        ? claim.filter((s): s is string => typeof s === 'string')
        : [];
  let best: TokenScope | null = null;
  for (const scope of TOKEN_SCOPES) if (values.includes(scopes[scope])) best = scope;
  return best;
}

/** Verifies JWT access tokens of one issuer (see the module comment). Create it with {@link OidcVerifier.open}. */
export class OidcVerifier implements AccessTokenVerifier {
  private constructor(
    readonly settings: OidcSettings,
    /** The JWKS URL used (configured or discovered). */
    readonly jwksUri: string,
    private readonly jose: typeof Jose,
    private readonly keys: ReturnType<typeof Jose.createRemoteJWKSet>,
  ) {}

  /**
   * A verifier for `settings`; reads the issuer's discovery document when no `jwksUri` is given.
   * @throws Error naming the issuer when the discovery document cannot be read, is not JSON with `jwks_uri`, or names
   *   another issuer (OpenID Connect Discovery 1.0 section 4.3: they must be equal).
   */
  static async open(settings: OidcSettings): Promise<OidcVerifier> {
    const jose = await import('jose');
    let jwksUri = settings.jwksUri;
    if (jwksUri === undefined) {
      const url = `${settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      let body: unknown;
      try {
        const res = await fetch(url, {
          signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
          headers: { accept: 'application/json' },
        });
        if (!res.ok) throw new Error(`it answered ${res.status} ${res.statusText}`);
        body = await res.json();
      } catch (e) {
        throw new Error(
          `Cannot read the OIDC discovery document ${url}: ${errorMessage(e)}; check oidc.issuer, or set oidc.jwksUri.`,
          { cause: e },
        );
      }
      const doc = DiscoverySchema.safeParse(body);
      if (!doc.success) throw new Error(`The OIDC discovery document ${url} has no jwks_uri URL; set oidc.jwksUri.`);
      if (doc.data.issuer !== settings.issuer)
        throw new Error(
          `The OIDC discovery document ${url} names issuer "${doc.data.issuer}", not "${settings.issuer}"; set oidc.issuer to the issuer as the tokens write it.`,
        );
      jwksUri = doc.data.jwks_uri;
    }
    const keys = jose.createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: FETCH_TIMEOUT_MS });
    return new OidcVerifier(settings, jwksUri, jose, keys);
  }

  async verify(token: string): Promise<VerifiedAccessToken> {
    const s = this.settings;
    let payload;
    try {
      ({ payload } = await this.jose.jwtVerify(token, this.keys, {
        issuer: s.issuer,
        audience: s.audience,
        clockTolerance: s.clockToleranceSeconds,
        requiredClaims: ['exp'],
      }));
    } catch (e) {
      throw this.rejection(e);
    }
    const scope = scopeFromClaim(payload[s.scopeClaim], s.scopes);
    if (scope === null) {
      throw new ProblemError(
        'insufficient-scope',
        `The access token's "${s.scopeClaim}" claim carries none of the scopes this service grants (${TOKEN_SCOPES.map((k) => s.scopes[k]).join(', ')}); ask the identity provider for one.`,
      );
    }
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    return { scope, subject: str(payload.sub), clientId: str(payload.client_id) ?? str(payload.azp) };
  }

  /** A jose failure as the problem the client gets: what was wrong with the token (never the token itself). */
  private rejection(e: unknown): ProblemError {
    const { errors } = this.jose;
    const s = this.settings;
    if (e instanceof errors.JWTExpired)
      return new ProblemError(
        'unauthorized',
        `The access token expired (exp ${String(e.payload.exp)}, ${new Date(Number(e.payload.exp) * 1000).toISOString()}); get a new one from ${s.issuer}.`,
      );
    if (e instanceof errors.JWTClaimValidationFailed) {
      if (e.claim === 'iss')
        return new ProblemError(
          'unauthorized',
          `The access token was issued by "${String(e.payload.iss)}", not by ${s.issuer}, the issuer this service trusts.`,
        );
      if (e.claim === 'aud')
        return new ProblemError(
          'unauthorized',
          `The access token is for audience ${JSON.stringify(e.payload.aud ?? null)}, not for this service (${s.audience}); request it with this audience (resource).`,
        );
      if (e.claim === 'nbf')
        return new ProblemError(
          'unauthorized',
          'The access token is not valid yet (nbf); check the clocks of this host and the identity provider.',
        );
      return new ProblemError('unauthorized', `The access token's "${e.claim}" claim is not valid: ${e.reason}.`);
    }
    if (e instanceof errors.JWKSNoMatchingKey)
      return new ProblemError(
        'unauthorized',
        `The access token is signed with a key that ${s.issuer} does not publish (${this.jwksUri}).`,
      );
    if (e instanceof errors.JWSSignatureVerificationFailed)
      return new ProblemError(
        'unauthorized',
        `The access token's signature does not verify with the keys of ${s.issuer}.`,
      );
    if (e instanceof errors.JOSEAlgNotAllowed)
      return new ProblemError(
        'unauthorized',
        "The access token's signing algorithm is not one its issuer's keys allow.",
      );
    if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid || !(e instanceof errors.JOSEError)) {
      return new ProblemError(
        'identity-provider-unavailable',
        `The keys of ${s.issuer} could not be read from ${this.jwksUri} (${errorMessage(e)}); try again later.`,
      );
    }
    return new ProblemError('unauthorized', `The bearer token is not a valid access token of ${s.issuer} (${e.code}).`);
  }
}
