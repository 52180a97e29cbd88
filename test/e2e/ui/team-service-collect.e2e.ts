/**
 * UI test: a collection on the team service started from the Command Palette (issue 16 items 3 and 5, issue 17 item 1)
 * in a real VS Code workbench (code-server + headless chromium) with the packaged VSIX. A real `spark-optimizer serve`
 * (the built CLI bundle, 127.0.0.1) on a SQLite store holding the 4 runs of skewed_join and tiny_tasks, with one
 * configured event-log source `team-events`: a copy of examples/history (9 runs, examples/history/README.md). The
 * editor's own store is empty; `sparkOptimizer.service.url` is set and a token of scope collect is typed into
 * "Spark: Set Team Service Token":
 *  - "Spark: Collect History from Event Logs" offers the team service's source first, beside "Collect into my local
 *    store only" and the sentence saying the local store is not what the editor shows in service mode;
 *  - "Spark: Collect History on the Team Service" picks the source, follows the collection, and ends with the counts
 *    (5 logs stored, 4 skipped, 5 applications); the status bar then counts the service's 9 runs, and the open
 *    nightly_etl.py gets the spark.executor.memory diagnostic of its new runs without an edit.
 * Screenshots: test-artifacts/e2e/screenshots/team-service-collect-*.png.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { BUILT_CLI, EXAMPLE_HISTORY } from '../../helpers/fixtures';
import { signalProcessGroup, untrackProcessGroup } from '../../helpers/process-groups';
import { startServe, type ServeProcess } from '../../helpers/serve-process';
import { openExplorerFile, screenshot, typeCommand, Workbench } from '../lib/browser';
import { ARTIFACTS, CodeServer, VSIX } from '../lib/code-server';
import { prepareExampleWorkspace } from '../lib/workspace';

/** The runs of skewed_join and tiny_tasks (examples/history/README.md): what the service's store starts with. */
const OTHERS = [
  'app-20261121122041-0005',
  'app-20261121122131-0006',
  'app-20261121122226-0007',
  'app-20261121122321-0008',
];

/** The diagnostic of ui/team-service.e2e.ts and ui/workbench.e2e.ts on the nightly_etl runs. */
const MEMORY_MESSAGE_START =
  'spark.executor.memory: 1g → 2g. 2 of 2 runs of nightly_etl spilled 72.5 MiB to disk with 1g executors';

describe('UI: collecting on the team service from the Command Palette', function () {
  this.timeout(300_000);
  const dir = path.join(ARTIFACTS, 'team-service-collect');
  const shots = path.join(ARTIFACTS, 'screenshots');
  let serve: ServeProcess | undefined;
  let server: CodeServer | undefined;
  let browser: Workbench | undefined;
  let page: Page;
  let token: string;

  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [BUILT_CLI, ...args], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    return r.stdout.trim();
  };

  before(async function () {
    this.timeout(600_000);
    fs.rmSync(dir, { recursive: true, force: true });
    const ws = prepareExampleWorkspace(path.join(dir, 'ws'));
    const events = path.join(dir, 'service', 'spark-events');
    fs.cpSync(EXAMPLE_HISTORY, events, { recursive: true });
    const others = path.join(dir, 'service', 'others');
    for (const app of OTHERS)
      fs.cpSync(path.join(EXAMPLE_HISTORY, `eventlog_v2_${app}`), path.join(others, `eventlog_v2_${app}`), {
        recursive: true,
      });
    const serviceDb = path.join(dir, 'service', 'history.db');
    cli(['collect', '--path', others, '--db', serviceDb]);
    token = cli(['token', 'create', '--scope', 'collect', '--name', 'e2e-editor', '--db', serviceDb]);
    const config = path.join(dir, 'service', 'service.yaml');
    fs.writeFileSync(
      config,
      `collection:\n  schedule: false\nsources:\n  - { name: team-events, kind: event-logs, path: ${JSON.stringify(events)} }\n`,
    );
    serve = await startServe(['--db', serviceDb, '--config', config]);
    const emptyStore = path.join(dir, 'empty-store', 'history.db');
    fs.mkdirSync(path.dirname(emptyStore), { recursive: true });
    server = new CodeServer({
      dir: path.join(dir, 'code-server'),
      userSettings: {
        'sparkOptimizer.historyDatabase': emptyStore,
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
    // The extension activates on a Spark file's language; then the token (SecretStorage) restarts it on the service.
    await openExplorerFile(page, 'nightly_etl.py');
    await page.locator('.statusbar-item', { hasText: /Spark: \d+ runs/ }).waitFor({ timeout: 120_000 });
    await typeCommand(page, 'Spark: Set Team Service Token');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Team service token' }).waitFor();
    const input = page.locator('.quick-input-widget input');
    await input.fill(token);
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
    await page.locator('.statusbar-item', { hasText: 'Spark: 4 runs' }).waitFor({ timeout: 120_000 });
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    await server?.stop();
    if (serve && serve.child.exitCode === null) signalProcessGroup(serve.child, 'SIGKILL');
    if (serve) untrackProcessGroup(serve.child);
  });

  it('"Spark: Collect History from Event Logs" offers the team service\'s source first, then the local store', async () => {
    await typeCommand(page, 'Spark: Collect History from Event Logs');
    await page.keyboard.press('Enter');
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await page
      .locator('.quick-input-widget .quick-input-title', {
        hasText: `The editor reads the team service ${serve!.base}`,
      })
      .waitFor({ timeout: 60_000 });
    await rows.first().waitFor();
    const labels = await rows.allInnerTexts();
    assert.strictEqual(labels.length, 2, JSON.stringify(labels));
    assert.match(labels[0], /Collect on the team service \(source team-events\)/);
    assert.match(labels[0], /event-logs: .*spark-events/);
    assert.match(labels[1], /Collect into my local store only/);
    assert.match(labels[1], /not the local store: runs collected only locally are not shown/);
    await screenshot(page, shots, 'team-service-collect-01-offered-first');
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  });

  it('"Spark: Collect History on the Team Service" collects the source there and ends with the counts', async () => {
    await typeCommand(page, 'Spark: Collect History on the Team Service');
    await page.keyboard.press('Enter');
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: 'Collect on the team service' })
      .waitFor({ timeout: 60_000 });
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'team-events' }).first().waitFor();
    await page.keyboard.press('Enter');
    const done = page.locator('.notifications-toasts .notification-toast', {
      hasText: /collection \d+ of "team-events" succeeded/,
    });
    await done.first().waitFor({ timeout: 120_000 });
    assert.match(
      await done.first().innerText(),
      /5 logs stored, 4 skipped \(already stored\), 0 failed of 9; 5 applications stored\./,
    );
    await page.locator('.statusbar-item', { hasText: 'Spark: 9 runs' }).waitFor({ timeout: 60_000 });
    // The open nightly_etl.py gets, without an edit, the diagnostic its 5 new runs give (ui/team-service.e2e.ts).
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'attached', timeout: 60_000 });
    await page.keyboard.press('Control+Shift+M');
    await page
      .locator('.markers-panel .monaco-list-row', { hasText: MEMORY_MESSAGE_START })
      .first()
      .waitFor({ timeout: 60_000 });
    await screenshot(page, shots, 'team-service-collect-02-done');
  });
});
