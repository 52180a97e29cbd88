/**
 * The heap-limit scenario of test/lsp-document-analyses.test.ts, run in a process of its own (forked by that test):
 * a worker with a 16 MiB heap is given a document far too big for it, then a small document, then a big one that fits.
 * A worker terminated at its heap limit while a native addon (tree-sitter, better-sqlite3) is inside a call can abort
 * the whole process (node-addon-api throws a C++ `Napi::Error` that nothing catches: "terminate called after
 * throwing an instance of 'Napi::Error'"); in its own process that abort fails the one test instead of ending mocha.
 *
 * Usage: node heap-limit-child.js STORE_DB. Prints one JSON line: the three analyses' figures the test asserts.
 */
import * as fs from 'fs';
import { DocumentAnalyses, LARGE_DOCUMENT_BYTES, OpenDocument } from '../../server/src/documents/document-analyses';
import { DEFAULT_ANALYSIS_OPTIONS } from '../../server/src/language-service';
import { levelLogger } from '../../server/src/logger';
import { bigPySparkFile, repeatedJobFile } from './big-documents';
import { NIGHTLY_ETL_PY } from './fixtures';

const doc = (uri: string, version: number, text: string): OpenDocument => ({
  uri,
  version,
  languageId: 'python',
  getText: () => text,
});
const noRelated = () => ({ roots: [], openTexts: {} });

async function main(db: string): Promise<void> {
  const analyses = new DocumentAnalyses(
    db,
    levelLogger(
      () => undefined,
      () => 'error',
    ),
    { heapLimitMiB: 16 },
  );
  try {
    // ~2,200 SparkSession builders (4 MiB): extracting their settings alone takes ~40 MiB of heap (measured: 540
    // builders, 1 MiB, take 10 MiB), far more than a 16 MiB heap.
    const big = await analyses.analysis(
      doc('file:///w/rows.py', 1, repeatedJobFile(4 * 1024 * 1024)),
      DEFAULT_ANALYSIS_OPTIONS,
      noRelated,
    )!;
    const small = await analyses.analysis(
      doc('file:///w/nightly_etl.py', 1, fs.readFileSync(NIGHTLY_ETL_PY, 'utf8')),
      DEFAULT_ANALYSIS_OPTIONS,
      noRelated,
    )!;
    const again = await analyses.analysis(
      doc('file:///w/rows.py', 2, bigPySparkFile(LARGE_DOCUMENT_BYTES + 1000)),
      DEFAULT_ANALYSIS_OPTIONS,
      noRelated,
    )!;
    process.stdout.write(
      JSON.stringify({
        bigSites: big.sites.length,
        bigNotAnalysed: big.notAnalysed ?? null,
        smallJob: small.sites[0]?.workload?.appName ?? null,
        againNotAnalysed: again.notAnalysed ?? null,
        againExecutorMemory: again.sites[0]?.site.effective.get('spark.executor.memory')?.value ?? null,
      }) + '\n',
    );
  } finally {
    analyses.dispose();
  }
}

// The analysis workers are unref'd (they never keep a server alive): hold the process until the scenario ends.
const keepAlive = setInterval(() => undefined, 1000);
main(process.argv[2]).then(
  () => {
    clearInterval(keepAlive);
    process.stdout.write('', () => process.exit(0));
  },
  (e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
