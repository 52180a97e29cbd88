/**
 * The ingest pipeline's bounds (issue 12 item 4) and its incomplete records, on a real event log made hostile line by
 * line: every stored figure stays within what Spark can produce, every impossible value is counted with its reason, and
 * the application is never dropped for one bad line.
 *
 * The base log is apache/spark's `app-20161115172038-0000` (test/fixtures/spark, provenance in its README): read by hand
 * (python json over its 75 lines) it holds 26 `SparkListenerTaskEnd` in stage 0.0 (16 partitions) with 3,962 ms of `Executor Run Time`,
 * no spill, 4 executors of 4 cores, and runs from 1479252037079 to 1479252138874 (101,795 ms).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ReadStats } from '../server/src/history/application-record';
import { MAX_STORED_LONG } from '../server/src/history/bounds';
import { collectEventLogs } from '../server/src/history/collect';
import { singleSource } from '../server/src/history/event-log/discover';
import { readEventLog } from '../server/src/history/event-log/reader';
import { failureLevel, Ingest } from '../server/src/history/ingest';
import { checkRecord } from '../server/src/history/validate';
import { main } from '../server/src/cli/main';
import { HistoryStore } from '../server/src/store/history-store';
import { EVENT_LOG_FIXTURES } from './helpers/fixtures';

const BASE = path.join(EVENT_LOG_FIXTURES, 'apache-spark', 'app-20161115172038-0000');
const APP_ID = 'app-20161115172038-0000';

/** The base log with hostile lines after its `SparkListenerStageSubmitted` (line 14), as issue 12 found them. */
function hostileLog(): string {
  const lines = fs
    .readFileSync(BASE, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const firstTaskEnd = lines.find((l) => l.startsWith('{"Event":"SparkListenerTaskEnd"'))!;
  const huge = firstTaskEnd
    .replace(/"Executor Run Time":\d+/, '"Executor Run Time":1e308')
    .replace(/"Memory Bytes Spilled":\d+/, '"Memory Bytes Spilled":1e308')
    .replace(/"Disk Bytes Spilled":\d+/, '"Disk Bytes Spilled":1e308');
  assert.notStrictEqual(huge, firstTaskEnd);
  const hostile = [
    '{"Event":"SparkListenerTaskEnd"}',
    huge,
    firstTaskEnd.replace('"Stage ID":0', '"Stage ID":-1'),
    '{"Event":"SparkListenerExecutorAdded","Timestamp":1479252037100,"Executor ID":"9","Executor Info":{"Host":"evil","Total Cores":1e300}}',
    '{"Event":"SparkListenerStageSubmitted","Stage Info":{"Stage ID":-3,"Stage Attempt ID":0,"Stage Name":"evil","Number of Tasks":4}}',
    '{"Event":"SparkListenerStageSubmitted","Stage Info":{"Stage ID":7,"Stage Attempt ID":0,"Stage Name":"negative","Number of Tasks":-5,"Submission Time":1479252040000}}',
    '{"Event":"SparkListenerTaskEnd","Stage ID":0,"Task Info":{',
  ];
  const at = lines.findIndex((l) => l.startsWith('{"Event":"SparkListenerStageSubmitted"')) + 1;
  return [...lines.slice(0, at), ...hostile, ...lines.slice(at)].join('\n') + '\n';
}

describe('ingest: every stored figure bounded by what Spark can produce', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-bounds-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('stores the application with its valid tasks, drops each impossible value with a counted reason, and adds no phantom stage', async () => {
    const dir = path.join(tmp, 'logs');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, APP_ID), hostileLog());
    const store = HistoryStore.open(path.join(tmp, 'h.db'));
    const s = await collectEventLogs(dir, store);
    assert.deepStrictEqual([s.inserted, s.failed.length, s.malformedLines], [1, 0, 1]);
    const r = store.runById(APP_ID)!;
    // 26 real task ends + the copy with impossible metrics (its task counts, its metrics do not).
    assert.strictEqual(r.totalTasks, 27);
    assert.strictEqual(r.executorRunTimeMs, 3962);
    assert.deepStrictEqual([r.memoryBytesSpilled, r.diskBytesSpilled], [0, 0]);
    assert.deepStrictEqual(
      r.stages.map((st) => [st.stageId, st.numTasks]),
      [
        [0, 16],
        [7, 0],
      ],
    );
    assert.strictEqual(r.executors.find((e) => e.executorId === '9')?.totalCores, 0);
    assert.strictEqual(r.durationMs, 101795);
    assert.deepStrictEqual(
      s.corrections.map((c) => [c.field, c.problem, c.action, c.count]),
      [
        ['SparkListenerTaskEnd Stage ID', 'absent', 'event-skipped', 1],
        ['SparkListenerTaskEnd Task Metrics Executor Run Time', 'not a non-negative integer within 2^53', 'dropped', 1],
        [
          'SparkListenerTaskEnd Task Metrics Memory Bytes Spilled',
          'not a non-negative integer within 2^53',
          'dropped',
          1,
        ],
        [
          'SparkListenerTaskEnd Task Metrics Disk Bytes Spilled',
          'not a non-negative integer within 2^53',
          'dropped',
          1,
        ],
        ['SparkListenerTaskEnd Stage ID', 'not a non-negative integer within 2^31 − 1', 'event-skipped', 1],
        [
          'SparkListenerExecutorAdded Executor Info Total Cores',
          'not a non-negative integer within 2^31 − 1',
          'dropped',
          1,
        ],
        [
          'SparkListenerStageSubmitted Stage Info Stage ID',
          'not a non-negative integer within 2^31 − 1',
          'event-skipped',
          1,
        ],
        [
          'SparkListenerStageSubmitted Stage Info Number of Tasks',
          'not a non-negative integer within 2^31 − 1',
          'dropped',
          1,
        ],
      ],
    );
    assert.strictEqual(s.corrections[1].example, '1e+308');
    assert.strictEqual(s.applications[0].correctedValues, 8);
    store.close();
  });

  it('the CLI reports the corrections and analyze prints no absurd figure for the hostile log', async () => {
    const dir = path.join(tmp, 'logs');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, APP_ID), hostileLog());
    const db = path.join(tmp, 'h.db');
    const out: string[] = [];
    const code = await main(
      ['collect', '--path', dir, '--db', db],
      (x) => out.push(x),
      (x) => out.push(x),
    );
    assert.strictEqual(code, 0);
    assert.match(
      out.join('\n'),
      /^inserted +app-20161115172038-0000 {2}Spark shell {2}\(8 impossible value\(s\) dropped or clipped\)$/m,
    );
    assert.match(
      out.join('\n'),
      /^corrected +SparkListenerExecutorAdded Executor Info Total Cores: 1 not a non-negative integer within 2\^31 − 1 \(dropped; e\.g\. 1e\+300\)$/m,
    );
    assert.match(
      out[out.length - 1],
      /1 new, 0 updated, 0 unchanged, 0 failed, 1 malformed line\(s\) skipped, 8 impossible value\(s\) dropped or clipped\./,
    );
    const analyzed: string[] = [];
    assert.strictEqual(
      await main(
        ['analyze', APP_ID, '--db', db],
        (x) => analyzed.push(x),
        (x) => analyzed.push(x),
      ),
      0,
    );
    const text = analyzed.join('\n');
    assert.match(text, /^app-20161115172038-0000 Spark shell: 102 s, .* 27 tasks in 2 stages$/m);
    assert.doesNotMatch(text, /e\+\d|PiB|TiB|Infinity|NaN/);
  });

  it('clips figures of a record beyond 2^53 − 1 or beyond its duration × cores, and rejects negative ones (the History Server REST path)', async () => {
    const { record } = await readEventLog(await singleSource(BASE));
    assert.ok(record);
    // Summed task time above what 4 executors × 4 cores could give in 101,795 ms.
    const bound = 101795 * 16;
    const tooMuch = structuredClone(record);
    tooMuch.executorRunTimeMs = bound + 1;
    tooMuch.inputBytes = 1e300;
    const check = checkRecord(tooMuch);
    assert.deepStrictEqual(check.problems, []);
    assert.deepStrictEqual([tooMuch.executorRunTimeMs, tooMuch.inputBytes], [bound, MAX_STORED_LONG]);
    assert.deepStrictEqual(
      check.corrections.map((c) => [c.field, c.problem, c.action, c.count]),
      [
        ['inputBytes', 'above 2^53 − 1', 'clipped', 1],
        ['executorRunTimeMs', "above the run's duration × cores", 'clipped', 1],
      ],
    );
    const negative = structuredClone(record);
    negative.stages[0].executorRunTimeMs = -5;
    assert.deepStrictEqual(checkRecord(negative).problems, [
      'stages.executorRunTimeMs -5 is not a non-negative number',
    ]);

    // The same checks for a record that did not come from a log (REST views): rejected records are failures.
    const store = HistoryStore.open(path.join(tmp, 'h.db'));
    const ingest = new Ingest(store);
    const source = {
      path: 'http://127.0.0.1:18080/api/v1/applications/app-20161115172038-0000',
      sizeBytes: 0,
      mtimeMs: 1,
      malformedLines: 0,
    };
    assert.strictEqual(await ingest.accept({ record: negative, stats: null }, source, 'rest'), null);
    assert.match(
      ingest.summary.failed[0].reason,
      /^not stored, the record read from it is invalid: stages\.executorRunTimeMs -5/,
    );
    const stored = await ingest.accept({ record: structuredClone(record), stats: null }, source, 'rest');
    assert.strictEqual(stored?.outcome, 'inserted');
    assert.strictEqual(failureLevel(ingest.summary), 'some');
    store.close();
  });

  it('stores a partly decoded log only as incomplete, with its reason, and counts it', async () => {
    const read = await readEventLog(await singleSource(BASE));
    assert.strictEqual(read.record?.completed, true);
    // What the decoder reports when a compressed file breaks off (the decoders' own tests produce these from real files).
    const stats: ReadStats = {
      ...read.stats,
      decodeErrors: [
        { file: '/logs/events_1_app.zstd', offset: 8433, codec: 'zstd', message: 'Data corruption detected' },
      ],
    };
    const store = HistoryStore.open(path.join(tmp, 'h.db'));
    const ingest = new Ingest(store);
    const app = await ingest.accept(
      { record: read.record, stats },
      { path: BASE, sizeBytes: 1, mtimeMs: 1, malformedLines: 0 },
      'event-log',
    );
    const reason =
      'the log could be decoded only in part: zstd data unreadable at byte 8433 of events_1_app.zstd (Data corruption detected)';
    assert.deepStrictEqual([app?.outcome, app?.incompleteReason, ingest.summary.incomplete], ['inserted', reason, 1]);
    const back = store.runById(APP_ID)!;
    assert.deepStrictEqual([back.completed, back.incompleteReason], [false, reason]);
    assert.strictEqual(failureLevel(ingest.summary), 'some');
    // The whole log read later replaces it; a damaged read never replaces a whole one.
    const whole = await readEventLog(await singleSource(BASE));
    assert.strictEqual(
      store.upsert(whole.record!, { path: BASE, sizeBytes: 2, mtimeMs: 2, malformedLines: 0 }),
      'updated',
    );
    assert.deepStrictEqual(
      [store.runById(APP_ID)!.completed, store.runById(APP_ID)!.incompleteReason],
      [true, undefined],
    );
    const again = new Ingest(store);
    assert.strictEqual(
      (
        await again.accept(
          { record: (await readEventLog(await singleSource(BASE))).record, stats },
          { path: BASE, sizeBytes: 3, mtimeMs: 3, malformedLines: 0 },
          'event-log',
        )
      )?.outcome,
      'unchanged',
    );
    assert.strictEqual(store.runById(APP_ID)!.completed, true);
    store.close();
  });

  it('collect exits 1 when some sources failed, 2 when all did, 0 when all were stored', async () => {
    const dir = path.join(tmp, 'logs');
    fs.mkdirSync(dir);
    fs.copyFileSync(BASE, path.join(dir, APP_ID));
    const run = async (...args: string[]) =>
      main(
        ['collect', '--path', dir, '--db', path.join(tmp, 'h.db'), ...args],
        () => undefined,
        () => undefined,
      );
    assert.strictEqual(await run(), 0);
    fs.writeFileSync(path.join(dir, 'local-1'), 'not an event log\n');
    assert.strictEqual(await run(), 1);
    fs.rmSync(path.join(dir, APP_ID));
    assert.strictEqual(
      await main(
        ['collect', '--path', dir, '--db', path.join(tmp, 'other.db')],
        () => undefined,
        () => undefined,
      ),
      2,
    );
  });
});
