/**
 * What the object-store tests share: one folder holding every event-log layout and codec the local reader knows (real
 * logs from examples/history and test/fixtures), and the check that a bucket's collection equals the local folder's,
 * record by record and figure by figure.
 */
import * as assert from 'assert';
import Database from 'better-sqlite3';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../server/src/cli/main';
import type { ApplicationRecord } from '../../server/src/history/application-record';
import { collectEventLogs } from '../../server/src/history/collect';
import type { IngestSummary } from '../../server/src/history/ingest';
import { collectObjectStore } from '../../server/src/history/object-store/collect';
import type { ObjectStore, StoredObject } from '../../server/src/history/object-store/object-store';
import { FaultProxy } from './fault-proxy';
import { HistoryStore } from '../../server/src/store/history-store';

const ROOT = path.join(__dirname, '..', '..', '..');
/** test/fixtures/spark/event-logs. */
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'spark', 'event-logs');
/** examples/history. */
export const EXAMPLES = path.join(ROOT, 'examples', 'history');

/** moto's test credentials (moto accepts any key pair; these are not secrets) and a region, as environment variables. */
export const MOTO_ENV = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };

/** The environment variables the AWS SDK's default credential chain reads: cleared to test "no credentials". */
export const AWS_CHAIN_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_EC2_METADATA_DISABLED',
];
/**
 * 9 example runs (rolling zstd folders) + 4 single codec files (lz4, lzf, snappy, zstd) + 4 `.inprogress` + 2 rolling
 * (zstd, lz4) + 1 Databricks `eventlog` with a dated `.gz` part + 1 Spark 1.2 legacy folder + 4 attempts of one app:
 * the logs of {@link buildLayout}'s folder (README.md, manifest.json and expected.json are not event-log names).
 */
export const LAYOUT_LOGS = 25;

/** Copies the real logs into `<tmp>/logs/{emr,codecs,legacy,attempts}` and returns that folder. */
export function buildLayout(tmp: string): string {
  const logs = path.join(tmp, 'logs');
  fs.cpSync(EXAMPLES, path.join(logs, 'emr'), { recursive: true });
  fs.cpSync(path.join(FIXTURES, 'spark-codecs'), path.join(logs, 'codecs'), { recursive: true });
  fs.cpSync(path.join(FIXTURES, 'apache-spark-v1.6.3'), path.join(logs, 'legacy'), { recursive: true });
  fs.cpSync(path.join(FIXTURES, 'nvidia-spark-rapids-tools', 'multiple_attempts'), path.join(logs, 'attempts'), {
    recursive: true,
  });
  return logs;
}

/** Files below `dir`, relative, `/`-separated. */
export function filesBelow(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? filesBelow(dir, r) : [r];
  });
}

/** Runs `fn` over `items` with at most `n` at once. */
export async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** Every stored attempt by `appId/attemptId`. */
export function recordsOf(store: HistoryStore): Map<string, ApplicationRecord> {
  return new Map(store.allRuns(100_000).map((r) => [`${r.appId}/${r.attemptId ?? ''}`, r]));
}

/**
 * Asserts that the bucket's collection (`remote`, paths under `remoteRoot`) equals the local folder's (`local`, paths
 * under `logs`): the same counts and failures, the same attempts, and per attempt the same figures (duration, tasks,
 * spill, executors) and the same whole record; plus figures known independently from examples/history/README.md.
 */
export function assertSameAsLocal(
  a: IngestSummary,
  local: HistoryStore,
  logs: string,
  b: IngestSummary,
  remote: HistoryStore,
  remoteRoot: string,
): void {
  assert.strictEqual(a.found, LAYOUT_LOGS);
  assert.deepStrictEqual(
    { found: b.found, inserted: b.inserted, failed: b.failed.map((f) => f.path.replace(remoteRoot, '')) },
    { found: a.found, inserted: a.inserted, failed: a.failed.map((f) => f.path.replace(logs, '')) },
  );
  const want = recordsOf(local);
  const got = recordsOf(remote);
  assert.strictEqual(want.size, a.inserted);
  assert.deepStrictEqual([...got.keys()].sort(), [...want.keys()].sort());
  const figures = (r: ApplicationRecord) => ({
    durationMs: r.durationMs,
    completed: r.completed,
    totalTasks: r.totalTasks,
    failedTasks: r.failedTasks,
    memoryBytesSpilled: r.memoryBytesSpilled,
    diskBytesSpilled: r.diskBytesSpilled,
    maxExecutors: r.maxExecutors,
    totalExecutorsAdded: r.totalExecutorsAdded,
    executorRunTimeMs: r.executorRunTimeMs,
  });
  for (const [key, r] of want) {
    const g = got.get(key)!;
    assert.deepStrictEqual(figures(g), figures(r), key);
    // Everything else too (stages with their task durations, executors, jobs, settings).
    assert.deepStrictEqual(g, r, key);
  }
  // Figures known independently: examples/history/README.md's table, written from Spark's own run of the example
  // (app-20261121121550-0000: 20 tasks, 2 executors, 383971666 B spilled to disk, 2071184080 B memory spilled;
  // app-20261121122226-0007: 2002 tasks).
  const first = got.get('app-20261121121550-0000/')!;
  assert.deepStrictEqual(
    [first.totalTasks, first.maxExecutors, first.diskBytesSpilled, first.memoryBytesSpilled],
    [20, 2, 383971666, 2071184080],
  );
  assert.strictEqual(got.get('app-20261121122226-0007/')!.totalTasks, 2002);
}

/**
 * Collects `logs` (from {@link buildLayout}) into one new store and the same files uploaded under `prefix` of `bucket`
 * into another, and asserts the two collections are the same ({@link assertSameAsLocal}) and every object was listed.
 * @param tmp where the two stores are written.
 */
export async function assertBucketMatchesFolder(
  tmp: string,
  logs: string,
  bucket: ObjectStore,
  prefix: string,
): Promise<void> {
  const local = HistoryStore.open(path.join(tmp, 'compare-local.db'));
  const remote = HistoryStore.open(path.join(tmp, 'compare-remote.db'));
  try {
    const a = await collectEventLogs(logs, local);
    const b = await collectObjectStore(bucket, prefix, remote);
    assert.strictEqual(b.listedObjects, filesBelow(logs).length);
    assertSameAsLocal(a, local, logs, b, remote, `${bucket.base}/${prefix}`);
  } finally {
    local.close();
    remote.close();
  }
}

/** Runs the CLI in this process: its exit code and every line it printed (stdout and stderr). */
export async function runCli(...args: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await main(
    args,
    (l) => out.push(l),
    (l) => out.push(l),
  );
  return { code, out };
}

/**
 * Collects `prefix/emr` (examples/history, uploaded from `logs`) through a {@link FaultProxy} in front of the server on
 * `upstreamPort` that cuts the first full read of app-20261121121550-0000's 74,639-byte events file after 30,000
 * response bytes, and asserts the read was resumed from the byte reached and the record equals the local folder's.
 * @param storeAt the store under test, pointed at the proxy's URL.
 * @param objectPath how that events file appears in request lines (`/bucket/prefix/emr/...`).
 */
export async function assertResumesCutObject(
  tmp: string,
  logs: string,
  upstreamPort: number,
  storeAt: (url: string) => ObjectStore,
  prefix: string,
  objectPath: string,
): Promise<void> {
  const file = 'events_1_app-20261121121550-0000.zstd';
  const proxy = new FaultProxy(upstreamPort, [
    {
      requestLine: new RegExp(`^GET ${objectPath.replace(/[.]/g, '\\.')}[? ]`),
      withoutRange: true,
      times: 1,
      cutAfterBytes: 30_000,
    },
  ]);
  await proxy.start();
  const store = HistoryStore.open(path.join(tmp, 'cut-remote.db'));
  const reference = HistoryStore.open(path.join(tmp, 'cut-local.db'));
  try {
    const s = await collectObjectStore(storeAt(proxy.url), `${prefix}/emr`, store, { resumeBackoffMs: 10 });
    await collectEventLogs(path.join(logs, 'emr'), reference);
    assert.deepStrictEqual([s.found, s.inserted, s.failed.length], [9, 9, 0], JSON.stringify(s.failed));
    const reads = proxy.seen.filter((r) => r.requestLine.includes(file));
    assert.deepStrictEqual(
      reads.map((r) => r.fault),
      [null, 'cut', null],
      JSON.stringify(reads),
    );
    assert.strictEqual(reads[0].range, 'bytes=0-7');
    assert.strictEqual(reads[1].range, null);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(reads[2].range ?? '')?.[1]);
    assert.ok(resumedAt > 0 && resumedAt < 30_000, `resumed at ${reads[2].range}`);
    assert.deepStrictEqual(store.runById('app-20261121121550-0000'), reference.runById('app-20261121121550-0000'));
  } finally {
    store.close();
    reference.close();
    await proxy.stop();
  }
}

/** The object versions (`record_sources.object_versions`) the store file `db` holds for the source `sourcePath`. */
function storedObjectVersions(db: string, sourcePath: string): (string | null)[] {
  const conn = new Database(db, { readonly: true });
  try {
    const rows = conn.prepare('SELECT object_versions FROM record_sources WHERE path = ?').all(sourcePath) as {
      object_versions: string | null;
    }[];
    return rows.map((r) => r.object_versions);
  } finally {
    conn.close();
  }
}

/**
 * Writes a real log (apache-spark/app-20161115172038-0000: Spark 2.1, plain JSON lines) under `<prefix>/<n>/` of
 * `bucket`, collects it, rewrites it in the same second with a copy of the same size whose one task's Executor Run
 * Time is 18 → 19 ms, and asserts: the listing shows the same size and Last-Modified (the stores' Last-Modified counts
 * whole seconds; an attempt whose rewrite fell into the next second is tried again with a new `n` and store, five
 * times at most), a second collection reads the log again (a head read and the body) and stores the new figure
 * (`executorRunTimeMs` + 1) as an update, and a third reads nothing; the store holds the listed version each time.
 * @param put writes one object with the store's own SDK.
 * @returns both bodies and the object versions stored after the first and the second collection.
 */
export async function assertRereadsSameSizeAndTimeRewrite(
  tmp: string,
  bucket: ObjectStore,
  prefix: string,
  put: (key: string, body: Buffer) => Promise<void>,
): Promise<{ a: Buffer; b: Buffer; versions: string[] }> {
  const a = fs.readFileSync(path.join(FIXTURES, 'apache-spark', 'app-20161115172038-0000'));
  const b = Buffer.from(a.toString('latin1').replace('"Executor Run Time":18,', '"Executor Run Time":19,'), 'latin1');
  assert.strictEqual(b.length, a.length);
  assert.notDeepStrictEqual(b, a);
  const appId = 'app-20161115172038-0000';
  for (let attempt = 1; ; attempt++) {
    const at = `${prefix}/${attempt}`;
    const key = `${at}/${appId}`;
    const db = path.join(tmp, `rewrite-${prefix}-${attempt}.db`);
    const store = HistoryStore.open(db);
    try {
      await new Promise((r) => setTimeout(r, 1_000 - (Date.now() % 1_000)));
      await put(key, a);
      const [before] = await listAll(bucket, at);
      const first = await collectObjectStore(bucket, at, store);
      await put(key, b);
      const [after] = await listAll(bucket, at);
      const sameSizeAndTime = after.sizeBytes === before.sizeBytes && after.mtimeMs === before.mtimeMs;
      if (!sameSizeAndTime && attempt < 5) continue;
      assert.ok(sameSizeAndTime, `the rewrite kept size and Last-Modified in none of ${attempt} attempts`);
      assert.notStrictEqual(after.version, before.version);
      assert.deepStrictEqual([first.found, first.inserted, first.downloadedObjects], [1, 1, 2]);
      const firstRecord = store.runById(appId)!;
      const sourcePath = `${bucket.base}/${key}`;
      assert.deepStrictEqual(storedObjectVersions(db, sourcePath), [before.version]);

      const second = await collectObjectStore(bucket, at, store);
      assert.deepStrictEqual([second.found, second.updated, second.unchanged, second.downloadedObjects], [1, 1, 0, 2]);
      assert.strictEqual(store.runById(appId)!.executorRunTimeMs - firstRecord.executorRunTimeMs, 1);
      assert.deepStrictEqual(storedObjectVersions(db, sourcePath), [after.version]);

      const third = await collectObjectStore(bucket, at, store);
      assert.deepStrictEqual([third.found, third.unchanged, third.downloadedObjects], [1, 1, 0]);
      return { a, b, versions: [before.version!, after.version!] };
    } finally {
      store.close();
    }
  }
}

/** Every object of `bucket` under `prefix`. */
async function listAll(bucket: ObjectStore, prefix: string): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  for await (const o of bucket.list(prefix)) out.push(o);
  return out;
}
