/**
 * Workspace Trust: a workspace that is NOT trusted names a History Server in its .vscode/settings.json
 * (sparkOptimizer.historyServer.url → a TCP listener started here on 127.0.0.1, which counts connections)
 * and sets collectOnStartup (also set in the user settings, since it is machine-scoped and VS Code ignores it
 * in workspace settings; so the startup collection really runs). code-server starts with workspace trust on
 * and no trust prompt, so the folder opens in restricted mode. Then:
 *  - the extension-host suite test/e2e/suite-restricted checks that VS Code withholds the URL
 *    (restrictedConfigurations), the diagnostic from the local store, and the restricted-mode notice in the log;
 *  - in the UI, "Spark: Collect History from History Server" from the command palette asks for a URL rather
 *    than using the workspace's;
 *  - the listener received 0 connections during all of it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { runExtensionTests, screenshot, Workbench } from '../lib/browser';
import { ARTIFACTS, CodeServer, ROOT, VSIX } from '../lib/code-server';
import { prepareExampleWorkspace, type ExampleWorkspace } from '../lib/workspace';

describe('restricted workspace: no connection to a History Server named in workspace settings', function () {
  this.timeout(300_000);
  const dir = path.join(ARTIFACTS, 'restricted');
  const shots = path.join(ARTIFACTS, 'screenshots');
  let server: CodeServer;
  let browser: Workbench | undefined;
  let listener: net.Server;
  let listenerUrl: string;
  const connections: string[] = [];
  let ws: ExampleWorkspace;

  before(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    listener = net.createServer((socket) => {
      connections.push(`${socket.remoteAddress}:${socket.remotePort}`);
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    listenerUrl = `http://127.0.0.1:${(listener.address() as net.AddressInfo).port}`;
    ws = prepareExampleWorkspace(path.join(dir, 'ws'), {
      'sparkOptimizer.historyServer.url': listenerUrl,
      'sparkOptimizer.collectOnStartup': true,
    });
    server = new CodeServer({
      dir: path.join(dir, 'code-server'),
      workspaceTrust: true,
      userSettings: {
        'sparkOptimizer.historyDatabase': ws.historyDatabase,
        'sparkOptimizer.collectOnStartup': true,
        'workbench.colorTheme': 'Default Dark Modern',
      },
      env: {
        SPARK_E2E_RESULT: path.join(dir, 'result.json'),
        SPARK_E2E_LOGS_DIR: path.join(dir, 'code-server', 'user-data', 'logs'),
        SPARK_E2E_LISTENER_URL: listenerUrl,
      },
    });
    server.prepare(VSIX);
    await server.start();
    browser = await Workbench.launch(path.join(dir, 'browser-home'));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((r) => listener.close(r));
  });

  it('extension-host tests: the URL withheld, diagnostics from the local store, the restricted-mode notice logged', async () => {
    const page = await browser!.page();
    const run = await runExtensionTests(
      page,
      server.workbenchUrl(ws.folder, [
        ['extensionDevelopmentPath', server.remoteUri(path.join(ROOT, 'test', 'e2e', 'harness'))],
        [
          'extensionTestsPath',
          server.remoteUri(path.join(ROOT, 'build', 'test', 'e2e', 'suite-restricted', 'index.js')),
        ],
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
    assert.strictEqual(result.passed.length, 3, result.passed.join('\n'));
    await page.close();
  });

  it('UI: restricted mode, the diagnostic, and the collect command does not use the workspace URL', async () => {
    const page = await browser!.page();
    await page.goto(server.workbenchUrl(ws.folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 120_000 });
    await page.locator('.explorer-folders-view .monaco-list-row[aria-label^="nightly_etl.py"]').first().click();
    const input = page.locator('.quick-input-widget input');
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'attached', timeout: 120_000 });
    await page.keyboard.press('F1');
    await input.waitFor();
    await input.fill('>Spark: Collect History from History Server');
    await page
      .locator('.quick-input-widget .monaco-list-row', { hasText: 'Collect History from History Server' })
      .first()
      .waitFor();
    await page.keyboard.press('Enter');
    // VS Code withholds the workspace's URL (restrictedConfigurations), so the command asks for one instead ...
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: 'Spark History Server URL' })
      .waitFor({ timeout: 90_000 });
    // ... and says why (client/src/ctx.ts collectFromHistoryServer's prompt in restricted mode).
    await page
      .locator('.quick-input-widget', { hasText: 'restricted mode: a URL in this workspace’s settings is not used' })
      .waitFor();
    await screenshot(page, shots, '11-restricted-workspace');
    await page.keyboard.press('Escape');
    assert.deepStrictEqual(browser!.blocked, []);
    await page.close();
  });

  it('the History Server named by the workspace received 0 connections', () => {
    assert.deepStrictEqual(connections, []);
  });
});
