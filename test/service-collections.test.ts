/**
 * The service's collections on SQLite (in process): the lease per source (two store connections on one file, as two
 * service instances would have), POST /api/v1/collect and GET /api/v1/collections[/{id}] over the real example logs
 * (examples/history: 9 applications, README), their problems (unknown source, already running, a path in the body,
 * scope), the OpenAPI document, and the config file's sources with the precedence file < environment < flags.
 * The same on PostgreSQL and with two `serve` processes: test/live/service-collect-lease.test.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FastifyInstance } from 'fastify';
import { buildService } from '../server/src/service/app';
import { Collections } from '../server/src/service/collections';
import { ServiceConfigError, serviceConfig } from '../server/src/service/config';
import {
  historyServerAuthOf,
  parseDurationMs,
  SourceCredentialsError,
  type CollectionSource,
} from '../server/src/service/collection-sources';
import { newToken } from '../server/src/service/tokens';
import { SqliteServiceStore } from '../server/src/store/sqlite-service-store';
import { EXAMPLE_HISTORY } from './helpers/fixtures';

/** The example logs: 9 applications (examples/history/README.md, one eventlog_v2_ folder each). */
const EXAMPLE_APPS = fs.readdirSync(EXAMPLE_HISTORY).filter((n) => n.startsWith('eventlog_v2_')).length;

describe('collection leases (two connections on one SQLite file)', () => {
  let tmp: string;
  let a: SqliteServiceStore;
  let b: SqliteServiceStore;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-lease-'));
    a = SqliteServiceStore.open(path.join(tmp, 'h.db'));
    b = SqliteServiceStore.open(path.join(tmp, 'h.db'));
  });
  after(async () => {
    await a.close();
    await b.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('is held by one instance until it expires or is released; renewing a lost lease fails', async () => {
    const t = 1_000_000;
    assert.strictEqual(await a.acquireLease('logs', 'A', t, 3000, t), true);
    assert.strictEqual(await b.acquireLease('logs', 'B', t + 1000, 3000, t + 1000), false, 'held by A');
    assert.strictEqual(await a.acquireLease('logs', 'A', t + 1000, 3000, t + 1000), false, 'not re-entrant');
    assert.strictEqual(await a.renewLease('logs', 'A', t + 2000, 3000, 7), true);
    assert.deepStrictEqual(await b.leaseOf('logs'), {
      sourceName: 'logs',
      holder: 'A',
      collectionId: 7,
      acquiredAtMs: t,
      expiresAtMs: t + 5000,
      releasedAtMs: null,
    });
    // A stops renewing (it died): at its expiry B takes it, and A's next renewal finds it gone.
    assert.strictEqual(await b.acquireLease('logs', 'B', t + 4999, 3000, t + 4999), false);
    assert.strictEqual(await b.acquireLease('logs', 'B', t + 5000, 3000, t + 5000), true);
    assert.strictEqual(await a.renewLease('logs', 'A', t + 5001, 3000, 7), false);
    assert.strictEqual((await a.leaseOf('logs'))?.holder, 'B');
    // Released at t+6000: a scheduled run of interval 10 s is not due before t+16000, a request is at once.
    await a.releaseLease('logs', 'A', t + 6000); // A no longer holds it: nothing
    assert.strictEqual((await a.leaseOf('logs'))?.releasedAtMs, null);
    await b.releaseLease('logs', 'B', t + 6000);
    assert.strictEqual(await a.acquireLease('logs', 'A', t + 7000, 3000, t + 7000 - 10_000), false);
    assert.strictEqual(await a.acquireLease('logs', 'A', t + 16_000, 3000, t + 16_000 - 10_000), true);
    await a.releaseLease('logs', 'A', t + 16_500);
    assert.strictEqual(await b.acquireLease('logs', 'B', t + 16_600, 3000, t + 16_600), true, 'a request: at once');
    // Another source's lease is its own.
    assert.strictEqual(await a.acquireLease('other', 'A', t + 16_600, 3000, t + 16_600), true);
  });
});

describe('REST service: POST /api/v1/collect and GET /api/v1/collections (SQLite, examples/history)', function () {
  this.timeout(120_000);
  const NOW = Date.parse('2026-12-01T00:00:00Z');
  let tmp: string;
  let store: SqliteServiceStore;
  let collections: Collections;
  let app: FastifyInstance;
  let reader: string;
  let collector: string;
  let collectorId: number;

  const request = async (method: 'GET' | 'POST', url: string, token: string, payload?: unknown) => {
    const r = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
      ...(payload ? { payload: JSON.stringify(payload) } : {}),
    });
    return { status: r.statusCode, headers: r.headers, json: r.json() };
  };
  const finished = async (id: number) => {
    for (;;) {
      const r = await request('GET', `/api/v1/collections/${id}`, reader);
      assert.strictEqual(r.status, 200);
      if (r.json.state === 'succeeded' || r.json.state === 'failed') return r.json;
      await new Promise((res) => setTimeout(res, 50));
    }
  };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-collect-'));
    const logs = path.join(tmp, 'logs');
    fs.cpSync(EXAMPLE_HISTORY, logs, { recursive: true });
    store = SqliteServiceStore.open(path.join(tmp, 'h.db'));
    const sources: CollectionSource[] = [
      { name: 'examples', kind: 'event-logs', path: logs },
      { name: 'missing', kind: 'event-logs', path: path.join(tmp, 'no-such-folder') },
    ];
    collections = new Collections({ store, sources, holder: 'test-instance', leaseTtlMs: 5000 });
    app = await buildService({ store, collections, recheckMs: 0 });
    const r = newToken();
    await store.createToken({ name: 'reader', scope: 'read', tokenSha256: r.tokenSha256, createdAtMs: NOW });
    reader = r.token;
    const c = newToken();
    collectorId = await store.createToken({
      name: 'ci',
      scope: 'collect',
      tokenSha256: c.tokenSha256,
      createdAtMs: NOW,
    });
    collector = c.token;
  });
  after(async () => {
    await collections.stop();
    await app.close();
    await store.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('collects a configured source: 202 with Location, then succeeded with every example application stored', async () => {
    assert.strictEqual(EXAMPLE_APPS, 9);
    const r = await request('POST', '/api/v1/collect', collector, { source: 'examples' });
    assert.strictEqual(r.status, 202, JSON.stringify(r.json));
    assert.strictEqual(r.headers.location, `/api/v1/collections/${r.json.id}`);
    assert.strictEqual(r.json.source, 'examples');
    assert.strictEqual(r.json.state, 'queued');
    assert.strictEqual(r.json.trigger, 'request');
    const done = await finished(r.json.id);
    assert.strictEqual(done.state, 'succeeded', JSON.stringify(done.errors));
    assert.strictEqual(done.holder, 'test-instance');
    assert.deepStrictEqual(done.progress, {
      logsFound: 9,
      logsRead: 9,
      logsStored: 9,
      logsSkipped: 0,
      logsFailed: 0,
      applicationsStored: 9,
    });
    assert.deepStrictEqual(done.errors, []);
    assert.strictEqual((await store.collection(r.json.id))?.tokenId, collectorId);
    assert.strictEqual(await store.countApplications(), 9);
    // The lease is released once the collection is recorded.
    const lease = await store.leaseOf('examples');
    assert.strictEqual(lease?.holder, 'test-instance');
    assert.strictEqual(lease?.collectionId, r.json.id);
    assert.ok(lease?.releasedAtMs !== null);
    // Again: the store's incremental rule skips every log unread.
    const again = await request('POST', '/api/v1/collect', collector, { source: 'examples' });
    assert.strictEqual(again.status, 202);
    const second = await finished(again.json.id);
    assert.strictEqual(second.state, 'succeeded');
    assert.deepStrictEqual(second.progress, {
      logsFound: 9,
      logsRead: 0,
      logsStored: 0,
      logsSkipped: 9,
      logsFailed: 0,
      applicationsStored: 0,
    });
    // The list: configured sources, newest collection first.
    const list = await request('GET', '/api/v1/collections?limit=5', reader);
    assert.strictEqual(list.status, 200);
    assert.deepStrictEqual(list.json.sources, [
      { name: 'examples', kind: 'event-logs', intervalMs: null },
      { name: 'missing', kind: 'event-logs', intervalMs: null },
    ]);
    assert.deepStrictEqual(
      list.json.collections.map((c: { id: number }) => c.id),
      [again.json.id, r.json.id],
    );
  });

  it('records a source that cannot be listed as failed, with the reason', async () => {
    const r = await request('POST', '/api/v1/collect', collector, { source: 'missing' });
    assert.strictEqual(r.status, 202);
    const done = await finished(r.json.id);
    assert.strictEqual(done.state, 'failed');
    assert.strictEqual(done.errors.length, 1);
    assert.match(done.errors[0].reason, /no such folder: .*no-such-folder/);
  });

  it('answers 409 while another instance holds the source lease, and takes over after it expired', async () => {
    // Another instance on the same database holds the lease (taken through a second connection, as it would).
    const other = SqliteServiceStore.open(path.join(tmp, 'h.db'));
    try {
      const t = Date.now();
      assert.strictEqual(await other.acquireLease('examples', 'other-instance', t, 1500, t), true);
      const otherRun = await other.createCollection({
        sourceName: 'examples',
        sourceKind: 'event-logs',
        trigger: 'schedule',
        state: 'running',
        holder: 'other-instance',
        tokenId: null,
        requestedAtMs: t,
        startedAtMs: t,
        finishedAtMs: null,
        logsFound: 9,
        logsRead: 1,
        logsStored: 0,
        logsSkipped: 0,
        logsFailed: 0,
        applicationsStored: 0,
        errors: [],
        errorsTotal: 0,
      });
      assert.strictEqual(await other.renewLease('examples', 'other-instance', t, 1500, otherRun), true);
      const r = await request('POST', '/api/v1/collect', collector, { source: 'examples' });
      assert.strictEqual(r.status, 409);
      assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
      assert.strictEqual(r.json.type, 'urn:spark-optimizer:problem:collection-running');
      assert.match(r.json.detail, new RegExp(`collection ${otherRun}\\b.*instance other-instance`));
      assert.strictEqual(r.json.collectionId, otherRun, 'the running collection, for a client to follow');
      // The other instance dies (stops renewing): after the expiry this one takes the lease, records the dead
      // instance's collection as failed, and collects (everything is stored already: nothing read).
      await new Promise((res) => setTimeout(res, Math.max(0, t + 1500 - Date.now() + 20)));
      const taken = await request('POST', '/api/v1/collect', collector, { source: 'examples' });
      assert.strictEqual(taken.status, 202, JSON.stringify(taken.json));
      const done = await finished(taken.json.id);
      assert.strictEqual(done.state, 'succeeded');
      assert.strictEqual(done.progress.logsRead, 0);
      const dead = await request('GET', `/api/v1/collections/${otherRun}`, reader);
      assert.strictEqual(dead.json.state, 'failed');
      assert.match(dead.json.errors[0].reason, /instance other-instance stopped renewing/);
    } finally {
      await other.close();
    }
  });

  it('refuses an unknown source (404), a path in the body (400), a read token (403), an unknown id (404)', async () => {
    const unknown = await request('POST', '/api/v1/collect', collector, { source: 'nope' });
    assert.strictEqual(unknown.status, 404);
    assert.strictEqual(unknown.json.type, 'urn:spark-optimizer:problem:unknown-source');
    assert.match(unknown.json.detail, /configured: examples, missing/);
    const withPath = await request('POST', '/api/v1/collect', collector, { source: 'examples', path: '/etc' });
    assert.strictEqual(withPath.status, 400);
    assert.strictEqual(withPath.json.type, 'urn:spark-optimizer:problem:invalid-request');
    const scope = await request('POST', '/api/v1/collect', reader, { source: 'examples' });
    assert.strictEqual(scope.status, 403);
    assert.strictEqual(scope.json.type, 'urn:spark-optimizer:problem:insufficient-scope');
    const none = await request('GET', '/api/v1/collections/99999', reader);
    assert.strictEqual(none.status, 404);
    assert.strictEqual(none.json.type, 'urn:spark-optimizer:problem:unknown-collection');
  });

  it('documents the routes in /openapi.json', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.ok(doc.paths['/api/v1/collect'].post.responses['202']);
    assert.ok(doc.paths['/api/v1/collect'].post.responses['409']);
    assert.deepStrictEqual(Object.keys(doc.paths['/api/v1/collections/{id}']), ['get']);
    assert.ok(doc.paths['/api/v1/collections'].get);
    assert.deepStrictEqual(doc.components.schemas.CollectRequest.required, ['source']);
  });
});

describe('REST service: GET /api/v1/sources (SQLite, examples/history)', function () {
  this.timeout(120_000);
  const NOW = Date.parse('2026-12-01T00:00:00Z');
  let tmp: string;
  let logs: string;
  let store: SqliteServiceStore;
  let collections: Collections;
  let app: FastifyInstance;
  let reader: string;

  const get = async (url: string, token?: string) => {
    const r = await app.inject({
      method: 'GET',
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: r.statusCode, json: r.json() };
  };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-sources-'));
    logs = path.join(tmp, 'logs');
    fs.cpSync(EXAMPLE_HISTORY, logs, { recursive: true });
    store = SqliteServiceStore.open(path.join(tmp, 'h.db'));
    // Never collected here but the first: the object store and History Server are not reached by listing them.
    const sources: CollectionSource[] = [
      { name: 'examples', kind: 'event-logs', path: logs, interval: 300_000 },
      {
        name: 'emr',
        kind: 'object-store',
        url: 's3://team-logs/spark-events',
        endpointUrl: 'http://127.0.0.1:9000',
        region: 'eu-west-1',
      },
      {
        name: 'prod-shs',
        kind: 'history-server',
        url: 'https://shs.internal:18480',
        auth: {
          oauth2: {
            tokenUrl: 'https://idp.internal/token',
            clientId: 'svc-client-id',
            clientSecret: { file: '/run/secrets/shs-client-secret' },
          },
        },
        tls: { caFile: '/etc/ssl/team-ca.pem' },
        interval: 600_000,
      },
    ];
    collections = new Collections({ store, sources, holder: 'test-instance', leaseTtlMs: 5000 });
    app = await buildService({ store, collections, recheckMs: 0 });
    const r = newToken();
    await store.createToken({ name: 'reader', scope: 'read', tokenSha256: r.tokenSha256, createdAtMs: NOW });
    reader = r.token;
  });
  after(async () => {
    await collections.stop();
    await app.close();
    await store.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists each source with its kind, location as configured, interval and newest collection, never a credential', async () => {
    const before = await get('/api/v1/sources', reader);
    assert.strictEqual(before.status, 200, JSON.stringify(before.json));
    assert.deepStrictEqual(before.json, {
      sources: [
        { name: 'examples', kind: 'event-logs', location: logs, intervalMs: 300_000, lastCollection: null },
        {
          name: 'emr',
          kind: 'object-store',
          location: 's3://team-logs/spark-events',
          endpointUrl: 'http://127.0.0.1:9000',
          intervalMs: null,
          lastCollection: null,
        },
        {
          name: 'prod-shs',
          kind: 'history-server',
          location: 'https://shs.internal:18480',
          intervalMs: 600_000,
          lastCollection: null,
        },
      ],
    });
    // Nothing of the History Server's credentials or TLS files is in the answer.
    const text = JSON.stringify(before.json);
    for (const secret of ['idp.internal', 'svc-client-id', 'shs-client-secret', 'team-ca.pem', 'eu-west-1'])
      assert.ok(!text.includes(secret), secret);
    // After a collection of examples (9 applications, examples/history/README.md): its newest collection.
    const started = await collections.start('examples', 'request');
    assert.strictEqual(started.kind, 'started');
    let after = await get('/api/v1/sources', reader);
    while (!['succeeded', 'failed'].includes(after.json.sources[0].lastCollection?.state)) {
      await new Promise((res) => setTimeout(res, 50));
      after = await get('/api/v1/sources', reader);
    }
    const last = after.json.sources[0].lastCollection;
    assert.strictEqual(last.id, started.kind === 'started' ? started.run.id : -1);
    assert.deepStrictEqual(
      [last.source, last.state, last.trigger, last.holder],
      ['examples', 'succeeded', 'request', 'test-instance'],
    );
    assert.deepStrictEqual(last.progress, {
      logsFound: 9,
      logsRead: 9,
      logsStored: 9,
      logsSkipped: 0,
      logsFailed: 0,
      applicationsStored: 9,
    });
    assert.deepStrictEqual(
      after.json.sources.slice(1).map((s: { lastCollection: unknown }) => s.lastCollection),
      [null, null],
    );
  });

  it('needs a token (401), and is in /openapi.json with its schema', async () => {
    const none = await get('/api/v1/sources');
    assert.strictEqual(none.status, 401);
    assert.strictEqual(none.json.type, 'urn:spark-optimizer:problem:unauthorized');
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.deepStrictEqual(Object.keys(doc.paths['/api/v1/sources']), ['get']);
    assert.deepStrictEqual(doc.components.schemas.Source.required.sort(), [
      'intervalMs',
      'kind',
      'lastCollection',
      'location',
      'name',
    ]);
    assert.deepStrictEqual(doc.components.schemas.Source.properties.kind.enum, [
      'event-logs',
      'object-store',
      'history-server',
    ]);
  });
});

describe('service config: collection sources, and file < environment < flags', () => {
  const FILE = `
collection:
  instanceName: from-file
  leaseTtl: 90s
sources:
  - { name: local, kind: event-logs, path: /var/log/spark-events, interval: 5m }
  - { name: emr, kind: object-store, url: "s3://logs/spark", region: eu-west-1, endpointUrl: "http://127.0.0.1:9000", interval: 1h }
  - name: shs
    kind: history-server
    url: https://shs.internal:18480
    auth: { oauth2: { tokenUrl: "https://idp/token", clientId: optimizer, clientSecret: { file: /run/secrets/shs } } }
    timeout: 45s
`;

  it('reads the sources with their intervals (ms) and the collection settings', () => {
    const c = serviceConfig(FILE, 'service.yaml', {}, {});
    assert.deepStrictEqual(
      c.sources.map((s) => [s.name, s.kind, s.interval]),
      [
        ['local', 'event-logs', 300_000],
        ['emr', 'object-store', 3_600_000],
        ['shs', 'history-server', undefined],
      ],
    );
    assert.deepStrictEqual(c.sources[2], {
      name: 'shs',
      kind: 'history-server',
      url: 'https://shs.internal:18480',
      auth: {
        oauth2: { tokenUrl: 'https://idp/token', clientId: 'optimizer', clientSecret: { file: '/run/secrets/shs' } },
      },
      timeout: 45_000,
    });
    assert.strictEqual(c.instanceName, 'from-file');
    assert.strictEqual(c.leaseTtlMs, 90_000);
    assert.strictEqual(c.schedule, true);
  });

  it('lets the environment override the file, and the flags override both', () => {
    const env = {
      SPARK_OPTIMIZER_SERVICE_INSTANCE_NAME: 'from-env',
      SPARK_OPTIMIZER_SERVICE_LEASE_TTL: '30s',
      SPARK_OPTIMIZER_SERVICE_SCHEDULE: 'true',
      SPARK_OPTIMIZER_SERVICE_SOURCES: '[{"name": "only", "kind": "event-logs", "path": "/data/logs", "interval": 60}]',
    };
    const e = serviceConfig(FILE, 'service.yaml', env, {});
    assert.deepStrictEqual([e.instanceName, e.leaseTtlMs, e.schedule], ['from-env', 30_000, true]);
    assert.deepStrictEqual(e.sources, [{ name: 'only', kind: 'event-logs', path: '/data/logs', interval: 60_000 }]);
    const f = serviceConfig(FILE, 'service.yaml', env, { instanceName: 'from-flag', leaseTtl: '2m', noSchedule: true });
    assert.deepStrictEqual([f.instanceName, f.leaseTtlMs, f.schedule], ['from-flag', 120_000, false]);
    // A key no later layer gives keeps the file's value.
    const g = serviceConfig(FILE, 'service.yaml', { SPARK_OPTIMIZER_SERVICE_SCHEDULE: 'false' }, {});
    assert.deepStrictEqual([g.instanceName, g.leaseTtlMs, g.schedule], ['from-file', 90_000, false]);
  });

  it('refuses a secret in the file, credentials in a URL, a duplicate name, a bad duration', () => {
    const bad = (text: string, pattern: RegExp) =>
      assert.throws(
        () => serviceConfig(text, 'service.yaml', {}, {}),
        (e: Error) => {
          assert.ok(e instanceof ServiceConfigError);
          assert.match(e.message, pattern);
          return true;
        },
      );
    bad(
      'sources: [{ name: s, kind: history-server, url: "http://h:18080", auth: { bearerToken: "abc" } }]',
      /sources\.0\.auth/,
    );
    bad(
      'sources: [{ name: s, kind: history-server, url: "http://h:18080", auth: { bearerToken: { value: abc } } }]',
      /sources\.0\.auth/,
    );
    bad('sources: [{ name: s, kind: history-server, url: "http://u:p@h:18080" }]', /without user:password/);
    bad(
      'sources: [{ name: s, kind: event-logs, path: /a }, { name: s, kind: event-logs, path: /b }]',
      /"s" is given twice/,
    );
    bad('sources: [{ name: s, kind: event-logs, path: /a, interval: soon }]', /not a duration/);
    bad('sources: [{ name: s, kind: event-logs, path: "s3://b/p" }]', /kind object-store/);
    assert.throws(() => serviceConfig(null, 'c', {}, { leaseTtl: 'x' }), /--lease-ttl must be a duration/);
    assert.throws(
      () => serviceConfig(null, 'c', { SPARK_OPTIMIZER_SERVICE_SCHEDULE: 'maybe' }, {}),
      /must be true or false/,
    );
  });

  it("reads a History Server's secrets from the variable or file the config names, at collection time", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-secret-'));
    try {
      const file = path.join(tmp, 'secret');
      fs.writeFileSync(file, 's3cr3t-from-file\nsecond line ignored\n');
      const env = { SHS_TOKEN: 'tok-from-env' };
      assert.deepStrictEqual(historyServerAuthOf({ bearerToken: { env: 'SHS_TOKEN' } }, env), {
        kind: 'bearer',
        token: 'tok-from-env',
      });
      assert.deepStrictEqual(historyServerAuthOf({ basic: { user: 'svc', password: { file } } }, env), {
        kind: 'basic',
        user: 'svc',
        password: 's3cr3t-from-file',
      });
      assert.deepStrictEqual(
        historyServerAuthOf(
          { oauth2: { tokenUrl: 'https://idp/token', clientId: 'c', clientSecret: { file }, scope: 'shs' } },
          env,
        ),
        {
          kind: 'oauth2',
          tokenUrl: 'https://idp/token',
          clientId: 'c',
          clientSecret: 's3cr3t-from-file',
          scope: 'shs',
        },
      );
      assert.strictEqual(historyServerAuthOf(undefined, env), undefined);
      assert.throws(
        () => historyServerAuthOf({ bearerToken: { env: 'UNSET_VAR' } }, env),
        (e: Error) => e instanceof SourceCredentialsError && /variable UNSET_VAR is not set/.test(e.message),
      );
      assert.throws(
        () => historyServerAuthOf({ bearerToken: { file: path.join(tmp, 'none') } }, env),
        /cannot read the bearer token file .*none/,
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('reads durations as seconds or with a unit', () => {
    assert.deepStrictEqual(
      [90, '90', '500ms', '30s', '15m', '1h', '1d', '0s', 'x'].map((v) => parseDurationMs(v)),
      [90_000, 90_000, 500, 30_000, 900_000, 3_600_000, 86_400_000, null, null],
    );
  });
});
