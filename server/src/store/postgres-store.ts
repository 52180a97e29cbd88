/**
 * The history store on PostgreSQL, for a team's shared service (`spark-optimizer serve --db postgres://...`): the same
 * tables, migrations (migrations.ts rendered by sql-dialect.ts), rows (records.ts) and rules as the SQLite store, behind
 * the asynchronous {@link ServiceStore} interface, through the `pg` driver's connection pool. The only module that
 * imports `pg` (test/dependency-layers.test.ts).
 *
 * Concurrency, as the SQLite store guarantees it for several processes:
 * - migrations run in one transaction under a transaction-level advisory lock, and the version is read after the lock is
 *   taken, so several service instances starting on a new database create the schema once (PostgreSQL's DDL is
 *   transactional: a failed migration leaves nothing);
 * - each upsert is one transaction holding an advisory lock on its (application id, attempt id), so two collectors
 *   storing the same attempt at once decide one after the other (the second sees the first's row: `unchanged` or
 *   `duplicate`, never a key violation) and a killed collector leaves the old version or the new one;
 * - a record (application row + stages + jobs + executors) is read in one REPEATABLE READ transaction: one snapshot even
 *   while another instance replaces it.
 *
 * Text ordering uses the "C" collation (byte order), as SQLite's BINARY collation orders, whatever the database's locale.
 */
import * as fs from 'fs';
import { Pool, type PoolClient, type PoolConfig, types as pgTypes } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import type { ApplicationRecord } from '../history/application-record';
import type { ApplicationTotals } from '../history/history-reader';
import type {
  CollectionSourceState,
  RecordSource,
  SourceVersion,
  StoredAttempt,
  UpsertOutcome,
} from '../history/ingest';
import { resourceStem } from '../history/workload-signature';
import type { AppliedFix } from '../recommend/feedback';
import type { CollectionLease, CollectionRun } from '../history/collection-ledger';
import type { RecommendationFeedback, ServiceStore, ServiceToken } from '../history/service-store';
import type { StoredWorkload } from '../../../shared/src/protocol';
import {
  applicationRow,
  attemptKey,
  HISTORY_VERSION_SQL,
  hasSourceQuery,
  params,
  readStoredAttempt,
  readTotals,
  recordOf,
  SAME_SIGNATURE_RUNS_SQL,
  STORED_ATTEMPT_COLUMNS,
  TOTALS_FIELDS,
  UPSERT_FIELDS,
  upsertOutcome,
  type Row,
} from './history-store';
import * as LedgerSql from './collection-ledger-sql';
import { MIGRATIONS } from './migrations';
import {
  APPLICATIONS,
  APPLIED_FIXES,
  COLLECTION_LEASES,
  COLLECTION_SOURCES,
  COLLECTIONS,
  columnsOf,
  columnText,
  EXECUTORS,
  fromColumns,
  JOBS,
  num,
  RECOMMENDATION_FEEDBACK,
  SERVICE_TOKENS,
  STAGES,
} from './record-columns';
import { migrationToPostgres, toPostgres } from './sql-dialect';

/** How to reach the database. The password is never part of the URL (see {@link postgresTarget}). */
export interface PostgresOptions {
  /** `postgres://user@host:port/database[?sslmode=...]`, without a password. */
  url: string;
  /** The password, from the environment or a file (never logged); undefined: the driver's own PGPASSWORD / ~/.pgpass. */
  password?: string;
  /** Most connections the pool opens (default {@link DEFAULT_POOL_SIZE}). */
  poolSize?: number;
  /** How long to wait for a connection, ms (default 10,000). */
  connectTimeoutMs?: number;
  /** Longest a statement may run on the server, ms (default 60,000; 0: no limit). */
  statementTimeoutMs?: number;
}

/** Default pool size: 10 connections, pg's own default. */
export const DEFAULT_POOL_SIZE = 10;

/** The advisory lock (two int4 keys: 'SPOM', 1) the migrations run under. */
const MIGRATION_LOCK = [0x53504f4d, 1] as const;

/** PostgreSQL error codes (Appendix A, "PostgreSQL Error Codes") that mean "try the transaction again". */
const RETRYABLE = new Set(['40001', '40P01']);

/** int8 (OID 20) and numeric (OID 1700) as JS numbers: every stored figure is bounded within 2^53 (history/bounds.ts). */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === 20 || oid === 1700
      ? (v: string) => Number(v)
      : pgTypes.getTypeParser(oid, format)) as typeof pgTypes.getTypeParser,
};

/** True for a `postgres://` or `postgresql://` URL (else the store is a SQLite file path). */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(target);
}

/**
 * The URL as it may be shown: `postgres://user@host:port/database` (the query string dropped, no password).
 * @throws Error when it is not a URL, or carries a password (a URL ends up in config files, shell history and logs:
 *   give the password through the environment or a file instead).
 */
export function postgresTarget(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(
      `"${url.replace(/:[^:@/]*@/, ':***@')}" is not a PostgreSQL URL (postgres://user@host:5432/database)`,
    );
  }
  if (u.password !== '') {
    throw new Error(
      'the PostgreSQL URL carries a password; remove it from the URL and give it through SPARK_OPTIMIZER_SERVICE_DB_PASSWORD, a password file (SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE or database.passwordFile) or PGPASSWORD',
    );
  }
  return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
}

/**
 * The password of a database URL from the environment or a file: `SPARK_OPTIMIZER_SERVICE_DB_PASSWORD`, else the file
 * named by `passwordFile` (the config's `database.passwordFile`, or `SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE`), its
 * first line. Undefined when neither is given (the driver then reads PGPASSWORD or ~/.pgpass).
 * @throws Error naming the file when it cannot be read.
 */
export function databasePassword(env: NodeJS.ProcessEnv, passwordFile?: string): string | undefined {
  if (env.SPARK_OPTIMIZER_SERVICE_DB_PASSWORD) return env.SPARK_OPTIMIZER_SERVICE_DB_PASSWORD;
  const file = env.SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE || passwordFile;
  if (!file) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(
      `cannot read the database password file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { cause: e },
    );
  }
  return text.split(/\r?\n/)[0];
}

/** Statements rendered for PostgreSQL once each (the store's SQL is written in SQLite's dialect). */
const rendered = new Map<string, string>();
function pg(sql: string): string {
  let s = rendered.get(sql);
  if (s === undefined) rendered.set(sql, (s = toPostgres(sql)));
  return s;
}

/** Splits rows into INSERT statements of at most 65,535 parameters (PostgreSQL's limit per statement). */
function insertStatements(table: string, rows: Record<string, unknown>[]): { text: string; values: unknown[] }[] {
  if (rows.length === 0) return [];
  const cols = Object.keys(rows[0]);
  const perStatement = Math.max(1, Math.floor(65_535 / cols.length));
  const out: { text: string; values: unknown[] }[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const values: unknown[] = [];
    const groups: string[] = [];
    for (const row of chunk) {
      groups.push(`(${cols.map(() => '?').join(', ')})`);
      for (const c of cols) values.push(row[c]);
    }
    out.push({ text: toPostgres(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${groups.join(', ')}`), values });
  }
  return out;
}

/**
 * The PostgreSQL store. Open it with {@link PostgresStore.open} (connects and migrates); {@link close} ends the pool.
 */
export class PostgresStore implements ServiceStore {
  readonly description: string;

  private constructor(
    private readonly pool: Pool,
    target: string,
  ) {
    this.description = `PostgreSQL ${target}`;
  }

  /**
   * Connects, applies pending migrations and returns the store.
   * @throws Error naming the database (never the password) when it cannot be reached or logged into, holds a newer
   *   schema than this version knows, or a migration fails (nothing is changed then).
   */
  static async open(options: PostgresOptions): Promise<PostgresStore> {
    const target = postgresTarget(options.url);
    // The URL parsed here (pg would let a connectionString's empty password override the one given beside it).
    const config: PoolConfig = {
      ...(parseIntoClientConfig(options.url) as PoolConfig),
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      statement_timeout: options.statementTimeoutMs ?? 60_000,
      application_name: 'spark-optimizer',
      types: TYPES,
    };
    if (options.password !== undefined) config.password = options.password;
    else delete config.password; // the driver then reads PGPASSWORD or ~/.pgpass
    const pool = new Pool(config);
    // An idle connection the server ends (restart, admin) emits 'error' on the pool; without a listener it would crash
    // the process. The pool drops it and opens another on the next query.
    pool.on('error', () => undefined);
    const store = new PostgresStore(pool, target);
    try {
      await store.migrate();
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw new Error(`PostgreSQL store ${target}: ${(e as Error).message}`, { cause: e });
    }
    return store;
  }

  /** The schema version: the newest migration applied (table `schema_migrations`). */
  async schemaVersion(): Promise<number> {
    const r = await this.pool.query<{ v: unknown }>('SELECT coalesce(max(version), 0) AS v FROM schema_migrations');
    return num(r.rows[0].v);
  }

  /**
   * Applies the pending migrations (migrations.ts, rendered for PostgreSQL) in one transaction under an advisory lock;
   * records each in `schema_migrations` (PostgreSQL's counterpart of SQLite's `PRAGMA user_version`).
   */
  private async migrate(): Promise<void> {
    const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)',
      );
      const current = num(
        (await client.query<{ v: unknown }>('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).rows[0].v,
      );
      if (current > latest) {
        throw new Error(
          `the database has schema version ${current}, newer than this version of Spark Resource Optimizer understands (${latest}); update it or use another database`,
        );
      }
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        for (const statement of migrationToPostgres(m.sql)) {
          try {
            await client.query(statement);
          } catch (e) {
            throw new Error(`migration ${m.version} (${m.description}) failed: ${(e as Error).message}`, { cause: e });
          }
        }
        await client.query('INSERT INTO schema_migrations (version, description, applied_at_ms) VALUES ($1, $2, $3)', [
          m.version,
          m.description,
          Date.now(),
        ]);
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** Ends the pool (waits for queries in flight). */
  async close(): Promise<void> {
    await this.pool.end();
  }

  private async rows(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(pg(sql), params)).rows as Row[];
  }

  /** Runs `fn` on one connection in one REPEATABLE READ, READ ONLY transaction (one snapshot). */
  private async snapshot<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /**
   * Runs `fn` in one read-write transaction, again (up to 3 more times, after 50/200/800 ms) when PostgreSQL reports a
   * serialization failure or a deadlock.
   */
  private async write<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(client);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (!RETRYABLE.has((e as { code?: string }).code ?? '') || attempt >= 3) throw e;
      } finally {
        client.release();
      }
      await new Promise((r) => setTimeout(r, 50 * 4 ** attempt));
    }
  }

  /** Full records of `apps` (rows of `applications`), in their order, with their child rows read on `c`. */
  private async records(c: PoolClient, apps: Row[]): Promise<ApplicationRecord[]> {
    if (apps.length === 0) return [];
    const ids = apps.map((a) => String(a.app_id));
    const attempts = apps.map((a) => columnText(a.attempt_id));
    const keyed = `(app_id, attempt_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;
    const [stages, jobs, executors] = [
      (await c.query(`SELECT * FROM stages WHERE ${keyed} ORDER BY stage_id, stage_attempt_id`, [ids, attempts]))
        .rows as Row[],
      (await c.query(`SELECT * FROM jobs WHERE ${keyed} ORDER BY job_id`, [ids, attempts])).rows as Row[],
      (await c.query(`SELECT * FROM executors WHERE ${keyed} ORDER BY executor_id COLLATE "C"`, [ids, attempts]))
        .rows as Row[],
    ];
    const group = (rows: Row[]) => {
      const m = new Map<string, Row[]>();
      for (const r of rows) {
        const k = `${String(r.app_id)}\u0000${String(r.attempt_id)}`;
        let list = m.get(k);
        if (!list) m.set(k, (list = []));
        list.push(r);
      }
      return m;
    };
    const [s, j, e] = [group(stages), group(jobs), group(executors)];
    return apps.map((a) => {
      const k = `${String(a.app_id)}\u0000${columnText(a.attempt_id)}`;
      return recordOf(a, s.get(k) ?? [], j.get(k) ?? [], e.get(k) ?? []);
    });
  }

  async historyVersion(): Promise<string> {
    const r = await this.pool.query({ text: pg(HISTORY_VERSION_SQL), rowMode: 'array' });
    return (r.rows[0] as unknown[]).map((v) => columnText(v)).join(':');
  }

  async countApplications(): Promise<number> {
    return num((await this.rows('SELECT count(*) AS n FROM applications'))[0].n);
  }

  async lastCollectedAtMs(): Promise<number | null> {
    const [row] = await this.rows(
      'SELECT max(t) AS t FROM (SELECT max(collected_at_ms) AS t FROM applications UNION ALL SELECT max(last_run_time_ms) FROM collection_sources) x',
    );
    return row.t === null || row.t === undefined ? null : num(row.t);
  }

  async listWorkloads(): Promise<StoredWorkload[]> {
    // percentile_disc(0.5) is the lower median (the first value whose cumulative share reaches one half), as records.ts lowerMedian.
    const rows = await this.rows(
      'SELECT app_name, count(*) AS runs, max(start_time_ms) AS last_start, percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) AS median FROM applications GROUP BY app_name ORDER BY last_start DESC',
    );
    return rows.map((row) => ({
      appName: String(row.app_name),
      runs: num(row.runs),
      lastStartTimeMs: num(row.last_start),
      medianDurationMs: num(row.median),
    }));
  }

  async appNames(): Promise<string[]> {
    return (await this.rows('SELECT app_name FROM applications GROUP BY app_name ORDER BY app_name COLLATE "C"')).map(
      (r) => String(r.app_name),
    );
  }

  async runsByAppName(appName: string, limit = 50): Promise<ApplicationRecord[]> {
    return this.snapshot(async (c) => {
      const apps = (
        await c.query(
          pg(
            'SELECT * FROM applications WHERE app_name = ? ORDER BY start_time_ms DESC, attempt_id COLLATE "C" DESC LIMIT ?',
          ),
          [appName, limit],
        )
      ).rows as Row[];
      return this.records(c, apps);
    });
  }

  async runById(appId: string, attemptId?: string | null): Promise<ApplicationRecord | null> {
    return this.snapshot(async (c) => {
      const apps = (
        attemptId === undefined
          ? await c.query(
              pg(
                'SELECT * FROM applications WHERE app_id = ? ORDER BY start_time_ms DESC, attempt_id COLLATE "C" DESC LIMIT 1',
              ),
              [appId],
            )
          : await c.query(pg('SELECT * FROM applications WHERE app_id = ? AND attempt_id = ?'), [
              appId,
              attemptKey(attemptId),
            ])
      ).rows as Row[];
      return (await this.records(c, apps))[0] ?? null;
    });
  }

  async attemptsOf(appId: string): Promise<StoredAttempt[]> {
    return (
      await this.rows(
        `SELECT ${STORED_ATTEMPT_COLUMNS} FROM applications WHERE app_id = ? ORDER BY start_time_ms, attempt_id COLLATE "C"`,
        [appId],
      )
    ).map(readStoredAttempt);
  }

  async allRuns(limit = 1000): Promise<ApplicationRecord[]> {
    return this.snapshot(async (c) =>
      this.records(
        c,
        (
          await c.query(
            pg('SELECT * FROM applications ORDER BY start_time_ms DESC, attempt_id COLLATE "C" DESC LIMIT ?'),
            [limit],
          )
        ).rows as Row[],
      ),
    );
  }

  async applicationTotals(): Promise<ApplicationTotals[]> {
    const rows = await this.rows(
      `SELECT ${columnsOf(APPLICATIONS, TOTALS_FIELDS)
        .map((c) => `a.${c}`)
        .join(', ')}, coalesce(s.n, 0) AS stage_rows, coalesce(s.shuffling, 0) AS shuffling
       FROM applications a LEFT JOIN (
         SELECT app_id, attempt_id, count(*) AS n, sum(CASE WHEN shuffle_read_bytes > 0 OR shuffle_write_bytes > 0 THEN 1 ELSE 0 END) AS shuffling FROM stages GROUP BY app_id, attempt_id
       ) s ON s.app_id = a.app_id AND s.attempt_id = a.attempt_id
       ORDER BY a.start_time_ms DESC`,
    );
    return rows.map((r) => ({ ...readTotals(r), stageRows: num(r.stage_rows), shufflingStages: num(r.shuffling) }));
  }

  async appNamesBySubmittedFile(stem: string): Promise<string[]> {
    // ILIKE: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
    const rows = await this.rows(
      'SELECT app_name, main_resource, count(*) AS n FROM applications WHERE main_resource IS NOT NULL AND main_resource ILIKE ? GROUP BY app_name, main_resource ORDER BY n DESC',
      [`%${stem.replace(/[\\%_]/g, (c) => `\\${c}`)}%`],
    );
    const out: string[] = [];
    for (const r of rows)
      if (
        resourceStem(String(r.main_resource)).toLowerCase() === stem.toLowerCase() &&
        !out.includes(String(r.app_name))
      )
        out.push(String(r.app_name));
    return out;
  }

  async appNamesByMaster(master: string, limit = 8): Promise<string[]> {
    const rows = await this.rows(
      'SELECT app_name, max(start_time_ms) AS last FROM applications WHERE master = ? GROUP BY app_name ORDER BY last DESC, app_name COLLATE "C" LIMIT ?',
      [master, limit],
    );
    return rows.map((r) => String(r.app_name));
  }

  async runsWithSameSignature(appName: string, limit = 50): Promise<ApplicationRecord[]> {
    return this.snapshot(async (c) => {
      const sig = (
        await c.query(
          pg(
            'SELECT workload_signature FROM applications WHERE app_name = ? AND workload_signature IS NOT NULL ORDER BY start_time_ms DESC LIMIT 1',
          ),
          [appName],
        )
      ).rows[0] as Row | undefined;
      if (!sig) return [];
      const apps = (await c.query(pg(SAME_SIGNATURE_RUNS_SQL), [sig.workload_signature, appName, limit])).rows as Row[];
      return this.records(c, apps);
    });
  }

  async hasSource(source: SourceVersion): Promise<boolean> {
    const q = hasSourceQuery(source);
    return (await this.rows(q.sql, q.params)).length > 0;
  }

  /**
   * Inserts or replaces one attempt with its stages, executors and jobs in one transaction (the rules of records.ts
   * `upsertOutcome`), and remembers the source version.
   * @throws Error when the database cannot be written (after retrying serialization failures and deadlocks).
   */
  async upsert(record: ApplicationRecord, source: RecordSource, nowMs = Date.now()): Promise<UpsertOutcome> {
    const attempt = attemptKey(record.attemptId);
    const key = { appId: record.appId, appAttemptId: record.attemptId };
    const rows = {
      application: params(APPLICATIONS, applicationRow(record, source, nowMs)),
      stages: record.stages.map((x) => params(STAGES, { ...key, ...x })),
      jobs: (record.jobs ?? []).map((x) => params(JOBS, { ...key, ...x })),
      executors: record.executors.map((x) => params(EXECUTORS, { ...key, ...x })),
    };
    return this.write(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${record.appId}\u001f${attempt}`]);
      const old = (
        await c.query(
          pg(
            `SELECT ${columnsOf(APPLICATIONS, UPSERT_FIELDS).join(', ')} FROM applications WHERE app_id = ? AND attempt_id = ?`,
          ),
          [record.appId, attempt],
        )
      ).rows[0] as Row | undefined;
      const outcome = upsertOutcome(old, record, source);
      if (outcome === 'updated')
        await c.query(pg('DELETE FROM applications WHERE app_id = ? AND attempt_id = ?'), [record.appId, attempt]);
      if (outcome === 'inserted' || outcome === 'updated') {
        for (const s of [
          ...insertStatements('applications', [rows.application]),
          ...insertStatements('stages', rows.stages),
          ...insertStatements('jobs', rows.jobs),
          ...insertStatements('executors', rows.executors),
        ]) {
          await c.query(s.text, s.values);
        }
      }
      await c.query(
        pg(`INSERT INTO record_sources (path, size_bytes, mtime_ms, object_versions, app_id, attempt_id, recorded_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(path) DO UPDATE SET size_bytes = excluded.size_bytes, mtime_ms = excluded.mtime_ms,
              object_versions = excluded.object_versions, app_id = excluded.app_id, attempt_id = excluded.attempt_id,
              recorded_at_ms = excluded.recorded_at_ms`),
        [
          source.path,
          source.sizeBytes,
          Math.trunc(source.mtimeMs),
          source.objectVersions ?? null,
          record.appId,
          attempt,
          nowMs,
        ],
      );
      return outcome;
    });
  }

  async storedAttempt(appId: string, attemptId: string | null): Promise<StoredAttempt | null> {
    const [row] = await this.rows(
      `SELECT ${STORED_ATTEMPT_COLUMNS} FROM applications WHERE app_id = ? AND attempt_id = ?`,
      [appId, attemptKey(attemptId)],
    );
    return row ? readStoredAttempt(row) : null;
  }

  async incompleteAttempts(sourcePrefix: string): Promise<{ appId: string; attemptId: string | null }[]> {
    const rows = await this.rows(`SELECT ${STORED_ATTEMPT_COLUMNS} FROM applications WHERE completed = 0`);
    return rows
      .map(readStoredAttempt)
      .filter((a) => a.sourcePath.startsWith(sourcePrefix))
      .map((a) => ({ appId: a.appId, attemptId: a.attemptId }));
  }

  async collectionSource(sourceUrl: string): Promise<CollectionSourceState | null> {
    const [row] = await this.rows('SELECT * FROM collection_sources WHERE source_url = ?', [sourceUrl]);
    return row ? fromColumns(COLLECTION_SOURCES, row) : null;
  }

  async recordCollectionRun(sourceUrl: string, completedEndTimeMs: number | null, runTimeMs: number): Promise<void> {
    await this.write((c) =>
      c.query(
        pg(`INSERT INTO collection_sources AS c (source_url, last_completed_end_time_ms, last_run_time_ms) VALUES (?, ?, ?)
            ON CONFLICT (source_url) DO UPDATE SET
              last_completed_end_time_ms = CASE
                WHEN excluded.last_completed_end_time_ms IS NULL THEN c.last_completed_end_time_ms
                WHEN c.last_completed_end_time_ms IS NULL THEN excluded.last_completed_end_time_ms
                ELSE greatest(c.last_completed_end_time_ms, excluded.last_completed_end_time_ms) END,
              last_run_time_ms = excluded.last_run_time_ms`),
        [sourceUrl, completedEndTimeMs === null ? null : Math.trunc(completedEndTimeMs), Math.trunc(runTimeMs)],
      ),
    );
  }

  async recordAppliedFix(fix: Omit<AppliedFix, 'id'>): Promise<number> {
    const [row] = await this.rows(
      'INSERT INTO applied_fixes (file_uri, app_name, setting_key, old_value, new_value, applied_at_ms) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
      [fix.fileUri, fix.appName, fix.key, fix.oldValue, fix.newValue, Math.trunc(fix.appliedAtMs)],
    );
    return num(row.id);
  }

  async appliedFixes(appName: string | null, fileUri?: string): Promise<AppliedFix[]> {
    const rows = await this.rows(
      'SELECT * FROM applied_fixes WHERE (app_name = ?) OR (?::text IS NOT NULL AND file_uri = ?) ORDER BY applied_at_ms, id',
      [appName, fileUri ?? null, fileUri ?? null],
    );
    return rows.map((r) => fromColumns(APPLIED_FIXES, r));
  }

  async recordFeedback(f: Omit<RecommendationFeedback, 'id'>): Promise<number> {
    const [row] = await this.rows(
      `INSERT INTO recommendation_feedback (verdict, app_name, setting_key, recommended_value, previous_value, reason, file_uri, applied_fix_id, token_id, received_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        f.verdict,
        f.appName,
        f.key,
        f.recommendedValue,
        f.previousValue,
        f.reason,
        f.fileUri,
        f.appliedFixId,
        f.tokenId,
        Math.trunc(f.receivedAtMs),
      ],
    );
    return num(row.id);
  }

  async feedbackOf(appName: string): Promise<RecommendationFeedback[]> {
    return (
      await this.rows('SELECT * FROM recommendation_feedback WHERE app_name = ? ORDER BY received_at_ms, id', [appName])
    ).map((r) => fromColumns(RECOMMENDATION_FEEDBACK, r));
  }

  async createToken(t: Omit<ServiceToken, 'id' | 'revokedAtMs'>): Promise<number> {
    const [row] = await this.rows(
      'INSERT INTO service_tokens (name, scope, token_sha256, created_at_ms) VALUES (?, ?, ?, ?) RETURNING id',
      [t.name, t.scope, t.tokenSha256, Math.trunc(t.createdAtMs)],
    );
    return num(row.id);
  }

  async tokenBySha256(tokenSha256: string): Promise<ServiceToken | null> {
    const [row] = await this.rows('SELECT * FROM service_tokens WHERE token_sha256 = ?', [tokenSha256]);
    return row ? fromColumns(SERVICE_TOKENS, row) : null;
  }

  async listTokens(): Promise<ServiceToken[]> {
    return (await this.rows('SELECT * FROM service_tokens ORDER BY id')).map((r) => fromColumns(SERVICE_TOKENS, r));
  }

  async revokeToken(id: number, atMs: number): Promise<boolean> {
    const r = await this.pool.query(
      pg('UPDATE service_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL'),
      [Math.trunc(atMs), id],
    );
    return r.rowCount === 1;
  }

  async acquireLease(
    sourceName: string,
    holder: string,
    nowMs: number,
    ttlMs: number,
    releasedBeforeMs: number,
  ): Promise<boolean> {
    const now = Math.trunc(nowMs);
    const r = await this.pool.query(pg(LedgerSql.ACQUIRE_LEASE_SQL), [
      sourceName,
      holder,
      now,
      now + Math.trunc(ttlMs),
      now,
      Math.trunc(releasedBeforeMs),
    ]);
    return r.rowCount === 1;
  }

  async renewLease(
    sourceName: string,
    holder: string,
    nowMs: number,
    ttlMs: number,
    collectionId: number | null,
  ): Promise<boolean> {
    const r = await this.pool.query(pg(LedgerSql.RENEW_LEASE_SQL), [
      Math.trunc(nowMs + ttlMs),
      collectionId,
      sourceName,
      holder,
    ]);
    return r.rowCount === 1;
  }

  async releaseLease(sourceName: string, holder: string, nowMs: number): Promise<void> {
    const now = Math.trunc(nowMs);
    await this.pool.query(pg(LedgerSql.RELEASE_LEASE_SQL), [now, now, sourceName, holder]);
  }

  async leaseOf(sourceName: string): Promise<CollectionLease | null> {
    const [row] = await this.rows(LedgerSql.LEASE_OF_SQL, [sourceName]);
    return row ? fromColumns(COLLECTION_LEASES, row) : null;
  }

  async createCollection(run: Omit<CollectionRun, 'id'>): Promise<number> {
    const [row] = await this.rows(LedgerSql.INSERT_COLLECTION_SQL, LedgerSql.collectionValues(run));
    return num(row.id);
  }

  async updateCollection(run: CollectionRun): Promise<void> {
    await this.pool.query(pg(LedgerSql.UPDATE_COLLECTION_SQL), LedgerSql.collectionUpdateValues(run));
  }

  async collection(id: number): Promise<CollectionRun | null> {
    const [row] = await this.rows(LedgerSql.COLLECTION_SQL, [id]);
    return row ? fromColumns(COLLECTIONS, row) : null;
  }

  async recentCollections(limit: number, sourceName?: string): Promise<CollectionRun[]> {
    return (await this.rows(LedgerSql.RECENT_COLLECTIONS_SQL, [sourceName ?? null, sourceName ?? null, limit])).map(
      (r) => fromColumns(COLLECTIONS, r),
    );
  }
}
