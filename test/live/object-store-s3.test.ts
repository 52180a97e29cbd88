/**
 * `collect` from S3 against a real S3-compatible server: moto's server mode (PyPI moto, scripts/install-object-store-tools.sh)
 * started on 127.0.0.1 by the test. The real event logs of examples/history and test/fixtures (rolling zstd folders,
 * single lz4/snappy/lzf/zstd files, `.inprogress` logs, a Databricks `eventlog` + dated `.gz` part, a Spark 1.2 legacy
 * folder, several attempts) are uploaded, collected from the bucket, and compared record by record and figure by figure
 * with the local-folder collection of the same files. Faults: no credentials, 10,000 objects under a prefix, a second
 * run, an object rewritten with the same size and Last-Modified (found by its ETag), a connection cut mid-object, and 503/500 answers with Retry-After (the last two through test/helpers/fault-proxy.ts
 * in front of moto: every byte that is not a fault comes from moto).
 */
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { collectObjectStore } from '../../server/src/history/object-store/collect';
import { S3ObjectStore } from '../../server/src/history/object-store/s3';
import { HistoryStore } from '../../server/src/store/history-store';
import { FaultProxy } from '../helpers/fault-proxy';
import { motoServer } from '../helpers/loopback-server';
import {
  assertBucketMatchesFolder,
  assertRereadsSameSizeAndTimeRewrite,
  assertResumesCutObject,
  AWS_CHAIN_VARIABLES,
  buildLayout,
  filesBelow,
  FIXTURES,
  MOTO_ENV,
  pool,
  runCli,
} from '../helpers/object-store-fixtures';

const BUCKET = 'spark-event-logs';

describe('collect from S3 (moto server on 127.0.0.1)', function () {
  this.timeout(600_000);
  const moto = motoServer();
  let tmp: string;
  let logs: string;
  let client: S3Client;
  const savedEnv: Record<string, string | undefined> = {};

  before(async () => {
    for (const k of Object.keys(MOTO_ENV)) savedEnv[k] = process.env[k];
    Object.assign(process.env, MOTO_ENV);
    await moto.start();
    client = new S3Client({
      endpoint: moto.url,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    // One folder with every layout, uploaded as it is under the prefix `logs/`.
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-s3-'));
    logs = buildLayout(tmp);
    await upload(logs, 'logs');
  });

  after(async () => {
    client?.destroy();
    await moto.stop();
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function upload(dir: string, prefix: string): Promise<void> {
    await pool(filesBelow(dir), 8, async (rel) => {
      await client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${rel}`, Body: fs.readFileSync(path.join(dir, rel)) }),
      );
    });
  }

  it('collects every layout and codec from the bucket with the same records and figures as the local folder', async () => {
    const s3 = new S3ObjectStore(BUCKET, { endpointUrl: moto.url });
    try {
      await assertBucketMatchesFolder(tmp, logs, s3, 'logs');
    } finally {
      s3.close();
    }
  });

  it('collect --path s3://… through the CLI, then a second run downloads nothing', async () => {
    const db = path.join(tmp, 'cli.db');
    const url = `s3://${BUCKET}/logs/emr`;
    const first = await runCli(
      'collect',
      '--source',
      'event-logs',
      '--path',
      url,
      '--endpoint-url',
      moto.url,
      '--db',
      db,
      '--format',
      'json',
    );
    assert.strictEqual(first.code, 0, first.out.join('\n'));
    const one = JSON.parse(first.out.join('\n')) as {
      found: number;
      inserted: number;
      unchanged: number;
      listedObjects: number;
      downloadedObjects: number;
    };
    // examples/history: 9 rolling folders of 3 objects (appstatus_, its .crc, one events_ file), README.md, manifest.json.
    assert.deepStrictEqual([one.found, one.inserted, one.unchanged, one.listedObjects], [9, 9, 0, 29]);
    // Each events_ file is read twice: its first 8 bytes (codec check), then its body.
    assert.strictEqual(one.downloadedObjects, 18);
    const second = await runCli(
      'collect',
      '--source',
      'event-logs',
      '--path',
      url,
      '--endpoint-url',
      moto.url,
      '--db',
      db,
      '--format',
      'json',
    );
    assert.strictEqual(second.code, 0);
    const two = JSON.parse(second.out.join('\n')) as typeof one;
    assert.deepStrictEqual([two.found, two.inserted, two.unchanged, two.downloadedObjects], [9, 0, 9, 0]);
    // A log written again with the same bytes has a new Last-Modified but the same ETag: not read again.
    // S3's Last-Modified counts whole seconds: wait one, so the new version cannot carry the old one's time.
    await new Promise((r) => setTimeout(r, 1_100));
    const key = 'logs/emr/eventlog_v2_app-20261121122321-0008/events_1_app-20261121122321-0008.zstd';
    const before = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: fs.readFileSync(path.join(logs, key.slice('logs/'.length))),
      }),
    );
    const after = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.ok(after.LastModified!.getTime() > before.LastModified!.getTime());
    assert.strictEqual(after.ETag, before.ETag);
    const third = await runCli(
      'collect',
      '--source',
      'event-logs',
      '--path',
      url,
      '--endpoint-url',
      moto.url,
      '--db',
      db,
      '--format',
      'json',
    );
    const three = JSON.parse(third.out.join('\n')) as typeof one;
    assert.deepStrictEqual([three.found, three.unchanged, three.downloadedObjects], [9, 9, 0]);
  });

  it('skips an object whose ETag is unchanged and reads again one rewritten with the same size and Last-Modified', async () => {
    const s3 = new S3ObjectStore(BUCKET, { endpointUrl: moto.url });
    try {
      const { a, b, versions } = await assertRereadsSameSizeAndTimeRewrite(tmp, s3, 'etag', async (key, body) => {
        await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
      });
      // S3's ETag of an object put in one part is the MD5 of its bytes (moto computes it the same way).
      assert.deepStrictEqual(versions, [
        createHash('md5').update(a).digest('hex'),
        createHash('md5').update(b).digest('hex'),
      ]);
    } finally {
      s3.close();
    }
  });

  it('without credentials, says the chain it tried and what to set', async () => {
    const cleared = AWS_CHAIN_VARIABLES;
    const saved = Object.fromEntries(cleared.map((k) => [k, process.env[k]]));
    for (const k of cleared) delete process.env[k];
    // No files, and no instance metadata service to wait for on this machine.
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(tmp, 'no-credentials');
    process.env.AWS_CONFIG_FILE = path.join(tmp, 'no-config');
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    try {
      const r = await runCli(
        'collect',
        '--path',
        `s3://${BUCKET}/logs`,
        '--endpoint-url',
        moto.url,
        '--db',
        path.join(tmp, 'nocred.db'),
      );
      assert.strictEqual(r.code, 2);
      const text = r.out.join('\n');
      assert.match(
        text,
        /listing s3:\/\/spark-event-logs\/logs \(s3:\/\/spark-event-logs at http:\/\/127\.0\.0\.1:\d+\): no AWS credentials found/,
      );
      for (const tried of [
        'environment (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY)',
        'SSO',
        `profile "default" in ${path.join(tmp, 'no-credentials')}`,
        'web identity',
        'EC2 instance metadata',
      ]) {
        assert.ok(text.includes(tried), `names ${tried}: ${text}`);
      }
      assert.match(text, /Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE/);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('lists 10,000 objects under a prefix page by page and finds the logs among them', async () => {
    // 9,997 small objects that are not logs (Spark's .crc files and YARN-style notes), in one folder, plus 3 real logs.
    const junk = Array.from({ length: 9_997 }, (_, i) => `bulk/notes/n-${String(i).padStart(5, '0')}.txt`);
    await pool(junk, 32, async (key) => {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }));
    });
    const single = path.join(FIXTURES, 'spark-codecs', 'single');
    const logsHere = fs.readdirSync(single).slice(0, 3);
    for (const f of logsHere)
      await client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `bulk/${f}`, Body: fs.readFileSync(path.join(single, f)) }),
      );
    const store = HistoryStore.open(path.join(tmp, 'bulk.db'));
    const s3 = new S3ObjectStore(BUCKET, { endpointUrl: moto.url });
    try {
      const s = await collectObjectStore(s3, 'bulk', store, { maxDepth: 8 });
      assert.strictEqual(s.listedObjects, 10_000);
      assert.deepStrictEqual([s.found, s.inserted, s.failed.length], [3, 3, 0]);
      // Only the logs were downloaded (a head read and a body each), none of the 9,997 other objects.
      assert.strictEqual(s.downloadedObjects, 6);
    } finally {
      s3.close();
      store.close();
    }
  });

  it('resumes an object whose connection is cut mid-body', async () => {
    const key = 'logs/emr/eventlog_v2_app-20261121121550-0000/events_1_app-20261121121550-0000.zstd';
    await assertResumesCutObject(
      tmp,
      logs,
      moto.port,
      (url) => new S3ObjectStore(BUCKET, { endpointUrl: url }),
      'logs',
      `/${BUCKET}/${key}`,
    );
  });

  it('waits out 503 and 500 answers for at least their Retry-After', async () => {
    const listing = new RegExp(`^GET /${BUCKET}/\\?list-type=2`);
    const proxy = new FaultProxy(moto.port, [
      { requestLine: listing, times: 1, status: 503, retryAfterSeconds: 2 },
      { requestLine: listing, times: 1, status: 500, retryAfterSeconds: 1 },
    ]);
    await proxy.start();
    const store = HistoryStore.open(path.join(tmp, 'retry.db'));
    const s3 = new S3ObjectStore(BUCKET, { endpointUrl: proxy.url });
    try {
      const s = await collectObjectStore(s3, 'logs/emr', store);
      assert.deepStrictEqual([s.found, s.inserted, s.failed.length], [9, 9, 0]);
      const lists = proxy.seen.filter((r) => listing.test(r.requestLine));
      assert.deepStrictEqual(
        lists.map((r) => r.fault),
        ['status', 'status', null],
      );
      assert.ok(
        lists[1].atMs - lists[0].atMs >= 1_900,
        `waited ${lists[1].atMs - lists[0].atMs} ms after Retry-After: 2`,
      );
      assert.ok(
        lists[2].atMs - lists[1].atMs >= 900,
        `waited ${lists[2].atMs - lists[1].atMs} ms after Retry-After: 1`,
      );
    } finally {
      s3.close();
      store.close();
      await proxy.stop();
    }
  });
});
