/**
 * Collection from a REAL Spark History Server: Spark 4.3.0's own `HistoryServer` from the pip-installed
 * pyspark (scripts/start-history-server.sh, bound to 127.0.0.1), over a temp folder holding copies of
 * the example runs (examples/history/eventlog_v2_*) and of a few fixture logs (test/fixtures/spark/
 * event-logs: Spark 2.1-3.5 single files and rolling folders, a running app, one YARN app with four attempts).
 *
 * Checks: records collected over the server equal, field by field, the records read from the same files
 * directly; incremental runs download nothing; --limit / --since / --user / --dry-run; and faults on
 * loopback — the server stopped mid-collection, and a small HTTP proxy written here (in front of the real
 * server) that answers 500/503 with Retry-After, stalls past the timeout, cuts responses short, or answers
 * malformed JSON for the listing. After each fault a later collection completes and the store holds every
 * application exactly once (and equal to the direct read).
 * Hostile servers (issue 12): a proxy that redirects to another port (credentials must not follow) or to
 * itself (they must), one that echoes the request headers in its error bodies (no credential may be printed),
 * `Retry-After: 100000` (the wait is bounded by the caller's timeout), a zip bomb and an oversized download
 * as `/logs`, and Ctrl-C (SIGINT) to the CLI in the middle of a download (exit 130, nothing left behind).
 *
 * Every process started here is killed in `after` (and on process exit, should mocha die first).
 */
import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../server/src/cli/main';
import { collectEventLogs } from '../../server/src/history/collect';
import { discoverEventLogs, type EventLogSource } from '../../server/src/history/event-log/discover';
import { readEventLog } from '../../server/src/history/event-log/reader';
import type { ApplicationRecord } from '../../server/src/history/application-record';
import { HistoryServerClient, type HistoryServerClientOptions } from '../../server/src/history/history-server/client';
import {
  collectFromHistoryServer,
  type HistoryServerCollectOptions,
} from '../../server/src/history/history-server/collect';
import { extractZip } from '../../server/src/history/history-server/zip';
import { HistoryStore } from '../../server/src/store/history-store';
import { makeZip } from '../helpers/crafted-zip';
import { freePort, RealHistoryServer, sleep } from '../helpers/history-server-process';
import { sparkHome } from '../helpers/spark-home';
import { EXAMPLE_HISTORY, EVENT_LOG_FIXTURES, BUILT_CLI } from '../helpers/fixtures';

const LOGS = EVENT_LOG_FIXTURES;
const EXAMPLES = EXAMPLE_HISTORY;

/** Fixture logs copied next to the example runs (paths below test/fixtures/spark/event-logs). */
const FIXTURE_LOGS = [
  'qubole-sparklens/local-1532512550423',
  'kubeflow-mcp-apache-spark-history-server/eventlog_v2_spark-bcec39f6201b42b9925124595baad260',
  'apache-spark/app-20161115172038-0000',
  'ucesys-sparkscope/app-20231025121456-0004-eventLog-running',
  'apache-spark-26d03b62/application_1536831636016_59384_1',
  'nvidia-spark-rapids-tools/multiple_attempts/attempt_1_eventlog.zstd',
  'nvidia-spark-rapids-tools/multiple_attempts/attempt_2_eventlog.zstd',
  'nvidia-spark-rapids-tools/multiple_attempts/attempt_3_eventlog.zstd',
  'nvidia-spark-rapids-tools/multiple_attempts/attempt_4_eventlog.zstd',
];

/** Fast retries for tests; the defaults (500 ms base, 30 s idle timeout) are for real servers. */
const FAST: Partial<HistoryServerClientOptions> = {
  retries: 4,
  retryBaseDelayMs: 20,
  retryMaxDelayMs: 200,
  timeoutMs: 10_000,
};

/** A proxy on 127.0.0.1 in front of the real server; `fault` may answer a request itself. */
class FaultProxy {
  readonly requests: string[] = [];
  fault: ((req: http.IncomingMessage, res: http.ServerResponse, n: number) => boolean) | null = null;
  private server: http.Server | null = null;
  url = '';

  constructor(private readonly targetPort: number) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const n = this.requests.push(req.url ?? '');
      if (this.fault && this.fault(req, res, n)) return;
      forward(req, res, this.targetPort);
    });
    await new Promise<void>((r) => (this.server as http.Server).listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  logsRequests(): number {
    return this.requests.filter((u) => u.endsWith('/logs')).length;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => (this.server as http.Server).close(r));
    this.server = null;
  }
}

function forward(req: http.IncomingMessage, res: http.ServerResponse, port: number): void {
  const up = http.request(
    { host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers },
    (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    },
  );
  up.on('error', () => res.destroy());
  req.pipe(up);
}

/** Fetches the whole upstream answer (status, headers, body) for a fault that replays part of it. */
function fetchUpstream(
  req: http.IncomingMessage,
  port: number,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: req.url, headers: { accept: req.headers.accept ?? '*/*' } }, (ur) => {
        const chunks: Buffer[] = [];
        ur.on('data', (c: Buffer) => chunks.push(c));
        ur.on('end', () => resolve({ status: ur.statusCode ?? 502, headers: ur.headers, body: Buffer.concat(chunks) }));
        ur.on('error', reject);
      })
      .on('error', reject);
  });
}

/**
 * A throwaway CA, a server certificate for IP 127.0.0.1 and a client certificate, made with the openssl CLI.
 * @returns the folder, or null when openssl is not installed.
 */
function makePki(dir: string): string | null {
  if (spawnSync('openssl', ['version']).status !== 0) return null;
  fs.mkdirSync(dir, { recursive: true });
  const run = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  };
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  fs.writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=spark-optimizer test CA',
  );
  for (const who of ['server', 'client']) {
    run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${who}.key`,
      '-out',
      `${who}.csr`,
      '-subj',
      `/CN=${who === 'server' ? '127.0.0.1' : 'test client'}`,
    );
    run(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${who}.crt`,
      '-days',
      '2',
      '-extfile',
      `${who}.ext`,
    );
  }
  return dir;
}

/** Records in a comparable order. Nothing is normalised: the store keeps no path inside a record. */
/** Records by application id, then attempt id (every attempt is a record of its own). */
function byApp(records: ApplicationRecord[]): ApplicationRecord[] {
  const key = (r: ApplicationRecord) => `${r.appId}\u0000${r.attemptId ?? ''}`;
  return [...records].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

describe('History Server collection against a real Spark History Server (pyspark 4.3.0)', function () {
  let tmp: string;
  let logDir: string;
  let shs: RealHistoryServer;
  let direct: ApplicationRecord[];
  /** Distinct application ids (what the History Server lists as applications). */
  let expectedIds: string[];
  /** Application attempts (what the store keeps: every attempt): the ids plus attempts 1-3 of application_1724877841851_0016. */
  let expectedRuns: number;
  let sources: EventLogSource[];
  const clients: HistoryServerClient[] = [];
  const proxies: FaultProxy[] = [];
  const startedAt = Date.now();

  function client(url: string, extra: Partial<HistoryServerClientOptions> = {}): HistoryServerClient {
    const c = new HistoryServerClient({ baseUrl: url, ...FAST, ...extra });
    clients.push(c);
    return c;
  }

  async function proxy(): Promise<FaultProxy> {
    const p = new FaultProxy(shs.port);
    await p.start();
    proxies.push(p);
    return p;
  }

  function freshStore(name: string): HistoryStore {
    return HistoryStore.open(path.join(tmp, `${name}.db`));
  }

  /** The store holds every application exactly once, each equal to the record read from the files directly. */
  function assertComplete(store: HistoryStore): void {
    assert.strictEqual(store.countApplications(), expectedRuns);
    assert.deepStrictEqual(byApp(store.allRuns()), direct);
  }

  async function collect(
    store: HistoryStore,
    url: string,
    opts: HistoryServerCollectOptions = {},
    extra: Partial<HistoryServerClientOptions> = {},
  ) {
    return collectFromHistoryServer(client(url, extra), store, { tempDir: tmp, ...opts });
  }

  before(async function () {
    this.timeout(600_000);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-shs-'));
    logDir = path.join(tmp, 'logs');
    fs.mkdirSync(logDir);
    for (const name of fs.readdirSync(EXAMPLES).filter((n) => n.startsWith('eventlog_v2_'))) {
      fs.cpSync(path.join(EXAMPLES, name), path.join(logDir, name), { recursive: true });
    }
    for (const rel of FIXTURE_LOGS)
      fs.cpSync(path.join(LOGS, rel), path.join(logDir, path.basename(rel)), { recursive: true });

    // The reference: the same files read directly (the store keeps every attempt).
    const directStore = HistoryStore.open(':memory:');
    const s = await collectEventLogs(logDir, directStore);
    assert.deepStrictEqual(s.failed, []);
    direct = byApp(directStore.allRuns());
    directStore.close();
    expectedIds = [...new Set(direct.map((r) => r.appId))];
    expectedRuns = direct.length;
    assert.strictEqual(expectedRuns, expectedIds.length + 3);
    sources = await discoverEventLogs(logDir);

    shs = new RealHistoryServer(logDir, await freePort(), sparkHome(), path.join(tmp, 'history-server.out'));
    const t0 = Date.now();
    await shs.start(expectedIds);
    console.log(
      `      (History Server up and listing ${expectedIds.length} applications after ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
  });

  after(async function () {
    this.timeout(60_000);
    for (const c of clients) c.close();
    for (const p of proxies) await p.close();
    await shs?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`      (History Server tests took ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
  });

  it('collects every application; each record equals the record read from the same files directly', async function () {
    this.timeout(120_000);
    const store = freshStore('main');
    const s = await collect(store, shs.url);
    assert.deepStrictEqual(s.failed, []);
    assert.strictEqual(s.found, expectedRuns);
    assert.strictEqual(s.inserted, expectedRuns);
    assert.strictEqual(s.downloaded, expectedRuns);
    assertComplete(store);
    // Every attempt of the YARN application is its own run ("App Attempt ID" 1-4 in the four logs).
    assert.deepStrictEqual(
      store.attemptsOf('application_1724877841851_0016').map((a) => a.attemptId),
      ['1', '2', '3', '4'],
    );
    // The watermark is the latest end time of a completed application.
    const latestEnd = Math.max(...direct.filter((r) => r.completed).map((r) => r.endTimeMs as number));
    assert.strictEqual(store.collectionSource(shs.url)?.lastCompletedEndTimeMs, latestEnd);
    // Temp folders are gone.
    assert.deepStrictEqual(
      fs.readdirSync(tmp).filter((n) => n.startsWith('spark-optimizer-hs-')),
      [],
    );
    store.close();
  });

  it('reads, from each /logs zip, the same record as readEventLog on the original files (every attempt)', async function () {
    this.timeout(120_000);
    const c = client(shs.url);
    const listed = await c.listApplications();
    assert.strictEqual(listed.length, expectedRuns);
    const fromFiles = new Map<string, ApplicationRecord>();
    for (const src of sources) {
      const r = (await readEventLog(src)).record;
      if (r) fromFiles.set(`${r.appId}/${r.attemptId}`, r);
    }
    for (const a of listed) {
      const dir = fs.mkdtempSync(path.join(tmp, 'zip-'));
      await c.downloadEventLogs(a.appId, a.attemptId, path.join(dir, 'l.zip'));
      fs.mkdirSync(path.join(dir, 'x'));
      await extractZip(path.join(dir, 'l.zip'), path.join(dir, 'x'));
      const [fromZip] = await discoverEventLogs(path.join(dir, 'x'));
      const viaServer = await readEventLog(fromZip);
      const match = fromFiles.get(`${a.appId}/${a.attemptId}`);
      assert.ok(match, `${a.appId}/${a.attemptId} not found among the files`);
      assert.deepStrictEqual(viaServer.record, match, `${a.appId}/${a.attemptId}`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('incremental: a second run downloads nothing, and its listing starts at the watermark', async function () {
    this.timeout(60_000);
    const store = freshStore('main');
    const s = await collect(store, shs.url);
    assert.deepStrictEqual(s.failed, []);
    assert.strictEqual(s.downloaded, 0);
    assert.strictEqual(s.inserted + s.updated, 0);
    assert.ok(s.listedSinceMs !== null && s.listedSinceMs < (s.watermarkBeforeMs as number));
    assert.ok(s.found < expectedRuns, 'the watermark narrows the listing');
    // Without the watermark (another URL for the same server: the proxy), the store check alone skips everything.
    const p = await proxy();
    const again = await collect(store, p.url);
    assert.strictEqual(again.found, expectedRuns);
    assert.strictEqual(again.unchanged, expectedRuns);
    assert.strictEqual(p.logsRequests(), 0);
    assertComplete(store);
    store.close();
  });

  it('CLI: --limit, --since, --user and --dry-run select what the server lists', async function () {
    this.timeout(120_000);
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const code = await main(
        ['collect', '--source', 'history-server', '--url', shs.url, '--format', 'json', ...args],
        (s) => out.push(s),
        (s) => out.push(s),
      );
      return {
        code,
        json: JSON.parse(out.join('\n')) as {
          inserted: number;
          applications: { appId: string; outcome: string }[];
          failed: unknown[];
          storedApplications: number;
        },
      };
    };
    const ids = (j: { applications: { appId: string }[] }) => j.applications.map((a) => a.appId).sort();
    // The History Server lists applications (each with all its attempts), ordered by the end of their newest attempt.
    const newestAttempt = new Map<string, ApplicationRecord>();
    for (const r of direct)
      if ((newestAttempt.get(r.appId)?.startTimeMs ?? -1) < r.startTimeMs) newestAttempt.set(r.appId, r);
    const latestEnding = [...newestAttempt.values()]
      .filter((r) => r.completed)
      .sort((a, b) => (b.endTimeMs as number) - (a.endTimeMs as number));
    const attemptsOf = (apps: Set<string>) =>
      direct
        .filter((r) => apps.has(r.appId))
        .map((r) => r.appId)
        .sort();

    const limited = await run('--limit', '3', '--db', path.join(tmp, 'limit.db'));
    assert.strictEqual(limited.code, 0);
    assert.deepStrictEqual(ids(limited.json), attemptsOf(new Set(latestEnding.slice(0, 3).map((r) => r.appId))));
    const limitStore = HistoryStore.open(path.join(tmp, 'limit.db'));
    assert.strictEqual(
      limitStore.collectionSource(shs.url)?.lastCompletedEndTimeMs,
      null,
      'a truncated listing sets no watermark',
    );
    limitStore.close();

    const sinceMs = Date.UTC(2024, 0, 1);
    const since = await run('--since', '2024-01-01', '--db', path.join(tmp, 'since.db'));
    assert.strictEqual(since.code, 0);
    // An application is listed (with every attempt) when any of its attempts is running or ended after minEndDate.
    const appsSince = new Set(
      direct.filter((r) => !r.completed || (r.endTimeMs as number) >= sinceMs).map((r) => r.appId),
    );
    assert.deepStrictEqual(ids(since.json), attemptsOf(appsSince));
    assert.strictEqual(appsSince.size, 12);

    const user = await run('--user', 'jose', '--db', path.join(tmp, 'user.db'));
    assert.deepStrictEqual(
      ids(user.json),
      direct
        .filter((r) => r.user === 'jose')
        .map((r) => r.appId)
        .sort(),
    );
    assert.strictEqual(user.json.inserted, 1);

    const dry = await run('--dry-run', '--concurrency', '2', '--db', path.join(tmp, 'dry.db'));
    assert.strictEqual(dry.code, 0);
    assert.strictEqual(dry.json.inserted, 0);
    assert.strictEqual(dry.json.storedApplications, 0);
    assert.ok(dry.json.applications.every((a) => a.outcome === 'dry-run'));
    assert.strictEqual(dry.json.applications.length, expectedRuns);
  });

  it('honours Retry-After and retries 500/503 answers; the run completes', async function () {
    this.timeout(120_000);
    const p = await proxy();
    let faults = 0;
    p.fault = (_req, res) => {
      if (faults >= 4) return false;
      faults++;
      if (faults === 1 || faults === 3)
        res.writeHead(503, { 'Retry-After': '1', 'Content-Type': 'text/plain' }).end('busy');
      else res.writeHead(500, { 'Content-Type': 'text/plain' }).end('boom');
      return true;
    };
    const store = freshStore('retry');
    const t0 = Date.now();
    const s = await collect(store, p.url, { concurrency: 2 });
    assert.deepStrictEqual(s.failed, []);
    assert.ok(Date.now() - t0 >= 2000, 'waited the two Retry-After seconds');
    assert.strictEqual(faults, 4);
    assertComplete(store);
    const again = await collect(store, p.url);
    assert.strictEqual(again.downloaded, 0);
    assertComplete(store);
    store.close();
  });

  it('times out a stalled request (no answer, then a body that stops) and retries it', async function () {
    this.timeout(120_000);
    const p = await proxy();
    let stalls = 0;
    p.fault = (req, res) => {
      if (!req.url?.endsWith('/logs') || stalls >= 2) return false;
      stalls++;
      if (stalls === 1) return true; // never answer
      void fetchUpstream(req, shs.port).then((u) => {
        res.writeHead(u.status, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(u.body.length),
        });
        res.write(u.body.subarray(0, u.body.length >> 1)); // half, then silence
      });
      return true;
    };
    const store = freshStore('stall');
    const t0 = Date.now();
    const s = await collect(store, p.url, { concurrency: 1 }, { timeoutMs: 1000 });
    assert.deepStrictEqual(s.failed, []);
    assert.strictEqual(stalls, 2);
    assert.ok(Date.now() - t0 >= 2000, 'two idle timeouts of 1 s');
    assertComplete(store);
    store.close();
  });

  it('a response cut short is retried; without retries it fails, and the next run completes', async function () {
    this.timeout(120_000);
    const p = await proxy();
    let cuts = 0;
    const cutFirst = (limit: number) => (req: http.IncomingMessage, res: http.ServerResponse, _n?: number) => {
      if (!req.url?.endsWith('/logs') || cuts >= limit) return false;
      cuts++;
      void fetchUpstream(req, shs.port).then((u) => {
        res.writeHead(u.status, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(u.body.length),
        });
        res.write(u.body.subarray(0, u.body.length >> 1), () => res.socket?.destroy());
      });
      return true;
    };
    // The listing cut short once (JSON body), then two /logs zips.
    let listingCut = false;
    const cutLogs = cutFirst(2);
    p.fault = (req, res, n) => {
      if (!listingCut && /^\/api\/v1\/applications(\?|$)/.test(req.url ?? '')) {
        listingCut = true;
        void fetchUpstream(req, shs.port).then((u) => {
          res.writeHead(u.status, { 'Content-Type': 'application/json', 'Content-Length': String(u.body.length) });
          res.write(u.body.subarray(0, u.body.length >> 1), () => res.socket?.destroy());
        });
        return true;
      }
      return cutLogs(req, res, n);
    };
    const store = freshStore('cut');
    const s = await collect(store, p.url);
    assert.deepStrictEqual(s.failed, []);
    assert.ok(listingCut);
    assert.strictEqual(cuts, 2);
    assertComplete(store);
    store.close();

    cuts = 0;
    p.fault = cutFirst(3);
    const store2 = freshStore('cut-no-retry');
    const first = await collect(store2, p.url, { concurrency: 1 }, { retries: 0 });
    assert.strictEqual(first.failed.length, 3);
    for (const f of first.failed)
      assert.match(
        f.reason,
        /History Server at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/applications\/.+\/logs (failed|sent)/,
      );
    assert.strictEqual(first.inserted, expectedRuns - 3);
    p.fault = null;
    const second = await collect(store2, p.url);
    assert.deepStrictEqual(second.failed, []);
    assert.strictEqual(second.inserted, 3);
    assertComplete(store2);
    store2.close();
  });

  it('malformed JSON for the listing fails the run (exit 2) without writing; the next run completes', async function () {
    this.timeout(120_000);
    const p = await proxy();
    p.fault = (req, res) => {
      if (!/^\/api\/v1\/applications(\?|$)/.test(req.url ?? '')) return false;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('[ { "id" : "app-1", "name" : ');
      return true;
    };
    const db = path.join(tmp, 'malformed.db');
    const out: string[] = [];
    const code = await main(
      ['collect', '--source', 'history-server', '--url', p.url, '--db', db],
      (s) => out.push(s),
      (s) => out.push(s),
    );
    assert.strictEqual(code, 2);
    assert.match(out.join('\n'), /failed +listing: History Server at .* answered malformed JSON/);
    const store = HistoryStore.open(db);
    assert.strictEqual(store.countApplications(), 0);
    p.fault = (req, res) => {
      if (!/^\/api\/v1\/applications(\?|$)/.test(req.url ?? '')) return false;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"error":"not a list"}');
      return true;
    };
    const wrongShape = await collect(store, p.url);
    assert.strictEqual(wrongShape.found, 0);
    assert.match(wrongShape.failed[0].reason, /not a Spark application list/);
    p.fault = null;
    const s = await collect(store, p.url);
    assert.deepStrictEqual(s.failed, []);
    assertComplete(store);
    store.close();
  });

  it('503 "Event logs are not available" is reported for that application, not retried; the rest is collected', async function () {
    this.timeout(120_000);
    const p = await proxy();
    const victim = direct.find((r) => r.appName === 'skewed_join')?.appId as string;
    p.fault = (req, res) => {
      if (req.url !== `/api/v1/applications/${victim}/logs`) return false;
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end(`Event logs are not available for app: ${victim}.`);
      return true;
    };
    const store = freshStore('unavailable');
    const s = await collect(store, p.url, { restFallback: false });
    assert.strictEqual(s.failed.length, 1);
    assert.strictEqual(s.failed[0].appId, victim);
    assert.match(
      s.failed[0].reason,
      /answered 503 Service Unavailable: Event logs are not available for app: .*cannot read its event log files/,
    );
    assert.strictEqual(p.requests.filter((u) => u.endsWith(`${victim}/logs`)).length, 1);
    assert.strictEqual(s.inserted, expectedRuns - 1);
    // The watermark stops at the failed application's end, so the next run lists it again.
    const victimEnd = direct.find((r) => r.appId === victim)?.endTimeMs as number;
    assert.strictEqual(store.collectionSource(p.url)?.lastCompletedEndTimeMs, victimEnd);
    p.fault = null;
    const again = await collect(store, p.url);
    assert.deepStrictEqual(again.failed, []);
    assert.strictEqual(again.inserted, 1);
    assertComplete(store);
    store.close();
  });

  it('503 on /logs falls back to the REST views: the record matches the event-log record on what REST carries', async function () {
    this.timeout(120_000);
    const p = await proxy();
    p.fault = (req, res) => {
      if (!req.url?.endsWith('/logs')) return false;
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end('Event logs are not available for app: x.');
      return true;
    };
    const store = freshStore('rest');
    const s = await collect(store, p.url);
    assert.deepStrictEqual(s.failed, []);
    assert.strictEqual(s.fromRest, expectedRuns);
    assert.strictEqual(s.downloaded, 0);
    assert.ok(s.applications.every((a) => a.via === 'rest' && !a.path.endsWith('/logs')));
    // What REST cannot reproduce (documented in rest-record.ts) is blanked on both sides; everything else must be equal.
    const norm = (r: ApplicationRecord): ApplicationRecord => ({
      ...r,
      taskFailures: [],
      durationMs: r.completed ? r.durationMs : 0,
      executorCoreTimeMs: r.completed ? r.executorCoreTimeMs : 0,
      stages: r.stages.map((st) => ({
        ...st,
        parentIds: [],
        taskDurationsMs: undefined,
        ...(st.failedTasks > 0 ? { taskDurationMs: null, skewRatio: null } : {}),
      })),
      jobs: r.jobs?.map((j) => ({ ...j, sqlExecutionId: null, failureReason: null })),
      executors: r.executors.map((e) => ({
        ...e,
        executorRunTimeMs: 0,
        host: e.isDriver ? '' : e.host,
        diskBytesSpilled: undefined,
        memoryBytesSpilled: undefined,
      })),
    });
    const viaRest = byApp(store.allRuns());
    assert.strictEqual(viaRest.length, direct.length);
    for (const [i, r] of viaRest.entries()) {
      assert.deepStrictEqual(norm(r), norm(direct[i]), r.appId);
      // A running app's duration: the last time the views show vs the last event in the log.
      assert.ok(
        Math.abs(r.durationMs - direct[i].durationMs) <= 1000,
        `${r.appId} duration ${r.durationMs} vs ${direct[i].durationMs}`,
      );
    }
    store.close();
  });

  it('records from the REST views go through the same validation: an impossible figure from the server is rejected and reported', async function () {
    this.timeout(120_000);
    const p = await proxy();
    const victim = direct.find((r) => r.appName === 'skewed_join')?.appId as string;
    p.fault = (req, res) => {
      if (req.url?.endsWith('/logs')) {
        res.writeHead(503, { 'Content-Type': 'text/plain' }).end('Event logs are not available for app: x.');
        return true;
      }
      if (!req.url?.startsWith(`/api/v1/applications/${victim}/stages`)) return false;
      // The victim's stage list as the server sends it, with one stage's executor run time made negative.
      void fetchUpstream(req, shs.port).then((u) => {
        const stages = JSON.parse(u.body.toString('utf8')) as { executorRunTime: number }[];
        stages[0].executorRunTime = -5;
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(stages));
      });
      return true;
    };
    const store = freshStore('rest-invalid');
    const s = await collect(store, p.url);
    assert.strictEqual(s.failed.length, 1);
    assert.strictEqual(s.failed[0].appId, victim);
    assert.match(
      s.failed[0].reason,
      /^not stored, the record read from it is invalid: stages\.executorRunTimeMs -5 is not a non-negative number$/,
    );
    assert.strictEqual(store.runById(victim), null);
    assert.strictEqual(s.fromRest, expectedRuns);
    assert.strictEqual(s.inserted, expectedRuns - 1);
    store.close();
  });

  it('cancels through its AbortSignal between and inside downloads; the next run completes', async function () {
    this.timeout(120_000);
    const store = freshStore('cancel');
    const abort = new AbortController();
    const progress: [number, number][] = [];
    const s = await collect(store, shs.url, {
      concurrency: 1,
      signal: abort.signal,
      onProgress: (done, total) => {
        progress.push([done, total]);
        if (done === 2) abort.abort();
      },
    });
    assert.strictEqual(s.cancelled, true);
    assert.strictEqual(s.inserted, 2);
    assert.deepStrictEqual(progress, [
      [1, expectedRuns],
      [2, expectedRuns],
    ]);
    assert.strictEqual(
      store.collectionSource(shs.url)?.lastCompletedEndTimeMs ?? null,
      null,
      'a cancelled run sets no watermark',
    );
    assert.deepStrictEqual(
      fs.readdirSync(tmp).filter((n) => n.startsWith('spark-optimizer-hs-')),
      [],
    );
    const again = await collect(store, shs.url);
    assert.deepStrictEqual(again.failed, []);
    assert.strictEqual(again.inserted, expectedRuns - 2);
    assertComplete(store);
    store.close();
  });

  it('sends bearer / basic / extra-header credentials on every request and never reports them', async function () {
    this.timeout(120_000);
    const p = await proxy();
    const seen: http.IncomingHttpHeaders[] = [];
    p.fault = (req) => {
      seen.push(req.headers);
      return false;
    };
    const store = freshStore('auth');
    const bearer = await collect(
      store,
      p.url,
      { limit: 2 },
      { auth: { kind: 'bearer', token: 'tok-SECRET-1' }, headers: { 'X-Api-Key': 'key-SECRET-2' } },
    );
    assert.deepStrictEqual(bearer.failed, []);
    assert.ok(seen.length >= 3);
    for (const h of seen) {
      assert.strictEqual(h.authorization, 'Bearer tok-SECRET-1');
      assert.strictEqual(h['x-api-key'], 'key-SECRET-2');
    }
    seen.length = 0;
    const basicUrl = p.url.replace('http://', 'http://alice:pw-SECRET-3@');
    const basic = await collect(store, basicUrl, { limit: 3 });
    assert.strictEqual(seen[0].authorization, `Basic ${Buffer.from('alice:pw-SECRET-3').toString('base64')}`);
    assert.strictEqual(basic.source, p.url);
    // A 401 is a `credentials` failure whose reason names no front end's remedy (the CLI and VS Code each word their
    // own: cli/remedies.ts, client/src/remedies.ts), and no secret appears in any summary.
    p.fault = (_req, res) => {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Unauthorized');
      return true;
    };
    const denied = await collect(store, basicUrl, {}, { headers: { Cookie: 'session=SECRET-4' } });
    assert.match(denied.failed[0].reason, /answered 401 Unauthorized: Unauthorized$/);
    assert.strictEqual(denied.failed[0].kind, 'credentials');
    assert.doesNotMatch(JSON.stringify([bearer, basic, denied]), /SECRET/);
    store.close();
  });

  it('TLS: verifies the server certificate by default, trusts a given CA, and presents a client certificate (mTLS)', async function () {
    this.timeout(120_000);
    const pki = makePki(path.join(tmp, 'pki'));
    // scripts/setup.sh installs openssl; without it this test fails rather than passing unchecked.
    assert.ok(pki, 'openssl is needed to make the test certificates (scripts/setup.sh installs it)');
    const read = (n: string) => fs.readFileSync(path.join(pki, n));
    const server = https.createServer(
      {
        key: read('server.key'),
        cert: read('server.crt'),
        ca: read('ca.crt'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => forward(req, res, shs.port),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    try {
      const store = freshStore('tls');
      const untrusted = await collect(store, url, {}, { retries: 0 });
      assert.match(untrusted.failed[0].reason, /certificate/);
      // The CLI adds "pass the CA with --ca", VS Code its caFile setting: the core names only the kind.
      assert.strictEqual(untrusted.failed[0].kind, 'tls');
      assert.doesNotMatch(untrusted.failed[0].reason, /--ca|--insecure|sparkOptimizer\./);
      const noClientCert = await collect(store, url, {}, { retries: 0, tls: { ca: read('ca.crt') } });
      assert.strictEqual(noClientCert.found, 0);
      assert.strictEqual(noClientCert.failed.length, 1);
      const mtls = await collect(
        store,
        url,
        { limit: 2 },
        { tls: { ca: read('ca.crt'), cert: read('client.crt'), key: read('client.key') } },
      );
      assert.deepStrictEqual(mtls.failed, []);
      assert.strictEqual(mtls.inserted, 2);
      // --insecure: no verification of the server, the client certificate still presented.
      const insecure = await collect(
        store,
        url,
        { limit: 3 },
        { tls: { rejectUnauthorized: false, cert: read('client.crt'), key: read('client.key') } },
      );
      assert.deepStrictEqual(insecure.failed, []);
      assert.strictEqual(insecure.inserted, 1);
      store.close();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('a redirect to another origin (port) carries no credential: Authorization, Cookie and extra headers are dropped', async function () {
    this.timeout(120_000);
    const target = await proxy();
    const atTarget: http.IncomingHttpHeaders[] = [];
    target.fault = (req) => {
      atTarget.push(req.headers);
      return false;
    };
    const front = await proxy();
    const atFront: http.IncomingHttpHeaders[] = [];
    front.fault = (req, res) => {
      atFront.push(req.headers);
      res.writeHead(307, { Location: `${target.url}${req.url}` }).end();
      return true;
    };
    const credentials = {
      auth: { kind: 'bearer' as const, token: 'tok-SECRET-1' },
      headers: { 'X-Api-Key': 'key-SECRET-2', Cookie: 'session=SECRET-3' },
    };
    const store = freshStore('redirect');
    const s = await collect(store, front.url, { limit: 2 }, credentials);
    assert.deepStrictEqual(s.failed, []);
    assert.strictEqual(s.inserted, 2);
    // The listing and two /logs downloads: each sent to the History Server's origin with the credentials ...
    assert.strictEqual(atFront.length, 3);
    for (const h of atFront)
      assert.deepStrictEqual(
        [h.authorization, h['x-api-key'], h.cookie],
        ['Bearer tok-SECRET-1', 'key-SECRET-2', 'session=SECRET-3'],
      );
    // ... and followed to the other port without any of them.
    assert.strictEqual(atTarget.length, 3);
    for (const h of atTarget)
      assert.deepStrictEqual([h.authorization, h['x-api-key'], h.cookie], [undefined, undefined, undefined]);

    // A redirect within the same origin keeps them (a server moved under a path prefix).
    const same = await proxy();
    const moved: http.IncomingHttpHeaders[] = [];
    same.fault = (req, res) => {
      if (!req.url?.startsWith('/moved/')) {
        res.writeHead(307, { Location: `/moved${req.url}` }).end();
        return true;
      }
      moved.push(req.headers);
      req.url = req.url.slice('/moved'.length);
      return false;
    };
    const sameStore = freshStore('redirect-same');
    const again = await collect(sameStore, same.url, { limit: 1 }, credentials);
    sameStore.close();
    assert.deepStrictEqual(again.failed, []);
    assert.strictEqual(moved.length, 2);
    for (const h of moved)
      assert.deepStrictEqual(
        [h.authorization, h['x-api-key'], h.cookie],
        ['Bearer tok-SECRET-1', 'key-SECRET-2', 'session=SECRET-3'],
      );
    store.close();
  });

  it('a server echoing the request headers in its errors: no token, password or API key is printed by the CLI', async function () {
    this.timeout(120_000);
    const p = await proxy();
    let n = 0;
    p.fault = (req, res) => {
      // First a 500 (retried: its reason is printed on stderr), then a 401 (not retried: the failure).
      res
        .writeHead(++n === 1 ? 500 : 401, { 'Content-Type': 'text/plain' })
        .end(`you sent ${JSON.stringify(req.headers)}`);
      return true;
    };
    const saved = { ...process.env };
    const cli = async (env: Record<string, string>): Promise<{ code: number; text: string }> => {
      n = 0;
      Object.assign(process.env, env);
      const lines: string[] = [];
      try {
        const code = await main(
          ['collect', '--source', 'history-server', '--url', p.url, '--db', path.join(tmp, 'echo.db')],
          (l) => lines.push(l),
          (l) => lines.push(l),
        );
        return { code, text: lines.join('\n') };
      } finally {
        for (const k of Object.keys(env))
          if (saved[k] === undefined) delete process.env[k];
          else process.env[k] = saved[k];
      }
    };
    const bearer = await cli({
      SPARK_OPTIMIZER_HS_TOKEN: 'tok-SECRET-1',
      SPARK_OPTIMIZER_HS_HEADERS: '{"X-Api-Key":"key-SECRET-2","Cookie":"a=1; session=SECRET-3"}',
    });
    assert.strictEqual(bearer.code, 2);
    const retry =
      /^retry 1 in \d\.\d s: History Server at .* answered 500 Internal Server Error: you sent (\{.*\})$/m.exec(
        bearer.text,
      );
    assert.ok(retry, bearer.text);
    const echoed = JSON.parse(retry[1]) as Record<string, string>;
    assert.deepStrictEqual([echoed.authorization, echoed['x-api-key'], echoed.cookie], ['Bearer ***', '***', '***']);
    assert.match(bearer.text, /^failed +listing: History Server at .* answered 401 Unauthorized: you sent /m);
    // The CLI words the remedy of a 401 with its own environment variables.
    assert.match(
      bearer.text,
      /^failed +listing: .*; give credentials with SPARK_OPTIMIZER_HS_TOKEN, SPARK_OPTIMIZER_HS_USER\/SPARK_OPTIMIZER_HS_PASSWORD or SPARK_OPTIMIZER_HS_HEADERS$/m,
    );
    assert.doesNotMatch(bearer.text, /SECRET/);
    const basicB64 = Buffer.from('alice:pw-SECRET-4').toString('base64');
    const basic = await cli({ SPARK_OPTIMIZER_HS_USER: 'alice', SPARK_OPTIMIZER_HS_PASSWORD: 'pw-SECRET-4' });
    assert.strictEqual(basic.code, 2);
    assert.match(basic.text, /"authorization":"Basic \*\*\*"/);
    assert.ok(!basic.text.includes(basicB64) && !basic.text.includes('SECRET'), basic.text);
  });

  it('Retry-After: 100000 is not waited for past the timeout: the request fails at once and says so', async function () {
    this.timeout(120_000);
    const p = await proxy();
    let listings = 0;
    p.fault = (req, res) => {
      if (!/^\/api\/v1\/applications(\?|$)/.test(req.url ?? '')) return false;
      listings++;
      res.writeHead(503, { 'Retry-After': '100000', 'Content-Type': 'text/plain' }).end('come back tomorrow');
      return true;
    };
    const retryStore = freshStore('retry-after');
    const s = await collect(retryStore, p.url, {}, { timeoutMs: 2000 });
    retryStore.close();
    assert.strictEqual(listings, 1, 'not retried');
    assert.strictEqual(s.failed.length, 1);
    assert.match(
      s.failed[0].reason,
      /answered 503 Service Unavailable: come back tomorrow; it asked to be retried after 27\.8 h \(Retry-After\), longer than the 2\.0 s this client waits \(its timeout\): not retried, try again later$/,
    );
    // The CLI's --timeout is that budget.
    const out: string[] = [];
    const code = await main(
      [
        'collect',
        '--source',
        'history-server',
        '--url',
        p.url,
        '--timeout',
        '5',
        '--db',
        path.join(tmp, 'retry-after.db'),
      ],
      (l) => out.push(l),
      (l) => out.push(l),
    );
    assert.strictEqual(code, 2);
    assert.match(out.join('\n'), /longer than the 5\.0 s this client waits/);
    assert.strictEqual(listings, 2);
  });

  it('Ctrl-C (SIGINT) during a download: the CLI stops cleanly and exits 130; the next run completes', async function () {
    this.timeout(180_000);
    const p = await proxy();
    p.fault = (req) => req.url?.endsWith('/logs') === true; // downloads never answered
    const privateTmp = path.join(tmp, 'sigint-tmp');
    fs.mkdirSync(privateTmp);
    const db = path.join(tmp, 'sigint.db');
    const cli = BUILT_CLI;
    const child = spawn(
      process.execPath,
      [cli, 'collect', '--source', 'history-server', '--url', p.url, '--timeout', '120', '--db', db],
      {
        env: { ...process.env, TMPDIR: privateTmp },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      for (let i = 0; p.logsRequests() === 0; i++) {
        assert.ok(i < 600 && child.exitCode === null, 'the CLI reached no download');
        await sleep(100);
      }
      assert.ok(
        fs.readdirSync(privateTmp).some((n) => n.startsWith('spark-optimizer-hs-')),
        'a download is under way',
      );
      child.kill('SIGINT');
      assert.strictEqual(await exited, 130, stdout);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    assert.match(stdout, /\(cancelled\)\. Store: /);
    assert.deepStrictEqual(fs.readdirSync(privateTmp), [], 'temp folders removed');
    const store = HistoryStore.open(db);
    p.fault = null;
    const s = await collect(store, p.url);
    assert.deepStrictEqual(s.failed, []);
    assertComplete(store);
    store.close();
  });

  it('a zip bomb as /logs fails that application with a clear error; the rest is collected, nothing left on disk', async function () {
    this.timeout(120_000);
    const bomb = makeZip([
      { name: 'eventlog_v2_app-bomb/events_1_app-bomb', data: Buffer.alloc(50 * 1024 * 1024), deflate: true },
    ]);
    const victim = expectedIds[0];
    const p = await proxy();
    p.fault = (req, res) => {
      if (req.url !== `/api/v1/applications/${victim}/logs` && !req.url?.startsWith(`/api/v1/applications/${victim}/`))
        return false;
      if (!req.url.endsWith('/logs')) return false;
      res
        .writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bomb.length) })
        .end(bomb);
      return true;
    };
    const store = freshStore('bomb');
    const s = await collect(store, p.url, { concurrency: 2 });
    assert.deepStrictEqual(
      s.failed.map((f) => f.appId),
      [victim],
    );
    assert.match(
      s.failed[0].reason,
      /would expand \d+× .*over the 200× limit for one entry: a zip bomb, not Spark event logs; refusing to extract the archive/,
    );
    // Every attempt but the victim's (the store keeps each attempt of an application).
    assert.strictEqual(s.inserted, expectedRuns - direct.filter((r) => r.appId === victim).length);
    assert.deepStrictEqual(
      fs.readdirSync(tmp).filter((n) => n.startsWith('spark-optimizer-hs-')),
      [],
    );
    // A download over the byte cap is cut off the same way, not written out.
    const cappedStore = freshStore('capped');
    const capped = await collect(cappedStore, shs.url, { limit: 1, maxLogBytes: 100 });
    cappedStore.close();
    assert.strictEqual(capped.failed.length, 1);
    assert.match(capped.failed[0].reason, /sent more than 100 B of event logs \(the limit\); refusing the download$/);
    p.fault = null;
    assert.deepStrictEqual((await collect(store, p.url)).failed, []);
    assertComplete(store);
    store.close();
  });

  it('the History Server stopped mid-collection: failures are reported, the next run completes without duplicates', async function () {
    this.timeout(300_000);
    const store = freshStore('stopped');
    /** The real client, stopping the real server before its 4th download. */
    class StoppingClient extends HistoryServerClient {
      downloads = 0;
      override async downloadEventLogs(
        appId: string,
        attemptId: string | null,
        destFile: string,
        signal?: AbortSignal,
      ): Promise<number> {
        if (++this.downloads === 4) await shs.stop();
        return super.downloadEventLogs(appId, attemptId, destFile, signal);
      }
    }
    const c = new StoppingClient({ baseUrl: shs.url, ...FAST, retries: 1 });
    clients.push(c);
    const first = await collectFromHistoryServer(c, store, { concurrency: 1, tempDir: tmp });
    assert.strictEqual(first.inserted, 3);
    assert.strictEqual(first.failed.length, expectedRuns - 3);
    for (const f of first.failed)
      assert.match(f.reason, /is not reachable \(connection refused\).*gave up after 2 tries/);
    assert.strictEqual(store.countApplications(), 3);

    const t0 = Date.now();
    await shs.start(expectedIds);
    console.log(`      (History Server restarted in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    const second = await collect(store, shs.url);
    assert.deepStrictEqual(second.failed, []);
    assert.strictEqual(second.inserted, expectedRuns - 3);
    assertComplete(store);
    store.close();
  });

  it('an in-progress attempt is stored as such and refreshed once it completed', async function () {
    this.timeout(180_000);
    const store = freshStore('main'); // holds everything and a watermark from the first test
    // The restart in the previous test gave the running application a new lastUpdated: let a run pick that up first.
    assert.deepStrictEqual((await collect(store, shs.url)).failed, []);
    const name = 'application_1506645932520_24630151';
    const full = fs.readFileSync(path.join(LOGS, 'apache-spark-26d03b62', name), 'utf8');
    const lines = full.split('\n');
    fs.writeFileSync(path.join(logDir, `${name}.inprogress`), lines.slice(0, 40).join('\n') + '\n');
    await shs.waitForListing([name]);

    const first = await collect(store, shs.url);
    assert.deepStrictEqual(first.failed, []);
    assert.strictEqual(first.downloaded, 1, JSON.stringify(first.applications));
    assert.strictEqual(first.inserted, 1);
    const partial = store.allRuns().find((r) => r.appId === name);
    assert.strictEqual(partial?.completed, false);
    // Nothing changed: not downloaded again.
    assert.strictEqual((await collect(store, shs.url)).downloaded, 0);

    fs.writeFileSync(path.join(logDir, name), full);
    fs.rmSync(path.join(logDir, `${name}.inprogress`));
    await shs.waitForListing([name], 60_000, (apps) => apps.find((a) => a.id === name)?.attempts[0].completed === true);
    // Its end time (2018) lies far before the watermark: the listing does not show it, the stored in-progress record brings it back.
    const second = await collect(store, shs.url);
    assert.deepStrictEqual(second.failed, []);
    assert.strictEqual(second.updated, 1, JSON.stringify(second.applications));
    assert.strictEqual(second.downloaded, 1);
    const [src] = (await discoverEventLogs(logDir)).filter((s) => path.basename(s.path) === name);
    const expected = (await readEventLog(src)).record as ApplicationRecord;
    assert.strictEqual(expected.completed, true);
    const stored = store.allRuns().find((r) => r.appId === name);
    assert.deepStrictEqual(
      stored,
      store.allRuns().find((r) => r.appId === name),
    ); // stable
    const roundTrip = HistoryStore.open(':memory:');
    roundTrip.upsert(expected, { path: 'x', sizeBytes: 0, mtimeMs: 0, malformedLines: 0 });
    assert.deepStrictEqual(stored, roundTrip.allRuns()[0]);
    roundTrip.close();
    store.close();
  });
});
