/**
 * The REST service's route tests as one suite run on each store (the same assertions on SQLite and PostgreSQL): the
 * service in this process on a loopback port with a fixed clock over a store filled from the committed real event logs
 * in examples/history (through the store's ingest sink). Expected values come from examples/history/README.md (9 runs:
 * nightly_etl 5, skewed_join 2, tiny_tasks 2; app-20261121121550-0000 ran 512m executors, 20 tasks, spilled 383971666 B
 * to disk) and manifest.json (its duration 56709 ms; stage 2 spilled 174972919 B), and the plan from the CLI's own
 * `recommendCommand` on a SQLite store of the same logs and the same clock.
 *
 * test/service.test.ts runs it on SQLite (unit tier), test/live/service-postgres.test.ts on a real PostgreSQL.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import { collectEventLogs } from '../../server/src/history/collect';
import type { HistoryStore } from '../../server/src/store/history-store';
import { buildService } from '../../server/src/service/app';
import type { ServiceStore } from '../../server/src/history/service-store';
import { engineOptions, recommendCommand } from '../../server/src/cli/engine-commands';
import { newToken } from '../../server/src/service/tokens';
import { EXAMPLES, EXAMPLE_HISTORY } from './fixtures';

const HISTORY = EXAMPLE_HISTORY;
const PROBLEM = 'application/problem+json';

/** The README's nightly_etl runs, newest first (start times 12:19:46, 12:18:47, 12:17:47, 12:16:50, 12:15:49). */
export const NIGHTLY_ETL_NEWEST_FIRST = [
  'app-20261121121947-0004',
  'app-20261121121849-0003',
  'app-20261121121748-0002',
  'app-20261121121652-0001',
  'app-20261121121550-0000',
];

/** One HTTP call to the service: status, content type, headers, parsed JSON (null for text) and the raw text. */
export async function call(
  base: string,
  method: string,
  url: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; type: string; headers: Headers; json: any; text: string }> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + url, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (metrics)
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, json, text };
}

/** Asserts an RFC 9457 problem document of this status and kind. */
export function assertProblem(r: { status: number; type: string; json: any }, status: number, kind: string): void {
  assert.strictEqual(r.status, status, JSON.stringify(r.json));
  assert.strictEqual(r.type.split(';')[0], PROBLEM);
  assert.strictEqual(r.json.type, `urn:spark-optimizer:problem:${kind}`);
  assert.strictEqual(r.json.status, status);
  assert.ok(typeof r.json.title === 'string' && typeof r.json.detail === 'string' && r.json.detail.length > 0);
}

/** The stores one run of the suite uses. */
export interface SuiteStores {
  /** The store the service runs on (empty; the suite collects examples/history into it). */
  store: ServiceStore;
  /** A SQLite store the CLI's recommend reads (the suite collects the same logs into it unless it is `store`'s own). */
  cliStore: HistoryStore;
  /** True when `cliStore` is the same database as `store` (SQLite): it is filled once. */
  shared: boolean;
  /** The CLI store's file, as recommendCommand names it. */
  cliDb: string;
  close(): Promise<void>;
}

/**
 * Registers the route suite for one store.
 * @param name the store's name in the suite title (SQLite, PostgreSQL).
 * @param open makes empty stores in the temporary folder `tmp`.
 */
export function serviceRouteSuite(name: string, open: (tmp: string) => Promise<SuiteStores>): void {
  describe(`REST service: routes over examples/history on ${name} (in process, loopback port)`, function () {
    this.timeout(120_000);
    const NOW = Date.parse('2026-12-01T00:00:00Z');
    let tmp: string;
    let stores: SuiteStores;
    let store: ServiceStore;
    let app: FastifyInstance;
    let base: string;
    let read: string;
    let admin: string;

    before(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-service-'));
      stores = await open(tmp);
      store = stores.store;
      const s = await collectEventLogs(HISTORY, store);
      assert.strictEqual(s.inserted, 9);
      if (!stores.shared) assert.strictEqual((await collectEventLogs(HISTORY, stores.cliStore)).inserted, 9);
      const r = newToken();
      await store.createToken({ name: 'reader', scope: 'read', tokenSha256: r.tokenSha256, createdAtMs: NOW });
      read = r.token;
      const a = newToken();
      await store.createToken({ name: 'ops', scope: 'admin', tokenSha256: a.tokenSha256, createdAtMs: NOW });
      admin = a.token;
      app = await buildService({ store, now: () => NOW, planClock: () => NOW, bodyLimitBytes: 256 * 1024 });
      base = await app.listen({ host: '127.0.0.1', port: 0 });
    });

    after(async () => {
      await app.close();
      await stores.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('GET /api/v1/workloads/{name}/runs: the five nightly_etl runs, newest first; limit; unknown workload is a problem; the former path', async () => {
      const r = await call(base, 'GET', '/api/v1/workloads/nightly_etl/runs', read);
      assert.strictEqual(r.status, 200);
      assert.deepStrictEqual(
        r.json.runs.map((x: { appId: string }) => x.appId),
        NIGHTLY_ETL_NEWEST_FIRST,
      );
      assert.deepStrictEqual(
        r.json.runs.map((x: { executorMemoryMiB: number }) => x.executorMemoryMiB),
        [4096, 2048, 1024, 1024, 512],
      );
      const two = await call(base, 'GET', '/api/v1/workloads/nightly_etl/runs?limit=2', read);
      assert.deepStrictEqual(
        two.json.runs.map((x: { appId: string }) => x.appId),
        NIGHTLY_ETL_NEWEST_FIRST.slice(0, 2),
      );
      assertProblem(
        await call(base, 'GET', '/api/v1/workloads/nightly_etl/runs?limit=0', read),
        400,
        'invalid-request',
      );
      assertProblem(await call(base, 'GET', '/api/v1/workloads/no_such_workload/runs', read), 404, 'unknown-workload');
      // The former path /api/v1/jobs/{name}/runs answers the same.
      assert.deepStrictEqual((await call(base, 'GET', '/api/v1/jobs/nightly_etl/runs?limit=2', read)).json, two.json);
    });

    it('GET /api/v1/applications/{appId}: the attempt with its figures; unknown id is a problem', async () => {
      const r = await call(base, 'GET', '/api/v1/applications/app-20261121121550-0000', read);
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.json.attempts.length, 1);
      const [a] = r.json.attempts;
      assert.deepStrictEqual(
        [
          a.appId,
          a.attemptId,
          a.appName,
          a.sparkVersion,
          a.executorMemoryMiB,
          a.executorCores,
          a.shufflePartitions,
          a.totalTasks,
          a.durationMs,
          a.diskBytesSpilled,
          a.memoryBytesSpilled,
          a.completed,
        ],
        ['app-20261121121550-0000', null, 'nightly_etl', '4.3.0', 512, 2, 200, 20, 56709, 383971666, 2071184080, true],
      );
      assertProblem(await call(base, 'GET', '/api/v1/applications/app-nope', read), 404, 'unknown-application');
    });

    it('POST /api/v1/analyze: the run findings and what-if of spark-optimizer analyze', async () => {
      const r = await call(base, 'POST', '/api/v1/analyze', read, { appId: 'app-20261121121550-0000' });
      assert.strictEqual(r.status, 200, r.text);
      assert.strictEqual(r.json.durationMs, 56709);
      const spill = r.json.findings.find(
        (f: { id: string; stageId?: number }) => f.id === 'stage-spill' && f.stageId === 2,
      );
      assert.strictEqual(spill?.numbers.diskBytesSpilled, 174972919);
      // test/cli-engine.test.ts: the replay of this run on 1 executor of 2 cores takes 94476 ms.
      assert.strictEqual(
        r.json.whatIf.byExecutorInstances.find((x: { executorInstances: number }) => x.executorInstances === 1)
          ?.durationMs,
        94476,
      );
      assertProblem(
        await call(base, 'POST', '/api/v1/analyze', read, { appId: 'app-nope' }),
        404,
        'unknown-application',
      );
      assertProblem(
        await call(base, 'POST', '/api/v1/analyze', read, { appId: 'app-20261121121550-0000', attemptId: '7' }),
        404,
        'unknown-application',
      );
    });

    it('POST /api/v1/recommend: the same plan as spark-optimizer recommend for examples/submit_nightly_etl.sh', async () => {
      const file = path.join(EXAMPLES, 'submit_nightly_etl.sh');
      const text = fs.readFileSync(file, 'utf8');
      const r = await call(base, 'POST', '/api/v1/recommend', read, { text, fileName: 'submit_nightly_etl.sh' });
      assert.strictEqual(r.status, 200, r.text);
      const cli = recommendCommand(stores.cliStore, file, engineOptions({}), stores.cliDb, NOW);
      assert.strictEqual(cli.code, 0);
      assert.deepStrictEqual(r.json.plans, JSON.parse(JSON.stringify(cli.json)));
      // Independently: the script sets 1g executors (line 14); the README's 1g runs spilled and the 2g run did not.
      const [plan] = r.json.plans;
      assert.deepStrictEqual([plan.workload, plan.runs, plan.line], ['nightly_etl', 5, 8]);
      const mem = plan.settings.find((s: { key: string }) => s.key === 'spark.executor.memory');
      assert.deepStrictEqual([mem.current, mem.recommended, mem.change], ['1g', '2g', true]);
      assert.deepStrictEqual(r.json.unmatched, []);
    });

    it('POST /api/v1/recommend with settings: the plan for those settings (1g executors of nightly_etl → 2g)', async () => {
      const r = await call(base, 'POST', '/api/v1/recommend', read, {
        appName: 'nightly_etl',
        settings: { 'spark.executor.memory': '1g', 'spark.executor.cores': '2', 'spark.sql.shuffle.partitions': '200' },
      });
      assert.strictEqual(r.status, 200, r.text);
      const [plan] = r.json.plans;
      assert.deepStrictEqual([plan.workload, plan.runs], ['nightly_etl', 5]);
      const mem = plan.settings.find((s: { key: string }) => s.key === 'spark.executor.memory');
      assert.deepStrictEqual([mem.current, mem.recommended], ['1g', '2g']);
    });

    it("POST /api/v1/recommend of a job without runs on a master others ran on: the editor's first plan (coldStart)", async () => {
      // examples/history's 9 runs all ran on spark://127.0.0.1:7077 (their SparkListenerEnvironmentUpdate), newest
      // first tiny_tasks, skewed_join, nightly_etl; test/lsp-team-service.test.ts shows the editor's hover of this plan.
      const text = 'spark-submit --master spark://127.0.0.1:7077 --name weekly_report --executor-memory 1g job.py\n';
      const r = await call(base, 'POST', '/api/v1/recommend', read, { text, fileName: 'weekly_report.sh' });
      assert.strictEqual(r.status, 200, r.text);
      assert.deepStrictEqual(r.json.unmatched, []);
      const [plan] = r.json.plans;
      assert.deepStrictEqual([plan.workload, plan.runs, plan.coldStart], ['weekly_report', 0, true]);
      assert.ok(
        plan.notes.some((n: string) =>
          n.includes('from 3 similar workload(s) in the store (tiny_tasks, skewed_join, nightly_etl)'),
        ),
        JSON.stringify(plan.notes),
      );
    });

    it('POST /api/v1/recommend: no matching workload, a path as file name, an unknown kind and bad JSON are problems', async () => {
      const other = { text: 'spark-submit --name never_ran --executor-memory 1g job.py\n', fileName: 'never_ran.sh' };
      const none = await call(base, 'POST', '/api/v1/recommend', read, other);
      assertProblem(none, 404, 'no-matching-workload');
      assertProblem(
        await call(base, 'POST', '/api/v1/recommend', read, { text: 'x', fileName: '../../etc/passwd' }),
        400,
        'invalid-request',
      );
      assertProblem(
        await call(base, 'POST', '/api/v1/recommend', read, { text: 'x', kind: 'cobol' }),
        400,
        'invalid-request',
      );
      assertProblem(await call(base, 'POST', '/api/v1/recommend', read, '{"text": '), 400, 'invalid-request');
    });

    it('rejects a body over the limit with 413 problem+json, and reads no body without a token', async () => {
      const big = { text: `# ${'x'.repeat(300 * 1024)}\n`, fileName: 'big.sh' };
      assertProblem(await call(base, 'POST', '/api/v1/recommend', read, big), 413, 'payload-too-large');
      assertProblem(await call(base, 'POST', '/api/v1/recommend', undefined, big), 401, 'unauthorized');
    });

    it('POST /api/v1/feedback stores rejected feedback with its reason, and applied feedback as an applied fix', async () => {
      const rejected = await call(base, 'POST', '/api/v1/feedback', read, {
        verdict: 'rejected',
        appName: 'nightly_etl',
        key: 'spark.executor.memory',
        recommendedValue: '2g',
        previousValue: '1g',
        reason: 'our nodes have 1g slots',
      });
      assert.strictEqual(rejected.status, 201, rejected.text);
      assert.strictEqual(rejected.json.appliedFixId, null);
      const applied = await call(base, 'POST', '/api/v1/feedback', read, {
        verdict: 'applied',
        appName: 'nightly_etl',
        key: 'spark.executor.memory',
        recommendedValue: '2g',
        previousValue: '1g',
        fileUri: 'file:///repo/submit_nightly_etl.sh',
      });
      assert.strictEqual(applied.status, 201, applied.text);
      const rows = await store.feedbackOf('nightly_etl');
      assert.deepStrictEqual(
        rows.map((f) => [
          f.verdict,
          f.key,
          f.recommendedValue,
          f.previousValue,
          f.reason,
          f.receivedAtMs,
          f.tokenId !== null,
        ]),
        [
          ['rejected', 'spark.executor.memory', '2g', '1g', 'our nodes have 1g slots', NOW, true],
          ['applied', 'spark.executor.memory', '2g', '1g', null, NOW, true],
        ],
      );
      const fixes = await store.appliedFixes('nightly_etl');
      assert.deepStrictEqual(
        fixes.map((f) => [f.id, f.key, f.oldValue, f.newValue, f.fileUri]),
        [[applied.json.appliedFixId, 'spark.executor.memory', '1g', '2g', 'file:///repo/submit_nightly_etl.sh']],
      );
      assertProblem(
        await call(base, 'POST', '/api/v1/feedback', read, {
          verdict: 'applied',
          appName: 'nightly_etl',
          key: 'spark.executor.memory',
        }),
        400,
        'invalid-request',
      );
      assertProblem(
        await call(base, 'POST', '/api/v1/feedback', read, {
          verdict: 'liked',
          appName: 'nightly_etl',
          key: 'spark.executor.memory',
        }),
        400,
        'invalid-request',
      );
    });

    it("POST /api/v1/history/read answers the engine's reads with full records, as the store holds them (the editor's service mode)", async () => {
      const runs = await call(base, 'POST', '/api/v1/history/read', read, {
        read: 'runsByAppName',
        args: ['nightly_etl'],
      });
      assert.strictEqual(runs.status, 200, runs.text);
      // The CLI's store (SQLite, the same runs) gives the same records: 5 runs of nightly_etl, stages and all.
      const expected = JSON.parse(JSON.stringify(stores.cliStore.runsByAppName('nightly_etl'))) as unknown[];
      assert.strictEqual(expected.length, 5);
      assert.deepStrictEqual(runs.json.value, expected);
      const names = await call(base, 'POST', '/api/v1/history/read', read, { read: 'appNames', args: [] });
      assert.deepStrictEqual([...(names.json.value as string[])].sort(), ['nightly_etl', 'skewed_join', 'tiny_tasks']);
      const version = await call(base, 'POST', '/api/v1/history/read', read, { read: 'historyVersion', args: [] });
      assert.strictEqual(typeof version.json.value, 'string');
      // No read outside the engine's (allRuns is unbounded, token reads are not history).
      for (const bad of [
        { read: 'allRuns', args: [] },
        { read: 'listTokens', args: [] },
        { read: 'runsByAppName', args: ['nightly_etl', 5000] },
      ])
        assertProblem(await call(base, 'POST', '/api/v1/history/read', read, bad), 400, 'invalid-request');
      assertProblem(
        await call(base, 'POST', '/api/v1/history/read', undefined, { read: 'appNames', args: [] }),
        401,
        'unauthorized',
      );
    });

    it('scopes: a read token gets 403 on the admin route; an admin token lists tokens without their hashes', async () => {
      const denied = await call(base, 'GET', '/api/v1/tokens', read);
      assertProblem(denied, 403, 'insufficient-scope');
      const r = await call(base, 'GET', '/api/v1/tokens', admin);
      assert.strictEqual(r.status, 200);
      assert.deepStrictEqual(
        r.json.tokens.map((t: { name: string; scope: string }) => [t.name, t.scope]),
        [
          ['reader', 'read'],
          ['ops', 'admin'],
        ],
      );
      assert.ok(!r.text.includes('Sha256') && !r.text.includes(read.slice(4)), r.text);
    });

    it('unknown routes are 404 problem+json', async () => {
      assertProblem(await call(base, 'GET', '/api/v1/nothing', read), 404, 'not-found');
    });

    it('/openapi.json lists every route with its schemas and the bearer scheme', async () => {
      const r = await call(base, 'GET', '/openapi.json');
      assert.strictEqual(r.status, 200);
      const doc = r.json;
      assert.strictEqual(doc.openapi, '3.1.0');
      // A valid OpenAPI 3.1 document by its published JSON schema (swagger-parser validates against it and resolves refs).
      await SwaggerParser.validate(structuredClone(doc));
      assert.deepStrictEqual(Object.keys(doc.paths).sort(), [
        '/api/v1/analyze',
        '/api/v1/applications/{appId}',
        '/api/v1/collect',
        '/api/v1/collections',
        '/api/v1/collections/{id}',
        '/api/v1/feedback',
        '/api/v1/history/read',
        '/api/v1/jobs',
        '/api/v1/jobs/{name}/runs',
        '/api/v1/recommend',
        '/api/v1/sources',
        '/api/v1/tokens',
        '/api/v1/workloads',
        '/api/v1/workloads/{name}/runs',
        '/health',
        '/metrics',
      ]);
      assert.deepStrictEqual(doc.components.securitySchemes.bearerAuth, {
        type: 'http',
        scheme: 'bearer',
        description: 'A token from "spark-optimizer token create"',
      });
      for (const [p, ops] of Object.entries(
        doc.paths as Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>,
      )) {
        for (const op of Object.values(ops)) {
          if (p.startsWith('/api/v1/')) {
            assert.deepStrictEqual(op.security, [{ bearerAuth: [] }], p);
            assert.ok(op.responses['401'] && op.responses['404'], p);
          }
        }
      }
      // Named schemas are components ($ref), from the schemas' ids (server/src/service/schemas.ts).
      const resolve = (s: { $ref?: string }) =>
        s.$ref ? doc.components.schemas[s.$ref.replace('#/components/schemas/', '')] : s;
      const body = doc.paths['/api/v1/recommend'].post.requestBody.content['application/json'].schema;
      assert.deepStrictEqual(
        body.anyOf.map((x: { $ref?: string }) => Object.keys(resolve(x).properties).sort()),
        [
          ['fileName', 'kind', 'options', 'text'],
          ['appName', 'options', 'settings'],
        ],
      );
      const feedback = resolve(doc.paths['/api/v1/feedback'].post.requestBody.content['application/json'].schema);
      assert.deepStrictEqual(feedback.properties.verdict.enum, ['applied', 'accepted', 'rejected']);
      // The former paths are marked deprecated.
      assert.deepStrictEqual(
        [
          doc.paths['/api/v1/jobs'].get.deprecated,
          doc.paths['/api/v1/jobs/{name}/runs'].get.deprecated,
          doc.paths['/api/v1/workloads'].get.deprecated,
        ],
        [true, true, undefined],
      );
      assert.deepStrictEqual(
        resolve(doc.paths['/api/v1/workloads'].get.responses['401'].content['application/json'].schema).required,
        ['type', 'title', 'status', 'detail'],
      );
    });

    it('/metrics is Prometheus text with the requests answered, by route and status', async () => {
      const r = await call(base, 'GET', '/metrics');
      assert.strictEqual(r.status, 200);
      assert.match(r.type, /^text\/plain; version=0\.0\.4/);
      // The requests this describe block made before: one 403 on /tokens, two feedbacks stored, two unknown analyses, four runs lists (and one under the former path).
      assert.ok(
        r.text.includes('spark_optimizer_http_requests_total{method="GET",route="/api/v1/tokens",status="403"} 1'),
        r.text,
      );
      assert.ok(
        r.text.includes('spark_optimizer_http_requests_total{method="POST",route="/api/v1/feedback",status="201"} 2'),
        r.text,
      );
      assert.ok(
        r.text.includes('spark_optimizer_http_requests_total{method="POST",route="/api/v1/analyze",status="404"} 2'),
        r.text,
      );
      assert.match(
        r.text,
        /^spark_optimizer_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/v1\/workloads\/:name\/runs"\} 4$/m,
      );
      assert.match(
        r.text,
        /^spark_optimizer_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/v1\/jobs\/:name\/runs"\} 1$/m,
      );
    });
  });

  describe(`REST service: cached answers follow the history on ${name} (a collection adds a run)`, function () {
    this.timeout(120_000);
    const NOW = Date.parse('2026-12-01T00:00:00Z');
    /** The newest nightly_etl run (examples/history/README.md), collected only in the middle of the test. */
    const LATE_RUN = 'app-20261121121947-0004';
    const JOB_FILE = path.join(EXAMPLES, 'submit_nightly_etl.sh');
    let tmp: string;
    let stores: SuiteStores;
    let app: FastifyInstance;
    let base: string;
    let read: string;

    /** Collects the named run folders of examples/history (copied into their own folder, a new source) into both stores. */
    async function collectRuns(folder: string, keep: (entry: string) => boolean): Promise<number> {
      const dir = path.join(tmp, folder);
      fs.mkdirSync(dir);
      for (const e of fs.readdirSync(HISTORY).filter((x) => x.startsWith('eventlog_v2_') && keep(x)))
        fs.cpSync(path.join(HISTORY, e), path.join(dir, e), { recursive: true });
      const inserted = (await collectEventLogs(dir, stores.store)).inserted;
      if (!stores.shared) assert.strictEqual((await collectEventLogs(dir, stores.cliStore)).inserted, inserted);
      return inserted;
    }

    before(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-service-cache-'));
      stores = await open(tmp);
      assert.strictEqual(await collectRuns('first', (e) => !e.endsWith(LATE_RUN)), 8);
      const r = newToken();
      await stores.store.createToken({ name: 'reader', scope: 'read', tokenSha256: r.tokenSha256, createdAtMs: NOW });
      read = r.token;
      // recheckMs 0: the store's history version is read on every request, so the collection shows at the next one.
      app = await buildService({ store: stores.store, planClock: () => NOW, recheckMs: 0 });
      base = await app.listen({ host: '127.0.0.1', port: 0 });
    });

    after(async () => {
      await app.close();
      await stores.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('answers the same bytes while the history is unchanged; a collected run of the workload makes the next plan count it (4 → 5 runs), equal to the CLI plan', async () => {
      const body = { text: fs.readFileSync(JOB_FILE, 'utf8'), fileName: 'submit_nightly_etl.sh' };
      const nightly = (w: { workloads: { appName: string; runs: number }[] }) =>
        w.workloads.find((x) => x.appName === 'nightly_etl')?.runs;
      const cliPlans = () =>
        JSON.parse(
          JSON.stringify(recommendCommand(stores.cliStore, JOB_FILE, engineOptions({}), stores.cliDb, NOW).json),
        );

      const first = await call(base, 'POST', '/api/v1/recommend', read, body);
      assert.strictEqual(first.status, 200, first.text);
      assert.strictEqual(first.type, 'application/json; charset=utf-8');
      assert.deepStrictEqual([first.json.plans[0].workload, first.json.plans[0].runs], ['nightly_etl', 4]);
      assert.deepStrictEqual(first.json.plans, cliPlans());
      const again = await call(base, 'POST', '/api/v1/recommend', read, body);
      assert.strictEqual(again.text, first.text);
      assert.strictEqual(nightly((await call(base, 'GET', '/api/v1/workloads', read)).json), 4);

      assert.strictEqual(await collectRuns('late', (e) => e.endsWith(LATE_RUN)), 1);

      const after = await call(base, 'POST', '/api/v1/recommend', read, body);
      assert.strictEqual(after.status, 200, after.text);
      assert.deepStrictEqual([after.json.plans[0].workload, after.json.plans[0].runs], ['nightly_etl', 5]);
      assert.deepStrictEqual(after.json.plans, cliPlans());
      assert.strictEqual(nightly((await call(base, 'GET', '/api/v1/workloads', read)).json), 5);
      // A service that never answered before (nothing cached) gives the same bytes.
      const fresh = await buildService({ store: stores.store, planClock: () => NOW, recheckMs: 0 });
      try {
        const uncached = await fresh.inject({
          method: 'POST',
          url: '/api/v1/recommend',
          headers: { authorization: `Bearer ${read}`, 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
        assert.strictEqual(uncached.statusCode, 200);
        assert.strictEqual(uncached.body, after.text);
      } finally {
        await fresh.close();
      }
    });
  });
}
