/**
 * `spark-optimizer analyze` and `recommend`, run as the real CLI bundle (server/out/cli.js, built by esbuild.js) on a
 * store collected from examples/history. Expected numbers come from the logs by hand: spill sums of stage 2 of
 * app-…0000 (174972919 B on disk = 167 MiB, 967304112 B in memory = 922 MiB), and the what-if rows scheduled by a
 * separate Python list scheduler over the launch-ordered task durations (2 slots: 34009 + 20896 + 7590 + 6644 + 7961 ms
 * of stages + 17376 ms driver-only = 94476 ms; 4 slots: 56178 ms; measured 56709 ms).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT, EXAMPLE_HISTORY, NIGHTLY_ETL_PY, BUILT_CLI } from './helpers/fixtures';

const CLI = BUILT_CLI;

function cli(...args: string[]): { code: number; out: string; err: string } {
  // SPARK_OPTIMIZER_NOW: the examples' history is from 2026-11-21; confidences halve per 180 days of age.
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
    timeout: 120_000,
    env: { ...process.env, SPARK_OPTIMIZER_NOW: '2026-12-01T00:00:00Z' },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('spark-optimizer analyze / recommend (CLI bundle)', () => {
  let tmp: string;
  let db: string;
  before(() => {
    assert.ok(fs.existsSync(CLI), 'build the bundle first (node esbuild.js)');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-cli-engine-'));
    db = path.join(tmp, 'h.db');
    const c = cli('collect', '--path', EXAMPLE_HISTORY, '--db', db);
    assert.strictEqual(c.code, 0, c.err);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('analyze APP_ID prints findings with numbers and sources, and the what-if tables', () => {
    const r = cli('analyze', 'app-20261121121550-0000', '--db', db);
    assert.strictEqual(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.strictEqual(
      lines[0],
      'app-20261121121550-0000 nightly_etl: 57 s, 2 executors × 2 cores, 512m, 200 shuffle partitions, 20 tasks in 5 stages',
    );
    assert.ok(
      lines.includes(
        '  [critical] stage-spill (stage 2): Stage 2 spilled 167 MiB to disk (922 MiB in memory) while processing 77.6 MiB: 215 % of its data.',
      ),
      r.out,
    );
    assert.ok(
      lines.includes(
        '      source: Dr. Elephant ConfigurationParametersHeuristic spill ratio grades 1/10/25/50 %; ignored below 16 MiB',
      ),
    );
    assert.ok(
      lines.includes(
        'What if (replaying its task durations; model error on this run -0.9 %: 56 s estimated vs 57 s measured):',
      ),
      r.out,
    );
    // 1 × 2 cores: the replay alone (94476 ms → 2 × 94476 / 3.6e6 = 0.0525 core-hours); 2 × 2 (the run's own shape):
    // the replay (56178 ms) averaged with the measured 56709 ms, the measurement weighing 2 → 56532 ms, 0.0628.
    assert.ok(lines.includes('          1       94 s      0.0525'), r.out);
    assert.ok(lines.includes('         2*       57 s      0.0628'), r.out);
  });

  it('analyze --format json carries the numbers; money appears with prices', () => {
    const r = cli(
      'analyze',
      'app-20261121121550-0000',
      '--db',
      db,
      '--format',
      'json',
      '--price-core-hour',
      '1',
      '--currency',
      'EUR',
    );
    assert.strictEqual(r.code, 0, r.err);
    const j = JSON.parse(r.out) as {
      whatIf: {
        modelError: { estimatedMs: number; actualMs: number };
        byExecutorInstances: { executorInstances: number; durationMs: number; money: number }[];
      };
      findings: { id: string; numbers: Record<string, number> }[];
    };
    assert.deepStrictEqual([j.whatIf.modelError.estimatedMs, j.whatIf.modelError.actualMs], [56178, 56709]);
    const one = j.whatIf.byExecutorInstances.find((x) => x.executorInstances === 1);
    assert.strictEqual(one?.durationMs, 94476);
    assert.strictEqual(one?.money, (2 * 94476) / 3.6e6); // 1 EUR per core-hour, no memory price
    assert.strictEqual(
      j.whatIf.byExecutorInstances.find((x) => x.executorInstances === 2)?.durationMs,
      (2 * 56709 + 56178) / 3,
    );
    assert.strictEqual(
      j.findings.find((f) => f.id === 'stage-spill' && f.numbers.diskBytesSpilled === 174972919)?.numbers
        .memoryBytesSpilled,
      967304112,
    );
  });

  it('analyze of an unknown application exits 2 with a clear message', () => {
    const r = cli('analyze', 'app-nope', '--db', db);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /no application app-nope in .*h\.db/);
  });

  it('recommend FILE gives the plan: per setting a value, its effect alone, evidence and confidence; the trade-off', () => {
    const r = cli('recommend', NIGHTLY_ETL_PY, '--db', db, '--format', 'json');
    assert.strictEqual(r.code, 0, r.err);
    type Setting = {
      key: string;
      current: string | null;
      effective: string;
      recommended: string;
      change: boolean;
      reason: string;
      effectAlone: { from: { durationMs: number }; to: { durationMs: number } } | null;
      evidence: { appId: string }[];
      confidence: number;
    };
    const [site] = JSON.parse(r.out) as {
      workload: string;
      runs: number;
      objective: string;
      manager: string;
      settings: Setting[];
      pareto: unknown[];
    }[];
    assert.deepStrictEqual(
      [site.workload, site.runs, site.objective, site.manager],
      ['nightly_etl', 5, 'balanced', 'standalone'],
    );
    const mem = site.settings.find((s) => s.key === 'spark.executor.memory');
    assert.ok(mem, JSON.stringify(site.settings));
    // examples/nightly_etl.py line 24: 1g; the 1g runs spilled, the 2g run did not (README).
    assert.deepStrictEqual([mem.current, mem.recommended, mem.change, mem.reason], ['1g', '2g', true, 'safety']);
    // Stage 2 of the 512m run needed ≈ 231 MiB per task; 2g over 2 cores gives 0.6 × (2048 − 300) / 2 = 524 MiB.
    assert.ok(mem.evidence.some((e) => e.appId === 'app-20261121121550-0000'));
    assert.ok(mem.effectAlone !== null && mem.effectAlone.to.durationMs > 0);
    assert.ok(mem.confidence > 0 && mem.confidence <= 1);
    // Only keys a standalone master reads: spark.cores.max, never spark.executor.instances.
    assert.ok(
      site.settings.some((s) => s.key === 'spark.cores.max') &&
        !site.settings.some((s) => s.key === 'spark.executor.instances'),
    );
    const text = cli('recommend', NIGHTLY_ETL_PY, '--db', db);
    assert.match(
      text.out,
      /nightly_etl: 5 run\(s\) \(matched by spark\.app\.name\); objective balanced \(within 10 % of the fastest\); standalone; cluster: 1 node\(s\) \(seen in the runs\)/,
    );
    assert.match(text.out, /\n {2}spark\.executor\.memory: 1g → 2g {2}\[safety; confidence medium 0\.\d\d\]\n/);
    // Another objective and a declared cluster change the plan's frame; a bad flag value is a usage error.
    const cost = cli(
      'recommend',
      NIGHTLY_ETL_PY,
      '--db',
      db,
      '--objective',
      'cost',
      '--nodes',
      '2',
      '--node-cores',
      '4',
    );
    assert.match(
      cost.out,
      /objective cost; standalone; cluster: 2 node\(s\) \(declared\), 4 cores per node \(declared\), 8 cores in all \(declared\)/,
    );
    const bad = cli('recommend', NIGHTLY_ETL_PY, '--db', db, '--objective', 'fastest');
    assert.strictEqual(bad.code, 2);
    assert.match(bad.err, /--objective must be one of runtime, cost, balanced, got fastest/);
  });
});
