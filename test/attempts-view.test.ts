/**
 * Every attempt shown where runs are shown: the job hover, the workload-analysis view (data and page), the job list and
 * `spark-optimizer analyze --attempt`. The runs are apache/spark's `application_1656321732247_0006` (YARN, PythonPi):
 * attempt 1 ended (ApplicationEnd 1656322538998, start 1656322530893: 8,105 ms) and attempt 2 never did (its last
 * event at 1656322552495, start 1656322543203: 9,292 ms) — read by hand with python from
 * test/fixtures/spark/multi-attempt/apache-spark/spark-events-broken/last-attempt-incomplete/ (provenance in
 * test/fixtures/spark/README.md).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MarkupContent } from 'vscode-languageserver';
import { workloadAnalysisHtml } from '../client/src/workload-analysis/html';
import { main } from '../server/src/cli/main';
import { onHover } from '../server/src/features/hover';
import { workloadAnalysis } from '../server/src/features/workload-analysis';
import { collectEventLogs } from '../server/src/history/collect';
import { SparkLanguageService } from '../server/src/language-service';
import { HistoryStore } from '../server/src/store/history-store';
import { SPARK_FIXTURES } from './helpers/fixtures';

const LOGS = path.join(
  SPARK_FIXTURES,
  'multi-attempt',
  'apache-spark',
  'spark-events-broken',
  'last-attempt-incomplete',
);
const APP = 'application_1656321732247_0006';

describe('application attempts in the hover, the workload-analysis view, the job list and analyze', () => {
  let tmp: string;
  let db: string;
  let store: HistoryStore;
  let service: SparkLanguageService;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-attempts-'));
    db = path.join(tmp, 'h.db');
    store = HistoryStore.open(db);
    const s = await collectEventLogs(LOGS, store);
    assert.strictEqual(s.inserted, 2);
    service = new SparkLanguageService(store, () => Date.UTC(2026, 10, 25));
  });
  after(() => {
    store.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the job list counts both attempts as runs; the store returns each attempt as its own record', () => {
    assert.deepStrictEqual(
      store.listWorkloads().map((j) => [j.appName, j.runs]),
      [['PythonPi', 2]],
    );
    assert.deepStrictEqual(
      store.runsByAppName('PythonPi').map((r) => [r.appId, r.attemptId, r.startTimeMs, r.durationMs, r.completed]),
      [
        [APP, '2', 1656322543203, 9292, false],
        [APP, '1', 1656322530893, 8105, true],
      ],
    );
  });

  it('the hover on the SparkSession line lists each attempt, the unfinished one marked', () => {
    const text =
      'from pyspark.sql import SparkSession\nspark = SparkSession.builder.appName("PythonPi").getOrCreate()\n';
    const analysis = service.analyse('file:///jobs/pi.py', text, 'python', 1);
    assert.deepStrictEqual(
      analysis.sites[0].runs.map((r) => r.attemptId),
      ['2', '1'],
    );
    const hover = onHover(analysis, { line: 1, character: 2 });
    const md = (hover?.contents as MarkupContent).value;
    assert.match(md, /^\*\*Spark workload PythonPi\*\*: 2 run\(s\) in history/);
    const rows = md
      .split('\n')
      .filter((l) => l.startsWith(`| ${APP}`))
      .map((l) => l.split(' | ')[0]);
    assert.deepStrictEqual(rows, [`| ${APP} (attempt 2) · incomplete`, `| ${APP} (attempt 1)`]);
  });

  it('the workload-analysis view lists both attempts oldest first, selects the newest, and selects attempt 1 when asked', () => {
    const ja = workloadAnalysis(service, { appName: 'PythonPi' }, null);
    assert.ok(ja);
    assert.deepStrictEqual(
      ja.runs.map((r) => [r.appId, r.attemptId, r.durationMs, r.completed]),
      [
        [APP, '1', 8105, true],
        [APP, '2', 9292, false],
      ],
    );
    assert.deepStrictEqual(
      [ja.selectedAppId, ja.selectedAttemptId, ja.selectedEndMs - ja.selectedStartMs],
      [APP, '2', 9292],
    );
    const first = workloadAnalysis(service, { appName: 'PythonPi', appId: APP, attemptId: '1' }, null);
    assert.deepStrictEqual(
      [first?.selectedAttemptId, first ? first.selectedEndMs - first.selectedStartMs : null],
      ['1', 8105],
    );
    assert.strictEqual(workloadAnalysis(service, { appName: 'PythonPi', appId: APP, attemptId: '3' }, null), null);

    const html = workloadAnalysisHtml({
      cspSource: 'vscode-resource:',
      nonce: 'n0nce',
      scriptUri: 'vscode-resource:/x.js',
      data: ja,
    });
    const rows = [
      ...html.matchAll(
        /<tr class="(selected)?"><td><button class="run" data-app-id="([^"]+)" data-attempt-id="([^"]*)">([^<]+)<\/button>([^<]*<span[^>]*>[^<]*<\/span>)?/g,
      ),
    ].map((m) => [m[4], m[3], m[1] ?? '', (m[5] ?? '').replace(/<[^>]+>/g, '').trim()]);
    assert.deepStrictEqual(rows, [
      [`${APP} (attempt 2)`, '2', 'selected', '· incomplete'],
      [`${APP} (attempt 1)`, '1', '', ''],
    ]);
    assert.match(html, new RegExp(`showing run <code>${APP} \\(attempt 2\\)</code>`));
  });

  it('analyze takes the newest attempt, or the one --attempt names, and lists the others', async () => {
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const code = await main(
        ['analyze', APP, '--db', db, ...args],
        (x) => out.push(x),
        (x) => out.push(x),
      );
      return { code, out };
    };
    const newest = await run();
    assert.strictEqual(newest.code, 0);
    assert.match(newest.out[0], new RegExp(`^${APP} attempt 2 PythonPi: 9\\.3 s, .*; incomplete$`));
    assert.strictEqual(newest.out[1], 'Other attempts stored: 1 (--attempt N)');
    const first = await run('--attempt', '1');
    assert.match(first.out[0], new RegExp(`^${APP} attempt 1 PythonPi: 8\\.1 s, `));
    assert.strictEqual(first.out[1], 'Other attempts stored: 2 (incomplete) (--attempt N)');
    const missing = await run('--attempt', '3');
    assert.strictEqual(missing.code, 2);
    assert.match(missing.out[0], new RegExp(`no attempt 3 of ${APP} in .* \\(stored attempts: 1, 2\\)$`));
  });
});
