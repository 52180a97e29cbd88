/**
 * `collect` from Azure Blob Storage (`abfss://`, `wasbs://`) against a real Blob service: Azurite (npm `azurite`)
 * started on 127.0.0.1 by the test. The same real event logs as the S3 test (every layout and codec,
 * test/helpers/object-store-fixtures.ts) are uploaded, collected through the CLI's paths, and compared record by record
 * and figure by figure with the local-folder collection; a second run reads nothing; a blob rewritten with the same
 * size and Last-Modified is read again by its new ETag; 503 and 500 answers are retried; a refused key is told apart; a
 * connection cut mid-blob (test/helpers/fault-proxy.ts in front of Azurite) is resumed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { collectObjectStore } from '../../server/src/history/object-store/collect';
import { parseObjectStoreUrl } from '../../server/src/history/object-store/location';
import { openObjectStore } from '../../server/src/history/object-store/open';
import { HistoryStore } from '../../server/src/store/history-store';
import { FaultProxy } from '../helpers/fault-proxy';
import { AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY, azuriteBlobServer } from '../helpers/loopback-server';
import {
  assertBucketMatchesFolder,
  assertRereadsSameSizeAndTimeRewrite,
  assertResumesCutObject,
  buildLayout,
  filesBelow,
  pool,
  runCli,
} from '../helpers/object-store-fixtures';

const CONTAINER = 'spark-logs';

describe('collect from Azure Blob Storage (Azurite on 127.0.0.1)', function () {
  this.timeout(600_000);
  const azurite = azuriteBlobServer();
  let tmp: string;
  let logs: string;
  let endpoint: string;
  const saved = { key: process.env.AZURE_STORAGE_KEY, conn: process.env.AZURE_STORAGE_CONNECTION_STRING };

  before(async () => {
    await azurite.start();
    endpoint = `${azurite.url}/${AZURITE_ACCOUNT}`;
    const service = new BlobServiceClient(
      endpoint,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY),
    );
    const container = service.getContainerClient(CONTAINER);
    await container.create();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-azure-'));
    logs = buildLayout(tmp);
    await pool(filesBelow(logs), 8, async (rel) => {
      const body = fs.readFileSync(path.join(logs, rel));
      await container.getBlockBlobClient(`cluster-logs/${rel}`).upload(body, body.length);
    });
    delete process.env.AZURE_STORAGE_CONNECTION_STRING;
    process.env.AZURE_STORAGE_KEY = AZURITE_ACCOUNT_KEY;
  });

  after(async () => {
    await azurite.stop();
    if (saved.key === undefined) delete process.env.AZURE_STORAGE_KEY;
    else process.env.AZURE_STORAGE_KEY = saved.key;
    if (saved.conn !== undefined) process.env.AZURE_STORAGE_CONNECTION_STRING = saved.conn;
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('collects abfss://container@account.dfs.core.windows.net/prefix with the same records and figures as the local folder', async () => {
    const location = parseObjectStoreUrl(`abfss://${CONTAINER}@${AZURITE_ACCOUNT}.dfs.core.windows.net/cluster-logs`);
    const { store, close } = openObjectStore(location, { endpointUrl: endpoint });
    try {
      assert.strictEqual(store.base, `abfss://${CONTAINER}@${AZURITE_ACCOUNT}.dfs.core.windows.net`);
      await assertBucketMatchesFolder(tmp, logs, store, location.prefix);
    } finally {
      close();
    }
  });

  it('collect --path wasbs://… through the CLI, then a second run downloads nothing', async () => {
    const db = path.join(tmp, 'cli.db');
    const url = `wasbs://${CONTAINER}@${AZURITE_ACCOUNT}.blob.core.windows.net/cluster-logs/emr`;
    const first = await runCli('collect', '--path', url, '--endpoint-url', endpoint, '--db', db, '--format', 'json');
    assert.strictEqual(first.code, 0, first.out.join('\n'));
    const one = JSON.parse(first.out.join('\n')) as {
      found: number;
      inserted: number;
      unchanged: number;
      listedObjects: number;
      downloadedObjects: number;
    };
    // examples/history: 9 rolling folders of 3 blobs (appstatus_, its .crc, one events_ file), README.md, manifest.json;
    // each events_ blob read twice (its first 8 bytes, then its body).
    assert.deepStrictEqual(
      [one.found, one.inserted, one.unchanged, one.listedObjects, one.downloadedObjects],
      [9, 9, 0, 29, 18],
    );
    const second = await runCli('collect', '--path', url, '--endpoint-url', endpoint, '--db', db, '--format', 'json');
    const two = JSON.parse(second.out.join('\n')) as typeof one;
    assert.deepStrictEqual(
      [second.code, two.found, two.inserted, two.unchanged, two.downloadedObjects],
      [0, 9, 0, 9, 0],
    );
  });

  it('reads again a blob rewritten with the same size and Last-Modified (a new ETag), and skips it while its ETag is unchanged', async () => {
    const location = parseObjectStoreUrl(`abfss://${CONTAINER}@${AZURITE_ACCOUNT}.dfs.core.windows.net/etag`);
    const { store, close } = openObjectStore(location, { endpointUrl: endpoint });
    const container = new BlobServiceClient(
      endpoint,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY),
    ).getContainerClient(CONTAINER);
    try {
      const { versions } = await assertRereadsSameSizeAndTimeRewrite(tmp, store, 'etag', async (key, body) => {
        await container.getBlockBlobClient(key).upload(body, body.length);
      });
      // Azure's ETags are opaque (`0x8D…`), a new one for each write.
      assert.match(versions[0], /^0x[0-9A-F]+$/);
    } finally {
      close();
    }
  });

  it('a refused key says the credentials were refused', async () => {
    process.env.AZURE_STORAGE_KEY = Buffer.from('not the account key').toString('base64');
    try {
      const url = `abfss://${CONTAINER}@${AZURITE_ACCOUNT}.dfs.core.windows.net/cluster-logs`;
      const r = await runCli(
        'collect',
        '--path',
        url,
        '--endpoint-url',
        endpoint,
        '--db',
        path.join(tmp, 'refused.db'),
      );
      assert.strictEqual(r.code, 2);
      assert.match(
        r.out.join('\n'),
        /listing abfss:\/\/spark-logs@devstoreaccount1\.dfs\.core\.windows\.net\/cluster-logs .*: the credentials were refused \((AuthorizationFailure|AuthenticationFailed): Server failed to authenticate/,
      );
    } finally {
      process.env.AZURE_STORAGE_KEY = AZURITE_ACCOUNT_KEY;
    }
  });

  it('retries 503 and 500 answers with Retry-After (with its own backoff: the storage SDK does not read Retry-After)', async () => {
    // @azure/storage-blob replaces core-rest-pipeline's retry policies (whose throttling policy reads Retry-After) by
    // its own StorageRetryPolicy (exponential, from 4 s), which retries 500 and 503 without reading the header.
    const listing = new RegExp(`^GET /${AZURITE_ACCOUNT}/${CONTAINER}\\?.*comp=list`);
    const proxy = new FaultProxy(azurite.port, [
      { requestLine: listing, times: 1, status: 503, retryAfterSeconds: 2 },
      { requestLine: listing, times: 1, status: 500, retryAfterSeconds: 1 },
    ]);
    await proxy.start();
    const location = parseObjectStoreUrl(
      `abfss://${CONTAINER}@${AZURITE_ACCOUNT}.dfs.core.windows.net/cluster-logs/emr`,
    );
    const { store: bucket, close } = openObjectStore(location, { endpointUrl: `${proxy.url}/${AZURITE_ACCOUNT}` });
    const store = HistoryStore.open(path.join(tmp, 'retry.db'));
    try {
      const s = await collectObjectStore(bucket, location.prefix, store);
      assert.deepStrictEqual([s.found, s.inserted, s.failed.length], [9, 9, 0]);
      const lists = proxy.seen.filter((r) => listing.test(r.requestLine));
      assert.deepStrictEqual(
        lists.map((r) => r.fault),
        ['status', 'status', null],
      );
    } finally {
      close();
      store.close();
      await proxy.stop();
    }
  });

  it('resumes a blob whose connection is cut mid-body', async () => {
    const key = 'cluster-logs/emr/eventlog_v2_app-20261121121550-0000/events_1_app-20261121121550-0000.zstd';
    const location = parseObjectStoreUrl(`abfss://${CONTAINER}@${AZURITE_ACCOUNT}.dfs.core.windows.net/cluster-logs`);
    await assertResumesCutObject(
      tmp,
      logs,
      azurite.port,
      (url) => openObjectStore(location, { endpointUrl: `${url}/${AZURITE_ACCOUNT}` }).store,
      'cluster-logs',
      `/${AZURITE_ACCOUNT}/${CONTAINER}/${key}`,
    );
  });
});
