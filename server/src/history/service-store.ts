/**
 * What the REST service (service/app.ts) needs of a store, declared here so the service never imports store/: the
 * history reads ({@link HistoryQueries}), the ingest sink collections write through ({@link HistorySink}), the applied
 * quick fixes the editor's feedback loop reads (recommend/feedback.ts), feedback on recommendations, and the service's
 * bearer tokens, and the leases and records of its collections (history/collection-ledger.ts). Every method answers
 * with a promise, so a store behind a network fits: two implementations,
 * `SqliteServiceStore` (store/sqlite-service-store.ts, over the editor's and CLI's synchronous `HistoryStore`) and
 * `PostgresStore` (store/postgres-store.ts), opened by `openServiceStore` (store/open.ts) from a file path or a
 * `postgres://` URL. The engine never reads it directly: the service loads what the engine asks for
 * (history/loaded-history.ts) and runs the engine on those records.
 */
import type { HistoryQueries } from './history-reader';
import type { HistorySink } from './ingest';
import type { AppliedFix } from '../recommend/feedback';
import type { CollectionLedger } from './collection-ledger';

/** Token scopes, weakest first: each scope allows what the scopes before it allow. */
export const TOKEN_SCOPES = ['read', 'collect', 'admin'] as const;

/** A token scope: `read` (workloads, runs, applications, analyze, recommend, feedback), `collect` (start collections), `admin` (tokens). */
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** One stored service token (table `service_tokens`, migration 8); the token itself is never stored, only its SHA-256. */
export interface ServiceToken {
  id: number;
  /** What the token is for, e.g. `ci` or `alice's editor` (given at creation). */
  name: string;
  scope: TokenScope;
  /** SHA-256 of the token's UTF-8 bytes, lower-case hex (64 characters). */
  tokenSha256: string;
  createdAtMs: number;
  /** When it was revoked, epoch ms; null while valid. */
  revokedAtMs: number | null;
}

/** What a user said about one recommended setting (`POST /api/v1/feedback`). */
export type FeedbackVerdict = 'applied' | 'accepted' | 'rejected';

/** One row of `recommendation_feedback` (migration 8). */
export interface RecommendationFeedback {
  id: number;
  verdict: FeedbackVerdict;
  /** The job (Spark `App Name`) the recommendation was for. */
  appName: string;
  /** The Spark configuration key, e.g. `spark.executor.memory`. */
  key: string;
  /** The value the plan recommended; null when not given. */
  recommendedValue: string | null;
  /** The value before the change; null when the file did not set it or it was not given. */
  previousValue: string | null;
  /** Why (free text from the user), null when none given. */
  reason: string | null;
  /** The job file the recommendation was made for, as the client names it (a URI or a path on the client); never read. */
  fileUri: string | null;
  /** For `applied`: the row written to `applied_fixes` (the editor's before/after feedback loop); else null. */
  appliedFixId: number | null;
  /** The service token that sent it; null when written without one. */
  tokenId: number | null;
  receivedAtMs: number;
}

/** The store the service reads and writes. */
export interface ServiceStore extends HistoryQueries, HistorySink, CollectionLedger {
  /** What the store is, for logs and messages: `SQLite FILE` or `PostgreSQL postgres://user@host:port/db` (never a password). */
  readonly description: string;
  /**
   * A value that changes whenever the history the engine reads changes (an attempt stored or replaced, a History Server
   * run recorded, an applied fix or feedback stored), by this process or another; the service drops what it loaded when it changes.
   */
  historyVersion(): Promise<string>;
  /** Remembers an applied fix (the editor's quick-fix feedback loop reads it back). @returns its id. */
  recordAppliedFix(fix: Omit<AppliedFix, 'id'>): Promise<number>;
  /** Applied fixes of a job (by app name) or of a file, oldest first. */
  appliedFixes(appName: string | null, fileUri?: string): Promise<AppliedFix[]>;
  /** Stores feedback on a recommendation. @returns its id. */
  recordFeedback(f: Omit<RecommendationFeedback, 'id'>): Promise<number>;
  /** Feedback on a job's recommendations, oldest first. */
  feedbackOf(appName: string): Promise<RecommendationFeedback[]>;
  /** Stores a new token (its hash). @returns its id. @throws Error when the hash is already stored. */
  createToken(t: Omit<ServiceToken, 'id' | 'revokedAtMs'>): Promise<number>;
  /** The token with this SHA-256 (valid or revoked), or null. */
  tokenBySha256(tokenSha256: string): Promise<ServiceToken | null>;
  /** Every stored token, oldest first. */
  listTokens(): Promise<ServiceToken[]>;
  /** Revokes a token (requests with it get 401 from then on). @returns false when no valid token has this id. */
  revokeToken(id: number, atMs: number): Promise<boolean>;
  /** Closes the store's connections (waits for queries in flight). */
  close(): Promise<void>;
}
