/**
 * A big document does not block the language server (issue 12, item 9), against the BUILT server over stdio:
 * - a document over the size limit (documents/document-analyses.ts MAX_ANALYSED_BYTES, 8 MiB) gets exactly one
 *   informational diagnostic saying so, and no analysis;
 * - while a 5 MB PySpark file is analysed (in the "large" worker), an edit and a hover on a small file are answered
 *   first: the hover's answer arrives before the big file's diagnostics. (How fast the hover is, is measured by
 *   `npm run bench`, test/bench/lsp-responsiveness.ts, not here.)
 * The small file is examples/nightly_etl.py with the store collected from examples/history (9 real Spark 4 runs,
 * examples/history/README.md); the big files are made here.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { CollectEventLogsRequest } from '../shared/src/protocol';
import { bigPySparkFile } from './helpers/big-documents';
import { frame, LspServerProcess, ServerMessage } from './helpers/lsp-server-process';
import { EXAMPLES } from './helpers/fixtures';

describe('language server responsiveness with big documents (built server over stdio)', function () {
  this.timeout(120_000);
  let tmp: string;
  let server: LspServerProcess;
  let id = 100;
  const open = (uri: string, languageId: string, text: string, version = 1) =>
    server.write(
      frame({
        jsonrpc: '2.0',
        method: 'textDocument/didOpen',
        params: { textDocument: { uri, languageId, version, text } },
      }),
    );
  const diagnosticsOf = (uri: string) => (m: ServerMessage) =>
    m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === uri;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-lsp-big-'));
    server = new LspServerProcess();
    await server.initialize(path.join(tmp, 'history.db'), pathToFileURL(EXAMPLES).toString());
    const collected = await server.request(
      2,
      CollectEventLogsRequest.method,
      { folder: path.join(EXAMPLES, 'history') },
      60_000,
    );
    assert.strictEqual((collected.result as { inserted: number }).inserted, 9, JSON.stringify(collected));
  });
  after(async () => {
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('gives a document over 8 MiB one informational diagnostic and no analysis', async () => {
    const uri = pathToFileURL(path.join(tmp, 'huge_job.py')).toString();
    const text = bigPySparkFile(9 * 1024 * 1024);
    open(uri, 'python', text);
    const published = await server.waitFor('diagnostics of the 9 MiB file', diagnosticsOf(uri));
    const diagnostics = (
      published.params as { diagnostics: { severity: number; code: string; message: string; range: object }[] }
    ).diagnostics;
    assert.strictEqual(diagnostics.length, 1, JSON.stringify(diagnostics));
    assert.deepStrictEqual(
      [diagnostics[0].severity, diagnostics[0].code, diagnostics[0].range],
      [3, 'not-analysed', { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }],
    );
    assert.match(
      diagnostics[0].message,
      /^This file is 9 MiB, over the 8 MiB the language server analyses: its Spark settings are not read\./,
    );
    // Its setting (line 2) gets no hover: nothing was analysed.
    const hover = await server.request(id++, 'textDocument/hover', {
      textDocument: { uri },
      position: { line: 2, character: 80 },
    });
    assert.strictEqual(hover.result, null);
  });

  it('answers a hover on an edited small file before the diagnostics of a 5 MB file being analysed', async () => {
    const small = path.join(EXAMPLES, 'nightly_etl.py');
    const smallUri = pathToFileURL(small).toString();
    const smallText = fs.readFileSync(small, 'utf8');
    open(smallUri, 'python', smallText);
    await server.waitFor('diagnostics of nightly_etl.py', diagnosticsOf(smallUri));
    const line = smallText.split('\n').findIndex((l) => l.includes('"spark.executor.memory"'));
    const character = smallText.split('\n')[line].indexOf('"1g"') + 1;

    const bigUri = pathToFileURL(path.join(tmp, 'generated_rows.py')).toString();
    open(bigUri, 'python', bigPySparkFile(5 * 1024 * 1024));
    // The server asks for the big file's settings right before it analyses it (the helper answers at once): from
    // then on the analysis is under way. (A server that analyses on its main thread is blocked from here on.)
    await server.waitFor(
      "the request for the big file's settings",
      (m) =>
        m.method === 'workspace/configuration' &&
        (m.params as { items: { scopeUri?: string }[] }).items.some((i) => i.scopeUri === bigUri),
    );
    // An edit of the small file (a new version: analysed again) and a hover on it, while the big file is analysed.
    server.write(
      frame({
        jsonrpc: '2.0',
        method: 'textDocument/didChange',
        params: { textDocument: { uri: smallUri, version: 2 }, contentChanges: [{ text: smallText }] },
      }),
    );
    const hoverId = id++;
    const hover = await server.request(hoverId, 'textDocument/hover', {
      textDocument: { uri: smallUri },
      position: { line, character },
    });
    const value = (hover.result as { contents: { value: string } }).contents.value;
    assert.match(value, /^\*\*spark\.executor\.memory\*\* = `1g`/);
    assert.match(value, /Runs of \*\*nightly_etl\*\* with this setting/);

    const bigDiagnostics = await server.waitFor('diagnostics of the 5 MB file', diagnosticsOf(bigUri), 100_000);
    const order = (m: ServerMessage) => server.messages.indexOf(m);
    assert.ok(order(hover) < order(bigDiagnostics), 'the hover was answered before the big file was analysed');
    // The big file was analysed in full: its one setting (line 2) has the job's memory recommendation.
    const codes = (
      bigDiagnostics.params as { diagnostics: { code: string; range: { start: { line: number } } }[] }
    ).diagnostics.map((d) => `${d.code}@${d.range.start.line}`);
    assert.ok(codes.includes('recommend:spark.executor.memory@2'), codes.join(', '));
  });
});
