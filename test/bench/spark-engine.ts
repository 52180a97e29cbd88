/**
 * `collect --engine spark` benchmark: applications per second for a generated archive (test/bench/event-log-archive.ts:
 * real logs varied in app id, times and sizes) read by the local reader (`collect --path`, one Node process) and by
 * Spark through a Spark Connect server started here against a Spark standalone cluster on 127.0.0.1
 * (scripts/spark-standalone-cluster.sh: a master and 2 workers of 2 cores), with 1 and with 4 executors of 1 core,
 * each into a fresh store, in the same process. Every run's records are checked against the local reader's (a digest
 * of every stored record), so a fast wrong answer cannot pass.
 *
 *   node build/test/bench/spark-engine.js          (after `tsc -b`; BENCH_SPARK_APPS=N, default 20000; BENCH_SPARK_SMALL=N,
 *                                                   default 2000, a second, smaller archive to separate fixed costs;
 *                                                   BENCH_SPARK_EXECUTORS=1,4, the executor counts run)
 *
 * Each engine first reads examples/history once, untimed (JIT and Spark's code generation warmed up).
 * Figures: wall seconds (listing, folding and storing for Spark), applications per second, and each engine ÷ local;
 * the load average around each run. Writes build/bench/spark-engine.json (report.ts; render.ts writes the page).
 * Without Java, pyspark or the codecs jar it says why it skipped and exits 0.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import { SparkConnectClient } from '../../server/src/connect/client';
import { SparkConnectSql } from '../../server/src/connect/spark-sql';
import { collectEventLogs } from '../../server/src/history/collect';
import type { IngestSummary } from '../../server/src/history/ingest';
import { collectWithSpark } from '../../server/src/history/spark-engine/collect';
import { HistoryStore } from '../../server/src/store/history-store';
import { ConnectServerProcess } from '../helpers/connect-server-process';
import { EXAMPLE_HISTORY, REPO_ROOT } from '../helpers/fixtures';
import { freePort } from '../helpers/history-server-process';
import { stopProcessGroup, trackProcessGroup } from '../helpers/process-groups';
import { eventLogCodecsJar } from '../helpers/spark-extras';
import { generateArchive, type ArchiveManifest } from './event-log-archive';
import { formatLoad, markdownTable, writeBenchSection } from './report';

const APPS = Number(process.env.BENCH_SPARK_APPS ?? 20_000);
const SMALL = Number(process.env.BENCH_SPARK_SMALL ?? 2_000);
/** Executors of the Spark runs (1 core each): BENCH_SPARK_EXECUTORS=1,4 (the default) or a part of it. */
const EXECUTORS = (process.env.BENCH_SPARK_EXECUTORS ?? '1,4').split(',').map(Number);

/** One timed collection. */
interface Run {
  archive: number;
  engine: string;
  seconds: number;
  appsPerSecond: number;
  phases?: { listing: number; folding: number; rows: number; storing: number };
  loadStart: number[];
  loadEnd: number[];
  inserted: number;
}

/** A digest of every stored record (sorted by key), to check that two stores hold the same records. */
function digest(store: HistoryStore): string {
  const h = crypto.createHash('sha256');
  const runs = store
    .allRuns(10_000_000)
    .sort((a, b) => `${a.appId}/${a.attemptId}`.localeCompare(`${b.appId}/${b.attemptId}`));
  for (const r of runs) h.update(JSON.stringify(r));
  return h.digest('hex');
}

/** Runs `fn` on a fresh store at `dbFile`, untimed (a warm-up). */
async function timedQuietly(dbFile: string, fn: (store: HistoryStore) => Promise<unknown>): Promise<void> {
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) fs.rmSync(f, { force: true });
  const store = HistoryStore.open(dbFile);
  try {
    await fn(store);
  } finally {
    store.close();
  }
}

async function timed(
  archive: number,
  engine: string,
  dbFile: string,
  fn: (store: HistoryStore) => Promise<IngestSummary & { phasesMs?: Run['phases'] }>,
): Promise<{ run: Run; digest: string }> {
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) fs.rmSync(f, { force: true });
  const store = HistoryStore.open(dbFile);
  try {
    const loadStart = os.loadavg();
    const t0 = performance.now();
    const s = await fn(store);
    const seconds = (performance.now() - t0) / 1000;
    const run: Run = {
      archive,
      engine,
      seconds,
      appsPerSecond: s.inserted / seconds,
      loadStart,
      loadEnd: os.loadavg(),
      inserted: s.inserted,
    };
    if (s.phasesMs)
      run.phases = {
        listing: s.phasesMs.listing / 1000,
        folding: s.phasesMs.folding / 1000,
        rows: s.phasesMs.rows / 1000,
        storing: s.phasesMs.storing / 1000,
      };
    if (s.failed.length > 0)
      throw new Error(`${engine}: ${s.failed.length} logs failed, e.g. ${s.failed[0].path}: ${s.failed[0].reason}`);
    process.stdout.write(
      `${String(archive).padStart(6)} apps  ${engine.padEnd(22)} ${seconds.toFixed(1).padStart(8)} s  ${run.appsPerSecond.toFixed(1).padStart(8)} apps/s  load ${formatLoad(run.loadStart)} → ${formatLoad(run.loadEnd)}\n`,
    );
    return { run, digest: digest(store) };
  } finally {
    store.close();
  }
}

/** Starts scripts/spark-standalone-cluster.sh (2 workers × 2 cores) and resolves with its master URL and a stop function. */
async function startCluster(workDir: string): Promise<{ masterUrl: string; stop: () => Promise<void> }> {
  const proc: ChildProcess = spawn(
    'bash',
    [path.join(REPO_ROOT, 'scripts', 'spark-standalone-cluster.sh'), '2', '2', '3g'],
    {
      detached: true,
      cwd: workDir,
      stdio: ['pipe', 'pipe', fs.openSync(path.join(workDir, 'cluster.log'), 'a')],
      env: { ...process.env, SPARK_LOCAL_IP: '127.0.0.1' },
    },
  );
  trackProcessGroup(proc);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const masterUrl = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: proc.stdout! });
    lines.on('line', (l) => {
      if (l.startsWith('MASTER_URL=')) resolve(l.slice('MASTER_URL='.length));
    });
    proc.once('exit', (code) => reject(new Error(`the cluster exited with ${code}: see ${workDir}/cluster.log`)));
  });
  return { masterUrl, stop: () => stopProcessGroup(proc, exited, 60_000) };
}

async function main(): Promise<void> {
  let jar: string;
  try {
    jar = eventLogCodecsJar();
  } catch (e) {
    process.stdout.write(`spark-engine bench skipped: ${(e as Error).message}\n`);
    return;
  }
  const loadAtStart = os.loadavg();
  const dataDir = path.join(REPO_ROOT, '.benchmark-data');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-bench-spark-engine-'));
  const archives: { apps: number; dir: string; manifest: ArchiveManifest }[] = [];
  for (const apps of [SMALL, APPS]) {
    const dir = path.join(dataDir, `event-log-archive-${apps}`);
    const manifest = await generateArchive(dir, apps);
    archives.push({ apps, dir, manifest });
    process.stdout.write(
      `archive ${dir}: ${apps} apps, ${(manifest.jsonBytes / 1e9).toFixed(2)} GB of JSON lines, ${(manifest.bytesOnDisk / 1e9).toFixed(2)} GB on disk\n`,
    );
  }
  const runs: Run[] = [];
  const digests = new Map<number, string>();
  // Warm-up (not timed): the example history once, so no timed run pays for JIT compilation or Spark's code generation.
  const warmUp = (fn: (store: HistoryStore) => Promise<unknown>): Promise<unknown> =>
    timedQuietly(path.join(work, 'warm-up.db'), fn);
  await warmUp((store) => collectEventLogs(EXAMPLE_HISTORY, store));
  for (const a of archives) {
    const local = await timed(a.apps, 'local reader', path.join(work, `local-${a.apps}.db`), (store) =>
      collectEventLogs(a.dir, store),
    );
    runs.push(local.run);
    digests.set(a.apps, local.digest);
  }
  const cluster = await startCluster(work);
  try {
    for (const executors of EXECUTORS) {
      const server = new ConnectServerProcess(
        await freePort(),
        crypto.randomBytes(18).toString('hex'),
        path.join(work, `connect-${executors}`),
        {
          'spark.executor.cores': '1',
          'spark.cores.max': String(executors),
          'spark.executor.memory': '1g',
          'spark.eventLog.enabled': 'false',
        },
        { jars: [jar], driverMemory: '2g', master: cluster.masterUrl, env: { SPARK_LOCAL_IP: '127.0.0.1' } },
      );
      await server.start();
      const client = new SparkConnectClient({ url: server.url });
      try {
        await warmUp((store) => collectWithSpark(new SparkConnectSql(client), EXAMPLE_HISTORY, store));
        for (const a of archives) {
          const r = await timed(
            a.apps,
            `Spark, ${executors} executor${executors > 1 ? 's' : ''}`,
            path.join(work, `spark-${executors}-${a.apps}.db`),
            (store) => collectWithSpark(new SparkConnectSql(client), a.dir, store),
          );
          if (r.digest !== digests.get(a.apps))
            throw new Error(
              `Spark with ${executors} executors stored other records than the local reader for ${a.apps} apps`,
            );
          runs.push(r.run);
        }
      } finally {
        await client.close();
        await server.stop();
      }
    }
  } finally {
    await cluster.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }

  // Fixed cost and cost per application of each engine, from the two archive sizes: t(N) = fixed + N × perApp.
  const fit = (engine: string): { fixedS: number; perAppMs: number } => {
    const [small, big] = archives.map((a) => runs.find((r) => r.engine === engine && r.archive === a.apps)!);
    const perApp = (big.seconds - small.seconds) / (big.archive - small.archive);
    return { fixedS: Math.max(0, small.seconds - perApp * small.archive), perAppMs: perApp * 1000 };
  };
  const engines = [...new Set(runs.map((r) => r.engine))];
  const local = (apps: number) => runs.find((r) => r.engine === 'local reader' && r.archive === apps)!;
  const rows = runs.map((r) => [
    String(r.archive),
    r.engine,
    r.seconds.toFixed(1),
    r.phases
      ? `${r.phases.listing.toFixed(1)} / ${r.phases.folding.toFixed(1)} (${r.phases.rows.toFixed(1)}) / ${r.phases.storing.toFixed(1)}`
      : '—',
    r.appsPerSecond.toFixed(1),
    (r.appsPerSecond / local(r.archive).appsPerSecond).toFixed(3),
    `${formatLoad(r.loadStart)} → ${formatLoad(r.loadEnd)}`,
  ]);
  const fits = engines.map((e) => ({ engine: e, ...fit(e) }));
  const million = fits.map((x) =>
    x.perAppMs > 0
      ? [
          x.engine,
          x.fixedS.toFixed(0),
          x.perAppMs.toFixed(2),
          ((x.fixedS + (x.perAppMs * 1e6) / 1000) / 3600).toFixed(1),
        ]
      : [x.engine, '—', '— (the larger archive was not slower)', '—'],
  );
  const big = archives[archives.length - 1].manifest;
  const markdown = [
    `Archives made by test/bench/event-log-archive.ts from this repository's real logs (scripts/generate-event-log-archive.sh): ` +
      `${archives.map((a) => `${a.apps} applications (${(a.manifest.jsonBytes / 1e9).toFixed(2)} GB of JSON lines, ${(a.manifest.bytesOnDisk / 1e9).toFixed(2)} GB on disk)`).join(' and ')}. ` +
      `Spark: a Spark Connect server (driver 2 GiB) on a standalone master with 2 workers of 2 cores on 127.0.0.1, executors of 1 core and 1 GiB. ` +
      `Every Spark run stored the same records as the local reader (a SHA-256 over every stored record).`,
    '',
    `**Conditions: ${os.cpus().length} cores; this benchmark ran at nice ${os.getPriority()} (its Spark JVMs inherit ` +
      `it); other work on the machine shows in the load column. ${os.cpus().length} cores bound every figure: more ` +
      `executors than cores cannot run more tasks at once. Read the ratios.**`,
    '',
    markdownTable(
      [
        'applications',
        'engine',
        'wall s',
        'Spark: listing / folding (of it, rows checked here) / storing s',
        'apps/s',
        '÷ local',
        'load 1/5/15 min (start → end)',
      ],
      rows,
    ),
    '',
    `Fixed cost and cost per application (from the two archives: t(N) = fixed + N × per application), and the time for ` +
      `1,000,000 applications of the same mix (${(big.jsonBytes / big.apps / 1e3).toFixed(0)} kB of JSON each) on this machine:`,
    '',
    markdownTable(['engine', 'fixed s', 'ms per application', 'hours for 1,000,000'], million),
  ].join('\n');
  const figures: Record<string, number> = {};
  for (const r of runs)
    figures[`appsPerSecond_${r.engine.replace(/[^a-z0-9]+/gi, '_')}_${r.archive}`] = r.appsPerSecond;
  for (const x of fits) figures[`msPerApp_${x.engine.replace(/[^a-z0-9]+/gi, '_')}`] = x.perAppMs;
  const file = writeBenchSection(
    {
      id: 'spark-engine',
      title: 'Collecting an archive with Spark (collect --engine spark)',
      order: 25,
      markdown,
      figures,
    },
    loadAtStart,
  );
  process.stdout.write(`\n${markdown}\n\nwrote ${file}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
