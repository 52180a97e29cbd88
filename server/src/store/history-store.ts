import * as fs from 'fs';
import * as path from 'path';
import Database from 'better-sqlite3';
import type { ApplicationRecord } from '../history/application-record';
import type { ApplicationTotals, HistoryReader } from '../history/history-reader';
import type { StoredWorkload } from '../../../shared/src/protocol';
import { errorMessage } from '../../../shared/src/errors';
import type {
  CollectionSourceState,
  HistorySink,
  RecordSource,
  SourceVersion,
  StoredAttempt,
  UpsertOutcome,
} from '../history/ingest';
import { workloadSignature, resourceStem } from '../history/workload-signature';
import type { AppliedFix } from '../recommend/feedback';
import type { CollectionLease, CollectionRun } from '../history/collection-ledger';
import type { RecommendationFeedback, ServiceToken } from '../history/service-store';
import * as LedgerSql from './collection-ledger-sql';
import { MIGRATIONS } from './migrations';
import {
  APPLICATIONS,
  APPLIED_FIXES,
  ApplicationRow,
  AttemptKey,
  COLLECTION_SOURCES,
  columnOf,
  columnsOf,
  EXECUTORS,
  fromColumns,
  columnText,
  JOBS,
  num,
  RECOMMENDATION_FEEDBACK,
  RECORD_SOURCES,
  rowReader,
  SERVICE_TOKENS,
  SqlValue,
  STAGES,
  TableMap,
  toColumns,
  COLLECTION_LEASES,
  COLLECTIONS,
} from './record-columns';
import { StoreUnavailableError } from './store-path';

export type { ApplicationTotals } from '../history/history-reader';
export { decodeDurations, encodeDurations } from './record-columns';
export type { CollectionSourceState, RecordSource, StoredAttempt, UpsertOutcome } from '../history/ingest';

/** How the store waits for other processes' locks (see {@link HistoryStore.open}). */
export interface StoreLockOptions {
  /** SQLite's busy timeout: how long one statement waits for a lock held by another process, ms (default 10,000). */
  busyTimeoutMs?: number;
  /** Further tries after a statement or transaction gave up waiting (default 3), with growing pauses between them. */
  busyRetries?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 10_000;
const DEFAULT_BUSY_RETRIES = 3;
/** Pause before the n-th retry: 100 ms, 400 ms, 1.6 s, ... (plus up to 50 % jitter so waiting processes spread out). */
const RETRY_BASE_MS = 100;
/**
 * Runs of other app names with a stage-DAG signature, newest first (`runsWithSameSignature`); read in the order of the
 * index applications_workload_signature_runs (migrations 9, 10), so the newest `LIMIT` rows need no sort.
 */
export const SAME_SIGNATURE_RUNS_SQL =
  'SELECT * FROM applications WHERE workload_signature = ? AND app_name <> ? ORDER BY start_time_ms DESC LIMIT ?';

/** The figures of `historyVersion`: attempts stored, newest write, newest History Server run, newest applied fix. */
export const HISTORY_VERSION_SQL =
  'SELECT (SELECT count(*) FROM applications), (SELECT max(collected_at_ms) FROM applications), (SELECT max(last_run_time_ms) FROM collection_sources), (SELECT max(id) FROM applied_fixes)';

/** A row as a driver gives or takes it: column name → value. */
export type Row = Record<string, unknown>;

/** The `attempt_id` column: Spark's `App Attempt ID`, or '' for an application without attempts (part of the key). */
export function attemptKey(attemptId: string | null): string {
  return attemptId ?? '';
}

/** A column value as better-sqlite3 binds it: booleans as 0/1 (SQLite has no boolean type). */
function sqliteValue(v: SqlValue): Exclude<SqlValue, boolean> {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

/** `INSERT INTO table (columns…) VALUES (@columns…)` over the map's written columns. */
function insertSql<T>(map: TableMap<T>): string {
  const cols = map.columns.filter((c) => !c.codec.generated).map((c) => c.column);
  return `INSERT INTO ${map.table} (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`;
}

/**
 * {@link insertSql} that updates the row with the same key instead (`ON CONFLICT (key) DO UPDATE`): each other column
 * takes the new value (`excluded.column`), or the expression `update` gives for it.
 */
function upsertSql<T>(map: TableMap<T>, update: Record<string, string> = {}): string {
  const set = map.columns
    .filter((c) => !c.codec.generated && !map.key.includes(c.column))
    .map((c) => `${c.column} = ${update[c.column] ?? `excluded.${c.column}`}`);
  return `${insertSql(map)} ON CONFLICT(${map.key.join(', ')}) DO UPDATE SET ${set.join(', ')}`;
}

/** A row's named parameters for {@link insertSql}: the map's column values, bound as SQLite takes them. */
export function params<T>(map: TableMap<T>, row: T): Record<string, Exclude<SqlValue, boolean>> {
  const values = toColumns(map, row);
  const out: Record<string, Exclude<SqlValue, boolean>> = {};
  for (const [k, v] of Object.entries(values)) out[k] = sqliteValue(v);
  return out;
}

/** A row without the key of its application attempt (a child row back to its record). */
export function withoutAttemptKey<T extends AttemptKey>(row: T): Omit<T, keyof AttemptKey> {
  const { appId: _appId, appAttemptId: _appAttemptId, ...rest } = row;
  void _appId;
  void _appAttemptId;
  return rest;
}

/** True for SQLite's "database is locked" family (SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED, ...). */
function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/** Blocks this thread for `ms` (the store's API is synchronous, like better-sqlite3's own busy wait). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `fn`, retrying it while SQLite answers "database is locked" (each try already waited the busy timeout).
 * @throws Error naming the store and how long it waited, when every try was refused; other errors unchanged.
 */
function retryBusy<T>(fn: () => T, file: string, what: string, retries: number, busyTimeoutMs: number): T {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (e) {
      if (!isBusy(e)) throw e;
      if (attempt >= retries) {
        const waited = ((Date.now() - started) / 1000).toFixed(1);
        throw new Error(
          `the history store ${file} stayed locked by another process while ${what} (${attempt + 1} tries over ${waited} s, busy timeout ${busyTimeoutMs} ms): ${errorMessage(e)}`,
          { cause: e },
        );
      }
      const pause = RETRY_BASE_MS * 4 ** attempt;
      sleepSync(pause + Math.random() * pause * 0.5);
    }
  }
}

/**
 * The local SQLite store of application records (better-sqlite3, WAL mode): the {@link HistorySink} ingest writes to
 * and the {@link HistoryReader} the features read.
 *
 * One row per application attempt, keyed (`app_id`, `attempt_id`) as the History Server keys attempts: attempt 1 and
 * attempt 2 of a YARN application are two runs. The finished version of an in-progress log replaces its older version;
 * re-reading the same log (same path, size and mtime) changes nothing, and every source version read is remembered
 * (`record_sources`), so a second copy of a log elsewhere is read once and then skipped.
 *
 * Safe for several processes at once: writes take the write lock up front (`BEGIN IMMEDIATE`) and wait for it (busy
 * timeout, then retries); each application is written in one transaction, so a killed process leaves either the old
 * or the new record, never half of one; reads of one record run in one read transaction (a consistent snapshot while
 * another process writes); schema migrations run under an exclusive lock.
 */
export class HistoryStore implements HistorySink, HistoryReader {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    db: Database.Database,
    private readonly file: string,
    private readonly busyTimeoutMs: number,
    private readonly busyRetries: number,
  ) {
    this.db = db;
  }

  /**
   * Opens (creating if needed) the store at `file` and applies pending migrations. Another process may open, migrate,
   * read or write the same file at the same time: the set-up waits for its locks (busy timeout, then retries), and
   * migrations run in one exclusive transaction that re-reads the schema version after taking the lock.
   * @param file path of the SQLite file; its folder is created. `:memory:` for a throwaway store.
   * @param lock how long to wait for other processes' locks.
   * @throws StoreUnavailableError (store-path.ts: the file and the reason) when its folder cannot be made, the file is
   *   not a SQLite database, was written by a newer version of this tool, or stayed locked.
   */
  static open(file: string, lock: StoreLockOptions = {}): HistoryStore {
    try {
      return HistoryStore.openFile(file, lock);
    } catch (e) {
      throw StoreUnavailableError.of(file, e);
    }
  }

  private static openFile(file: string, lock: StoreLockOptions): HistoryStore {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const busyTimeoutMs = lock.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const busyRetries = lock.busyRetries ?? DEFAULT_BUSY_RETRIES;
    return retryBusy(
      () => {
        const db = new Database(file);
        try {
          // The busy timeout first: every later statement, even setting WAL on a new file, may meet another process's lock.
          db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
          db.pragma('journal_mode = WAL');
          migrate(db, file);
          db.pragma('foreign_keys = ON');
          return new HistoryStore(db, file, busyTimeoutMs, busyRetries);
        } catch (e) {
          db.close();
          throw e;
        }
      },
      file,
      'opening it',
      busyRetries,
      busyTimeoutMs,
    );
  }

  /** Schema version (`PRAGMA user_version`). */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** Runs `fn` in one write transaction that takes the write lock first (`BEGIN IMMEDIATE`), retried while locked. */
  private write<T>(what: string, fn: () => T): T {
    const tx = this.db.transaction(fn);
    return retryBusy(() => tx.immediate(), this.file, what, this.busyRetries, this.busyTimeoutMs);
  }

  /** Runs `fn` in one read transaction (a snapshot: another process's commits in between are not seen), retried while locked. */
  private read<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    const tx = this.db.transaction(fn);
    return retryBusy(() => tx.deferred(), this.file, 'reading it', this.busyRetries, this.busyTimeoutMs);
  }

  /**
   * True when this exact source version ({@link sameSourceVersion}) was already upserted, whatever the outcome (a
   * second copy of a stored attempt counts), so a collection can skip reading it.
   */
  hasSource(source: SourceVersion): boolean {
    const q = hasSourceQuery(source);
    return this.read(() => this.stmt(q.sql).get(...q.params) !== undefined);
  }

  /**
   * Inserts or replaces one application attempt, with its stages, executors and jobs, in one transaction, and remembers
   * the source version. Rules, for the attempt (`appId`, `attemptId`):
   * - not stored: `inserted`;
   * - stored from this very source version: `unchanged`;
   * - stored completed and this version is not: kept (`unchanged` from the same path, else `duplicate`);
   * - from the same path (the log grew or finished): `updated`;
   * - from another path (a copy of the log): `updated` when this one is more complete (finished where the stored one is
   *   not, or, both unfinished, more tasks or a longer span), else `duplicate`.
   * @throws Error when the store stayed locked by other processes beyond the busy timeout and retries.
   */
  upsert(record: ApplicationRecord, source: RecordSource, nowMs = Date.now()): UpsertOutcome {
    return this.write(`storing ${record.appId}`, (): UpsertOutcome => {
      const attempt = attemptKey(record.attemptId);
      const oldRow = this.stmt(
        `SELECT ${columnsOf(APPLICATIONS, UPSERT_FIELDS).join(', ')} FROM applications WHERE app_id = ? AND attempt_id = ?`,
      ).get(record.appId, attempt) as Row | undefined;
      const outcome = upsertOutcome(oldRow, record, source);
      if (outcome === 'updated')
        this.stmt('DELETE FROM applications WHERE app_id = ? AND attempt_id = ?').run(record.appId, attempt);
      if (outcome === 'inserted' || outcome === 'updated') this.insert(record, source, nowMs);
      this.stmt(upsertSql(RECORD_SOURCES)).run(
        params(RECORD_SOURCES, {
          path: source.path,
          sizeBytes: source.sizeBytes,
          mtimeMs: source.mtimeMs,
          objectVersions: source.objectVersions ?? null,
          appId: record.appId,
          attemptId: record.attemptId,
          recordedAtMs: nowMs,
        }),
      );
      return outcome;
    });
  }

  /** Writes one attempt's rows (application, stages, jobs, executors) through the tables' column maps. */
  private insert(r: ApplicationRecord, source: RecordSource, nowMs: number): void {
    const { stages, executors, jobs } = r;
    const app = applicationRow(r, source, nowMs);
    this.stmt(insertSql(APPLICATIONS)).run(params(APPLICATIONS, app));
    const key: AttemptKey = { appId: r.appId, appAttemptId: r.attemptId };
    const stageInsert = this.stmt(insertSql(STAGES));
    for (const s of stages) stageInsert.run(params(STAGES, { ...key, ...s }));
    const jobInsert = this.stmt(insertSql(JOBS));
    for (const j of jobs ?? []) jobInsert.run(params(JOBS, { ...key, ...j }));
    const executorInsert = this.stmt(insertSql(EXECUTORS));
    for (const e of executors) executorInsert.run(params(EXECUTORS, { ...key, ...e }));
  }

  /** The stored version of one attempt (`attemptId` null: the application without attempt ids), or null. */
  storedAttempt(appId: string, attemptId: string | null): StoredAttempt | null {
    const row = this.read(() =>
      this.stmt(`SELECT ${STORED_ATTEMPT_COLUMNS} FROM applications WHERE app_id = ? AND attempt_id = ?`).get(
        appId,
        attemptKey(attemptId),
      ),
    ) as Row | undefined;
    return row ? readStoredAttempt(row) : null;
  }

  /** The stored attempts of one application, oldest first (by start time). */
  attemptsOf(appId: string): StoredAttempt[] {
    const rows = this.read(() =>
      this.stmt(
        `SELECT ${STORED_ATTEMPT_COLUMNS} FROM applications WHERE app_id = ? ORDER BY start_time_ms, attempt_id`,
      ).all(appId),
    ) as Row[];
    return rows.map(readStoredAttempt);
  }

  /**
   * Attempts stored unfinished (`completed` = 0) whose source path starts with `sourcePrefix`, so a collector can re-check
   * them even when a listing filter (an end-time watermark) would hide them.
   * @param sourcePrefix e.g. a History Server's `http://host:18080/api/v1/applications/`.
   */
  incompleteAttempts(sourcePrefix: string): { appId: string; attemptId: string | null }[] {
    const rows = this.read(() =>
      this.stmt(`SELECT ${STORED_ATTEMPT_COLUMNS} FROM applications WHERE completed = 0`).all(),
    ) as Row[];
    return rows
      .map(readStoredAttempt)
      .filter((a) => a.sourcePath.startsWith(sourcePrefix))
      .map((a) => ({ appId: a.appId, attemptId: a.attemptId }));
  }

  /**
   * The watermark of one collection source (a History Server URL), or null before its first recorded run.
   * @param sourceUrl the History Server base URL without credentials.
   */
  collectionSource(sourceUrl: string): CollectionSourceState | null {
    const row = this.read(() => this.stmt('SELECT * FROM collection_sources WHERE source_url = ?').get(sourceUrl)) as
      Row | undefined;
    return row ? fromColumns(COLLECTION_SOURCES, row) : null;
  }

  /**
   * Records a finished collection run of `sourceUrl`: its time, and the new watermark when the run
   * established one (null keeps the stored watermark). The watermark never moves back.
   * @param completedEndTimeMs every completed attempt that ended before this (epoch ms) is stored.
   * @param runTimeMs when the run started, epoch ms.
   */
  recordCollectionRun(sourceUrl: string, completedEndTimeMs: number | null, runTimeMs: number): void {
    const watermark = columnOf(COLLECTION_SOURCES, 'lastCompletedEndTimeMs');
    // The watermark never moves back, and a run without one keeps the stored one.
    const sql = upsertSql(COLLECTION_SOURCES, {
      [watermark]: `CASE WHEN excluded.${watermark} IS NULL THEN ${watermark} WHEN ${watermark} IS NULL THEN excluded.${watermark} ELSE max(${watermark}, excluded.${watermark}) END`,
    });
    this.write(`recording the run of ${sourceUrl}`, () =>
      this.stmt(sql).run(
        params(COLLECTION_SOURCES, { sourceUrl, lastCompletedEndTimeMs: completedEndTimeMs, lastRunTimeMs: runTimeMs }),
      ),
    );
  }

  /**
   * When history was last collected, epoch ms: the newest application write or History Server run; null for an
   * empty store.
   */
  lastCollectedAtMs(): number | null {
    const row = this.read(() =>
      this.stmt(
        'SELECT max(t) AS t FROM (SELECT max(collected_at_ms) AS t FROM applications UNION ALL SELECT max(last_run_time_ms) FROM collection_sources)',
      ).get(),
    ) as { t: number | null };
    return row.t ?? null;
  }

  /** Number of application attempts stored. */
  countApplications(): number {
    return (this.read(() => this.stmt('SELECT count(*) AS n FROM applications').get()) as { n: number }).n;
  }

  /**
   * A value that changes when the history changes (an attempt stored or replaced, a History Server run recorded, an
   * applied fix stored), by this process or another: {@link HISTORY_VERSION_SQL}'s four figures in one snapshot
   * (store/postgres-store.ts reads the same).
   */
  historyVersion(): string {
    return this.read(() =>
      (this.stmt(HISTORY_VERSION_SQL).raw().get() as unknown[]).map((v) => columnText(v)).join(':'),
    );
  }

  /** The workloads (runs grouped by `App Name`) with run counts, newest first. */
  listWorkloads(): StoredWorkload[] {
    const rows = this.read(() =>
      this.stmt(
        'SELECT app_name, count(*) AS runs, max(start_time_ms) AS last_start, group_concat(duration_ms) AS durations FROM applications GROUP BY app_name ORDER BY last_start DESC',
      ).all(),
    ) as Row[];
    return rows.map((row) => ({
      appName: String(row.app_name),
      runs: Number(row.runs),
      lastStartTimeMs: Number(row.last_start),
      medianDurationMs: lowerMedian(String(row.durations).split(',').map(Number)),
    }));
  }

  /**
   * Totals of every application attempt, without stages or executors (one query): what the similar-workloads index
   * needs, at a fraction of the cost of `allRuns` (test/bench/similar-workloads.ts measures both).
   */
  applicationTotals(): ApplicationTotals[] {
    const rows = this.read(() =>
      this.stmt(
        `SELECT ${columnsOf(APPLICATIONS, TOTALS_FIELDS)
          .map((c) => `a.${c}`)
          .join(', ')}, coalesce(s.n, 0) AS stage_rows, coalesce(s.shuffling, 0) AS shuffling
         FROM applications a LEFT JOIN (
           SELECT app_id, attempt_id, count(*) AS n, sum(shuffle_read_bytes > 0 OR shuffle_write_bytes > 0) AS shuffling FROM stages GROUP BY app_id, attempt_id
         ) s ON s.app_id = a.app_id AND s.attempt_id = a.attempt_id
         ORDER BY a.start_time_ms DESC`,
      ).all(),
    ) as Row[];
    return rows.map((r) => ({ ...readTotals(r), stageRows: num(r.stage_rows), shufflingStages: num(r.shuffling) }));
  }

  /**
   * App names of the runs whose submitted file has this stem (`nightly_etl` for `…/nightly_etl.py`), most runs first.
   * Rows collected before schema 5 have no submitted file and never match.
   */
  appNamesBySubmittedFile(stem: string): string[] {
    const rows = this.read(() =>
      this.stmt(
        'SELECT app_name, main_resource, count(*) AS n FROM applications WHERE main_resource IS NOT NULL AND main_resource LIKE ? GROUP BY app_name, main_resource ORDER BY n DESC',
      ).all(`%${stem}%`),
    ) as Row[];
    const out: string[] = [];
    for (const r of rows)
      if (
        resourceStem(String(r.main_resource)).toLowerCase() === stem.toLowerCase() &&
        !out.includes(String(r.app_name))
      )
        out.push(String(r.app_name));
    return out;
  }

  /**
   * Names of the workloads with runs on this `spark.master` (the same cluster), most recently run first, at most `limit`
   * (default 8).
   */
  appNamesByMaster(master: string, limit = 8): string[] {
    // Ties (the same newest start) by name in byte order, as PostgresStore orders them.
    const rows = this.read(() =>
      this.stmt(
        'SELECT app_name, max(start_time_ms) AS last FROM applications WHERE master = ? GROUP BY app_name ORDER BY last DESC, app_name LIMIT ?',
      ).all(master, limit),
    ) as Row[];
    return rows.map((r) => String(r.app_name));
  }

  /**
   * Full records of runs with the same stage-DAG signature as the newest run of `appName` but stored under other app
   * names (the application was renamed), newest first. Empty when `appName` has no signature (no stages, or collected before schema 5).
   */
  runsWithSameSignature(appName: string, limit = 50): ApplicationRecord[] {
    return this.read(() => {
      const sig = this.stmt(
        'SELECT workload_signature FROM applications WHERE app_name = ? AND workload_signature IS NOT NULL ORDER BY start_time_ms DESC LIMIT 1',
      ).get(appName) as Row | undefined;
      if (!sig) return [];
      const apps = this.stmt(SAME_SIGNATURE_RUNS_SQL).all(sig.workload_signature, appName, limit) as Row[];
      return apps.map((a) => this.toRecord(a));
    });
  }

  /** Distinct application names (for matching a file to its workload). */
  appNames(): string[] {
    return (this.read(() => this.stmt('SELECT DISTINCT app_name FROM applications').all()) as Row[]).map((r) =>
      String(r.app_name),
    );
  }

  /**
   * Full records (with stages and executors) of every run whose `app_name` equals `appName`, newest first; each attempt
   * of an application is its own record (with `attemptId`).
   * @param limit at most this many runs (newest).
   */
  runsByAppName(appName: string, limit = 50): ApplicationRecord[] {
    return this.read(() => {
      const apps = this.stmt(
        'SELECT * FROM applications WHERE app_name = ? ORDER BY start_time_ms DESC, attempt_id DESC LIMIT ?',
      ).all(appName, limit) as Row[];
      return apps.map((a) => this.toRecord(a));
    });
  }

  /**
   * Remembers an applied quick fix (table `applied_fixes`, migration 4).
   * @returns its id.
   */
  recordAppliedFix(fix: Omit<AppliedFix, 'id'>): number {
    // `id` is generated by the database (not written).
    const r = this.write('remembering an applied fix', () =>
      this.stmt(insertSql(APPLIED_FIXES)).run(params(APPLIED_FIXES, { id: 0, ...fix })),
    );
    return Number(r.lastInsertRowid);
  }

  /** Applied fixes of a workload (by app name), or of a file when `fileUri` is given too; oldest first. */
  appliedFixes(appName: string | null, fileUri?: string): AppliedFix[] {
    const rows = this.read(() =>
      this.stmt(
        'SELECT * FROM applied_fixes WHERE (app_name = ?) OR (? IS NOT NULL AND file_uri = ?) ORDER BY applied_at_ms, id',
      ).all(appName, fileUri ?? null, fileUri ?? null),
    ) as Row[];
    return rows.map((r) => fromColumns(APPLIED_FIXES, r));
  }

  /** Stores feedback on a recommendation (table `recommendation_feedback`, migration 8). @returns its id. */
  recordFeedback(f: Omit<RecommendationFeedback, 'id'>): number {
    const r = this.write('storing feedback', () =>
      this.stmt(insertSql(RECOMMENDATION_FEEDBACK)).run(params(RECOMMENDATION_FEEDBACK, { id: 0, ...f })),
    );
    return Number(r.lastInsertRowid);
  }

  /** Feedback on the recommendations of one workload (by app name), oldest first. */
  feedbackOf(appName: string): RecommendationFeedback[] {
    const rows = this.read(() =>
      this.stmt('SELECT * FROM recommendation_feedback WHERE app_name = ? ORDER BY received_at_ms, id').all(appName),
    ) as Row[];
    return rows.map((r) => fromColumns(RECOMMENDATION_FEEDBACK, r));
  }

  /**
   * Stores a service token by its SHA-256 (table `service_tokens`, migration 8).
   * @returns its id. @throws Error (SQLite UNIQUE constraint) when that hash is already stored.
   */
  createToken(t: Omit<ServiceToken, 'id' | 'revokedAtMs'>): number {
    const r = this.write('storing a token', () =>
      this.stmt(insertSql(SERVICE_TOKENS)).run(params(SERVICE_TOKENS, { id: 0, revokedAtMs: null, ...t })),
    );
    return Number(r.lastInsertRowid);
  }

  /** The token stored with this SHA-256 (lower-case hex), valid or revoked; null when none. */
  tokenBySha256(tokenSha256: string): ServiceToken | null {
    const row = this.read(() => this.stmt('SELECT * FROM service_tokens WHERE token_sha256 = ?').get(tokenSha256)) as
      Row | undefined;
    return row ? fromColumns(SERVICE_TOKENS, row) : null;
  }

  /** Revokes a valid token by id (sets `revoked_at_ms`). @returns false when no valid token has this id. */
  revokeToken(id: number, atMs: number): boolean {
    const r = this.write('revoking a token', () =>
      this.stmt('UPDATE service_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL').run(
        Math.trunc(atMs),
        id,
      ),
    );
    return r.changes === 1;
  }

  /** Every stored token (hashes only), oldest first. */
  listTokens(): ServiceToken[] {
    return (this.read(() => this.stmt('SELECT * FROM service_tokens ORDER BY id').all()) as Row[]).map((r) =>
      fromColumns(SERVICE_TOKENS, r),
    );
  }

  /**
   * Takes the collection lease of a source in one statement (store/collection-ledger-sql.ts; history/collection-ledger.ts
   * says when it succeeds). @returns true when `holder` holds it now.
   */
  acquireLease(sourceName: string, holder: string, nowMs: number, ttlMs: number, releasedBeforeMs: number): boolean {
    const now = Math.trunc(nowMs);
    const r = this.write('taking a collection lease', () =>
      this.stmt(LedgerSql.ACQUIRE_LEASE_SQL).run(
        sourceName,
        holder,
        now,
        now + Math.trunc(ttlMs),
        now,
        Math.trunc(releasedBeforeMs),
      ),
    );
    return r.changes === 1;
  }

  /** Moves on the expiry of a lease `holder` holds. @returns false when it no longer holds it. */
  renewLease(sourceName: string, holder: string, nowMs: number, ttlMs: number, collectionId: number | null): boolean {
    const r = this.write('renewing a collection lease', () =>
      this.stmt(LedgerSql.RENEW_LEASE_SQL).run(Math.trunc(nowMs + ttlMs), collectionId, sourceName, holder),
    );
    return r.changes === 1;
  }

  /** Releases a lease `holder` holds. */
  releaseLease(sourceName: string, holder: string, nowMs: number): void {
    const now = Math.trunc(nowMs);
    this.write('releasing a collection lease', () =>
      this.stmt(LedgerSql.RELEASE_LEASE_SQL).run(now, now, sourceName, holder),
    );
  }

  /** The lease row of a source, or null. */
  leaseOf(sourceName: string): CollectionLease | null {
    const row = this.read(() => this.stmt(LedgerSql.LEASE_OF_SQL).get(sourceName)) as Row | undefined;
    return row ? fromColumns(COLLECTION_LEASES, row) : null;
  }

  /** Records a new collection (table `collections`). @returns its id. */
  createCollection(run: Omit<CollectionRun, 'id'>): number {
    const row = this.write('recording a collection', () =>
      this.stmt(LedgerSql.INSERT_COLLECTION_SQL).get(...LedgerSql.collectionValues(run).map(sqliteValue)),
    ) as { id: number | bigint };
    return Number(row.id);
  }

  /** Writes a collection's state, times, counts and errors. */
  updateCollection(run: CollectionRun): void {
    this.write('recording a collection', () =>
      this.stmt(LedgerSql.UPDATE_COLLECTION_SQL).run(...LedgerSql.collectionUpdateValues(run).map(sqliteValue)),
    );
  }

  /** One collection, or null. */
  collection(id: number): CollectionRun | null {
    const row = this.read(() => this.stmt(LedgerSql.COLLECTION_SQL).get(id)) as Row | undefined;
    return row ? fromColumns(COLLECTIONS, row) : null;
  }

  /** The newest collections (of one source when given), newest first. */
  recentCollections(limit: number, sourceName?: string): CollectionRun[] {
    const rows = this.read(() =>
      this.stmt(LedgerSql.RECENT_COLLECTIONS_SQL).all(sourceName ?? null, sourceName ?? null, limit),
    ) as Row[];
    return rows.map((r) => fromColumns(COLLECTIONS, r));
  }

  /**
   * The full record of one attempt: with `attemptId` (null = the application without attempt ids) that attempt, without
   * it the newest attempt of `appId` (latest start). Null when not stored.
   */
  runById(appId: string, attemptId?: string | null): ApplicationRecord | null {
    return this.read(() => {
      const row = (
        attemptId === undefined
          ? this.stmt(
              'SELECT * FROM applications WHERE app_id = ? ORDER BY start_time_ms DESC, attempt_id DESC LIMIT 1',
            ).get(appId)
          : this.stmt('SELECT * FROM applications WHERE app_id = ? AND attempt_id = ?').get(
              appId,
              attemptKey(attemptId),
            )
      ) as Row | undefined;
      return row ? this.toRecord(row) : null;
    });
  }

  /** All records, newest first (for the CLI and tests; not for the hover path). */
  allRuns(limit = 1000): ApplicationRecord[] {
    return this.read(() =>
      (
        this.stmt('SELECT * FROM applications ORDER BY start_time_ms DESC, attempt_id DESC LIMIT ?').all(limit) as Row[]
      ).map((a) => this.toRecord(a)),
    );
  }

  /** A record from its `applications` row and its child rows; call inside {@link read} (one snapshot). */
  private toRecord(a: Row): ApplicationRecord {
    const key = [String(a.app_id), columnText(a.attempt_id)];
    const stages = this.stmt(
      'SELECT * FROM stages WHERE app_id = ? AND attempt_id = ? ORDER BY stage_id, stage_attempt_id',
    ).all(...key) as Row[];
    const jobs = this.stmt('SELECT * FROM jobs WHERE app_id = ? AND attempt_id = ? ORDER BY job_id').all(
      ...key,
    ) as Row[];
    const executors = this.stmt('SELECT * FROM executors WHERE app_id = ? AND attempt_id = ?').all(...key) as Row[];
    return recordOf(a, stages, jobs, executors);
  }
}

/**
 * What an upsert does with `record` read from `source`, given the stored `applications` row of that attempt (at least
 * its {@link UPSERT_FIELDS} columns; undefined when not stored), by the rules of {@link HistoryStore.upsert}. Shared by
 * the SQLite and PostgreSQL stores.
 */
export function upsertOutcome(oldRow: Row | undefined, record: ApplicationRecord, source: RecordSource): UpsertOutcome {
  if (!oldRow) return 'inserted';
  const old = readUpsertFields(oldRow);
  const samePath = old.sourcePath === source.path;
  if (
    samePath &&
    sameSourceVersion(
      { sizeBytes: old.sourceSizeBytes, mtimeMs: old.sourceMtimeMs, objectVersions: old.sourceObjectVersions },
      source,
    )
  )
    return 'unchanged';
  if (old.completed && !record.completed) return samePath ? 'unchanged' : 'duplicate';
  if (samePath) return 'updated';
  const moreComplete =
    (record.completed && !old.completed) ||
    (!record.completed &&
      !old.completed &&
      (record.totalTasks > old.totalTasks ||
        (record.totalTasks === old.totalTasks && record.durationMs > old.durationMs)));
  return moreComplete ? 'updated' : 'duplicate';
}

/** The `applications` row of an attempt: its scalars, stage signature, source version and when it was collected. */
export function applicationRow(r: ApplicationRecord, source: RecordSource, nowMs: number): ApplicationRow {
  const { stages: _stages, executors: _executors, jobs: _jobs, ...scalars } = r;
  void [_stages, _executors, _jobs];
  return {
    ...scalars,
    workloadSignature: workloadSignature(r),
    sourcePath: source.path,
    sourceSizeBytes: source.sizeBytes,
    sourceMtimeMs: source.mtimeMs,
    sourceObjectVersions: source.objectVersions ?? null,
    malformedLines: source.malformedLines,
    collectedAtMs: nowMs,
  };
}

/** A record from its `applications` row and its child rows (read in one snapshot), through the tables' column maps. */
export function recordOf(a: Row, stageRows: Row[], jobRows: Row[], executorRows: Row[]): ApplicationRecord {
  const app = fromColumns(APPLICATIONS, a);
  const stages = stageRows.map((r) => withoutAttemptKey(fromColumns(STAGES, r)));
  const jobs = jobRows.map((r) => withoutAttemptKey(fromColumns(JOBS, r)));
  const executors = executorRows.map((r) => withoutAttemptKey(fromColumns(EXECUTORS, r)));
  const {
    workloadSignature: _signature,
    sourcePath: _path,
    sourceSizeBytes: _size,
    sourceMtimeMs: _mtime,
    sourceObjectVersions: _versions,
    malformedLines: _malformed,
    collectedAtMs: _collected,
    ...record
  } = app;
  void [_signature, _path, _size, _mtime, _versions, _malformed, _collected];
  return { ...record, stages, executors, jobs };
}

/**
 * Whether a stored version of a source (same path) is the version `source` names: the same object versions when
 * `source` has them (an object store's ETags or generations, which change with the content whatever its size and
 * Last-Modified), else the same size and modification time (ms, truncated). A stored version without object versions
 * (written before store migration 12, or by a store that gave none) is compared by size and modification time, so
 * upgrading does not read a whole archive again. Shared by the SQLite and PostgreSQL stores ({@link hasSourceQuery}
 * says the same in SQL).
 */
export function sameSourceVersion(
  stored: { sizeBytes: number; mtimeMs: number; objectVersions: string | null },
  source: SourceVersion,
): boolean {
  const bySizeAndTime = stored.sizeBytes === source.sizeBytes && stored.mtimeMs === Math.trunc(source.mtimeMs);
  if (source.objectVersions == null || stored.objectVersions === null) return bySizeAndTime;
  return stored.objectVersions === source.objectVersions;
}

/**
 * The `record_sources` query of {@link sameSourceVersion} for one source (SQLite's dialect with `?` parameters, which
 * sql-dialect.ts renders for PostgreSQL): a row when that version was upserted.
 */
export function hasSourceQuery(source: SourceVersion): { sql: string; params: (string | number)[] } {
  const bySizeAndTime = 'size_bytes = ? AND mtime_ms = ?';
  const sizeAndTime = [source.sizeBytes, Math.trunc(source.mtimeMs)];
  return source.objectVersions == null
    ? { sql: `SELECT 1 FROM record_sources WHERE path = ? AND ${bySizeAndTime}`, params: [source.path, ...sizeAndTime] }
    : {
        sql: `SELECT 1 FROM record_sources WHERE path = ? AND (object_versions = ? OR (object_versions IS NULL AND ${bySizeAndTime}))`,
        params: [source.path, source.objectVersions, ...sizeAndTime],
      };
}

/** The lower median (the middle value, or the lower of the two middle ones), as the workload list shows durations. */
export function lowerMedian(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * Applies the pending migrations in one exclusive transaction. The schema version is read again after the lock is
 * taken, so when several processes open a new store at once one creates the schema and the others find it done.
 * Foreign keys are off while tables are rebuilt (SQLite's procedure for changing a table's shape) and checked before
 * the commit.
 * @throws Error when the file holds a newer schema than this version knows, or the foreign-key check fails.
 */
function migrate(db: Database.Database, file: string): void {
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
  const newer = (v: number) =>
    new Error(
      `The history store ${file} has schema version ${v}, newer than this version of Spark Resource Optimizer understands (${latest}): update Spark Resource Optimizer`,
    );
  const before = db.pragma('user_version', { simple: true }) as number;
  if (before > latest) throw newer(before);
  if (before === latest) return;
  db.pragma('foreign_keys = OFF');
  db.exec('BEGIN EXCLUSIVE');
  try {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > latest) throw newer(current);
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
    const broken = db.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0)
      throw new Error(
        `migrating the history store ${file} left ${broken.length} row(s) without their application; nothing was changed`,
      );
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

/** The `applications` fields of a {@link StoredAttempt}, in one SELECT list. */
export const STORED_ATTEMPT_FIELDS = ['appId', 'attemptId', 'completed', 'sourcePath', 'sourceMtimeMs'] as const;
export const STORED_ATTEMPT_COLUMNS = columnsOf(APPLICATIONS, STORED_ATTEMPT_FIELDS).join(', ');
export const readStoredAttempt: (row: Row) => StoredAttempt = rowReader(APPLICATIONS, STORED_ATTEMPT_FIELDS);

/** The `applications` fields `upsert` compares with the incoming version. */
export const UPSERT_FIELDS = [
  'completed',
  'sourcePath',
  'sourceSizeBytes',
  'sourceMtimeMs',
  'sourceObjectVersions',
  'totalTasks',
  'durationMs',
] as const;
const readUpsertFields = rowReader(APPLICATIONS, UPSERT_FIELDS);

/** The `applications` fields of {@link ApplicationTotals} (the rest are counts over stages). */
export const TOTALS_FIELDS = [
  'appName',
  'inputBytes',
  'shuffleReadBytes',
  'shuffleWriteBytes',
  'outputBytes',
  'totalTasks',
  'totalStages',
  'executorCpuTimeMs',
  'executorRunTimeMs',
  'diskBytesSpilled',
] as const;
export const readTotals = rowReader(APPLICATIONS, TOTALS_FIELDS);
