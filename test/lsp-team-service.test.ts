/**
 * Service mode of the editor (`sparkOptimizer.service.url`, issue 16 item 5) over stdio against the BUILT language
 * server and a real `spark-optimizer serve` (the CLI bundle, own process on a loopback port), both on the real runs of
 * examples/history (9 runs; nightly_etl 5: examples/history/README.md).
 *
 * The same document is opened in two language servers: one on a local store holding those runs, one in service mode on
 * an empty local store (so everything it knows comes from the service). Their diagnostics, hovers and code actions must
 * be equal. Then: an applied quick fix arrives at the service as feedback (read back through the service); the service
 * stopped gives one warning and answers from the (empty) local store; the service started again on the same port is
 * used again. Unit tier, like test/service.test.ts: Node processes on 127.0.0.1 only, no JVM.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { CodeAction, Diagnostic, Hover, MarkupContent } from 'vscode-languageserver-protocol/node';
import { teamServiceUrl } from '../server/src/history/team-service';
import {
  ListWorkloadsRequest,
  RecordAppliedFixRequest,
  SERVICE_TOKEN_ENV,
  StoreInfoRequest,
  WorkloadAnalysisRequest,
} from '../shared/src/protocol';
import { BUILT_CLI, EXAMPLE_HISTORY, NIGHTLY_ETL_PY } from './helpers/fixtures';
import { LspClient, messageText, poll } from './helpers/lsp-client';
import { signalProcessGroup, untrackProcessGroup } from './helpers/process-groups';
import { startServe, type ServeProcess } from './helpers/serve-process';

/** "Now" of every plan here, so confidences (which fall with the age of the newest run) are equal in both servers. */
const NOW = '2026-12-01T00:00:00Z';

/** A language server on `db` (service mode when `service` is given) that keeps what it publishes and shows. */
async function startEditor(
  db: string,
  service?: { url: string; token: string; retryMs: number },
): Promise<{ lsp: LspClient; diagnostics: Map<string, Diagnostic[]>; shown: { type: number; message: string }[] }> {
  const diagnostics = new Map<string, Diagnostic[]>();
  const shown: { type: number; message: string }[] = [];
  const lsp = await LspClient.start({
    configuration: () => ({}),
    rootUri: null,
    capabilities: { workspace: { configuration: true }, textDocument: { hover: { contentFormat: ['markdown'] } } },
    historyDatabase: db,
    initializationOptions: service ? { service: { url: service.url, retryMs: service.retryMs } } : {},
    // The token travels as the VS Code client sends it: in the server's environment, not in any LSP message.
    env: { ...process.env, SPARK_OPTIMIZER_NOW: NOW, ...(service ? { [SERVICE_TOKEN_ENV]: service.token } : {}) },
    // The server's warnings are window/showMessageRequest (VS Code shows them as notifications); kept with any plain
    // window/showMessage.
    onRequest: {
      'window/showMessageRequest': (p: { type: number; message: string }) => {
        shown.push({ type: p.type, message: p.message });
        return null;
      },
    },
    onNotification: {
      'textDocument/publishDiagnostics': (p: { uri: string; version?: number; diagnostics: Diagnostic[] }) =>
        diagnostics.set(`${p.uri}#${p.version ?? ''}`, p.diagnostics),
      'window/showMessage': (p: { type: number; message: string }) => shown.push(p),
    },
  });
  return { lsp, diagnostics, shown };
}

describe('editor in service mode: hovers, diagnostics and quick fixes from the team service (built server and CLI)', function () {
  this.timeout(180_000);
  const uri = pathToFileURL(NIGHTLY_ETL_PY).toString();
  const text = fs.readFileSync(NIGHTLY_ETL_PY, 'utf8');
  const lines = text.split('\n');
  const builderLine = lines.findIndex((l) => l.includes('SparkSession.builder'));
  const memoryLine = lines.findIndex((l) => l.includes('spark.executor.memory'));
  let tmp: string;
  let serviceDb: string;
  let token: string;
  let serve: ServeProcess;
  let port: number;
  let local: Awaited<ReturnType<typeof startEditor>>;
  let remote: Awaited<ReturnType<typeof startEditor>>;

  const collect = (db: string) => {
    const c = spawnSync(process.execPath, [BUILT_CLI, 'collect', '--path', EXAMPLE_HISTORY, '--db', db], {
      encoding: 'utf8',
    });
    assert.strictEqual(c.status, 0, c.stderr);
  };
  const open = async (e: typeof local, version: number, body = text) => {
    await e.lsp.conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version, text: body },
    });
    return poll(`diagnostics of version ${version}`, () => e.diagnostics.get(`${uri}#${version}`), 60_000);
  };
  const hover = (e: typeof local, line: number) =>
    e.lsp.conn.sendRequest<Hover | null>('textDocument/hover', {
      textDocument: { uri },
      position: { line, character: lines[line].search(/\S/) + 2 },
    });
  const actions = (e: typeof local) =>
    e.lsp.conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } },
      context: { diagnostics: [] },
    });
  const hoverText = (h: Hover | null) => (h ? (h.contents as MarkupContent).value : '');
  /** What the service's history-read route answers (the route the editor's client uses). */
  const serviceRead = async (read: string, args: unknown[]) => {
    const res = await fetch(`${serve.base}/api/v1/history/read`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ read, args }),
    });
    assert.strictEqual(res.status, 200, await res.clone().text());
    return ((await res.json()) as { value: unknown }).value;
  };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-editor-service-'));
    serviceDb = path.join(tmp, 'service.db');
    const localDb = path.join(tmp, 'local.db');
    collect(serviceDb);
    collect(localDb);
    const t = spawnSync(
      process.execPath,
      [BUILT_CLI, 'token', 'create', '--scope', 'read', '--name', 'editor', '--db', serviceDb],
      { encoding: 'utf8' },
    );
    assert.strictEqual(t.status, 0, t.stderr);
    token = t.stdout.trim();
    serve = await startServe(['--db', serviceDb], { SPARK_OPTIMIZER_NOW: NOW });
    port = Number(new URL(serve.base).port);
    local = await startEditor(localDb);
    remote = await startEditor(path.join(tmp, 'empty.db'), { url: serve.base, token, retryMs: 1000 });
  });

  after(async () => {
    await local?.lsp.stop();
    await remote?.lsp.stop();
    if (serve && serve.child.exitCode === null) signalProcessGroup(serve.child, 'SIGKILL');
    if (serve) untrackProcessGroup(serve.child);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('says which history is in use: 9 runs of 3 workloads from the service, the same from the local store', async () => {
    const fromService = await remote.lsp.conn.sendRequest(StoreInfoRequest.type);
    assert.deepStrictEqual(
      [fromService.applications, fromService.workloads, fromService.history],
      [9, 3, { kind: 'service', url: serve.base, serviceAnswers: true }],
    );
    const fromFile = await local.lsp.conn.sendRequest(StoreInfoRequest.type);
    assert.deepStrictEqual([fromFile.applications, fromFile.workloads, fromFile.history], [9, 3, { kind: 'local' }]);
  });

  it('diagnostics, hovers and code actions of nightly_etl.py are equal to those of the local store with the same runs', async () => {
    const [d1, d2] = await Promise.all([open(local, 1), open(remote, 1)]);
    assert.deepStrictEqual(d2, d1);
    // The plan raises spark.executor.memory 1g → 2g (test/engine.test.ts on the same runs).
    const memory = d1.find(
      (d) => d.range.start.line === memoryLine && /spark\.executor\.memory/.test(messageText(d.message)),
    );
    assert.ok(memory, JSON.stringify(d1));
    assert.match(messageText(memory.message), /2g/);
    for (const line of [builderLine, memoryLine]) {
      const [h1, h2] = [await hover(local, line), await hover(remote, line)];
      assert.deepStrictEqual(hoverText(h2), hoverText(h1));
    }
    assert.match(hoverText(await hover(remote, builderLine)), /nightly_etl/);
    assert.match(
      hoverText(await hover(remote, builderLine)),
      /^\*\*Spark workload nightly_etl\*\*: 5 run\(s\) in history/,
    );
    const [a1, a2] = [await actions(local), await actions(remote)];
    assert.deepStrictEqual(a2, a1);
    assert.ok(
      a2.some((a) => a.title.includes('spark.executor.memory') && JSON.stringify(a.edit).includes('2g')),
      JSON.stringify(a2.map((a) => a.title)),
    );
    assert.deepStrictEqual(remote.shown, []);
  });

  it('the workload list and the workload-analysis view are equal too (nightly_etl: 5 runs)', async () => {
    const [w1, w2] = await Promise.all([
      local.lsp.conn.sendRequest(ListWorkloadsRequest.type),
      remote.lsp.conn.sendRequest(ListWorkloadsRequest.type),
    ]);
    assert.deepStrictEqual(w2, w1);
    assert.deepStrictEqual(Object.fromEntries(w2.map((w) => [w.appName, w.runs])), {
      nightly_etl: 5,
      skewed_join: 2,
      tiny_tasks: 2,
    });
    const params = { appName: 'nightly_etl', uri };
    const [v1, v2] = await Promise.all([
      local.lsp.conn.sendRequest(WorkloadAnalysisRequest.type, params),
      remote.lsp.conn.sendRequest(WorkloadAnalysisRequest.type, params),
    ]);
    assert.ok(v1 && v2);
    assert.deepStrictEqual(v2, v1);
    assert.strictEqual(v2.runs.length, 5);
  });

  it('a job with no runs of its own gets the same first plan from the workloads on its spark.master in both modes', async () => {
    // The example runs all ran on spark://127.0.0.1:7077 (their SparkListenerEnvironmentUpdate), newest first:
    // tiny_tasks (app-…-0008), skewed_join (…-0006), nightly_etl (…-0004).
    assert.deepStrictEqual(await serviceRead('appNamesByMaster', ['spark://127.0.0.1:7077']), [
      'tiny_tasks',
      'skewed_join',
      'nightly_etl',
    ]);
    assert.deepStrictEqual(await serviceRead('appNamesByMaster', ['local[2]', 3]), []);
    const newUri = pathToFileURL(path.join(tmp, 'weekly_report.py')).toString();
    const body = [
      'from pyspark.sql import SparkSession',
      'spark = (',
      '    SparkSession.builder.appName("weekly_report")',
      '    .master("spark://127.0.0.1:7077")',
      '    .config("spark.executor.memory", "1g")',
      '    .getOrCreate()',
      ')',
      '',
    ].join('\n');
    const openNew = async (e: typeof local) => {
      await e.lsp.conn.sendNotification('textDocument/didOpen', {
        textDocument: { uri: newUri, languageId: 'python', version: 1, text: body },
      });
      return poll('diagnostics of weekly_report.py', () => e.diagnostics.get(`${newUri}#1`), 60_000);
    };
    const [d1, d2] = await Promise.all([openNew(local), openNew(remote)]);
    assert.deepStrictEqual(d2, d1);
    const hoverAt = (e: typeof local) =>
      e.lsp.conn.sendRequest<Hover | null>('textDocument/hover', {
        textDocument: { uri: newUri },
        position: { line: 2, character: 8 },
      });
    const [h1, h2] = [hoverText(await hoverAt(local)), hoverText(await hoverAt(remote))];
    assert.strictEqual(h2, h1);
    assert.match(h2, /^No runs of this workload in the history store yet \(looked for `weekly_report`\)\./);
    assert.match(
      h2.replace(/\\(.)/g, '$1'),
      /weekly_report has no runs of its own: the plan is predicted from 3 similar workload\(s\) in the store \(tiny_tasks, skewed_join, nightly_etl\)/,
    );
    for (const e of [local, remote])
      await e.lsp.conn.sendNotification('textDocument/didClose', { textDocument: { uri: newUri } });
  });

  it('an applied quick fix goes to the service as feedback (read back through the service), not to the local store', async () => {
    const fix = (await actions(remote)).find((a) => a.command?.command === 'sparkOptimizer.recordAppliedFix');
    assert.ok(fix?.command?.arguments, 'a quick fix that remembers itself');
    const fixes = fix.command.arguments[0] as RecordAppliedFixRequest.Fix[];
    assert.deepStrictEqual(
      fixes.map((f) => [f.appName, f.key, f.oldValue, f.newValue]),
      [['nightly_etl', 'spark.executor.memory', '1g', '2g']],
    );
    const r = await remote.lsp.conn.sendRequest(RecordAppliedFixRequest.type, { fixes });
    assert.strictEqual(r.ids.length, 1);
    const stored = (await serviceRead('appliedFixes', ['nightly_etl'])) as {
      id: number;
      key: string;
      oldValue: string;
      newValue: string;
      fileUri: string;
    }[];
    assert.deepStrictEqual(
      stored.map((f) => [f.id, f.key, f.oldValue, f.newValue, f.fileUri]),
      [[r.ids[0], 'spark.executor.memory', '1g', '2g', uri]],
    );
    const empty = spawnSync(process.execPath, [BUILT_CLI, 'workloads', '--db', path.join(tmp, 'empty.db')], {
      encoding: 'utf8',
    });
    assert.strictEqual(empty.status, 0, empty.stderr);
    assert.doesNotMatch(empty.stdout, /nightly_etl/);
  });

  it('service stopped: one warning naming it, answers from the local store; started again: the service is used again', async () => {
    const code = await new Promise<number | null>((resolve) => {
      serve.child.once('exit', (c) => resolve(c));
      process.kill(serve.child.pid as number, 'SIGTERM');
    });
    assert.strictEqual(code, 0);
    untrackProcessGroup(serve.child);
    // Within retryMs (1 s here) the server checks the service's history version, finds it gone and says so.
    await poll('the warning', () => (remote.shown.length > 0 ? true : undefined), 30_000);
    // A new version of the document is analysed on the empty local store: no plan, no run in the hover. (An analysis
    // worker may still answer from what it loaded within the last second (LoadedHistory's recheck), so new versions are
    // opened until one is analysed after the worker has seen the service gone.)
    let version = 1;
    const plan = (ds: Diagnostic[]) =>
      ds.some((x) => /spark\.executor\.memory/.test(messageText(x.message)) && /2g/.test(messageText(x.message)));
    const end = Date.now() + 30_000;
    for (;;) {
      await remote.lsp.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
      version++;
      if (!plan(await open(remote, version))) break;
      assert.ok(Date.now() < end, 'the local store never answered');
    }
    assert.doesNotMatch(hoverText(await hover(remote, builderLine)), /run\(s\) in history/);
    await remote.lsp.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    version++;
    await open(remote, version);
    await hover(remote, memoryLine);
    const warnings = remote.shown.filter((m) => m.type === 2);
    assert.strictEqual(warnings.length, 1, JSON.stringify(remote.shown));
    assert.match(
      warnings[0].message,
      new RegExp(
        `^The team service at ${serve.base.replace(/[.]/g, '\\.')} is not reachable \\(ECONNREFUSED\\)\\. Using the local history store`,
      ),
    );
    assert.ok(!remote.lsp.serverLog.join('\n').includes(token), 'the token appears in the server log');
    const info = await remote.lsp.conn.sendRequest(StoreInfoRequest.type);
    assert.deepStrictEqual(
      [info.applications, info.history],
      [0, { kind: 'service', url: serve.base, serviceAnswers: false }],
    );

    serve = await startServe(['--db', serviceDb, '--port', String(port)], { SPARK_OPTIMIZER_NOW: NOW });
    assert.strictEqual(Number(new URL(serve.base).port), port);
    // The server tries again within retryMs (1 s here) and re-publishes the open document's diagnostics.
    await poll(
      'the service used again',
      () => (remote.lsp.serverLog.some((l) => /answers again/.test(l)) ? true : undefined),
      30_000,
    );
    const again = await poll(
      'diagnostics with the plan again',
      () => {
        const ds = remote.diagnostics.get(`${uri}#${version}`);
        return ds?.some((x) => /spark\.executor\.memory/.test(messageText(x.message))) ? ds : undefined;
      },
      30_000,
    );
    assert.ok(again.length > 0);
    assert.match(hoverText(await hover(remote, builderLine)), /nightly_etl\*\*: 5 run\(s\) in history/);
    assert.strictEqual(remote.shown.filter((m) => m.type === 2).length, 1);
  });
});

describe('team service URL (history/team-service.ts teamServiceUrl): the token goes only over TLS or to this machine', () => {
  it('accepts https:// anywhere and http:// on loopback; refuses http:// elsewhere, user info, other schemes', () => {
    assert.strictEqual(
      teamServiceUrl('https://spark-optimizer.example.com:8080/'),
      'https://spark-optimizer.example.com:8080',
    );
    assert.strictEqual(teamServiceUrl('http://127.0.0.1:9000'), 'http://127.0.0.1:9000');
    assert.strictEqual(teamServiceUrl('http://[::1]:9000'), 'http://[::1]:9000');
    assert.strictEqual(teamServiceUrl('http://localhost:9000'), 'http://localhost:9000');
    assert.throws(() => teamServiceUrl('http://team.example:8080'), /plain HTTP on another machine.*Use https:\/\//);
    assert.throws(() => teamServiceUrl('https://u:p@team.example'), /user info/);
    assert.throws(() => teamServiceUrl('ftp://team.example'), /must start with https:\/\//);
    assert.throws(() => teamServiceUrl('team.example'), /is not a URL/);
  });
});
