/**
 * The feedback loop on the real nightly_etl runs of examples/history: an applied quick fix (stored in the
 * `applied_fixes` table) against the runs before and after it, in the hover, a diagnostic and the code action's
 * command. Medians read from examples/history/README.md: durations 56.7 / 52.3 / 55.6 / 55.0 / 49.5 s (runs 0000-0004),
 * disk spill 383971666 / 76035897 / 76035926 / 0 / 0 B.
 */
import * as assert from 'assert';
import { onCodeActions } from '../server/src/features/code-actions';
import { onDiagnostics } from '../server/src/features/diagnostics';
import { onHover } from '../server/src/features/hover';
import { workloadAnalysis } from '../server/src/features/workload-analysis';
import { collectEventLogs } from '../server/src/history/collect';
import type { RecommendationFeedback } from '../server/src/history/service-store';
import { dismissedRecommendations } from '../server/src/recommend/feedback';
import { SparkLanguageService } from '../server/src/language-service';
import { HistoryStore } from '../server/src/store/history-store';
import { EXAMPLE_HISTORY } from './helpers/fixtures';
import { messageText } from './helpers/lsp-client';
import { EXAMPLE_NOW_MS, exampleHistoryService } from './helpers/example-service';

const FILE = 'file:///w/etl.py';
const TEXT = [
  'from pyspark.sql import SparkSession',
  'spark = (SparkSession.builder.appName("nightly_etl")',
  '    .config("spark.executor.memory", "512m")',
  '    .getOrCreate())',
  '',
].join('\n');

describe('feedback loop: applied fixes against later runs (examples/history)', () => {
  let store: HistoryStore;
  before(async () => {
    store = HistoryStore.open(':memory:');
    await collectEventLogs(EXAMPLE_HISTORY, store);
  });
  after(() => store.close());

  it('stores applied fixes and reads them back by job or file', () => {
    const id = store.recordAppliedFix({
      fileUri: 'file:///w/other.py',
      appName: null,
      key: 'spark.executor.cores',
      oldValue: '4',
      newValue: '2',
      appliedAtMs: 1,
    });
    assert.deepStrictEqual(store.appliedFixes('no-such-job', 'file:///w/other.py'), [
      {
        id,
        fileUri: 'file:///w/other.py',
        appName: null,
        key: 'spark.executor.cores',
        oldValue: '4',
        newValue: '2',
        appliedAtMs: 1,
      },
    ]);
    assert.deepStrictEqual(store.appliedFixes('nightly_etl'), []);
  });

  it('shows before/after in the hover: a fix 1g → 2g between runs 0002 and 0003 removed the spill', () => {
    const [r3] = store.runsByAppName('nightly_etl').filter((r) => r.appId.endsWith('0003'));
    store.recordAppliedFix({
      fileUri: FILE,
      appName: 'nightly_etl',
      key: 'spark.executor.memory',
      oldValue: '1g',
      newValue: '2g',
      appliedAtMs: r3.startTimeMs - 1000,
    });
    const service = new SparkLanguageService(store);
    const doc = service.analyse(FILE, TEXT, 'python', 1);
    const [o] = doc.sites[0].feedback;
    // Before: 0002, 0001, 0000 → median duration 55591 ms, spill 76035926 B; after: 0004, 0003 → (49514 + 54971) / 2, spill 0.
    assert.deepStrictEqual(
      [o.before?.appIds.length, o.before?.medianDurationMs, o.before?.medianDiskBytesSpilled],
      [3, 55591, 76035926],
    );
    assert.deepStrictEqual(
      [o.after?.appIds, o.after?.medianDurationMs, o.after?.medianDiskBytesSpilled],
      [['app-20261121121947-0004', 'app-20261121121849-0003'], (49514 + 54971) / 2, 0],
    );
    assert.deepStrictEqual(o.worse, []);
    assert.deepStrictEqual(o.better, ['disk spill 72.5 MiB → 0 B']);
    const md = (onHover(doc, { line: 2, character: 30 })?.contents as { value: string }).value;
    assert.match(md, /\*\*Applied fix\*\* spark\.executor\.memory: 1g → 2g on 2026-11-21 12:18 UTC:/);
    assert.match(md, /\| before \| 3 \| 56 s \| 72\.5 MiB \|/);
    assert.match(md, /\| after \| 2 \| 52 s \| 0 B \|/);
    assert.match(md, /Better since the change: disk spill 72\.5 MiB → 0 B\./);
    assert.strictEqual(
      onDiagnostics(doc).some((d) => d.code === 'feedback:worse'),
      false,
    );
  });

  it('flags a change that made things worse (the 512m run re-dated after the fix: a hand-edited copy, named so)', () => {
    const runs = store.runsByAppName('nightly_etl');
    const newest = Math.max(...runs.map((r) => r.startTimeMs));
    store.recordAppliedFix({
      fileUri: FILE,
      appName: 'nightly_etl',
      key: 'spark.executor.memory',
      oldValue: '2g',
      newValue: '512m',
      appliedAtMs: newest + 60_000,
    });
    const [r0] = runs.filter((r) => r.appId.endsWith('0000'));
    store.upsert(
      {
        ...r0,
        appId: 'redated-copy-of-0000',
        startTimeMs: newest + 3_600_000,
        endTimeMs: newest + 3_600_000 + r0.durationMs,
      },
      { path: '/redated-copy', sizeBytes: 1, mtimeMs: 1, malformedLines: 0 },
    );
    const service = new SparkLanguageService(store);
    const doc = service.analyse(FILE, TEXT, 'python', 1);
    const o = doc.sites[0].feedback.find((f) => f.fix.newValue === '512m');
    // Before: the 5 real runs → median spill 76035897 B (72.5 MiB); after: the copy, 383971666 B (366 MiB).
    assert.ok(o);
    assert.ok(o.worse.includes('disk spill 72.5 MiB → 366 MiB'), o.worse.join(' | '));
    const diag = onDiagnostics(doc).find((d) => d.code === 'feedback:worse');
    assert.ok(diag);
    assert.deepStrictEqual(diag.range.start, { line: 2, character: 38 }); // the value's first character, inside the quotes
    assert.match(
      messageText(diag.message),
      /^Since spark\.executor\.memory was changed 2g → 512m on \d{4}-\d\d-\d\d, the workload got worse: .*disk spill 72\.5 MiB → 366 MiB.* \(5 run\(s\) before, 1 after: redated-copy-of-0000\)\.$/,
    );
  });

  it('attaches the remember command to quick fixes', () => {
    const service = new SparkLanguageService(store, () => EXAMPLE_NOW_MS);
    const doc = service.analyse('file:///w/etl2.py', TEXT, 'python', 1);
    const rec = doc.sites[0].recommendations.find((r) => r.key === 'spark.executor.memory');
    assert.ok(rec, JSON.stringify(doc.sites[0].recommendations.map((r) => r.key)));
    const action = onCodeActions(doc, { start: { line: 2, character: 37 }, end: { line: 2, character: 41 } }).find(
      (a) => a.title.startsWith('Set spark.executor.memory'),
    );
    assert.strictEqual(action?.command?.command, 'sparkOptimizer.recordAppliedFix');
    assert.deepStrictEqual(action?.command?.arguments, [
      [
        {
          uri: 'file:///w/etl2.py',
          key: 'spark.executor.memory',
          oldValue: '512m',
          newValue: rec.recommendedValue,
          appName: 'nightly_etl',
        },
      ],
    ]);
  });
});

describe('dismissed recommendations (recommend/feedback.ts dismissedRecommendations): the newest verdict per key decides', () => {
  const recs = [
    { key: 'spark.executor.memory', recommendedValue: '4g' },
    { key: 'spark.sql.shuffle.partitions', recommendedValue: '8' },
  ];
  let nextId = 1;
  const row = (
    verdict: RecommendationFeedback['verdict'],
    key: string,
    recommendedValue: string | null,
    receivedAtMs: number,
  ): RecommendationFeedback => ({
    id: nextId++,
    verdict,
    appName: 'nightly_etl',
    key,
    recommendedValue,
    previousValue: null,
    reason: verdict === 'rejected' ? 'Measured otherwise' : null,
    fileUri: null,
    appliedFixId: null,
    tokenId: null,
    receivedAtMs,
  });
  const keys = (r: { shown: { key: string }[]; dismissed: { recommendation: { key: string } }[] }) => [
    r.shown.map((x) => x.key),
    r.dismissed.map((x) => x.recommendation.key),
  ];

  it('hides a key rejected with the value recommended now, and only that key', () => {
    const r = dismissedRecommendations(recs, [row('rejected', 'spark.executor.memory', '4g', 1000)]);
    assert.deepStrictEqual(keys(r), [['spark.sql.shuffle.partitions'], ['spark.executor.memory']]);
    assert.strictEqual(r.dismissed[0].feedback.reason, 'Measured otherwise');
  });

  it('shows it again when the plan recommends another value, or when the rejection gave no value', () => {
    assert.deepStrictEqual(
      keys(dismissedRecommendations(recs, [row('rejected', 'spark.executor.memory', '2g', 1000)])),
      [['spark.executor.memory', 'spark.sql.shuffle.partitions'], []],
    );
    assert.deepStrictEqual(
      keys(dismissedRecommendations(recs, [row('rejected', 'spark.executor.memory', null, 1000)])),
      [['spark.executor.memory', 'spark.sql.shuffle.partitions'], []],
    );
  });

  it('a newer accepted or applied lifts the dismissal; a newer rejection (in any order given) dismisses again', () => {
    const rejected = row('rejected', 'spark.executor.memory', '4g', 1000);
    const accepted = row('accepted', 'spark.executor.memory', '4g', 2000);
    const applied = row('applied', 'spark.executor.memory', '4g', 2000);
    assert.deepStrictEqual(keys(dismissedRecommendations(recs, [accepted, rejected]))[1], []);
    assert.deepStrictEqual(keys(dismissedRecommendations(recs, [rejected, applied]))[1], []);
    const again = row('rejected', 'spark.executor.memory', '4g', 3000);
    assert.deepStrictEqual(keys(dismissedRecommendations(recs, [again, accepted, rejected]))[1], [
      'spark.executor.memory',
    ]);
    // Same millisecond: the later id wins.
    const sameMs = row('accepted', 'spark.executor.memory', '4g', 3000);
    assert.deepStrictEqual(keys(dismissedRecommendations(recs, [sameMs, again]))[1], []);
  });
});

describe('workload-analysis view without an open file (features/workload-analysis.ts): dismissed recommendations left out', () => {
  let store: HistoryStore;
  let service: SparkLanguageService;
  before(async () => {
    ({ store, service } = await exampleHistoryService());
  });
  after(() => store.close());

  it('a rejection of the value the plan recommends removes that key only; a rejection of another value does not', () => {
    const keysAndValues = () =>
      (workloadAnalysis(service, { appName: 'skewed_join' }, null)?.recommendations ?? []).map(
        (r) => `${r.key}=${r.recommendedValue}`,
      );
    const before = keysAndValues();
    const mem = before.find((kv) => kv.startsWith('spark.executor.memory='));
    assert.ok(mem, `the plan for skewed_join (4g, 400 partitions) changes the memory: ${before.join(', ')}`);
    const recommended = mem.split('=')[1];
    const reject = (value: string, atMs: number) =>
      store.recordFeedback({
        verdict: 'rejected',
        appName: 'skewed_join',
        key: 'spark.executor.memory',
        recommendedValue: value,
        previousValue: '4g',
        reason: 'Measured otherwise',
        fileUri: null,
        appliedFixId: null,
        tokenId: null,
        receivedAtMs: atMs,
      });
    reject('64g', 1000);
    assert.deepStrictEqual(keysAndValues(), before);
    reject(recommended, 2000);
    assert.deepStrictEqual(
      keysAndValues(),
      before.filter((kv) => kv !== mem),
    );
  });
});
