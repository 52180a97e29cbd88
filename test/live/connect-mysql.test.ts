/**
 * MySQL-protocol databases through Spark's JDBC source, on REAL servers: a MariaDB server started here
 * (test/helpers/mariadb-process.ts: Debian's mariadbd on 127.0.0.1, a temporary data directory) and the default
 * Spark Connect server with MariaDB Connector/J on its classpath (scripts/install-mariadb.sh fetched it from Maven
 * Central at set-up). The table is registered as a temporary view with `SparkConnectClient.createJdbcView`, so the
 * password goes to Spark only as a data-source option of the plan, never in SQL text; the CLI takes it from
 * SPARK_OPTIMIZER_JDBC_PASSWORD.
 *
 * The URL uses the `jdbc:mysql:` scheme with Connector/J's `permitMysqlScheme`, so Spark picks its MySQL dialect
 * (MySQLDialect handles URLs starting with jdbc:mysql, read from spark-sql_2.13-4.3.0.jar). Expected values follow
 * from the rows inserted below, worked out by hand (e.g. 19:00:00.123456 at +05:30 is 13:30:00.123456 UTC).
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SparkConnectClient, type JdbcView, type QueryResult } from '../../server/src/connect/client';
import { SparkConnectError } from '../../server/src/connect/errors';
import { ConnectSessions } from '../../server/src/connect/sessions';
import { sqlNamesView } from '../../server/src/connect/sql-statements';
import { ipcRows } from '../../shared/src/arrow-values';
import { eventLogLinesByApp, sharedConnectServer, type ConnectServerProcess } from '../helpers/connect-server-process';
import { freePort } from '../helpers/history-server-process';
import { MariaDbProcess } from '../helpers/mariadb-process';
import { CLI_BIN } from '../helpers/fixtures';

const rowsOf = (r: QueryResult) => ipcRows(r.batches, r.columns);
const BIN = CLI_BIN;

/** The database: three typed rows (the second inserted at +05:30) and 97 plain ones, ids 1..100. */
function initSql(password: string): string {
  const plain = Array.from(
    { length: 97 },
    (_, k) => `(${k + 4}, ${((k + 4) * 1.25).toFixed(2)}, NULL, NULL, 'c${k + 4}', NULL, NULL)`,
  ).join(', ');
  // --init-file: one statement per line.
  return [
    'CREATE DATABASE shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;',
    `CREATE USER 'spark'@'127.0.0.1' IDENTIFIED BY '${password}';`,
    "GRANT SELECT ON shop.* TO 'spark'@'127.0.0.1';",
    'CREATE TABLE shop.orders (id INT NOT NULL PRIMARY KEY, amount DECIMAL(12,2) NOT NULL, placed_local DATETIME(6) NULL, placed_at TIMESTAMP(6) NULL, customer VARCHAR(64) NOT NULL, note TEXT NULL, payload BLOB NULL) CHARACTER SET utf8mb4;',
    "SET time_zone = '+05:30';",
    "INSERT INTO shop.orders VALUES (1, -1234.50, '2024-03-10 09:30:00.123456', '2024-03-10 19:00:00.123456', 'Zürich', 'emoji 😀 and 東京', X'00FF10');",
    "INSERT INTO shop.orders VALUES (2, 0.01, NULL, NULL, 'Köln', NULL, NULL), (3, 99999999.99, '1999-12-31 23:59:59.999999', '1970-01-01 05:30:01', 'Åre', '', X'');",
    "SET time_zone = '+00:00';",
    `INSERT INTO shop.orders VALUES ${plain};`,
    '',
  ].join('\n');
}

describe('MySQL (MariaDB) tables through Spark JDBC on a Spark Connect server', function () {
  this.timeout(300_000);
  let spark: ConnectServerProcess;
  let db: MariaDbProcess;
  let client: SparkConnectClient;
  const password = crypto.randomBytes(12).toString('hex');
  let url: string;
  let orders: JdbcView;

  before(async function () {
    this.timeout(900_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-mariadb-'));
    db = new MariaDbProcess(await freePort(), dir, initSql(password));
    await Promise.all([db.start(), sharedConnectServer().then((s) => (spark = s))]);
    client = new SparkConnectClient({ url: spark.url });
    url = `jdbc:mysql://127.0.0.1:${db.port}/shop?permitMysqlScheme`;
    orders = {
      name: 'orders_mysql',
      url,
      dbtable: 'orders',
      user: 'spark',
      options: { driver: 'org.mariadb.jdbc.Driver', preferTimestampNTZ: 'true' },
    };
    await client.createJdbcView(orders, password);
  });

  after(async () => {
    await client?.close();
    await db?.stop();
  });

  it('reads DECIMAL, DATETIME, TIMESTAMP (written at +05:30), utf8mb4 text and BLOB value by value', async () => {
    const r = await client.executeSql(
      'SELECT id, amount, placed_local, placed_at, customer, note, payload FROM orders_mysql WHERE id <= 3 ORDER BY id',
    );
    assert.deepStrictEqual(
      r.columns.map((c) => `${c.name}:${c.type.name}`),
      [
        'id:int',
        'amount:decimal(12,2)',
        'placed_local:timestamp_ntz',
        'placed_at:timestamp',
        'customer:string',
        'note:string',
        'payload:binary',
      ],
    );
    assert.deepStrictEqual(rowsOf(r), [
      // DATETIME is a wall-clock time (no zone): timestamp_ntz as written. TIMESTAMP is an instant: 19:00 at +05:30.
      [
        1,
        '-1234.50',
        '2024-03-10T09:30:00.123456',
        '2024-03-10T13:30:00.123456Z',
        'Zürich',
        'emoji 😀 and 東京',
        'AP8Q',
      ],
      [2, '0.01', null, null, 'Köln', null, null],
      // 05:30:01 at +05:30 is one second after the epoch (TIMESTAMP's smallest value); an empty BLOB is empty.
      [3, '99999999.99', '1999-12-31T23:59:59.999999', '1970-01-01T00:00:01.000000Z', 'Åre', '', ''],
    ]);
  });

  it('pushes a predicate down to the database (EXPLAIN) and gets the rows it selects', async () => {
    const sql = 'SELECT id, customer FROM orders_mysql WHERE id > 50';
    const plan = await client.explain(sql, 'formatted');
    assert.match(plan, /Scan JDBCRelation\(orders\)/);
    // A '*' marks a filter the JDBC source evaluates in the database.
    assert.match(plan, /PushedFilters: \[\*IsNotNull\(id\), \*GreaterThan\(id,50\)\]/);
    const r = await client.executeSql(`SELECT count(*) AS n, min(id), max(id) FROM (${sql})`);
    assert.deepStrictEqual(rowsOf(r), [[50, 51, 100]]);
  });

  it('reads in partitions (partitionColumn, numPartitions 4): four tasks (event log), each with its id range', async () => {
    await client.createJdbcView(
      {
        ...orders,
        name: 'orders_mysql_by_id',
        options: { ...orders.options, partitionColumn: 'id', lowerBound: '1', upperBound: '101', numPartitions: '4' },
      },
      password,
    );
    const plan = await client.explain('SELECT id FROM orders_mysql_by_id', 'simple');
    assert.match(plan, /JDBCRelation\(orders\) \[numPartitions=4\]/);
    // Spark's JDBCRelation.columnPartition: stride = 101/4 - 1/4 = 25, so id < 26, [26, 51), [51, 76), id >= 76.
    // One task reads one partition; spark_partition_id() says which.
    const r = await client.executeSql(
      'SELECT spark_partition_id() AS p, count(*) AS n, min(id), max(id) FROM orders_mysql_by_id GROUP BY 1 ORDER BY 1',
    );
    assert.deepStrictEqual(rowsOf(r), [
      [0, 25, 1, 25],
      [1, 25, 26, 50],
      [2, 25, 51, 75],
      [3, 25, 76, 100],
    ]);
    // The server's event log: the stage that read the JDBC RDD of 4 partitions ran 4 tasks, each ended.
    const found: { stage: { 'Stage ID': number; 'Number of Tasks': number }; events: Record<string, unknown>[] }[] = [];
    for (const app of await eventLogLinesByApp(spark.eventLogDir)) {
      const events = app
        .filter((l) => /"Event":"SparkListener(StageCompleted|TaskEnd)"/.test(l))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const e of events) {
        const info = e['Stage Info'] as
          | {
              'Stage ID': number;
              'Number of Tasks': number;
              'RDD Info': { Name: string; 'Number of Partitions': number }[];
            }
          | undefined;
        if (
          e.Event === 'SparkListenerStageCompleted' &&
          info?.['RDD Info'].some((i) => i.Name === 'JDBCRDD' && i['Number of Partitions'] === 4)
        )
          found.push({ stage: info, events });
      }
    }
    assert.strictEqual(found.length, 1, 'one stage read the partitioned JDBC RDD');
    const { stage, events } = found[0];
    assert.strictEqual(stage['Number of Tasks'], 4);
    const ends = events.filter((e) => e.Event === 'SparkListenerTaskEnd' && e['Stage ID'] === stage['Stage ID']);
    assert.deepStrictEqual(
      ends.map((e) => (e['Task Info'] as { 'Partition ID': number })['Partition ID']).sort(),
      [0, 1, 2, 3],
    );
  });

  it("a wrong password: Spark's error class, and the password is not in the message", async () => {
    const wrong = `not-${password}`;
    const err = (await client
      .createJdbcView({ ...orders, name: 'orders_mysql_wrong' }, wrong)
      .catch((e) => e)) as SparkConnectError;
    assert.ok(err instanceof SparkConnectError, String(err));
    assert.strictEqual(err.kind, 'spark');
    assert.strictEqual(err.errorClass, 'FAILED_JDBC.CONNECTION');
    // Spark's message redacts the URL; the database's own reason is the innermost cause (FetchErrorDetails).
    assert.match(
      err.message.split('\n')[0],
      /^\[FAILED_JDBC\.CONNECTION\] Failed JDBC jdbc:mysql:\*+\(redacted\) on the operation: Couldn't connect to the database/,
    );
    assert.match(err.message, /\nCaused by: .*Access denied for user 'spark'@'127\.0\.0\.1'/);
    assert.ok(!err.message.includes(wrong) && !err.message.includes(password));
  });

  it('the language server registers only the views a query names', () => {
    assert.strictEqual(sqlNamesView('SELECT * FROM orders_mysql o JOIN x', 'orders_mysql'), true);
    assert.strictEqual(sqlNamesView('select * from `ORDERS_MYSQL`', 'orders_mysql'), true);
    assert.strictEqual(sqlNamesView('SELECT * FROM orders_mysql_by_id', 'orders_mysql'), false);
    assert.strictEqual(sqlNamesView('SELECT 1', 'orders_mysql'), false);
  });

  it("the language server's session pool registers a configured view once per session and password", async () => {
    const sessions = new ConnectSessions();
    const target = { url: `sc://localhost:${spark.port}`, token: spark.token };
    const view = { ...orders, name: 'orders_mysql_lsp', password };
    try {
      assert.strictEqual(await sessions.registerJdbcView(target, view), true);
      assert.strictEqual(await sessions.registerJdbcView(target, view), false, 'unchanged: not registered again');
      const r = await sessions.get(target).executeSql('SELECT count(*) AS n FROM orders_mysql_lsp');
      assert.deepStrictEqual(rowsOf(r), [[100]]);
      const err = (await sessions
        .registerJdbcView(target, { ...view, password: 'wrong' })
        .catch((e) => e)) as SparkConnectError;
      assert.strictEqual(err.errorClass, 'FAILED_JDBC.CONNECTION');
    } finally {
      await sessions.dispose();
    }
  });

  it("the password is in none of Spark's listener events (its event log), where Spark writes each plan as text", async () => {
    // createJdbcView set spark.sql.redaction.string.regex on the session for the password option.
    const lines = (await eventLogLinesByApp(spark.eventLogDir)).flat();
    const planEvents = lines.filter((l) => l.includes('permitMysqlScheme'));
    assert.ok(planEvents.length > 0, 'the event log has the JDBC plans');
    assert.ok(planEvents.some((l) => l.includes('(redacted)')));
    assert.deepStrictEqual(
      lines.filter((l) => l.includes(password)).map((l) => (JSON.parse(l) as { Event: string }).Event),
      [],
    );
  });

  it('the CLI registers the view with the password from SPARK_OPTIMIZER_JDBC_PASSWORD and prints CSV', async () => {
    const args = [
      'query',
      '--remote',
      `sc://localhost:${spark.port}`,
      '--format',
      'csv',
      '--jdbc-view',
      'o',
      '--jdbc-url',
      url,
      '--jdbc-table',
      'orders',
    ];
    args.push(
      '--jdbc-user',
      'spark',
      '--jdbc-option',
      'driver=org.mariadb.jdbc.Driver',
      'SELECT id, customer FROM o WHERE id IN (1, 2) ORDER BY id',
    );
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn(BIN, args, {
        env: { ...process.env, SPARK_CONNECT_TOKEN: spark.token, SPARK_OPTIMIZER_JDBC_PASSWORD: password },
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(r.stdout, 'id,customer\r\n1,Zürich\r\n2,Köln\r\n');
    assert.ok(!r.stderr.includes(password));
  });
});
