/**
 * UI test: "Spark: Collect History from Object Storage" in a real VS Code workbench (code-server + headless chromium
 * through playwright-core) with the packaged VSIX and an EMPTY history store, against a real S3-compatible server:
 * moto's server mode on 127.0.0.1 (test/helpers/loopback-server.ts) holding the 9 real example runs of
 * examples/history under `s3://BUCKET/spark-events`. The endpoint is the user setting
 * `sparkOptimizer.objectStore.endpointUrl`; the credentials are only in code-server's environment (moto's test keys),
 * which the extension host and its language server inherit, as a user's shell would pass them. The command is run from
 * the palette, the URL typed in its input box; the summary notification and the status bar show the 9 runs
 * (examples/history/README.md); run again, the box offers the same URL and nothing new is stored.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { openExplorerFile, screenshot, Workbench } from '../lib/browser';
import { ARTIFACTS, CodeServer, VSIX } from '../lib/code-server';
import { prepareExampleWorkspace, type ExampleWorkspace } from '../lib/workspace';
import { EXAMPLE_HISTORY } from '../../helpers/fixtures';
import { motoServer } from '../../helpers/loopback-server';
import { filesBelow, pool } from '../../helpers/object-store-fixtures';

const BUCKET = 'e2e-event-logs';
const URL = `s3://${BUCKET}/spark-events`;

describe('UI: collect history from object storage (playwright + chromium, moto on 127.0.0.1)', function () {
  this.timeout(300_000);
  const dir = path.join(ARTIFACTS, 'ui-object-storage');
  const shots = path.join(ARTIFACTS, 'screenshots');
  const moto = motoServer();
  let server: CodeServer;
  let browser: Workbench | undefined;
  let page: Page;
  let ws: ExampleWorkspace;

  before(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await moto.start();
    const client = new S3Client({
      endpoint: moto.url,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    try {
      await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
      await pool(filesBelow(EXAMPLE_HISTORY), 8, async (rel) => {
        await client.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: `spark-events/${rel}`,
            Body: fs.readFileSync(path.join(EXAMPLE_HISTORY, rel)),
          }),
        );
      });
    } finally {
      client.destroy();
    }
    ws = prepareExampleWorkspace(path.join(dir, 'ws'));
    const emptyStore = path.join(dir, 'empty-store', 'history.db');
    fs.mkdirSync(path.dirname(emptyStore), { recursive: true });
    server = new CodeServer({
      dir: path.join(dir, 'code-server'),
      userSettings: {
        'sparkOptimizer.historyDatabase': emptyStore,
        'sparkOptimizer.objectStore.endpointUrl': moto.url,
      },
      // moto accepts any key pair; these are not secrets. No profile files, no instance metadata to wait for.
      env: {
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    server.prepare(VSIX);
    await server.start();
    browser = await Workbench.launch(path.join(dir, 'browser-home'));
    page = await browser.page();
    await page.goto(server.workbenchUrl(ws.folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    // The extension activates on a Spark file's language (package.json activationEvents); VS Code 1.117 happened to
    // activate it without one, 1.103 (the oldest the engines field allows) does not.
    await openExplorerFile(page, 'nightly_etl.py');
    await page.locator('.statusbar-item', { hasText: 'Spark: 0 runs' }).waitFor({ timeout: 120_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await moto.stop();
  });

  /** Runs the command from the palette and waits for its URL box. */
  async function openUrlBox(): Promise<ReturnType<Page['locator']>> {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('>Spark: Collect History from Object Storage');
    await page
      .locator('.quick-input-widget .monaco-list-row', { hasText: 'Collect History from Object Storage' })
      .first()
      .waitFor();
    await page.keyboard.press('Enter');
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: 'Spark event logs in object storage' })
      .waitFor();
    return input;
  }

  it('collects the 9 example runs from s3://… typed in the box, with progress and a summary', async () => {
    const input = await openUrlBox();
    await input.fill(URL);
    await screenshot(page, shots, 'object-storage-01-url');
    await page.keyboard.press('Enter');
    const summary = page.locator('.notification-toast', {
      hasText: `Spark history from ${URL}: 9 new, 0 updated, 0 unchanged, 0 failed. 9 applications stored.`,
    });
    await summary.waitFor({ timeout: 120_000 });
    await page.locator('.statusbar-item', { hasText: 'Spark: 9 runs' }).waitFor({ timeout: 90_000 });
    await screenshot(page, shots, 'object-storage-02-summary');
  });

  it('offers the same URL again in this workspace, and the second collection stores nothing new', async () => {
    const input = await openUrlBox();
    // The box holds the URL remembered for the workspace; accepting it collects again.
    const deadline = Date.now() + 30_000;
    while ((await input.inputValue()) !== URL) {
      if (Date.now() > deadline) throw new Error(`the box holds ${await input.inputValue()}, not ${URL}`);
      await page.waitForTimeout(250); // poll interval of this state wait
    }
    await input.press('Enter');
    await page
      .locator('.notification-toast', {
        hasText: `Spark history from ${URL}: 0 new, 0 updated, 9 unchanged, 0 failed. 9 applications stored.`,
      })
      .waitFor({ timeout: 120_000 });
    // The workbench itself asked no host but loopback.
    assert.deepStrictEqual(browser!.blocked, []);
  });
});
