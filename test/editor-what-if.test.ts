/**
 * The engine in the editor: the what-if table and the trade-off table in the hover of `--num-executors` /
 * `spark.executor.instances` (the plan's `whatIf` and `pareto`, recommend/engine.ts), similar jobs with their distance,
 * and same-job keys (submitted file, stage signature), on a store collected from the real runs of examples/history.
 *
 * Expected durations were scheduled by hand from the tiny_tasks 50-partition run (app-…0008, the newest tiny_tasks
 * run): a 15-line Python list scheduler over its launch-ordered task durations gives stage 0 = 3665 ms on 2+ slots,
 * stage 1 = 5257 / 2660 / 1790 / 1362 ms on 2 / 4 / 6 / 8 slots, plus 18951 ms of driver-only time. At the run's own
 * configuration (2 × 2 cores, 50 partitions) the model averages that replay (25276 ms) with the measured 25472 ms
 * (README: 25.5 s), the measurement weighing 2: (2 × 25472 + 25276) / 3 = 25406.7 ms.
 */
import * as assert from 'assert';
import { onHover } from '../server/src/features/hover';
import { sparkSubmitPrimaryResource } from '../server/src/history/event-log/fold';
import { workloadSignature } from '../server/src/history/workload-signature';
import { SparkLanguageService, analysisOptions } from '../server/src/language-service';
import { matchWorkload } from '../server/src/recommend/workload-matcher';
import { planWorkload } from '../server/src/recommend/engine';
import { SimilarWorkloadIndex, medianFeatures, workloadFeatures } from '../server/src/recommend/similar-workloads';
import { HistoryStore } from '../server/src/store/history-store';
import { exampleHistoryService } from './helpers/example-service';

const SCRIPT = [
  'spark-submit \\',
  '  --name tiny_tasks \\',
  '  --num-executors 2 \\',
  '  --executor-cores 2 \\',
  '  --conf spark.sql.shuffle.partitions=50 \\',
  '  examples/tiny_tasks.py',
  '',
].join('\n');

describe('what-if, similar jobs and same-job keys in the editor (examples/history)', () => {
  let store: HistoryStore;
  let service: SparkLanguageService;
  before(async () => {
    ({ store, service } = await exampleHistoryService());
  });
  after(() => store.close());

  it('hovers --num-executors with estimated duration, core-hours and memory-GiB-hours at other counts, and the model error', () => {
    const doc = service.analyse('file:///w/run_tiny.sh', SCRIPT, 'shellscript', 1);
    const md = (onHover(doc, { line: 2, character: 6 })?.contents as { value: string }).value;
    // No --master in the script: the runs' standalone master; memory 1g from the runs (the heap, what a standalone worker sets aside).
    assert.match(
      md,
      /\*\*What if\*\* \(other settings as now; the workload's runs replayed, model error on its own runs \d+ %\):/,
    );
    assert.match(md, /\| executors \| est\. duration \| core-hours \| memory-GiB-hours \|/);
    // 1 × 2 cores: 18951 + 3665 + 5257 = 27873 ms → 2 × 27873 / 3.6e6 = 0.0155 core-hours, 1 GiB × 27873 ms = 0.0077 GiB-hours.
    assert.match(md, /\| 1 \| 28 s \| 0\.0155 \| 0\.0077 \|/);
    // 2 × 2 (now): 25406.7 ms → 0.0282 core-hours, 0.0141 GiB-hours; 3 × 2: 24406 ms; 4 × 2: 23978 ms.
    assert.match(md, /\| \*\*2\*\* \(now\) \| 25 s \| 0\.0282 \| 0\.0141 \|/);
    assert.match(md, /\| 3 \| 24 s \| 0\.0407 \| 0\.0203 \|/);
    assert.match(md, /\| 4 \| 24 s \| 0\.0533 \| 0\.0266 \|/);
    // The trade-off table names the objective the plan served.
    assert.match(
      md,
      /\*\*Trade-off\*\* \(best configurations by duration and cost; the plan serves \*\*balanced\*\*: least cost within 10 % of the fastest\):/,
    );
  });

  it('adds a money column when prices are set', () => {
    const opts = analysisOptions({
      cluster: { nodeMemory: '', nodeCores: 0 },
      checks: { disabled: [] },
      cost: { pricePerCoreHour: 1, pricePerGiBHour: 0, currency: 'EUR' },
    });
    const doc = service.analyse('file:///w/run_tiny2.sh', SCRIPT, 'shellscript', 1, opts);
    const md = (onHover(doc, { line: 2, character: 6 })?.contents as { value: string }).value;
    // 1 EUR per core-hour: 0.0282 core-hours at 2 × 2 cost 0.0282 EUR.
    assert.match(md, /\| executors \| est\. duration \| core-hours \| memory-GiB-hours \| money \|/);
    assert.match(md, /\| \*\*2\*\* \(now\) \| 25 s \| 0\.0282 \| 0\.0141 \| 0\.0282 \|/);
  });

  it("the plan's estimate at the current values (inlay hints): the file's count, else the runs'", () => {
    const runs = store.runsByAppName('tiny_tasks');
    const at = (current: Map<string, string | null>) =>
      planWorkload({ appName: 'tiny_tasks', runs, current, options: { nowMs: Date.UTC(2026, 10, 25) } }).current;
    const four = at(
      new Map([
        ['spark.master', 'yarn'],
        ['spark.executor.instances', '4'],
        ['spark.executor.cores', '2'],
        ['spark.sql.shuffle.partitions', '50'],
      ]),
    );
    assert.deepStrictEqual(
      [four?.basedOn, four?.choice.executorInstances, four?.durationMs],
      ['app-20261121122321-0008', 4, 23978],
    );
    // Not a literal (null): the runs' own 2 executors (their cores.max 4 / 2 cores on standalone).
    const runsOwn = at(
      new Map([
        ['spark.cores.max', null],
        ['spark.sql.shuffle.partitions', '50'],
      ]),
    );
    assert.deepStrictEqual([runsOwn?.choice.executorInstances, runsOwn?.durationMs], [2, (2 * 25_472 + 25_276) / 3]);
    assert.strictEqual(planWorkload({ appName: 'tiny_tasks', runs: [], current: new Map() }).current, null);
  });

  it('shows similar jobs with their distance when a job has fewer than 3 runs', () => {
    const doc = service.analyse('file:///w/run_tiny3.sh', SCRIPT, 'shellscript', 1);
    const site = doc.sites[0];
    assert.strictEqual(site.runs.length, 2);
    // The same answer as an index over the full records (similar-workloads.ts), distances included.
    const index = SimilarWorkloadIndex.fromRecords(store.allRuns());
    const expected = index.nearest(medianFeatures(site.runs.map(workloadFeatures)), 3, {
      excludeAppName: 'tiny_tasks',
    });
    assert.deepStrictEqual(
      site.similar.map((s) => [s.appName, s.distance.toFixed(6)]),
      expected.map((e) => [e.appName, e.distance.toFixed(6)]),
    );
    assert.deepStrictEqual(site.similar.map((s) => s.appName).sort(), ['nightly_etl', 'skewed_join']);
    const md = (onHover(doc, { line: 0, character: 2 })?.contents as { value: string }).value;
    assert.match(md, new RegExp(`\\*\\*${expected[0].appName}\\*\\*: distance ${expected[0].distance.toFixed(2)} \\(`));
    // The newest run's findings of moderate severity or worse (run-findings.test.ts checks their numbers).
    assert.match(
      md,
      /\*\*Findings of the newest run\*\* \(app-20261121122321-0008; `spark-optimizer analyze app-20261121122321-0008` lists all\):/,
    );
    assert.match(md, /- critical: Executor cores were idle 81 % of the time they were held/);
    // nightly_etl has 5 runs: no similar jobs.
    const etl = service.analyse('file:///w/run_etl.sh', SCRIPT.replace('tiny_tasks', 'nightly_etl'), 'shellscript', 1);
    assert.deepStrictEqual(etl.sites[0].similar, []);
  });

  it('keys the same job by the submitted file and by the stage signature', () => {
    // sun.java.command of app-…0000 ends "… --total-executor-cores 4 /tmp/spark-history-gen.RhrL5x/jobs/run1/nightly_etl.py".
    const [etl] = store.runsByAppName('nightly_etl').filter((r) => r.appId === 'app-20261121121550-0000');
    assert.strictEqual(etl.mainResource, '/tmp/spark-history-gen.RhrL5x/jobs/run1/nightly_etl.py');
    assert.deepStrictEqual(store.appNamesBySubmittedFile('nightly_etl'), ['nightly_etl']);
    assert.strictEqual(
      sparkSubmitPrimaryResource(
        'org.apache.spark.deploy.SparkSubmit --verbose --master yarn --conf a=b --class x.Main app.jar --day 1',
      ),
      'app.jar',
    );
    assert.strictEqual(sparkSubmitPrimaryResource('org.apache.spark.deploy.SparkSubmit --name x pyspark-shell'), null);
    assert.deepStrictEqual(
      matchWorkload(null, ['pipeline'], ['etl_v2'], (stem) => (stem === 'pipeline' ? ['etl_v2'] : [])),
      { appName: 'etl_v2', matchedBy: 'submitted file', similarity: 1 },
    );
    // All five nightly_etl runs share one signature; the other jobs differ.
    const sigs = new Set(store.runsByAppName('nightly_etl').map(workloadSignature));
    assert.strictEqual(sigs.size, 1);
    assert.notStrictEqual(workloadSignature(store.runsByAppName('tiny_tasks')[0]), [...sigs][0]);
    // A copy of a real nightly_etl run stored under a new name (hand-edited record, "renamed copy") is found as the same job.
    store.upsert(
      { ...etl, appId: 'renamed-copy-of-0000', appName: 'etl_renamed' },
      { path: '/renamed-copy', sizeBytes: 1, mtimeMs: 1, malformedLines: 0 },
    );
    assert.deepStrictEqual(
      store.runsWithSameSignature('nightly_etl').map((r) => r.appId),
      ['renamed-copy-of-0000'],
    );
    service.historyChanged();
    const doc = service.analyse('file:///w/run_etl2.sh', SCRIPT.replace('tiny_tasks', 'nightly_etl'), 'shellscript', 1);
    assert.strictEqual(doc.sites[0].runs.length, 6);
    assert.deepStrictEqual(doc.sites[0].renamedFrom, ['etl_renamed']);
  });
});
