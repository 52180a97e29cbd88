/**
 * The Spark Connect requests of the BUILT language server (server/out/server.js, over stdio, so the esbuild bundle
 * with gRPC and Arrow is what runs) against the real Spark Connect server of this test run: status (SparkVersion
 * and spark.app.id), a query with progress notifications, an error with Spark's class and SQL range, cancel via
 * $/cancelRequest, explain, and the SQL statements of .sql and Python text. Then the server's event log is read
 * back: the query's application is the one whose id the result carries.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CancellationTokenSource, ProtocolConnection, ResponseError } from 'vscode-languageserver-protocol/node';
import {
  ConnectExplainRequest,
  ConnectQueryProgressNotification,
  ConnectRunQueryRequest,
  ConnectStatusRequest,
  SqlStatementsRequest,
  type ConnectErrorData,
  type SparkConnectTarget,
} from '../../shared/src/protocol';
import { ipcRows } from '../../shared/src/arrow-values';
import { sharedConnectServer, type ConnectServerProcess } from '../helpers/connect-server-process';
import { LspClient } from '../helpers/lsp-client';

describe('Spark Connect requests of the built language server', function () {
  this.timeout(240_000);
  let spark: ConnectServerProcess;
  let lsp: LspClient;
  let conn: ProtocolConnection;
  let target: SparkConnectTarget;
  const progress: ConnectQueryProgressNotification.Params[] = [];

  before(async function () {
    this.timeout(600_000); // the Spark JVM starts in 30 s on an idle machine, minutes on a busy one
    spark = await sharedConnectServer();
    // The token travels in the request, as the client sends it from SecretStorage.
    target = { url: `sc://localhost:${spark.port}`, token: spark.token };
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-connect-lsp-'));
    lsp = await LspClient.start({
      configuration: () => ({}),
      rootUri: null,
      capabilities: {},
      historyDatabase: path.join(tmp, 'h.db'),
      onNotification: {
        [ConnectQueryProgressNotification.method]: (p: ConnectQueryProgressNotification.Params) => {
          progress.push(p);
        },
      },
    });
    conn = lsp.conn;
  });

  after(async () => {
    await lsp?.stop();
  });

  it('status: Spark version and the application id of the server', async () => {
    const r = await conn.sendRequest(ConnectStatusRequest.type, { target });
    assert.ok(r.ok, JSON.stringify(r));
    assert.strictEqual(r.sparkVersion, '4.3.0');
    assert.match(r.appId ?? '', /^local-\d{13}$/);
  });

  it('status of a wrong token says why, without throwing', async () => {
    const r = await conn.sendRequest(ConnectStatusRequest.type, { target: { ...target, token: 'nope' } });
    assert.strictEqual(r.ok, false);
    assert.match((r as { reason: string }).reason, /rejected the credentials \(UNAUTHENTICATED/);
    // The kind and whether a token was sent, for the client's remedy ("Spark: Set Spark Connect Token").
    assert.deepStrictEqual([(r as { kind?: string }).kind, (r as { tokenGiven?: boolean }).tokenGiven], ['auth', true]);
  });

  it('runs a query with progress notifications; the app id matches the event log Spark wrote', async () => {
    progress.length = 0;
    const r = await conn.sendRequest(ConnectRunQueryRequest.type, {
      target,
      queryId: 'q-1',
      sql: 'SELECT id % 3 AS k, count(*) AS n FROM range(0, 300000, 1, 4) GROUP BY id % 3 ORDER BY k',
      maxRows: 100,
      maxBytes: 1_000_000,
    });
    assert.deepStrictEqual(
      r.columns.map((c) => `${c.name}:${c.type.name}`),
      ['k:bigint', 'n:bigint'],
    );
    // The result comes as Spark's Arrow IPC streams (base64 over JSON-RPC), not as rows.
    assert.strictEqual(r.rowCount, 3);
    assert.ok(!('rows' in r));
    assert.deepStrictEqual(
      ipcRows(
        r.arrowBase64.map((b) => Buffer.from(b, 'base64')),
        r.columns,
      ),
      [
        [0, 100_000],
        [1, 100_000],
        [2, 100_000],
      ],
    );
    assert.ok(r.appId);
    const logs = fs.readdirSync(spark.eventLogDir);
    assert.ok(
      logs.some((f) => f.includes(r.appId!)),
      `${r.appId} among the event logs ${logs.join(', ')}`,
    );
    assert.ok(progress.every((p) => p.queryId === 'q-1'));
  });

  it('a Spark error comes back with its class, SQLSTATE and SQL range', async () => {
    const sql = 'SELECT x FROM range(2)';
    const err = (await conn
      .sendRequest(ConnectRunQueryRequest.type, { target, queryId: 'q-2', sql, maxRows: 10, maxBytes: 1000 })
      .catch((e) => e)) as ResponseError<ConnectErrorData>;
    assert.ok(err instanceof ResponseError);
    assert.strictEqual(err.data?.kind, 'spark');
    assert.strictEqual(err.data?.errorClass, 'UNRESOLVED_COLUMN.WITH_SUGGESTION');
    assert.strictEqual(err.data?.sqlState, '42703');
    assert.deepStrictEqual(err.data?.sqlRange, { start: 7, end: 8 });
  });

  it('$/cancelRequest interrupts the query on Spark', async () => {
    progress.length = 0;
    const cts = new CancellationTokenSource();
    const run = conn.sendRequest(
      ConnectRunQueryRequest.type,
      {
        target,
        queryId: 'q-3',
        sql: 'SELECT sum(id % 5) FROM range(0, 50000000000, 1, 4)',
        maxRows: 10,
        maxBytes: 1000,
      },
      cts.token,
    );
    const t0 = Date.now();
    while (!progress.some((p) => p.queryId === 'q-3' && p.tasksTotal > 0) && Date.now() - t0 < 60_000)
      await new Promise((r) => setTimeout(r, 100));
    cts.cancel();
    const err = (await run.catch((e) => e)) as ResponseError<ConnectErrorData>;
    assert.ok(err instanceof ResponseError);
    assert.strictEqual(err.data?.kind, 'cancelled');
    assert.strictEqual(Math.max(...progress.filter((p) => p.queryId === 'q-3').map((p) => p.tasksTotal)), 4);
  });

  it('explains a query', async () => {
    const r = await conn.sendRequest(ConnectExplainRequest.type, {
      target,
      sql: 'SELECT id FROM range(5) WHERE id > 2',
      mode: 'simple',
    });
    assert.match(r.plan, /^== Physical Plan ==\n/);
    assert.match(r.plan, /Range \(0, 5, step=1/);
  });

  it('finds the SQL statements of a .sql file and of spark.sql("...") strings', async () => {
    const sqlText = "-- report\nSELECT 1; /* a;b */ SELECT ';' AS s ;\n\n  SELECT `a;b` FROM t";
    const s1 = await conn.sendRequest(SqlStatementsRequest.type, { languageId: 'sql', text: sqlText });
    assert.deepStrictEqual(
      s1.statements.map((s) => s.sql),
      ['-- report\nSELECT 1', "/* a;b */ SELECT ';' AS s", 'SELECT `a;b` FROM t'],
    );
    assert.strictEqual(sqlText.slice(s1.statements[2].start, s1.statements[2].end), 'SELECT `a;b` FROM t');

    const py =
      'df = spark.sql("SELECT *\\nFROM t WHERE a = \'x\'")\nother = session.sql(sqlQuery="""\n  SELECT 2\n""")\nspark.sql(f"SELECT {x}")\n';
    const s2 = await conn.sendRequest(SqlStatementsRequest.type, { languageId: 'python', text: py });
    assert.deepStrictEqual(
      s2.statements.map((s) => s.sql),
      ["SELECT *\nFROM t WHERE a = 'x'", 'SELECT 2'],
    );
    const first = s2.statements[0];
    // "FROM" follows the two-character escape \n: its document offset is 2 more than its SQL offset + start.
    const from = first.sql.indexOf('FROM');
    assert.strictEqual(py.slice(first.offsets[from], first.offsets[from] + 4), 'FROM');
    assert.strictEqual(py.slice(first.anchor, first.anchor + 9), 'spark.sql');
    assert.strictEqual(py.slice(s2.statements[1].offsets[0], s2.statements[1].offsets[0] + 8), 'SELECT 2');
  });
});
