/**
 * Reading real event logs into application records.
 *
 * Every expected number below was computed without this code: a short python3 script (json module;
 * `zstd -dc` for .zstd, gzip module for .gz) that sums/counts the fields named in
 * server/src/history/application-record.ts over the log's lines, and takes quantiles by Spark's rule
 * sorted[min(floor(q·n), n−1)] over successful tasks' `Finish Time − Launch Time`; or, where stated,
 * Spark's own History Server expectation files (test/fixtures/spark/history-server/).
 */

import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ApplicationRecord, StageRecord } from '../server/src/history/application-record';
import { discoverEventLogs, readEventLog, singleSource, type EventLogSource } from '../server/src/history/event-log';
import { SPARK_FIXTURES } from './helpers/fixtures';

const REPO_ROOT = SPARK_FIXTURES;
const FIXTURES = path.join(REPO_ROOT, 'event-logs');

async function read(rel: string): Promise<Awaited<ReturnType<typeof readEventLog>>> {
  const [source] = await discoverEventLogs(path.join(FIXTURES, rel));
  return readEventLog(source);
}

async function record(rel: string): Promise<ApplicationRecord> {
  const { record: r } = await read(rel);
  assert.ok(r !== null, `${rel} gave no record`);
  return r;
}

function stage(r: ApplicationRecord, stageId: number, attemptId = 0): StageRecord {
  const s = r.stages.find((x) => x.stageId === stageId && x.attemptId === attemptId);
  assert.ok(s !== undefined, `stage ${stageId}.${attemptId} missing`);
  return s;
}

describe('event-log reader', () => {
  it('plain log (qubole-sparklens local-1532512550423, Spark 2.3.0 local mode)', async () => {
    const { record: r, stats } = await read('qubole-sparklens/local-1532512550423');
    assert.ok(r !== null);
    assert.equal(r.appId, 'local-1532512550423');
    assert.equal(r.attemptId, null);
    assert.equal(r.appName, 'Spark shell');
    assert.equal(r.user, 'beria');
    assert.equal(r.sparkVersion, '2.3.0');
    assert.equal(r.master, 'local[*]');
    assert.equal(r.startTimeMs, 1532512549494);
    assert.equal(r.endTimeMs, 1532512565469);
    assert.equal(r.durationMs, 1532512565469 - 1532512549494);
    assert.equal(r.completed, true);
    assert.equal(r.totalTasks, 8);
    assert.equal(r.failedTasks, 0);
    assert.equal(r.totalJobs, 2);
    assert.equal(r.totalStages, 2);
    assert.equal(r.executorRunTimeMs, 91);
    assert.equal(r.jvmGcTimeMs, 44);
    assert.equal(r.executorCpuTimeMs, 52); // 51,773,000 ns
    assert.equal(r.totalExecutorsAdded, 0); // the only ExecutorAdded is the driver's
    assert.equal(r.executorMemoryMiB, null); // not set in Spark Properties
    assert.deepEqual(
      r.executors.map((e) => [e.executorId, e.isDriver]),
      [['driver', true]],
    );
    assert.deepEqual(stage(r, 0).taskDurationMs, { min: 247, p25: 248, median: 248, p75: 265, p95: 265, max: 265 });
    assert.equal(stage(r, 0).numTasks, 4);
    assert.equal(stage(r, 0).succeededTasks, 4);
    assert.deepEqual([stage(r, 1).taskDurationMs?.median, stage(r, 1).taskDurationMs?.max], [7, 7]);
    assert.equal(stats.lines, 30);
    assert.equal(stats.malformedLines, 0);
    assert.equal(stats.bytes, 56749);
    assert.deepEqual(stats.warnings, []);
  });

  it('reads the same record whatever the parse shortcut', async () => {
    const [source] = await discoverEventLogs(path.join(FIXTURES, 'nvidia-spark-rapids-tools/xgboost_eventlog.zstd'));
    const fast = await readEventLog(source);
    const full = await readEventLog(source, { validateAllLines: true });
    assert.deepEqual(fast.record, full.record);
    assert.equal(fast.stats.ignoredEvents, full.stats.ignoredEvents);
    assert.equal(fast.stats.ignoredEvents, 174); // 379 lines − 205 lines of the 14 folded event kinds (python3 Counter)
  });

  it('failures, local-cluster (apache-spark app-20161115172038-0000)', async () => {
    const r = await record('apache-spark/app-20161115172038-0000');
    assert.equal(r.sparkVersion, '2.1.0-SNAPSHOT');
    assert.equal(r.master, 'local-cluster[4,4,1024]');
    assert.equal(r.user, 'jose');
    assert.equal(r.startTimeMs, 1479252037079);
    assert.equal(r.endTimeMs, 1479252138874);
    assert.equal(r.totalTasks, 26);
    assert.equal(r.failedTasks, 10);
    assert.equal(r.totalExecutorsAdded, 4);
    assert.equal(r.maxExecutors, 4);
    assert.equal(r.executorCores, 4); // spark.executor.cores unset → the Total Cores of all 4 executors
    assert.equal(r.executorRunTimeMs, 3962);
    assert.equal(r.jvmGcTimeMs, 404);
    assert.deepEqual(r.taskFailures, [
      { reason: 'ExceptionFailure', kind: 'other', count: 10, example: 'java.lang.RuntimeException: bad exec' },
    ]);
    const s0 = stage(r, 0);
    assert.equal(s0.succeededTasks, 16);
    assert.equal(s0.failedTasks, 10);
    assert.deepEqual(
      [s0.taskDurationMs?.min, s0.taskDurationMs?.median, s0.taskDurationMs?.p95, s0.taskDurationMs?.max],
      [9, 594, 869, 869],
    );
    assert.equal(s0.skewRatio, 869 / 594);
  });

  it('multiple attempts of one YARN app (nvidia multiple_attempts, zstd, EMR 3.3.0)', async () => {
    const sources = await discoverEventLogs(path.join(FIXTURES, 'nvidia-spark-rapids-tools/multiple_attempts'));
    const records = await Promise.all(sources.map(async (s) => (await readEventLog(s)).record as ApplicationRecord));
    assert.deepEqual(
      records.map((r) => [r.appId, r.attemptId, r.totalTasks, r.completed]),
      [
        ['application_1724877841851_0016', '1', 107, true],
        ['application_1724877841851_0016', '2', 107, true],
        ['application_1724877841851_0016', '3', 107, true],
        ['application_1724877841851_0016', '4', 107, true],
      ],
    );
    const [a1, , , a4] = records;
    assert.equal(a1.sparkVersion, '3.3.0-amzn-0');
    assert.equal(a1.appName, 'ProcessLargeDataset');
    assert.equal(a1.master, 'yarn');
    assert.equal(a1.startTimeMs, 1724884534755);
    assert.equal(a1.endTimeMs, 1724884577419);
    assert.equal(a1.executorMemoryMiB, 9397); // spark.executor.memory=9397M
    assert.equal(a1.driverMemoryMiB, 2048); // spark.driver.memory=2048M
    assert.equal(a1.executorCores, 3);
    assert.equal(a1.dynamicAllocationEnabled, true);
    assert.equal(a1.totalExecutorsAdded, 10);
    assert.equal(a1.inputBytes, 263123509);
    assert.equal(a1.outputBytes, 7875993);
    assert.equal(a1.shuffleWriteBytes, 6688985);
    assert.equal(a1.peakJvmHeapMemoryBytes, 1145893472); // max Task Executor Metrics JVMHeapMemory (executor 1)
    assert.equal(a4.startTimeMs, 1724884673574);
    assert.equal(a4.peakJvmHeapMemoryBytes, 1224382592); // executor 2
  });

  it('one malformed line is counted and the rest still read (malformed_json_eventlog.zstd)', async () => {
    const { record: r, stats } = await read('nvidia-spark-rapids-tools/malformed_json_eventlog.zstd');
    assert.equal(stats.lines, 477);
    assert.equal(stats.malformedLines, 1);
    assert.deepEqual(stats.malformedLineNumbers, [4]); // the SparkListenerEnvironmentUpdate line
    assert.match(stats.warnings.join('\n'), /malformed_json_eventlog\.zstd:4: malformed line skipped \(invalid JSON/);
    // One bad line is tolerated (below JSON_FAILURE_RUN / JSON_FAILURE_SHARE): no decode error, the record is whole.
    assert.deepEqual(stats.decodeErrors, []);
    assert.ok(r !== null);
    assert.equal(r.incompleteReason, undefined);
    assert.equal(r.appId, 'application_1603128018386_7759');
    assert.equal(r.sparkVersion, '3.1.1');
    assert.equal(r.master, null); // lost with the environment line
    assert.equal(r.totalTasks, 217);
    assert.equal(r.shuffleReadBytes, 100623870);
    assert.equal(r.totalExecutorsAdded, 9);
    assert.equal(r.maxExecutors, 8);
    assert.equal(r.peakJvmHeapMemoryBytes, null); // its Task Executor Metrics are all 0 (never sampled)
    const s3 = stage(r, 3);
    assert.equal(s3.succeededTasks, 200);
    assert.deepEqual(
      [s3.taskDurationMs?.min, s3.taskDurationMs?.median, s3.taskDurationMs?.p95, s3.taskDurationMs?.max],
      [33, 47, 167, 880],
    );
  });

  it('Databricks log without ApplicationEnd (xgboost_eventlog.zstd)', async () => {
    const r = await record('nvidia-spark-rapids-tools/xgboost_eventlog.zstd');
    assert.equal(r.sparkVersion, '3.2.1'); // from DBCEventLoggingListenerMetadata (no LogStart)
    assert.equal(r.appId, 'app-20221221223542-0001');
    assert.equal(r.appName, 'Databricks Shell');
    assert.equal(r.endTimeMs, null);
    assert.equal(r.completed, false);
    assert.equal(r.startTimeMs, 1671662138929);
    assert.equal(r.durationMs, 1671662962490 - 1671662138929); // latest timestamp in the log − start
    assert.equal(r.executorMemoryMiB, 21588);
    assert.equal(r.executorCores, 8);
    assert.equal(r.totalTasks, 155);
    assert.equal(r.totalJobs, 9);
    assert.equal(r.inputBytes, 524228006);
    assert.equal(r.shuffleReadBytes, 2301895096);
    assert.equal(r.shuffleWriteBytes, 1930537354);
    assert.equal(r.peakJvmHeapMemoryBytes, 7703082752);
    const s5 = stage(r, 5);
    assert.equal(s5.succeededTasks, 16);
    assert.deepEqual(
      [s5.taskDurationMs?.min, s5.taskDurationMs?.median, s5.taskDurationMs?.max],
      [104500, 104516, 104526],
    );
  });

  it('running app without end (ucesys-sparkscope eventLog-running)', async () => {
    const r = await record('ucesys-sparkscope/app-20231025121456-0004-eventLog-running');
    assert.equal(r.completed, false);
    assert.equal(r.endTimeMs, null);
    assert.equal(r.sparkVersion, '3.2.4');
    assert.equal(r.durationMs, 1698236104096 - 1698236095722);
    assert.equal(r.executorMemoryMiB, 900);
    assert.equal(r.executorInstances, 2);
    assert.equal(r.executorCores, 2);
    assert.equal(r.totalExecutorsAdded, 2);
    assert.equal(r.totalTasks, 1);
  });

  it('peak JVM heap per executor matches Spark History Server expectations (apache-spark-26d03b62)', async () => {
    const r = await record('apache-spark-26d03b62/application_1506645932520_24630151');
    // Spark's HistoryServerSuite expectation for /applications/application_1506645932520_24630151/executors.
    const expected = JSON.parse(
      await fsp.readFile(
        path.join(
          REPO_ROOT,
          'history-server/apache-spark-26d03b62/executor_list_with_executor_metrics_json_expectation.json',
        ),
        'utf8',
      ),
    ) as { id: string; peakMemoryMetrics?: { JVMHeapMemory: number } }[];
    const want = expected
      .filter((e) => e.peakMemoryMetrics)
      .map((e): [string, number | null] => [e.id, e.peakMemoryMetrics?.JVMHeapMemory ?? null]);
    const got = r.executors
      .filter((e) => e.peakJvmHeapMemoryBytes !== null)
      .map((e): [string, number | null] => [e.executorId, e.peakJvmHeapMemoryBytes]);
    assert.deepEqual(new Map(got), new Map(want));
    assert.equal(want.length, 5);
    assert.equal(r.peakJvmHeapMemoryBytes, 755008624); // executor 1; the driver (629,553,808) does not count on YARN
    assert.equal(r.executorMemoryMiB, 2048); // 2G
    assert.equal(r.executorInstances, 4);
    assert.equal(r.totalExecutorsAdded, 7);
    assert.equal(r.maxExecutors, 7);
    assert.equal(r.inputBytes, 323849105);
    assert.equal(r.shuffleWriteBytes, 102035253);
  });

  it('executor-lost failures and process-tree metrics (apache-spark-26d03b62 application_1538416563558_0014)', async () => {
    const r = await record('apache-spark-26d03b62/application_1538416563558_0014');
    assert.equal(r.totalTasks, 35);
    assert.equal(r.failedTasks, 8);
    assert.deepEqual(
      r.taskFailures.map((f) => [f.reason, f.kind, f.count]),
      [['ExecutorLostFailure', 'executor-lost', 8]], // "Exit status: 56" is not a memory kill
    );
    assert.match(
      r.taskFailures[0].example,
      /^Container marked as failed: container_1538416563558_0014_01_00000\d on host/,
    );
    assert.equal(r.totalExecutorsAdded, 9);
    assert.equal(r.maxExecutors, 2);
    const expected = JSON.parse(
      await fsp.readFile(
        path.join(
          REPO_ROOT,
          'history-server/apache-spark-26d03b62/executor_list_with_executor_process_tree_metrics_json_expectation.json',
        ),
        'utf8',
      ),
    ) as { id: string; peakMemoryMetrics: { JVMHeapMemory: number } }[];
    for (const e of expected) {
      assert.equal(
        r.executors.find((x) => x.executorId === e.id)?.peakJvmHeapMemoryBytes,
        e.peakMemoryMetrics.JVMHeapMemory,
        e.id,
      );
    }
    const removed = r.executors.filter((e) => e.removeTimeMs !== null);
    assert.equal(removed.length, 8); // 8 SparkListenerExecutorRemoved
  });

  it('attempt id from a YARN log with a _1 file suffix (application_1536831636016_59384_1)', async () => {
    const { record: r } = await read('apache-spark-26d03b62/application_1536831636016_59384_1');
    assert.ok(r !== null);
    assert.equal(r.appId, 'application_1536831636016_59384');
    assert.equal(r.attemptId, '1');
    assert.equal(r.totalTasks, 100);
  });

  it('rolling zstd dir reads both parts in order (nvidia eventlog_v2_local-1623876083964)', async () => {
    const { record: r, stats } = await read('nvidia-spark-rapids-tools/eventlog_v2_local-1623876083964');
    assert.ok(r !== null);
    assert.equal(stats.files.length, 2);
    assert.equal(stats.lines, 5370 + 251);
    assert.equal(r.appId, 'local-1623876083964');
    assert.equal(r.sparkVersion, '3.1.1');
    assert.equal(r.completed, true); // ApplicationEnd is in part 2; appstatus without .inprogress
    assert.equal(r.startTimeMs, 1623876083370);
    assert.equal(r.endTimeMs, 1623876217227);
    assert.equal(r.totalTasks, 2801);
    assert.equal(r.shuffleReadBytes, 10078016818);
    assert.equal(r.driverMemoryMiB, 30720); // 30g
    assert.equal(r.peakJvmHeapMemoryBytes, 18414881640); // local mode: the driver's heap
    const s2 = stage(r, 2);
    assert.equal(s2.succeededTasks, 200);
    assert.deepEqual(s2.taskDurationMs, { min: 2351, p25: 3560, median: 3668, p75: 3813, p95: 7439, max: 9592 });
  });

  it('the gzip copy of rolling part 1 reads as the same app, unfinished (db_sim_eventlog)', async () => {
    const r = await record('nvidia-spark-rapids-tools/db_sim_eventlog/eventlog-2021-06-15--15-00.gz');
    assert.equal(r.appId, 'local-1623876083964');
    assert.equal(r.totalTasks, 2672);
    assert.equal(r.endTimeMs, null);
    assert.equal(r.durationMs, 1623876173478 - 1623876083370);
  });

  it('legacy Spark 1.2 directory (apache-spark-v1.6.3 local-1422981780767)', async () => {
    const r = await record('apache-spark-v1.6.3/local-1422981780767');
    assert.equal(r.sparkVersion, '1.2.0'); // SPARK_VERSION_1.2.0 marker; the log has no LogStart
    assert.equal(r.user, 'irashid');
    assert.equal(r.completed, true);
    assert.equal(r.totalTasks, 32);
    assert.equal(r.failedTasks, 1);
    assert.equal(r.failedStages, 1);
    assert.equal(r.totalJobs, 3);
    assert.equal(r.failedJobs, 1);
    assert.equal(r.inputBytes, 28000288);
    assert.equal(r.executorCpuTimeMs, 0); // no Executor CPU Time before Spark 2.1
  });

  it('big GPU log with failures and spill (gpu_oom_eventlog.zstd)', async () => {
    const { record: r, stats } = await read('nvidia-spark-rapids-tools/gpu_oom_eventlog.zstd');
    assert.ok(r !== null);
    assert.equal(stats.lines, 25084);
    assert.equal(stats.bytes, 35511711); // `zstd -dc | wc -c`
    assert.equal(r.sparkVersion, '3.3.1');
    assert.equal(r.totalTasks, 12416);
    assert.equal(r.failedTasks, 113);
    assert.equal(r.memoryBytesSpilled, 232266025572);
    assert.equal(r.diskBytesSpilled, 0);
    assert.equal(r.inputBytes, 242891597470);
    assert.equal(r.executorRunTimeMs, 2924581);
    assert.equal(r.jvmGcTimeMs, 247811);
    assert.equal(r.totalJobs, 37);
    assert.equal(r.failedJobs, 5);
    assert.equal(r.totalStages, 37);
    assert.equal(r.failedStages, 5);
    assert.equal(r.totalExecutorsAdded, 2);
    assert.equal(r.executorCores, 16);
    assert.equal(r.executorMemoryMiB, 16384); // 16G
    assert.equal(r.driverMemoryMiB, 51200); // 50G
    assert.equal(r.peakJvmHeapMemoryBytes, 4903950240);
    assert.deepEqual(
      r.taskFailures.map((f) => [f.reason, f.kind, f.count]),
      [
        ['ExceptionFailure', 'other', 112], // GpuSplitAndRetryOOM is a GPU OOM, not java.lang.OutOfMemoryError
        ['TaskKilled', 'killed', 1],
      ],
    );
    assert.equal(r.taskFailures[1].example, 'Stage cancelled');
    const s35 = stage(r, 35);
    assert.deepEqual([s35.succeededTasks, s35.failedTasks], [141, 59]);
    assert.deepEqual(
      [s35.taskDurationMs?.min, s35.taskDurationMs?.median, s35.taskDurationMs?.p95, s35.taskDurationMs?.max],
      [5778, 8552, 12714, 15594],
    );
    const s23 = stage(r, 23);
    assert.equal(s23.succeededTasks, 2185);
    assert.deepEqual([s23.taskDurationMs?.median, s23.taskDurationMs?.max], [14, 1643]);
  });

  it('Spark 4.3.0 default layout: rolling dir, 39-frame zstd (examples-history nightly_etl)', async () => {
    // Written by PySpark 4.3.0 (standalone master, 2 executors) running examples/nightly_etl.py with
    // --executor-memory 512m (scripts/generate-history.sh run 1);
    // `zstd -lv` shows 39 frames, no checksum. Values: python3 json over `zstd -dc`.
    const { record: r, stats } = await read('examples-history/eventlog_v2_app-20261121120341-0000');
    assert.ok(r !== null);
    assert.equal(stats.lines, 85);
    assert.equal(stats.bytes, 474548);
    assert.equal(stats.malformedLines, 0);
    assert.equal(r.appId, 'app-20261121120341-0000');
    assert.equal(r.appName, 'nightly_etl');
    assert.equal(r.sparkVersion, '4.3.0');
    assert.equal(r.master, 'spark://127.0.0.1:7077');
    assert.equal(r.startTimeMs, 1795262620711);
    assert.equal(r.endTimeMs, 1795262688157);
    assert.equal(r.exitCode, 0);
    assert.equal(r.completed, true);
    assert.equal(r.executorMemoryMiB, 512);
    assert.equal(r.executorCores, 2);
    assert.equal(r.shufflePartitions, 200);
    assert.equal(r.totalExecutorsAdded, 2);
    assert.equal(r.totalTasks, 20);
    assert.equal(r.failedTasks, 0);
    assert.equal(r.totalJobs, 5);
    assert.equal(r.memoryBytesSpilled, 2071184080);
    assert.equal(r.diskBytesSpilled, 383971027);
    assert.equal(r.shuffleReadBytes, 246518505);
    assert.equal(r.shuffleWriteBytes, 184893282);
    assert.equal(r.executorRunTimeMs, 177169);
    assert.equal(r.peakExecutionMemoryBytes, 65011280);
    assert.equal(r.peakJvmHeapMemoryBytes, 403702864); // executor 0, from Task Executor Metrics
    const s0 = stage(r, 0);
    assert.equal(s0.succeededTasks, 4);
    assert.deepEqual(
      [s0.taskDurationMs?.min, s0.taskDurationMs?.median, s0.taskDurationMs?.max],
      [14420, 15477, 15502],
    );
  });

  describe('rolling directories built at run time from a real plain log', () => {
    let tmp: string;
    const plain = path.join(FIXTURES, 'qubole-sparklens/local-1532512550423');
    beforeEach(async () => {
      tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'event-log-rolling-'));
    });
    afterEach(async () => {
      await fsp.rm(tmp, { recursive: true, force: true });
    });

    /** Splits the plain log's lines over events_1.._3 (10 lines each) in eventlog_v2_<id>/. */
    async function buildRolling(status: string): Promise<string> {
      const id = 'local-1532512550423';
      const dir = path.join(tmp, `eventlog_v2_${id}`);
      await fsp.mkdir(dir);
      const lines = (await fsp.readFile(plain, 'utf8')).split('\n').slice(0, -1);
      for (let i = 0; i < 3; i++) {
        await fsp.writeFile(
          path.join(dir, `events_${i + 1}_${id}`),
          lines
            .slice(i * 10, i * 10 + 10)
            .map((l) => l + '\n')
            .join(''),
        );
      }
      await fsp.writeFile(path.join(dir, status), '');
      return dir;
    }

    it('reads identically to the single file', async () => {
      const dir = await buildRolling('appstatus_local-1532512550423');
      const [rolling] = await discoverEventLogs(dir);
      assert.equal(rolling.files.length, 3);
      const a = await readEventLog(rolling);
      const b = await readEventLog(await singleSource(plain));
      assert.deepEqual(a.record, b.record);
      assert.equal(a.stats.lines, b.stats.lines);
      assert.equal(a.stats.bytes, b.stats.bytes);
    });

    it('an appstatus_*.inprogress file makes the app incomplete even with ApplicationEnd', async () => {
      const dir = await buildRolling('appstatus_local-1532512550423.inprogress');
      const [rolling] = await discoverEventLogs(dir);
      assert.equal(rolling.inProgress, true);
      const { record: r } = await readEventLog(rolling);
      assert.ok(r !== null);
      assert.equal(r.endTimeMs, 1532512565469);
      assert.equal(r.completed, false);
    });

    it('a missing index is reported and the rest read', async () => {
      const dir = await buildRolling('appstatus_local-1532512550423');
      await fsp.rm(path.join(dir, 'events_2_local-1532512550423'));
      const [rolling] = await discoverEventLogs(dir);
      const { record: r, stats } = await readEventLog(rolling);
      assert.ok(r !== null);
      assert.equal(stats.lines, 20);
      assert.match(stats.warnings[0], /missing event log file\(s\) with index 2/);
    });
  });

  it('decoded bytes that are not JSON lines in bulk are a decode error, and the record is kept as incomplete with the reason', async () => {
    // A real plain log (qubole-sparklens local-1532512550423, 30 lines) with 16 KiB of a compressed file's bytes put
    // after its 10th line, as a decoder that goes wrong produces: lines cut at 0x0A bytes, none of them JSON.
    const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'event-log-garbled-'));
    try {
      const log = await fsp.readFile(path.join(FIXTURES, 'qubole-sparklens/local-1532512550423'));
      const lz4 = await fsp.readFile(path.join(FIXTURES, 'spark-codecs/single/local-1795265041685.lz4'));
      let mid = 0;
      for (let i = 0; i < 10; i++) mid = log.indexOf(0x0a, mid) + 1;
      const garbage = lz4.subarray(4096, 4096 + 16 * 1024);
      const file = path.join(tmp, 'local-1532512550423');
      await fsp.writeFile(file, Buffer.concat([log.subarray(0, mid), garbage, Buffer.from('\n'), log.subarray(mid)]));
      const { record: r, stats } = await readEventLog(await singleSource(file), { validateAllLines: true });
      assert.ok(stats.malformedLines >= 5, `${stats.malformedLines} malformed lines`);
      assert.equal(stats.decodeErrors.length, 1);
      const [error] = stats.decodeErrors;
      assert.deepEqual([error.file, error.offset, error.codec], [file, null, 'json']);
      assert.match(
        error.message,
        new RegExp(
          `^${stats.malformedLines} of \\d+ lines are not JSON events \\(the longest run: \\d+ from line \\d+\\)`,
        ),
      );
      assert.ok(r !== null);
      assert.equal(r.completed, false);
      assert.equal(r.appId, 'local-1532512550423');
      assert.match(
        r.incompleteReason ?? '',
        /^part of the log could not be decoded \(local-1532512550423: \d+ of \d+ lines are not JSON events/,
      );
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  });

  it('a file without SparkListenerApplicationStart gives no record and says why first', async () => {
    const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'event-log-nostart-'));
    try {
      const file = path.join(tmp, 'notes.txt');
      await fsp.writeFile(file, '{"Event":"SparkListenerLogStart","Spark Version":"3.5.0"}\nnot json\n');
      const source: EventLogSource = await singleSource(file);
      const { record: r, stats } = await readEventLog(source);
      assert.equal(r, null);
      assert.match(stats.warnings[0], /no SparkListenerApplicationStart event in 2 line\(s\)/);
      assert.equal(stats.malformedLines, 1);
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  });
});
