/**
 * Bearer tokens of the REST service: made by `spark-optimizer token create`, shown once, stored only as their SHA-256
 * (a token is 32 random bytes, so a fast hash is enough: nothing to brute-force, unlike a password; GitHub and
 * Kubernetes bootstrap tokens are stored the same way).
 */
import { createHash, randomBytes } from 'crypto';
import { TOKEN_SCOPES, type TokenScope } from '../history/service-store';

/** Every token starts with this, so secret scanners and people can tell what it is. */
export const TOKEN_PREFIX = 'spo_';

/** A new token: 32 random bytes as base64url after {@link TOKEN_PREFIX} (47 characters), and its SHA-256. */
export function newToken(): { token: string; tokenSha256: string } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, tokenSha256: tokenSha256(token) };
}

/** SHA-256 of a token's UTF-8 bytes, lower-case hex: the form stored and looked up. */
export function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True when a token of scope `have` may do what needs `need` (admin ⊇ collect ⊇ read). */
export function scopeAllows(have: TokenScope, need: TokenScope): boolean {
  return TOKEN_SCOPES.indexOf(have) >= TOKEN_SCOPES.indexOf(need);
}

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750 section 2.1; the scheme is case-insensitive), or
 * null when the header is absent or not a bearer credential.
 */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? '');
  return m ? m[1] : null;
}
