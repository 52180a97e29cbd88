/**
 * The SQLite history store on real event logs (test/fixtures/spark, provenance in its README):
 * migrations, idempotent upserts, attempt replacement, in-progress → finished, round trip, and a
 * collection killed with SIGKILL leaving a consistent store that the next run completes.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Database from 'better-sqlite3';
import { collectEventLogs } from '../server/src/history/collect';
import { discoverEventLogs, singleSource } from '../server/src/history/event-log/discover';
import { readEventLog } from '../server/src/history/event-log/reader';
import { HistoryStore } from '../server/src/store/history-store';
import { MIGRATIONS } from '../server/src/store/migrations';

const ROOT = path.join(__dirname, '..', '..');
const LOGS = path.join(ROOT, 'test', 'fixtures', 'spark', 'event-logs');
const ATTEMPTS = path.join(LOGS, 'nvidia-spark-rapids-tools', 'multiple_attempts');
const ROLLING = path.join(LOGS, 'kubeflow-mcp-apache-spark-history-server', 'eventlog_v2_spark-bcec39f6201b42b9925124595baad260');

async function readOne(p: string) {
  const src = fs.statSync(p).isFile() ? await singleSource(p) : (await discoverEventLogs(p))[0];
  assert.ok(src, `no source for ${p}`);
  const { record, stats } = await readEventLog(src);
  assert.ok(record, `no record from ${p}`);
  return { src, record, stats };
}

describe('HistoryStore (better-sqlite3)', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-store-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('creates the schema by migrations in WAL mode and reopens without re-running them', () => {
    const file = path.join(tmp, 'h.db');
    const s = HistoryStore.open(file);
    assert.strictEqual(s.schemaVersion, MIGRATIONS[MIGRATIONS.length - 1].version);
    s.close();
    const raw = new Database(file);
    assert.strictEqual(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();
    const again = HistoryStore.open(file);
    assert.strictEqual(again.countApplications(), 0);
    again.close();
  });

  it('refuses a store written by a newer schema with a clear error', () => {
    const file = path.join(tmp, 'future.db');
    const raw = new Database(file);
    raw.pragma('user_version = 999');
    raw.close();
    assert.throws(() => HistoryStore.open(file), /schema version 999, newer than/);
  });

  it('is idempotent, lets a newer attempt replace an older one and never the reverse', async () => {
    const store = HistoryStore.open(path.join(tmp, 'h.db'));
    const a2 = await readOne(path.join(ATTEMPTS, 'attempt_2_eventlog.zstd'));
    const a1 = await readOne(path.join(ATTEMPTS, 'attempt_1_eventlog.zstd'));
    const a4 = await readOne(path.join(ATTEMPTS, 'attempt_4_eventlog.zstd'));
    // "App Attempt ID" read by hand from each file's SparkListenerApplicationStart line.
    assert.deepStrictEqual([a1.record.attemptId, a2.record.attemptId, a4.record.attemptId], ['1', '2', '4']);
    assert.strictEqual(a1.record.appId, 'application_1724877841851_0016');
    const src = (x: typeof a1) => ({ path: x.src.path, sizeBytes: x.src.sizeBytes, mtimeMs: x.src.mtimeMs, malformedLines: 0 });
    assert.strictEqual(store.upsert(a2.record, src(a2)), 'inserted');
    assert.strictEqual(store.upsert(a2.record, src(a2)), 'unchanged');
    assert.strictEqual(store.upsert(a1.record, src(a1)), 'skipped-older-attempt');
    assert.strictEqual(store.upsert(a4.record, src(a4)), 'updated');
    assert.strictEqual(store.countApplications(), 1);
    const [stored] = store.runsByAppName('ProcessLargeDataset');
    assert.strictEqual(stored.attemptId, '4');
    store.close();
  });

  it('round-trips a record with its stages and executors unchanged', async () => {
    const store = HistoryStore.open(path.join(tmp, 'h.db'));
    const { src, record } = await readOne(path.join(LOGS, 'apache-spark', 'app-20161115172038-0000'));
    store.upsert(record, { path: src.path, sizeBytes: src.sizeBytes, mtimeMs: src.mtimeMs, malformedLines: 0 });
    const [back] = store.runsByAppName(record.appName);
    const norm = (r: typeof record) => ({ ...r, cpuTimeMs: Math.round(r.cpuTimeMs), executorCoreTimeMs: Math.round(r.executorCoreTimeMs), stages: r.stages.map((s) => ({ ...s, executorCpuTimeMs: Math.round(s.executorCpuTimeMs) })), executors: [...r.executors].sort((a, b) => a.executorId.localeCompare(b.executorId)).map((e) => ({ ...e, taskTimeMs: Math.round(e.taskTimeMs) })) });
    assert.deepStrictEqual(norm({ ...back, executors: back.executors }), norm(record));
    store.close();
  });

  it('replaces an in-progress rolling log by its finished version', async () => {
    const dir = path.join(tmp, 'logs', path.basename(ROLLING));
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(ROLLING)) fs.copyFileSync(path.join(ROLLING, f), path.join(dir, f));
    const status = fs.readdirSync(dir).find((f) => f.startsWith('appstatus_'))!;
    fs.renameSync(path.join(dir, status), path.join(dir, status + '.inprogress'));
    const store = HistoryStore.open(path.join(tmp, 'h.db'));
    const first = await collectEventLogs(path.join(tmp, 'logs'), store);
    assert.strictEqual(first.inserted, 1);
    assert.strictEqual(store.allRuns()[0].completed, false);
    fs.renameSync(path.join(dir, status + '.inprogress'), path.join(dir, status));
    const t = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, status), t, t);
    const second = await collectEventLogs(path.join(tmp, 'logs'), store);
    assert.strictEqual(second.updated, 1, JSON.stringify(second));
    assert.strictEqual(store.allRuns()[0].completed, true);
    assert.strictEqual(store.countApplications(), 1);
    store.close();
  });

  it('stays consistent when the collecting process is killed, and the next run completes the collection', async function () {
    this.timeout(60_000);
    const cli = path.join(ROOT, 'server', 'out', 'cli.js');
    const db = path.join(tmp, 'killed.db');
    const child = spawn(process.execPath, [cli, 'collect', '--path', LOGS, '--recursive', '--db', db], { stdio: 'ignore' });
    // Kill it as soon as the first application has been committed.
    const deadline = Date.now() + 30_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      if (child.exitCode !== null) break;
      if (fs.existsSync(db)) {
        try {
          const probe = new Database(db, { readonly: true, fileMustExist: true });
          const n = (probe.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'applications'").get() as { n: number }).n;
          const apps = n ? (probe.prepare('SELECT count(*) AS n FROM applications').get() as { n: number }).n : 0;
          probe.close();
          if (apps > 0) break;
        } catch {
          // schema being created
        }
      }
      assert.ok(Date.now() < deadline, 'collection never committed an application');
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const raw = new Database(db);
    assert.strictEqual(raw.pragma('integrity_check', { simple: true }), 'ok');
    // Every stored application has all of its stage rows (one transaction per application).
    const rows = raw.prepare('SELECT a.app_id, a.total_stages, (SELECT count(*) FROM stages s WHERE s.app_id = a.app_id) AS stage_rows FROM applications a').all() as { total_stages: number; stage_rows: number }[];
    for (const r of rows) assert.strictEqual(r.stage_rows, r.total_stages);
    const before = rows.length;
    raw.close();
    const store = HistoryStore.open(db);
    const resumed = await collectEventLogs(LOGS, store);
    const clean = HistoryStore.open(path.join(tmp, 'clean.db'));
    await collectEventLogs(LOGS, clean);
    assert.strictEqual(store.countApplications(), clean.countApplications());
    assert.ok(resumed.unchanged >= before, `resumed run skipped ${resumed.unchanged} of ${before} stored`);
    store.close();
    clean.close();
  });
});
