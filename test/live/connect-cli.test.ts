/**
 * `spark-optimizer query --remote sc://...` as a user runs it: the built bundle (bin/spark-optimizer →
 * server/out/cli.js) in a child process, against the real Spark Connect server of this test run, with the token in
 * SPARK_CONNECT_TOKEN.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import { sharedConnectServer, type ConnectServerProcess } from '../helpers/connect-server-process';
import { CLI_BIN } from '../helpers/fixtures';

const BIN = CLI_BIN;

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(BIN, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('spark-optimizer query (built CLI) on a real Spark Connect server', function () {
  this.timeout(240_000);
  let server: ConnectServerProcess;
  let remote: string;
  let env: Record<string, string>;

  before(async function () {
    this.timeout(600_000); // the Spark JVM starts in 30 s on an idle machine, minutes on a busy one
    server = await sharedConnectServer();
    remote = `sc://localhost:${server.port}`;
    env = { SPARK_CONNECT_TOKEN: server.token };
  });

  it('prints a table with Spark types, and the row count and time on stderr', async () => {
    const r = await run(
      ['query', '--remote', remote, "SELECT id, CAST(id / 4 AS DECIMAL(5,2)) AS q, concat('ü', id) AS s FROM range(3)"],
      env,
    );
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(
      r.stdout,
      [
        'id: bigint | q: decimal(5,2) | s: string',
        '-----------+-----------------+----------',
        '0          | 0.00            | ü0',
        '1          | 0.25            | ü1',
        '2          | 0.50            | ü2',
        '',
      ].join('\n'),
    );
    assert.match(r.stderr, /^3 row\(s\) in \d+\.\d\d s\n$/);
  });

  it('prints JSON records and CSV', async () => {
    const sql = "SELECT 1 AS n, 'a,\"b\"' AS s, CAST(NULL AS INT) AS z, DATE'2024-01-31' AS d";
    const json = await run(['query', '--remote', remote, '--format', 'json', sql], env);
    assert.strictEqual(json.code, 0, json.stderr);
    assert.deepStrictEqual(JSON.parse(json.stdout), [{ n: 1, s: 'a,"b"', z: null, d: '2024-01-31' }]);
    const csv = await run(['query', '--remote', remote, '--format', 'csv', sql], env);
    assert.strictEqual(csv.stdout, 'n,s,z,d\r\n1,"a,""b""",,2024-01-31\r\n');
  });

  it('--explain prints the physical plan', async () => {
    const r = await run(
      ['query', '--remote', remote, '--explain', 'simple', 'SELECT id FROM range(10) WHERE id > 5'],
      env,
    );
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /^== Physical Plan ==/);
    assert.match(r.stdout, /Filter \(id#\d+L > 5\)/);
  });

  it('a Spark error: exit 1, error class, SQLSTATE and a caret under the position', async () => {
    const r = await run(['query', '--remote', remote, 'SELECT *\nFROM missing_table_x'], env);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(r.stdout, '');
    const lines = r.stderr.split('\n');
    assert.match(
      lines[0],
      /^error\[TABLE_OR_VIEW_NOT_FOUND\] \(SQLSTATE 42P01\) at 2:6: \[TABLE_OR_VIEW_NOT_FOUND\] The table or view `missing_table_x` cannot be found/,
    );
    assert.strictEqual(lines[1], '  FROM missing_table_x');
    assert.strictEqual(lines[2], '       ^^^^^^^^^^^^^^^');
  });

  it('a wrong token: exit 2 with an auth message that does not echo the token', async () => {
    const r = await run(['query', '--remote', `${remote}/;token=not-the-token`, 'SELECT 1'], {});
    assert.strictEqual(r.code, 2);
    assert.match(
      r.stderr,
      new RegExp(`Spark Connect server localhost:${server.port} rejected the credentials \\(UNAUTHENTICATED`),
    );
    assert.ok(!r.stderr.includes('not-the-token'));
    // The CLI's remedy, in its own terms (no VS Code command).
    assert.match(r.stderr, /; check the token \(SPARK_CONNECT_TOKEN, or ;token= in the URL\)$/m);
    assert.doesNotMatch(r.stderr, /Spark: Set Spark Connect Token/);
  });

  it('usage errors: exit 2 with the usage', async () => {
    const r = await run(['query', 'SELECT 1'], env);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /query needs --remote sc:\/\/host:port/);
    const bad = await run(['query', '--remote', 'http://x', 'SELECT 1'], env);
    assert.strictEqual(bad.code, 2);
    assert.match(bad.stderr, /Spark Connect URL must start with sc:\/\//);
  });
});
