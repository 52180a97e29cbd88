/**
 * The store's declarative field ↔ column maps (server/src/store/record-columns.ts) against the schema the migrations
 * create, table by table, on a new store and on real stores written by earlier versions (test/fixtures/store, provenance
 * in its README); and migration 10 (Spark's metric names, "workload") on the real schema-9 store: every row of every
 * table survives with the same values under the new column names, and every record reads back as its log reads today.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Database from 'better-sqlite3';
import { HistoryStore } from '../server/src/store/history-store';
import { MIGRATIONS } from '../server/src/store/migrations';
import {
  APPLICATIONS,
  columnsOf,
  fromColumns,
  SQLITE_TYPES,
  TABLES,
  toColumns,
} from '../server/src/store/record-columns';
import { EVENT_LOG_FIXTURES, SPARK_FIXTURES, STORE_FIXTURES } from './helpers/fixtures';
import { normalised, readOne } from './helpers/stored-records';

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

/** Each table's columns as SQLite reports them, sorted by name: [name, declared type, NOT NULL, position in the key]. */
function schemaOf(file: string): Record<string, [string, string, boolean, number][]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all() as { name: string }[]
    ).map((t) => t.name);
    const out: Record<string, [string, string, boolean, number][]> = {};
    for (const t of tables) {
      const cols = db.pragma(`table_info(${t})`) as ColumnInfo[];
      // A primary-key column counts as NOT NULL, as SQL has it: table_info reports a one-column key without NOT NULL
      // (an INTEGER one is the rowid, never NULL; another may hold NULL in SQLite only by a legacy quirk,
      // sqlite.org/lang_createtable.html, and the store never writes one).
      out[t] = cols
        .map((c): [string, string, boolean, number] => [c.name, c.type, c.notnull === 1 || c.pk > 0, c.pk])
        .sort((a, b) => a[0].localeCompare(b[0]));
    }
    return out;
  } finally {
    db.close();
  }
}

/** The same, from the maps. */
function mapsSchema(): Record<string, [string, string, boolean, number][]> {
  const out: Record<string, [string, string, boolean, number][]> = {};
  for (const m of TABLES) {
    out[m.table] = m.columns
      .map((c): [string, string, boolean, number] => [
        c.column,
        SQLITE_TYPES[c.codec.type],
        c.codec.notNull,
        m.key.indexOf(c.column) + 1,
      ])
      .sort((a, b) => a[0].localeCompare(b[0]));
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Every row of every table, in rowid order, keyed by table. */
function dump(file: string): Record<string, Record<string, unknown>[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all() as { name: string }[]
    ).map((t) => t.name);
    return Object.fromEntries(
      tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all() as Record<string, unknown>[]]),
    );
  } finally {
    db.close();
  }
}

describe('store column maps (server/src/store/record-columns.ts) vs the migrations', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-columns-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a new store has exactly the tables and columns of the maps (name, type, NOT NULL, primary key)', () => {
    const file = path.join(tmp, 'new.db');
    HistoryStore.open(file).close();
    const schema = schemaOf(file);
    assert.deepStrictEqual(schema, mapsSchema());
    // Independently of the maps: Spark's metric names, and the workload's signature, as migration 10 names them.
    const apps = schema.applications.map(([n]) => n);
    for (const c of [
      'executor_cpu_time_ms',
      'memory_bytes_spilled',
      'disk_bytes_spilled',
      'peak_jvm_heap_memory_bytes',
      'workload_signature',
    ])
      assert.ok(apps.includes(c), c);
    for (const c of [
      'cpu_time_ms',
      'memory_spilled_bytes',
      'disk_spilled_bytes',
      'peak_jvm_heap_bytes',
      'job_signature',
    ])
      assert.ok(!apps.includes(c), c);
    assert.deepStrictEqual(
      schema.executors.filter(([n]) => /time|spill|heap/.test(n)).map(([n]) => n),
      [
        'add_time_ms',
        'disk_bytes_spilled',
        'executor_run_time_ms',
        'memory_bytes_spilled',
        'peak_jvm_heap_memory_bytes',
        'remove_time_ms',
      ],
    );
  });

  for (const [fixture, version] of [
    ['history-v6.db', 6],
    ['history-v9.db', 9],
  ] as const) {
    it(`a real schema-${version} store migrated to the last schema has exactly the maps' columns (${fixture})`, () => {
      const file = path.join(tmp, fixture);
      fs.copyFileSync(path.join(STORE_FIXTURES, fixture), file);
      const raw = new Database(file, { readonly: true });
      assert.strictEqual(raw.pragma('user_version', { simple: true }), version);
      raw.close();
      const store = HistoryStore.open(file);
      assert.strictEqual(store.schemaVersion, MIGRATIONS[MIGRATIONS.length - 1].version);
      store.close();
      assert.deepStrictEqual(schemaOf(file), mapsSchema());
    });
  }

  it('each map writes and reads back every field of its row type (a round trip through plain column values)', () => {
    const row = {
      ...({} as Record<string, unknown>),
      appId: 'app-1',
      attemptId: null,
      completed: true,
      incompleteReason: undefined,
      sparkProperties: { 'spark.executor.memory': '2g' },
      taskFailures: [],
      executorCpuTimeMs: 51.773,
      sourceMtimeMs: 1700000000123.9,
    };
    const cols = toColumns(APPLICATIONS, row as never);
    // Booleans stay booleans (the dialect binds them), the attempt key is '' for none, JSON is text, ms from ns are
    // rounded, file times truncated, and an optional field left out is NULL.
    assert.deepStrictEqual(
      [
        cols.completed,
        cols.attempt_id,
        cols.spark_properties,
        cols.executor_cpu_time_ms,
        cols.source_mtime_ms,
        cols.incomplete_reason,
      ],
      [true, '', '{"spark.executor.memory":"2g"}', 52, 1700000000123, null],
    );
    const back = fromColumns(APPLICATIONS, { ...cols, completed: 1 }) as unknown as Record<string, unknown>;
    assert.deepStrictEqual(
      [back.attemptId, back.completed, back.sparkProperties, 'incompleteReason' in back],
      [null, true, { 'spark.executor.memory': '2g' }, false],
    );
    // Every column of the map is written once.
    assert.deepStrictEqual(Object.keys(cols).sort(), columnsOf(APPLICATIONS).sort());
  });

  it('migrations 10 to 12 rename the metric and workload columns of a real schema-9 store, add the collection tables and the object versions without losing a row or a value', async () => {
    const file = path.join(tmp, 'history-v9.db');
    fs.copyFileSync(path.join(STORE_FIXTURES, 'history-v9.db'), file);
    const before = dump(file);
    // The fixture as its README describes it: nine attempts from nine logs, with their children and every other table.
    assert.deepStrictEqual(Object.fromEntries(Object.entries(before).map(([t, rows]) => [t, rows.length])), {
      applications: 9,
      applied_fixes: 1,
      collection_sources: 1,
      executors: 38,
      jobs: 22,
      recommendation_feedback: 2,
      record_sources: 9,
      service_tokens: 2,
      stages: 22,
    });
    const store = HistoryStore.open(file);
    store.close();
    const after = dump(file);
    // Old column name → new, per table (migration 10); every other column keeps its name.
    const renamed: Record<string, Record<string, string>> = {
      applications: {
        cpu_time_ms: 'executor_cpu_time_ms',
        memory_spilled_bytes: 'memory_bytes_spilled',
        disk_spilled_bytes: 'disk_bytes_spilled',
        peak_jvm_heap_bytes: 'peak_jvm_heap_memory_bytes',
        job_signature: 'workload_signature',
      },
      stages: { memory_spilled_bytes: 'memory_bytes_spilled', disk_spilled_bytes: 'disk_bytes_spilled' },
      executors: {
        task_time_ms: 'executor_run_time_ms',
        peak_jvm_heap_bytes: 'peak_jvm_heap_memory_bytes',
        memory_spilled_bytes: 'memory_bytes_spilled',
        disk_spilled_bytes: 'disk_bytes_spilled',
      },
    };
    // Migration 11 adds the service's collection tables, empty.
    assert.deepStrictEqual(Object.keys(after), [...Object.keys(before), 'collection_leases', 'collections'].sort());
    assert.deepStrictEqual([after.collection_leases, after.collections], [[], []]);
    // Columns migration 12 adds, null in every row written before it (a local log has no object versions).
    const added: Record<string, Record<string, null>> = {
      applications: { source_object_versions: null },
      record_sources: { object_versions: null },
    };
    for (const [table, rows] of Object.entries(before)) {
      const expected = rows.map((r) => ({
        ...Object.fromEntries(Object.entries(r).map(([k, v]) => [renamed[table]?.[k] ?? k, v])),
        ...added[table],
      }));
      assert.deepStrictEqual(after[table], expected, table);
    }
    // Values read by hand from nightly_etl's log (zstd -dc events_1_app-20261121120341-0000.zstd, summed over its
    // SparkListenerTaskEnd events): Executor CPU Time 37,450,987,675 ns = 37,451 ms, Disk Bytes Spilled 383,971,027,
    // Memory Bytes Spilled 2,071,184,080, Executor Run Time 86,505 ms on executor 0 and 90,664 ms on executor 1.
    const app = after.applications.find((r) => r.app_id === 'app-20261121120341-0000') as Record<string, unknown>;
    assert.deepStrictEqual(
      [app.executor_cpu_time_ms, app.disk_bytes_spilled, app.memory_bytes_spilled],
      [37451, 383971027, 2071184080],
    );
    const executors = after.executors
      .filter((r) => r.app_id === 'app-20261121120341-0000')
      .map((r) => [r.executor_id, r.executor_run_time_ms]);
    assert.deepStrictEqual(executors.sort(), [
      ['0', 86505],
      ['1', 90664],
      ['driver', 0],
    ]);
    assert.ok(typeof app.workload_signature === 'string' && app.workload_signature.length === 16);
    const db = new Database(file, { readonly: true });
    const indexes = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all() as { name: string }[]
    ).map((x) => x.name);
    assert.deepStrictEqual(indexes, [
      'applications_app_name',
      'applications_collected',
      'applications_start',
      'applications_workload_runs',
      'applications_workload_signature_runs',
      'applied_fixes_app',
      'collections_source',
      'recommendation_feedback_app',
    ]);
    assert.strictEqual(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepStrictEqual(db.pragma('foreign_key_check'), []);
    db.close();
  });

  it('after migration 10 every record of the schema-9 store equals what its log reads today, and the other tables read back', async () => {
    const file = path.join(tmp, 'history-v9.db');
    fs.copyFileSync(path.join(STORE_FIXTURES, 'history-v9.db'), file);
    const store = HistoryStore.open(file);
    try {
      // Where each stored source (its base name) is among the fixtures (test/fixtures/store/README.md).
      const original: Record<string, string> = {
        'app-20161115172038-0000': path.join(EVENT_LOG_FIXTURES, 'apache-spark/app-20161115172038-0000'),
        'local-1426533911241': path.join(SPARK_FIXTURES, 'multi-attempt/apache-spark/local-1426533911241'),
        'local-1426633911242': path.join(SPARK_FIXTURES, 'multi-attempt/apache-spark/local-1426633911242'),
        'local-1532512550423': path.join(EVENT_LOG_FIXTURES, 'qubole-sparklens/local-1532512550423'),
        'app-20231025121456-0004-eventLog-running': path.join(
          EVENT_LOG_FIXTURES,
          'ucesys-sparkscope/app-20231025121456-0004-eventLog-running',
        ),
        'attempt_1_eventlog.zstd': path.join(
          EVENT_LOG_FIXTURES,
          'nvidia-spark-rapids-tools/multiple_attempts/attempt_1_eventlog.zstd',
        ),
        'attempt_4_eventlog.zstd': path.join(
          EVENT_LOG_FIXTURES,
          'nvidia-spark-rapids-tools/multiple_attempts/attempt_4_eventlog.zstd',
        ),
        'eventlog_v2_spark-bcec39f6201b42b9925124595baad260': path.join(
          EVENT_LOG_FIXTURES,
          'kubeflow-mcp-apache-spark-history-server/eventlog_v2_spark-bcec39f6201b42b9925124595baad260',
        ),
        'eventlog_v2_app-20261121120341-0000': path.join(
          EVENT_LOG_FIXTURES,
          'examples-history/eventlog_v2_app-20261121120341-0000',
        ),
      };
      const runs = store.allRuns();
      assert.strictEqual(runs.length, 9);
      for (const stored of runs) {
        const attempt = store.storedAttempt(stored.appId, stored.attemptId);
        assert.ok(attempt);
        const p = original[path.basename(attempt.sourcePath)];
        assert.ok(p, attempt.sourcePath);
        const { record } = await readOne(p);
        assert.deepStrictEqual(normalised(stored), normalised(record), attempt.sourcePath);
      }
      // The workloads: App Names of the nine logs (collect printed them when the fixture was made).
      assert.deepStrictEqual(
        store
          .listWorkloads()
          .map((w) => [w.appName, w.runs])
          .sort(),
        [
          ['ProcessLargeDataset', 2],
          ['PythonPi', 1],
          ['Spark Pi', 1],
          ['Spark shell', 4],
          ['nightly_etl', 1],
        ],
      );
      const etl = store.runById('app-20261121120341-0000');
      assert.deepStrictEqual(
        [etl?.executorCpuTimeMs, etl?.diskBytesSpilled, etl?.memoryBytesSpilled],
        [37451, 383971027, 2071184080],
      );
      assert.deepStrictEqual(
        store.appliedFixes('nightly_etl').map((f) => [f.key, f.oldValue, f.newValue, f.appliedAtMs]),
        [['spark.executor.memory', '512m', '1g', Date.UTC(2026, 10, 22, 9, 0)]],
      );
      assert.deepStrictEqual(store.collectionSource('http://127.0.0.1:18080'), {
        sourceUrl: 'http://127.0.0.1:18080',
        lastCompletedEndTimeMs: Date.UTC(2026, 10, 21, 12, 5),
        lastRunTimeMs: Date.UTC(2026, 10, 22, 9, 30),
      });
      assert.deepStrictEqual(
        store.listTokens().map((t) => [t.id, t.name, t.scope, t.revokedAtMs]),
        [
          [1, 'ci', 'collect', null],
          [2, 'old', 'read', Date.UTC(2026, 10, 23, 8, 0)],
        ],
      );
      assert.deepStrictEqual(
        store
          .feedbackOf('nightly_etl')
          .map((f) => [f.verdict, f.key, f.recommendedValue, f.previousValue, f.appliedFixId, f.tokenId]),
        [['applied', 'spark.executor.memory', '1g', '512m', 1, 1]],
      );
      assert.deepStrictEqual(
        store.feedbackOf('Spark Pi').map((f) => [f.verdict, f.reason, f.fileUri]),
        [['rejected', 'cluster nodes have 2 cores', null]],
      );
    } finally {
      store.close();
    }
  });
});
