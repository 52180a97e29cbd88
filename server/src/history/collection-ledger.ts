/**
 * What the service's collections need of the store (part of `ServiceStore`, history/service-store.ts; declared in the
 * core, as `HistorySink` is, so neither service/ imports store/ nor store/ a front end): a lease per configured source, so that of several service instances on one database only one
 * collects a source at a time, and the record of every collection (its state, progress and errors), which any instance
 * answers `GET /api/v1/collections/{id}` from.
 *
 * The lease (table `collection_leases`, migration 11): one row per source name. Taking it is one atomic statement
 * (an INSERT that, on the source's existing row, updates it only when that lease has expired), so two instances racing
 * for it cannot both win; the holder renews it (moves its expiry on) while it collects, and releases it when done. A
 * crashed holder stops renewing: its lease expires and another instance takes it. Times are the instances' clocks (epoch
 * ms), so instances sharing a database need clocks in step (NTP) to well within the lease's time to live.
 */

/** A collection's state: `queued` (accepted, not started), `running`, `succeeded` (ran to the end), `failed`. */
export const COLLECTION_STATES = ['queued', 'running', 'succeeded', 'failed'] as const;
/** One of {@link COLLECTION_STATES}. */
export type CollectionState = (typeof COLLECTION_STATES)[number];

/** What started a collection: a `POST /api/v1/collect` request, or the source's interval. */
export const COLLECTION_TRIGGERS = ['request', 'schedule'] as const;
/** One of {@link COLLECTION_TRIGGERS}. */
export type CollectionTrigger = (typeof COLLECTION_TRIGGERS)[number];

/**
 * A collection's counts. A "log" is one event log (a file or a rolling folder) of a folder or object-store source, or
 * one application attempt of a History Server. Exact once the collection finished; while it runs, `logsFound` is what
 * the listing found, `logsRead` and `logsStored` what was read and stored so far, `logsSkipped` what was passed over as
 * already stored, and `logsFailed` and `applicationsStored` are filled at the end.
 */
export interface CollectionProgress {
  /** Logs (or History Server attempts) the source listed. */
  logsFound: number;
  /** Logs whose content was read (downloaded, decoded), including those that then failed. */
  logsRead: number;
  /** Logs stored: a new application attempt, or a newer version of a stored one. */
  logsStored: number;
  /** Logs not stored because the store already held them (not read at all, or read and found the same). */
  logsSkipped: number;
  /** Logs that could not be collected (each with its reason in `errors`). */
  logsFailed: number;
  /** Distinct applications (by application id) stored by this collection. */
  applicationsStored: number;
}

/** One error of a collection: the log, URL or source that failed, and why (no credentials in either). */
export interface CollectionError {
  path: string;
  reason: string;
  /** Of what kind, when the source said (a History Server's 401, a certificate). */
  kind?: string;
}

/** One collection (table `collections`, migration 11). */
export interface CollectionRun extends CollectionProgress {
  id: number;
  /** The configured source's name (the service's config file). */
  sourceName: string;
  /** `event-logs` (a folder), `object-store` or `history-server`. */
  sourceKind: string;
  trigger: CollectionTrigger;
  state: CollectionState;
  /** The service instance that held the source's lease and ran it (`--instance-name`, default host:pid). */
  holder: string;
  /** The `spo_` token that requested it, or null (scheduled, or an OIDC access token). */
  tokenId: number | null;
  requestedAtMs: number;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  /** The failures (at most {@link MAX_COLLECTION_ERRORS}; `errorsTotal` counts them all). */
  errors: CollectionError[];
  /** How many errors there were in all. */
  errorsTotal: number;
}

/** Errors kept per collection: the first ones, with the total counted (a listing of 10,000 bad logs stays small). */
export const MAX_COLLECTION_ERRORS = 100;

/** A source's lease (table `collection_leases`). */
export interface CollectionLease {
  sourceName: string;
  /** The instance that holds (or last held) it. */
  holder: string;
  /** The collection it runs under this lease, once recorded. */
  collectionId: number | null;
  acquiredAtMs: number;
  /** Epoch ms after which another instance may take it (unless renewed). */
  expiresAtMs: number;
  /** When its holder released it after collecting, epoch ms; null while held (or when its holder died). */
  releasedAtMs: number | null;
}

/** The store's side of collections: leases and the record of each collection. */
export interface CollectionLedger {
  /**
   * Takes the lease of `sourceName` for `holder` in one atomic statement: succeeds when nobody holds it, or its lease
   * expired (`expiresAtMs <= nowMs`) and it was not released after `releasedBeforeMs` (a scheduled run passes
   * now − interval, so a source collected by another instance a moment ago is not collected again at once).
   * @returns true when `holder` now holds it, until `nowMs + ttlMs`.
   */
  acquireLease(
    sourceName: string,
    holder: string,
    nowMs: number,
    ttlMs: number,
    releasedBeforeMs: number,
  ): Promise<boolean>;
  /**
   * Moves the expiry of a lease `holder` holds to `nowMs + ttlMs` and records the collection it runs.
   * @returns false when `holder` no longer holds it (it expired and another instance took it).
   */
  renewLease(
    sourceName: string,
    holder: string,
    nowMs: number,
    ttlMs: number,
    collectionId: number | null,
  ): Promise<boolean>;
  /** Releases a lease `holder` holds (at `nowMs`); nothing when another holds it. */
  releaseLease(sourceName: string, holder: string, nowMs: number): Promise<void>;
  /** The lease row of a source, or null when it was never taken. */
  leaseOf(sourceName: string): Promise<CollectionLease | null>;
  /** Records a new collection. @returns its id. */
  createCollection(run: Omit<CollectionRun, 'id'>): Promise<number>;
  /** Writes a collection's state, times, counts and errors (every field but id, source and trigger). */
  updateCollection(run: CollectionRun): Promise<void>;
  /** One collection, or null. */
  collection(id: number): Promise<CollectionRun | null>;
  /** The newest collections (of one source when given), newest first. */
  recentCollections(limit: number, sourceName?: string): Promise<CollectionRun[]>;
}
