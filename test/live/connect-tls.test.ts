/**
 * TLS with a custom CA: Spark's Connect server speaks plain gRPC, so (as in deployments behind a TLS-terminating
 * proxy) a small TLS front written here (Node `tls`, ALPN h2, bytes piped both ways) sits before the real server of
 * this test run, with a throwaway CA and server certificate made by the openssl CLI (test/helpers/test-ca.ts). The client verifies the
 * certificate against the CA it is given, and refuses it without.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import { ipcRows } from '../../shared/src/arrow-values';
import { SparkConnectClient } from '../../server/src/connect/client';
import type { SparkConnectError } from '../../server/src/connect/errors';
import { sharedConnectServer, type ConnectServerProcess } from '../helpers/connect-server-process';
import { makeTestCa } from '../helpers/test-ca';

describe('Spark Connect over TLS with a custom CA', function () {
  this.timeout(240_000);
  let spark: ConnectServerProcess;
  let front: tls.Server;
  let port: number;
  let caPem: Buffer;

  before(async function () {
    this.timeout(600_000); // the Spark JVM starts in 30 s on an idle machine, minutes on a busy one
    spark = await sharedConnectServer();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-connect-tls-'));
    const ca = makeTestCa(dir);
    caPem = ca.caPem;
    front = tls.createServer(
      { key: fs.readFileSync(ca.keyFile), cert: fs.readFileSync(ca.certFile), ALPNProtocols: ['h2'] },
      (socket) => {
        const upstream = net.connect(spark.port, '127.0.0.1');
        socket.pipe(upstream).pipe(socket);
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
      },
    );
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
    port = (front.address() as net.AddressInfo).port;
  });

  after(() => {
    front?.close();
  });

  it('verifies the server certificate against the given CA and runs a query', async () => {
    const client = new SparkConnectClient({ url: `sc://localhost:${port}/;use_ssl=true;token=${spark.token}`, caPem });
    try {
      assert.strictEqual(await client.sparkVersion(), '4.3.0');
      const r = await client.executeSql("SELECT 'über TLS' AS s");
      assert.deepStrictEqual(ipcRows(r.batches, r.columns), [['über TLS']]);
    } finally {
      await client.close();
    }
  });

  it('refuses the certificate without the CA (TLS verified by default)', async () => {
    const client = new SparkConnectClient({
      url: `sc://localhost:${port}/;use_ssl=true;token=${spark.token}`,
      callTimeoutMs: 10_000,
    });
    const err = (await client.sparkVersion().catch((e) => e)) as SparkConnectError;
    await client.close();
    assert.ok(err.kind === 'tls' || err.kind === 'unavailable', `${err.kind}: ${err.message}`);
    assert.match(err.details.serverMessage ?? '', /certificate/i);
  });
});
