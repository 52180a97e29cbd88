/**
 * Inside the extension host of a workspace that is NOT trusted (restricted mode) whose .vscode/settings.json
 * names a History Server (a TCP listener the runner counts connections on) and sets collectOnStartup: the
 * extension still shows what the local store knows, and refuses the workspace's URL, saying so in its log.
 * The runner outside asserts the listener saw 0 connections (test/e2e/ui/restricted.e2e.ts).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { describeDiagnostics, diagnosticWithCode, env, EXTENSION_ID, logFilesContaining, openInEditor, poll } from '../suite/util';

/** client/src/ctx.ts collectFromHistoryServer's message for a URL from untrusted workspace settings. */
const REFUSAL = 'Not connecting: sparkOptimizer.historyServer.url comes from the settings of an untrusted workspace.';

describe('Spark Resource Optimizer in a restricted (untrusted) workspace', function () {
  this.timeout(90_000);

  it('the workspace is not trusted and names the History Server in its settings', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    const url = vscode.workspace.getConfiguration('sparkOptimizer').inspect<string>('historyServer.url');
    assert.strictEqual(url?.workspaceValue, env('SPARK_E2E_LISTENER_URL'));
  });

  it('shows the diagnostic from the local store', async () => {
    const doc = await openInEditor('nightly_etl.py');
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await poll('the extension to activate', () => (ext.isActive ? true : undefined));
    const d = await poll('the spark.executor.memory diagnostic', () => diagnosticWithCode(doc.uri, 'recommend:spark.executor.memory'), 60_000, () => describeDiagnostics(doc.uri));
    assert.strictEqual(doc.getText(d.range), '1g');
    assert.ok(d.message.startsWith('spark.executor.memory: 1g → 2g. 2 of 2 runs of nightly_etl spilled 72.5 MiB'), d.message);
  });

  it('refuses the startup collection from the workspace-named History Server and logs why', async () => {
    const found = await poll('the refusal in the extension log', () => {
      const files = logFilesContaining(env('SPARK_E2E_LOGS_DIR'), REFUSAL);
      return files.length > 0 ? files : undefined;
    }, 30_000);
    assert.ok(found[0][1].includes(REFUSAL));
  });
});
