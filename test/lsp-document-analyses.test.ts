/**
 * DocumentAnalyses (server/src/documents/document-analyses.ts) with real worker threads (the tsc build of
 * analysis-worker.ts) and a real store collected from examples/history: the kind decides whether a document is
 * analysed, a newer version of a big document stops the analysis of the older one, and a worker that reaches its heap
 * limit gives its document a reason instead of taking the server down, then works again for the next document.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DocumentAnalyses, LARGE_DOCUMENT_BYTES, OpenDocument } from '../server/src/documents/document-analyses';
import { collectEventLogs } from '../server/src/history/collect';
import { DEFAULT_ANALYSIS_OPTIONS } from '../server/src/language-service';
import { levelLogger } from '../server/src/logger';
import { HistoryStore } from '../server/src/store/history-store';
import { bigPySparkFile } from './helpers/big-documents';
import { EXAMPLE_HISTORY, NIGHTLY_ETL_PY } from './helpers/fixtures';

const NIGHTLY = fs.readFileSync(NIGHTLY_ETL_PY, 'utf8');

const doc = (uri: string, version: number, text: string, languageId = 'python'): OpenDocument => ({
  uri,
  version,
  languageId,
  getText: () => text,
});
const noRelated = () => ({ roots: [], openTexts: {} });

describe('DocumentAnalyses: analyses in worker threads', function () {
  this.timeout(120_000);
  let tmp: string;
  let db: string;
  const logged: string[] = [];
  const log = levelLogger(
    (level, m) => logged.push(`${level}: ${m}`),
    () => 'debug',
  );

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
        const a = await analyses.analysis(
          doc(`file:///w/${languageId}/nightly_etl.py`, 1, NIGHTLY, languageId),
          DEFAULT_ANALYSIS_OPTIONS,
          noRelated,
        )!;
        assert.strictEqual(a.languageId, 'python');
        assert.deepStrictEqual(
          a.sites.map((s) => [s.workload?.appName, s.runs.length]),
          [['nightly_etl', 5]],
          languageId,
        );
      }
      assert.strictEqual(
        analyses.analysis(doc('file:///w/notes.txt', 1, NIGHTLY, 'plaintext'), DEFAULT_ANALYSIS_OPTIONS, noRelated),
        null,
      );
    } finally {
      analyses.dispose();
    }
  });

  it('stops the analysis of a big document when a newer version comes, and answers the newer one', async () => {
    const analyses = new DocumentAnalyses(db, log);
    try {
      const big = bigPySparkFile(2 * LARGE_DOCUMENT_BYTES);
      const v1 = analyses.analysis(doc('file:///w/big.py', 1, big), DEFAULT_ANALYSIS_OPTIONS, noRelated)!;
      const v2 = analyses.analysis(
        doc('file:///w/big.py', 2, big.replace('"1g"', '"2g"')),
        DEFAULT_ANALYSIS_OPTIONS,
        noRelated,
      )!;
      const [a1, a2] = await Promise.all([v1, v2]);
      assert.deepStrictEqual(
        [a1.version, a1.sites.length, a1.notAnalysed],
        [1, 0, undefined],
        'the stopped version has no analysis and nothing to tell',
      );
      assert.strictEqual(a2.version, 2);
      assert.strictEqual(a2.sites[0].site.effective.get('spark.executor.memory')?.value, '2g');
      assert.ok(
        logged.some((l) => /Stopped the large analysis worker: file:\/\/\/w\/big\.py changed/.test(l)),
        logged.join('\n'),
      );
    } finally {
      analyses.dispose();
    }
  });

  it('survives a worker that reaches its heap limit: the document says why, the next one is analysed', function () {
    // In a process of its own (test/helpers/heap-limit-child.ts says why): an abort there fails this test only. Retried
    // twice because of that abort, which comes from the native addons, not from this code (seen 1 in ~5 full unit-tier
    // runs under load, 0 in 28 runs of this file alone).
    this.retries(2);
    const r = spawnSync(process.execPath, [path.join(__dirname, 'helpers', 'heap-limit-child.js'), db], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.signal !== null || r.status !== 0)
      throw new Error(`the heap-limit scenario's process ended with ${r.signal ?? `exit ${r.status}`}: ${r.stderr}`);
    const got = JSON.parse(r.stdout.trim()) as {
      bigSites: number;
      bigNotAnalysed: string | null;
      smallJob: string | null;
      againNotAnalysed: string | null;
      againExecutorMemory: string | null;
    };
    assert.strictEqual(got.bigSites, 0);
    assert.match(
      got.bigNotAnalysed ?? '',
      /^Its Spark settings were not analysed: the analysis stopped \(.*(memory|heap).*\)\.$/i,
    );
    assert.strictEqual(got.smallJob, 'nightly_etl');
    assert.strictEqual(got.againNotAnalysed, null, 'the large worker was started again');
    assert.strictEqual(got.againExecutorMemory, '1g');
  });
});
