/**
 * History Server benchmark: Spark's own History Server (4.3.0, from the pip-installed pyspark, started by
 * scripts/start-history-server.sh on 127.0.0.1 with `spark.history.fs.update.interval=1s`) against our
 * collector, each ratio taken in the same run.
 *
 *   node build/test/bench/history-server.js [replay|rate]   (after `tsc -b` and `node build/test/bench/ingest.js`;
 *                                                           an argument runs only that part)
 *
 * 1. Replay of one big log. For the ≥ 200 MB plain log and the zstd log that ingest.ts writes (cached under
 *    `<os.tmpdir()>/spark-optimizer-bench-logs/v1/`), a History Server is started over a folder holding
 *    only that log (a hard link, else a copy). Timed from spawning the server: until `/api/v1/applications`
 *    answers 200 at all (server start-up), until the application is listed, and until
 *    `/api/v1/applications/<appId>/jobs` answers 200 (that request makes the server replay the whole log
 *    into its store); median of 3 server starts. Compared with `collectEventLogs` over the same folder
 *    (ingest.js's own child measurement, each of 3 runs in a fresh process), and with
 *    `collectFromHistoryServer` from that server (downloading the log as `/logs` zip and reading it),
 *    into fresh stores. The heap is the script's default (512m) unless SPARK_DAEMON_MEMORY says otherwise.
 * 2. Collection rate. A History Server over ~90 small real logs: the nine Spark 4.3.0 runs of
 *    examples/history and nine copies of each under new application ids (directory, file names and every
 *    occurrence of the id inside the zstd-compressed events rewritten; decompressed with fzstd, recompressed
 *    with Node's zlib zstd, Node 22.15+).
 *    Applications per second of `collectFromHistoryServer` into a fresh store at concurrency 1 and at the
 *    default (4), median of 3 runs each after one warm-up run, next to `collectEventLogs` over the same
 *    folder read directly.
 *
 * Writes its section of docs/benchmarks.md as build/bench/history-server.json when run without an argument.
 * Without Java or PySpark it prints why it skipped and exits 0; without the big logs part 1 says so and
 * part 2 still runs. Every server started here is stopped in a `finally` (and its process group killed
 * on exit or SIGINT/SIGTERM).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { decompress } from 'fzstd';
import { collectEventLogs } from '../../server/src/history/collect';
import { HistoryServerClient } from '../../server/src/history/history-server/client';
import { collectFromHistoryServer } from '../../server/src/history/history-server/collect';
import { HistoryStore } from '../../server/src/store/history-store';
import { freePort, HistoryServerProcess, killAll, sleep } from '../helpers/history-server-process';
import { REPO_ROOT, EXAMPLE_HISTORY } from '../helpers/fixtures';
import { markdownTable, writeBenchSection } from './report';

const EXAMPLES = EXAMPLE_HISTORY;
const CACHE = path.join(os.tmpdir(), 'spark-optimizer-bench-logs', 'v1');
const INGEST_JS = path.join(__dirname, 'ingest.js');
const PYTHON = process.env.PYTHON ?? 'python3';
/** Heap of the History Server JVM (SPARK_DAEMON_MEMORY): the script's default, enough to replay the 200 MB logs. */
const DAEMON_MEMORY = process.env.SPARK_DAEMON_MEMORY ?? '512m';
/** Copies of each example run (besides the original) for part 2. */
const COPIES = 9;
const RUNS = 3;

/** GET over loopback: status and body, or status 0 when nothing answered. */
function get(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
}

/** The History Server with the bench's timing probes. */
class TimedHistoryServer extends HistoryServerProcess {
  constructor(logDir: string, port: number, home: string, outFile: string) {
    super(logDir, port, home, outFile, { SPARK_DAEMON_MEMORY: DAEMON_MEMORY });
  }

  /** Polls `/api/v1/applications` every 50 ms until it answers a JSON list and `ok(list)`; returns ms since start. */
  async waitForListing(ok: (apps: { id: string }[]) => boolean, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.assertAlive();
      const r = await get(`${this.url}/api/v1/applications`, 5000);
      // While Jetty is still attaching its handlers, "/" (the HTML history page) may answer for /api/v1 too.
      if (r.status === 200 && r.body.trimStart().startsWith('[') && ok(JSON.parse(r.body) as { id: string }[]))
        return this.elapsed();
      if (Date.now() > deadline)
        throw new Error(
          `History Server at ${this.url}: listing not as expected within ${timeoutMs} ms:\n${this.tail()}`,
        );
      await sleep(50);
    }
  }

  /** GETs `apiPath` until it answers 200 (one request may take the whole replay); returns ms since start. */
  async waitFor200(apiPath: string, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.assertAlive();
      const r = await get(`${this.url}${apiPath}`, timeoutMs);
      if (r.status === 200) return this.elapsed();
      if (Date.now() > deadline)
        throw new Error(
          `History Server at ${this.url}: ${apiPath} did not answer 200 within ${timeoutMs} ms (last: ${r.status}):\n${this.tail()}`,
        );
      await sleep(100);
    }
  }

  /** Peak resident set of the server JVM (VmHWM of the process the script exec'd into), MiB, or null. */
  peakRssMiB(): number | null {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : null;
    } catch {
      return null;
    }
  }
}

/** Why the bench cannot run here, or null. Also finds SPARK_HOME. */
function prerequisites(): { home: string } | { skip: string } {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0)
    return { skip: "'java' is not on PATH (Spark 4.3.0's History Server needs Java 17+)" };
  const env = process.env.SPARK_HOME;
  if (env && fs.existsSync(path.join(env, 'bin', 'spark-class'))) return { home: env };
  const py = spawnSync(PYTHON, ['-c', 'import pyspark,os;print(os.path.dirname(pyspark.__file__))'], {
    encoding: 'utf8',
  });
  if (py.status !== 0)
    return { skip: `PySpark is not installed for '${PYTHON}' (its Spark distribution provides the History Server)` };
  const home = py.stdout.trim();
  if (!fs.existsSync(path.join(home, 'bin', 'spark-class'))) return { skip: `${home}/bin/spark-class is missing` };
  return { home };
}

/** Links (else copies) the one log of `srcDir` into a fresh folder; returns the folder. */
function folderWithOnly(srcDir: string, tmp: string, name: string): string {
  const files = fs.readdirSync(srcDir).filter((f) => !f.startsWith('.'));
  if (files.length !== 1) throw new Error(`${srcDir}: expected one log, found ${files.join(', ')}`);
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  try {
    fs.linkSync(path.join(srcDir, files[0]), path.join(dir, files[0]));
  } catch {
    fs.copyFileSync(path.join(srcDir, files[0]), path.join(dir, files[0]));
  }
  return dir;
}

/**
 * examples/history plus `copies` copies of each run under new ids (`app-<same time>-<1000 + 10·copy + i>`):
 * directory, file names and every occurrence of the old id in the events (App ID, spark.app.id, ...).
 * `.crc` files are left out (Hadoop checks them only when present). @returns the folder and every app id.
 */
function manyLogs(tmp: string, copies: number): { dir: string; ids: string[] } {
  const dir = path.join(tmp, 'many');
  fs.mkdirSync(dir);
  const ids: string[] = [];
  const runs = fs
    .readdirSync(EXAMPLES)
    .filter((d) => d.startsWith('eventlog_v2_'))
    .sort();
  runs.forEach((runDir, i) => {
    const oldId = runDir.slice('eventlog_v2_'.length);
    // fzstd: Spark writes several zstd frames, and zlib.zstdDecompressSync stops after the first.
    const events = Buffer.from(
      decompress(new Uint8Array(fs.readFileSync(path.join(EXAMPLES, runDir, `events_1_${oldId}.zstd`)))),
    ).toString('utf8');
    if (!events.includes(`"App ID":"${oldId}"`))
      throw new Error(`${runDir}: no "App ID":"${oldId}" in its SparkListenerApplicationStart`);
    for (let copy = 0; copy <= copies; copy++) {
      const id = copy === 0 ? oldId : `${oldId.slice(0, -4)}${String(1000 + 10 * copy + i).padStart(4, '0')}`;
      const out = path.join(dir, `eventlog_v2_${id}`);
      fs.mkdirSync(out);
      fs.writeFileSync(
        path.join(out, `events_1_${id}.zstd`),
        copy === 0
          ? fs.readFileSync(path.join(EXAMPLES, runDir, `events_1_${oldId}.zstd`))
          : zlib.zstdCompressSync(Buffer.from(events.split(oldId).join(id), 'utf8')),
      );
      fs.writeFileSync(path.join(out, `appstatus_${id}`), '');
      ids.push(id);
    }
  });
  return { dir, ids };
}

interface IngestChildResult {
  ms: number;
  maxRssMiB: number;
  inserted: number;
  failed: number;
}

/** `collectEventLogs(dir)` into a fresh store, timed in a fresh process by ingest.js's own child mode. */
function collectDirect(dir: string): IngestChildResult {
  const out = execFileSync(process.execPath, [INGEST_JS, '--child', 'collect', dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const r = JSON.parse(out.trim().split('\n').pop() ?? '') as IngestChildResult;
  if (r.inserted !== 1)
    throw new Error(`${dir}: collectEventLogs stored ${r.inserted} applications (failed: ${r.failed}), expected 1`);
  return r;
}

/** `collectFromHistoryServer` into a fresh store; returns ms and the count stored. */
async function collectOverHttp(
  url: string,
  tmp: string,
  concurrency: number | undefined,
): Promise<{ ms: number; inserted: number; failed: number }> {
  const dbDir = fs.mkdtempSync(path.join(tmp, 'store-'));
  const store = HistoryStore.open(path.join(dbDir, 'history.db'));
  const client = new HistoryServerClient({ baseUrl: url, timeoutMs: 600_000 });
  try {
    const t0 = process.hrtime.bigint();
    const s = await collectFromHistoryServer(client, store, { concurrency, tempDir: tmp });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (s.failed.length)
      throw new Error(
        `collectFromHistoryServer failed for ${s.failed.length}: ${s.failed.map((f) => `${f.path}: ${f.reason}`).join('; ')}`,
      );
    return { ms, inserted: s.inserted, failed: s.failed.length };
  } finally {
    client.close();
    store.close();
    fs.rmSync(dbDir, { recursive: true, force: true });
  }
}

const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Part 1 for one log folder: printed rows. */
/** One History Server over `dir`, timed from spawning it until `/jobs` answers 200; then a download of the log from it. */
async function replayOnce(
  dir: string,
  home: string,
  tmp: string,
  run: number,
): Promise<{ up: number; listed: number; replayed: number; rss: number | null; viaHttp: number }> {
  const shs = new TimedHistoryServer(dir, await freePort(), home, path.join(tmp, `${path.basename(dir)}-${run}.out`));
  try {
    shs.spawn();
    const up = await shs.waitForListing(() => true, 180_000);
    let appId = '';
    const listed = await shs.waitForListing((apps) => {
      appId = apps[0]?.id ?? '';
      return apps.length === 1;
    }, 600_000);
    const jobsPath = `/api/v1/applications/${encodeURIComponent(appId)}/jobs`;
    const replayed = await shs.waitFor200(jobsPath, 900_000);
    const jobs = JSON.parse((await get(`${shs.url}${jobsPath}`, 60_000)).body) as unknown[];
    if (!Array.isArray(jobs) || jobs.length === 0) throw new Error(`${jobsPath} answered no jobs after the replay`);
    const rss = shs.peakRssMiB();
    const viaHttp = (await collectOverHttp(shs.url, tmp, undefined)).ms;
    return { up, listed, replayed, rss, viaHttp };
  } finally {
    await shs.stop();
  }
}

/** Part 1 for one log: `RUNS` server starts and `RUNS` collections, medians; one printed row and its table cells. */
async function replay(
  label: string,
  srcDir: string,
  home: string,
  tmp: string,
): Promise<{ text: string; cells: string[]; ratio: number }> {
  const dir = folderWithOnly(srcDir, tmp, label.replace(/\W+/g, '-'));
  const bytes = fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  const ours: IngestChildResult[] = [];
  const runs: Awaited<ReturnType<typeof replayOnce>>[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(collectDirect(dir));
    runs.push(await replayOnce(dir, home, tmp, i));
  }
  const m = (f: (r: (typeof runs)[number]) => number) => median(runs.map(f));
  const [up, listed, replayed, viaHttp] = [
    m((r) => r.up),
    m((r) => r.listed),
    m((r) => r.replayed),
    m((r) => r.viaHttp),
  ];
  const replayOnly = m((r) => r.replayed - r.listed);
  const rss = runs.every((r) => r.rss !== null) ? Math.max(...runs.map((r) => r.rss as number)) : null;
  const collect = median(ours.map((r) => r.ms));
  const collectRss = Math.max(...ours.map((r) => r.maxRssMiB));
  const t = (ms: number) => sec(ms).padStart(8);
  const cells = [
    label,
    `${(bytes / 1e6).toFixed(1)} MB`,
    sec(up),
    sec(replayed),
    sec(replayOnly),
    rss === null ? '?' : `${rss.toFixed(0)} MiB`,
    sec(collect),
    `${collectRss.toFixed(0)} MiB`,
    sec(viaHttp),
    `**${(replayed / collect).toFixed(2)}**`,
    (replayOnly / collect).toFixed(2),
  ];
  const text =
    `${label.padEnd(14)} ${`${(bytes / 1e6).toFixed(1)} MB`.padStart(9)} | ` +
    `SHS up ${t(up)}, listed ${t(listed)}, /jobs 200 ${t(replayed)} (replay ${t(replayOnly)}), JVM RSS ${rss === null ? '?' : rss.toFixed(0)} MiB | ` +
    `collectEventLogs ${t(collect)} (RSS ${collectRss.toFixed(0)} MiB) | collectFromHistoryServer ${t(viaHttp)} | ` +
    `SHS start→/jobs ÷ collectEventLogs ${(replayed / collect).toFixed(2)} | replay ÷ collectEventLogs ${(replayOnly / collect).toFixed(2)}`;
  return { text, cells, ratio: replayed / collect };
}

async function main(): Promise<void> {
  const pre = prerequisites();
  if ('skip' in pre) {
    process.stdout.write(
      `history-server bench skipped: ${pre.skip}.\nInstall with: bash ${path.join(REPO_ROOT, 'scripts', 'install-pyspark.sh')}, then run this again.\n`,
    );
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-shs-bench-'));
  const loadStart = os.loadavg();
  const page: string[] = [
    `Spark's own History Server (Spark 4.3.0 from pyspark, heap ${DAEMON_MEMORY}, on 127.0.0.1) against our collector on the same`,
    `event logs, in the same run (test/bench/history-server.ts); medians of ${RUNS}.`,
    '',
  ];
  const figures: Record<string, number> = {};
  try {
    const only = process.argv[2];
    // 1. Replay of the big logs.
    if (only !== 'rate') {
      process.stdout.write(
        `History Server replay of one big log (Spark's HistoryServer from ${pre.home}, heap ${DAEMON_MEMORY}; times from spawning it, median of ${RUNS} starts):\n` +
          `  up = /api/v1/applications answers, listed = the app is in it, /jobs 200 = the replay is done; collectFromHistoryServer = download of /logs + read, from that server\n`,
      );
      const big = [
        ['plain, 200 MB', path.join(CACHE, 'plain-200mb')],
        ['zstd, 200 MB', path.join(CACHE, 'zstd-200mb')],
      ] as const;
      const cells: string[][] = [];
      for (const [label, dir] of big) {
        if (!fs.existsSync(path.join(dir, '.complete'))) {
          process.stdout.write(`${label}: skipped, no cached log in ${dir} (node ${INGEST_JS} writes it)\n`);
          continue;
        }
        const r = await replay(label, dir, pre.home, tmp);
        process.stdout.write(`${r.text}\n`);
        cells.push(r.cells);
        figures[`${label.startsWith('zstd') ? 'zstd' : 'plain'}200MBShsToCollectRatio`] = r.ratio;
      }
      if (cells.length > 0) {
        page.push(
          '### Replay of one big log',
          '',
          'Times from spawning the History Server: until `/api/v1/applications` answers (up), and until',
          '`/api/v1/applications/<id>/jobs` answers 200 (the server has replayed the whole log into its store). Baseline:',
          '`collectEventLogs` over the same file into a fresh store, in a fresh process.',
          '',
          markdownTable(
            [
              'log',
              'on disk',
              'SHS up',
              'SHS start → /jobs',
              'of which replay',
              'SHS JVM RSS',
              'collectEventLogs',
              'its RSS',
              'collectFromHistoryServer',
              'SHS start → /jobs ÷ collectEventLogs',
              'replay ÷ collectEventLogs',
            ],
            cells,
          ),
          '',
        );
      }
    }
    if (only === 'replay') return;

    // 2. Collection rate over many small logs.
    const { dir, ids } = manyLogs(tmp, COPIES);
    const direct: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const dbDir = fs.mkdtempSync(path.join(tmp, 'direct-'));
      const store = HistoryStore.open(path.join(dbDir, 'history.db'));
      const t0 = process.hrtime.bigint();
      const s = await collectEventLogs(dir, store);
      direct.push(Number(process.hrtime.bigint() - t0) / 1e6);
      store.close();
      fs.rmSync(dbDir, { recursive: true, force: true });
      if (s.inserted !== ids.length)
        throw new Error(`collectEventLogs stored ${s.inserted} of ${ids.length} applications`);
    }
    const shs = new TimedHistoryServer(dir, await freePort(), pre.home, path.join(tmp, 'many.out'));
    const c1: number[] = [];
    const c4: number[] = [];
    let up: number, listed: number;
    try {
      shs.spawn();
      up = await shs.waitForListing(() => true, 180_000);
      listed = await shs.waitForListing((apps) => {
        const have = new Set(apps.map((a) => a.id));
        return ids.every((id) => have.has(id));
      }, 300_000);
      const check = <T extends { inserted: number }>(r: T): T => {
        if (r.inserted !== ids.length)
          throw new Error(`collectFromHistoryServer stored ${r.inserted} of ${ids.length} applications`);
        return r;
      };
      check(await collectOverHttp(shs.url, tmp, undefined)); // warm-up (server JIT, zip path)
      for (let i = 0; i < RUNS; i++) {
        c1.push(check(await collectOverHttp(shs.url, tmp, 1)).ms);
        c4.push(check(await collectOverHttp(shs.url, tmp, undefined)).ms);
      }
    } finally {
      await shs.stop();
    }
    const n = ids.length;
    const aps = (ms: number) => n / (ms / 1000);
    const [m1, m4, md] = [median(c1), median(c4), median(direct)];
    process.stdout.write(
      `\nHistory Server collection rate: ${n} applications (${n / (COPIES + 1)} real Spark 4.3.0 runs × ${COPIES + 1} ids), ` +
        `server up after ${sec(up)}, all listed after ${sec(listed)}; median of ${RUNS} runs, ${os.cpus().length} CPUs\n` +
        `${'collectFromHistoryServer, concurrency 1'.padEnd(50)} ${sec(m1).padStart(9)}  ${aps(m1).toFixed(1).padStart(6)} apps/s\n` +
        `${'collectFromHistoryServer, concurrency 4 (default)'.padEnd(50)} ${sec(m4).padStart(9)}  ${aps(m4).toFixed(1).padStart(6)} apps/s\n` +
        `${'baseline: collectEventLogs over the same files'.padEnd(50)} ${sec(md).padStart(9)}  ${aps(md).toFixed(1).padStart(6)} apps/s\n` +
        `concurrency 4 / concurrency 1 = ${(aps(m4) / aps(m1)).toFixed(2)}x apps/s   History Server (c=4) / files = ${(aps(m4) / aps(md)).toFixed(2)}x apps/s\n`,
    );
    page.push(
      '### Collection rate from a History Server',
      '',
      `${n} applications (${n / (COPIES + 1)} real Spark 4.3.0 runs under ${COPIES + 1} ids each) collected over the History Server's REST API`,
      '(`/logs` zip per application) into a fresh store. Baseline: `collectEventLogs` over the same files read directly.',
      '',
      markdownTable(
        ['collector', 'time', 'apps/s', 'ratio to files'],
        [
          ['`collectFromHistoryServer`, concurrency 1', sec(m1), aps(m1).toFixed(1), (aps(m1) / aps(md)).toFixed(2)],
          [
            '`collectFromHistoryServer`, concurrency 4 (default)',
            sec(m4),
            aps(m4).toFixed(1),
            (aps(m4) / aps(md)).toFixed(2),
          ],
          ['baseline: `collectEventLogs` over the files', sec(md), aps(md).toFixed(1), '1.00'],
        ],
      ),
    );
    figures.historyServerAppsPerS = aps(m4);
    figures.historyServerRatioToFiles = aps(m4) / aps(md);
    if (only === undefined)
      writeBenchSection(
        { id: 'history-server', title: "Spark's History Server", order: 25, markdown: page.join('\n'), figures },
        loadStart,
      );
  } finally {
    killAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
