/**
 * What the object-store tests share: one folder holding every event-log layout and codec the local reader knows (real
 * logs from examples/history and test/fixtures), and the check that a bucket's collection equals the local folder's,
 * record by record and figure by figure.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../server/src/cli/main';
import type { ApplicationRecord } from '../../server/src/history/application-record';
import { collectEventLogs } from '../../server/src/history/collect';
import type { IngestSummary } from '../../server/src/history/ingest';
import { collectObjectStore } from '../../server/src/history/object-store/collect';
import type { ObjectStore } from '../../server/src/history/object-store/object-store';
import { FaultProxy } from './fault-proxy';
import { HistoryStore } from '../../server/src/store/history-store';

const ROOT = path.join(__dirname, '..', '..', '..');
/** test/fixtures/spark/event-logs. */
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'spark', 'event-logs');
/** examples/history. */
export const EXAMPLES = path.join(ROOT, 'examples', 'history');

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
