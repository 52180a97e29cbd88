/**
 * The REST service on a REAL PostgreSQL (Debian's postgresql package, test/helpers/postgres-process.ts):
 * - the route suite test/service.test.ts runs on SQLite, here on PostgreSQL (test/helpers/service-suite.ts: the same
 *   assertions, and the plan equal to the CLI's on a SQLite store of the same logs);
 * - `spark-optimizer serve --db postgres://USER@127.0.0.1:PORT/DB` as its own process (the built CLI bundle), with the
 *   password only in SPARK_OPTIMIZER_SERVICE_DB_PASSWORD (and, for the token command, in a password file), never in its
 *   output or log; `token create` against the same database; a URL with a password refused (exit 2).
 */
import * as assert from 'assert';
import { spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { collectEventLogs } from '../../server/src/history/collect';
import { HistoryStore } from '../../server/src/store/history-store';
import { PostgresStore } from '../../server/src/store/postgres-store';
import { BUILT_CLI, EXAMPLE_HISTORY } from '../helpers/fixtures';
import { PostgresProcess } from '../helpers/postgres-process';
import { signalProcessGroup, untrackProcessGroup } from '../helpers/process-groups';
import { startServe } from '../helpers/serve-process';
import { call, NIGHTLY_ETL_NEWEST_FIRST, serviceRouteSuite } from '../helpers/service-suite';

let server: PostgresProcess | null = null;
let databases = 0;

/** The shared server (started once for this file), and a new empty database on it. */
async function newDatabase(): Promise<{ server: PostgresProcess; url: string }> {
  if (server === null) {
    server = new PostgresProcess();
    await server.start();
  }
  const name = `svc${++databases}`;
  server.psql(`CREATE DATABASE ${name}`);
  return { server, url: `postgres://${server.user}@127.0.0.1:${server.port}/${name}` };
}

after(async () => {
  await server?.stop();
  server = null;
});

serviceRouteSuite('PostgreSQL', async (tmp) => {
  const { server: s, url } = await newDatabase();
  const store = await PostgresStore.open({ url, password: s.password });
  const cliDb = path.join(tmp, 'cli.db');
  const cliStore = HistoryStore.open(cliDb);
  return {
    store,
    cliStore,
    shared: false,
    cliDb,
    close: async () => {
      await store.close();
      cliStore.close();
    },
  };
});

describe('REST service: spark-optimizer serve --db postgres://... (CLI bundle, own process)', function () {
  this.timeout(300_000);
  let tmp: string;
  let child: ChildProcess | null = null;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-svc-pg-'));
  });

  after(() => {
    if (child && child.exitCode === null) signalProcessGroup(child, 'SIGKILL');
    if (child) untrackProcessGroup(child);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('serves a PostgreSQL store with the password from the environment, tokens from "token create", and never shows the password', async () => {
    const { server: s, url } = await newDatabase();
    const store = await PostgresStore.open({ url, password: s.password });
    assert.strictEqual((await collectEventLogs(EXAMPLE_HISTORY, store)).inserted, 9);
    await store.close();
    const env = { ...process.env, SPARK_OPTIMIZER_SERVICE_DB_PASSWORD: undefined, PGPASSWORD: undefined };
    // token create reads the password from a file named by SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE.
    const pwFile = path.join(tmp, 'db-password');
    fs.writeFileSync(pwFile, `${s.password}\n`, { mode: 0o600 });
    const t = spawnSync(
      process.execPath,
      [BUILT_CLI, 'token', 'create', '--scope', 'read', '--name', 'ci', '--db', url],
      { encoding: 'utf8', env: { ...env, SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE: pwFile } },
    );
    assert.strictEqual(t.status, 0, t.stderr);
    const token = t.stdout.trim();
    assert.match(token, /^spo_[A-Za-z0-9_-]{43}$/);
    assert.ok(t.stderr.includes(`stored in ${url} as its SHA-256`), t.stderr);

    const serve = await startServe(['--db', url], { ...env, SPARK_OPTIMIZER_SERVICE_DB_PASSWORD: s.password }, 120_000);
    child = serve.child;
    const proc = child;
    const base = serve.base;
    assert.ok(
      serve.output().stdout.includes(`(store PostgreSQL ${url}, 9 application attempts)`),
      serve.output().stdout,
    );
    assert.deepStrictEqual((await call(base, 'GET', '/health')).json, { status: 'ok', applications: 9 });
    const jobs = await call(base, 'GET', '/api/v1/jobs', token);
    assert.deepStrictEqual(
      Object.fromEntries(jobs.json.jobs.map((j: { appName: string; runs: number }) => [j.appName, j.runs])),
      { nightly_etl: 5, skewed_join: 2, tiny_tasks: 2 },
    );
    const runs = await call(base, 'GET', '/api/v1/jobs/nightly_etl/runs', token);
    assert.deepStrictEqual(
      runs.json.runs.map((x: { appId: string }) => x.appId),
      NIGHTLY_ETL_NEWEST_FIRST,
    );
    const code = await new Promise<number | null>((resolve) => {
      proc.once('exit', (c) => resolve(c));
      process.kill(proc.pid as number, 'SIGTERM');
    });
    assert.strictEqual(code, 0);
    const { stdout, stderr } = serve.output();
    for (const text of [stdout, stderr, t.stdout, t.stderr, s.log()])
      assert.ok(!text.includes(s.password), 'the database password appears in an output or log');
  });

  it('refuses a URL with a password (exit 2, naming where to put it) and a wrong password (exit 2, naming the database)', async () => {
    const { server: s, url } = await newDatabase();
    const withPassword = url.replace(`${s.user}@`, `${s.user}:${s.password}@`);
    const r = spawnSync(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--db', withPassword], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.strictEqual(r.status, 2);
    assert.match(
      r.stderr,
      /flags: the PostgreSQL URL carries a password; remove it and give the password through SPARK_OPTIMIZER_SERVICE_DB_PASSWORD/,
    );
    assert.ok(!r.stderr.includes(s.password) && !r.stdout.includes(s.password));
    const wrong = spawnSync(process.execPath, [BUILT_CLI, 'serve', '--port', '0', '--db', url], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, SPARK_OPTIMIZER_SERVICE_DB_PASSWORD: 'wrong-password', PGPASSWORD: undefined },
    });
    assert.strictEqual(wrong.status, 2);
    assert.ok(
      wrong.stderr.includes(`PostgreSQL store ${url}: password authentication failed for user "spark_optimizer"`),
      wrong.stderr,
    );
    assert.ok(!wrong.stderr.includes('wrong-password'));
  });
});
