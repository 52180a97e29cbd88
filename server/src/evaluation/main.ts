/**
 * `npm run eval` / `npm run eval:check`.
 *
 *   node build/server/src/evaluation/main.js [--check] [--runs DIR] [--grid FILE] [--result FILE] [--report FILE]
 *
 * Without --check: evaluates the committed real runs (eval/runs), prints the summary, writes docs/evaluation.md and
 * eval/result.json. With --check: recomputes, prints the engine's overall regrets next to the committed ones in
 * eval/result.json, writes nothing, and exits 1 when the runtime or core-hours regret is worse (higher by more than
 * 1e-9) than committed. Exit 2 on bad input (missing logs, invalid manifest).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ENGINE_DEFAULT_TUNING, engineChooser, enginePredictor, simulationPredictor } from './engine';
import { loadGroundTruth } from './ground-truth';
import { renderReport } from './report';
import { type EvaluationResult, evaluate } from './run';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? path.resolve(process.argv[i + 1]) : path.join(ROOT, fallback);
}

/** JSON with NaN/Infinity as null and numbers rounded to 6 significant digits (stable diffs). */
function toJson(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' ? (Number.isFinite(v) ? Number(v.toPrecision(6)) : null) : v), 2) + '\n';
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const runsDir = arg('--runs', 'eval/runs');
  const gridFile = arg('--grid', 'eval/grid.json');
  const resultFile = arg('--result', 'eval/result.json');
  const reportFile = arg('--report', 'docs/evaluation.md');

  const t0 = Date.now();
  const gt = await loadGroundTruth(runsDir, gridFile);
  const result = evaluate(gt, {
    makeChooser: engineChooser,
    defaultTuning: ENGINE_DEFAULT_TUNING,
    simulation: simulationPredictor,
    makePredictor: (cluster) => enginePredictor(cluster),
  });
  const e = result.recommendation.engine.overall;
  const line = (name: string, s: { runtimeRegret: number; coreHoursRegret: number; runtimeWithin10: number }) =>
    `  ${name.padEnd(28)} runtime regret ${s.runtimeRegret.toFixed(3)}  core-hours regret ${s.coreHoursRegret.toFixed(3)}  within 10 % ${(s.runtimeWithin10 * 100).toFixed(0)} %`;
  console.log(`${result.data.runs} runs, ${result.data.workloads.length} workloads, ${result.data.configurations} configurations (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(line('engine (cross-validated)', e));
  console.log(line('engine (default tuning)', result.recommendation.engineDefaultTuning.overall));
  for (const [name, b] of Object.entries(result.recommendation.baselines)) console.log(line(name, b.overall));
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
    const c = committed.recommendation.engine.overall;
    console.log(`committed: runtime regret ${c.runtimeRegret}  core-hours regret ${c.coreHoursRegret}`);
    console.log(`now:       runtime regret ${Number(e.runtimeRegret.toPrecision(6))}  core-hours regret ${Number(e.coreHoursRegret.toPrecision(6))}`);
    const worse: string[] = [];
    if (Number(e.runtimeRegret.toPrecision(6)) > c.runtimeRegret + 1e-9) worse.push('runtime regret');
    if (Number(e.coreHoursRegret.toPrecision(6)) > c.coreHoursRegret + 1e-9) worse.push('core-hours regret');
    if (worse.length > 0) {
      console.error(`eval:check FAILED: the engine's ${worse.join(' and ')} got worse than the committed eval/result.json`);
      return 1;
    }
    console.log('eval:check passed: the engine is no worse than the committed result');
    return 0;
  }
  fs.mkdirSync(path.dirname(resultFile), { recursive: true });
  fs.writeFileSync(resultFile, toJson(result));
  fs.mkdirSync(path.dirname(reportFile), { recursive: true });
  fs.writeFileSync(reportFile, renderReport(result));
  console.log(`wrote ${path.relative(process.cwd(), resultFile)} and ${path.relative(process.cwd(), reportFile)}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`eval: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
