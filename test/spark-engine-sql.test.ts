/**
 * `collect --engine spark` without a JVM: the Spark SQL of the fold is derived from the fold's own declarations, the
 * codec classes the collector names are the ones the Java source defines, and exact metric sums round as the fold
 * does. The figures themselves are compared with the local reader on a real Spark Connect server in
 * test/live/spark-engine-collect.test.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { MetricSums, TASK_METRICS } from '../server/src/history/event-log/fold';
import { EVENT_LOG_CODEC_CLASSES, sparkQualifiedPath } from '../server/src/history/spark-engine/collect';
import { eventLineSchemaDdl } from '../server/src/history/spark-engine/event-schema';
import { foldStatements } from '../server/src/history/spark-engine/fold-sql';
import { REPO_ROOT } from './helpers/fixtures';

describe('Spark engine SQL (collect --engine spark)', () => {
  it('reads every field the fold reads: the from_json schema comes from events.ts and TASK_METRICS', () => {
    const ddl = eventLineSchemaDdl();
    // Field names as Spark's JsonProtocol writes them (core/src/main/scala/org/apache/spark/util/JsonProtocol.scala).
    for (const part of [
      '`Event` STRING',
      '`App Attempt ID` STRING',
      '`Stage Info` STRUCT<`Stage ID`: DOUBLE, `Stage Attempt ID`: DOUBLE, `Stage Name`: STRING, `Number of Tasks`: DOUBLE, `Parent IDs`: ARRAY<DOUBLE>',
      '`Task Info` STRUCT<`Executor ID`: STRING, `Launch Time`: DOUBLE, `Finish Time`: DOUBLE, `Failed`: BOOLEAN>',
      '`Shuffle Read Metrics`: STRUCT<`Remote Bytes Read`: DOUBLE, `Local Bytes Read`: DOUBLE>',
      '`Spark Properties` MAP<STRING, STRING>',
      '`Job Result` STRUCT<`Result`: STRING, `Exception`: STRUCT<`Message`: STRING>>',
    ]) {
      assert.ok(ddl.includes(part), `${part} in ${ddl}`);
    }
    // Every path of every task metric is in the schema.
    for (const m of TASK_METRICS)
      for (const p of m.paths) assert.ok(ddl.includes(`\`${p[p.length - 1]}\`: DOUBLE`), p.join('.'));
  });

  it('names in the SQL every task metric once, in TASK_METRICS order, and caches only the parsed lines and the task ends', () => {
    const fold = foldStatements(8);
    const tasks = fold.setup.find((s) => s.startsWith('CREATE OR REPLACE TEMPORARY VIEW spo_tasks AS'))!;
    TASK_METRICS.forEach((_, i) => assert.ok(new RegExp(`AS m${i}\\b`).test(tasks), `m${i}`));
    assert.ok(!new RegExp(`AS m${TASK_METRICS.length}\\b`).test(tasks));
    // Summed per stage, executor and application.
    assert.strictEqual(
      (fold.setup.join('\n').match(/CAST\(coalesce\(sum\((t\.)?m0\), 0\) AS STRING\)/g) ?? []).length,
      3,
    );
    assert.deepStrictEqual(
      fold.setup.filter((s) => s.startsWith('CACHE TABLE')),
      ['CACHE TABLE spo_parsed', 'CACHE TABLE spo_tasks'],
    );
    // No WITH: a cached view defined with one would never be matched (new CTE ids at each resolution).
    assert.ok(!/\bWITH\b/.test([...fold.setup, fold.query].join('\n')));
    assert.ok(fold.setup[0].includes('REPARTITION(8, log_id)'));
  });

  it('names exactly the Hadoop codec classes jvm/event-log-codecs/SparkEventLogCodecs.java defines, each with its name ending', () => {
    const java = fs.readFileSync(path.join(REPO_ROOT, 'jvm', 'event-log-codecs', 'SparkEventLogCodecs.java'), 'utf8');
    const defined = [
      ...java.matchAll(
        /public static final class (\w+) extends SparkEventLogCodecs \{\s*public \w+\(\) \{ super\("(\w+)", "([.\w]+)"\); \}/g,
      ),
    ].map((m) => ({ cls: `sparkoptimizer.eventlog.SparkEventLogCodecs$${m[1]}`, codec: m[2], ending: m[3] }));
    assert.deepStrictEqual(defined.map((d) => d.cls).sort(), [...EVENT_LOG_CODEC_CLASSES].sort());
    // Spark's codec short names and the endings its event-log writer gives (EventLogFileWriters.scala), plus the
    // in-progress and compacted variants.
    assert.deepStrictEqual(
      defined.map((d) => `${d.codec} ${d.ending}`).sort(),
      ['lz4', 'lzf', 'snappy', 'zstd']
        .flatMap((c) => [`${c} .${c}`, `${c} .${c}.inprogress`, `${c} .${c}.compact`])
        .sort(),
    );
  });

  it('sums nanosecond metrics exactly and rounds half up, whatever the order of the tasks', () => {
    const cpu = TASK_METRICS.findIndex((m) => m.nanoseconds);
    const task = (ns: number): Float64Array => {
      const v = new Float64Array(TASK_METRICS.length);
      v[cpu] = ns;
      return v;
    };
    // 3 tasks of 1,166,667 ns: 3,500,001 ns = 3.500001 ms → 4 ms; two of 250,000 ns: 0.5 ms → 1 ms (half up).
    const a = new MetricSums();
    for (const ns of [1_166_667, 1_166_667, 1_166_667]) a.add(task(ns));
    assert.strictEqual(a.value(cpu), 4);
    const b = new MetricSums();
    for (const ns of [250_000, 250_000]) b.add(task(ns));
    assert.strictEqual(b.value(cpu), 1);
    // The same sums given exactly (as Spark SQL's DECIMAL sums come back) give the same figures.
    const exact = TASK_METRICS.map((_, i) => (i === cpu ? '3500001' : '0'));
    assert.strictEqual(MetricSums.fromExact(exact).value(cpu), 4);
    // 1,000,000,500,000 ns = 1,000,000.5 ms → 1,000,001 ms, from exact text as from the tasks one by one.
    assert.strictEqual(
      MetricSums.fromExact(TASK_METRICS.map((_, i) => (i === cpu ? '1000000500000' : '0'))).value(cpu),
      1_000_001,
    );
    const c = new MetricSums();
    for (const ns of [999_999_999_999, 500_001]) c.add(task(ns));
    assert.strictEqual(c.value(cpu), 1_000_001);
  });

  it('spells the archive path as Spark lists its files', () => {
    assert.strictEqual(sparkQualifiedPath('/data/spark-events/'), 'file:/data/spark-events');
    assert.strictEqual(sparkQualifiedPath('file:///data/spark-events'), 'file:/data/spark-events');
    assert.strictEqual(sparkQualifiedPath('s3a://bucket/prefix/'), 's3a://bucket/prefix');
    assert.strictEqual(
      sparkQualifiedPath('abfss://logs@acct.dfs.core.windows.net/spark'),
      'abfss://logs@acct.dfs.core.windows.net/spark',
    );
  });
});
