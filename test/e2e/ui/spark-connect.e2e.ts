/**
 * UI test: Spark SQL on a REAL Spark Connect server (Spark 4.3.0's SparkConnectServer from pyspark, started by
 * test/helpers/connect-server-process.ts on 127.0.0.1 with a pre-shared token) from a real VS Code workbench
 * (code-server + headless chromium) with the packaged VSIX, as a user does it:
 *  - `sparkOptimizer.sparkConnect.url` (no token) in the user settings; the token typed into
 *    "Spark: Set Spark Connect Token" from the command palette (it goes to SecretStorage), after which the
 *    health check shows "Spark 4.3.0" in the status bar;
 *  - "Spark: Run Query" from the command palette on query.sql: the result panel (a webview) shows the columns with
 *    their Spark types, the cells (UTF-8 text, a decimal with its scale, HTML shown as text, NULL) and the summary;
 *  - "Run on Spark" from the code lens on bad.sql: Spark's error class in a notification and in the panel, and an
 *    error diagnostic on the table name (squiggle and Problems panel);
 *  - a long query cancelled from the progress notification's Cancel button: the panel says it was cancelled;
 *  - a MariaDB table (a real mariadbd, test/helpers/mariadb-process.ts) listed in `sparkOptimizer.sparkConnect.jdbcViews`
 *    with its password typed into "Spark: Set JDBC Password" (SecretStorage), read by a query as a temporary view.
 * Screenshots go to test-artifacts/e2e/screenshots/spark-connect-*.png (docs/images/spark-connect-result.png is a
 * copy of the result one).
 *
 * Expected values: Spark's own typing of the SQL below (1 → int, 'Zürich' → string, CAST(12.50 AS DECIMAL(5,2))
 * → decimal(5,2), kept by the UNION with NULL) and its error class for a missing table (TABLE_OR_VIEW_NOT_FOUND,
 * SQLSTATE 42P01, reported at the table name: columns 15-28 of `SELECT * FROM no_such_table`).
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { ConnectServerProcess } from '../../helpers/connect-server-process';
import { freePort } from '../../helpers/history-server-process';
import { MariaDbProcess } from '../../helpers/mariadb-process';
import { mariadbJdbcJar } from '../../helpers/spark-extras';
import { screenshot, Workbench } from '../lib/browser';
import { ARTIFACTS, CodeServer, VSIX } from '../lib/code-server';
import { prepareExampleWorkspace, type ExampleWorkspace } from '../lib/workspace';

const QUERY =
  "SELECT 1 AS id, 'Zürich' AS city, CAST(12.50 AS DECIMAL(5,2)) AS amount\nUNION ALL\nSELECT 2, '<b>x</b>', NULL\nORDER BY id\n";
const BAD_QUERY = 'SELECT * FROM no_such_table\n';
/** 50 billion rows: runs for minutes on local[2], so it is still running when Cancel is clicked. */
const LONG_QUERY = 'SELECT sum(id % 5) AS s FROM range(0, 50000000000, 1, 4)\n';
const JDBC_QUERY = 'SELECT id, customer FROM customers_e2e ORDER BY id\n';
const DB_PASSWORD = crypto.randomBytes(12).toString('hex');

describe('UI: Spark: Run Query against a real Spark Connect server', function () {
  this.timeout(300_000);
  const dir = path.join(ARTIFACTS, 'spark-connect');
  const shots = path.join(ARTIFACTS, 'screenshots');
  let spark: ConnectServerProcess | undefined;
  let db: MariaDbProcess | undefined;
  let server: CodeServer | undefined;
  let browser: Workbench | undefined;
  let page: Page;
  let ws: ExampleWorkspace;

  before(async function () {
    // The JVM start of the Spark Connect server takes 30-120 s on a busy machine.
    this.timeout(600_000);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    spark = new ConnectServerProcess(
      await freePort(),
      crypto.randomBytes(18).toString('hex'),
      path.join(dir, 'spark'),
      { 'spark.connect.progress.reportInterval': '300ms' },
      { jars: [mariadbJdbcJar()] },
    );
    const sparkStarted = spark.start();
    fs.mkdirSync(path.join(dir, 'mariadb'), { recursive: true });
    db = new MariaDbProcess(
      await freePort(),
      path.join(dir, 'mariadb'),
      [
        'CREATE DATABASE crm CHARACTER SET utf8mb4;',
        `CREATE USER 'viewer'@'127.0.0.1' IDENTIFIED BY '${DB_PASSWORD}';`,
        "GRANT SELECT ON crm.* TO 'viewer'@'127.0.0.1';",
        'CREATE TABLE crm.customers (id INT PRIMARY KEY, customer VARCHAR(40)) CHARACTER SET utf8mb4;',
        "INSERT INTO crm.customers VALUES (1, 'Zürich AG'), (2, 'Köln GmbH');",
        '',
      ].join('\n'),
    );
    const dbStarted = db.start();
    ws = prepareExampleWorkspace(path.join(dir, 'ws'));
    fs.writeFileSync(path.join(ws.folder, 'query.sql'), QUERY);
    fs.writeFileSync(path.join(ws.folder, 'bad.sql'), BAD_QUERY);
    fs.writeFileSync(path.join(ws.folder, 'long.sql'), LONG_QUERY);
    fs.writeFileSync(path.join(ws.folder, 'jdbc.sql'), JDBC_QUERY);
    server = new CodeServer({
      dir: path.join(dir, 'code-server'),
      userSettings: {
        'sparkOptimizer.historyDatabase': ws.historyDatabase,
        // No token in the URL: the user types it into "Spark: Set Spark Connect Token" (SecretStorage).
        'sparkOptimizer.sparkConnect.url': `sc://localhost:${spark.port}`,
        // No password here: typed into "Spark: Set JDBC Password" (SecretStorage).
        'sparkOptimizer.sparkConnect.jdbcViews': [
          {
            name: 'customers_e2e',
            url: `jdbc:mysql://127.0.0.1:${db.port}/crm?permitMysqlScheme`,
            dbtable: 'customers',
            user: 'viewer',
            options: { driver: 'org.mariadb.jdbc.Driver' },
          },
        ],
        'workbench.colorTheme': 'Default Dark Modern',
        'editor.fontSize': 14,
      },
    });
    server.prepare(VSIX);
    await server.start();
    await sparkStarted;
    await dbStarted;
    browser = await Workbench.launch(path.join(dir, 'browser-home'));
    page = await browser.page();
    await page.goto(server.workbenchUrl(ws.folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    await server?.stop();
    await spark?.stop();
    await db?.stop();
  });

  /** Opens a file of the workspace's top folder from the Explorer. */
  async function openFile(name: string): Promise<void> {
    await page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${name}"]`).first().click();
    await page.locator(`.tab.active[aria-label^="${name}"]`).waitFor();
    await page.locator('.monaco-editor .view-lines').first().waitFor();
  }

  /** Opens the command palette and types a command title; Enter is left to the caller. */
  async function typeCommand(title: string): Promise<void> {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: title }).first().waitFor();
  }

  /** The result panel's document (the webview's inner frame). */
  const resultView = () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

  it('stores the token with "Spark: Set Spark Connect Token"; the status bar shows the server\'s Spark version', async () => {
    // The extension activates on a .sql file.
    await openFile('query.sql');
    await typeCommand('Spark: Set Spark Connect Token');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Spark Connect token' }).waitFor();
    const input = page.locator('.quick-input-widget input');
    assert.strictEqual(await input.getAttribute('type'), 'password');
    await input.fill(spark!.token);
    await screenshot(page, shots, 'spark-connect-01-set-token');
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
    // The health check (AnalyzePlan SparkVersion) succeeds only with the right token.
    await page.locator('.statusbar-item', { hasText: 'Spark 4.3.0' }).waitFor({ timeout: 120_000 });
  });

  it('runs query.sql with "Spark: Run Query": the panel shows typed columns, the cells and the summary', async () => {
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await typeCommand('Spark: Run Query');
    await screenshot(page, shots, 'spark-connect-02-run-query-palette');
    await page.keyboard.press('Enter');
    const view = resultView();
    const summary = view.locator('#summary', { hasText: /^2 row\(s\), 3 column\(s\) in \d+\.\d\d s$/ });
    await summary.waitFor({ timeout: 180_000 });
    assert.deepStrictEqual(await view.locator('thead th').allTextContents(), [
      'idint',
      'citystring',
      'amountdecimal(5,2)',
    ]);
    assert.deepStrictEqual(await view.locator('thead th .type').allTextContents(), ['int', 'string', 'decimal(5,2)']);
    const rows = view.locator('tbody tr');
    assert.strictEqual(await rows.count(), 2);
    assert.deepStrictEqual(await rows.nth(0).locator('td').allTextContents(), ['1', 'Zürich', '12.50']);
    assert.deepStrictEqual(await rows.nth(1).locator('td').allTextContents(), ['2', '<b>x</b>', 'NULL']);
    // The HTML is text, not markup; the null is the panel's NULL cell, set apart by its class.
    assert.strictEqual(await view.locator('tbody b').count(), 0);
    assert.strictEqual(await rows.nth(1).locator('td').nth(2).getAttribute('class'), 'null');
    assert.strictEqual(await rows.nth(0).locator('td').nth(2).getAttribute('class'), 'num');
    assert.strictEqual(await view.locator('#sql').textContent(), QUERY.replace(/\n$/, ''));
    // One page of rows: no pager.
    assert.strictEqual(await view.locator('#pager').isVisible(), false);
    await page.locator('.tab', { hasText: 'Spark: SELECT 1 AS id' }).waitFor();
    await screenshot(page, shots, 'spark-connect-03-result');
  });

  it('runs bad.sql from the "Run on Spark" code lens: Spark\'s error class in a notification, the panel and a diagnostic on the table name', async () => {
    await openFile('bad.sql');
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Run on Spark' });
    await lens.first().waitFor({ timeout: 90_000 });
    await lens.first().click();
    const toast = page.locator('.notification-toast', { hasText: 'TABLE_OR_VIEW_NOT_FOUND' });
    await toast.first().waitFor({ timeout: 120_000 });
    assert.ok((await toast.first().innerText()).includes('no_such_table'), await toast.first().innerText());
    const view = resultView();
    await view.locator('#summary', { hasText: 'Query failed' }).waitFor();
    const error = (await view.locator('pre.error').textContent()) ?? '';
    assert.ok(error.startsWith('[TABLE_OR_VIEW_NOT_FOUND] SQLSTATE 42P01\n'), error);
    assert.ok(error.includes('`no_such_table`'), error);
    assert.strictEqual(await view.locator('#pager').isVisible(), false);
    // The squiggle covers "no_such_table" (columns 15-27 of line 1).
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 60_000 });
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'TABLE_OR_VIEW_NOT_FOUND' }).first();
    await row.waitFor();
    const text = await row.innerText();
    assert.ok(/\[Ln 1, Col 15\]/.test(text), text);
    assert.ok(text.includes('Spark'), text);
    await screenshot(page, shots, 'spark-connect-04-error');
  });

  it('cancels a long query from the progress notification: the panel says it was cancelled', async () => {
    await openFile('long.sql');
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await typeCommand('Spark: Run Query');
    await page.keyboard.press('Enter');
    const progress = page.locator('.notification-toast', { hasText: 'Running on Spark' }).first();
    // Wait for Spark's own progress (tasks started), so the query really runs on the server when cancelled.
    await page
      .locator('.notification-toast', { hasText: /tasks \d+\/4/ })
      .first()
      .waitFor({ timeout: 180_000 });
    await screenshot(page, shots, 'spark-connect-05-running');
    await progress.hover();
    await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await resultView()
      .locator('pre.error', { hasText: 'Cancelled: Spark was asked to interrupt the query.' })
      .waitFor({ timeout: 120_000 });
    assert.strictEqual(await resultView().locator('#summary').textContent(), 'Cancelled');
    await progress.waitFor({ state: 'detached', timeout: 60_000 });
    await screenshot(page, shots, 'spark-connect-06-cancelled');
    assert.deepStrictEqual(browser!.blocked, []);
  });

  it('reads a MariaDB table listed in jdbcViews, its password typed into "Spark: Set JDBC Password"', async () => {
    await openFile('jdbc.sql');
    await typeCommand('Spark: Set JDBC Password');
    await page.keyboard.press('Enter');
    // One view: no pick list, straight to the password box.
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'JDBC view customers_e2e' }).waitFor();
    const input = page.locator('.quick-input-widget input');
    assert.strictEqual(await input.getAttribute('type'), 'password');
    await input.fill(DB_PASSWORD);
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await typeCommand('Spark: Run Query');
    await page.keyboard.press('Enter');
    const view = resultView();
    await view
      .locator('#summary', { hasText: /^2 row\(s\), 2 column\(s\) in \d+\.\d\d s$/ })
      .waitFor({ timeout: 180_000 });
    assert.deepStrictEqual(await view.locator('thead th .type').allTextContents(), ['int', 'string']);
    const rows = view.locator('tbody tr');
    assert.deepStrictEqual(await rows.nth(0).locator('td').allTextContents(), ['1', 'Zürich AG']);
    assert.deepStrictEqual(await rows.nth(1).locator('td').allTextContents(), ['2', 'Köln GmbH']);
    await screenshot(page, shots, 'spark-connect-07-jdbc-view');
  });
});
