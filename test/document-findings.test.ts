/**
 * The core's findings of a document (server/src/document-findings.ts) on the real nightly_etl runs of examples/history,
 * and the two front ends that render them: the editor's LSP diagnostics (features/diagnostics.ts) and the CLI's
 * `check` lines. The findings carry no LSP type: a range of line/character numbers and the product's own severity.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { pathToFileURL } from 'url';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { documentFindings, NOT_ANALYSED_CODE } from '../server/src/document-findings';
import { onDiagnostics } from '../server/src/features/diagnostics';
import { collectEventLogs } from '../server/src/history/collect';
import { SparkLanguageService, type DocumentAnalysis } from '../server/src/language-service';
import { HistoryStore } from '../server/src/store/history-store';
import { EXAMPLE_HISTORY, NIGHTLY_ETL_PY } from './helpers/fixtures';
import { textAt } from './helpers/text-edits';

describe('document findings (core) and their renderings', () => {
  let store: HistoryStore;
  let analysis: DocumentAnalysis;
  let text: string;
  before(async () => {
    store = HistoryStore.open(':memory:');
    await collectEventLogs(EXAMPLE_HISTORY, store);
    text = fs.readFileSync(NIGHTLY_ETL_PY, 'utf8');
    analysis = new SparkLanguageService(store).analyse(pathToFileURL(NIGHTLY_ETL_PY).toString(), text, 'python', 1);
  });
  after(() => store.close());

  it('nightly_etl.py: one change of the plan, spark.executor.memory 1g → 2g, on the value as written', () => {
    const findings = documentFindings(analysis);
    // The example's runs spilled with 1g executors (examples/history/README.md); the CLI test sees the same one finding.
    assert.deepStrictEqual(
      findings.map((f) => [f.code, f.range.start.line + 1, textAt(text, f.range), f.recommendation?.recommendedValue]),
      [['recommend:spark.executor.memory', 24, '1g', '2g']],
    );
    assert.match(findings[0].message, /^spark\.executor\.memory: 1g → 2g\. /);
    assert.ok(['warning', 'hint'].includes(findings[0].severity), findings[0].severity);
  });

  it('the LSP diagnostics are the findings with LSP severities, source and the quick fix data', () => {
    const findings = documentFindings(analysis);
    const diagnostics = onDiagnostics(analysis);
    const lsp = {
      error: DiagnosticSeverity.Error,
      warning: DiagnosticSeverity.Warning,
      info: DiagnosticSeverity.Information,
      hint: DiagnosticSeverity.Hint,
    };
    assert.deepStrictEqual(
      diagnostics,
      findings.map((f) => ({
        range: f.range,
        severity: lsp[f.severity],
        source: 'spark-optimizer',
        code: f.code,
        message: f.message,
        data: { key: 'spark.executor.memory', recommendedValue: '2g' },
      })),
    );
  });

  it("a check finding keeps the check's severity; a document not analysed has one info finding at its start", () => {
    const bad =
      'spark = SparkSession.builder.appName("nightly_etl").config("spark.executor.memory", "4.5g").getOrCreate()\n';
    const checked = documentFindings(new SparkLanguageService(store).analyse('file:///w/job.py', bad, 'python', 1));
    // Spark rejects a fractional size (JavaUtils.byteStringAs): an error on the value, as `check` prints it (cli.test.ts).
    const error = checked.find((f) => f.severity === 'error');
    assert.ok(error, JSON.stringify(checked));
    assert.strictEqual(textAt(bad, error.range), '4.5g');
    const skipped: DocumentAnalysis = {
      ...analysis,
      sites: [],
      notAnalysed: 'This file is 9.0 MiB, over the 8.0 MiB the language server analyses.',
    };
    assert.deepStrictEqual(documentFindings(skipped), [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: 'info',
        code: NOT_ANALYSED_CODE,
        message: skipped.notAnalysed,
      },
    ]);
  });
});
