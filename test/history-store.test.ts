/**
 * The SQLite history store on real event logs (test/fixtures/spark, provenance in its README):
 * migrations, idempotent upserts, attempt replacement, in-progress → finished, round trip, and a
 * collection killed with SIGKILL leaving a consistent store that the next run completes.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Database from 'better-sqlite3';
import { collectEventLogs } from '../server/src/history/collect';
import { HISTORY_VERSION_SQL, HistoryStore, SAME_SIGNATURE_RUNS_SQL } from '../server/src/store/history-store';
import { MIGRATIONS } from '../server/src/store/migrations';
import {
  SPARK_FIXTURES,
  EVENT_LOG_FIXTURES,
  HISTORY_SERVER_FIXTURES,
  STORE_FIXTURES,
  BUILT_CLI,
} from './helpers/fixtures';
import { normalised, readOne } from './helpers/stored-records';

const LOGS = EVENT_LOG_FIXTURES;
const ATTEMPTS = path.join(LOGS, 'nvidia-spark-rapids-tools', 'multiple_attempts');
const MULTI = path.join(SPARK_FIXTURES, 'multi-attempt', 'apache-spark');
const ROLLING = path.join(
  LOGS,
  'kubeflow-mcp-apache-spark-history-server',
  'eventlog_v2_spark-bcec39f6201b42b9925124595baad260',
);

describe('HistoryStore (better-sqlite3)', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-store-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('creates the schema by migrations in WAL mode and reopens without re-running them', () => {
    const file = path.join(tmp, 'h.db');
    const s = HistoryStore.open(file);
    assert.strictEqual(s.schemaVersion, MIGRATIONS[MIGRATIONS.length - 1].version);
    s.close();
    const raw = new Database(file);
    assert.strictEqual(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();
    const again = HistoryStore.open(file);
    assert.strictEqual(again.countApplications(), 0);
    again.close();
  });

  it('reads the runs of a stage-DAG signature newest first from an index, with no sort (migrations 9, 10)', () => {
    const file = path.join(tmp, 'sig.db');
    HistoryStore.open(file).close();
    const raw = new Database(file, { readonly: true });
    const plan = (
      raw.prepare(`EXPLAIN QUERY PLAN ${SAME_SIGNATURE_RUNS_SQL}`).all('sig', 'job', 50) as { detail: string }[]
    ).map((r) => r.detail);
    raw.close();
    // SQLite's plan words: SEARCH ... USING INDEX for an index range; "USE TEMP B-TREE FOR ORDER BY" when it must sort.
    assert.deepStrictEqual(plan, [
      'SEARCH applications USING INDEX applications_workload_signature_runs (workload_signature=?)',
    ]);
  });

  it("reads historyVersion's newest write from an index, reading no row of applications (migration 13)", () => {
    const file = path.join(tmp, 'version.db');
    HistoryStore.open(file).close();
    const raw = new Database(file, { readonly: true });
    const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${HISTORY_VERSION_SQL}`).all() as { detail: string }[]).map(
      (r) => r.detail,
    );
    raw.close();
    // SQLite's plan words: a COVERING INDEX reads the index alone; SEARCH (not SCAN) for max(): the index's last entry.
    assert.deepStrictEqual(plan, [
      'SCAN CONSTANT ROW',
      'SCALAR SUBQUERY 1',
      'SCAN applications USING COVERING INDEX applications_collected',
      'SCALAR SUBQUERY 2',
      'SEARCH applications USING COVERING INDEX applications_collected',
      'SCALAR SUBQUERY 3',
      'SEARCH collection_sources',
      'SCALAR SUBQUERY 4',
      'SEARCH applied_fixes',
      'SCALAR SUBQUERY 5',
      'SEARCH recommendation_feedback',
    ]);
  });

  it('refuses a store written by a newer schema with a clear error', () => {
    const file = path.join(tmp, 'future.db');
    const raw = new Database(file);
    raw.pragma('user_version = 999');
    raw.close();
    assert.throws(() => HistoryStore.open(file), /schema version 999, newer than/);
  });

  it('keeps every attempt, keyed (application id, attempt id); re-upserting a version changes nothing', async () => {
    const store = HistoryStore.open(path.join(tmp, 'h.db'));
    const a2 = await readOne(path.join(ATTEMPTS, 'attempt_2_eventlog.zstd'));
    const a1 = await readOne(path.join(ATTEMPTS, 'attempt_1_eventlog.zstd'));
    const a4 = await readOne(path.join(ATTEMPTS, 'attempt_4_eventlog.zstd'));
    // "App Attempt ID" read by hand from each file's SparkListenerApplicationStart line.
    assert.deepStrictEqual([a1.record.attemptId, a2.record.attemptId, a4.record.attemptId], ['1', '2', '4']);
    assert.strictEqual(a1.record.appId, 'application_1724877841851_0016');
    const src = (x: typeof a1) => ({
      path: x.src.path,
      sizeBytes: x.src.sizeBytes,
      mtimeMs: x.src.mtimeMs,
      malformedLines: 0,
    });
    assert.strictEqual(store.upsert(a2.record, src(a2)), 'inserted');
    assert.strictEqual(store.upsert(a2.record, src(a2)), 'unchanged');
    assert.strictEqual(store.upsert(a1.record, src(a1)), 'inserted');
    assert.strictEqual(store.upsert(a4.record, src(a4)), 'inserted');
    assert.strictEqual(store.countApplications(), 3);
    // Each attempt is its own run of the job, newest first (attempt 4 started last).
    assert.deepStrictEqual(
      store.runsByAppName('ProcessLargeDataset').map((r) => r.attemptId),
      ['4', '2', '1'],
    );
    assert.deepStrictEqual(
      store.attemptsOf(a1.record.appId).map((a) => a.attemptId),
      ['1', '2', '4'],
    );
    assert.strictEqual(store.runById(a1.record.appId)?.attemptId, '4');
    assert.strictEqual(store.runById(a1.record.appId, '1')?.startTimeMs, a1.record.startTimeMs);
    assert.strictEqual(store.runById(a1.record.appId, '3'), null);
    store.close();
  });

  it('tells source versions apart by their object versions (ETags) when given, else by size and mtime (migration 12)', async () => {
    const store = HistoryStore.open(path.join(tmp, 'etag.db'));
    const a2 = await readOne(path.join(ATTEMPTS, 'attempt_2_eventlog.zstd'));
    const at = { path: 's3://bucket/logs/attempt_2_eventlog.zstd', sizeBytes: 1000, mtimeMs: 5000, malformedLines: 0 };
    // A local file: no object versions, the (path, size, mtime) test as before.
    assert.strictEqual(store.upsert(a2.record, { ...at, path: '/logs/attempt_2_eventlog.zstd' }), 'inserted');
    assert.ok(store.hasSource({ path: '/logs/attempt_2_eventlog.zstd', sizeBytes: 1000, mtimeMs: 5000 }));
    assert.ok(!store.hasSource({ path: '/logs/attempt_2_eventlog.zstd', sizeBytes: 1000, mtimeMs: 5001 }));
    // An object with ETag "e1": the same ETag is the same version whatever the size and Last-Modified say...
    assert.strictEqual(store.upsert(a2.record, { ...at, objectVersions: 'e1' }), 'duplicate');
    assert.ok(store.hasSource({ ...at, objectVersions: 'e1' }));
    assert.ok(store.hasSource({ ...at, mtimeMs: 9000, objectVersions: 'e1' }));
    // ... and a new ETag is a new version although size and Last-Modified are those stored.
    assert.ok(!store.hasSource({ ...at, objectVersions: 'e2' }));
    assert.strictEqual(store.upsert(a2.record, { ...at, objectVersions: 'e1' }), 'duplicate');
    // A source stored without object versions (before migration 12) keeps the size and mtime test.
    const old = { ...at, path: 's3://bucket/old/attempt_2_eventlog.zstd' };
    store.upsert(a2.record, old);
    assert.ok(store.hasSource({ ...old, objectVersions: 'e7' }));
    assert.ok(!store.hasSource({ ...old, mtimeMs: 6000, objectVersions: 'e7' }));
    store.close();
    // The stored attempt (its applications row) is replaced when its own source's ETag changes, not otherwise.
    const fresh = HistoryStore.open(path.join(tmp, 'etag-own.db'));
    assert.strictEqual(fresh.upsert(a2.record, { ...at, objectVersions: 'e1' }), 'inserted');
    assert.strictEqual(fresh.upsert(a2.record, { ...at, objectVersions: 'e1' }), 'unchanged');
    assert.strictEqual(fresh.upsert(a2.record, { ...at, objectVersions: 'e2' }), 'updated');
    assert.ok(fresh.hasSource({ ...at, objectVersions: 'e2' }));
    assert.ok(!fresh.hasSource({ ...at, objectVersions: 'e1' }));
    fresh.close();
  });

  it('collects both attempts of real multi-attempt applications as the History Server lists them, and a re-run is unchanged', async () => {
    // The logs of apache/spark's HistoryServerSuite (test/fixtures/spark/multi-attempt); its expectations (recorded from
    // Spark's own History Server) list the attempts of each application with their start times and durations, and the
    // jobs of each attempt.
    const HS = path.join(HISTORY_SERVER_FIXTURES, 'apache-spark');
    const listing = JSON.parse(fs.readFileSync(path.join(HS, 'application_list_json_expectation.json'), 'utf8')) as {
      id: string;
      attempts: { attemptId?: string; startTimeEpoch: number; duration: number; completed: boolean }[];
    }[];
    const dir = path.join(tmp, 'logs');
    fs.cpSync(MULTI, dir, { recursive: true });
    const store = HistoryStore.open(path.join(tmp, 'h.db'));
    const first = await collectEventLogs(dir, store);
    assert.deepStrictEqual([first.inserted, first.updated, first.failed.length], [6, 0, 0]);
    for (const appId of ['local-1426533911241', 'local-1430917381535']) {
      const expected = listing
        .find((a) => a.id === appId)!
        .attempts.map((a) => [a.attemptId, a.startTimeEpoch, a.duration, a.completed])
        .sort();
      const stored = store
        .attemptsOf(appId)
        .map((a) => store.runById(appId, a.attemptId)!)
        .map((r) => [r.attemptId, r.startTimeMs, r.durationMs, r.completed])
        .sort();
      assert.deepStrictEqual(stored, expected, appId);
    }
    assert.deepStrictEqual(
      listing.find((a) => a.id === 'local-1426533911241')!.attempts.map((a) => a.duration),
      [34935, 34935],
    );
    // /applications/local-1426533911241/{1,2}/jobs: job 0 over stage 0, SUCCEEDED, in each attempt.
    for (const attempt of ['1', '2']) {
      const jobs = JSON.parse(
        fs.readFileSync(path.join(HS, `job_list_from_multi_attempt_app_json_${attempt}__expectation.json`), 'utf8'),
      ) as { jobId: number; stageIds: number[]; status: string; numTasks: number }[];
      const r = store.runById('local-1426533911241', attempt)!;
      assert.deepStrictEqual(
        r.jobs!.map((j) => [j.jobId, j.stageIds, j.result]),
        jobs.map((j) => [j.jobId, j.stageIds, j.status === 'SUCCEEDED' ? 'JobSucceeded' : j.status]),
      );
      assert.strictEqual(r.totalTasks, jobs[0].numTasks);
    }
    // A YARN application whose second attempt never ended (no SparkListenerApplicationEnd in `_2`): both kept, each as it is.
    assert.deepStrictEqual(
      store.attemptsOf('application_1656321732247_0006').map((a) => [a.attemptId, a.completed]),
      [
        ['1', true],
        ['2', false],
      ],
    );
    const again = await collectEventLogs(dir, store);
    assert.deepStrictEqual([again.inserted, again.updated, again.unchanged], [0, 0, 6]);
    store.close();
  });

  it('a log whose application also appears in another file is read once: re-runs report it unchanged, never updated', async () => {
    // In the fixtures, local-1532512550423 is both qubole-sparklens/ and generated/….zstd (the same log recompressed),
    // and local-1623876083964 is the gzip part without ApplicationEnd, the complete rolling log, and the complete
    // Databricks folder (eventlog + rolled part) in spark-codecs/.
    const store = HistoryStore.open(path.join(tmp, 'h.db'));
    const first = await collectEventLogs(LOGS, store);
    assert.deepStrictEqual(first.failed, []);
    const outcomes = (id: string) =>
      first.applications.filter((a) => a.appId === id).map((a) => [path.relative(LOGS, a.path), a.outcome]);
    assert.deepStrictEqual(outcomes('local-1532512550423'), [
      ['generated/local-1532512550423.zstd', 'inserted'],
      ['qubole-sparklens/local-1532512550423', 'duplicate'],
    ]);
    assert.deepStrictEqual(outcomes('local-1623876083964'), [
      ['nvidia-spark-rapids-tools/db_sim_eventlog/eventlog-2021-06-15--15-00.gz', 'inserted'],
      ['nvidia-spark-rapids-tools/eventlog_v2_local-1623876083964', 'updated'],
      ['spark-codecs/databricks/db_sim_eventlog', 'duplicate'],
    ]);
    assert.strictEqual(store.runById('local-1623876083964')?.completed, true);
    for (let run = 0; run < 2; run++) {
      const again = await collectEventLogs(LOGS, store);
      assert.deepStrictEqual(
        [again.inserted, again.updated, again.unchanged, again.failed.length],
        [0, 0, again.found, 0],
        `run ${run + 2}`,
      );
    }
    store.close();
  });

  it('keeps a finished copy of an attempt over an unfinished one, whichever is read first', async () => {
    const db = path.join(LOGS, 'nvidia-spark-rapids-tools');
    const partial = await readOne(path.join(db, 'db_sim_eventlog'));
    const whole = await readOne(path.join(db, 'eventlog_v2_local-1623876083964'));
    assert.deepStrictEqual([partial.record.completed, whole.record.completed], [false, true]);
    const src = (x: typeof partial) => ({
      path: x.src.path,
      sizeBytes: x.src.sizeBytes,
      mtimeMs: x.src.mtimeMs,
      malformedLines: 0,
    });
    const store = HistoryStore.open(path.join(tmp, 'h.db'));
    assert.strictEqual(store.upsert(whole.record, src(whole)), 'inserted');
    assert.strictEqual(store.upsert(partial.record, src(partial)), 'duplicate');
    assert.strictEqual(store.runById('local-1623876083964')?.totalTasks, whole.record.totalTasks);
    assert.ok(store.hasSource(partial.src), 'the copy is remembered, so it is not read again');
    store.close();
  });

  it('migrates a real schema-6 store (written by the previous version) to attempts without losing a row or a field', async () => {
    const file = path.join(tmp, 'old.db');
    fs.copyFileSync(path.join(STORE_FIXTURES, 'history-v6.db'), file);
    const raw = new Database(file, { readonly: true });
    assert.strictEqual(raw.pragma('user_version', { simple: true }), 6);
    const count = (db: Database.Database, t: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    const tables = ['applications', 'stages', 'executors', 'jobs', 'applied_fixes', 'collection_sources'];
    const before = Object.fromEntries(tables.map((t) => [t, count(raw, t)]));
    // Seven applications from nine logs (schema 6 kept one attempt per application).
    assert.strictEqual(before.applications, 7);
    const sources = raw
      .prepare('SELECT app_id, attempt_id, source_path, source_size_bytes, source_mtime_ms FROM applications')
      .all() as {
      app_id: string;
      attempt_id: string | null;
      source_path: string;
      source_size_bytes: number;
      source_mtime_ms: number;
    }[];
    raw.close();

    const store = HistoryStore.open(file);
    assert.strictEqual(store.schemaVersion, MIGRATIONS[MIGRATIONS.length - 1].version);
    store.close();
    const after = new Database(file, { readonly: true });
    for (const t of tables) assert.strictEqual(count(after, t), before[t], t);
    assert.strictEqual(after.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepStrictEqual(after.pragma('foreign_key_check'), []);
    // The migrated schema is exactly a new store's, statement text included (the migrations' SQLite text is run as
    // written; the PostgreSQL rendering, store/sql-dialect.ts, never touches it).
    const schema = (db: Database.Database) =>
      db
        .prepare(
          "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )
        .all();
    HistoryStore.open(path.join(tmp, 'new.db')).close();
    const fresh = new Database(path.join(tmp, 'new.db'), { readonly: true });
    assert.deepStrictEqual(schema(after), schema(fresh));
    fresh.close();
    after.close();

    const migrated = HistoryStore.open(file);
    // Each record equals what the current reader gets from the same log today (the fixture's copy of it).
    const original: Record<string, string> = {
      'app-20161115172038-0000': 'apache-spark/app-20161115172038-0000',
      'local-1426633911242': '../multi-attempt/apache-spark/local-1426633911242',
      'local-1532512550423': 'qubole-sparklens/local-1532512550423',
      'app-20231025121456-0004-eventLog-running': 'ucesys-sparkscope/app-20231025121456-0004-eventLog-running',
      'attempt_4_eventlog.zstd': 'nvidia-spark-rapids-tools/multiple_attempts/attempt_4_eventlog.zstd',
      'eventlog_v2_spark-bcec39f6201b42b9925124595baad260':
        'kubeflow-mcp-apache-spark-history-server/eventlog_v2_spark-bcec39f6201b42b9925124595baad260',
      'eventlog_v2_app-20261121120341-0000': 'examples-history/eventlog_v2_app-20261121120341-0000',
    };
    for (const s of sources) {
      const { record } = await readOne(path.join(LOGS, original[path.basename(s.source_path)]));
      const stored = migrated.runById(s.app_id, s.attempt_id);
      assert.ok(stored, `${s.app_id} ${s.attempt_id}`);
      assert.deepStrictEqual(normalised(stored), normalised(record), s.source_path);
      // The source version is remembered: the next collection of that file skips it.
      assert.ok(
        migrated.hasSource({ path: s.source_path, sizeBytes: s.source_size_bytes, mtimeMs: s.source_mtime_ms }),
      );
    }
    assert.deepStrictEqual(
      migrated.appliedFixes('nightly_etl').map((f) => [f.key, f.oldValue, f.newValue]),
      [['spark.executor.memory', '512m', '1g']],
    );
    assert.strictEqual(
      migrated.collectionSource('http://127.0.0.1:18080')?.lastCompletedEndTimeMs,
      Date.UTC(2026, 10, 21, 12, 5),
    );
    // Attempt 1 of local-1426533911241, lost by schema 6, comes back beside attempt 2 when its log is collected again.
    const first = await readOne(path.join(MULTI, 'local-1426533911241'));
    assert.strictEqual(
      migrated.upsert(first.record, {
        path: first.src.path,
        sizeBytes: first.src.sizeBytes,
        mtimeMs: first.src.mtimeMs,
        malformedLines: 0,
      }),
      'inserted',
    );
    assert.deepStrictEqual(
      migrated.attemptsOf('local-1426533911241').map((a) => a.attemptId),
      ['1', '2'],
    );
    migrated.close();
  });

  it('round-trips a record with its stages and executors unchanged', async () => {
    const store = HistoryStore.open(path.join(tmp, 'h.db'));
    const { src, record } = await readOne(path.join(LOGS, 'apache-spark', 'app-20161115172038-0000'));
    store.upsert(record, { path: src.path, sizeBytes: src.sizeBytes, mtimeMs: src.mtimeMs, malformedLines: 0 });
    const [back] = store.runsByAppName(record.appName);
    assert.deepStrictEqual(normalised(back), normalised(record));
    store.close();
  });

  it('replaces an in-progress rolling log by its finished version', async () => {
    const dir = path.join(tmp, 'logs', path.basename(ROLLING));
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(ROLLING)) fs.copyFileSync(path.join(ROLLING, f), path.join(dir, f));
    const status = fs.readdirSync(dir).find((f) => f.startsWith('appstatus_'))!;
    fs.renameSync(path.join(dir, status), path.join(dir, status + '.inprogress'));
    const store = HistoryStore.open(path.join(tmp, 'h.db'));
    const first = await collectEventLogs(path.join(tmp, 'logs'), store);
    assert.strictEqual(first.inserted, 1);
    assert.strictEqual(store.allRuns()[0].completed, false);
    fs.renameSync(path.join(dir, status + '.inprogress'), path.join(dir, status));
    const t = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, status), t, t);
    const second = await collectEventLogs(path.join(tmp, 'logs'), store);
    assert.strictEqual(second.updated, 1, JSON.stringify(second));
    assert.strictEqual(store.allRuns()[0].completed, true);
    assert.strictEqual(store.countApplications(), 1);
    store.close();
  });

  it('stays consistent when the collecting process is killed, and the next run completes the collection', async function () {
    this.timeout(60_000);
    const cli = BUILT_CLI;
    const db = path.join(tmp, 'killed.db');
    const child = spawn(process.execPath, [cli, 'collect', '--path', LOGS, '--recursive', '--db', db], {
      stdio: 'ignore',
    });
    // Kill it as soon as the first application has been committed.
    const deadline = Date.now() + 30_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      if (child.exitCode !== null) break;
      if (fs.existsSync(db)) {
        try {
          const probe = new Database(db, { readonly: true, fileMustExist: true });
          const n = (
            probe.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'applications'").get() as { n: number }
          ).n;
          const apps = n ? (probe.prepare('SELECT count(*) AS n FROM applications').get() as { n: number }).n : 0;
          probe.close();
          if (apps > 0) break;
        } catch {
          // schema being created
        }
      }
      assert.ok(Date.now() < deadline, 'collection never committed an application');
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const raw = new Database(db);
    assert.strictEqual(raw.pragma('integrity_check', { simple: true }), 'ok');
    // Every stored application has all of its stage rows (one transaction per application).
    const rows = raw
      .prepare(
        'SELECT a.app_id, a.total_stages, (SELECT count(*) FROM stages s WHERE s.app_id = a.app_id) AS stage_rows FROM applications a',
      )
      .all() as { total_stages: number; stage_rows: number }[];
    for (const r of rows) assert.strictEqual(r.stage_rows, r.total_stages);
    const before = rows.length;
    raw.close();
    const store = HistoryStore.open(db);
    const resumed = await collectEventLogs(LOGS, store);
    const clean = HistoryStore.open(path.join(tmp, 'clean.db'));
    await collectEventLogs(LOGS, clean);
    assert.strictEqual(store.countApplications(), clean.countApplications());
    assert.ok(resumed.unchanged >= before, `resumed run skipped ${resumed.unchanged} of ${before} stored`);
    store.close();
    clean.close();
  });
});
