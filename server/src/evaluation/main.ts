/**
 * `npm run eval` / `npm run eval:check`.
 *
 *   node build/server/src/evaluation/main.js [--check] [--benchmark] [--runs DIR] [--grid FILE] [--result FILE] [--report FILE]
 *
 * Without --check: evaluates the committed real runs (eval/runs, or --runs/--grid for another ground truth), prints
 * the summary, writes docs/evaluation.md and eval/result.json. `--benchmark` evaluates issue 14's benchmark instead:
 * eval/benchmark-runs with eval/benchmark/grid.json into eval/benchmark/result.json and docs/evaluation-benchmark.md
 * (a runs folder with fewer runs than the grid plans is reported as partial; `--if-present` skips, exit 0, when the runs
 * folder has no manifest). With --check: recomputes, prints the editor engine's
 * regrets per objective next to the committed ones in eval/result.json, writes nothing, and exits 1 when one got
 * worse (check.ts) or an edit wrote an ignored key or a configuration exceeding the cluster. Exit 2 on bad input
 * (missing logs, invalid manifest). The old engine's recorded choices (eval/old-engine.json) are scored only when
 * their grid and manifest hashes match the ground truth's.
 */
import * as fs from 'fs';
import * as path from 'path';
import { checkResult, stored } from './check';
import { engineUnderTest } from './engine';
import { loadGroundTruth } from './ground-truth';
import { renderReport } from './report';
import { EVAL_OBJECTIVES, type EvaluationResult, evaluate } from './run';
import { errorMessage } from '../../../shared/src/errors';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? path.resolve(process.argv[i + 1]) : path.join(ROOT, fallback);
}

/** JSON with NaN/Infinity as null and numbers rounded to 6 significant digits (stable diffs). */
function toJson(x: unknown): string {
  return (
    JSON.stringify(
      x,
      (_k, v: unknown) => (typeof v === 'number' ? (Number.isFinite(v) ? Number(v.toPrecision(6)) : null) : v),
      2,
    ) + '\n'
  );
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const bench = process.argv.includes('--benchmark');
  const runsDir = arg('--runs', bench ? 'eval/benchmark-runs' : 'eval/runs');
  const gridFile = arg('--grid', bench ? 'eval/benchmark/grid.json' : 'eval/grid.json');
  const resultFile = arg('--result', bench ? 'eval/benchmark/result.json' : 'eval/result.json');
  const reportFile = arg('--report', bench ? 'docs/evaluation-benchmark.md' : 'docs/evaluation.md');

  if (process.argv.includes('--if-present') && !fs.existsSync(path.join(runsDir, 'manifest.json'))) {
    console.log(`eval: no runs in ${path.relative(process.cwd(), runsDir)} (not committed yet): skipped`);
    return 0;
  }
  const t0 = Date.now();
  const gt = await loadGroundTruth(runsDir, gridFile);
  const result = evaluate(gt, engineUnderTest(runsDir, gridFile, path.join(ROOT, 'eval', 'old-engine.json')));
  const partial = result.data.plannedRuns !== undefined && result.data.runs < result.data.plannedRuns;
  const line = (
    name: string,
    s: {
      runtimeRegret: number;
      coreHoursRegret: number;
      memoryRegret: number;
      dcuRegret: number;
      runtimeWithin10: number;
    },
  ) =>
    `  ${name.padEnd(40)} runtime ${s.runtimeRegret.toFixed(3)}  core-hours ${s.coreHoursRegret.toFixed(3)}  memory ${s.memoryRegret.toFixed(3)}  DCU ${s.dcuRegret.toFixed(3)}  runtime within 10 % ${(s.runtimeWithin10 * 100).toFixed(0)} %`;
  console.log(
    `${result.data.runs}${partial ? ` of ${result.data.plannedRuns} planned (PARTIAL)` : ''} runs, ${result.data.workloads.length} workloads, ${result.data.configurations} configurations (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  for (const o of EVAL_OBJECTIVES) console.log(line(`editor engine, ${o}`, result.recommendation.editor[o].overall));
  for (const o of EVAL_OBJECTIVES)
    for (const [k, s] of Object.entries(result.recommendation.learned?.[o]?.slices ?? {}))
      if (k.startsWith('test/')) console.log(line(`learned scorer, ${o}, ${k}`, s));
  for (const [name, b] of Object.entries(result.recommendation.oldEngine)) console.log(line(name, b.overall));
  for (const [name, b] of Object.entries(result.recommendation.baselines)) console.log(line(name, b.overall));
  for (const t of result.targets ?? []) console.log(`  target ${t.met ? 'MET' : 'NOT MET'}: ${t.target}: ${t.detail}`);
  const sim = result.prediction.simulation.overall;
  console.log(
    `  simulation MAPE ${(sim.shapeOnly * 100).toFixed(1)} % (shape-only, ${sim.nShapeOnly} pairs), ${(sim.all * 100).toFixed(1)} % (all, ${sim.nAll}); ` +
      `engine model MAPE ${(result.prediction.engine.overall.all * 100).toFixed(1)} % (all); noise ${(result.noise.overall.runtime * 100).toFixed(1)} %`,
  );

  if (check) {
    if (!fs.existsSync(resultFile)) {
      console.error(`eval:check: ${resultFile} does not exist; run npm run eval and commit it`);
      return 2;
    }
    const committed = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as EvaluationResult;
    if (committed.data.runs !== result.data.runs) {
      console.error(
        `eval:check: ${resultFile} was made from ${committed.data.runs} runs, ${runsDir} has ${result.data.runs}: a different ground truth; run npm run eval${bench ? ' -- --benchmark' : ''} and commit the result`,
      );
      return 2;
    }
    for (const o of EVAL_OBJECTIVES) {
      const c = committed.recommendation.editor?.[o]?.overall;
      const e = result.recommendation.editor[o].overall;
      console.log(
        `${o}: committed runtime ${c?.runtimeRegret ?? '–'} DCU ${c?.dcuRegret ?? '–'}; now runtime ${stored(e.runtimeRegret)} DCU ${stored(e.dcuRegret)}`,
      );
    }
    const problems = checkResult(result, committed);
    if (problems.length > 0) {
      console.error(`eval:check FAILED: ${problems.join('; ')}`);
      return 1;
    }
    console.log(
      'eval:check passed: the editor engine is no worse than the committed result, and no edit wrote an ignored key or exceeded the cluster',
    );
    return 0;
  }
  fs.mkdirSync(path.dirname(resultFile), { recursive: true });
  fs.writeFileSync(resultFile, toJson(result));
  fs.mkdirSync(path.dirname(reportFile), { recursive: true });
  // docs/evaluation.md also summarises the benchmark's committed result (eval/benchmark/result.json) when there is one.
  const benchFile = path.join(ROOT, 'eval', 'benchmark', 'result.json');
  const benchResult =
    !bench && fs.existsSync(benchFile)
      ? (JSON.parse(fs.readFileSync(benchFile, 'utf8')) as EvaluationResult)
      : undefined;
  fs.writeFileSync(
    reportFile,
    renderReport(
      result,
      {
        runsDir: path.relative(ROOT, runsDir),
        gridFile: path.relative(ROOT, gridFile),
        resultFile: path.relative(ROOT, resultFile),
      },
      benchResult,
    ),
  );
  console.log(`wrote ${path.relative(process.cwd(), resultFile)} and ${path.relative(process.cwd(), reportFile)}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`eval: ${errorMessage(err)}`);
    process.exit(2);
  },
);
