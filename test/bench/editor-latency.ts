/**
 * Editor-latency benchmark: how long a hover, the diagnostics of an edit, the code lens and the inlay hints take
 * through the language service when the history store holds 100,000 applications, as ratios against the same
 * requests on the 9-application store of the real runs (examples/history), measured in the same process.
 *
 *   node build/test/bench/editor-latency.js [apps=100000]     (after `tsc -b`)
 *
 * The 100,000 applications are SYNTHETIC: copies of the 9 real runs (Spark 4.3.0) with their volumes and run
 * times multiplied by seeded log-normal factors (as test/bench/similar-jobs.ts makes them) and their start
 * times spread back in time. One copy in 100 keeps its run's real name (so `nightly_etl` has ~560 runs, of which
 * the service reads the newest 50); the others are spread over up to 20,000 names per real job
 * (`nightly_etl_v123`), about 59,000 jobs in all. They are written to a real SQLite file through `HistoryStore.upsert`
 * (about 2.5 minutes for 100,000 on this 2-core machine).
 *
 * For each store, on examples/nightly_etl.py (PySpark) and examples/submit_nightly_etl.sh:
 * - open: a fresh `SparkLanguageService` (empty caches: job names, the job's newest 50 runs read from SQLite) analyses
 *   the document. The server does this when the document opens (and again after a collection), off the hover
 *   path, so it is reported but not held to the hover budget;
 * - hover on the opened document (analysis cached per version), median of 200;
 * - hover after an edit: a new document version (settings parsed again, runs from the cache), median of 200;
 * - diagnostics after an edit, the same way (the server also waits 300 ms after the last keystroke);
 * - code lens and inlay hints on that version, median of 200.
 * Then the engine's plan (recommend/engine.ts `planJob`) for each example job from its newest 50 runs in the store:
 * "cold" on fresh copies of the records (nothing cached: what the first hover after a collection pays) and "warm" on
 * the same records with other settings (an edit of the file: the records' replays are cached), p50 and p95 of 200,
 * against the budget of 20 ms p95 (issue 13), with the same plans from the 9-application store's runs as the ratio's
 * baseline.
 * Last, the job list of the job-analysis quick pick (`HistoryStore.listJobs`, a GROUP BY over every run), which the
 * server computes once per collection, and the distinct job names the status bar counts.
 * The editor needs a hover within 50 ms (issue 7); the report says whether each 100k median meets it (a report, not
 * an exit code: absolute times follow the machine's load, the ratios much less).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onCodeLens } from '../../server/src/features/code-lens';
import { onDiagnostics } from '../../server/src/features/diagnostics';
import { onHover } from '../../server/src/features/hover';
import { onInlayHints } from '../../server/src/features/inlay-hints';
import { collectEventLogs } from '../../server/src/history/collect';
import { HistorySource, SparkLanguageService } from '../../server/src/language-service';
import { planJob } from '../../server/src/recommend/engine';
import { HistoryStore } from '../../server/src/store/history-store';
import { fillSyntheticStore } from '../helpers/synthetic-store';
import { EXAMPLES, EXAMPLE_HISTORY } from '../helpers/fixtures';

const HOVER_BUDGET_MS = 50;
const PLAN_BUDGET_P95_MS = 20;
const PLAN_JOBS = ['nightly_etl', 'tiny_tasks', 'skewed_join'];

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

/** p50/p95 of planJob on a job's newest 50 runs: cold (fresh record copies each time) and warm (same records, settings varied). */
function measurePlans(store: HistoryStore, repeats: number): { job: string; runs: number; cold: [number, number]; warm: [number, number] }[] {
  return PLAN_JOBS.map((job) => {
    const runs = store.runsByAppName(job, 50);
    if (runs.length === 0) throw new Error(`no runs of ${job}`);
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const fresh = runs.map((r) => structuredClone(r));
      let t0 = nowMs();
      const p = planJob({ appName: job, runs: fresh, current: new Map([['spark.executor.memory', '1g']]), options: { nowMs: runs[0].startTimeMs } });
      cold.push(nowMs() - t0);
      if (p.current === null) throw new Error(`no plan for ${job}`);
      t0 = nowMs();
      planJob({ appName: job, runs: fresh, current: new Map([['spark.executor.memory', `${1024 + 512 * (i % 4)}m`]]), options: { nowMs: runs[0].startTimeMs } });
      warm.push(nowMs() - t0);
    }
    return { job, runs: runs.length, cold: [quantile(cold, 0.5), quantile(cold, 0.95)], warm: [quantile(warm, 0.5), quantile(warm, 0.95)] };
  });
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

interface Figures {
  openMs: number;
  hoverMs: number;
  hoverAfterEditMs: number;
  diagnosticsMs: number;
  codeLensMs: number;
  inlayHintsMs: number;
}

const FILES = [
  { file: 'nightly_etl.py', languageId: 'python', callLine: /SparkSession\.builder/ },
  { file: 'submit_nightly_etl.sh', languageId: 'shellscript', callLine: /^spark-submit/ },
];

/** Times the requests on one store; checks the answers name the job so a fast empty answer cannot pass. */
function measure(history: HistorySource, repeats: number): Figures[] {
  return FILES.map(({ file, languageId, callLine }) => {
    const text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
    const uri = `file://${path.join(EXAMPLES, file)}`;
    const line = text.split('\n').findIndex((l) => callLine.test(l));
    const pos = { line, character: 2 };
    const everything = { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } };

    const service = new SparkLanguageService(history);
    let t0 = nowMs();
    const opened = service.analyse(uri, text, languageId, 1);
    const openMs = nowMs() - t0;
    const first = onHover(opened, pos);
    const value = first && typeof first.contents === 'object' && 'value' in first.contents ? first.contents.value : '';
    if (!value.includes('Spark job nightly_etl')) throw new Error(`hover on ${file} does not show the job: ${value.slice(0, 200)}`);

    const hover: number[] = [];
    const hoverAfterEdit: number[] = [];
    const diagnostics: number[] = [];
    const lens: number[] = [];
    const hints: number[] = [];
    let version = 2;
    for (let i = 0; i < repeats; i++) {
      t0 = nowMs();
      onHover(service.analyse(uri, text, languageId, version), pos);
      hover.push(nowMs() - t0);
      version++;
      t0 = nowMs();
      onHover(service.analyse(uri, text, languageId, version), pos);
      hoverAfterEdit.push(nowMs() - t0);
      version++;
      // An edit: a new version of the same text (settings parsed again, history from the cache).
      t0 = nowMs();
      const d = onDiagnostics(service.analyse(uri, text, languageId, version));
      diagnostics.push(nowMs() - t0);
      if (d.length === 0) throw new Error(`no diagnostics on ${file}`);
      const analysis = service.analyse(uri, text, languageId, version);
      t0 = nowMs();
      const l = onCodeLens(analysis);
      lens.push(nowMs() - t0);
      if (!l[0]?.command?.title.includes('runs')) throw new Error(`no code lens on ${file}`);
      t0 = nowMs();
      onInlayHints(analysis, everything);
      hints.push(nowMs() - t0);
    }
    return { openMs, hoverMs: median(hover), hoverAfterEditMs: median(hoverAfterEdit), diagnosticsMs: median(diagnostics), codeLensMs: median(lens), inlayHintsMs: median(hints) };
  });
}

async function main(): Promise<void> {
  const apps = Number(process.argv[2] ?? 100_000);
  const repeats = 200;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-latency-'));
  try {
    const small = HistoryStore.open(path.join(tmp, 'small.db'));
    await collectEventLogs(EXAMPLE_HISTORY, small);
    const real = small.allRuns();
    if (real.length === 0) throw new Error('no runs read from examples/history');

    const bigFile = path.join(tmp, 'big.db');
    const big = HistoryStore.open(bigFile);
    let t0 = nowMs();
    fillSyntheticStore(big, real, apps, 7);
    const fillMs = nowMs() - t0;
    big.close();
    const bigStore = HistoryStore.open(bigFile);
    process.stdout.write(
      `SYNTHETIC store: ${bigStore.countApplications()} applications (${real.length} real runs of examples/history + log-normal copies), ${bigStore.appNames().length} jobs, filled in ${(fillMs / 1000).toFixed(0)} s; node ${process.version}\n`,
    );

    measure(small, 20); // warm-up (JIT)
    const base = measure(small, repeats);
    t0 = nowMs();
    const large = measure(bigStore, repeats);
    process.stdout.write(`(measured in ${((nowMs() - t0) / 1000).toFixed(1)} s)\n`);

    const rows: [string, keyof Figures][] = [
      ['open (cold caches; done at didOpen, not on hover)', 'openMs'],
      [`hover on the opened document (median of ${repeats})`, 'hoverMs'],
      [`hover after an edit (median of ${repeats})`, 'hoverAfterEditMs'],
      [`diagnostics after an edit (median of ${repeats})`, 'diagnosticsMs'],
      [`code lens (median of ${repeats})`, 'codeLensMs'],
      [`inlay hints (median of ${repeats})`, 'inlayHintsMs'],
    ];
    let over = 0;
    FILES.forEach(({ file }, i) => {
      process.stdout.write(`\n${file}${' '.repeat(Math.max(1, 48 - file.length))}${'9 apps'.padStart(12)}${`${apps} apps`.padStart(14)}${'ratio'.padStart(9)}\n`);
      for (const [label, key] of rows) {
        const b = base[i][key];
        const l = large[i][key];
        if ((key === 'hoverMs' || key === 'hoverAfterEditMs') && l > HOVER_BUDGET_MS) over++;
        process.stdout.write(`  ${label.padEnd(46)}${`${b.toFixed(3)} ms`.padStart(12)}${`${l.toFixed(3)} ms`.padStart(14)}${`${(l / b).toFixed(1)}×`.padStart(9)}\n`);
      }
    });
    measurePlans(small, 20); // warm-up (JIT)
    const plansSmall = measurePlans(small, repeats);
    const plansBig = measurePlans(bigStore, repeats);
    process.stdout.write(`\nplanJob (recommend/engine.ts), p50 / p95 of ${repeats}${' '.repeat(12)}${'9 apps'.padStart(18)}${`${apps} apps`.padStart(20)}${'p95 ratio'.padStart(11)}\n`);
    let planOver = 0;
    plansBig.forEach((b, i) => {
      const s0 = plansSmall[i];
      for (const kind of ['cold', 'warm'] as const) {
        if (kind === 'cold' && b.cold[1] > PLAN_BUDGET_P95_MS) planOver++;
        process.stdout.write(
          `  ${`${b.job} (${s0.runs} / ${b.runs} runs), ${kind}`.padEnd(46)}${`${s0[kind][0].toFixed(2)} / ${s0[kind][1].toFixed(2)} ms`.padStart(18)}${`${b[kind][0].toFixed(2)} / ${b[kind][1].toFixed(2)} ms`.padStart(20)}${`${(b[kind][1] / s0[kind][1]).toFixed(1)}×`.padStart(11)}\n`,
        );
      }
    });
    process.stdout.write(`plan of a job with 50 runs within ${PLAN_BUDGET_P95_MS} ms p95 (cold): ${planOver === 0 ? 'yes' : `NO (${planOver} job(s) over)`}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores\n`);
    const once = (f: () => unknown) => {
      const t = nowMs();
      f();
      return nowMs() - t;
    };
    const listSmall = once(() => small.listJobs());
    const listBig = once(() => bigStore.listJobs());
    const namesSmall = once(() => small.appNames());
    const namesBig = once(() => bigStore.appNames());
    process.stdout.write(`\nstore queries (once)${' '.repeat(28)}${'9 apps'.padStart(12)}${`${apps} apps`.padStart(14)}\n`);
    process.stdout.write(`  ${'listJobs (quick pick; cached per collection)'.padEnd(46)}${`${listSmall.toFixed(3)} ms`.padStart(12)}${`${listBig.toFixed(3)} ms`.padStart(14)}${`${(listBig / listSmall).toFixed(0)}×`.padStart(9)}\n`);
    process.stdout.write(`  ${'appNames (status bar, job matching; cached)'.padEnd(46)}${`${namesSmall.toFixed(3)} ms`.padStart(12)}${`${namesBig.toFixed(3)} ms`.padStart(14)}${`${(namesBig / namesSmall).toFixed(0)}×`.padStart(9)}\n`);
    // Reported, not an exit code: absolute times follow the machine's load (the ratios do not).
    process.stdout.write(
      `\nhover within ${HOVER_BUDGET_MS} ms on ${apps} applications: ${over === 0 ? 'yes' : `NO (${over} figure(s) over; compare the 9-application column: a loaded machine slows both)`}\n`,
    );
    small.close();
    bigStore.close();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
