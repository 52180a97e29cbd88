/**
 * The service's errors as RFC 9457 problem details (`application/problem+json`): each kind has a stable `type` URI
 * (clients switch on it, never on `title` or `detail`), its HTTP status and a fixed title. The `detail` says what
 * happened to what, and what to do.
 */

import { problemTypeUri } from '../history/team-service';

/** Media type of a problem document (RFC 9457 section 3). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** Every problem the service answers, by kind: HTTP status and title. */
export const PROBLEMS = {
  /**
   * No bearer token, an unknown or revoked `spo_` token, or an OIDC access token that fails a check (signature, key,
   * issuer, audience, expiry): one type for all, the detail says which (RFC 6750 `invalid_token`).
   */
  unauthorized: { status: 401, title: 'Missing or invalid bearer token' },
  /** A valid token whose scope does not allow the request. */
  'insufficient-scope': { status: 403, title: 'Token scope does not allow this request' },
  /** The request's body, path or query does not match the schema. */
  'invalid-request': { status: 400, title: 'Request does not match the schema' },
  /** The body is larger than the service's limit. */
  'payload-too-large': { status: 413, title: 'Request body too large' },
  /** A body in a media type other than application/json. */
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  /** No such route. */
  'not-found': { status: 404, title: 'No such resource' },
  /** The application id (or that attempt) is not in the store. */
  'unknown-application': { status: 404, title: 'Application not in the history store' },
  /** No run of that App Name (workload) is in the store. */
  'unknown-workload': { status: 404, title: 'Workload not in the history store' },
  /** No application of the given job file or settings matches a workload with runs in the store. */
  'no-matching-workload': { status: 404, title: 'No workload with runs matches the file' },
  /** `POST /api/v1/collect` named a source the service's config does not list. */
  'unknown-source': { status: 404, title: 'No such collection source in the service configuration' },
  /** A collection of that source is running (on this instance or another on the same database). */
  'collection-running': { status: 409, title: 'A collection of this source is already running' },
  /** No collection has that id. */
  'unknown-collection': { status: 404, title: 'No such collection' },
  /** An OIDC access token could not be checked: the issuer's keys (JWKS) could not be fetched. */
  'identity-provider-unavailable': { status: 503, title: 'Identity provider unavailable' },
  /** The service failed; the log has the cause. */
  internal: { status: 500, title: 'Internal error' },
} as const;

/** A kind of problem (a key of {@link PROBLEMS}). */
export type ProblemKind = keyof typeof PROBLEMS;

/** The stable `type` URI of a problem kind (a URN, so it never needs to resolve). */
export function problemType(kind: ProblemKind): string {
  return problemTypeUri(kind);
}

/** A problem document (RFC 9457 section 3.1 members; `errors` lists schema issues of an invalid request). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { path: string; message: string }[];
  /** `collection-running`: the id of the collection that runs (RFC 9457 section 3.2 extension member). */
  collectionId?: number;
}

/** Extension members of a problem (RFC 9457 section 3.2), by the kinds that carry them. */
export interface ProblemExtensions {
  /** `collection-running`: the collection that runs, for the client to follow. */
  collectionId?: number;
}

/** An error a route throws to answer with a problem document. */
export class ProblemError extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly errors?: { path: string; message: string }[],
    readonly extensions?: ProblemExtensions,
  ) {
    super(detail);
  }

  /** The problem document, for the request `instance` (its path). */
  problem(instance?: string): Problem {
    const p = PROBLEMS[this.kind];
    return {
      type: problemType(this.kind),
      title: p.title,
      status: p.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extensions,
    };
  }
}
