/**
 * `collect` from Google Cloud Storage (`gs://`) against fake-gcs-server (Go module github.com/fsouza/fake-gcs-server,
 * built by scripts/install-object-store-tools.sh) started on 127.0.0.1 by the test: the same real event logs as the S3
 * test (every layout and codec, test/helpers/object-store-fixtures.ts) are uploaded, collected, and compared record by
 * record and figure by figure with the local-folder collection; a second run through the CLI reads nothing; 503 and 500
 * answers are retried; a connection
 * cut mid-object (test/helpers/fault-proxy.ts in front of the server) is resumed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Storage } from '@google-cloud/storage';
import { collectObjectStore } from '../../server/src/history/object-store/collect';
import { GcsObjectStore } from '../../server/src/history/object-store/gcs';
import { ObjectStoreError } from '../../server/src/history/object-store/object-store';
import { HistoryStore } from '../../server/src/store/history-store';
import { FaultProxy } from '../helpers/fault-proxy';
import { fakeGcsServer } from '../helpers/loopback-server';
import {
  assertBucketMatchesFolder,
  assertResumesCutObject,
  buildLayout,
  filesBelow,
  pool,
  runCli,
} from '../helpers/object-store-fixtures';

const BUCKET = 'dataproc-temp-logs';

describe('collect from Google Cloud Storage (fake-gcs-server on 127.0.0.1)', function () {
  this.timeout(600_000);
  const gcs = fakeGcsServer();
  let tmp: string;
  let logs: string;

  before(async () => {
    await gcs.start();
    const storage = new Storage({ apiEndpoint: gcs.url, projectId: 'test' });
    await storage.createBucket(BUCKET);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-gcs-'));
    logs = buildLayout(tmp);
    await pool(filesBelow(logs), 8, async (rel) => {
      await storage
        .bucket(BUCKET)
        .file(`spark-job-history/${rel}`)
        .save(fs.readFileSync(path.join(logs, rel)), { resumable: false, validation: false });
    });
  });

  after(async () => {
    await gcs.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('collects gs://bucket/prefix with the same records and figures as the local folder', async () => {
    await assertBucketMatchesFolder(
      tmp,
      logs,
      new GcsObjectStore(BUCKET, { endpointUrl: gcs.url }),
      'spark-job-history',
    );
  });

  it('collect --path gs://… through the CLI, then a second run downloads nothing', async () => {
    const db = path.join(tmp, 'cli.db');
    const url = `gs://${BUCKET}/spark-job-history/emr`;
    const first = await runCli('collect', '--path', url, '--endpoint-url', gcs.url, '--db', db, '--format', 'json');
    assert.strictEqual(first.code, 0, first.out.join('\n'));
    const one = JSON.parse(first.out.join('\n')) as {
      found: number;
      inserted: number;
      unchanged: number;
      listedObjects: number;
      downloadedObjects: number;
    };
    // examples/history: 9 rolling folders of 3 objects (appstatus_, its .crc, one events_ file), README.md,
    // manifest.json; each events_ object read twice (its first 8 bytes, then its body).
    assert.deepStrictEqual(
      [one.found, one.inserted, one.unchanged, one.listedObjects, one.downloadedObjects],
      [9, 9, 0, 29, 18],
    );
    const second = await runCli('collect', '--path', url, '--endpoint-url', gcs.url, '--db', db, '--format', 'json');
    const two = JSON.parse(second.out.join('\n')) as typeof one;
    assert.deepStrictEqual(
      [second.code, two.found, two.inserted, two.unchanged, two.downloadedObjects],
      [0, 9, 0, 9, 0],
    );
  });

  it('retries 503 and 500 answers with Retry-After (with its own backoff: the library does not read Retry-After)', async () => {
    // @google-cloud/storage retries idempotent calls on 5xx through retry-request, whose delay is its own
    // (2^attempt s + up to 1 s of jitter), without reading the header.
    const listing = new RegExp(`^GET /storage/v1/b/${BUCKET}/o\\?`);
    const proxy = new FaultProxy(gcs.port, [
      { requestLine: listing, times: 1, status: 503, retryAfterSeconds: 2 },
      { requestLine: listing, times: 1, status: 500, retryAfterSeconds: 1 },
    ]);
    await proxy.start();
    const store = HistoryStore.open(path.join(tmp, 'retry.db'));
    try {
      const s = await collectObjectStore(
        new GcsObjectStore(BUCKET, { endpointUrl: proxy.url }),
        'spark-job-history/emr',
        store,
      );
      assert.deepStrictEqual([s.found, s.inserted, s.failed.length], [9, 9, 0]);
      const lists = proxy.seen.filter((r) => listing.test(r.requestLine));
      assert.deepStrictEqual(
        lists.map((r) => r.fault),
        ['status', 'status', null],
      );
    } finally {
      store.close();
      await proxy.stop();
    }
  });

  it('without credentials, the library sends the listing to Google unauthenticated (caught on loopback: why it is not tested further)', async () => {
    // Google's own endpoint, no credentials anywhere: no key file, an empty gcloud folder, no metadata server (gcp-metadata's
    // METADATA_SERVER_DETECTION=none, and its host pointed at a closed loopback port). Every HTTP(S) connection the
    // library makes goes to a loopback proxy (HTTPS_PROXY) that records it and closes it, so nothing reaches Google.
    // @google-cloud/storage does not stop at "Could not load the default credentials": it sends the request without
    // them (public buckets answer such requests), so the answer to a call without credentials is Google's (401 for a
    // private bucket, reported as refused credentials) and cannot be had without reaching Google's servers.
    const connections: string[] = [];
    const trap = net.createServer((socket) => {
      socket.once('data', (d) => connections.push(String(d).split('\r\n')[0]));
      socket.on('error', () => undefined);
      setTimeout(() => socket.destroy(), 50);
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', () => r()));
    const proxyUrl = `http://127.0.0.1:${(trap.address() as net.AddressInfo).port}`;
    const env: Record<string, string | undefined> = {
      GOOGLE_APPLICATION_CREDENTIALS: undefined,
      GOOGLE_CLOUD_PROJECT: undefined,
      GCLOUD_PROJECT: undefined,
      CLOUDSDK_CONFIG: path.join(tmp, 'no-gcloud'),
      METADATA_SERVER_DETECTION: 'none',
      GCE_METADATA_HOST: '127.0.0.1:9',
      HTTPS_PROXY: proxyUrl,
      https_proxy: proxyUrl,
      HTTP_PROXY: proxyUrl,
      http_proxy: proxyUrl,
      NO_PROXY: undefined,
      no_proxy: undefined,
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const store = HistoryStore.open(path.join(tmp, 'nocred.db'));
    try {
      await assert.rejects(
        collectObjectStore(new GcsObjectStore(BUCKET), 'spark-job-history', store),
        (e: unknown) =>
          e instanceof ObjectStoreError &&
          e.kind === 'network' &&
          e.message.includes(
            `request to https://storage.googleapis.com/storage/v1/b/${BUCKET}/o?prefix=spark-job-history`,
          ),
      );
      // The one connection: a tunnel to Google's API host, refused by the trap.
      assert.deepStrictEqual([...new Set(connections)], ['CONNECT storage.googleapis.com:443 HTTP/1.1']);
    } finally {
      store.close();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await new Promise((r) => trap.close(r));
    }
  });

  it('resumes an object whose connection is cut mid-body', async () => {
    // objects.get alt=media: GET /download/storage/v1/b/BUCKET/o/KEY (the key URL-encoded) or /storage/v1/b/BUCKET/o/KEY.
    const key = encodeURIComponent(
      'spark-job-history/emr/eventlog_v2_app-20261121121550-0000/events_1_app-20261121121550-0000.zstd',
    );
    await assertResumesCutObject(
      tmp,
      logs,
      gcs.port,
      (url) => new GcsObjectStore(BUCKET, { endpointUrl: url }),
      'spark-job-history',
      `(/download)?/storage/v1/b/${BUCKET}/o/${key}`,
    );
  });
});
