/**
 * The history store shared by several processes (issue 12 item 1): collections started at once on a new store, a writer
 * meeting another process's lock, and a bounded stress run of 4 collector processes (the real CLI) and 4 reader
 * processes on one store, checking that every application attempt arrives exactly once.
 *
 * Logs: copies of qubole/sparklens' `local-1532512550423` (test/fixtures/spark, provenance in its README: 30 lines,
 * local[*], 2 stages, 8 tasks) under new application ids, some as two attempts (`App Attempt ID` "1" and "2"), so each
 * copy is a distinct (application, attempt) with the real log's content.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Database from 'better-sqlite3';
import { collectEventLogs } from '../../server/src/history/collect';
import { failureLevel } from '../../server/src/history/ingest';
import { HistoryStore } from '../../server/src/store/history-store';
import { MIGRATIONS } from '../../server/src/store/migrations';
import { EVENT_LOG_FIXTURES, STORE_FIXTURES, BUILT_CLI } from '../helpers/fixtures';

const CLI = BUILT_CLI;
const READER = path.join(__dirname, '..', 'helpers', 'store-reader-process.js');
const BASE = path.join(EVENT_LOG_FIXTURES, 'qubole-sparklens', 'local-1532512550423');
/** `SparkListenerTaskEnd` lines and stages of the base log, read by hand. */
const BASE_TASKS = 8;
const BASE_STAGES = 2;

/** Writes a copy of the base log as application `appId` (attempt `attemptId`) into `dir`; returns its key. */
function writeLog(dir: string, appId: string, attemptId: string | null): string {
  const lines = fs.readFileSync(BASE, 'utf8').split('\n');
  const out = lines.map((l) => {
    if (!l.startsWith('{"Event":"SparkListenerApplicationStart"')) return l;
    const e = JSON.parse(l) as Record<string, unknown>;
    e['App ID'] = appId;
    if (attemptId !== null) e['App Attempt ID'] = attemptId;
    return JSON.stringify(e);
  });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, attemptId === null ? appId : `${appId}_${attemptId}`), out.join('\n'));
  return `${appId}/${attemptId ?? ''}`;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The summary a `collect --format json` printed. */
interface CollectJson {
  failed: unknown[];
  applications: { appId: string; attemptId: string | null; outcome: string }[];
}

describe('history store shared by concurrent processes', function () {
  this.timeout(240_000);
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-concurrency-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('two and three collect processes started at once on a new store all succeed (no race on the schema set-up)', async () => {
    const logs = path.join(tmp, 'logs');
    for (let i = 0; i < 4; i++) writeLog(logs, `local-170000000000${i}`, null);
    for (const [processes, trials] of [
      [3, 5],
      [2, 3],
    ]) {
      for (let t = 0; t < trials; t++) {
        const db = path.join(tmp, `new-${processes}-${t}.db`);
        const runs = await Promise.all(
          Array.from({ length: processes }, () =>
            run([CLI, 'collect', '--path', logs, '--db', db, '--format', 'json']),
          ),
        );
        for (const r of runs)
          assert.strictEqual(r.code, 0, `${processes} processes, trial ${t + 1}: exit ${r.code}\n${r.stderr}`);
        const inserted = runs.flatMap((r) =>
          (JSON.parse(r.stdout) as CollectJson).applications.filter((a) => a.outcome === 'inserted'),
        );
        assert.strictEqual(inserted.length, 4, `each application inserted once over the ${processes} processes`);
        const store = HistoryStore.open(db);
        assert.strictEqual(store.countApplications(), 4);
        store.close();
      }
    }
  });

  it('three processes opening a schema-6 store at once migrate it once, without loss', async () => {
    // test/fixtures/store/history-v6.db: 7 applications written by the previous version (provenance in its README).
    const db = path.join(tmp, 'old.db');
    fs.copyFileSync(path.join(STORE_FIXTURES, 'history-v6.db'), db);
    const runs = await Promise.all(Array.from({ length: 3 }, () => run([CLI, 'jobs', '--db', db, '--format', 'json'])));
    for (const r of runs) {
      assert.strictEqual(r.code, 0, r.stderr);
      const jobs = JSON.parse(r.stdout) as { appName: string; runs: number }[];
      assert.strictEqual(
        jobs.reduce((n, j) => n + j.runs, 0),
        7,
      );
    }
    const store = HistoryStore.open(db);
    // Every migration from 7 on (attempts, service tokens and feedback, the signature index) ran once.
    assert.deepStrictEqual(
      [store.schemaVersion, store.countApplications()],
      [MIGRATIONS[MIGRATIONS.length - 1].version, 7],
    );
    store.close();
  });

  it('a writer waits for another process holding the write lock, and a lock held too long is a counted failure', async () => {
    const logs = path.join(tmp, 'logs');
    writeLog(logs, 'local-1700000000100', null);
    const db = path.join(tmp, 'locked.db');
    HistoryStore.open(db).close();
    /**
     * Another process that takes the write lock and keeps it for `ms`. Resolves once it holds the lock, with a promise
     * of the instant (epoch ms) it committed (wrapped: an async function would wait for it).
     */
    const holdLock = async (ms: number): Promise<{ committed: Promise<number> }> => {
      const child = spawn(
        process.execPath,
        [
          '-e',
          `const D=require(${JSON.stringify(require.resolve('better-sqlite3'))});const d=new D(${JSON.stringify(db)});d.exec('BEGIN IMMEDIATE');` +
            `console.log('locked');setTimeout(()=>{d.exec('COMMIT');console.log('committed '+Date.now());d.close();},${ms});`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      return {
        committed: new Promise<number>((resolve) =>
          child.on('close', () => resolve(Number(/committed (\d+)/.exec(out)?.[1]))),
        ),
      };
    };

    // A 1 s busy timeout and 3 retries (pauses of about 0.1, 0.4 and 1.6 s) outlast a lock held for 3 s: the collection
    // starts while the lock is held, waits, and stores the log after the other process committed.
    const { committed } = await holdLock(3000);
    const store = HistoryStore.open(db, { busyTimeoutMs: 1000, busyRetries: 3 });
    const t0 = Date.now();
    const s = await collectEventLogs(logs, store);
    const t1 = Date.now();
    const commitAt = await committed;
    assert.deepStrictEqual([s.inserted, s.failed.length], [1, 0]);
    assert.ok(t0 < commitAt && commitAt <= t1, `collection ${t0}-${t1}, other process committed at ${commitAt}`);
    store.close();

    // No retries and a lock held for 3 s: the source fails with a reason naming the store, counted as a failure.
    writeLog(logs, 'local-1700000000101', null);
    const hurried = HistoryStore.open(db, { busyTimeoutMs: 100, busyRetries: 0 });
    const later = await holdLock(3000);
    const failed = await collectEventLogs(logs, hurried);
    await later.committed;
    assert.strictEqual(failed.failed.length, 1);
    assert.match(
      failed.failed[0].reason,
      /^the history store .*locked\.db stayed locked by another process while storing local-1700000000101 \(1 tries over [\d.]+ s, busy timeout 100 ms\): database is locked$/,
    );
    assert.strictEqual(failureLevel(failed), 'some');
    // The next run stores it.
    const next = await collectEventLogs(logs, hurried);
    assert.deepStrictEqual([next.inserted, next.unchanged, next.failed.length], [1, 1, 0]);
    hurried.close();
  });

  it('stress: 4 collector processes and 4 reader processes on one store; every application attempt arrives exactly once', async () => {
    const COLLECTORS = 4;
    const READERS = 4;
    const BATCHES = 3;
    const PER_BATCH = 10;
    const BOUND_MS = 150_000;
    const db = path.join(tmp, 'shared.db');
    const expected = new Set<string>();
    let n = 0;
    const nextId = () => `local-17100000${String(n++).padStart(5, '0')}`;
    // Each collector's own batches; every fourth application as two attempts (two files, one application id).
    const batches: string[][] = Array.from({ length: COLLECTORS }, () => []);
    for (let c = 0; c < COLLECTORS; c++) {
      for (let b = 0; b < BATCHES; b++) {
        const dir = path.join(tmp, `collector-${c}`, `batch-${b}`);
        for (let k = 0; k < PER_BATCH; k++) {
          const id = nextId();
          if (k === 0) {
            expected.add(writeLog(dir, id, '1'));
            expected.add(writeLog(dir, id, '2'));
          } else expected.add(writeLog(dir, id, null));
        }
        batches[c].push(dir);
      }
    }
    // A folder every collector collects too: the same sources met by 4 processes.
    const shared = path.join(tmp, 'shared');
    for (let k = 0; k < 8; k++) expected.add(writeLog(shared, nextId(), null));

    const started = Date.now();
    const deadline = started + BOUND_MS;
    const stop = path.join(tmp, 'stop-readers');
    const readers = Array.from({ length: READERS }, () => run([READER, db, stop, String(BOUND_MS)]));
    const invocations: { collector: number; path: string; result: Run }[] = [];
    const collector = async (c: number): Promise<void> => {
      for (let b = 0; b < BATCHES && Date.now() < deadline; b++) {
        for (const p of b % 2 === 0 ? [batches[c][b], shared] : [batches[c][b]]) {
          invocations.push({
            collector: c,
            path: p,
            result: await run([CLI, 'collect', '--path', p, '--db', db, '--format', 'json']),
          });
        }
      }
    };
    await Promise.all(Array.from({ length: COLLECTORS }, (_, c) => collector(c)));
    const collectMs = Date.now() - started;
    fs.writeFileSync(stop, '');
    const readerResults = (await Promise.all(readers)).map(
      (r) => JSON.parse(r.stdout) as { reads: number; records: number; maxApplications: number; errors: string[] },
    );
    const elapsedMs = Date.now() - started;

    // Every invocation succeeded (exit 0, nothing failed) and each attempt was inserted exactly once over all of them.
    for (const i of invocations)
      assert.strictEqual(
        i.result.code,
        0,
        `collector ${i.collector} on ${i.path}: exit ${i.result.code}\n${i.result.stderr}`,
      );
    const summaries = invocations.map((i) => JSON.parse(i.result.stdout) as CollectJson);
    assert.deepStrictEqual(
      summaries.flatMap((s) => s.failed),
      [],
    );
    const inserted = new Map<string, number>();
    for (const s of summaries)
      for (const a of s.applications)
        if (a.outcome === 'inserted')
          inserted.set(`${a.appId}/${a.attemptId ?? ''}`, (inserted.get(`${a.appId}/${a.attemptId ?? ''}`) ?? 0) + 1);
    const updated = summaries.flatMap((s) => s.applications.filter((a) => a.outcome === 'updated'));
    const duplicates = [...inserted.values()].filter((k) => k > 1).length;
    const raw = new Database(db, { readonly: true });
    const rows = raw
      .prepare(
        'SELECT app_id, attempt_id, total_tasks, total_stages, (SELECT count(*) FROM stages s WHERE s.app_id = a.app_id AND s.attempt_id = a.attempt_id) AS stage_rows FROM applications a',
      )
      .all() as {
      app_id: string;
      attempt_id: string;
      total_tasks: number;
      total_stages: number;
      stage_rows: number;
    }[];
    const stored = new Set(rows.map((r) => `${r.app_id}/${r.attempt_id}`));
    const lost = [...expected].filter((k) => !stored.has(k));
    assert.strictEqual(raw.pragma('integrity_check', { simple: true }), 'ok');
    raw.close();
    const readerErrors = readerResults.flatMap((r) => r.errors);
    console.log(
      `      (stress: ${COLLECTORS} collector processes (${invocations.length} CLI runs) + ${READERS} reader processes, ` +
        `collection ${(collectMs / 1000).toFixed(1)} s, all done ${(elapsedMs / 1000).toFixed(1)} s; ${expected.size} application attempts, ` +
        `${stored.size} stored, ${duplicates} inserted twice, ${lost.length} lost, ${updated.length} updated; ` +
        `${readerResults.reduce((x, r) => x + r.reads, 0)} reader passes over ${readerResults.reduce((x, r) => x + r.records, 0)} records, ${readerErrors.length} reader errors; load ${os.loadavg()[0].toFixed(2)})`,
    );
    assert.ok(collectMs < BOUND_MS, `the collectors finished within ${BOUND_MS / 1000} s`);
    assert.deepStrictEqual(lost, []);
    assert.strictEqual(duplicates, 0);
    assert.strictEqual(inserted.size, expected.size);
    assert.deepStrictEqual(updated, []);
    assert.strictEqual(rows.length, expected.size);
    for (const r of rows)
      assert.deepStrictEqual(
        [r.total_tasks, r.total_stages, r.stage_rows],
        [BASE_TASKS, BASE_STAGES, BASE_STAGES],
        `${r.app_id}/${r.attempt_id}`,
      );
    assert.deepStrictEqual(readerErrors, []);
    for (const r of readerResults) assert.ok(r.reads > 0, 'every reader read');
  });
});
