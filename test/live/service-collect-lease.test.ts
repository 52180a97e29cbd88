/**
 * Two `spark-optimizer serve` processes (the built CLI bundle) on ONE store, with the same config file: one event-log
 * source of generated logs (test/bench/event-log-archive.ts: real logs of this repository varied, each its own
 * application id) collected every second, a lease of 4 s. Run on a SQLite file and on a REAL PostgreSQL
 * (test/helpers/postgres-process.ts). While one instance holds the source's lease and is part-way through, it is killed
 * (SIGKILL: no clean-up); the other takes the lease once it expired and collects the rest. Then:
 * - every application of the archive is stored once (the store's count equals the archive's, each source version once);
 * - the killed instance's collection is recorded failed by the survivor, naming the dead holder;
 * - no two collections of the source overlapped in time, and each names the instance that held the lease;
 * - the survivor read exactly the logs the dead instance had not stored (counted before the survivor started), and
 *   every later collection read nothing: reads over all collections = the archive's logs, none twice.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CollectionRun } from '../../server/src/history/collection-ledger';
import type { ServiceStore } from '../../server/src/history/service-store';
import { newToken } from '../../server/src/service/tokens';
import { PostgresStore } from '../../server/src/store/postgres-store';
import { SqliteServiceStore } from '../../server/src/store/sqlite-service-store';
import { generateArchive } from '../bench/event-log-archive';
import { PostgresProcess } from '../helpers/postgres-process';
import { signalProcessGroup, stopProcessGroup, untrackProcessGroup } from '../helpers/process-groups';
import { startServe, type ServeProcess } from '../helpers/serve-process';
import { call } from '../helpers/service-suite';

/** Generated logs in the archive (one application each). */
const APPS = 160;
const LEASE_TTL_MS = 4000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(50);
  }
}

let archive: string;
let archiveApps: number;
let pg: PostgresProcess | null = null;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-lease-live-'));

before(async function () {
  this.timeout(600_000);
  archive = path.join(tmp, 'archive');
  archiveApps = (await generateArchive(archive, APPS)).apps;
  fs.rmSync(path.join(archive, 'manifest.json'));
});

/** The archive's logs, copied into `folder` under a temporary name and renamed in at once (one atomic rename). */
function deliver(folder: string): void {
  const staging = `${folder}.staging`;
  fs.cpSync(archive, staging, { recursive: true });
  fs.renameSync(staging, path.join(folder, 'archive'));
}

after(async () => {
  await pg?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function leaseSuite(name: string, open: () => Promise<{ db: string; env: NodeJS.ProcessEnv; store: ServiceStore }>) {
  describe(`two serve instances on one ${name} store: one lease per source`, function () {
    this.timeout(600_000);
    const procs: ServeProcess[] = [];
    let store: ServiceStore;

    after(async () => {
      for (const p of procs) {
        if (p.child.exitCode === null && p.child.signalCode === null) await stopProcessGroup(p.child, p.exited, 10_000);
        untrackProcessGroup(p.child);
      }
      await store?.close();
    });

    it('collects each application once; a killed lease holder is taken over after the expiry', async () => {
      const opened = await open();
      store = opened.store;
      // The watched folder is empty until both instances listen (a collection of it finds nothing); then the logs
      // arrive at once, so both are up when the first collection of them starts.
      const watched = path.join(tmp, `${name}-logs`);
      fs.mkdirSync(watched);
      const config = path.join(tmp, `${name}.yaml`);
      fs.writeFileSync(
        config,
        [
          'logLevel: warn',
          'collection:',
          `  leaseTtl: ${LEASE_TTL_MS}ms`,
          'sources:',
          `  - { name: archive, kind: event-logs, path: ${JSON.stringify(watched)}, interval: 1s }`,
        ].join('\n'),
      );
      // Same file; each instance named through the environment (SPARK_OPTIMIZER_SERVICE_INSTANCE_NAME over the file).
      for (const instance of ['svc-a', 'svc-b'])
        procs.push(
          await startServe(['--config', config, '--db', opened.db], {
            ...opened.env,
            SPARK_OPTIMIZER_SERVICE_INSTANCE_NAME: instance,
          }),
        );
      const byName: Record<string, ServeProcess> = { 'svc-a': procs[0], 'svc-b': procs[1] };
      await until(
        'a collection of the empty folder',
        async () => (await store.recentCollections(1)).length > 0,
        60_000,
      );
      deliver(watched);

      // Part-way through the first collection: its holder has stored some, not all. Kill it.
      const lease = await until(
        'a collection part-way through',
        async () => {
          const l = await store.leaseOf('archive');
          const n = await store.countApplications();
          return l !== null && l.releasedAtMs === null && n >= 5 && n < archiveApps / 2 ? l : null;
        },
        120_000,
      );
      const victim = byName[lease.holder];
      const survivor = lease.holder === 'svc-a' ? 'svc-b' : 'svc-a';
      signalProcessGroup(victim.child, 'SIGKILL');
      await victim.exited;
      // Nothing writes until the survivor takes the lease: what is stored now is what the dead instance stored.
      const storedByVictim = await store.countApplications();
      assert.ok(storedByVictim >= 5 && storedByVictim < archiveApps, String(storedByVictim));
      const [deadRun] = await store.recentCollections(1, 'archive');
      assert.strictEqual(deadRun.holder, lease.holder);
      assert.strictEqual(deadRun.state, 'running');

      // The survivor takes over once the lease expired, collects the rest, and later collections find nothing new.
      await until(
        'every application stored and two more collections finished',
        async () => {
          const runs = await store.recentCollections(50, 'archive');
          const done = runs.filter((r) => r.id > deadRun.id && r.holder === survivor && r.state === 'succeeded');
          return (await store.countApplications()) === archiveApps && done.length >= 3 ? runs : null;
        },
        300_000,
      );
      // Any instance answers for any collection of the store: the survivor, for the dead one's.
      const token = newToken();
      await store.createToken({ name: 'ci', scope: 'read', tokenSha256: token.tokenSha256, createdAtMs: Date.now() });
      const viaApi = await call(byName[survivor].base, 'GET', `/api/v1/collections/${deadRun.id}`, token.token);
      assert.strictEqual(viaApi.status, 200);
      assert.deepStrictEqual([viaApi.json.holder, viaApi.json.state], [lease.holder, 'failed']);
      // Stop the survivor cleanly, so no collection is cut by the end of the test.
      await new Promise<void>((resolve) => {
        byName[survivor].child.once('exit', () => resolve());
        process.kill(byName[survivor].child.pid as number, 'SIGTERM');
      });
      const all = (await store.recentCollections(500, 'archive')).reverse();
      const deadAt = all.findIndex((r) => r.id === deadRun.id);
      // Before the logs arrived: collections of the empty folder, which found nothing.
      for (const r of all.slice(0, deadAt))
        assert.deepStrictEqual([r.state, r.logsFound, r.logsRead], ['succeeded', 0, 0], JSON.stringify(r));
      const runs = all.slice(deadAt);

      // The dead instance's collection: failed, by the survivor's hand, naming both.
      const dead = runs[0];
      assert.strictEqual(dead.holder, lease.holder);
      assert.strictEqual(dead.state, 'failed');
      assert.match(
        dead.errors[0].reason,
        new RegExp(`instance ${lease.holder} stopped renewing .* ${survivor} took it over`),
      );
      // Every later collection is the survivor's, one at a time, the first not before the lease expired.
      const later = runs.slice(1);
      assert.ok(later.length >= 3);
      for (const r of later) {
        assert.strictEqual(r.holder, survivor);
        assert.ok(
          r.state === 'succeeded' || (r.state === 'failed' && r === later[later.length - 1]),
          JSON.stringify(r),
        );
      }
      assert.ok((later[0].startedAtMs ?? 0) >= lease.expiresAtMs, 'the survivor started before the lease expired');
      const intervals = all.map((r: CollectionRun) => [r.startedAtMs ?? r.requestedAtMs, r.finishedAtMs ?? Infinity]);
      for (let i = 1; i < intervals.length; i++)
        assert.ok(intervals[i][0] >= intervals[i - 1][1], `collections ${all[i - 1].id} and ${all[i].id} overlap`);
      // The survivor read exactly the logs the dead one had not stored, and stored them; later runs read nothing.
      const finished = later.filter((r) => r.state === 'succeeded');
      assert.deepStrictEqual(
        {
          found: finished[0].logsFound,
          read: finished[0].logsRead,
          stored: finished[0].logsStored,
          skipped: finished[0].logsSkipped,
          apps: finished[0].applicationsStored,
          failed: finished[0].logsFailed,
        },
        {
          found: archiveApps,
          read: archiveApps - storedByVictim,
          stored: archiveApps - storedByVictim,
          skipped: storedByVictim,
          apps: archiveApps - storedByVictim,
          failed: 0,
        },
      );
      for (const r of finished.slice(1)) {
        assert.strictEqual(r.logsRead, 0, `collection ${r.id} read ${r.logsRead} log(s) again`);
        assert.strictEqual(r.logsStored, 0);
        assert.strictEqual(r.logsSkipped, archiveApps);
      }
      assert.strictEqual(await store.countApplications(), archiveApps);
      assert.strictEqual((await store.allRuns(10_000)).length, archiveApps);
    });
  });
}

leaseSuite('SQLite', async () => {
  const db = path.join(tmp, 'shared.db');
  return { db, env: {}, store: SqliteServiceStore.open(db) };
});

leaseSuite('PostgreSQL', async () => {
  pg = new PostgresProcess();
  await pg.start();
  pg.psql('CREATE DATABASE lease');
  const url = `postgres://${pg.user}@127.0.0.1:${pg.port}/lease`;
  return {
    db: url,
    env: { SPARK_OPTIMIZER_SERVICE_DB_PASSWORD: pg.password },
    store: await PostgresStore.open({ url, password: pg.password }),
  };
});
