/**
 * Protocol test: starts the BUILT language server (server/out/server.js) as a child process and speaks
 * LSP to it over stdio, one round trip per feature, on the real example files and the real Spark event
 * logs in examples/history (written by a real Spark 4, see examples/history/README.md).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import {
  CodeAction,
  Diagnostic,
  Hover,
  MarkupContent,
  ProtocolConnection,
  PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CollectEventLogsRequest,
  CollectSummary,
  RecordAppliedFixRequest,
  StoreInfoRequest,
} from '../shared/src/protocol';
import { EXAMPLES } from './helpers/fixtures';
import { LspClient, messageText, poll } from './helpers/lsp-client';

describe('language server over stdio (built server/out/server.js)', function () {
  this.timeout(60_000);
  let lsp: LspClient;
  let conn: ProtocolConnection;
  let serverLog: string[];
  let tmp: string;
  const diagnostics = new Map<string, PublishDiagnosticsParams>();

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-lsp-'));
    lsp = await LspClient.start({
      configuration: () => ({ logLevel: 'debug' }),
      rootUri: pathToFileURL(EXAMPLES).toString(),
      capabilities: { workspace: { configuration: true }, textDocument: { hover: { contentFormat: ['markdown'] } } },
      historyDatabase: path.join(tmp, 'history.db'),
      onNotification: {
        'textDocument/publishDiagnostics': (p: PublishDiagnosticsParams) => {
          diagnostics.set(p.uri, p);
        },
      },
    });
    ({ conn, serverLog } = lsp);
    assert.ok((lsp.initializeResult as { capabilities: { hoverProvider?: boolean } }).capabilities.hoverProvider);
  });

  after(async () => {
    await lsp?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  let summary: CollectSummary;
  it('collects the real example event logs through sparkOptimizer/collectEventLogs', async () => {
    summary = await conn.sendRequest(CollectEventLogsRequest.type, { folder: path.join(EXAMPLES, 'history') });
    assert.deepStrictEqual(summary.failed, [], serverLog.join('\n'));
    assert.strictEqual(summary.inserted, EXPECTED_RUNS);
    assert.strictEqual(summary.storedApplications, EXPECTED_RUNS);
    const info = await conn.sendRequest(StoreInfoRequest.type);
    assert.strictEqual(info.workloads, EXPECTED_WORKLOADS);
    assert.ok(
      info.lastCollectedAtMs !== null && Date.now() - info.lastCollectedAtMs < 60_000,
      String(info.lastCollectedAtMs),
    );
    // Collecting again reads nothing new.
    const again = await conn.sendRequest(CollectEventLogsRequest.type, { folder: path.join(EXAMPLES, 'history') });
    assert.strictEqual(again.inserted + again.updated, 0);
    assert.strictEqual(again.unchanged, EXPECTED_RUNS);
  });

  const file = path.join(EXAMPLES, 'nightly_etl.py');
  const uri = pathToFileURL(file).toString();
  let text: string;
  let memoryDiag: Diagnostic;

  it('publishes a diagnostic on spark.executor.memory that names the runs', async () => {
    text = fs.readFileSync(file, 'utf8');
    await conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text },
    });
    const published = await poll('diagnostics for nightly_etl.py', () => {
      const d = diagnostics.get(uri);
      return d && d.diagnostics.length > 0 ? d : undefined;
    });
    memoryDiag = published.diagnostics.find((d) => d.code === 'recommend:spark.executor.memory')!;
    assert.ok(memoryDiag, JSON.stringify(published.diagnostics, null, 2));
    const line = text.split('\n')[memoryDiag.range.start.line];
    assert.strictEqual(line.slice(memoryDiag.range.start.character, memoryDiag.range.end.character), '1g');
    const message = messageText(memoryDiag.message);
    assert.match(
      message,
      /^spark\.executor\.memory: 1g → 2g\. \d+ of \d+ runs of nightly_etl spilled .* to disk with 1g executors/,
    );
    for (const id of NIGHTLY_2G_RUNS) assert.ok(message.includes(id), `message names ${id}: ${message}`);
  });

  it('answers a hover on the setting with the runs of the job', async () => {
    const hover = await conn.sendRequest<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: memoryDiag.range.start,
    });
    const md = (hover.contents as MarkupContent).value;
    assert.match(md, /\*\*spark\.executor\.memory\*\* = `1g`/);
    assert.match(md, /→ \*\*spark\.executor\.memory = 2g\*\*/);
    assert.match(md, /Runs of \*\*nightly_etl\*\*/);
    // The session line shows the job's run table.
    const sessionLine = text.split('\n').findIndex((l) => l.includes('SparkSession.builder'));
    const h2 = await conn.sendRequest<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: { line: sessionLine, character: 8 },
    });
    assert.match(
      (h2.contents as MarkupContent).value,
      new RegExp(`\\*\\*Spark workload nightly_etl\\*\\*: ${NIGHTLY_RUNS} run\\(s\\)`),
    );
    // Cost line: medians over the 5 runs of the figures utilisationAndCost gives (tested against python in analysis-cost.test.ts).
    assert.match(
      (h2.contents as MarkupContent).value,
      /Per run \(median of 5\): 0\.\d{3} executor core-hours, 0\.\d{3} memory-GiB-hours, executor cores idle \d+ %, driver alone \d+ % of the time/,
    );
  });

  it('completes Spark keys inside .config("', async () => {
    const line = memoryDiag.range.start.line;
    const character = text.split('\n')[line].indexOf('"spark.') + 1 + 'spark.exec'.length;
    const items = await conn.sendRequest<{ label: string; textEdit?: { newText: string } }[]>(
      'textDocument/completion',
      { textDocument: { uri }, position: { line, character } },
    );
    const mem = items.find((i) => i.label === 'spark.executor.memory');
    assert.ok(mem, `${items.length} items`);
    assert.strictEqual(mem.textEdit!.newText, 'spark.executor.memory');
  });

  it('checks a spark-defaults.conf before the job runs and fixes a deprecated key', async () => {
    const confUri = 'untitled:spark-defaults.conf';
    const conf = ['# cluster defaults', 'spark.yarn.executor.memoryOverhead   1g', 'spark.executor.cores 0', ''].join(
      '\n',
    );
    await conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri: confUri, languageId: 'spark-defaults', version: 1, text: conf },
    });
    const published = await poll('diagnostics for spark-defaults.conf', () => {
      const d = diagnostics.get(confUri);
      return d && d.diagnostics.length >= 2 ? d : undefined;
    });
    assert.deepStrictEqual(
      published.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character, d.range.end.character]),
      [
        ['SPARK004', 1, 0, 34],
        ['SPARK002', 2, 21, 22],
      ],
    );
    assert.strictEqual(
      messageText(published.diagnostics[1].message),
      'spark.executor.cores=0: Executor cores must be a positive number',
    );
    const dep = published.diagnostics[0];
    const actions = await conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: confUri },
      range: dep.range,
      context: { diagnostics: [dep] },
    });
    const fix = actions.find((a) => a.title === 'Replace with spark.executor.memoryOverhead')!;
    assert.ok(fix, actions.map((a) => a.title).join(', '));
    const edited = TextDocument.applyEdits(
      TextDocument.create(confUri, 'spark-defaults', 1, conf),
      fix.edit!.changes![confUri],
    );
    assert.strictEqual(edited, conf.replace('spark.yarn.executor.memoryOverhead', 'spark.executor.memoryOverhead'));
  });

  it('offers a quick fix that rewrites the value in place', async () => {
    const actions = await conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: memoryDiag.range,
      context: { diagnostics: [memoryDiag] },
    });
    const fix = actions.find((a) => a.title === 'Set spark.executor.memory to 2g');
    assert.ok(fix, actions.map((a) => a.title).join(', '));
    const doc = TextDocument.create(uri, 'python', 1, text);
    const edited = TextDocument.applyEdits(doc, fix.edit!.changes![uri]);
    const lines = edited.split('\n');
    assert.strictEqual(lines[memoryDiag.range.start.line].trim(), '.config("spark.executor.memory", "2g")');
    assert.strictEqual(lines.length, text.split('\n').length);
    // The fix carries the command that remembers it; the client forwards its argument as sparkOptimizer/recordAppliedFix.
    assert.strictEqual(fix.command?.command, 'sparkOptimizer.recordAppliedFix');
    const fixes = fix.command.arguments![0] as RecordAppliedFixRequest.Fix[];
    assert.deepStrictEqual(fixes, [
      { uri, key: 'spark.executor.memory', oldValue: '1g', newValue: '2g', appName: 'nightly_etl' },
    ]);
    const stored = await conn.sendRequest(RecordAppliedFixRequest.type, { fixes });
    assert.deepStrictEqual(stored, { ids: [1] });
    const hover = await conn.sendRequest<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: memoryDiag.range.start,
    });
    assert.match(
      (hover.contents as MarkupContent).value,
      /\*\*Applied fix\*\* spark\.executor\.memory: 1g → 2g on \d{4}-\d\d-\d\d \d\d:\d\d UTC\. No run of the workload since; before: median 55 s\./,
    );
  });
});

// Expected values, read from examples/history/README.md (the generator's own record of the runs).
const EXPECTED_RUNS = 9;
const EXPECTED_WORKLOADS = 3;
const NIGHTLY_RUNS = 5;
/** The nightly_etl run with 2g executors, which did not spill (Disk Bytes Spilled 0). */
const NIGHTLY_2G_RUNS = ['app-20261121121849-0003'];
