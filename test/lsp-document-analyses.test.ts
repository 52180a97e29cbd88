/**
 * DocumentAnalyses (server/src/documents/document-analyses.ts) with real worker threads (the tsc build of
 * analysis-worker.ts) and a real store collected from examples/history: the kind decides whether a document is
 * analysed, a newer version of a big document stops the analysis of the older one, and a worker that reaches its heap
 * limit gives its document a reason instead of taking the server down, then works again for the next document.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DocumentAnalyses, LARGE_DOCUMENT_BYTES, OpenDocument } from '../server/src/documents/document-analyses';
import { collectEventLogs } from '../server/src/history/collect';
import { DEFAULT_ANALYSIS_OPTIONS } from '../server/src/language-service';
import { levelLogger } from '../server/src/logger';
import { HistoryStore } from '../server/src/store/history-store';
import { bigPySparkFile, repeatedJobFile } from './helpers/big-documents';
import { EXAMPLE_HISTORY, NIGHTLY_ETL_PY } from './helpers/fixtures';

const NIGHTLY = fs.readFileSync(NIGHTLY_ETL_PY, 'utf8');

const doc = (uri: string, version: number, text: string, languageId = 'python'): OpenDocument => ({ uri, version, languageId, getText: () => text });
const noRelated = () => ({ roots: [], openTexts: {} });

describe('DocumentAnalyses: analyses in worker threads', function () {
  this.timeout(120_000);
  let tmp: string;
  let db: string;
  const logged: string[] = [];
  const log = levelLogger((level, m) => logged.push(`${level}: ${m}`), () => 'debug');

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-analyses-'));
    db = path.join(tmp, 'history.db');
    const store = HistoryStore.open(db);
    try {
      assert.strictEqual((await collectEventLogs(EXAMPLE_HISTORY, store)).inserted, 9);
    } finally {
      store.close();
    }
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('analyses a PySpark file sent as python or by name, and nothing for a plain text file', async () => {
    const analyses = new DocumentAnalyses(db, log);
    try {
      for (const languageId of ['python', 'plaintext']) {
        const a = await analyses.analysis(doc(`file:///w/${languageId}/nightly_etl.py`, 1, NIGHTLY, languageId), DEFAULT_ANALYSIS_OPTIONS, noRelated)!;
        assert.strictEqual(a.languageId, 'python');
        assert.deepStrictEqual(a.sites.map((s) => [s.job?.appName, s.runs.length]), [['nightly_etl', 5]], languageId);
      }
      assert.strictEqual(analyses.analysis(doc('file:///w/notes.txt', 1, NIGHTLY, 'plaintext'), DEFAULT_ANALYSIS_OPTIONS, noRelated), null);
    } finally {
      analyses.dispose();
    }
  });

  it('stops the analysis of a big document when a newer version comes, and answers the newer one', async () => {
    const analyses = new DocumentAnalyses(db, log);
    try {
      const big = bigPySparkFile(2 * LARGE_DOCUMENT_BYTES);
      const v1 = analyses.analysis(doc('file:///w/big.py', 1, big), DEFAULT_ANALYSIS_OPTIONS, noRelated)!;
      const v2 = analyses.analysis(doc('file:///w/big.py', 2, big.replace('"1g"', '"2g"')), DEFAULT_ANALYSIS_OPTIONS, noRelated)!;
      const [a1, a2] = await Promise.all([v1, v2]);
      assert.deepStrictEqual([a1.version, a1.sites.length, a1.notAnalysed], [1, 0, undefined], 'the stopped version has no analysis and nothing to tell');
      assert.strictEqual(a2.version, 2);
      assert.strictEqual(a2.sites[0].site.effective.get('spark.executor.memory')?.value, '2g');
      assert.ok(logged.some((l) => /Stopped the large analysis worker: file:\/\/\/w\/big\.py changed/.test(l)), logged.join('\n'));
    } finally {
      analyses.dispose();
    }
  });

  it('survives a worker that reaches its heap limit: the document says why, the next one is analysed', async () => {
    const analyses = new DocumentAnalyses(db, log, { heapLimitMiB: 16 });
    try {
      // ~2,200 SparkSession builders (4 MiB): extracting their settings alone takes ~40 MiB of heap (measured: 540
      // builders, 1 MiB, take 10 MiB), far more than a 16 MiB heap.
      const big = await analyses.analysis(doc('file:///w/rows.py', 1, repeatedJobFile(4 * 1024 * 1024)), DEFAULT_ANALYSIS_OPTIONS, noRelated)!;
      assert.strictEqual(big.sites.length, 0);
      assert.match(big.notAnalysed ?? '', /^Its Spark settings were not analysed: the analysis stopped \(.*(memory|heap).*\)\.$/i);
      const small = await analyses.analysis(doc('file:///w/nightly_etl.py', 1, NIGHTLY), DEFAULT_ANALYSIS_OPTIONS, noRelated)!;
      assert.strictEqual(small.sites[0].job?.appName, 'nightly_etl');
      const again = await analyses.analysis(doc('file:///w/rows.py', 2, bigPySparkFile(LARGE_DOCUMENT_BYTES + 1000)), DEFAULT_ANALYSIS_OPTIONS, noRelated)!;
      assert.strictEqual(again.notAnalysed, undefined, 'the large worker was started again');
      assert.strictEqual(again.sites[0].site.effective.get('spark.executor.memory')?.value, '1g');
    } finally {
      analyses.dispose();
    }
  });
});
