/**
 * The language server's composition root and wiring, over stdio on the built server (server/out/server.js): the
 * default store path it shares with the CLI, the error code and data of a store that cannot be opened, a document URI
 * with no local path, and the process-level error handlers (a handler that rejects or throws with nothing to catch
 * it: the server logs it and answers the next request).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import {
  CollectEventLogsRequest,
  RecordAppliedFixRequest,
  RequestErrorCodes,
  StoreInfoRequest,
  type StoreUnavailableData,
} from '../shared/src/protocol';
import { requestErrorText } from '../client/src/remedies';
import { BUILT_CLI, EXAMPLE_HISTORY, NIGHTLY_ETL_PY } from './helpers/fixtures';
import { LspClient, poll } from './helpers/lsp-client';

/** The environment without the store variables, plus `extra`. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('SPARK_OPTIMIZER_DB' in extra)) delete env.SPARK_OPTIMIZER_DB;
  if (!('XDG_DATA_HOME' in extra)) delete env.XDG_DATA_HOME;
  return env;
}

/** Runs in examples/history (examples/history/README.md, the generator's record of the runs). */
const EXAMPLE_RUNS = 9;

const start = (
  historyDatabase: string | null,
  env?: NodeJS.ProcessEnv,
  serverModule?: string,
  onNotification?: Record<string, (p: never) => void>,
) =>
  LspClient.start({
    configuration: () => ({}),
    rootUri: null,
    capabilities: { workspace: { configuration: true } },
    historyDatabase,
    env,
    serverModule,
    onNotification,
  });

describe('language server composition root (built server over stdio)', function () {
  this.timeout(90_000);
  let tmp: string;
  let lsp: LspClient | undefined;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-root-'));
  });
  afterEach(async () => {
    await lsp?.stop();
    lsp = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('without historyDatabase the server uses $XDG_DATA_HOME/spark-optimizer/history.db, the store the CLI uses', async () => {
    const xdg = path.join(tmp, 'xdg');
    const expected = path.join(xdg, 'spark-optimizer', 'history.db');
    const env = envWith({ XDG_DATA_HOME: xdg, HOME: path.join(tmp, 'home') });
    lsp = await start(null, env);
    const info = await lsp.conn.sendRequest(StoreInfoRequest.type);
    assert.strictEqual(info.path, expected);
    assert.ok(fs.existsSync(expected), 'the server created the store there');
    // The CLI, without --db, reads the same file.
    const cli = spawnSync(process.execPath, [BUILT_CLI, 'workloads'], { env, encoding: 'utf8' });
    assert.strictEqual(cli.status, 0, cli.stderr);
    assert.strictEqual(cli.stdout.trim().split('\n').pop(), `0 workload(s), 0 application(s) in ${expected}`);
  });

  it('a store that cannot be opened: collect and record-applied-fix answer storeUnavailable with its path and reason', async () => {
    const blocker = path.join(tmp, 'not-a-folder');
    fs.writeFileSync(blocker, 'a file where the store folder should be');
    const db = path.join(blocker, 'history.db');
    lsp = await start(db);
    const collect = await lsp.conn.sendRequest(CollectEventLogsRequest.type, { folder: EXAMPLE_HISTORY }).then(
      () => assert.fail('collect answered without a store'),
      (e: unknown) => e as ResponseError<StoreUnavailableData>,
    );
    assert.ok(collect instanceof ResponseError);
    assert.strictEqual(collect.code, RequestErrorCodes.storeUnavailable);
    assert.strictEqual(collect.data?.path, db);
    // mkdir of the store's folder fails: the file system's own words.
    assert.match(collect.data?.reason ?? '', /ENOTDIR|EEXIST/);
    assert.strictEqual(collect.message, `The history store ${db} could not be opened: ${collect.data?.reason}`);
    // The core names no output channel or setting; the VS Code client words the remedy.
    assert.doesNotMatch(collect.message, /output|sparkOptimizer\.|--db/);
    assert.match(
      requestErrorText(collect.message, collect.code, collect.data),
      /To use another, set sparkOptimizer\.historyDatabase/,
    );
    const fix = await lsp.conn
      .sendRequest(RecordAppliedFixRequest.type, {
        fixes: [
          {
            uri: pathToFileURL(NIGHTLY_ETL_PY).toString(),
            key: 'spark.executor.memory',
            oldValue: '4g',
            newValue: '8g',
            appName: null,
          },
        ],
      })
      .then(
        () => assert.fail('record answered without a store'),
        (e: unknown) => e as ResponseError<StoreUnavailableData>,
      );
    assert.deepStrictEqual([fix.code, fix.message], [RequestErrorCodes.storeUnavailable, collect.message]);
    // It still answers what needs no store.
    const info = await lsp.conn.sendRequest(StoreInfoRequest.type);
    assert.deepStrictEqual([info.path, info.applications], [db, 0]);
    assert.ok(
      lsp.serverLog.some((l) => l === collect.message),
      lsp.serverLog.join('\n'),
    );
  });

  it('a document whose file: URI has no local path (encoded "/", another host) is analysed without related files', async () => {
    lsp = await start(path.join(tmp, 'h.db'));
    const text = fs.readFileSync(NIGHTLY_ETL_PY, 'utf8');
    const uris = ['file:///tmp/a%2fb.py', 'file://otherhost/share/job.py'];
    for (const uri of uris)
      await lsp.conn.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'python', version: 1, text },
      });
    // The hover is answered from the analysis (before, the related-files lookup threw and the server ended).
    for (const uri of uris) {
      const hover: unknown = await lsp.conn.sendRequest('textDocument/hover', {
        textDocument: { uri },
        position: { line: 0, character: 0 },
      });
      assert.strictEqual(hover, null);
    }
    const info = await lsp.conn.sendRequest(StoreInfoRequest.type);
    assert.strictEqual(info.applications, 0);
    assert.ok(!lsp.serverLog.some((l) => /nothing caught it/.test(l)), lsp.serverLog.join('\n'));
  });
});

describe('language server process-level error handlers (built wiring plus two failing handlers)', function () {
  this.timeout(90_000);
  // build/test/helpers/server-with-failing-handlers.js: server.ts's startLanguageServer plus test-only notifications.
  const module = path.join(__dirname, 'helpers', 'server-with-failing-handlers.js');
  let tmp: string;
  let lsp: LspClient | undefined;
  /** The server's window/logMessage messages (type 1 = Error). */
  const logged: { type: number; message: string }[] = [];
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-faults-'));
    lsp = await start(path.join(tmp, 'h.db'), undefined, module, {
      'window/logMessage': (p: { type: number; message: string }) => void logged.push(p),
    });
  });
  after(async () => {
    await lsp?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a handler whose promise rejects with nothing to catch it: the server logs it with its stack and answers the next request', async () => {
    const c = lsp!;
    const marker = 'test fault: a handler rejected with nothing to catch it';
    await c.conn.sendNotification('sparkOptimizerTest/rejectWithoutCatch', { marker });
    const entry = await poll('the logged rejection', () => logged.find((l) => l.message.includes(marker)));
    assert.strictEqual(entry.type, 1);
    assert.match(
      entry.message,
      new RegExp(`^A promise was rejected and nothing caught it: Error: ${marker}\\n {4}at failLater `),
    );
    const info = await c.conn.sendRequest(StoreInfoRequest.type);
    assert.deepStrictEqual([info.path, info.applications], [path.join(tmp, 'h.db'), 0]);
  });

  it('an exception thrown out of a timer callback: logged, and the server keeps serving (and collects)', async () => {
    const c = lsp!;
    const marker = 'test fault: thrown out of a timer';
    await c.conn.sendNotification('sparkOptimizerTest/throwFromTimer', { marker });
    const entry = await poll('the logged exception', () => logged.find((l) => l.message.includes(marker)));
    assert.strictEqual(entry.type, 1);
    assert.match(
      entry.message,
      new RegExp(`^An exception was thrown and nothing caught it: Error: ${marker}\\n {4}at Timeout`),
    );
    const summary = await c.conn.sendRequest(CollectEventLogsRequest.type, { folder: EXAMPLE_HISTORY });
    assert.deepStrictEqual(summary.failed, []);
    assert.strictEqual(summary.storedApplications, EXAMPLE_RUNS);
    assert.strictEqual(c.child.exitCode, null, 'the server is still running');
  });
});
