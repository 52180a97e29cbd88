/**
 * History Server collection without a server: parsing Spark's own recorded REST responses across
 * versions (1.6, 2.4, 4.1 expectations and a live 4.3.0 recording; provenance in
 * test/fixtures/spark/history-server/README.md), the REST date format, `Retry-After`, safe zip
 * extraction (a real `/logs` zip and crafted hostile ones), the store's watermark table, and the CLI's
 * credential and `--since` parsing. The live tests are in live/history-server-live.test.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { historyServerCredentials, parseSince } from '../server/src/cli/collect-commands';
import { discoverEventLogs } from '../server/src/history/event-log/discover';
import { readEventLog } from '../server/src/history/event-log/reader';
import { HistoryServerClient, retryAfterOf } from '../server/src/history/history-server/client';
import { formatSparkDate, parseApplicationList, parseSparkDate } from '../server/src/history/history-server/rest-types';
import { entryTarget, extractZip, UnsafeZipError } from '../server/src/history/history-server/zip';
import { HistoryStore } from '../server/src/store/history-store';
import { makeZip } from './helpers/crafted-zip';
import { EXAMPLE_HISTORY, EVENT_LOG_FIXTURES, HISTORY_SERVER_FIXTURES } from './helpers/fixtures';

const HS = HISTORY_SERVER_FIXTURES;
const LOGS = EVENT_LOG_FIXTURES;

function fixture(rel: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(HS, rel), 'utf8'));
}

describe('History Server REST responses (recorded, Spark 1.6 to 4.3)', () => {
  it('reads the Spark 1.6 application list: text dates only, multi-attempt apps, no lastUpdated', () => {
    const list = parseApplicationList(fixture('apache-spark-v1.6.3/application_list_json_expectation.json'));
    assert.strictEqual(list.length, 8); // 6 applications, 2 of them with 2 attempts
    assert.deepStrictEqual(list[0], {
      appId: 'local-1430917381534',
      appName: 'Spark shell',
      attemptId: null,
      startTimeMs: Date.UTC(2015, 4, 6, 13, 3, 0, 893),
      endTimeMs: Date.UTC(2015, 4, 6, 13, 3, 11, 398),
      lastUpdatedMs: null,
      sparkUser: 'irashid',
      completed: true,
      sparkVersion: null,
      exitCode: null,
    });
    assert.deepStrictEqual(
      list.filter((a) => a.appId === 'local-1430917381535').map((a) => a.attemptId),
      ['2', '1'],
    );
  });

  it('reads the Spark 2.4 lists: epoch fields win, lastUpdated "" / 0 means unknown', () => {
    const list = parseApplicationList(fixture('apache-spark-v2.4.8/application_list_json_expectation.json'));
    assert.strictEqual(list.length, 12);
    const first = list[0];
    assert.strictEqual(first.appId, 'application_1516285256255_0012');
    assert.strictEqual(first.startTimeMs, 1516300235119);
    assert.strictEqual(first.endTimeMs, 1516300707938);
    assert.strictEqual(first.lastUpdatedMs, null);
    assert.strictEqual(first.sparkVersion, '2.3.0-SNAPSHOT');
    assert.strictEqual(first.sparkUser, 'attilapiros');
    // The minEndDate expectation only holds apps that ended at or after its query date.
    const since = parseSparkDate('2015-05-06T13:03:00.950GMT');
    assert.strictEqual(since, Date.UTC(2015, 4, 6, 13, 3, 0, 950));
    const filtered = parseApplicationList(fixture('apache-spark-v2.4.8/minEndDate_app_list_json_expectation.json'));
    assert.strictEqual(filtered.length, 7);
    // Spark filters on the latest attempt only (ApplicationListResource); that attempt ended after the date.
    const latestPerApp = new Map<string, number>();
    for (const a of filtered) if (!latestPerApp.has(a.appId)) latestPerApp.set(a.appId, a.endTimeMs ?? Infinity);
    for (const [id, end] of latestPerApp) assert.ok(end >= since, id);
  });

  it('reads the Spark 4.1 lists (and the limit=3 answer is the first 3 of the full list)', () => {
    const list = parseApplicationList(fixture('apache-spark/application_list_json_expectation.json'));
    assert.strictEqual(list.length, 18);
    assert.strictEqual(new Set(list.map((a) => a.appId)).size, 16);
    assert.deepStrictEqual(list[0], {
      appId: 'local-1642039451826',
      appName: 'Spark shell',
      attemptId: null,
      startTimeMs: 1642039450519,
      endTimeMs: 1642039536564,
      lastUpdatedMs: null,
      sparkUser: 'lijunqing',
      completed: true,
      sparkVersion: '3.3.0-SNAPSHOT',
      exitCode: null,
    });
    const limited = parseApplicationList(fixture('apache-spark/limit_app_list_json_expectation.json'));
    assert.deepStrictEqual(
      limited.map((a) => a.appId),
      [...new Set(list.map((a) => a.appId))].slice(0, 3),
    );
    assert.deepStrictEqual(parseApplicationList(fixture('apache-spark/running_app_list_json_expectation.json')), []);
    // One application (GET /applications/{id}) has the same shape as a list element.
    const one = parseApplicationList([fixture('apache-spark/one_app_multi_attempt_json_expectation.json')]);
    assert.deepStrictEqual(
      one.map((a) => [a.appId, a.attemptId]),
      [
        ['local-1426533911241', '2'],
        ['local-1426533911241', '1'],
      ],
    );
  });

  it('reads a live Spark 4.3.0 list: running attempt (endTimeEpoch -1) has no end, four attempts of one YARN app', () => {
    const list = parseApplicationList(fixture('spark-4.3.0-pyspark/application_list.json'));
    assert.strictEqual(list.length, 18);
    const running = list.filter((a) => !a.completed);
    assert.deepStrictEqual(
      running.map((a) => [a.appId, a.endTimeMs]),
      [['app-20231025121456-0004-eventLog-running', null]],
    );
    const yarn = list.filter((a) => a.appId === 'application_1724877841851_0016');
    assert.deepStrictEqual(
      yarn.map((a) => a.attemptId),
      ['4', '3', '2', '1'],
    );
    const nightly = list.find((a) => a.appId === 'app-20261121121550-0000');
    assert.strictEqual(nightly?.endTimeMs, 1795263406191);
    assert.strictEqual(nightly?.sparkVersion, '4.3.0');
    assert.strictEqual(nightly?.exitCode, 0);
    assert.ok((nightly?.lastUpdatedMs ?? 0) > 0);
    assert.strictEqual(
      parseApplicationList(fixture('spark-4.3.0-pyspark/applications_minEndDate=2024-01-01.json')).length,
      15,
    );
  });

  it('rejects a body that is not an application list, naming the field', () => {
    assert.throws(() => parseApplicationList({ applications: [] }), /not a Spark application list: applications: /);
    assert.throws(
      () => parseApplicationList([{ id: 'a', name: 'n', attempts: [{ startTime: 3, completed: true }] }]),
      /applications\[0\]\.attempts\[0\]\.startTime/,
    );
    assert.throws(
      () => parseApplicationList([{ id: 'a', name: 'n', attempts: [{ startTime: 'yesterday', completed: true }] }]),
      /startTime "yesterday" is not a date/,
    );
  });

  it('formats the REST filter dates as Spark parses them and parses its dates back', () => {
    assert.strictEqual(formatSparkDate(Date.UTC(2015, 1, 3, 16, 42, 40)), '2015-02-03T16:42:40.000GMT');
    assert.strictEqual(
      formatSparkDate(parseSparkDate('2015-05-06T13:03:00.950GMT') as number),
      '2015-05-06T13:03:00.950GMT',
    );
    assert.strictEqual(parseSparkDate(''), null);
    assert.strictEqual(parseSparkDate('not a date'), null);
  });
});

describe('History Server client pieces', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.strictEqual(retryAfterOf('3'), 3000);
    assert.strictEqual(retryAfterOf('Wed, 21 Oct 2015 07:28:05 GMT', Date.UTC(2015, 9, 21, 7, 28, 0)), 5000);
    assert.strictEqual(retryAfterOf('soon'), null);
    assert.strictEqual(retryAfterOf(undefined), null);
  });

  it('keeps credentials out of the URL it reports and accepts a trailing /api/v1', () => {
    const c = new HistoryServerClient({ baseUrl: 'http://alice:s3cret@127.0.0.1:18080/api/v1/' });
    assert.strictEqual(c.baseUrl, 'http://127.0.0.1:18080');
    assert.strictEqual(
      c.logsUrl('application_1_2', '1'),
      'http://127.0.0.1:18080/api/v1/applications/application_1_2/1/logs',
    );
    assert.ok(!c.urlOf('/applications').includes('s3cret'));
    c.close();
    assert.throws(() => new HistoryServerClient({ baseUrl: 'ftp://host' }), /must start with http/);
    assert.throws(() => new HistoryServerClient({ baseUrl: 'host:18080x' }), /is not a URL|must start with http/);
  });
});

describe('/logs zip extraction', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-zip-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('extracts a real Spark 4.3.0 /logs zip (rolling log) and reads the same record as the original files', async () => {
    const dest = path.join(tmp, 'x');
    fs.mkdirSync(dest);
    const files = await extractZip(path.join(HS, 'spark-4.3.0-pyspark', 'eventLogs-app-20261121121550-0000.zip'), dest);
    assert.deepStrictEqual(files.sort(), [
      'eventlog_v2_app-20261121121550-0000/appstatus_app-20261121121550-0000',
      'eventlog_v2_app-20261121121550-0000/events_1_app-20261121121550-0000.zstd',
    ]);
    const [fromZip] = await discoverEventLogs(dest);
    const [original] = await discoverEventLogs(path.join(EXAMPLE_HISTORY, 'eventlog_v2_app-20261121121550-0000'));
    const a = await readEventLog(fromZip);
    const b = await readEventLog(original);
    assert.ok(a.record);
    assert.strictEqual(a.record.completed, true);
    assert.deepStrictEqual(a.record, b.record);
  });

  it('extracts a single-file /logs zip (Spark deflates it) byte for byte', async () => {
    const dest = path.join(tmp, 'y');
    fs.mkdirSync(dest);
    assert.deepStrictEqual(
      await extractZip(path.join(HS, 'spark-4.3.0-pyspark', 'eventLogs-local-1532512550423.zip'), dest),
      ['local-1532512550423'],
    );
    assert.ok(
      fs
        .readFileSync(path.join(dest, 'local-1532512550423'))
        .equals(fs.readFileSync(path.join(LOGS, 'qubole-sparklens', 'local-1532512550423'))),
    );
  });

  it('rejects a crafted zip with a ../escape entry and writes nothing', async () => {
    const dest = path.join(tmp, 'inner', 'dest');
    fs.mkdirSync(dest, { recursive: true });
    const zip = path.join(tmp, 'evil.zip');
    fs.writeFileSync(
      zip,
      makeZip([
        { name: 'ok.txt', data: 'fine' },
        { name: '../escape', data: 'pwned' },
      ]),
    );
    await assert.rejects(
      extractZip(zip, dest),
      (e: Error) => e instanceof UnsafeZipError && /\.\.\/escape/.test(e.message),
    );
    assert.ok(!fs.existsSync(path.join(tmp, 'inner', 'escape')));
    assert.deepStrictEqual(fs.readdirSync(dest), []); // names are checked before anything is written
    fs.writeFileSync(zip, makeZip([{ name: 'a/../../escape2', data: 'pwned' }]));
    await assert.rejects(extractZip(zip, dest), UnsafeZipError);
    fs.writeFileSync(zip, makeZip([{ name: '/tmp/abs-escape', data: 'pwned' }]));
    await assert.rejects(extractZip(zip, dest), UnsafeZipError);
    assert.ok(!fs.existsSync(path.join(tmp, 'inner', 'escape2')));
  });

  it('checks resolved paths itself, independent of yauzl', () => {
    const root = path.join(tmp, 'r');
    assert.strictEqual(entryTarget(root, 'eventlog_v2_a/events_1_a'), path.join(root, 'eventlog_v2_a', 'events_1_a'));
    assert.strictEqual(entryTarget(root, 'a/./b/../c'), path.join(root, 'a', 'c'));
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'C:\\x', '..\\x', '.', 'a/..']) {
      assert.throws(() => entryTarget(root, bad), UnsafeZipError, bad);
    }
  });

  it('refuses a zip bomb (one entry 1,000× compressed) from its central directory, before writing a byte', async () => {
    // 50 MiB of zeros deflate to about 50 KiB: the ratio of the bomb (1.2 MB → 1.26 GB, 1050:1).
    const zip = path.join(tmp, 'bomb.zip');
    fs.writeFileSync(
      zip,
      makeZip([{ name: 'eventlog_v2_app-1/events_1_app-1', data: Buffer.alloc(50 * 1024 * 1024), deflate: true }]),
    );
    const compressed = fs.statSync(zip).size;
    assert.ok(compressed < 100 * 1024, `${compressed} bytes`);
    const dest = path.join(tmp, 'bomb');
    fs.mkdirSync(dest);
    await assert.rejects(extractZip(zip, dest), (e: Error) => {
      assert.ok(e instanceof UnsafeZipError);
      assert.match(
        e.message,
        /^zip entry "eventlog_v2_app-1\/events_1_app-1" would expand \d{3,4}× \(\d+\.\d KiB → 50\.0 MiB\), over the 200× limit for one entry: a zip bomb, not Spark event logs; refusing to extract the archive$/,
      );
      return true;
    });
    assert.deepStrictEqual(fs.readdirSync(dest), []);
  });

  it('refuses an archive over the total cap before writing, however it is split', async () => {
    const zip = path.join(tmp, 'big.zip');
    fs.writeFileSync(
      zip,
      makeZip([
        { name: 'a', data: 'x'.repeat(800) },
        { name: 'b', data: 'y'.repeat(800) },
      ]),
    );
    const dest = path.join(tmp, 'big');
    fs.mkdirSync(dest);
    await assert.rejects(
      extractZip(zip, dest, { maxTotalBytes: 1500 }),
      /^UnsafeZipError: zip would extract to more than 1\.5 KiB \(the limit\); refusing to extract it$/,
    );
    assert.deepStrictEqual(fs.readdirSync(dest), []);
    assert.deepStrictEqual(await extractZip(zip, dest, { maxTotalBytes: 1600 }), ['a', 'b']);
  });

  it('stops an entry that lies about its size at the first byte too many', async () => {
    // Declares 1,000 bytes (ratio 0.02: passes the checks), inflates to 50 MiB.
    const zip = path.join(tmp, 'liar.zip');
    fs.writeFileSync(
      zip,
      makeZip([{ name: 'app-1', data: Buffer.alloc(50 * 1024 * 1024), deflate: true, declaredSize: 1000 }]),
    );
    const dest = path.join(tmp, 'liar');
    fs.mkdirSync(dest);
    await assert.rejects(
      extractZip(zip, dest),
      /too many bytes in the stream|more than the 1000 B its directory declares/,
    );
    const written = fs.existsSync(path.join(dest, 'app-1')) ? fs.statSync(path.join(dest, 'app-1')).size : 0;
    assert.ok(written <= 1000, `${written} bytes written`);
  });

  it('rejects a truncated download (no central directory)', async () => {
    const whole = fs.readFileSync(path.join(HS, 'spark-4.3.0-pyspark', 'eventLogs-local-1532512550423.zip'));
    const cut = path.join(tmp, 'cut.zip');
    fs.writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    const dest = path.join(tmp, 'z');
    fs.mkdirSync(dest);
    await assert.rejects(extractZip(cut, dest), /central directory/);
  });
});

describe('collection_sources watermark (store migration 2)', () => {
  it('records runs per source and never moves the watermark back', () => {
    const s = HistoryStore.open(':memory:');
    assert.strictEqual(s.collectionSource('http://a:1'), null);
    s.recordCollectionRun('http://a:1', null, 1000);
    assert.deepStrictEqual(s.collectionSource('http://a:1'), {
      sourceUrl: 'http://a:1',
      lastCompletedEndTimeMs: null,
      lastRunTimeMs: 1000,
    });
    s.recordCollectionRun('http://a:1', 500, 2000);
    s.recordCollectionRun('http://a:1', 400, 3000);
    s.recordCollectionRun('http://a:1', null, 4000);
    assert.deepStrictEqual(s.collectionSource('http://a:1'), {
      sourceUrl: 'http://a:1',
      lastCompletedEndTimeMs: 500,
      lastRunTimeMs: 4000,
    });
    assert.strictEqual(s.collectionSource('http://b:1'), null);
    s.close();
  });
});

describe('CLI: History Server credentials and --since', () => {
  it('reads bearer, basic and extra headers from the environment only', () => {
    assert.deepStrictEqual(historyServerCredentials({}), { auth: { kind: 'none' }, headers: {} });
    assert.deepStrictEqual(historyServerCredentials({ SPARK_OPTIMIZER_HS_TOKEN: 't' }).auth, {
      kind: 'bearer',
      token: 't',
    });
    assert.deepStrictEqual(
      historyServerCredentials({ SPARK_OPTIMIZER_HS_USER: 'u', SPARK_OPTIMIZER_HS_PASSWORD: 'p' }).auth,
      { kind: 'basic', user: 'u', password: 'p' },
    );
    assert.deepStrictEqual(historyServerCredentials({ SPARK_OPTIMIZER_HS_HEADERS: '{"Cookie":"s=1"}' }).headers, {
      Cookie: 's=1',
    });
    assert.throws(() => historyServerCredentials({ SPARK_OPTIMIZER_HS_USER: 'u' }), /SPARK_OPTIMIZER_HS_PASSWORD/);
    assert.throws(() => historyServerCredentials({ SPARK_OPTIMIZER_HS_HEADERS: '{"X":1}' }), /values are strings/);
    assert.throws(() => historyServerCredentials({ SPARK_OPTIMIZER_HS_HEADERS: 'Cookie: x' }), /not valid JSON/);
  });

  it('reads OAuth2 client credentials: token URL and client id from flags or env, the secret from env or a file only', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-oauth2-'));
    const secretFile = path.join(dir, 'secret');
    fs.writeFileSync(secretFile, 'from-the-file\nsecond line ignored\n');
    const flags = { 'oauth2-token-url': 'https://idp.example.com/token', 'oauth2-client-id': 'collector' };
    assert.deepStrictEqual(historyServerCredentials({ SPARK_OPTIMIZER_HS_CLIENT_SECRET: 's3' }, flags).auth, {
      kind: 'oauth2',
      tokenUrl: 'https://idp.example.com/token',
      clientId: 'collector',
      clientSecret: 's3',
    });
    assert.deepStrictEqual(
      historyServerCredentials(
        { SPARK_OPTIMIZER_HS_CLIENT_SECRET: 's3' },
        {
          ...flags,
          'oauth2-client-secret-file': secretFile,
          'oauth2-scope': 'history:read',
          'oauth2-resource': 'urn:shs',
        },
      ).auth,
      {
        kind: 'oauth2',
        tokenUrl: 'https://idp.example.com/token',
        clientId: 'collector',
        clientSecret: 'from-the-file',
        scope: 'history:read',
        resource: 'urn:shs',
      },
    );
    const env = {
      SPARK_OPTIMIZER_HS_TOKEN_URL: 'https://idp.example.com/t',
      SPARK_OPTIMIZER_HS_CLIENT_ID: 'c',
      SPARK_OPTIMIZER_HS_CLIENT_SECRET_FILE: secretFile,
      SPARK_OPTIMIZER_HS_TOKEN: 'ignored',
    };
    assert.deepStrictEqual(historyServerCredentials(env).auth, {
      kind: 'oauth2',
      tokenUrl: 'https://idp.example.com/t',
      clientId: 'c',
      clientSecret: 'from-the-file',
    });
    assert.throws(
      () => historyServerCredentials({}, flags),
      /client secret in SPARK_OPTIMIZER_HS_CLIENT_SECRET or in a file/,
    );
    assert.throws(
      () => historyServerCredentials({ SPARK_OPTIMIZER_HS_CLIENT_SECRET: 's3' }, { 'oauth2-client-id': 'c' }),
      /need --oauth2-token-url and --oauth2-client-id/,
    );
    assert.throws(
      () => historyServerCredentials({}, { ...flags, 'oauth2-client-secret-file': path.join(dir, 'missing') }),
      /Cannot read the OAuth2 client secret file/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('parses --since as a date, a date-time or a span back from now', () => {
    assert.strictEqual(parseSince('2026-11-01'), Date.UTC(2026, 10, 1));
    assert.strictEqual(parseSince('2026-11-01T06:00:00Z'), Date.UTC(2026, 10, 1, 6));
    assert.strictEqual(parseSince('36h', 100 * 3_600_000), 64 * 3_600_000);
    assert.strictEqual(parseSince('7d', 10 * 86_400_000), 3 * 86_400_000);
    assert.throws(() => parseSince('last week'), /not a date/);
  });
});
