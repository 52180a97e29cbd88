/**
 * The Spark Connect client against a REAL Spark Connect server (Spark 4.3.0 from pyspark, started by
 * test/helpers/connect-server-process.ts with a token, on 127.0.0.1). Data is written as Parquet through the same
 * server, then read back; every expected value below is what the SQL literal means (worked out by hand: e.g.
 * 09:30 in New York on 2024-03-10 is after the 02:00 switch to EDT, UTC-4, so 13:30 UTC).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ipcRows } from '../../shared/src/arrow-values';
import { SparkConnectClient, type QueryResult } from '../../server/src/connect/client';
import { parseConnectionString, redactToken } from '../../server/src/connect/connection-string';
import { SparkConnectError, sqlErrorRange } from '../../server/src/connect/errors';
import { freePort } from '../helpers/history-server-process';
import { eventLogLinesByApp, sharedConnectServer, type ConnectServerProcess } from '../helpers/connect-server-process';

/** The values of a result's rows, read from its Arrow batches. */
const rowsOf = (r: QueryResult) => ipcRows(r.batches, r.columns);

describe('Spark Connect connection strings', () => {
  it('parses host, port, token, user and session as Spark defines them', () => {
    const c = parseConnectionString(
      'sc://spark.example.com:443/;token=abc%3D;use_ssl=true;user_id=ana;session_id=0b5c6e9a-0f6b-4d4e-9a2b-1c2d3e4f5a6b;x=1',
    );
    assert.deepStrictEqual(c, {
      host: 'spark.example.com',
      port: 443,
      token: 'abc=',
      useSsl: true,
      userId: 'ana',
      userAgent: undefined,
      sessionId: '0b5c6e9a-0f6b-4d4e-9a2b-1c2d3e4f5a6b',
      other: { x: '1' },
    });
  });
  it('defaults to port 15002; a token means TLS except to localhost', () => {
    assert.strictEqual(parseConnectionString('sc://h').port, 15002);
    assert.strictEqual(parseConnectionString('sc://h/;token=t').useSsl, true);
    assert.strictEqual(parseConnectionString('sc://localhost:1/;token=t').useSsl, false);
    assert.strictEqual(parseConnectionString('sc://h/;token=t;use_ssl=false').useSsl, false);
  });
  it('rejects what is not a connection string, without echoing the token', () => {
    assert.throws(() => parseConnectionString('http://h:15002'), /must start with sc:\/\//);
    assert.throws(() => parseConnectionString('sc://h:99999'), /invalid port "99999"/);
    assert.throws(() => parseConnectionString('sc://h/;session_id=12'), /session_id must be a UUID/);
    assert.throws(() => parseConnectionString('sc://h/;use_ssl=yes'), /use_ssl must be true or false/);
    assert.strictEqual(redactToken('sc://h/;token=secret;user_id=a'), 'sc://h/;token=***;user_id=a');
  });
});

describe('Spark Connect client on a real server', function () {
  this.timeout(240_000);
  let server: ConnectServerProcess;
  let client: SparkConnectClient;
  let parquetDir: string;

  before(async function () {
    this.timeout(600_000); // the Spark JVM starts in 30 s on an idle machine, minutes on a busy one
    server = await sharedConnectServer();
    client = new SparkConnectClient({ url: server.url });
    parquetDir = path.join(server.dataDir, 'typed.parquet');
    // Written by Spark through the same server (INSERT OVERWRITE DIRECTORY ... USING parquet).
    await client.executeSql(`INSERT OVERWRITE DIRECTORY '${parquetDir}' USING parquet
      SELECT * FROM VALUES
        (1, CAST(12345678901234 AS BIGINT), CAST(-1234.50 AS DECIMAL(12,2)), 'Zürich — 東京 ✓',
         DATE'2024-02-29', TIMESTAMP'2024-03-10 09:30:00.123456 America/New_York', NAMED_STRUCT('city', 'Köln', 'zip', 50667),
         ARRAY(1, NULL, 3)),
        (2, CAST(-9007199254740993 AS BIGINT), CAST(0.01 AS DECIMAL(12,2)), NULL,
         NULL, TIMESTAMP'1969-12-31 23:59:59.999999 UTC', NULL, ARRAY())
      AS t(id, big, amount, name, day, at, address, scores)`);
  });
  after(async () => {
    await client?.close();
  });

  it('reports the server Spark version (AnalyzePlan SparkVersion), the pyspark version installed', async () => {
    assert.strictEqual(await client.sparkVersion(), '4.3.0');
  });

  it('reads the Parquet files back with each value and Spark type preserved', async () => {
    const files = fs.readdirSync(parquetDir).filter((f) => f.endsWith('.parquet'));
    assert.ok(files.length >= 1, `Spark wrote Parquet files into ${parquetDir}`);
    const r = await client.executeSql(`SELECT * FROM parquet.\`${parquetDir}\` ORDER BY id`);
    assert.deepStrictEqual(
      r.columns.map((c) => `${c.name}:${c.type.name}`),
      [
        'id:int',
        'big:bigint',
        'amount:decimal(12,2)',
        'name:string',
        'day:date',
        'at:timestamp',
        'address:struct<city:string,zip:int>',
        'scores:array<int>',
      ],
    );
    assert.deepStrictEqual(rowsOf(r), [
      [
        1,
        12345678901234,
        '-1234.50',
        'Zürich — 東京 ✓',
        '2024-02-29',
        '2024-03-10T13:30:00.123456Z',
        { city: 'Köln', zip: 50667 },
        [1, null, 3],
      ],
      // -9007199254740993 is not a safe JS integer: kept exact as a string. 1 µs before the epoch.
      [2, '-9007199254740993', '0.01', null, null, '1969-12-31T23:59:59.999999Z', null, []],
    ]);
    assert.strictEqual(r.truncated, undefined);
  });

  it('returns the columns of an empty result', async () => {
    const r = await client.executeSql(`SELECT id, name FROM parquet.\`${parquetDir}\` WHERE id > 100`);
    assert.deepStrictEqual(
      r.columns.map((c) => `${c.name}:${c.type.name}`),
      ['id:int', 'name:string'],
    );
    assert.deepStrictEqual(rowsOf(r), []);
  });

  it('creates and reads a table in the session catalog; the session is reused across calls', async () => {
    await client.executeSql('DROP TABLE IF EXISTS spark_optimizer_test_orders');
    await client.executeSql(`CREATE TABLE spark_optimizer_test_orders USING parquet AS
      SELECT id, CAST(id * 2.5 AS DECIMAL(6,1)) AS total, map('k', id) AS tags FROM range(3)`);
    const r = await client.executeSql('SELECT * FROM spark_optimizer_test_orders ORDER BY id');
    assert.deepStrictEqual(
      r.columns.map((c) => c.type.name),
      ['bigint', 'decimal(6,1)', 'map<string,bigint>'],
    );
    assert.deepStrictEqual(rowsOf(r), [
      [0, '0.0', [['k', 0]]],
      [1, '2.5', [['k', 1]]],
      [2, '5.0', [['k', 2]]],
    ]);
  });

  it('reads a JDBC source configured in the session (Apache Derby, embedded in the server JVM from pyspark jars)', async () => {
    const url = 'jdbc:derby:memory:spark_optimizer_jdbc;create=true';
    const options = `url '${url}', driver 'org.apache.derby.jdbc.EmbeddedDriver'`;
    await client.executeSql('DROP TABLE IF EXISTS spark_optimizer_test_jdbc_cities');
    // Spark creates the table in Derby over JDBC (CTAS with the jdbc provider) ...
    await client.executeSql(`CREATE TABLE spark_optimizer_test_jdbc_cities USING jdbc OPTIONS (${options}, dbtable 'CITIES') AS
      SELECT * FROM VALUES (1, 'Zürich', CAST(421.9 AS DECIMAL(6,1))), (2, 'Köln', NULL) AS t(id, name, population_k)`);
    // ... and reads it back through a session view whose query Derby itself runs (dbtable as a subquery).
    await client.executeSql(`CREATE OR REPLACE TEMPORARY VIEW spark_optimizer_test_jdbc_count USING jdbc
      OPTIONS (${options}, dbtable '(SELECT COUNT(*) AS N FROM CITIES) q')`);
    const rows = await client.executeSql(
      'SELECT id, name, population_k FROM spark_optimizer_test_jdbc_cities ORDER BY id',
    );
    assert.deepStrictEqual(
      rows.columns.map((c) => `${c.name}:${c.type.name}`),
      ['id:int', 'name:string', 'population_k:decimal(6,1)'],
    );
    assert.deepStrictEqual(rowsOf(rows), [
      [1, 'Zürich', '421.9'],
      [2, 'Köln', null],
    ]);
    const count = await client.executeSql('SELECT N FROM spark_optimizer_test_jdbc_count');
    assert.deepStrictEqual(rowsOf(count), [[2]]);
  });

  it('sets and gets session settings (Config), which change how Spark renders timestamps', async () => {
    const warnings = await client.setConfig({ 'spark.sql.session.timeZone': 'Asia/Kolkata' });
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(await client.getConfig(['spark.sql.session.timeZone']), {
      'spark.sql.session.timeZone': 'Asia/Kolkata',
    });
    const r = await client.executeSql(
      `SELECT CAST(at AS STRING) AS local, at FROM parquet.\`${parquetDir}\` WHERE id = 1`,
    );
    // 13:30 UTC is 19:00 in India (UTC+5:30); the instant itself is unchanged.
    assert.deepStrictEqual(rowsOf(r), [['2024-03-10 19:00:00.123456', '2024-03-10T13:30:00.123456Z']]);
    await client.setConfig({ 'spark.sql.session.timeZone': 'UTC' });
  });

  it('gives a query schema and plan without running it (AnalyzePlan Schema, Explain)', async () => {
    // decimal(12,2) * 2: the literal is decimal(1,0) to Spark, so precision 12 + 1 + 1 = 14, scale 2 + 0 (DecimalPrecision).
    const fields = await client.schema(`SELECT id, amount * 2 AS twice FROM parquet.\`${parquetDir}\``);
    assert.deepStrictEqual(
      fields.map((f) => `${f.name}:${f.type.name}`),
      ['id:int', 'twice:decimal(14,2)'],
    );
    const plan = await client.explain(`SELECT id FROM parquet.\`${parquetDir}\` WHERE id = 1`, 'formatted');
    assert.match(plan, /== Physical Plan ==/);
    assert.match(plan, /Scan parquet/);
    assert.match(plan, /PushedFilters: \[IsNotNull\(id\), EqualTo\(id,1\)\]/);
  });

  it('the row limit stops Spark itself (a Limit in the plan): a trillion-row range ends after maxRows', async () => {
    // Without a limit on the server this would run for hours on local[2]; Spark stops after maxRows + 1 rows.
    const byRows = await client.executeSql('SELECT id FROM range(0, 1000000000000, 1, 2)', { maxRows: 10 });
    assert.deepStrictEqual(
      rowsOf(byRows),
      Array.from({ length: 10 }, (_, i) => [i]),
    );
    assert.strictEqual(byRows.rowCount, 10);
    assert.strictEqual(byRows.truncated, 'rows');
    // The result stays Arrow: one IPC stream per Spark batch, the last one cut at 10 rows.
    assert.ok(byRows.batches.length >= 1 && byRows.batches.every((b) => b instanceof Uint8Array));
    const all = await client.executeSql('SELECT id FROM range(10)', { maxRows: 10 });
    assert.strictEqual(all.truncated, undefined, 'exactly maxRows rows: nothing left out');
    assert.strictEqual(all.rowCount, 10);
  });

  it('the byte limit stops reading before the row limit: 50,000 rows of ~108 bytes are more than 200 kB', async () => {
    const byBytes = await client.executeSql('SELECT id, repeat("x", 100) AS pad FROM range(0, 1000000000000, 1, 2)', {
      maxRows: 50_000,
      maxBytes: 200_000,
    });
    assert.strictEqual(byBytes.truncated, 'bytes');
    const rows = rowsOf(byBytes);
    assert.strictEqual(rows.length, byBytes.rowCount);
    assert.ok(rows.length > 0, 'the batch that reached the limit is kept');
    assert.deepStrictEqual(rows[0], [0, 'x'.repeat(100)]);
    // Partition 0's rows come first, in order: ids 0, 1, 2, ...
    assert.ok(rows.every((r, i) => r[0] === i));
    // Past the limit by at most one batch (spark.connect.grpc.arrow.maxBatchSize, 4 MiB by default).
    assert.ok(byBytes.arrowBytes <= 200_000 + 4 * 1024 * 1024, `${byBytes.arrowBytes} bytes`);
    const next = await client.executeSql('SELECT 1 AS one');
    assert.deepStrictEqual(rowsOf(next), [[1]]);
  });

  it('the byte limit ends the operation on the server: with no row limit, Spark records it as canceled', async () => {
    // No Limit in the plan (maxRows: Infinity): only the byte limit can stop this query of 10^11 rows (800 GB of Arrow).
    // Many partitions of 10^6 rows: Spark Connect gathers each task's Arrow batches whole, so a partition must fit the
    // server's memory (a trillion rows in 2 partitions ran the server out of heap before any batch was sent).
    const r = await client.executeSql('SELECT id FROM range(0, 100000000000, 1, 100000)', {
      maxRows: Infinity,
      maxBytes: 200_000,
    });
    assert.strictEqual(r.truncated, 'bytes');
    assert.ok(r.rowCount > 0 && r.rowCount < 1_000_000, `${r.rowCount} rows`);
    // Spark Connect posts SparkListenerConnectOperationCanceled when an operation is interrupted
    // (ExecuteEventsManager.postCanceled), and the event log writes listener events of this kind as they come.
    const canceled = (lines: string[]) =>
      lines.some(
        (l) =>
          l.includes('SparkListenerConnectOperationCanceled') &&
          (JSON.parse(l) as { operationId?: string }).operationId === r.operationId,
      );
    let seen = false;
    for (let i = 0; i < 60 && !seen; i++) {
      seen = (await eventLogLinesByApp(server.eventLogDir)).some(canceled);
      if (!seen) await new Promise((res) => setTimeout(res, 500));
    }
    assert.ok(
      seen,
      `no SparkListenerConnectOperationCanceled for operation ${r.operationId} in the server's event log`,
    );
  });

  it('reattaches when the server closes a result stream (senderMaxStreamSize 1 MiB) and loses no row', async () => {
    const r = await client.executeSql('SELECT id, repeat("y", 50) AS pad FROM range(200000)', { maxRows: 300_000 });
    assert.ok(r.reattachCount >= 1, `reattached ${r.reattachCount} times`);
    assert.strictEqual(rowsOf(r).length, 200_000);
    let sum = 0;
    for (const row of rowsOf(r)) sum += row[0] as number;
    assert.strictEqual(sum, (199_999 * 200_000) / 2);
    assert.deepStrictEqual(rowsOf(r)[199_999], [199_999, 'y'.repeat(50)]);
  });

  it('cancels a long query (Interrupt), reports Spark progress before that, and the session still works', async () => {
    const ac = new AbortController();
    const totals: number[] = [];
    const t0 = Date.now();
    const fallback = setTimeout(() => ac.abort(), 30_000);
    const run = client.executeSql('SELECT sum(id % 7) FROM range(0, 50000000000, 1, 4)', {
      signal: ac.signal,
      onProgress: (p) => {
        totals.push(p.tasksTotal);
        if (p.tasksTotal > 0) ac.abort();
      },
    });
    await assert.rejects(run, (e: SparkConnectError) => e instanceof SparkConnectError && e.kind === 'cancelled');
    clearTimeout(fallback);
    // range(..., 4 slices) is one stage of 4 tasks.
    assert.strictEqual(Math.max(...totals), 4, `progress seen: ${JSON.stringify(totals)}`);
    assert.ok(Date.now() - t0 < 30_000, 'cancelled before the fallback timer');
    const after = await client.executeSql('SELECT 42 AS answer');
    assert.deepStrictEqual(rowsOf(after), [[42]]);
  });

  it('bad SQL: Spark error class, SQLSTATE and the position in the SQL', async () => {
    const sql = 'SELECT id\nFROM range(3)\nWHERE id = = 1';
    const err = (await client.executeSql(sql).catch((e) => e)) as SparkConnectError;
    assert.ok(err instanceof SparkConnectError);
    assert.strictEqual(err.kind, 'spark');
    assert.strictEqual(err.errorClass, 'PARSE_SYNTAX_ERROR');
    assert.strictEqual(err.details.sqlState, '42601');
    assert.deepStrictEqual(err.details.messageParameters, { error: "'='", hint: '' });
    // Line 3 starts at offset 10 + 14 = 24; the second "=" is at position 11 of that line.
    assert.deepStrictEqual(sqlErrorRange(err, sql), { start: 35, end: 36 });
  });

  it('unknown column: UNRESOLVED_COLUMN.WITH_SUGGESTION at the column', async () => {
    const sql = 'SELECT id FROM range(3) WHERE nope > 1';
    const err = (await client.executeSql(sql).catch((e) => e)) as SparkConnectError;
    assert.strictEqual(err.errorClass, 'UNRESOLVED_COLUMN.WITH_SUGGESTION');
    assert.deepStrictEqual(err.details.messageParameters, { objectName: '`nope`', proposal: '`id`' });
    assert.deepStrictEqual(sqlErrorRange(err, sql), { start: 30, end: 34 });
  });

  it('missing table: TABLE_OR_VIEW_NOT_FOUND at the table name', async () => {
    const sql = 'SELECT * FROM no_such_table_here';
    const err = (await client.executeSql(sql).catch((e) => e)) as SparkConnectError;
    assert.strictEqual(err.errorClass, 'TABLE_OR_VIEW_NOT_FOUND');
    assert.strictEqual(err.details.sqlState, '42P01');
    assert.deepStrictEqual(err.details.messageParameters?.relationName, '`no_such_table_here`');
    assert.deepStrictEqual(err.position, { startIndex: 14, stopIndex: 31, fragment: 'no_such_table_here' });
    assert.deepStrictEqual(sqlErrorRange(err, sql), { start: 14, end: 32 });
  });

  it('wrong token: an auth error naming the server', async () => {
    const bad = new SparkConnectClient({ url: `sc://localhost:${server.port}/;token=wrong` });
    const err = (await bad.sparkVersion().catch((e) => e)) as SparkConnectError;
    await bad.close();
    assert.strictEqual(err.kind, 'auth');
    assert.strictEqual(err.details.grpcCode, 'UNAUTHENTICATED');
    assert.match(err.message, new RegExp(`Spark Connect server localhost:${server.port} rejected the credentials`));
    assert.ok(!err.message.includes('wrong'), 'the token is not echoed');
    // The core names the failure; the front ends word the remedy from kind and tokenGiven.
    assert.strictEqual(err.details.tokenGiven, true);
    assert.doesNotMatch(err.message, /SPARK_CONNECT_TOKEN|Set Spark Connect Token/);
  });

  it('server down: an "unavailable" error naming the address', async () => {
    const port = await freePort();
    const down = new SparkConnectClient({ url: `sc://localhost:${port}`, callTimeoutMs: 10_000 });
    const err = (await down.sparkVersion().catch((e) => e)) as SparkConnectError;
    await down.close();
    assert.strictEqual(err.kind, 'unavailable');
    assert.match(err.message, new RegExp(`Spark Connect server localhost:${port} is not reachable`));
    assert.doesNotMatch(err.message, /sparkOptimizer\./, 'no editor setting in the core message');
  });

  it('reconnects after the server restarts (same client, new server-side session)', async function () {
    this.timeout(900_000); // a JVM restart takes 30 s on an idle machine, minutes on a busy one
    const before = client.serverSideSessionId;
    assert.ok(before);
    await server.stop();
    const err = (await client.sparkVersion(5_000).catch((e) => e)) as SparkConnectError;
    assert.ok(err.kind === 'unavailable' || err.kind === 'timeout', `${err.kind}: ${err.message}`);
    await server.start();
    assert.strictEqual(await client.sparkVersion(), '4.3.0');
    const r = await client.executeSql('SELECT 7 * 6 AS x');
    assert.deepStrictEqual(rowsOf(r), [[42]]);
    assert.notStrictEqual(client.serverSideSessionId, before);
  });
});
