/**
 * The REST service (`spark-optimizer serve`, server/src/service/) over a real SQLite store filled from the committed
 * real event logs in examples/history. Expected values come from examples/history/README.md (9 runs: nightly_etl 5,
 * skewed_join 2, tiny_tasks 2; app-20261121121550-0000 ran 512m executors, 20 tasks, spilled 383971666 B to disk) and
 * manifest.json (its duration 56709 ms; stage 2 spilled 174972919 B), and the plan from the CLI's own
 * `recommendCommand` on the same store and clock.
 *
 * Part one runs the built CLI bundle as a separate process (serve, token create, SIGTERM); part two is the route suite
 * shared with PostgreSQL (test/helpers/service-suite.ts), here on SQLite: the service in this process on a loopback port
 * with a fixed clock, so its plan can be compared with the CLI's exactly.
 */
import * as assert from 'assert';
import { spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SqliteServiceStore } from '../server/src/store/sqlite-service-store';
import { signalProcessGroup, untrackProcessGroup } from './helpers/process-groups';
import { startServe, type ServeProcess } from './helpers/serve-process';
import { EXAMPLE_HISTORY, BUILT_CLI } from './helpers/fixtures';
import { assertProblem, call, serviceRouteSuite } from './helpers/service-suite';

const CLI = BUILT_CLI;
const HISTORY = EXAMPLE_HISTORY;

describe('REST service: spark-optimizer serve (CLI bundle, own process)', function () {
  this.timeout(120_000);
  let tmp: string;
  let db: string;
  let child: ChildProcess;
  let base: string;
  let serve: ServeProcess;
  const stdout = () => serve.output().stdout;
  let readToken: string;

  before(async () => {
    assert.ok(fs.existsSync(CLI), 'build the bundle first (node esbuild.js)');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-service-'));
    db = path.join(tmp, 'h.db');
    const c = spawnSync(process.execPath, [CLI, 'collect', '--path', HISTORY, '--db', db], { encoding: 'utf8' });
    assert.strictEqual(c.status, 0, c.stderr);
    const t = spawnSync(process.execPath, [CLI, 'token', 'create', '--scope', 'read', '--name', 'ci', '--db', db], {
      encoding: 'utf8',
    });
    assert.strictEqual(t.status, 0, t.stderr);
    readToken = t.stdout.trim();
    assert.match(readToken, /^spo_[A-Za-z0-9_-]{43}$/);
    assert.match(t.stderr, /only time it is shown/);
    serve = await startServe(['--db', db]);
    child = serve.child;
    base = serve.base;
  });

  after(() => {
    if (child.exitCode === null) signalProcessGroup(child, 'SIGKILL');
    untrackProcessGroup(child);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('binds 127.0.0.1 by default and answers /health without a token', async () => {
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await call(base, 'GET', '/health');
    assert.strictEqual(r.status, 200);
    assert.deepStrictEqual(r.json, { status: 'ok', applications: 9 });
  });

  it('answers 401 problem+json without a token, with an unknown token, and with a malformed header', async () => {
    for (const token of [undefined, 'spo_not-a-token-of-this-service']) {
      const r = await call(base, 'GET', '/api/v1/workloads', token);
      assertProblem(r, 401, 'unauthorized');
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer /);
    }
    const res = await fetch(`${base}/api/v1/workloads`, {
      headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    });
    assert.strictEqual(res.status, 401);
  });

  it('lists the workloads of examples/history with their run counts (token from "token create"), also under the former path /api/v1/jobs', async () => {
    const r = await call(base, 'GET', '/api/v1/workloads', readToken);
    assert.strictEqual(r.status, 200);
    assert.deepStrictEqual(
      Object.fromEntries(r.json.workloads.map((w: { appName: string; runs: number }) => [w.appName, w.runs])),
      { nightly_etl: 5, skewed_join: 2, tiny_tasks: 2 },
    );
    // The former path answers the same list under its former key.
    const old = await call(base, 'GET', '/api/v1/jobs', readToken);
    assert.strictEqual(old.status, 200);
    assert.deepStrictEqual(old.json.jobs, r.json.workloads);
  });

  it('token create refuses an unknown scope, serve a misspelt config key (exit 2, naming it)', () => {
    const t = spawnSync(process.execPath, [CLI, 'token', 'create', '--scope', 'root', '--db', db], {
      encoding: 'utf8',
    });
    assert.strictEqual(t.status, 2);
    assert.match(t.stderr, /--scope must be one of read, collect, admin, got "root"/);
    const config = path.join(tmp, 'svc.yaml');
    fs.writeFileSync(config, 'prot: 9000\n');
    const s = spawnSync(process.execPath, [CLI, 'serve', '--config', config, '--db', db], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.strictEqual(s.status, 2);
    assert.match(s.stderr, /svc\.yaml: .*prot/);
  });

  it('token list shows the token without its secret; token revoke makes the running service answer 401', async () => {
    const list = spawnSync(process.execPath, [CLI, 'token', 'list', '--db', db, '--format', 'json'], {
      encoding: 'utf8',
    });
    assert.strictEqual(list.status, 0, list.stderr);
    const tokens = JSON.parse(list.stdout) as { id: number; name: string; scope: string; revokedAtMs: number | null }[];
    assert.deepStrictEqual(
      tokens.map((t) => [t.id, t.name, t.scope, t.revokedAtMs]),
      [[1, 'ci', 'read', null]],
    );
    assert.ok(!list.stdout.includes(readToken.slice(4)));
    assert.strictEqual((await call(base, 'GET', '/api/v1/workloads', readToken)).status, 200);
    const revoke = spawnSync(process.execPath, [CLI, 'token', 'revoke', '1', '--db', db], { encoding: 'utf8' });
    assert.strictEqual(revoke.status, 0, revoke.stderr);
    assertProblem(await call(base, 'GET', '/api/v1/workloads', readToken), 401, 'unauthorized');
    const again = spawnSync(process.execPath, [CLI, 'token', 'revoke', '1', '--db', db], { encoding: 'utf8' });
    assert.strictEqual(again.status, 2);
    assert.match(again.stderr, /no valid token 1 in /);
  });

  it('never logs the bearer token, and stops cleanly on SIGTERM (exit 0)', async () => {
    assert.ok(stdout().includes('"url":"/api/v1/jobs"'), stdout());
    assert.ok(!stdout().includes(readToken), 'the token appears in the log');
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      process.kill(child.pid as number, 'SIGTERM');
    });
    assert.strictEqual(code, 0);
  });
});

serviceRouteSuite('SQLite', async (tmp) => {
  const db = path.join(tmp, 'h.db');
  const store = SqliteServiceStore.open(db);
  return { store, cliStore: store.store, shared: true, cliDb: db, close: () => store.close() };
});
