/**
 * "Spark: Collect History from Object Storage" at the LSP level: the BUILT language server (server/out/server.js,
 * test/helpers/lsp-client.ts) answers `sparkOptimizer/collectObjectStore` (shared/src/protocol.ts
 * CollectObjectStoreRequest) against a real S3-compatible server, moto's server mode started on 127.0.0.1
 * (test/helpers/loopback-server.ts), holding the 9 real example runs of examples/history (rolling zstd folders) under
 * one prefix. The server process gets its credentials from its environment only (the AWS SDK's default chain), as the
 * editor's server does; the request carries none. Checked: the stored applications (ids, tasks and spill of
 * examples/history/README.md's table), the progress notifications, a second run that downloads nothing, a listing
 * without credentials (a failure of kind `credentials` naming the chain tried, and the editor's remedy for it), and a
 * URL that is not one.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import { CollectObjectStoreRequest, CollectProgressNotification, RequestErrorCodes } from '../../shared/src/protocol';
import { failureText, objectStoreRemedy } from '../../client/src/remedies';
import { HistoryStore } from '../../server/src/store/history-store';
import { EXAMPLE_HISTORY } from '../helpers/fixtures';
import { motoServer } from '../helpers/loopback-server';
import { LspClient } from '../helpers/lsp-client';
import { AWS_CHAIN_VARIABLES, filesBelow, MOTO_ENV, pool } from '../helpers/object-store-fixtures';

const BUCKET = 'lsp-event-logs';
/** The example runs' application ids (examples/history/README.md's table). */
const EXAMPLE_APP_IDS = [
  'app-20261121121550-0000',
  'app-20261121121652-0001',
  'app-20261121121748-0002',
  'app-20261121121849-0003',
  'app-20261121121947-0004',
  'app-20261121122041-0005',
  'app-20261121122131-0006',
  'app-20261121122226-0007',
  'app-20261121122321-0008',
];

/** The server's environment: this process's without the AWS chain's variables, plus `extra`. */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of AWS_CHAIN_VARIABLES) delete env[k];
  return { ...env, ...extra };
}

describe('LSP: collect from object storage (built server, moto on 127.0.0.1)', function () {
  this.timeout(300_000);
  const moto = motoServer();
  let tmp: string;
  let client: S3Client;

  before(async () => {
    await moto.start();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-lsp-s3-'));
    client = new S3Client({
      endpoint: moto.url,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await pool(filesBelow(EXAMPLE_HISTORY), 8, async (rel) => {
      await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `spark-events/${rel}`,
          Body: fs.readFileSync(path.join(EXAMPLE_HISTORY, rel)),
        }),
      );
    });
  });

  after(async () => {
    client?.destroy();
    await moto.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('stores the 9 example runs from s3://…, reports progress, and a second run downloads nothing', async () => {
    const db = path.join(tmp, 'lsp.db');
    const progress: CollectProgressNotification.Params[] = [];
    const lsp = await LspClient.start({
      configuration: () => ({}),
      rootUri: null,
      capabilities: {},
      historyDatabase: db,
      env: serverEnv(MOTO_ENV),
      onNotification: {
        [CollectProgressNotification.method]: (p: CollectProgressNotification.Params) => progress.push(p),
      },
    });
    try {
      const params = { url: `s3://${BUCKET}/spark-events`, endpointUrl: moto.url };
      const first = await lsp.conn.sendRequest(CollectObjectStoreRequest.type, params);
      assert.deepStrictEqual(first.failed, []);
      assert.strictEqual(first.store, 's3');
      // examples/history: 9 rolling folders of 3 objects (appstatus_, its .crc, one events_ file), README.md, manifest.json.
      assert.deepStrictEqual(
        [first.found, first.inserted, first.unchanged, first.storedApplications, first.listedObjects],
        [9, 9, 0, 9, 29],
      );
      // Each events_ file is read twice: its first 8 bytes (codec check), then its body.
      assert.strictEqual(first.downloadedObjects, 18);
      // One notification per log read, sent before the answer.
      assert.deepStrictEqual(
        progress.map((p) => [p.done, p.total]),
        [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [n, 9]),
      );
      assert.deepStrictEqual(
        progress.map((p) => p.path.replace(`s3://${BUCKET}/spark-events/eventlog_v2_`, '')).sort(),
        EXAMPLE_APP_IDS,
      );

      const second = await lsp.conn.sendRequest(CollectObjectStoreRequest.type, params);
      assert.deepStrictEqual(
        [second.found, second.inserted, second.unchanged, second.downloadedObjects, second.storedApplications],
        [9, 0, 9, 0, 9],
      );
    } finally {
      await lsp.stop();
    }
    // What the server stored, read back from its file: examples/history/README.md's figures.
    const store = HistoryStore.open(db);
    try {
      const runs = store.allRuns(100);
      assert.deepStrictEqual(runs.map((r) => r.appId).sort(), EXAMPLE_APP_IDS);
      const first = store.runById('app-20261121121550-0000')!;
      assert.deepStrictEqual(
        [first.appName, first.totalTasks, first.maxExecutors, first.diskBytesSpilled, first.memoryBytesSpilled],
        ['nightly_etl', 20, 2, 383971666, 2071184080],
      );
      assert.strictEqual(store.runById('app-20261121122226-0007')!.totalTasks, 2002);
    } finally {
      store.close();
    }
  });

  it('without credentials in its environment, fails the listing with kind credentials naming the chain tried', async () => {
    const lsp = await LspClient.start({
      configuration: () => ({}),
      rootUri: null,
      capabilities: {},
      historyDatabase: path.join(tmp, 'nocred.db'),
      env: serverEnv({
        AWS_REGION: 'us-east-1',
        // No files, and no instance metadata service to wait for on this machine.
        AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'no-credentials'),
        AWS_CONFIG_FILE: path.join(tmp, 'no-config'),
        AWS_EC2_METADATA_DISABLED: 'true',
      }),
    });
    try {
      const url = `s3://${BUCKET}/spark-events`;
      const s = await lsp.conn.sendRequest(CollectObjectStoreRequest.type, { url, endpointUrl: moto.url });
      assert.deepStrictEqual(
        [s.found, s.inserted, s.storedApplications, s.listedObjects, s.failed.length],
        [0, 0, 0, 0, 1],
      );
      const [f] = s.failed;
      assert.deepStrictEqual([f.path, f.kind], [url, 'credentials']);
      assert.match(f.reason, /no AWS credentials found/);
      for (const tried of [
        'environment (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY)',
        `profile "default" in ${path.join(tmp, 'no-credentials')}`,
        'EC2 instance metadata',
      ])
        assert.ok(f.reason.includes(tried), `names ${tried}: ${f.reason}`);
      // The editor's words (client/src/remedies.ts), as the client puts them after the reason.
      const shown = failureText(f, (kind) => objectStoreRemedy(kind, s.store));
      assert.strictEqual(
        shown,
        `${f.reason}; sign in with the AWS CLI (aws configure, or aws sso login with a profile) where VS Code runs, then collect again (the language server reads the files it writes; credentials are never read from settings)`,
      );
    } finally {
      await lsp.stop();
    }
  });

  it('answers collectionFailed for a URL that is not an object-store URL', async () => {
    const lsp = await LspClient.start({
      configuration: () => ({}),
      rootUri: null,
      capabilities: {},
      historyDatabase: path.join(tmp, 'badurl.db'),
      env: serverEnv(MOTO_ENV),
    });
    try {
      await assert.rejects(
        lsp.conn.sendRequest(CollectObjectStoreRequest.type, { url: 'ftp://host/logs', endpointUrl: '' }),
        (e: unknown) =>
          e instanceof ResponseError &&
          e.code === RequestErrorCodes.collectionFailed &&
          /ftp:\/\/host\/logs: scheme ftp: is not an object store this collector reads/.test(e.message),
      );
      await assert.rejects(
        lsp.conn.sendRequest(CollectObjectStoreRequest.type, { url: `s3://${BUCKET}/x`, endpointUrl: 'minio:9000' }),
        (e: unknown) =>
          e instanceof ResponseError &&
          e.code === RequestErrorCodes.collectionFailed &&
          /the endpoint minio:9000 is not an http:\/\/ or https:\/\/ URL/.test(e.message),
      );
    } finally {
      await lsp.stop();
    }
  });
});
