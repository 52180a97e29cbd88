/**
 * The engine's CLI commands: `analyze APP_ID` (one run's findings with numbers and sources, and the what-if table) and
 * `recommend FILE` (per resource setting: value, expected effect, evidence, confidence). Pure functions of a store and
 * arguments that return the lines to print (or a JSON value), so main.ts stays a dispatcher and tests can call them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { CostPrices } from '../analysis/cost';
import { formatMoney, runFindings } from '../analysis/run-findings';
import { languageIdForPath } from '../config/file-settings';
import { formatDurationMs, formatSparkSizeMiB, parseSparkSizeMiB } from '../config/spark-units';
import type { ApplicationRecord } from '../history/application-record';
import { SparkLanguageService } from '../language-service';
import { confidenceLabel } from '../recommend/recommender';
import { estimateCandidates, recommendResources, runChoice, type ResourceChoice } from '../recommend/resources';
import { whatIfTable, type WhatIfTable } from '../recommend/what-if-table';
import type { HistoryReader } from '../history/history-reader';
import type { HistoryStore } from '../store/history-store';

/** What a command produced: text lines, or a value to print as JSON. */
export interface CommandOutput {
  lines: string[];
  json: unknown;
  /** Exit code: 0 ok, 2 input error (unknown app, file without a job). */
  code: number;
}

function tableLines(t: WhatIfTable): string[] {
  const head = t.key === 'spark.executor.instances' ? 'executors' : 'cores';
  const out = [`  ${head.padStart(9)}  ${'duration'.padStart(9)}  ${'core-hours'.padStart(10)}${t.currency !== null ? `  ${t.currency.padStart(10)}` : ''}`];
  for (const r of t.rows) {
    const v = t.key === 'spark.executor.instances' ? r.shape.executorInstances : r.shape.executorCores;
    out.push(
      `  ${`${v}${r.current ? '*' : ''}`.padStart(9)}  ${formatDurationMs(r.estimate.durationMs).padStart(9)}  ${r.estimate.executorCoreHours.toFixed(4).padStart(10)}${t.currency !== null ? `  ${formatMoney(r.money ?? 0, '').trim().padStart(10)}` : ''}`,
    );
  }
  return out;
}

function tableJson(t: WhatIfTable | null): unknown {
  return t === null
    ? null
    : t.rows.map((r) => ({ executorInstances: r.shape.executorInstances, executorCores: r.shape.executorCores, durationMs: r.estimate.durationMs, driverOnlyMs: r.estimate.driverOnlyMs, executorCoreHours: r.estimate.executorCoreHours, money: r.money, current: r.current }));
}

/**
 * `spark-optimizer analyze APP_ID [--attempt N]`: the run's configuration, its findings (severity, message, numbers,
 * source) and what-if tables over executor count and cores (the run's own shape marked `*`) with the model's own error.
 * @param attemptId the attempt to analyse; undefined: the newest attempt of `appId`.
 * @returns code 2 when the application (or that attempt) is not in the store.
 */
export function analyzeCommand(store: HistoryReader, appId: string, prices: CostPrices | undefined, dbPath: string, attemptId?: string): CommandOutput {
  const r = store.runById(appId, attemptId);
  if (r === null) {
    const attempts = store.attemptsOf(appId).map((a) => a.attemptId ?? '(none)');
    const what = attemptId !== undefined ? `attempt ${attemptId} of ${appId}` : `application ${appId}`;
    const known = attempts.length > 0 ? ` (stored attempts: ${attempts.join(', ')})` : ' (see "spark-optimizer jobs"; collect it first)';
    return { lines: [`spark-optimizer: no ${what} in ${dbPath}${known}`], json: null, code: 2 };
  }
  const others = store.attemptsOf(appId).filter((a) => a.attemptId !== r.attemptId);
  const findings = runFindings(r, { prices });
  const none = new Map<string, string | null>();
  const byInstances = whatIfTable([r], 'spark.executor.instances', none, prices);
  const byCores = whatIfTable([r], 'spark.executor.cores', none, prices);
  const c = runChoice(r);
  const err = byInstances?.modelError ?? null;
  const json = {
    appId: r.appId,
    attemptId: r.attemptId,
    appName: r.appName,
    durationMs: r.durationMs,
    configuration: c,
    findings,
    whatIf: { modelError: err, byExecutorInstances: tableJson(byInstances), byExecutorCores: tableJson(byCores) },
  };
  const lines = [
    `${r.appId}${r.attemptId ? ` attempt ${r.attemptId}` : ''} ${r.appName}: ${formatDurationMs(r.durationMs)}${c ? `, ${c.executorInstances} executors × ${c.executorCores} cores, ${formatSparkSizeMiB(c.executorMemoryMiB)}, ${c.shufflePartitions} shuffle partitions` : ''}, ${r.totalTasks} tasks in ${r.totalStages} stages${r.completed ? '' : `; incomplete${r.incompleteReason ? ` (${r.incompleteReason})` : ''}`}`,
    ...(others.length > 0 ? [`Other attempts stored: ${others.map((a) => `${a.attemptId ?? '(none)'}${a.completed ? '' : ' (incomplete)'}`).join(', ')} (--attempt N)`] : []),
    '',
    'Findings:',
  ];
  for (const f of findings) {
    lines.push(`  [${f.severity}] ${f.id}${f.stageId !== undefined ? ` (stage ${f.stageId})` : ''}: ${f.message.replace(/\s*\n\s*/g, ' ')}`);
    lines.push(`      source: ${f.source}`);
  }
  if (byInstances !== null) {
    lines.push('', `What if (replaying its task durations; model error on this run ${err !== null ? `${(err.relativeError * 100).toFixed(1)} %: ${formatDurationMs(err.estimatedMs)} estimated vs ${formatDurationMs(err.actualMs)} measured` : 'unknown'}):`);
    lines.push(...tableLines(byInstances));
    if (byCores !== null) lines.push('', ...tableLines(byCores));
    lines.push(`  (* = the run's own shape; driver-only time ${formatDurationMs(byInstances.rows[0].estimate.driverOnlyMs)} kept as measured)`);
  } else lines.push('', 'What if: no per-task durations or quantiles to replay in this run.');
  return { lines, json, code: 0 };
}

/** One recommended setting of `recommend FILE`. */
export interface SettingAdvice {
  key: string;
  current: string | null;
  recommended: string;
  effect: string;
  evidence: string[];
  confidence: number;
}

function literal(v: string | null | undefined): string | null {
  return v === undefined ? null : v;
}

/**
 * `spark-optimizer recommend FILE`: for each Spark application in the file that matches a job in the store, the
 * resource choice of recommendResources (memory, cores, instances, shuffle partitions) and the other per-setting
 * rules (memoryOverhead, driver memory), each with value, expected effect, evidence and confidence.
 * @returns code 2 when no application of the file matches a job with runs.
 */
export function recommendCommand(
  store: HistoryStore,
  file: string,
  cluster: { nodeMemoryMiB: number; nodeCores: number },
  prices: CostPrices | undefined,
  dbPath: string,
  nowMs = Date.now(),
): CommandOutput {
  const text = fs.readFileSync(file, 'utf8');
  const service = new SparkLanguageService(store, () => nowMs);
  const analysis = service.analyse(pathToFileURL(path.resolve(file)).toString(), text, languageIdForPath(file, text), 0, { cluster, disabledChecks: new Set(), prices });
  const lines: string[] = [];
  const json: unknown[] = [];
  let matched = 0;
  for (const sa of analysis.sites) {
    const where = `${file}:${sa.site.range.start.line + 1}`;
    if (sa.job === null || sa.runs.length === 0) {
      lines.push(`${where} no runs of this job in ${dbPath} (run "spark-optimizer collect" first)`);
      continue;
    }
    matched++;
    const runs: ApplicationRecord[] = sa.runs;
    const newest = runs.map(runChoice).find((c): c is ResourceChoice => c !== null);
    const get = (k: string) => {
      const s = sa.site.effective.get(k);
      return s === undefined ? undefined : s.literal ? s.value : null;
    };
    const current: ResourceChoice | null = newest
      ? {
          executorMemoryMiB: parseSparkSizeMiB(get('spark.executor.memory') ?? undefined) ?? newest.executorMemoryMiB,
          executorCores: Number(get('spark.executor.cores')) || newest.executorCores,
          executorInstances: Number(get('spark.executor.instances')) || newest.executorInstances,
          shufflePartitions: Number(get('spark.sql.shuffle.partitions')) || newest.shufflePartitions,
        }
      : null;
    const advice: SettingAdvice[] = [];
    let header = `${where} ${sa.job.appName}: ${runs.length} run(s) (matched by ${sa.job.matchedBy})`;
    let shared: string[] = [];
    if (current !== null) {
      const rec = recommendResources(runs, { cluster: { ...cluster, maxExecutors: Math.max(8, 2 * current.executorInstances) }, nowMs });
      const [now] = estimateCandidates(runs, [current], { cluster });
      const effect =
        rec.expectedDurationMs !== null && now.durationMs !== null
          ? `duration ${formatDurationMs(now.durationMs)} → ${formatDurationMs(rec.expectedDurationMs)}, executor-core-hours ${(now.executorCoreHours ?? 0).toFixed(4)} → ${(rec.expectedExecutorCoreHours ?? 0).toFixed(4)} per run`
          : 'effect unknown (no run to replay)';
      header += `; expected with all changes: ${effect}`;
      shared = rec.evidence;
      const pairs: [string, string, string][] = [
        ['spark.executor.memory', formatSparkSizeMiB(current.executorMemoryMiB), formatSparkSizeMiB(rec.choice.executorMemoryMiB)],
        ['spark.executor.cores', String(current.executorCores), String(rec.choice.executorCores)],
        ['spark.executor.instances', String(current.executorInstances), String(rec.choice.executorInstances)],
        ['spark.sql.shuffle.partitions', String(current.shufflePartitions), String(rec.choice.shufflePartitions)],
      ];
      for (const [key, cur, next] of pairs) {
        if (cur === next) continue;
        // The effect of this one change alone, other settings as now.
        const one: ResourceChoice = { ...current };
        if (key === 'spark.executor.memory') one.executorMemoryMiB = rec.choice.executorMemoryMiB;
        if (key === 'spark.executor.cores') one.executorCores = rec.choice.executorCores;
        if (key === 'spark.executor.instances') one.executorInstances = rec.choice.executorInstances;
        if (key === 'spark.sql.shuffle.partitions') one.shufflePartitions = rec.choice.shufflePartitions;
        const [alone] = estimateCandidates(runs, [one], { cluster });
        advice.push({
          key,
          current: literal(get(key)) ?? `${cur} (not set: as in the runs)`,
          recommended: next,
          effect: alone.durationMs !== null && now.durationMs !== null ? `alone: duration ${formatDurationMs(now.durationMs)} → ${formatDurationMs(alone.durationMs)}, executor-core-hours ${(now.executorCoreHours ?? 0).toFixed(4)} → ${(alone.executorCoreHours ?? 0).toFixed(4)}` : 'unknown',
          evidence: rec.evidence,
          confidence: rec.confidence,
        });
      }
    }
    for (const r of sa.recommendations) {
      if (advice.some((a) => a.key === r.key)) continue;
      advice.push({ key: r.key, current: r.currentValue, recommended: r.recommendedValue, effect: r.message, evidence: r.evidence.map((e) => `${e.appId}: ${e.metric} ${e.value}${e.under ? ` (${e.under})` : ''}`), confidence: r.confidence });
    }
    lines.push(header);
    if (advice.length === 0) lines.push('  nothing to change: the runs and the simulation favour the current settings');
    for (const a of advice) {
      lines.push(`  ${a.key}: ${a.current ?? '(not set)'} → ${a.recommended}  [confidence ${confidenceLabel(a.confidence)} ${a.confidence.toFixed(2)}]`);
      lines.push(`      expected effect: ${a.effect}`);
      // The resource choice's evidence is shared by its settings: printed once below.
      if (a.evidence !== shared) for (const e of a.evidence) lines.push(`      evidence: ${e}`);
    }
    if (advice.some((a) => a.evidence === shared)) for (const e of shared) lines.push(`  evidence: ${e}`);
    for (const s of sa.similar) lines.push(`  similar job: ${s.appName} at distance ${s.distance.toFixed(2)} (${s.differences})`);
    json.push({ line: sa.site.range.start.line + 1, job: sa.job.appName, runs: runs.length, settings: advice, similar: sa.similar });
  }
  return { lines, json, code: matched > 0 ? 0 : 2 };
}
