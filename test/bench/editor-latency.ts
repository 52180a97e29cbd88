/**
 * Editor-latency benchmark: how long a hover, the diagnostics of an edit, the code lens and the inlay hints take
 * through the language service when the history store holds 100,000 applications, as ratios against the same
 * requests on the 9-application store of the real runs (examples/history), measured in the same process.
 *
 *   node build/test/bench/editor-latency.js [apps=100000]     (after `tsc -b`)
 *
 * The 100,000 applications are SYNTHETIC: copies of the 9 real runs (Spark 4.3.0) with their volumes and run
 * times multiplied by seeded log-normal factors (as test/bench/similar-workloads.ts makes them) and their start
 * times spread back in time. One copy in 100 keeps its run's real name (so `nightly_etl` has ~560 runs, of which
 * the service reads the newest 50); the others are spread over up to 20,000 names per real job
 * (`nightly_etl_v123`), about 59,000 jobs in all. They are written to a real SQLite file through `HistoryStore.upsert`
 * (about 2.5 minutes for 100,000 on this 2-core machine).
 *
 * For each store, on examples/nightly_etl.py (PySpark) and examples/submit_nightly_etl.sh:
 * - first analysis of a newly opened file, 40 times: with a fresh service (cold) and in the running one (a new URI).
 * - hover on the opened document (analysis cached per version), 200 times;
 * - hover after an edit: a new document version (settings parsed again, runs from the cache), 200 times;
 * - diagnostics after an edit, the same way (the server also waits 300 ms after the last keystroke);
 * - code lens and inlay hints on that version, 200 times.
 * Then the engine's plan (recommend/engine.ts `planWorkload`) for each example job from its newest 50 runs in the store:
 * "cold" on fresh copies of the records (nothing cached: what the first hover after a collection pays) and "warm" on
 * the same records with other settings (an edit of the file: the records' replays are cached), p50 and p95 of 200,
 * against the budget of 20 ms p95 (issue 13), with the same plans from the 9-application store's runs as the ratio's
 * baseline.
 * Last, the job list of the workload-analysis quick pick (`HistoryStore.listWorkloads`, a GROUP BY over every run), which the
 * server computes once per collection, and the distinct job names the status bar counts.
 * Every figure is given as p50 and p95.
 * The editor needs a hover within 50 ms (issue 7) and the first analysis of a newly opened file within 100 ms at p95
 * (issue 18); the report says whether the 100k figures meet them (a report, not an exit code: absolute times follow
 * the machine's load, the ratios much less). Writes its section of docs/benchmarks.md as build/bench/editor-latency.json.
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
import { planWorkload } from '../../server/src/recommend/engine';
import { HistoryStore } from '../../server/src/store/history-store';
import { fillSyntheticStore } from '../helpers/synthetic-store';
import { EXAMPLES, EXAMPLE_HISTORY } from '../helpers/fixtures';
import { markdownTable, writeBenchSection } from './report';

const HOVER_BUDGET_MS = 50;
/** Issue 18: the first analysis of a newly opened file within 100 ms at p95. */
const FIRST_ANALYSIS_BUDGET_MS = 100;
const PLAN_BUDGET_P95_MS = 20;
const PLAN_JOBS = ['nightly_etl', 'tiny_tasks', 'skewed_join'];

/** p50/p95 of planWorkload on a workload's newest 50 runs: cold (fresh record copies each time) and warm (same records, settings varied). */
function measurePlans(
  store: HistoryStore,
  repeats: number,
): { job: string; runs: number; cold: [number, number]; warm: [number, number] }[] {
  return PLAN_JOBS.map((job) => {
    const runs = store.runsByAppName(job, 50);
    if (runs.length === 0) throw new Error(`no runs of ${job}`);
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const fresh = runs.map((r) => structuredClone(r));
      let t0 = nowMs();
      const p = planWorkload({
        appName: job,
        runs: fresh,
        current: new Map([['spark.executor.memory', '1g']]),
        options: { nowMs: runs[0].startTimeMs },
      });
      cold.push(nowMs() - t0);
      if (p.current === null) throw new Error(`no plan for ${job}`);
      t0 = nowMs();
      planWorkload({
        appName: job,
        runs: fresh,
        current: new Map([['spark.executor.memory', `${1024 + 512 * (i % 4)}m`]]),
        options: { nowMs: runs[0].startTimeMs },
      });
      warm.push(nowMs() - t0);
    }
    return {
      job,
      runs: runs.length,
      cold: [quantile(cold, 0.5), quantile(cold, 0.95)],
      warm: [quantile(warm, 0.5), quantile(warm, 0.95)],
    };
  });
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The q-quantile (0..1) of `xs` by the nearest-rank method (p50 = median of an odd count, p95 = the 95th percentile). */
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** Samples (ms) of each request on one file. */
interface Samples {
  openMs: number[];
  openWarmMs: number[];
  hoverMs: number[];
  hoverAfterEditMs: number[];
  diagnosticsMs: number[];
  codeLensMs: number[];
  inlayHintsMs: number[];
}

const FILES = [
  { file: 'nightly_etl.py', languageId: 'python', callLine: /SparkSession\.builder/ },
  { file: 'submit_nightly_etl.sh', languageId: 'shellscript', callLine: /^spark-submit/ },
];

/**
 * Times the requests on one store; checks the answers name the job so a fast empty answer cannot pass.
 * @param opens how many first analyses of a newly opened file to time (each cold and each warm).
 */
function measure(history: HistorySource, repeats: number, opens: number): Samples[] {
  return FILES.map(({ file, languageId, callLine }) => {
    const text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
    const uri = `file://${path.join(EXAMPLES, file)}`;
    const line = text.split('\n').findIndex((l) => callLine.test(l));
    const pos = { line, character: 2 };
    const everything = { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } };
    const shows = (a: ReturnType<SparkLanguageService['analyse']>): boolean => {
      const h = onHover(a, pos);
      const value = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
      return value.includes('Spark workload nightly_etl');
    };

    // First analysis of a newly opened file. Cold: a fresh service (empty caches: job names, the job's newest 50 runs
    // read from SQLite), as after the server starts or a collection. Warm: the same service, a file it has not seen
    // (new URI), as when a second file of a known job is opened.
    const openMs: number[] = [];
    const openWarmMs: number[] = [];
    let service = new SparkLanguageService(history);
    for (let i = 0; i < opens; i++) {
      service = new SparkLanguageService(history);
      const t0 = nowMs();
      const opened = service.analyse(uri, text, languageId, 1);
      openMs.push(nowMs() - t0);
      if (!shows(opened)) throw new Error(`hover on ${file} does not show the job`);
    }
    for (let i = 0; i < opens; i++) {
      const other = `file:///bench/opened-${i}/${file}`;
      const t0 = nowMs();
      const opened = service.analyse(other, text, languageId, 1);
      openWarmMs.push(nowMs() - t0);
      if (!shows(opened)) throw new Error(`hover on a new ${file} does not show the job`);
    }
    service.analyse(uri, text, languageId, 1);

    const hover: number[] = [];
    const hoverAfterEdit: number[] = [];
    const diagnostics: number[] = [];
    const lens: number[] = [];
    const hints: number[] = [];
    let version = 2;
    for (let i = 0; i < repeats; i++) {
      let t0 = nowMs();
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
    return {
      openMs,
      openWarmMs,
      hoverMs: hover,
      hoverAfterEditMs: hoverAfterEdit,
      diagnosticsMs: diagnostics,
      codeLensMs: lens,
      inlayHintsMs: hints,
    };
  });
}

async function main(): Promise<void> {
  const apps = Number(process.argv[2] ?? 100_000);
  const repeats = 200;
  const opens = 40;
  const loadStart = os.loadavg();
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

    measure(small, 20, 5); // warm-up (JIT)
    const base = measure(small, repeats, opens);
    t0 = nowMs();
    const large = measure(bigStore, repeats, opens);
    process.stdout.write(`(measured in ${((nowMs() - t0) / 1000).toFixed(1)} s)\n`);

    const rows: [string, keyof Samples][] = [
      [`first analysis of a newly opened file, fresh service (cold caches), ${opens}×`, 'openMs'],
      [`first analysis of a newly opened file, running service, ${opens}×`, 'openWarmMs'],
      [`hover on the opened document, ${repeats}×`, 'hoverMs'],
      [`hover after an edit, ${repeats}×`, 'hoverAfterEditMs'],
      [`diagnostics after an edit, ${repeats}×`, 'diagnosticsMs'],
      [`code lens, ${repeats}×`, 'codeLensMs'],
      [`inlay hints, ${repeats}×`, 'inlayHintsMs'],
    ];
    let over = 0;
    let openOver = 0;
    const ms = (x: number) => `${x.toFixed(2)} ms`;
    const sections: string[] = [];
    const figures: Record<string, number> = {};
    FILES.forEach(({ file }, i) => {
      process.stdout.write(
        `\n${file}${' '.repeat(Math.max(1, 64 - file.length))}${'9 apps p50/p95'.padStart(22)}${`${apps} apps p50/p95`.padStart(26)}${'p50 ratio'.padStart(11)}\n`,
      );
      const table: string[][] = [];
      for (const [label, key] of rows) {
        const [b50, b95, l50, l95] = [
          quantile(base[i][key], 0.5),
          quantile(base[i][key], 0.95),
          quantile(large[i][key], 0.5),
          quantile(large[i][key], 0.95),
        ];
        if ((key === 'hoverMs' || key === 'hoverAfterEditMs') && l50 > HOVER_BUDGET_MS) over++;
        if ((key === 'openMs' || key === 'openWarmMs') && l95 > FIRST_ANALYSIS_BUDGET_MS) openOver++;
        process.stdout.write(
          `  ${label.padEnd(62)}${`${b50.toFixed(3)} / ${b95.toFixed(3)}`.padStart(22)}${`${l50.toFixed(3)} / ${l95.toFixed(3)}`.padStart(26)}${`${(l50 / b50).toFixed(1)}×`.padStart(11)}\n`,
        );
        table.push([label, ms(b50), ms(b95), ms(l50), ms(l95), `${(l50 / b50).toFixed(1)}×`]);
        const k = `${file.replace(/\..*$/, '').replace(/_(\w)/g, (_m, c: string) => c.toUpperCase())}${key[0].toUpperCase()}${key.slice(1).replace(/Ms$/, '')}`;
        figures[`${k}P50Ms`] = l50;
        figures[`${k}P95Ms`] = l95;
        figures[`${k}P50RatioTo9Apps`] = l50 / b50;
      }
      sections.push(
        `### \`examples/${file}\``,
        '',
        markdownTable(
          [
            'request',
            '9 apps p50',
            '9 apps p95',
            `${apps.toLocaleString('en-US')} apps p50`,
            `${apps.toLocaleString('en-US')} apps p95`,
            'p50 ratio',
          ],
          table,
        ),
        '',
      );
    });
    measurePlans(small, 20); // warm-up (JIT)
    const plansSmall = measurePlans(small, repeats);
    const plansBig = measurePlans(bigStore, repeats);
    process.stdout.write(
      `\nplanWorkload (recommend/engine.ts), p50 / p95 of ${repeats}${' '.repeat(12)}${'9 apps'.padStart(18)}${`${apps} apps`.padStart(20)}${'p95 ratio'.padStart(11)}\n`,
    );
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
    process.stdout.write(
      `plan of a workload with 50 runs within ${PLAN_BUDGET_P95_MS} ms p95 (cold): ${planOver === 0 ? 'yes' : `NO (${planOver} workload(s) over)`}; load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores\n`,
    );
    const planTable = markdownTable(
      [
        'workload (runs: 9 apps / 100k)',
        'plan',
        '9 apps p50',
        '9 apps p95',
        `${apps.toLocaleString('en-US')} apps p50`,
        `${apps.toLocaleString('en-US')} apps p95`,
        'p95 ratio',
      ],
      plansBig.flatMap((b, i) =>
        (['cold', 'warm'] as const).map((kind) => {
          const s0 = plansSmall[i];
          return [
            `${b.job} (${s0.runs} / ${b.runs})`,
            kind,
            ms(s0[kind][0]),
            ms(s0[kind][1]),
            ms(b[kind][0]),
            ms(b[kind][1]),
            `${(b[kind][1] / s0[kind][1]).toFixed(1)}×`,
          ];
        }),
      ),
    );
    plansBig.forEach((b) => {
      figures[`plan${b.job.replace(/(^|_)(\w)/g, (_m, _u: string, c: string) => c.toUpperCase())}ColdP95Ms`] =
        b.cold[1];
    });
    const once = (f: () => unknown) => {
      const t = nowMs();
      f();
      return nowMs() - t;
    };
    const listSmall = once(() => small.listWorkloads());
    const listBig = once(() => bigStore.listWorkloads());
    const namesSmall = once(() => small.appNames());
    const namesBig = once(() => bigStore.appNames());
    process.stdout.write(
      `\nstore queries (once)${' '.repeat(28)}${'9 apps'.padStart(12)}${`${apps} apps`.padStart(14)}\n`,
    );
    process.stdout.write(
      `  ${'listWorkloads (quick pick; cached per collection)'.padEnd(46)}${`${listSmall.toFixed(3)} ms`.padStart(12)}${`${listBig.toFixed(3)} ms`.padStart(14)}${`${(listBig / listSmall).toFixed(0)}×`.padStart(9)}\n`,
    );
    process.stdout.write(
      `  ${'appNames (status bar, job matching; cached)'.padEnd(46)}${`${namesSmall.toFixed(3)} ms`.padStart(12)}${`${namesBig.toFixed(3)} ms`.padStart(14)}${`${(namesBig / namesSmall).toFixed(0)}×`.padStart(9)}\n`,
    );
    // Reported, not an exit code: absolute times follow the machine's load (the ratios do not).
    const verdicts =
      `Hover within ${HOVER_BUDGET_MS} ms (p50) on ${apps.toLocaleString('en-US')} applications: ${over === 0 ? 'yes' : `**no** (${over} figure(s) over; compare the 9-application column: a loaded machine slows both)`}. ` +
      `First analysis of a newly opened file within ${FIRST_ANALYSIS_BUDGET_MS} ms (p95, target of issue 18): ${openOver === 0 ? 'yes' : `**no** (${openOver} figure(s) over)`}. ` +
      `Plan within ${PLAN_BUDGET_P95_MS} ms p95 (cold): ${planOver === 0 ? 'yes' : `**no** (${planOver} job(s) over)`}.`;
    process.stdout.write(`\n${verdicts}\n`);
    const md = [
      "The editor's requests through the language service (the core the server's analysis worker runs; test/bench/editor-latency.ts)",
      `on a store of ${apps.toLocaleString('en-US')} applications (SYNTHETIC: log-normal copies of the 9 real Spark 4.3.0 runs of examples/history,`,
      `${bigStore.appNames().length.toLocaleString('en-US')} jobs, in a real SQLite file), against the baseline of the same requests on the store of the 9 real runs, in the same run.`,
      '"First analysis of a newly opened file": `analyse` of a file never seen before, until its diagnostics, hover and',
      'code lens can be answered; with a fresh service (empty caches, as after start-up or a collection) and in a running one.',
      '',
      ...sections,
      `### The engine's plan of a workload from its newest 50 runs (\`planWorkload\`, ${repeats}×; budget ${PLAN_BUDGET_P95_MS} ms p95 cold, issue 13)`,
      '',
      planTable,
      '',
      `Store queries, once: \`listWorkloads\` ${ms(listSmall)} (9 apps) vs ${ms(listBig)} (${apps.toLocaleString('en-US')}); \`appNames\` ${ms(namesSmall)} vs ${ms(namesBig)}.`,
      '',
      verdicts,
    ].join('\n');
    writeBenchSection({ id: 'editor-latency', title: 'Editor latency', order: 30, markdown: md, figures }, loadStart);
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
