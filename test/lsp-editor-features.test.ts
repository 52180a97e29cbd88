/**
 * Protocol test of the editor features over stdio against the BUILT server (server/out/server.js): code lens,
 * inlay hints (and their `sparkOptimizer.inlayHints.enabled` switch), the workload hover's command link, and the
 * custom requests `sparkOptimizer/listWorkloads` and `sparkOptimizer/workloadAnalysis`, on the real example runs in
 * examples/history collected into a temporary store. Expected values: examples/history/README.md and a python
 * fold of the raw events (see test/editor-features.test.ts).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { CodeLens, Hover, InlayHint, MarkupContent, ProtocolConnection } from 'vscode-languageserver-protocol/node';
import { CollectEventLogsRequest, WorkloadAnalysisRequest, ListWorkloadsRequest } from '../shared/src/protocol';
import { EXAMPLES } from './helpers/fixtures';
import { LspClient } from './helpers/lsp-client';

describe('editor features over LSP (built server/out/server.js)', function () {
  this.timeout(60_000);
  let lsp: LspClient;
  let conn: ProtocolConnection;
  let serverLog: string[];
  let tmp: string;
  let inlayHintsEnabled = true;
  let codeLensRefreshes = 0;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-lsp-ui-'));
    lsp = await LspClient.start({
      configuration: () => ({ logLevel: 'debug', inlayHints: { enabled: inlayHintsEnabled } }),
      rootUri: pathToFileURL(EXAMPLES).toString(),
      capabilities: {
        workspace: { configuration: true, codeLens: { refreshSupport: true }, inlayHint: { refreshSupport: true } },
        textDocument: { hover: { contentFormat: ['markdown'] } },
      },
      historyDatabase: path.join(tmp, 'history.db'),
      onRequest: {
        'workspace/codeLens/refresh': () => {
          codeLensRefreshes++;
          return null;
        },
      },
      onNotification: { 'textDocument/publishDiagnostics': () => undefined },
    });
    ({ conn, serverLog } = lsp);
    const init = lsp.initializeResult as { capabilities: { codeLensProvider?: unknown; inlayHintProvider?: unknown } };
    assert.ok(init.capabilities.codeLensProvider, 'codeLensProvider');
    assert.ok(init.capabilities.inlayHintProvider, 'inlayHintProvider');
  });

  after(async () => {
    await lsp?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const file = path.join(EXAMPLES, 'nightly_etl.py');
  const uri = pathToFileURL(file).toString();
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');

  it('before collecting: no jobs, a lens that offers to collect', async () => {
    assert.deepStrictEqual(await conn.sendRequest(ListWorkloadsRequest.type), []);
    await conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text },
    });
    const lenses = await conn.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.deepStrictEqual(
      lenses.map((l) => l.command?.command),
      ['sparkOptimizer.collectFromEventLogs'],
    );
    assert.strictEqual(await conn.sendRequest(WorkloadAnalysisRequest.type, { appName: 'nightly_etl' }), null);
  });

  it('after collecting: the lens reads "5 runs · p50 55s · spilled in 3" and the client was asked to refresh', async () => {
    const summary = await conn.sendRequest(CollectEventLogsRequest.type, { folder: path.join(EXAMPLES, 'history') });
    assert.strictEqual(summary.inserted, 9, serverLog.join('\n'));
    const lenses = await conn.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.strictEqual(lenses.length, 1);
    // …followed by the engine's plan (spark.executor.memory 1g → 2g: engine.test.ts).
    assert.match(
      lenses[0].command?.title ?? '',
      /^5 runs · p50 55s · spilled in 3 · plan \(balanced\): 1 change, 5\ds → 5\ds$/,
    );
    assert.strictEqual(lenses[0].command?.command, 'sparkOptimizer.openWorkloadAnalysis');
    assert.deepStrictEqual(lenses[0].command?.arguments, [{ appName: 'nightly_etl', uri }]);
    assert.match(lines[lenses[0].range.start.line], /SparkSession\.builder/);
    assert.ok(codeLensRefreshes >= 1, 'workspace/codeLens/refresh after the collection');
  });

  it('inlay hints after the three values of the builder, and none when the setting is off', async () => {
    const range = { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } };
    const hints = await conn.sendRequest<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range });
    assert.deepStrictEqual(
      hints.map((h) => [lines[h.position.line].slice(0, h.position.character).trim(), h.label]),
      [
        ['.config("spark.executor.memory", "1g"', '‹peak heap 718 MiB in 2 runs · spilled in 2›'],
        ['.config("spark.executor.cores", "2"', '‹cores busy 75 % (median of 5 runs)›'],
        ['.config("spark.sql.shuffle.partitions", "200"', '‹≤ 397 KiB shuffle read per partition in 5 runs›'],
      ],
    );
    inlayHintsEnabled = false;
    await conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const none = await conn.sendRequest<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range });
    assert.deepStrictEqual(none, []);
    inlayHintsEnabled = true;
    await conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
  });

  it('the workload hover links to the workload-analysis command with the workload name', async () => {
    const line = lines.findIndex((l) => l.includes('SparkSession.builder'));
    const hover = await conn.sendRequest<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: { line, character: 4 },
    });
    const value = (hover.contents as MarkupContent).value;
    const link = `[Open workload analysis](command:sparkOptimizer.openWorkloadAnalysis?${encodeURIComponent(JSON.stringify([{ appName: 'nightly_etl' }]))}`;
    assert.ok(value.includes(link), value);
  });

  it('sparkOptimizer/listWorkloads and sparkOptimizer/workloadAnalysis answer from the store', async () => {
    const workloads = await conn.sendRequest(ListWorkloadsRequest.type);
    // README: tiny_tasks ran last (12:23), then skewed_join, then nightly_etl.
    assert.deepStrictEqual(
      workloads.map((w) => [w.appName, w.runs]),
      [
        ['tiny_tasks', 2],
        ['skewed_join', 2],
        ['nightly_etl', 5],
      ],
    );
    assert.strictEqual(workloads[2].medianDurationMs, 54_971);
    const ja = await conn.sendRequest(WorkloadAnalysisRequest.type, { appName: 'nightly_etl', uri });
    assert.ok(ja);
    assert.strictEqual(ja.settingsFrom, 'document');
    assert.deepStrictEqual(
      ja.runs.map((r) => r.durationMs),
      [56_709, 52_349, 55_591, 54_971, 49_514],
    );
    assert.strictEqual(ja.selectedAppId, 'app-20261121121947-0004');
    const memory = ja.recommendations.find((r) => r.key === 'spark.executor.memory');
    assert.deepStrictEqual([memory?.currentValue, memory?.recommendedValue], ['1g', '2g']);
    const run = await conn.sendRequest(WorkloadAnalysisRequest.type, {
      appName: 'nightly_etl',
      appId: 'app-20261121121550-0000',
    });
    assert.strictEqual(run?.selectedAppId, 'app-20261121121550-0000');
    assert.strictEqual(run?.settingsFrom, 'newest run');
  });
});
