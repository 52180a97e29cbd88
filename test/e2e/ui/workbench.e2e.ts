/**
 * UI test: what a Spark engineer sees in a real VS Code workbench (code-server + headless chromium through
 * playwright-core), with the packaged VSIX installed and an EMPTY history store: run "Spark: Collect History
 * from Event Logs" from the command palette on the workspace's copy of examples/history and watch its
 * progress, then see the spark.executor.memory diagnostic on examples/nightly_etl.py in the editor and the
 * Problems panel, hover it, apply the quick fix from the light bulb, and open the workload-analysis view from the
 * code lens. Each step is saved as a screenshot in
 * test-artifacts/e2e/ui/ (the README's pictures in docs/images/ are copies of these).
 *
 * Expected values: examples/history/README.md (9 runs, of which the two 1g nightly_etl runs spilled 72.5 MiB)
 * and the recommendation text asserted in test/recommend.test.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { screenshot, Workbench } from '../lib/browser';
import { ARTIFACTS, CodeServer, VSIX } from '../lib/code-server';
import { prepareExampleWorkspace, type ExampleWorkspace } from '../lib/workspace';

const MEMORY_MESSAGE_START =
  'spark.executor.memory: 1g → 2g. 2 of 2 runs of nightly_etl spilled 72.5 MiB to disk with 1g executors';

describe('UI: the workbench with the extension (playwright + chromium)', function () {
  this.timeout(180_000);
  const dir = path.join(ARTIFACTS, 'ui');
  const shots = path.join(ARTIFACTS, 'screenshots');
  let server: CodeServer;
  let browser: Workbench | undefined;
  let page: Page;
  let ws: ExampleWorkspace;
  let emptyStore: string;

  before(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    ws = prepareExampleWorkspace(path.join(dir, 'ws'));
    emptyStore = path.join(dir, 'empty-store', 'history.db');
    fs.mkdirSync(path.dirname(emptyStore), { recursive: true });
    server = new CodeServer({
      dir: path.join(dir, 'code-server'),
      // A store that does not exist yet: the user's first collection fills it.
      userSettings: {
        'sparkOptimizer.historyDatabase': emptyStore,
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

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Opens a file of the workspace's top folder from the Explorer (Quick Open's file search is slow under load). */
  async function openFile(name: string): Promise<void> {
    await page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${name}"]`).first().click();
    await page.locator(`.tab.active[aria-label^="${name}"]`).waitFor();
    await page.locator('.monaco-editor .view-lines').first().waitFor();
  }

  /** Moves the cursor to line:column (1-based) with Go to Line, which also scrolls it into view. */
  async function goToLine(line: number, column: number): Promise<void> {
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`:${line}:${column}`);
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
  }

  /** Runs a command by its title from the command palette. */
  async function runCommand(title: string): Promise<void> {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
  }

  it('opens nightly_etl.py; the empty store gives no diagnostic yet', async () => {
    await openFile('nightly_etl.py');
    // The status-bar item of the extension reports the store: 0 runs.
    await page.locator('.statusbar-item', { hasText: 'Spark: 0 runs' }).waitFor({ timeout: 120_000 });
    assert.strictEqual(await page.locator('.monaco-editor .squiggly-warning').count(), 0);
    await screenshot(page, shots, '01-open-job-file');
  });

  it('runs "Spark: Collect History from Event Logs" from the command palette and shows its progress', async () => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('>Spark: Collect History from Event Logs');
    await page
      .locator('.quick-input-widget .monaco-list-row', { hasText: 'Collect History from Event Logs' })
      .first()
      .waitFor();
    await screenshot(page, shots, '02-command-palette');
    await page.keyboard.press('Enter');
    // VS Code's simple folder dialog (the workbench is remote): type the folder and accept it.
    const title = page.locator('.quick-input-widget .quick-input-title', { hasText: 'Folder of Spark event logs' });
    await title.waitFor();
    const folder = path.join(ws.folder, 'history');
    await input.fill(`${folder}/`);
    await page
      .locator('.quick-input-widget .monaco-list-row', { hasText: 'eventlog_v2_app-20261121121550-0000' })
      .first()
      .waitFor();
    // The dialog completes the path as it lists folders and, on a busy machine, can put back the parent it was
    // still listing: the button collects what the input says, so wait for the input to hold the folder (typing it
    // again if the dialog replaced it) before pressing it.
    const deadline = Date.now() + 60_000;
    while ((await input.inputValue()) !== `${folder}/`) {
      if (Date.now() > deadline) throw new Error(`the folder dialog holds ${await input.inputValue()}, not ${folder}/`);
      await input.fill(`${folder}/`);
      await page.waitForTimeout(250); // poll interval of this state wait
    }
    await screenshot(page, shots, '03-pick-event-log-folder');
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'Collect Spark event logs' }).click();
    // The cancellable progress notification, "N of 9 applications", then the summary.
    const progress = page.locator('.notification-toast', { hasText: 'Collecting Spark history' });
    await progress.waitFor({ timeout: 90_000 });
    await screenshot(page, shots, '04-collect-progress');
    const summary = page.locator('.notification-toast', {
      hasText: `Spark history from ${folder}: 9 new, 0 updated, 0 unchanged, 0 failed. 9 applications stored.`,
    });
    await summary.waitFor({ timeout: 120_000 });
    await page.locator('.statusbar-item', { hasText: 'Spark: 9 runs' }).waitFor({ timeout: 90_000 });
    await screenshot(page, shots, '05-collect-summary');
  });

  it('shows the diagnostic in the editor and the Problems panel', async () => {
    const squiggle = page.locator('.monaco-editor .squiggly-warning').first();
    await squiggle.waitFor({ state: 'attached', timeout: 120_000 });
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: MEMORY_MESSAGE_START });
    await row.first().waitFor();
    const text = await row.first().innerText();
    assert.ok(text.includes('(app-20261121121849-0003)'), text);
    assert.ok(/\[Ln 24, Col 39\]/.test(text), text);
    await screenshot(page, shots, '06-problems-panel');
  });

  it('hovers the setting: the runs and the recommendation', async () => {
    await goToLine(24, 39);
    const squiggle = page.locator('.monaco-editor .squiggly-warning').first();
    // The editor re-renders its decorations after the jump: poll until the squiggle has a box again.
    let box = await squiggle.boundingBox();
    for (const until = Date.now() + 30_000; box === null; box = await squiggle.boundingBox()) {
      if (Date.now() > until) throw new Error('the squiggle under spark.executor.memory never got a bounding box');
      await page.waitForTimeout(200); // poll interval of this state wait
    }
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'Runs of nightly_etl' }).first();
    // A mouse hover is sometimes never shown on a loaded machine (CI once waited 90 s for it): try the mouse, then the
    // keyboard's "Show or Focus Hover" on the cursor (which goToLine put on the value), in turns, for 90 s in all.
    for (let turn = 0, until = Date.now() + 90_000; ; turn++) {
      if (turn % 2 === 0) {
        await page.mouse.move(5, 400);
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      } else {
        await page.keyboard.press('Escape');
        await goToLine(24, 39);
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I');
      }
      try {
        await hover.waitFor({ timeout: 15_000 });
        break;
      } catch (e) {
        if (Date.now() > until) throw e;
      }
    }
    // textContent: the hover's run table may sit in a collapsed section that innerText leaves out.
    // The hover re-renders while its parts arrive (the diagnostic's part, then the server's): read it until both are in.
    let text = '';
    for (const until = Date.now() + 30_000; Date.now() < until; await page.waitForTimeout(200)) {
      text = (await hover.textContent({ timeout: 5_000 }).catch(() => null)) ?? '';
      if (text.includes(MEMORY_MESSAGE_START) && text.includes('spark.executor.memory = 2g')) break;
    }
    assert.ok(text.includes(MEMORY_MESSAGE_START), text);
    assert.ok(text.includes('spark.executor.memory = 2g'), text);
    await screenshot(page, shots, '07-hover');
    await page.mouse.move(5, 400);
    await page.keyboard.press('Escape');
  });

  it('opens the workload-analysis view from the code lens', async () => {
    // README: 5 nightly_etl runs, median 55.0 s, 3 of them spilled (512m and both 1g).
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: '5 runs · p50 55s · spilled in 3' });
    await lens.waitFor({ timeout: 90_000 });
    await lens.click();
    const view = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await view.locator('h1', { hasText: 'Spark workload nightly_etl' }).waitFor({ timeout: 120_000 });
    // The newest run (README: app-20261121121947-0004, 12:19:46, 49.5 s) is selected; its stage timeline is drawn.
    await view
      .locator('p', { hasText: '5 run(s) in the history store · showing run app-20261121121947-0004 (49.5 s)' })
      .first()
      .waitFor();
    await view.locator('canvas#stage-gantt').waitFor();
    const recommendations = await view.locator('section.rec h3').allInnerTexts();
    assert.ok(
      recommendations.some((t) => t.startsWith('spark.executor.memory = 2g')),
      recommendations.join(' | '),
    );
    await page.locator('.tab.active', { hasText: 'Spark workload nightly_etl' }).waitFor();
    await screenshot(page, shots, '08-workload-analysis');
    await runCommand('View: Close All Editors');
    await openFile('nightly_etl.py');
  });

  it('applies the quick fix from the light bulb', async () => {
    // Put the cursor in the value "1g" (line 24, column 39 as the Problems panel says): the light bulb appears.
    await goToLine(24, 40);
    const bulb = page.locator('.monaco-editor .lightBulbWidget').first();
    await bulb.waitFor({ timeout: 90_000 });
    await bulb.click();
    const menu = page.locator('.action-widget');
    const fix = menu.locator('.monaco-list-row', { hasText: 'Set spark.executor.memory to 2g' }).first();
    await fix.waitFor();
    // Keyboard, as a user would after clicking the bulb (a pointer block covers the menu right after it opens).
    const focused = menu.locator('.monaco-list-row.focused');
    for (
      let i = 0;
      i < 10 && !(await focused.innerText().catch(() => '')).includes('Set spark.executor.memory to 2g');
      i++
    ) {
      await page.keyboard.press('ArrowDown');
    }
    assert.ok((await focused.innerText()).includes('Set spark.executor.memory to 2g'));
    await screenshot(page, shots, '09-light-bulb-quick-fix');
    await page.keyboard.press('Enter');
    // (Not up to the closing parenthesis: an inlay hint is drawn between the value and it.)
    const line = page.locator('.monaco-editor .view-line', { hasText: '.config("spark.executor.memory", "2g"' });
    await line.waitFor();
    // The diagnostic goes: the runs with 2g and 4g did not spill.
    await page
      .locator('.markers-panel .monaco-list-row', { hasText: MEMORY_MESSAGE_START })
      .waitFor({ state: 'detached', timeout: 90_000 });
    await screenshot(page, shots, '10-after-quick-fix');
    assert.deepStrictEqual(browser!.blocked, []);
  });
});
