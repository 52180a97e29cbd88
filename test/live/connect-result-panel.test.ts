/**
 * The query result page (client/src/query/result-html.ts with its bundled script client/out/webview/query-result.js)
 * in a real browser: Debian's chromium driven by playwright-core. Outside VS Code there is no webview host, so the
 * page gets a stand-in `acquireVsCodeApi` (fakeVsCodeApi below: records what the page posts). The result is a real
 * one from the Spark Connect server of this test run, with a value that looks like HTML, and reaches the page as
 * the panel sends it: Spark's Arrow IPC bytes, which the page reads a page at a time.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { resultPanelHtml } from '../../client/src/query/result-html';
import { SparkConnectClient } from '../../server/src/connect/client';
import type { QueryResultPayload } from '../../shared/src/spark-query';
import { sharedConnectServer } from '../helpers/connect-server-process';
import { REPO_ROOT } from '../helpers/fixtures';

const SCRIPT = path.join(REPO_ROOT, 'client', 'out', 'webview', 'query-result.js');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

describe('query result page in chromium', function () {
  this.timeout(240_000);
  let browser: Browser;
  let page: Page;
  let result: QueryResultPayload;
  const HOSTILE = '<img src=x onerror="window.pwned=1">&amp;</td>';

  before(async function () {
    this.timeout(600_000); // the Spark JVM starts in 30 s on an idle machine, minutes on a busy one
    assert.ok(CHROMIUM, 'chromium is needed (Debian package chromium; scripts/setup.sh installs it)');
    const spark = await sharedConnectServer();
    const client = new SparkConnectClient({ url: spark.url });
    const r = await client.executeSql(
      `SELECT id, CASE WHEN id = 0 THEN '${HOSTILE.replace(/'/g, "\\'")}' ELSE concat('row ', id) END AS html, CAST(id AS DECIMAL(4,1)) AS d, NULL AS z FROM range(150)`,
    );
    await client.close();
    const arrowBase64 = r.batches.map((b) => Buffer.from(b).toString('base64'));
    result = {
      columns: r.columns,
      arrowBase64,
      rowCount: r.rowCount,
      elapsedMs: r.elapsedMs,
      operationId: r.operationId,
      appId: 'local-1795269812229',
    };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage();
    // fakeVsCodeApi: the webview host's API, recording posted messages.
    await page.addInitScript(
      'window.posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m) });',
    );
    const html = resultPanelHtml('bm9uY2UxMjM0NTY3ODk=', 'http://webview.test/query-result.js');
    await page.route('http://webview.test/', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: html }),
    );
    await page.route('http://webview.test/query-result.js', (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: fs.readFileSync(SCRIPT, 'utf8') }),
    );
    await page.goto('http://webview.test/');
  });

  after(async () => {
    await browser?.close();
  });

  /** Sends a message to the page as the extension's webview.postMessage does. */
  function post(m: unknown): Promise<unknown> {
    return page.evaluate(`window.postMessage(${JSON.stringify(m)}, '*')`);
  }

  /** Sends a result as ResultPanel.result does: the Arrow IPC streams as bytes (Uint8Array), not rows. */
  function postResult(r: QueryResultPayload): Promise<unknown> {
    const { arrowBase64, ...meta } = r;
    return page.evaluate(
      ([m, b64]) => {
        const arrow = b64.map((b) => Uint8Array.from(atob(b), (c) => c.charCodeAt(0)));
        // Runs in the page (the test's tsconfig has no DOM types).
        (globalThis as unknown as { postMessage(m: unknown, origin: string): void }).postMessage(
          { type: 'result', title: 't', sql: 'SELECT ...', result: { ...m, arrow } },
          '*',
        );
      },
      [meta, arrowBase64] as const,
    );
  }

  it('shows columns with Spark types, values as text (HTML not interpreted), and pages of 100 rows', async () => {
    await postResult(result);
    await page.waitForSelector('table');
    const headers = await page.$$eval('th', (ths) => ths.map((t) => t.textContent));
    assert.deepStrictEqual(headers, ['idbigint', 'htmlstring', 'ddecimal(4,1)', 'zvoid']);
    const firstRow = await page.$$eval('tbody tr:first-child td', (tds) => tds.map((t) => t.textContent));
    assert.deepStrictEqual(firstRow, ['0', HOSTILE, '0.0', 'NULL']);
    assert.strictEqual(await page.$$eval('tbody img', (x) => x.length), 0);
    assert.strictEqual(await page.evaluate('window.pwned'), undefined);
    assert.strictEqual(await page.$$eval('tbody tr', (x) => x.length), 100);
    assert.strictEqual(await page.textContent('#page'), 'Page 1 of 2');
    assert.strictEqual(await page.isVisible('#pager'), true);
    assert.match((await page.textContent('#summary')) ?? '', /^150 row\(s\), 4 column\(s\) in \d+\.\d\d s$/);
    await page.click('#next');
    assert.strictEqual(await page.$$eval('tbody tr', (x) => x.length), 50);
    assert.deepStrictEqual(await page.$$eval('tbody tr:last-child td', (tds) => tds.map((t) => t.textContent)), [
      '149',
      'row 149',
      '149.0',
      'NULL',
    ]);
  });

  it('posts copy/save with the CSV/JSON of all rows made from the Arrow batches, and open-analysis', async () => {
    await page.click('#copy-csv');
    await page.click('#save-json');
    await page.click('#analysis');
    const posted =
      await page.evaluate<{ command: string; format?: string; text?: string; rowCount?: number; appId?: string }[]>(
        'window.posted',
      );
    assert.deepStrictEqual(
      posted.map((p) => [p.command, p.format ?? p.appId, p.rowCount]),
      [
        ['copy', 'csv', 150],
        ['save', 'json', 150],
        ['openAnalysis', 'local-1795269812229', undefined],
      ],
    );
    const csv = (posted[0].text ?? '').split('\r\n');
    // Header, 150 rows, and the empty string after the last CRLF; the HTML value is quoted (it has quotes), NULL is empty.
    assert.strictEqual(csv.length, 152);
    assert.strictEqual(csv[0], 'id,html,d,z');
    assert.strictEqual(csv[1], `0,"${HOSTILE.replace(/"/g, '""')}",0.0,`);
    assert.strictEqual(csv[150], '149,row 149,149.0,');
    const json = JSON.parse(posted[1].text ?? '') as Record<string, unknown>[];
    assert.strictEqual(json.length, 150);
    assert.deepStrictEqual(json[149], { id: 149, html: 'row 149', d: '149.0', z: null });
  });

  it('shows an error with its class as text', async () => {
    await post({
      type: 'error',
      title: 't',
      sql: 'SELECT x',
      message: '<b>bad</b>',
      errorClass: 'UNRESOLVED_COLUMN.WITH_SUGGESTION',
      sqlState: '42703',
    });
    assert.strictEqual(
      await page.textContent('pre.error'),
      '[UNRESOLVED_COLUMN.WITH_SUGGESTION] SQLSTATE 42703\n<b>bad</b>',
    );
    assert.strictEqual(await page.$$eval('#copy-csv:disabled', (x) => x.length), 1);
    // No pager and no analysis button for an error (the pager is nav { display: flex }, which [hidden] must beat).
    assert.strictEqual(await page.isVisible('#pager'), false);
    assert.strictEqual(await page.isVisible('#analysis'), false);
  });

  it('shows a cancellation as such, not as a failure', async () => {
    await post({
      type: 'cancelled',
      title: 't',
      sql: 'SELECT 1',
      message: 'Cancelled: Spark was asked to interrupt the query.',
    });
    assert.strictEqual(await page.textContent('#summary'), 'Cancelled');
    assert.strictEqual(await page.textContent('pre.error'), 'Cancelled: Spark was asked to interrupt the query.');
    assert.strictEqual(await page.isVisible('#pager'), false);
  });

  it('its Content-Security-Policy blocks network requests and scripts without the nonce', async () => {
    const violations = await page.evaluate(`(async () => {
      const seen = [];
      document.addEventListener('securitypolicyviolation', (e) => seen.push(e.violatedDirective));
      const fetched = await fetch('http://webview.test/other').then(() => 'loaded', (e) => e.name);
      const s = document.createElement('script');
      s.textContent = 'window.injected = 1';
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 100));
      return { fetched, injected: window.injected, seen };
    })()`);
    assert.deepStrictEqual(violations, {
      fetched: 'TypeError',
      injected: undefined,
      seen: ['connect-src', 'script-src-elem'],
    });
  });
});
