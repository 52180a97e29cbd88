/**
 * The service's sources other than a folder, against real servers on 127.0.0.1, each collected by
 * `POST /api/v1/collect` of the configured source through the service (in process, SQLite), its records compared with
 * the local folder's figure by figure, and a second collection reading nothing:
 * - kind object-store (issue 17: object-store sources in the service config): moto's S3 server mode
 *   (scripts/install-object-store-tools.sh), the example logs (examples/history, 9 applications in rolling zstd
 *   folders) uploaded under a prefix;
 * - kind history-server: Spark's own History Server (the pip-installed pyspark's) over the same logs.
 * The folder kind, the lease and two instances: test/service-collections.test.ts, live/service-collect-lease.test.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import type { ApplicationRecord } from '../../server/src/history/application-record';
import { collectEventLogs } from '../../server/src/history/collect';
import { buildService } from '../../server/src/service/app';
import { Collections } from '../../server/src/service/collections';
import { serviceConfig } from '../../server/src/service/config';
import { newToken } from '../../server/src/service/tokens';
import { HistoryStore } from '../../server/src/store/history-store';
import { SqliteServiceStore } from '../../server/src/store/sqlite-service-store';
import { EXAMPLE_HISTORY } from '../helpers/fixtures';
import { freePort, RealHistoryServer } from '../helpers/history-server-process';
import { motoServer } from '../helpers/loopback-server';
import { sparkHome } from '../helpers/spark-home';
import { filesBelow, MOTO_ENV, pool, recordsOf } from '../helpers/object-store-fixtures';

const BUCKET = 'team-spark-logs';

describe('service source of kind object-store (moto S3 on 127.0.0.1)', function () {
  this.timeout(600_000);
  const moto = motoServer();
  let tmp: string;
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
    await pool(filesBelow(EXAMPLE_HISTORY), 8, async (rel) => {
      await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `emr/eventlogs/${rel}`,
          Body: fs.readFileSync(path.join(EXAMPLE_HISTORY, rel)),
        }),
      );
    });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-svc-s3-'));
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

  it('collects the configured bucket prefix through POST /api/v1/collect, equal to the local folder', async () => {
    // The source as a config file gives it (endpoint and region are config; credentials come from the SDK's chain).
    await collectThroughService(
      tmp,
      `sources:\n  - { name: emr, kind: object-store, url: "s3://${BUCKET}/emr/eventlogs", endpointUrl: "${moto.url}", region: us-east-1 }\n`,
      'emr',
      'object-store',
    );
  });
});

describe("service source of kind history-server (Spark's History Server on 127.0.0.1)", function () {
  this.timeout(600_000);
  let tmp: string;
  let shs: RealHistoryServer;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-svc-shs-'));
    const logDir = path.join(tmp, 'logs');
    // Spark's FsHistoryProvider reads the folder's entries: the 9 rolling folders (README and manifest are skipped).
    fs.cpSync(EXAMPLE_HISTORY, logDir, { recursive: true });
    const ids = fs
      .readdirSync(logDir)
      .filter((n) => n.startsWith('eventlog_v2_'))
      .map((n) => n.slice('eventlog_v2_'.length));
    shs = new RealHistoryServer(logDir, await freePort(), sparkHome(), path.join(tmp, 'history-server.out'));
    await shs.start(ids);
  });

  after(async () => {
    await shs?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('collects the configured History Server through POST /api/v1/collect, equal to the local folder', async () => {
    await collectThroughService(
      tmp,
      `sources:\n  - { name: shs, kind: history-server, url: "${shs.url}", timeout: 60s }\n`,
      'shs',
      'history-server',
    );
  });
});

/**
 * Configures the service with `configText`, collects source `name` twice through POST /api/v1/collect, and checks the
 * collections' counts (9 example applications stored, then none read again) and the records against the local
 * folder's, figure by figure (where they were read from is not part of a record).
 */
async function collectThroughService(tmp: string, configText: string, name: string, kind: string): Promise<void> {
  const config = serviceConfig(configText, 'service.yaml', {}, {});
  const store = SqliteServiceStore.open(path.join(tmp, `${name}.db`));
  const collections = new Collections({ store, sources: config.sources, holder: 'svc-test' });
  let app: FastifyInstance | null = null;
  try {
    const service = await buildService({ store, collections });
    app = service;
    const t = newToken();
    await store.createToken({ name: 'ci', scope: 'collect', tokenSha256: t.tokenSha256, createdAtMs: Date.now() });
    const collect = async () => {
      const r = await service.inject({
        method: 'POST',
        url: '/api/v1/collect',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ source: name }),
      });
      assert.strictEqual(r.statusCode, 202, r.body);
      await collections.idle();
      const done = await service.inject({
        method: 'GET',
        url: r.headers.location as string,
        headers: { authorization: `Bearer ${t.token}` },
      });
      return done.json();
    };
    const first = await collect();
    assert.strictEqual(first.state, 'succeeded', JSON.stringify(first.errors));
    assert.strictEqual(first.sourceKind, kind);
    assert.deepStrictEqual(first.progress, {
      logsFound: 9,
      logsRead: 9,
      logsStored: 9,
      logsSkipped: 0,
      logsFailed: 0,
      applicationsStored: 9,
    });
    const second = await collect();
    assert.deepStrictEqual([second.state, second.progress.logsRead, second.progress.logsStored], ['succeeded', 0, 0]);
    const local = HistoryStore.open(path.join(tmp, `${name}-local.db`));
    try {
      assert.strictEqual((await collectEventLogs(EXAMPLE_HISTORY, local)).inserted, 9);
      const collected: Map<string, ApplicationRecord> = recordsOf(store.store);
      const fromFolder = recordsOf(local);
      assert.deepStrictEqual([...collected.keys()].sort(), [...fromFolder.keys()].sort());
      for (const [key, r] of fromFolder) assert.deepStrictEqual(collected.get(key), r, key);
    } finally {
      local.close();
    }
  } finally {
    await collections.stop();
    await app?.close();
    await store.close();
  }
}
