/**
 * Per-task durations and jobs in the application record and the store (schema version 3), on real Spark 4.3.0 logs
 * of examples/history (provenance in its README). Expected values were read by hand from the decompressed logs
 * (`zstd -dc …/events_1_<appId>.zstd`): `Task Info`.`Launch Time`/`Finish Time` of each `SparkListenerTaskEnd`,
 * and the `SparkListenerJobStart`/`JobEnd` lines.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Database from 'better-sqlite3';
import { discoverEventLogs } from '../server/src/history/event-log/discover';
import { readEventLog } from '../server/src/history/event-log/reader';
import { decodeDurations, encodeDurations, HistoryStore } from '../server/src/store/history-store';
import { MIGRATIONS } from '../server/src/store/migrations';
import { EXAMPLE_HISTORY, EVENT_LOG_FIXTURES } from './helpers/fixtures';

const HISTORY = EXAMPLE_HISTORY;

async function readApp(appId: string) {
  const [src] = await discoverEventLogs(path.join(HISTORY, `eventlog_v2_${appId}`));
  const { record } = await readEventLog(src);
  assert.ok(record);
  return { src, record };
}

describe('per-task durations and jobs (real Spark 4.3.0 logs)', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-taskdata-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('keeps successful task durations per stage in launch order (tiny_tasks, 50 partitions)', async () => {
    const { record } = await readApp('app-20261121122321-0008');
    const [s0, s1] = record.stages;
    // Stage 0: TID 0 launched 1795263819103 finished …822670 (3567 ms), TID 1 launched …819128 finished …822793 (3665 ms).
    assert.deepStrictEqual(s0.taskDurationsMs, [3567, 3665]);
    assert.strictEqual(s1.taskDurationsMs?.length, 50);
    // Launch order: TID 2 (…822894, 937 ms), TID 3 (…822896, 829 ms), TID 5 and TID 4 both at …822897 (827, 932 ms;
    // TID 5's end is logged first, so it comes first), then TID 6, 7 at 222 and 223 ms.
    assert.deepStrictEqual(s1.taskDurationsMs?.slice(0, 6), [937, 829, 827, 932, 222, 223]);
    // Sum of the 50 finish − launch differences (10508 ms); the quantiles agree with the list.
    assert.strictEqual(
      s1.taskDurationsMs?.reduce((a, b) => a + b, 0),
      10508,
    );
    assert.strictEqual(Math.max(...(s1.taskDurationsMs ?? [])), s1.taskDurationMs?.max);
    assert.strictEqual(s1.taskDurationMs?.max, 937);
  });

  it('records jobs with stage ids, times, result and spark.sql.execution.id', async () => {
    const tiny = (await readApp('app-20261121122321-0008')).record;
    assert.deepStrictEqual(tiny.jobs, [
      {
        jobId: 0,
        submissionTimeMs: 1795263818865,
        completionTimeMs: 1795263825472,
        stageIds: [0, 1],
        result: 'JobSucceeded',
        failureReason: null,
        sqlExecutionId: 0,
      },
    ]);
    const etl = (await readApp('app-20261121121550-0000')).record;
    assert.deepStrictEqual(
      etl.jobs?.map((j) => [j.jobId, j.stageIds, j.sqlExecutionId, j.submissionTimeMs, j.completionTimeMs]),
      [
        [0, [0], 0, 1795263365718, 1795263383134],
        [1, [1, 2], 0, 1795263383266, 1795263393825],
        [2, [3, 4, 5], 0, 1795263393971, 1795263397937],
        [3, [6, 7, 8], 0, 1795263398402, 1795263401769],
        [4, [9, 10, 11, 12], 0, 1795263401988, 1795263406138],
      ],
    );
  });

  it('reads a failed job and its exception message (Spark 1.2 log of apache/spark)', async () => {
    const dir = path.join(EVENT_LOG_FIXTURES, 'apache-spark-v1.6.3', 'local-1422981780767');
    const [src] = await discoverEventLogs(dir);
    const { record } = await readEventLog(src);
    const failed = record?.jobs?.filter((j) => j.result === 'JobFailed') ?? [];
    assert.strictEqual(failed.length, record?.failedJobs);
    assert.strictEqual(failed[0].jobId, 1);
    assert.match(
      failed[0].failureReason ?? '',
      /^Job aborted due to stage failure: Task 3 in stage 2\.0 failed 1 times/,
    );
    assert.strictEqual(failed[0].sqlExecutionId, null);
  });

  it('stores durations as an Int32 BLOB and jobs in their table; the round trip is exact', async () => {
    assert.deepStrictEqual([...encodeDurations([3567, 3665])], [0xef, 0x0d, 0, 0, 0x51, 0x0e, 0, 0]);
    assert.deepStrictEqual(decodeDurations(encodeDurations([0, 1, 2 ** 31 - 1])), [0, 1, 2 ** 31 - 1]);
    assert.throws(() => decodeDurations(new Uint8Array(5)), RangeError);
    const store = HistoryStore.open(path.join(tmp, 'h.db'));
    const { src, record } = await readApp('app-20261121122041-0005');
    store.upsert(record, { path: src.path, sizeBytes: src.sizeBytes, mtimeMs: src.mtimeMs, malformedLines: 0 });
    const [back] = store.runsByAppName('skewed_join');
    assert.deepStrictEqual(back.jobs, record.jobs);
    assert.deepStrictEqual(
      back.stages.map((s) => s.taskDurationsMs),
      record.stages.map((s) => s.taskDurationsMs),
    );
    // 4 + 8 + 200 + 200 successful tasks (Number of Tasks of stages 0-3).
    assert.deepStrictEqual(
      back.stages.map((s) => s.taskDurationsMs?.length),
      [4, 8, 200, 200],
    );
    store.close();
  });

  it('migrates a schema-2 store forward: old rows read without per-task data, new rows get it', async () => {
    const file = path.join(tmp, 'old.db');
    const raw = new Database(file);
    for (const m of MIGRATIONS.filter((x) => x.version <= 2)) raw.exec(m.sql);
    raw.pragma('user_version = 2');
    // One application written the way a version-2 store holds it (no task_durations_ms column, no jobs table), copied
    // column by column from a current store.
    const { src, record } = await readApp('app-20261121122321-0008');
    const v3 = HistoryStore.open(path.join(tmp, 'v3.db'));
    v3.upsert(record, { path: src.path, sizeBytes: src.sizeBytes, mtimeMs: src.mtimeMs, malformedLines: 0 });
    v3.close();
    raw.exec(`ATTACH DATABASE '${path.join(tmp, 'v3.db')}' AS v3`);
    // The current names of the columns migration 10 renamed (Spark's metric names).
    const current: Record<string, string> = {
      cpu_time_ms: 'executor_cpu_time_ms',
      memory_spilled_bytes: 'memory_bytes_spilled',
      disk_spilled_bytes: 'disk_bytes_spilled',
      peak_jvm_heap_bytes: 'peak_jvm_heap_memory_bytes',
      task_time_ms: 'executor_run_time_ms',
    };
    for (const table of ['applications', 'stages', 'executors']) {
      const cols = (raw.prepare(`PRAGMA main.table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
      raw.exec(
        `INSERT INTO main.${table} (${cols.join(', ')}) SELECT ${cols.map((c) => current[c] ?? c).join(', ')} FROM v3.${table}`,
      );
    }
    raw.exec('DETACH DATABASE v3');
    raw.close();

    const store = HistoryStore.open(file);
    assert.strictEqual(store.schemaVersion, MIGRATIONS[MIGRATIONS.length - 1].version);
    const [old] = store.runsByAppName('tiny_tasks');
    assert.strictEqual(old.stages[0].taskDurationsMs, undefined);
    assert.deepStrictEqual(old.stages[0].taskDurationMs, record.stages[0].taskDurationMs);
    assert.deepStrictEqual(old.jobs, []);
    // A re-collection of the same log (changed mtime) writes the new columns.
    assert.strictEqual(
      store.upsert(record, {
        path: src.path,
        sizeBytes: src.sizeBytes,
        mtimeMs: src.mtimeMs + 1000,
        malformedLines: 0,
      }),
      'updated',
    );
    const [fresh] = store.runsByAppName('tiny_tasks');
    assert.deepStrictEqual(fresh.stages[0].taskDurationsMs, [3567, 3665]);
    assert.strictEqual(fresh.jobs?.length, 1);
    store.close();
  });
});
