/**
 * Service load benchmark (issue 16, item 6): `spark-optimizer serve` on a 100,000-application store, 50 concurrent
 * clients on loopback for 60 s — half asking `POST /api/v1/recommend` for workloads of 50 runs, half `GET /api/v1/workloads`
 * — with autocannon, reporting p50/p95/p99 latency per route and errors:
 *   A. on the SQLite store (the baseline, in the same benchmark run, on the same records);
 *   B. on a real PostgreSQL (Debian's postgresql, started here on a loopback port with a temporary cluster);
 *   C. on PostgreSQL while a collector process stores 2,000 new applications and sends 2,000 stored ones again through
 *      the ingest pipeline: afterwards the counts must be exact (nothing lost, nothing stored twice).
 * Before each measured phase, every workload of the mix is asked once (warm-up, timed).
 * Then the engine's own time for one workload's plan on its 50 runs (cold: a new language service; warm: cached),
 * measured in this process, says how much of a /recommend is the engine.
 *
 *   nice -n 19 node build/test/bench/service-load.js     (after `npm run build`; BENCH_APPS, BENCH_SECONDS,
 *                                                          BENCH_CLIENTS, BENCH_WORKLOADS, BENCH_COLLECT override)
 *
 * The applications are SYNTHETIC (test/helpers/synthetic-store.ts `workloadRecord`): log-normal copies of the 9 real
 * runs of examples/history, 2,000 workloads of 50 runs, stored through the ingest pipeline (PostgreSQL by 2 collector
 * processes, SQLite here). The target (issue 16): p95 ≤ 50 ms for /recommend of a workload with 50 runs, 0 errors.
 * A report, not an exit code, except for the collection counts (exit 1 when anything was lost or duplicated).
 * Writes its section of docs/benchmarks.md as build/bench/service-load.json.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { engineOptions, recommendText } from '../../server/src/cli/engine-commands';
import { Ingest } from '../../server/src/history/ingest';
import { SparkLanguageService } from '../../server/src/language-service';
import { buildService, settingsAsSubmitScript } from '../../server/src/service/app';
import { newToken } from '../../server/src/service/tokens';
import { HistoryStore } from '../../server/src/store/history-store';
import { PostgresStore } from '../../server/src/store/postgres-store';
import { SqliteServiceStore } from '../../server/src/store/sqlite-service-store';
import { PostgresProcess } from '../helpers/postgres-process';
import { signalProcessGroup, stopProcessGroup } from '../helpers/process-groups';
import { startServe, type ServeProcess } from '../helpers/serve-process';
import { RUNS_PER_WORKLOAD, workloadName, workloadRecord, workloadSource } from '../helpers/synthetic-store';
import { markdownTable, writeBenchSection } from './report';
import { realRuns } from './service-load-ingest';

const APPS = Number(process.env.BENCH_APPS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const WORKLOADS = Number(process.env.BENCH_WORKLOADS ?? 20);
const COLLECT = Number(process.env.BENCH_COLLECT ?? 2000);
const P95_TARGET_MS = 50;
const NOW = Date.parse('2026-12-01T00:00:00Z');

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');
const log = (s: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** The /recommend bodies of the mix: workload w with 1g × 2-core executors and 200 shuffle partitions set. */
function recommendBodies(real: Parameters<typeof workloadName>[0]): string[] {
  return Array.from({ length: WORKLOADS }, (_, w) =>
    JSON.stringify({
      appName: workloadName(real, w * 7),
      settings: { 'spark.executor.memory': '1g', 'spark.executor.cores': '2', 'spark.sql.shuffle.partitions': '200' },
    }),
  );
}

/** Starts `spark-optimizer serve` on a free port (own process group, logs off). */
function serve(db: string, env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  return startServe(['--db', db], { ...env, SPARK_OPTIMIZER_SERVICE_LOG_LEVEL: 'silent' }, 600_000);
}

interface RouteResult {
  route: string;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  /** Mean time inside the service (Fastify's elapsed time, from its /metrics histogram): processing without the wait to be read. */
  serverMeanMs: number;
  /** The answers received while a collection ran (phase C: until the collector process finished), and their latencies. */
  whileCollecting?: { requests: number; p50: number; p95: number; p99: number };
}

/** Sum (s) and count of the service's request-duration histogram per route label, from /metrics. */
async function serverTimes(base: string): Promise<Map<string, { sum: number; count: number }>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out = new Map<string, { sum: number; count: number }>();
  for (const m of text.matchAll(
    /^spark_optimizer_http_request_duration_seconds_(sum|count)\{method="(\w+)",route="([^"]+)"\} ([\d.e+-]+)$/gm,
  )) {
    const key = `${m[2]} ${m[3]}`;
    const v = out.get(key) ?? { sum: 0, count: 0 };
    v[m[1] as 'sum' | 'count'] = Number(m[4]);
    out.set(key, v);
  }
  return out;
}

/** One autocannon run of `connections` clients on one route for SECONDS, latencies recorded per response. */
async function hammer(
  base: string,
  token: string,
  route: string,
  connections: number,
  requests: autocannon.Request[],
  collecting?: { endedAtMs: number | null },
): Promise<RouteResult> {
  const latencies: number[] = [];
  const during: number[] = [];
  const instance = (
    autocannon as unknown as (o: autocannon.Options) => Promise<autocannon.Result> & NodeJS.EventEmitter
  )({
    url: base,
    connections,
    duration: SECONDS,
    timeout: 30,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests,
  });
  void instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    if (collecting !== undefined && collecting.endedAtMs === null) during.push(responseTime);
  });
  const r = await instance;
  latencies.sort((a, b) => a - b);
  during.sort((a, b) => a - b);
  const ms = (x: number) => Math.round(x * 10) / 10;
  return {
    route,
    requests: latencies.length,
    p50: ms(quantile(latencies, 0.5)),
    p95: ms(quantile(latencies, 0.95)),
    p99: ms(quantile(latencies, 0.99)),
    max: ms(latencies[latencies.length - 1] ?? NaN),
    errors: r.errors,
    non2xx: r.non2xx,
    timeouts: r.timeouts,
    serverMeanMs: NaN,
    ...(collecting !== undefined
      ? {
          whileCollecting: {
            requests: during.length,
            p50: ms(quantile(during, 0.5)),
            p95: ms(quantile(during, 0.95)),
            p99: ms(quantile(during, 0.99)),
          },
        }
      : {}),
  };
}

/** Warm-up (each workload of the mix asked once, in turn) and the measured phase: half the clients per route. */
async function phase(
  name: string,
  base: string,
  token: string,
  bodies: string[],
  collecting?: { endedAtMs: number | null },
): Promise<{ name: string; warmUpMs: number; routes: RouteResult[]; load: string }> {
  const started = Date.now();
  for (const body of bodies) {
    const res = await fetch(`${base}/api/v1/recommend`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
    if (res.status !== 200) throw new Error(`warm-up /recommend answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  }
  const warmUpMs = Date.now() - started;
  log(`${name}: warm-up ${warmUpMs} ms; ${CLIENTS} clients for ${SECONDS} s (load ${load()})`);
  const recommend = Math.ceil(CLIENTS / 2);
  const before = await serverTimes(base);
  const routes = await Promise.all([
    hammer(
      base,
      token,
      'POST /api/v1/recommend',
      recommend,
      bodies.map((body) => ({ method: 'POST' as const, path: '/api/v1/recommend', body })),
      collecting,
    ),
    hammer(
      base,
      token,
      'GET /api/v1/workloads',
      CLIENTS - recommend,
      [{ method: 'GET' as const, path: '/api/v1/workloads' }],
      collecting,
    ),
  ]);
  const after = await serverTimes(base);
  for (const r of routes) {
    const key = r.route;
    const [a, b] = [after.get(key), before.get(key) ?? { sum: 0, count: 0 }];
    if (a && a.count > b.count) r.serverMeanMs = Math.round(((a.sum - b.sum) / (a.count - b.count)) * 10_000) / 10;
  }
  const seconds = SECONDS;
  for (const r of routes)
    log(
      `  ${r.route}: ${r.requests} answers (${(r.requests / seconds).toFixed(0)}/s), p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms, max ${r.max} ms, mean inside the service ${r.serverMeanMs} ms; errors ${r.errors}, non-2xx ${r.non2xx}, timeouts ${r.timeouts}${r.whileCollecting ? `; while the collection ran: ${r.whileCollecting.requests} answers, p50 ${r.whileCollecting.p50} ms, p95 ${r.whileCollecting.p95} ms, p99 ${r.whileCollecting.p99} ms` : ''}`,
    );
  return { name, warmUpMs, routes, load: load() };
}

/** A collector process (service-load-ingest.ts); resolves with its JSON summary. */
function collector(
  url: string,
  password: string,
  from: number,
  to: number,
  concurrency: number,
  again?: [number, number],
): Promise<{
  inserted: number;
  updated: number;
  unchanged: number;
  failed: number;
  firstFailure: string | null;
  ms: number;
}> {
  return new Promise((resolve, reject) => {
    const args = [
      path.join(__dirname, 'service-load-ingest.js'),
      url,
      String(from),
      String(to),
      String(concurrency),
      ...(again ? again.map(String) : []),
    ];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SPARK_OPTIMIZER_SERVICE_DB_PASSWORD: password },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}'))
        : reject(new Error(`collector exited with ${code}: ${err}`)),
    );
  });
}

async function main(): Promise<void> {
  const loadAverageStart = os.loadavg();
  log(
    `service load benchmark: ${APPS} applications, ${CLIENTS} clients, ${SECONDS} s per phase; load ${load()} on ${os.cpus().length} cores`,
  );
  const real = await realRuns();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-service-load-'));
  const server = new PostgresProcess();
  const services: { child: ChildProcess; exited: Promise<void> }[] = [];
  try {
    await server.start({ max_connections: '200' });
    server.psql('CREATE DATABASE bench');
    const url = `postgres://${server.user}@127.0.0.1:${server.port}/bench`;
    await (await PostgresStore.open({ url, password: server.password })).close();

    // Fill both stores with the same records: PostgreSQL by two collector processes, SQLite here meanwhile.
    const fillStarted = Date.now();
    const half = Math.floor(APPS / 2);
    const pgFill = Promise.all([
      collector(url, server.password, 0, half, 4),
      collector(url, server.password, half, APPS, 4),
    ]);
    const sqliteFile = path.join(tmp, 'history.db');
    const sqlite = HistoryStore.open(sqliteFile);
    const ingest = new Ingest(sqlite);
    for (let i = 0; i < APPS; i++) {
      await ingest.accept({ record: workloadRecord(real, i), stats: null }, workloadSource(i), 'event-log');
      if (i % 10_000 === 9_999) log(`SQLite: ${i + 1} stored (load ${load()})`);
    }
    const sqliteFillMs = Date.now() - fillStarted;
    if (ingest.summary.inserted !== APPS)
      throw new Error(
        `SQLite fill stored ${ingest.summary.inserted} of ${APPS}: ${JSON.stringify(ingest.summary.failed.slice(0, 3))}`,
      );
    const fills = await pgFill;
    const pgFillMs = Date.now() - fillStarted;
    const pgInserted = fills.reduce((n, f) => n + f.inserted, 0);
    if (pgInserted !== APPS)
      throw new Error(
        `PostgreSQL fill stored ${pgInserted} of ${APPS}: ${fills.map((f) => f.firstFailure).join('; ')}`,
      );
    log(
      `filled: SQLite ${(sqliteFillMs / 1000).toFixed(0)} s, PostgreSQL ${(pgFillMs / 1000).toFixed(0)} s (2 processes × 4 at a time, concurrently with SQLite)`,
    );
    const sqliteToken = newToken();
    sqlite.createToken({ name: 'bench', scope: 'read', tokenSha256: sqliteToken.tokenSha256, createdAtMs: NOW });
    const pgStore = await PostgresStore.open({ url, password: server.password });
    const pgToken = newToken();
    await pgStore.createToken({ name: 'bench', scope: 'read', tokenSha256: pgToken.tokenSha256, createdAtMs: NOW });
    await pgStore.close();

    // The engine alone on one workload of 50 runs (cold: new language service each time; warm: same one, cached plan).
    const body = {
      appName: workloadName(real, 0),
      settings: { 'spark.executor.memory': '1g', 'spark.executor.cores': '2', 'spark.sql.shuffle.partitions': '200' },
    };
    const source = {
      uri: pathToFileURL('/request/settings.sh').toString(),
      text: settingsAsSubmitScript(body.appName, body.settings),
      languageId: 'shellscript',
      label: 'settings',
    };
    const cold: number[] = [];
    const warm: number[] = [];
    const warmService = new SparkLanguageService(sqlite, () => NOW);
    for (let k = 0; k < 10; k++) {
      let t = performance.now();
      const out = recommendText(new SparkLanguageService(sqlite, () => NOW), source, engineOptions({}), 'bench');
      cold.push(performance.now() - t);
      if ((out.json as { runs: number }[])[0]?.runs !== RUNS_PER_WORKLOAD)
        throw new Error(`the plan of ${body.appName} is not on ${RUNS_PER_WORKLOAD} runs`);
      t = performance.now();
      recommendText(warmService, source, engineOptions({}), 'bench');
      warm.push(performance.now() - t);
      warmService.forget(source.uri);
    }
    const readRuns: number[] = [];
    for (let k = 0; k < 10; k++) {
      const t = performance.now();
      sqlite.runsByAppName(body.appName, 50);
      readRuns.push(performance.now() - t);
    }
    // Where a warm request's time goes, in this process (no queueing): the whole route through Fastify (request
    // validation, the engine on the loaded history, response validation and serialisation by the zod type provider)
    // against the engine's part alone, and /jobs against the job list it serialises.
    const inProcess = await (async () => {
      const svcStore = new SqliteServiceStore(sqlite, sqliteFile);
      const app = await buildService({ store: svcStore, planClock: () => NOW, logger: false });
      const t = newToken();
      sqlite.createToken({ name: 'inject', scope: 'read', tokenSha256: t.tokenSha256, createdAtMs: NOW });
      const headers = { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' };
      const time = async (n: number, f: () => unknown) => {
        await f();
        const xs: number[] = [];
        for (let k = 0; k < n; k++) {
          const t0 = performance.now();
          await f();
          xs.push(performance.now() - t0);
        }
        return quantile(
          xs.sort((x, y) => x - y),
          0.5,
        );
      };
      const routeRecommend = await time(50, () =>
        app.inject({ method: 'POST', url: '/api/v1/recommend', headers, payload: JSON.stringify(body) }),
      );
      const routeJobs = await time(20, () => app.inject({ method: 'GET', url: '/api/v1/workloads', headers }));
      const listJobs = await time(5, () => sqlite.listWorkloads());
      const jobsJson = await time(20, () => JSON.stringify({ jobs: sqlite.listWorkloads() }));
      await app.close();
      return { routeRecommend, routeJobs, listJobs, jobsJsonAndList: jobsJson, jobs: sqlite.listWorkloads().length };
    })();
    log(
      `in process, warm: /recommend through Fastify ${inProcess.routeRecommend.toFixed(1)} ms (engine part ${quantile(
        [...warm].sort((x, y) => x - y),
        0.5,
      ).toFixed(
        2,
      )} ms); /jobs through Fastify ${inProcess.routeJobs.toFixed(1)} ms for ${inProcess.jobs} jobs (the store's GROUP BY alone ${inProcess.listJobs.toFixed(1)} ms, done once per history version)`,
    );
    sqlite.close();
    [cold, warm, readRuns].forEach((a) => a.sort((x, y) => x - y));
    log(
      `engine on ${body.appName} (50 runs): cold ${quantile(cold, 0.5).toFixed(1)} ms (of which reading the 50 runs from SQLite ${quantile(readRuns, 0.5).toFixed(1)} ms), warm ${quantile(warm, 0.5).toFixed(2)} ms (p50 of 10)`,
    );

    const bodies = recommendBodies(real);
    // A: SQLite.
    const a = await serve(sqliteFile, {});
    services.push(a);
    const phaseA = await phase('A SQLite', a.base, sqliteToken.token, bodies);
    await stopProcessGroup(a.child, a.exited, 30_000);
    // B: PostgreSQL.
    const b = await serve(url, { SPARK_OPTIMIZER_SERVICE_DB_PASSWORD: server.password });
    services.push(b);
    const phaseB = await phase('B PostgreSQL', b.base, pgToken.token, bodies);
    // C: PostgreSQL with a collection running: COLLECT new applications, and COLLECT stored ones sent again.
    const collecting: { endedAtMs: number | null } = { endedAtMs: null };
    const collection = collector(url, server.password, APPS, APPS + COLLECT, 4, [0, COLLECT]).finally(
      () => (collecting.endedAtMs = Date.now()),
    );
    const phaseC = await phase('C PostgreSQL + collection', b.base, pgToken.token, bodies, collecting);
    const collected = await collection;
    log(`collection during C: ${JSON.stringify(collected)}`);
    const c = new Client({ ...parseIntoClientConfig(url), password: server.password });
    await c.connect();
    const counts = (
      await c.query(
        'SELECT (SELECT count(*) FROM applications)::int AS apps, (SELECT count(DISTINCT (app_id, attempt_id)) FROM applications)::int AS keys, (SELECT count(*) FROM record_sources)::int AS sources, (SELECT count(*) FROM stages)::int AS stages',
      )
    ).rows[0] as { apps: number; keys: number; sources: number; stages: number };
    await c.end();
    await new Promise((r) => setTimeout(r, 1500)); // the service rechecks the store's version every second
    const health = (await (await fetch(`${b.base}/health`)).json()) as { applications: number };
    await stopProcessGroup(b.child, b.exited, 30_000);
    const exact =
      collected.inserted === COLLECT &&
      collected.unchanged === COLLECT &&
      collected.updated === 0 &&
      collected.failed === 0 &&
      counts.apps === APPS + COLLECT &&
      counts.keys === counts.apps &&
      counts.sources === counts.apps &&
      health.applications === counts.apps;
    log(
      `after the collection: ${counts.apps} applications (${counts.keys} distinct keys), ${counts.sources} sources, ${counts.stages} stage rows; the service reports ${health.applications}; ${exact ? 'nothing lost, nothing duplicated' : 'COUNTS WRONG'}`,
    );

    const rows = [phaseA, phaseB, phaseC].flatMap((p) =>
      p.routes.map((r) => [
        p.name,
        r.route,
        `${r.requests} (${(r.requests / SECONDS).toFixed(0)}/s)`,
        `${r.p50}`,
        `${r.p95}`,
        `${r.p99}`,
        `${r.max}`,
        `${r.serverMeanMs}`,
        `${r.errors + r.non2xx + r.timeouts}`,
        p.load,
      ]),
    );
    const rec = (p: typeof phaseA) => p.routes[0];
    const ratio = (x: number, y: number) => (y > 0 ? (x / y).toFixed(2) : '–');
    const markdown = [
      `${APPS.toLocaleString('en')} SYNTHETIC applications (${(APPS / RUNS_PER_WORKLOAD).toLocaleString('en')} workloads of 50 runs, log-normal copies of the 9 real runs of examples/history), ${CLIENTS} clients on loopback for ${SECONDS} s per phase: ${Math.ceil(CLIENTS / 2)} on \`POST /api/v1/recommend\` (${WORKLOADS} workloads of 50 runs in turn, after one warm-up request each), ${CLIENTS - Math.ceil(CLIENTS / 2)} on \`GET /api/v1/workloads\` (every workload of the store). autocannon ${(JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('autocannon')), 'package.json'), 'utf8')) as { version: string }).version}; the service is the built CLI in its own process, PostgreSQL 15 from Debian on a temporary cluster, everything at \`nice -n 19\`.`,
      '',
      markdownTable(
        [
          'phase',
          'route',
          'answers',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'mean inside the service ms',
          'errors',
          'load average (1/5/15 min) after',
        ],
        rows,
      ),
      '',
      `/recommend p95 PostgreSQL ÷ SQLite: ${ratio(rec(phaseB).p95, rec(phaseA).p95)} (no collection), ${ratio(rec(phaseC).p95, rec(phaseA).p95)} (with a collection). Target p95 ≤ ${P95_TARGET_MS} ms: ${[phaseA, phaseB, phaseC].map((p) => `${p.name} ${rec(p).p95 <= P95_TARGET_MS ? 'met' : 'missed'}`).join(', ')}. Warm-up (${WORKLOADS} plans, one at a time): ${phaseA.warmUpMs} ms SQLite, ${phaseB.warmUpMs} ms PostgreSQL.`,
      '',
      `The engine alone on one workload of 50 runs, in this process on the SQLite store: cold (new language service: reading the runs, replaying them, planning) p50 ${quantile(cold, 0.5).toFixed(1)} ms, of which reading the 50 runs ${quantile(readRuns, 0.5).toFixed(1)} ms; warm (plan cached) p50 ${quantile(warm, 0.5).toFixed(2)} ms.`,
      '',
      `Where a warm request's time goes (in this process, one request at a time, no queueing; p50): \`POST /api/v1/recommend\` through Fastify ${inProcess.routeRecommend.toFixed(1)} ms (the answer serialised once per history version, service/answer-cache.ts: token check, request validation and the kept bytes; the engine's part on a warm language service, which an unchanged history no longer reaches, is ${quantile(warm, 0.5).toFixed(2)} ms); \`GET /api/v1/workloads\` ${inProcess.routeJobs.toFixed(1)} ms for ${inProcess.jobs.toLocaleString('en')} workloads (list and answer made once per history version: the store's query alone ${inProcess.listJobs.toFixed(1)} ms on SQLite).`,
      '',
      `While the collection of phase C ran (the first ${(collected.ms / 1000).toFixed(0)} s of the phase; the rest of the phase is answered from kept answers again): ${phaseC.routes.map((r) => `\`${r.route}\` ${r.whileCollecting?.requests ?? 0} answers, p50 / p95 / p99 ${r.whileCollecting?.p50} / ${r.whileCollecting?.p95} / ${r.whileCollecting?.p99} ms`).join('; ')}.`,
      '',
      `Collection during phase C (a second process, 4 at a time, through the ingest pipeline): ${collected.inserted} new applications inserted, ${collected.unchanged} stored ones sent again and found unchanged, ${collected.updated} updated, ${collected.failed} failed, in ${(collected.ms / 1000).toFixed(0)} s. Afterwards the database holds ${counts.apps} applications under ${counts.keys} distinct keys with ${counts.sources} remembered sources, and the service's /health said ${health.applications}: ${exact ? 'nothing lost, nothing duplicated' : '**counts wrong**'}.`,
      '',
      `Filling: SQLite ${(sqliteFillMs / 1000).toFixed(0)} s (one process), PostgreSQL ${(pgFillMs / 1000).toFixed(0)} s (two collector processes, 4 upserts at a time each), at the same time.`,
      '',
      '**These figures are contaminated**: another benchmark ran at high priority on this 2-core machine for the whole run (the load averages above), and this one ran at the lowest priority.',
    ].join('\n');
    writeBenchSection(
      {
        id: 'service-load',
        title: 'REST service under load (SQLite vs PostgreSQL, 100,000 applications)',
        order: 60,
        markdown,
        figures: {
          recommendP95SqliteMs: rec(phaseA).p95,
          recommendP95PostgresMs: rec(phaseB).p95,
          recommendP95PostgresCollectingMs: rec(phaseC).p95,
          recommendP95WhileCollectingMs: rec(phaseC).whileCollecting?.p95 ?? NaN,
          jobsP95SqliteMs: phaseA.routes[1].p95,
          jobsP95PostgresMs: phaseB.routes[1].p95,
          errors: [phaseA, phaseB, phaseC]
            .flatMap((p) => p.routes)
            .reduce((n, r) => n + r.errors + r.non2xx + r.timeouts, 0),
          collectionExact: exact ? 1 : 0,
          engineColdP50Ms: quantile(cold, 0.5),
          engineWarmP50Ms: quantile(warm, 0.5),
          recommendInProcessP50Ms: inProcess.routeRecommend,
          jobsInProcessP50Ms: inProcess.routeJobs,
        },
      },
      loadAverageStart,
    );
    process.stdout.write(`\n${markdown}\n`);
    if (!exact) process.exitCode = 1;
  } finally {
    for (const s of services) if (s.child.exitCode === null) signalProcessGroup(s.child, 'SIGKILL');
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
