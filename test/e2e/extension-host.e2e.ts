/**
 * Runs the extension-host suite (test/e2e/suite, mocha inside VS Code's extension host through VS Code's
 * own test protocol) against a code-server on 127.0.0.1 with the packaged VSIX installed, on a copy of
 * examples/ with a store collected from examples/history. Needs `npm run package` and
 * scripts/install-e2e.sh first (`npm run test:e2e` does both). Logs go to test-artifacts/e2e/extension-host/.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runExtensionTests, Workbench } from './lib/browser';
import { ARTIFACTS, CodeServer, ROOT, VSIX } from './lib/code-server';
import { prepareExampleWorkspace, type ExampleWorkspace } from './lib/workspace';

describe('extension-host tests in code-server (VS Code test protocol)', function () {
  this.timeout(300_000);
  const dir = path.join(ARTIFACTS, 'extension-host');
  let server: CodeServer;
  let browser: Workbench | undefined;
  let ws: ExampleWorkspace;

  before(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    ws = prepareExampleWorkspace(path.join(dir, 'ws'));
    const resultFile = path.join(dir, 'result.json');
    server = new CodeServer({
      dir: path.join(dir, 'code-server'),
      userSettings: {
        'sparkOptimizer.historyDatabase': ws.historyDatabase,
        'sparkOptimizer.eventLogFolder': path.join(ws.folder, 'history'),
      },
      env: {
        SPARK_E2E_RESULT: resultFile,
        SPARK_E2E_EXTENSIONS_DIR: path.join(dir, 'code-server', 'extensions'),
        SPARK_E2E_LOGS_DIR: path.join(dir, 'code-server', 'user-data', 'logs'),
        SPARK_E2E_HISTORY_DB: ws.historyDatabase,
      },
    });
    server.prepare(VSIX);
    await server.start();
    browser = await Workbench.launch(path.join(dir, 'browser-home'));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('every extension-host test passes (diagnostics, hover, code lens, inlay hints, workload analysis, completion, quick fix, commands)', async () => {
    const page = await browser!.page();
    const suite = path.join(ROOT, 'build', 'test', 'e2e', 'suite', 'index.js');
    const run = await runExtensionTests(
      page,
      server.workbenchUrl(ws.folder, [
        ['extensionDevelopmentPath', server.remoteUri(path.join(ROOT, 'test', 'e2e', 'harness'))],
        ['extensionTestsPath', server.remoteUri(suite)],
        ['skipWelcome', 'true'],
      ]),
      240_000,
    );
    fs.writeFileSync(path.join(dir, 'mocha.log'), run.log.join('\n'));
    const result = JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8')) as {
      passed: string[];
      failed: { title: string; error: string }[];
    };
    assert.deepStrictEqual(result.failed, [], run.log.join('\n'));
    assert.strictEqual(run.exitCode, 0, run.log.join('\n'));
    assert.strictEqual(result.passed.length, 13, result.passed.join('\n'));
    assert.deepStrictEqual(browser!.blocked, []);
  });
});
