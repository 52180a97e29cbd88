/**
 * Delta Lake through Spark Connect, on REAL servers:
 * - a Spark Connect server of the Spark line the newest Delta Lake release is built for (pyspark 4.2.1 in its own
 *   virtual environment, `--packages io.delta:delta-spark_2.13:4.4.0` resolved at set-up into a private Ivy folder:
 *   scripts/install-delta.sh; the test downloads nothing and checks that Spark's Ivy did not either), with Delta's
 *   SQL extension and catalog as Delta's documentation configures them;
 * - the default server (Spark 4.3, no Delta) for the error a user gets there.
 * A table is written in three versions (CTAS, INSERT, UPDATE), then read by path and by name, as of each version,
 * and its history is listed. Every expected value follows from those statements, worked out by hand.
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SparkConnectClient, type QueryResult } from '../../server/src/connect/client';
import { SparkConnectError } from '../../server/src/connect/errors';
import { ipcRows } from '../../shared/src/arrow-values';
import { ConnectServerProcess, sharedConnectServer } from '../helpers/connect-server-process';
import { freePort } from '../helpers/history-server-process';
import { deltaSetup } from '../helpers/spark-extras';

const rowsOf = (r: QueryResult) => ipcRows(r.batches, r.columns);

describe('Delta Lake tables on a Spark Connect server with delta-spark', function () {
  this.timeout(300_000);
  let server: ConnectServerProcess;
  let client: SparkConnectClient;
  let tablePath: string;
  const setup = deltaSetup();

  before(async function () {
    this.timeout(900_000); // Spark's JVM and its Ivy resolution (from the local folder) take minutes on a busy machine
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-connect-delta-'));
    server = new ConnectServerProcess(
      await freePort(),
      crypto.randomBytes(18).toString('hex'),
      dir,
      {
        // Delta's documented session settings (delta.io "Quickstart": configure SparkSession).
        'spark.sql.extensions': 'io.delta.sql.DeltaSparkSessionExtension',
        'spark.sql.catalog.spark_catalog': 'org.apache.spark.sql.delta.catalog.DeltaCatalog',
      },
      { sparkHome: setup.sparkHome, packages: [setup.deltaPackage], ivyDir: setup.ivyDir },
    );
    await server.start();
    client = new SparkConnectClient({ url: server.url });
    tablePath = path.join(server.dataDir, 'orders_delta');
    // Version 0: three orders; version 1: a fourth; version 2: order 2's amount changed.
    await client.executeSql(`CREATE TABLE delta.\`${tablePath}\` USING delta AS
      SELECT * FROM VALUES (1, 'Zürich', CAST(10.50 AS DECIMAL(8,2))), (2, 'Köln', CAST(20.00 AS DECIMAL(8,2))),
        (3, '東京', CAST(30.25 AS DECIMAL(8,2))) AS t(id, city, amount)`);
    await client.executeSql(`INSERT INTO delta.\`${tablePath}\` VALUES (4, 'Lyon', 40.75)`);
    await client.executeSql(`UPDATE delta.\`${tablePath}\` SET amount = amount * 2 WHERE id = 2`);
  });

  after(async () => {
    await client?.close();
    await server?.stop();
  });

  it('runs on the Spark line of the Delta release, with the package taken from the set-up folder (nothing downloaded)', async () => {
    assert.strictEqual(await client.sparkVersion(), setup.sparkVersion);
    const log = fs.readFileSync(server.outFile, 'utf8');
    assert.match(log, new RegExp(`io\\.delta#delta-spark_2\\.13;${setup.deltaVersion.replace(/\./g, '\\.')}`));
    assert.doesNotMatch(log, /downloading https?:/, 'Ivy downloaded something at test time');
  });

  it('reads the table by path: the latest version', async () => {
    const r = await client.executeSql(`SELECT id, city, amount FROM delta.\`${tablePath}\` ORDER BY id`);
    assert.deepStrictEqual(
      r.columns.map((c) => `${c.name}:${c.type.name}`),
      ['id:int', 'city:string', 'amount:decimal(8,2)'],
    );
    assert.deepStrictEqual(rowsOf(r), [
      [1, 'Zürich', '10.50'],
      [2, 'Köln', '40.00'],
      [3, '東京', '30.25'],
      [4, 'Lyon', '40.75'],
    ]);
    // The transaction log Delta wrote: one commit file per version.
    const commits = fs.readdirSync(path.join(tablePath, '_delta_log')).filter((f) => /^\d{20}\.json$/.test(f));
    assert.deepStrictEqual(commits.sort(), [
      '00000000000000000000.json',
      '00000000000000000001.json',
      '00000000000000000002.json',
    ]);
  });

  it('time travel: VERSION AS OF 0 and 1 give the table as it was', async () => {
    const v0 = await client.executeSql(`SELECT id, amount FROM delta.\`${tablePath}\` VERSION AS OF 0 ORDER BY id`);
    assert.deepStrictEqual(rowsOf(v0), [
      [1, '10.50'],
      [2, '20.00'],
      [3, '30.25'],
    ]);
    const v1 = await client.executeSql(
      `SELECT count(*) AS n, sum(amount) AS total FROM delta.\`${tablePath}\` VERSION AS OF 1`,
    );
    // 10.50 + 20.00 + 30.25 + 40.75 = 101.50; sum of decimal(8,2) is decimal(18,2).
    assert.deepStrictEqual(rowsOf(v1), [[4, '101.50']]);
  });

  it('reads the table by name (a catalog table on the same files) and lists DESCRIBE HISTORY', async () => {
    await client.executeSql('DROP TABLE IF EXISTS orders_delta');
    await client.executeSql(`CREATE TABLE orders_delta USING delta LOCATION '${tablePath}'`);
    const r = await client.executeSql('SELECT sum(amount) AS total FROM orders_delta');
    // 10.50 + 40.00 + 30.25 + 40.75 = 121.50
    assert.deepStrictEqual(rowsOf(r), [['121.50']]);
    const old = await client.executeSql('SELECT count(*) FROM orders_delta VERSION AS OF 0');
    assert.deepStrictEqual(rowsOf(old), [[3]]);
    const h = await client.executeSql('DESCRIBE HISTORY orders_delta');
    const col = (name: string) => h.columns.findIndex((c) => c.name === name);
    assert.ok(col('version') >= 0 && col('operation') >= 0, h.columns.map((c) => c.name).join(','));
    const history = rowsOf(h).map((row) => [row[col('version')], row[col('operation')]]);
    // Newest first: Delta's operation names for UPDATE, INSERT INTO and CREATE TABLE ... AS SELECT.
    assert.deepStrictEqual(history, [
      [2, 'UPDATE'],
      [1, 'WRITE'],
      [0, 'CREATE TABLE AS SELECT'],
    ]);
    assert.strictEqual(h.columns[col('version')].type.name, 'bigint');
  });
});

describe('Delta Lake on a Spark Connect server without it (the default Spark 4.3 server)', function () {
  this.timeout(240_000);
  let client: SparkConnectClient;

  before(async function () {
    this.timeout(600_000);
    const server = await sharedConnectServer();
    client = new SparkConnectClient({ url: server.url });
  });
  after(async () => {
    await client?.close();
  });

  it("creating a Delta table fails with Spark's DATA_SOURCE_NOT_FOUND and says what the server is missing", async () => {
    const err = (await client
      .executeSql('CREATE TABLE no_delta_here USING delta AS SELECT 1 AS id')
      .catch((e) => e)) as SparkConnectError;
    assert.ok(err instanceof SparkConnectError, String(err));
    assert.strictEqual(err.errorClass, 'DATA_SOURCE_NOT_FOUND');
    assert.strictEqual(err.details.sqlState, '42K02');
    assert.deepStrictEqual(err.details.messageParameters, { provider: 'delta' });
    assert.match(err.message, /Delta Lake/);
    assert.match(err.message, /io\.delta:delta-spark_2\.13/);
  });
});
