/**
 * The PostgreSQL store (server/src/store/postgres-store.ts) against a REAL PostgreSQL (Debian's postgresql package,
 * started by test/helpers/postgres-process.ts on a loopback port with a temporary cluster), compared with the SQLite
 * store on the same real event logs (test/fixtures/spark, provenance in its README):
 * - the migrations of migrations.ts, rendered by the dialect layer, give PostgreSQL the schema SQLite gets;
 * - collecting every fixture log gives the same outcomes (the known duplicates and updates of the SQLite test) and
 *   the same records, field by field, and every read answers as SQLite's does;
 * - concurrency: several instances migrating one new database, two writers storing the same attempt at once;
 * - the password: needed, never in a URL, never in an error.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { collectEventLogs } from '../../server/src/history/collect';
import { HistoryStore } from '../../server/src/store/history-store';
import { MIGRATIONS } from '../../server/src/store/migrations';
import { PostgresStore } from '../../server/src/store/postgres-store';
import { POSTGRES_RESERVED_IDENTIFIERS } from '../../server/src/store/sql-dialect';
import { EVENT_LOG_FIXTURES } from '../helpers/fixtures';
import { PostgresProcess } from '../helpers/postgres-process';

const LOGS = EVENT_LOG_FIXTURES;
const LATEST = MIGRATIONS[MIGRATIONS.length - 1].version;

/** SQLite's declared type → the PostgreSQL type the dialect layer renders (information_schema's spelling). */
const PG_TYPE: Record<string, string> = { INTEGER: 'bigint', TEXT: 'text', REAL: 'double precision', BLOB: 'bytea' };

interface Shape {
  columns: Record<string, string[]>;
  primaryKeys: Record<string, string[]>;
  indexes: Record<string, string>;
  foreignKeys: string[];
}

function sqliteShape(file: string): Shape {
  const db = new Database(file, { readonly: true });
  const tables = (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as { name: string }[]
  ).map((t) => t.name);
  const shape: Shape = { columns: {}, primaryKeys: {}, indexes: {}, foreignKeys: [] };
  for (const t of tables) {
    const cols = db.prepare(`PRAGMA table_info(${t})`).all() as {
      name: string;
      type: string;
      notnull: number;
      pk: number;
    }[];
    shape.columns[t] = cols.map((c) => `${c.name} ${PG_TYPE[c.type]}${c.notnull || c.pk ? ' not null' : ''}`).sort();
    shape.primaryKeys[t] = cols
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    for (const fk of db.prepare(`PRAGMA foreign_key_list(${t})`).all() as {
      table: string;
      from: string;
      to: string;
      on_delete: string;
    }[]) {
      shape.foreignKeys.push(`${t}.${fk.from} -> ${fk.table}.${fk.to} on delete ${fk.on_delete.toLowerCase()}`);
    }
    for (const ix of db.prepare(`PRAGMA index_list(${t})`).all() as { name: string; origin: string }[]) {
      if (ix.origin !== 'c') continue; // CREATE INDEX only (keys and UNIQUE constraints are checked above)
      const cols = (db.prepare(`PRAGMA index_info(${ix.name})`).all() as { name: string }[]).map((c) => c.name);
      shape.indexes[ix.name] = `${t}(${cols.join(', ')})`;
    }
  }
  shape.foreignKeys.sort();
  db.close();
  return shape;
}

async function postgresShape(c: Client): Promise<Shape> {
  const shape: Shape = { columns: {}, primaryKeys: {}, indexes: {}, foreignKeys: [] };
  const cols = await c.query(
    "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name, column_name",
  );
  for (const r of cols.rows)
    (shape.columns[r.table_name] ??= []).push(
      `${r.column_name} ${r.data_type}${r.is_nullable === 'NO' ? ' not null' : ''}`,
    );
  for (const t of Object.keys(shape.columns)) shape.columns[t].sort();
  const pks = await c.query(
    `SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
     WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public' AND tc.table_name <> 'schema_migrations' ORDER BY tc.table_name, kcu.ordinal_position`,
  );
  for (const r of pks.rows) (shape.primaryKeys[r.table_name] ??= []).push(r.column_name);
  const fks = await c.query(
    `SELECT cl.relname AS t, a.attname AS "from", rc.relname AS ref, ra.attname AS "to", con.confdeltype
     FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_class rc ON rc.oid = con.confrelid
     JOIN LATERAL unnest(con.conkey, con.confkey) AS k(c, rcol) ON true
     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.c JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.rcol
     WHERE con.contype = 'f'`,
  );
  const onDelete: Record<string, string> = {
    a: 'no action',
    c: 'cascade',
    r: 'restrict',
    n: 'set null',
    d: 'set default',
  };
  shape.foreignKeys = fks.rows
    .map((r) => `${r.t}.${r.from} -> ${r.ref}.${r.to} on delete ${onDelete[r.confdeltype]}`)
    .sort();
  const ixs = await c.query(
    `SELECT i.relname AS name, t.relname AS t, array_agg(a.attname::text ORDER BY k.ord) AS cols FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) ON true JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE n.nspname = 'public' AND NOT x.indisprimary AND NOT x.indisunique GROUP BY i.relname, t.relname`,
  );
  for (const r of ixs.rows) shape.indexes[r.name] = `${r.t}(${(r.cols as string[]).join(', ')})`;
  return shape;
}

describe('PostgreSQL store (real PostgreSQL 15, compared with SQLite)', function () {
  this.timeout(600_000);
  let server: PostgresProcess;
  let tmp: string;
  let pg: PostgresStore;
  let sqlite: HistoryStore;
  let dbCount = 0;

  /** A new empty database on the server; its URL (no password). */
  const newDatabase = (): string => {
    const name = `t${++dbCount}`;
    server.psql(`CREATE DATABASE ${name}`);
    return `postgres://${server.user}@127.0.0.1:${server.port}/${name}`;
  };
  const client = async (url: string) => {
    const c = new Client({ ...parseIntoClientConfig(url), password: server.password });
    await c.connect();
    return c;
  };

  before(async () => {
    server = new PostgresProcess();
    await server.start();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-pgstore-'));
    pg = await PostgresStore.open({ url: newDatabase(), password: server.password });
    sqlite = HistoryStore.open(path.join(tmp, 'h.db'));
  });

  after(async () => {
    await pg?.close();
    sqlite?.close();
    await server?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('migrations.ts rendered for PostgreSQL gives the schema SQLite gets: columns and types, keys, foreign keys, indexes', async () => {
    assert.strictEqual(await pg.schemaVersion(), LATEST);
    const c = await client(newDatabase());
    try {
      // A fresh database migrated by a second store instance.
      const other = await PostgresStore.open({
        url: `postgres://${server.user}@127.0.0.1:${server.port}/${c.database}`,
        password: server.password,
      });
      await other.close();
      const want = sqliteShape(path.join(tmp, 'h.db'));
      const got = await postgresShape(c);
      assert.deepStrictEqual(got.columns, want.columns);
      assert.deepStrictEqual(got.primaryKeys, want.primaryKeys);
      assert.deepStrictEqual(got.foreignKeys, want.foreignKeys);
      assert.deepStrictEqual(got.indexes, want.indexes);
      // Known from migrations.ts: 11 tables (migration 11 adds collection_leases and collections), migration 10's index
      // on (workload_signature, start_time_ms) and migration 11's on (source_name, id).
      assert.strictEqual(Object.keys(got.columns).length, 11);
      assert.strictEqual(
        got.indexes.applications_workload_signature_runs,
        'applications(workload_signature, start_time_ms)',
      );
      assert.strictEqual(got.indexes.collections_source, 'collections(source_name, id)');
      assert.deepStrictEqual(
        (await c.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version),
        MIGRATIONS.map((m) => m.version),
      );
    } finally {
      await c.end();
    }
  });

  it('no table or column of the schema is a word PostgreSQL reserves, except those the dialect layer quotes', async () => {
    // t1: the database of `pg` (the first one made).
    const c = await client(`postgres://${server.user}@127.0.0.1:${server.port}/t1`);
    try {
      const reserved = new Set(
        (await c.query("SELECT word FROM pg_get_keywords() WHERE catcode = 'R'")).rows.map((r) => r.word as string),
      );
      const names = (
        await c.query(
          "SELECT DISTINCT column_name AS n FROM information_schema.columns WHERE table_schema = 'public' UNION SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
        )
      ).rows.map((r) => r.n as string);
      assert.deepStrictEqual(names.filter((n) => reserved.has(n)).sort(), [...POSTGRES_RESERVED_IDENTIFIERS].sort());
    } finally {
      await c.end();
    }
  });

  it('collects every fixture log with the outcomes and records SQLite gets (duplicates and updates included)', async () => {
    const intoPg = await collectEventLogs(LOGS, pg);
    const intoSqlite = await collectEventLogs(LOGS, sqlite);
    assert.deepStrictEqual(intoPg.failed, []);
    const outcomes = (s: typeof intoPg) =>
      s.applications.map((a) => [path.relative(LOGS, a.path), a.appId, a.attemptId, a.outcome]);
    assert.deepStrictEqual(outcomes(intoPg), outcomes(intoSqlite));
    // The same known cases as test/history-store.test.ts: one log recompressed elsewhere, one in three copies.
    const of = (id: string) =>
      intoPg.applications.filter((a) => a.appId === id).map((a) => [path.relative(LOGS, a.path), a.outcome]);
    assert.deepStrictEqual(of('local-1532512550423'), [
      ['generated/local-1532512550423.zstd', 'inserted'],
      ['qubole-sparklens/local-1532512550423', 'duplicate'],
    ]);
    assert.deepStrictEqual(of('local-1623876083964'), [
      ['nvidia-spark-rapids-tools/db_sim_eventlog/eventlog-2021-06-15--15-00.gz', 'inserted'],
      ['nvidia-spark-rapids-tools/eventlog_v2_local-1623876083964', 'updated'],
      ['spark-codecs/databricks/db_sim_eventlog', 'duplicate'],
    ]);
    const n = await pg.countApplications();
    assert.strictEqual(n, sqlite.countApplications());
    assert.ok(n >= 20, `${n} attempts`);
    // Every stored attempt, field by field (stages with their Int32 task durations, jobs, executors).
    const all = sqlite.allRuns(10_000);
    assert.strictEqual(all.length, n);
    for (const r of all) assert.deepStrictEqual(await pg.runById(r.appId, r.attemptId), r, `${r.appId}/${r.attemptId}`);
    assert.deepStrictEqual(await pg.allRuns(10_000), all);
    // A second collection reads nothing again.
    const again = await collectEventLogs(LOGS, pg);
    assert.deepStrictEqual(
      [again.inserted, again.updated, again.unchanged, again.failed.length],
      [0, 0, again.found, 0],
    );
  });

  it('answers every read as the SQLite store does on the same history', async () => {
    const names = sqlite.appNames();
    assert.deepStrictEqual([...(await pg.appNames())].sort(), [...names].sort());
    assert.deepStrictEqual(await pg.listWorkloads(), sqlite.listWorkloads());
    const byName = (x: { appName: string }[]) =>
      [...x].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    assert.deepStrictEqual(byName(await pg.applicationTotals()), byName(sqlite.applicationTotals()));
    for (const name of names) {
      assert.deepStrictEqual(await pg.runsByAppName(name, 50), sqlite.runsByAppName(name, 50), name);
      assert.deepStrictEqual(await pg.runsWithSameSignature(name, 50), sqlite.runsWithSameSignature(name, 50), name);
    }
    for (const r of sqlite.allRuns(10_000)) {
      assert.deepStrictEqual(await pg.attemptsOf(r.appId), sqlite.attemptsOf(r.appId));
      assert.deepStrictEqual(await pg.storedAttempt(r.appId, r.attemptId), sqlite.storedAttempt(r.appId, r.attemptId));
      assert.deepStrictEqual(await pg.runById(r.appId), sqlite.runById(r.appId));
    }
    for (const stem of ['nightly_etl', 'NIGHTLY_ETL', 'pi', 'no_such_file'])
      assert.deepStrictEqual(await pg.appNamesBySubmittedFile(stem), sqlite.appNamesBySubmittedFile(stem), stem);
    for (const master of ['spark://127.0.0.1:7077', 'local[*]', 'local[2]', 'yarn', 'no-such-master'])
      for (const max of [undefined, 1])
        assert.deepStrictEqual(
          await pg.appNamesByMaster(master, max),
          sqlite.appNamesByMaster(master, max),
          `${master} ${max}`,
        );
    // examples-history/…120341-0000 is a nightly_etl run on spark://127.0.0.1:7077 (its SparkListenerEnvironmentUpdate).
    assert.ok((await pg.appNamesByMaster('spark://127.0.0.1:7077')).includes('nightly_etl'));
    assert.deepStrictEqual(await pg.incompleteAttempts(LOGS), sqlite.incompleteAttempts(LOGS));
    assert.ok((await pg.incompleteAttempts(LOGS)).length > 0, 'the fixtures hold unfinished logs');
    assert.strictEqual(await pg.runById('app-nope'), null);
  });

  it('keeps the History Server watermark from moving back, and stores tokens, feedback and applied fixes', async () => {
    const url = 'http://127.0.0.1:18080';
    await pg.recordCollectionRun(url, 5000, 100);
    await pg.recordCollectionRun(url, 3000, 200);
    assert.deepStrictEqual(await pg.collectionSource(url), {
      sourceUrl: url,
      lastCompletedEndTimeMs: 5000,
      lastRunTimeMs: 200,
    });
    await pg.recordCollectionRun(url, null, 300);
    assert.deepStrictEqual(await pg.collectionSource(url), {
      sourceUrl: url,
      lastCompletedEndTimeMs: 5000,
      lastRunTimeMs: 300,
    });
    assert.strictEqual(await pg.collectionSource('http://elsewhere'), null);

    const before = await pg.historyVersion();
    const fixId = await pg.recordAppliedFix({
      fileUri: 'file:///jobs/a.py',
      appName: 'nightly_etl',
      key: 'spark.executor.memory',
      oldValue: '1g',
      newValue: '2g',
      appliedAtMs: 10,
    });
    assert.notStrictEqual(await pg.historyVersion(), before, 'an applied fix changes the history version');
    assert.deepStrictEqual(await pg.appliedFixes(null, 'file:///jobs/a.py'), [
      {
        id: fixId,
        fileUri: 'file:///jobs/a.py',
        appName: 'nightly_etl',
        key: 'spark.executor.memory',
        oldValue: '1g',
        newValue: '2g',
        appliedAtMs: 10,
      },
    ]);
    const tokenId = await pg.createToken({
      name: 'ci',
      scope: 'collect',
      tokenSha256: 'a'.repeat(64),
      createdAtMs: 20,
    });
    await assert.rejects(
      pg.createToken({ name: 'again', scope: 'read', tokenSha256: 'a'.repeat(64), createdAtMs: 21 }),
      /unique|duplicate key/i,
    );
    const feedbackId = await pg.recordFeedback({
      verdict: 'rejected',
      appName: 'nightly_etl',
      key: 'spark.executor.memory',
      recommendedValue: '2g',
      previousValue: '1g',
      reason: 'no',
      fileUri: null,
      appliedFixId: fixId,
      tokenId,
      receivedAtMs: 30,
    });
    assert.deepStrictEqual(await pg.feedbackOf('nightly_etl'), [
      {
        id: feedbackId,
        verdict: 'rejected',
        appName: 'nightly_etl',
        key: 'spark.executor.memory',
        recommendedValue: '2g',
        previousValue: '1g',
        reason: 'no',
        fileUri: null,
        appliedFixId: fixId,
        tokenId,
        receivedAtMs: 30,
      },
    ]);
    assert.strictEqual(await pg.revokeToken(tokenId, 40), true);
    assert.strictEqual(await pg.revokeToken(tokenId, 41), false);
    assert.deepStrictEqual(await pg.tokenBySha256('a'.repeat(64)), {
      id: tokenId,
      name: 'ci',
      scope: 'collect',
      tokenSha256: 'a'.repeat(64),
      createdAtMs: 20,
      revokedAtMs: 40,
    });
    // The CHECK constraints of migration 8 hold on PostgreSQL too.
    await assert.rejects(
      pg.createToken({ name: 'x', scope: 'root' as 'read', tokenSha256: 'b'.repeat(64), createdAtMs: 1 }),
      /check constraint/i,
    );
  });

  it('tells object-store source versions apart by their ETags as SQLite does (migration 12)', async () => {
    const url = newDatabase();
    const store = await PostgresStore.open({ url, password: server.password });
    const local = HistoryStore.open(path.join(tmp, 'etag.db'));
    try {
      const [record] = sqlite.allRuns(1);
      const at = { path: 's3://bucket/logs/one', sizeBytes: 1000, mtimeMs: 5000, malformedLines: 0 };
      // The same steps on both stores: upserts (their outcomes) and hasSource questions (their answers).
      const steps = async (s: PostgresStore | HistoryStore) => [
        await s.upsert(record, { ...at, objectVersions: 'e1' }),
        await s.upsert(record, { ...at, objectVersions: 'e1' }),
        await s.hasSource({ ...at, mtimeMs: 9000, objectVersions: 'e1' }),
        await s.hasSource({ ...at, objectVersions: 'e2' }),
        await s.upsert(record, { ...at, objectVersions: 'e2' }),
        await s.hasSource({ ...at, objectVersions: 'e2' }),
        await s.hasSource({ ...at, objectVersions: 'e1' }),
        // A source stored without versions keeps the size and mtime test.
        await s.upsert(record, { ...at, path: 's3://bucket/old/one' }),
        await s.hasSource({ ...at, path: 's3://bucket/old/one', objectVersions: 'e7' }),
        await s.hasSource({ ...at, path: 's3://bucket/old/one', mtimeMs: 6000, objectVersions: 'e7' }),
      ];
      const expected = ['inserted', 'unchanged', true, false, 'updated', true, false, 'duplicate', true, false];
      assert.deepStrictEqual(await steps(local), expected);
      assert.deepStrictEqual(await steps(store), expected);
      const c = await client(url);
      const rows = (await c.query('SELECT path, object_versions FROM record_sources ORDER BY path')).rows as unknown[];
      await c.end();
      assert.deepStrictEqual(rows, [
        { path: 's3://bucket/logs/one', object_versions: 'e2' },
        { path: 's3://bucket/old/one', object_versions: null },
      ]);
    } finally {
      await store.close();
      local.close();
    }
  });

  it('two writers storing the same attempt at once: one inserts, the others find it stored; nothing fails', async () => {
    const url = newDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => PostgresStore.open({ url, password: server.password })));
    try {
      const [record] = sqlite.allRuns(1);
      const source = { path: '/logs/one', sizeBytes: 10, mtimeMs: 1, malformedLines: 0 };
      const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 3].upsert(record, source)));
      assert.deepStrictEqual(outcomes.filter((o) => o === 'inserted').length, 1);
      assert.deepStrictEqual(
        outcomes.filter((o) => o !== 'inserted'),
        Array(11).fill('unchanged'),
      );
      assert.strictEqual(await stores[0].countApplications(), 1);
      assert.deepStrictEqual(await stores[1].runById(record.appId, record.attemptId), record);
      // Three instances opened the new database at once: the schema was made once.
      const c = await client(url);
      assert.strictEqual((await c.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0].n, LATEST);
      await c.end();
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('refuses a database of a newer schema, a URL with a password and a wrong password, never showing the password', async () => {
    const url = newDatabase();
    await (await PostgresStore.open({ url, password: server.password })).close();
    const c = await client(url);
    await c.query("INSERT INTO schema_migrations (version, description, applied_at_ms) VALUES (999, 'future', 0)");
    await c.end();
    await assert.rejects(PostgresStore.open({ url, password: server.password }), /schema version 999, newer than/);
    await assert.rejects(
      PostgresStore.open({ url: `postgres://${server.user}:${server.password}@127.0.0.1:${server.port}/postgres` }),
      (e: Error) => /carries a password/.test(e.message) && !e.message.includes(server.password),
    );
    await assert.rejects(
      PostgresStore.open({
        url: `postgres://${server.user}@127.0.0.1:${server.port}/postgres`,
        password: 'not-the-password',
      }),
      (e: Error) =>
        /password authentication failed for user "spark_optimizer"/.test(e.message) &&
        e.message.includes(`postgres://${server.user}@127.0.0.1:${server.port}/postgres`),
    );
    assert.ok(!server.log().includes(server.password), 'the server log holds the password');
  });
});
