/**
 * UI test: the editor on a team's service (issue 16 item 5) in a real VS Code workbench (code-server + headless
 * chromium) with the packaged VSIX. A real `spark-optimizer serve` (the built CLI bundle, 127.0.0.1) holds the runs of
 * examples/history; the editor's own store is EMPTY, and only `sparkOptimizer.service.url` is in the user settings:
 *  - without a token the service answers 401: one warning says so and names the command, the status bar counts the
 *    empty local store (0 runs);
 *  - the token typed into "Spark: Set Team Service Token" (a password box; SecretStorage) restarts the server on the
 *    service: the status bar counts the service's 9 runs, and nightly_etl.py gets the spark.executor.memory
 *    diagnostic that the local store gives in ui/workbench.e2e.ts (same text: same engine, same runs).
 * Screenshots: test-artifacts/e2e/screenshots/team-service-*.png.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { BUILT_CLI } from '../../helpers/fixtures';
import { signalProcessGroup, untrackProcessGroup } from '../../helpers/process-groups';
import { startServe, type ServeProcess } from '../../helpers/serve-process';
import { openExplorerFile, screenshot, typeCommand, Workbench } from '../lib/browser';
import { ARTIFACTS, CodeServer, VSIX } from '../lib/code-server';
import { prepareExampleWorkspace } from '../lib/workspace';

/** The diagnostic of ui/workbench.e2e.ts on the same runs (test/recommend.test.ts has its text). */
const MEMORY_MESSAGE_START =
  'spark.executor.memory: 1g → 2g. 2 of 2 runs of nightly_etl spilled 72.5 MiB to disk with 1g executors';

describe('UI: the editor on the team service (sparkOptimizer.service.url)', function () {
  this.timeout(300_000);
  const dir = path.join(ARTIFACTS, 'team-service');
  const shots = path.join(ARTIFACTS, 'screenshots');
  let serve: ServeProcess | undefined;
  let server: CodeServer | undefined;
  let browser: Workbench | undefined;
  let page: Page;
  let token: string;

  before(async function () {
    this.timeout(600_000);
    fs.rmSync(dir, { recursive: true, force: true });
    // The service's store: examples/history collected by the CLI (9 runs).
    const ws = prepareExampleWorkspace(path.join(dir, 'ws'));
    const t = spawnSync(
      process.execPath,
      [BUILT_CLI, 'token', 'create', '--scope', 'read', '--name', 'e2e', '--db', ws.historyDatabase],
      { encoding: 'utf8' },
    );
    assert.strictEqual(t.status, 0, t.stderr);
    token = t.stdout.trim();
    serve = await startServe(['--db', ws.historyDatabase]);
    const emptyStore = path.join(dir, 'empty-store', 'history.db');
    fs.mkdirSync(path.dirname(emptyStore), { recursive: true });
    server = new CodeServer({
      dir: path.join(dir, 'code-server'),
      userSettings: {
        'sparkOptimizer.historyDatabase': emptyStore,
        // No token here: typed into "Spark: Set Team Service Token" (SecretStorage).
        'sparkOptimizer.service.url': serve.base,
        'workbench.colorTheme': 'Default Dark Modern',
        'editor.fontSize': 14,
      },
    });
    server.prepare(VSIX);
    await server.start();
    browser = await Workbench.launch(path.join(dir, 'browser-home'));
    page = await browser.page();
    await page.goto(server.workbenchUrl(ws.folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    await server?.stop();
    if (serve && serve.child.exitCode === null) signalProcessGroup(serve.child, 'SIGKILL');
    if (serve) untrackProcessGroup(serve.child);
  });

  it('without a token: one warning (401, names the command), the empty local store answers', async () => {
    await openExplorerFile(page, 'nightly_etl.py');
    const warning = page.locator('.notifications-toasts .notification-toast', {
      hasText: `The team service at ${serve!.base} answered 401`,
    });
    await warning.first().waitFor({ timeout: 120_000 });
    assert.match(await warning.first().innerText(), /Set Team Service Token/);
    await page.locator('.statusbar-item', { hasText: 'Spark: 0 runs' }).waitFor({ timeout: 60_000 });
    await screenshot(page, shots, 'team-service-01-no-token');
  });

  it('"Spark: Set Team Service Token" stores the token; the service\'s 9 runs and its diagnostic appear', async () => {
    await typeCommand(page, 'Spark: Set Team Service Token');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Team service token' }).waitFor();
    const input = page.locator('.quick-input-widget input');
    assert.strictEqual(await input.getAttribute('type'), 'password');
    await input.fill(token);
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
    await page.locator('.statusbar-item', { hasText: 'Spark: 9 runs' }).waitFor({ timeout: 120_000 });
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'attached', timeout: 120_000 });
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: MEMORY_MESSAGE_START });
    await row.first().waitFor({ timeout: 60_000 });
    assert.ok((await row.first().innerText()).includes('(app-20261121121849-0003)'));
    await screenshot(page, shots, 'team-service-02-diagnostic-from-service');
  });
});
