/**
 * Collections on the team service started from the editor (issue 16 items 3 and 5, issue 17 item 1: "a command in the
 * palette"), over stdio against the BUILT language server in service mode and a real `spark-optimizer serve` (the CLI
 * bundle, own process on a loopback port) on a real SQLite store, with one configured event-log source: a copy of
 * examples/history (9 real runs: nightly_etl 0000-0004, skewed_join 0005-0006, tiny_tasks 0007-0008,
 * examples/history/README.md).
 *
 * The service's store starts with the 4 runs of skewed_join and tiny_tasks only (collected by the CLI from a folder of
 * those logs), so nightly_etl has no run. Through the language server's requests: the source is listed; a collection is
 * started and followed to its end with progress; the 5 nightly_etl runs are then what the editor shows (workload list,
 * workload analysis, republished diagnostics); a read-only token gets the 403 with the scope it needs; a collection
 * already running (409) is followed instead of started. Unit tier, like test/lsp-team-service.test.ts.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import { requestErrorText } from '../client/src/remedies';
import { SqliteServiceStore } from '../server/src/store/sqlite-service-store';
import {
  ListWorkloadsRequest,
  RequestErrorCodes,
  SERVICE_TOKEN_ENV,
  StoreInfoRequest,
  TeamServiceCollectProgressNotification,
  TeamServiceCollectRequest,
  TeamServiceSourcesRequest,
  WorkloadAnalysisRequest,
  type TeamServiceCollection,
} from '../shared/src/protocol';
import { BUILT_CLI, EXAMPLE_HISTORY, NIGHTLY_ETL_PY } from './helpers/fixtures';
import { LspClient, messageText, poll } from './helpers/lsp-client';
import { signalProcessGroup, untrackProcessGroup } from './helpers/process-groups';
import { startServe, type ServeProcess } from './helpers/serve-process';

const NOW = '2026-12-01T00:00:00Z';

/** The example runs by workload (examples/history/README.md). */
const NIGHTLY_ETL = [
  'app-20261121121550-0000',
  'app-20261121121652-0001',
  'app-20261121121748-0002',
  'app-20261121121849-0003',
  'app-20261121121947-0004',
];
const OTHERS = [
  'app-20261121122041-0005',
  'app-20261121122131-0006',
  'app-20261121122226-0007',
  'app-20261121122321-0008',
];

/**
 * A language server in service mode with `token`, keeping what it publishes and the collection progress it sends. Its
 * background check of the service (every `retryMs`) is put off for the test's length, so what the editor shows after a
 * collection comes from the request's own invalidation, not from that check or the 1 s recheck of a later request.
 */
async function startEditor(db: string, url: string, token: string) {
  const diagnostics = new Map<string, Diagnostic[]>();
  const progress: { collection: TeamServiceCollection; alreadyRunning: boolean }[] = [];
  const lsp = await LspClient.start({
    configuration: () => ({}),
    rootUri: null,
    capabilities: { workspace: { configuration: true } },
    historyDatabase: db,
    initializationOptions: { service: { url, retryMs: 600_000 } },
    env: { ...process.env, SPARK_OPTIMIZER_NOW: NOW, [SERVICE_TOKEN_ENV]: token },
    onNotification: {
      'textDocument/publishDiagnostics': (p: { uri: string; version?: number; diagnostics: Diagnostic[] }) =>
        diagnostics.set(`${p.uri}#${p.version ?? ''}`, p.diagnostics),
      [TeamServiceCollectProgressNotification.method]: (p: TeamServiceCollectProgressNotification.Params) =>
        progress.push(p),
    },
  });
  return { lsp, diagnostics, progress };
}

describe('editor in service mode: collections on the team service (built server and CLI, real serve and SQLite)', function () {
  this.timeout(180_000);
  const uri = pathToFileURL(NIGHTLY_ETL_PY).toString();
  const text = fs.readFileSync(NIGHTLY_ETL_PY, 'utf8');
  const memoryLine = text.split('\n').findIndex((l) => l.includes('spark.executor.memory'));
  let tmp: string;
  let logs: string;
  let serviceDb: string;
  let serve: ServeProcess;
  let collector: Awaited<ReturnType<typeof startEditor>>;
  let reader: Awaited<ReturnType<typeof startEditor>>;

  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [BUILT_CLI, ...args], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const workloads = async (e: typeof collector) =>
    Object.fromEntries(
      (await e.lsp.conn.sendRequest(ListWorkloadsRequest.type)).map((w) => [w.appName, w.runs] as const),
    );
  const memoryDiagnostic = (d: Diagnostic[] | undefined) =>
    d?.find((x) => x.range.start.line === memoryLine && /spark\.executor\.memory/.test(messageText(x.message)));

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-editor-collect-'));
    logs = path.join(tmp, 'spark-events');
    fs.cpSync(EXAMPLE_HISTORY, logs, { recursive: true });
    const others = path.join(tmp, 'others');
    for (const app of OTHERS)
      fs.cpSync(path.join(EXAMPLE_HISTORY, `eventlog_v2_${app}`), path.join(others, `eventlog_v2_${app}`), {
        recursive: true,
      });
    serviceDb = path.join(tmp, 'service.db');
    cli(['collect', '--path', others, '--db', serviceDb]);
    const readToken = cli(['token', 'create', '--scope', 'read', '--name', 'alice-editor', '--db', serviceDb]);
    const collectToken = cli(['token', 'create', '--scope', 'collect', '--name', 'bob-editor', '--db', serviceDb]);
    const config = path.join(tmp, 'service.yaml');
    fs.writeFileSync(
      config,
      `collection:\n  schedule: false\nsources:\n  - { name: team-events, kind: event-logs, path: ${JSON.stringify(logs)} }\n`,
    );
    serve = await startServe(['--db', serviceDb, '--config', config], { SPARK_OPTIMIZER_NOW: NOW });
    collector = await startEditor(path.join(tmp, 'empty-b.db'), serve.base, collectToken);
    reader = await startEditor(path.join(tmp, 'empty-a.db'), serve.base, readToken);
  });

  after(async () => {
    await collector?.lsp.stop();
    await reader?.lsp.stop();
    if (serve && serve.child.exitCode === null) signalProcessGroup(serve.child, 'SIGKILL');
    if (serve) untrackProcessGroup(serve.child);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("lists the service's configured source: name, kind, folder as configured, no interval, never collected", async () => {
    const r = await reader.lsp.conn.sendRequest(TeamServiceSourcesRequest.type);
    assert.deepStrictEqual(r, {
      url: serve.base,
      sources: [{ name: 'team-events', kind: 'event-logs', location: logs, intervalMs: null, lastCollection: null }],
    });
  });

  it('collects the source on the service with progress; the 5 nightly_etl runs then show in the editor at once', async () => {
    // Before: the service holds the 4 runs of skewed_join and tiny_tasks; nightly_etl has none.
    assert.deepStrictEqual(await workloads(collector), { skewed_join: 2, tiny_tasks: 2 });
    await collector.lsp.conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text },
    });
    const first = await poll('diagnostics of version 1', () => collector.diagnostics.get(`${uri}#1`), 60_000);
    assert.strictEqual(memoryDiagnostic(first), undefined, 'no runs of nightly_etl yet: no memory recommendation');
    collector.diagnostics.clear();

    const r = await collector.lsp.conn.sendRequest(TeamServiceCollectRequest.type, { source: 'team-events' });
    assert.deepStrictEqual([r.alreadyRunning, r.stoppedFollowing], [false, false]);
    const c = r.collection;
    assert.deepStrictEqual(
      [c.source, c.sourceKind, c.trigger, c.state],
      ['team-events', 'event-logs', 'request', 'succeeded'],
    );
    // 9 logs listed and read (the CLI stored 4 of them from another folder: read, found the same, skipped), 5 stored.
    assert.deepStrictEqual(c.progress, {
      logsFound: 9,
      logsRead: 9,
      logsStored: 5,
      logsSkipped: 4,
      logsFailed: 0,
      applicationsStored: 5,
    });
    assert.deepStrictEqual([c.errors, c.errorsTotal], [[], 0]);
    // Progress: the collection as POST /api/v1/collect answered it (queued), then each change, the last one the end.
    const states = collector.progress.map((p) => p.collection.state);
    assert.strictEqual(states[0], 'queued', JSON.stringify(states));
    assert.ok(collector.progress.every((p) => p.collection.id === c.id && !p.alreadyRunning));
    assert.deepStrictEqual(collector.progress[collector.progress.length - 1].collection, c);

    // At once (no wait for the 1 s recheck): the workload list, the store facts and the analysis view have the runs.
    assert.deepStrictEqual(await workloads(collector), { nightly_etl: 5, skewed_join: 2, tiny_tasks: 2 });
    const info = await collector.lsp.conn.sendRequest(StoreInfoRequest.type);
    assert.deepStrictEqual([info.applications, info.workloads], [9, 3]);
    const view = await collector.lsp.conn.sendRequest(WorkloadAnalysisRequest.type, { appName: 'nightly_etl', uri });
    assert.deepStrictEqual(
      view?.runs.map((x) => x.appId),
      NIGHTLY_ETL,
    );
    // Diagnostics republished without an edit: the plan now raises spark.executor.memory 1g → 2g (test/engine.test.ts).
    const again = await poll(
      'diagnostics republished with the memory recommendation',
      () => memoryDiagnostic(collector.diagnostics.get(`${uri}#1`)),
      60_000,
    );
    assert.match(messageText(again.message), /2g/);
    // The service lists the source's newest collection.
    const listed = await reader.lsp.conn.sendRequest(TeamServiceSourcesRequest.type);
    assert.strictEqual(listed.sources[0].lastCollection?.id, c.id);
  });

  it('a read-only token gets 403 naming the scope collect, and the client adds how to create such a token', async () => {
    const e = await reader.lsp.conn.sendRequest(TeamServiceCollectRequest.type, { source: 'team-events' }).then(
      () => assert.fail('a read token started a collection'),
      (x: unknown) => x,
    );
    assert.ok(e instanceof ResponseError, String(e));
    assert.strictEqual(e.code, RequestErrorCodes.teamServiceFailed);
    assert.strictEqual(
      e.message,
      `The team service at ${serve.base} refused to start a collection of "team-events" (403): This request needs a token of scope collect; this token has scope read.`,
    );
    assert.deepStrictEqual(e.data, {
      url: serve.base,
      kind: 'unauthorized',
      status: 403,
      problemType: 'urn:spark-optimizer:problem:insufficient-scope',
      neededScope: 'collect',
    });
    assert.strictEqual(
      requestErrorText(e.message, e.code, e.data),
      `${e.message} To fix it: the token needs scope collect (which also reads): create one with "spark-optimizer token create --scope collect --name <you>" on the service's store (its administrator can), then store it with "Spark: Set Team Service Token".`,
    );
    assert.strictEqual(reader.progress.length, 0);
  });

  it('an unknown source is refused with the configured names', async () => {
    const e = await collector.lsp.conn.sendRequest(TeamServiceCollectRequest.type, { source: 'nope' }).then(
      () => assert.fail('collected an unknown source'),
      (x: unknown) => x,
    );
    assert.ok(e instanceof ResponseError);
    assert.match(e.message, /refused to start a collection of "nope" \(404\): .*configured: team-events\./);
    assert.deepStrictEqual(e.data, {
      url: serve.base,
      kind: 'rejected',
      status: 404,
      problemType: 'urn:spark-optimizer:problem:unknown-source',
    });
  });

  it('follows the collection already running (409) instead of starting one, to its end', async () => {
    // Another service instance on the same database holds the source's lease and runs collection `running` (done
    // here through a second store connection, as that instance would write it).
    const other = SqliteServiceStore.open(serviceDb);
    try {
      const t = Date.now();
      assert.strictEqual(await other.acquireLease('team-events', 'svc-b', t, 60_000, t), true);
      const run = {
        sourceName: 'team-events',
        sourceKind: 'event-logs',
        trigger: 'schedule' as const,
        state: 'running' as const,
        holder: 'svc-b',
        tokenId: null,
        requestedAtMs: t,
        startedAtMs: t,
        finishedAtMs: null,
        logsFound: 9,
        logsRead: 0,
        logsStored: 0,
        logsSkipped: 3,
        logsFailed: 0,
        applicationsStored: 0,
        errors: [],
        errorsTotal: 0,
      };
      const id = await other.createCollection(run);
      assert.strictEqual(await other.renewLease('team-events', 'svc-b', t, 60_000, id), true);
      collector.progress.length = 0;
      const pending = collector.lsp.conn.sendRequest(TeamServiceCollectRequest.type, { source: 'team-events' });
      await poll('the running collection followed', () => (collector.progress.length > 0 ? true : undefined), 30_000);
      assert.deepStrictEqual(
        collector.progress.map((p) => [p.collection.id, p.collection.state, p.alreadyRunning]),
        [[id, 'running', true]],
      );
      // That instance finishes: everything was stored already.
      await other.updateCollection({
        ...run,
        id,
        state: 'succeeded',
        finishedAtMs: Date.now(),
        logsSkipped: 9,
      });
      await other.releaseLease('team-events', 'svc-b', Date.now());
      const r = await pending;
      assert.deepStrictEqual(
        [r.alreadyRunning, r.stoppedFollowing, r.collection.id, r.collection.state],
        [true, false, id, 'succeeded'],
      );
      assert.deepStrictEqual(
        [r.collection.holder, r.collection.trigger, r.collection.progress.logsSkipped],
        ['svc-b', 'schedule', 9],
      );
    } finally {
      await other.close();
    }
  });
});
