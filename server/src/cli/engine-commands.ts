/**
 * The engine's CLI commands, each a front end of recommend/engine.ts (through the language service, as the editor):
 * - `check FILE...`: the findings the editor shows as diagnostics (document-findings.ts), one line each, with the
 *   evidence of each change;
 * - `recommend FILE`: the plan per application: every planned setting with its value, its effect alone, the plan's
 *   effect, evidence and confidence, the trade-off table and why values are kept;
 * - `analyze APP_ID`: one run's findings (heuristics catalogue) and the engine's what-if tables at other executor
 *   counts and cores.
 * Pure functions of a store and arguments that return the lines to print (or a JSON value), so main.ts stays a
 * dispatcher and tests can call them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { runFindings } from '../analysis/run-findings';
import { languageIdForPath } from '../config/file-settings';
import { formatDurationMs, formatSparkSizeMiB, parseSparkSizeMiB } from '../config/spark-units';
import { documentFindings } from '../document-findings';
import { type AnalysisOptions, clockFromEnvironment, clusterRunsOf, SparkLanguageService } from '../language-service';
import { SETTING_DEFAULTS } from '../../../shared/src/settings';
import {
  confidenceLabel,
  describeChoice,
  describeEvidence,
  type WorkloadPlan,
  OBJECTIVES,
  type Objective,
  type PlanEstimate,
  planWorkload,
  type WhatIfRow,
} from '../recommend/engine';
import { runChoice } from '../recommend/model';
import { simulationError } from '../recommend/what-if';
import { costPrices, describeLimits, formatMoney } from '../resource-model';
import type { HistoryReader } from '../history/history-reader';
import type { HistoryStore } from '../store/history-store';

/** What a command produced: text lines, or a value to print as JSON. */
export interface CommandOutput {
  lines: string[];
  json: unknown;
  /** Exit code: 0 ok, 1 `check` found something, 2 input error (unknown app, file without a workload). */
  code: number;
}

/** A flag with a bad value: main.ts prints it with the usage. */
export class FlagError extends Error {}

/** The flags of `check`, `recommend` and `analyze` (node:util parseArgs options). */
export const ENGINE_FLAGS = {
  db: { type: 'string' },
  objective: { type: 'string' },
  'max-slowdown': { type: 'string' },
  'node-memory': { type: 'string' },
  'node-cores': { type: 'string' },
  nodes: { type: 'string' },
  'total-cores': { type: 'string' },
  'total-memory': { type: 'string' },
  'price-core-hour': { type: 'string' },
  'price-gib-hour': { type: 'string' },
  currency: { type: 'string' },
} as const;

/** Usage lines of the engine flags. */
export const ENGINE_FLAGS_USAGE = `      [--objective runtime|cost|balanced] [--max-slowdown PERCENT]
      [--node-memory SIZE] [--node-cores N] [--nodes N] [--total-cores N] [--total-memory SIZE]
      [--price-core-hour X] [--price-gib-hour Y] [--currency C]`;

function count(name: string, v: string | boolean | undefined): number {
  if (v === undefined) return 0;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < 0)
    throw new FlagError(`--${name} must be a whole number ≥ 0, got ${String(v)}.`);
  return n;
}

function nonNegative(name: string, v: string | boolean | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n < 0)
    throw new FlagError(`--${name} must be a number ≥ 0, got ${String(v)}.`);
  return n;
}

function size(name: string, v: string | boolean | undefined): number {
  if (v === undefined) return 0;
  const mib = typeof v === 'string' ? parseSparkSizeMiB(v) : null;
  if (mib === null) throw new FlagError(`--${name} ${String(v)} is not a Spark size (e.g. 64g).`);
  return mib;
}

/**
 * Analysis options from the engine flags (the CLI's counterpart of the `sparkOptimizer.*` settings).
 * @throws FlagError on a bad value.
 */
export function engineOptions(values: Record<string, string | boolean | undefined>): AnalysisOptions {
  // A flag left out takes the default of the setting it stands for (shared/src/settings.ts).
  const objective = (values.objective ?? SETTING_DEFAULTS.objective) as string;
  if (!OBJECTIVES.includes(objective as Objective))
    throw new FlagError(`--objective must be one of ${OBJECTIVES.join(', ')}, got ${objective}.`);
  const perCoreHour =
    nonNegative('price-core-hour', values['price-core-hour']) ?? SETTING_DEFAULTS['cost.pricePerCoreHour'];
  const perGiBHour =
    nonNegative('price-gib-hour', values['price-gib-hour']) ?? SETTING_DEFAULTS['cost.pricePerGiBHour'];
  return {
    cluster: {
      nodeMemoryMiB: size('node-memory', values['node-memory']),
      nodeCores: count('node-cores', values['node-cores']),
      nodes: count('nodes', values.nodes),
      totalCores: count('total-cores', values['total-cores']),
      totalMemoryMiB: size('total-memory', values['total-memory']),
    },
    disabledChecks: new Set(),
    prices: costPrices(perCoreHour, perGiBHour, String(values.currency ?? SETTING_DEFAULTS['cost.currency'])),
    objective: objective as Objective,
    maxSlowdown: (nonNegative('max-slowdown', values['max-slowdown']) ?? SETTING_DEFAULTS.maxSlowdownPercent) / 100,
  };
}

function analyseFile(service: SparkLanguageService, file: string, options: AnalysisOptions) {
  const text = fs.readFileSync(file, 'utf8');
  return service.analyse(pathToFileURL(path.resolve(file)).toString(), text, languageIdForPath(file, text), 0, options);
}

/**
 * `spark-optimizer check FILE...`: every finding the editor shows as a diagnostic (document-findings.ts: plan changes,
 * workload findings, checks) as `file:line:col severity message`, followed by the evidence of each change; a workload with
 * nothing to change says so.
 * @returns code 1 when there is at least one finding.
 */
export function checkCommand(
  store: HistoryStore,
  files: string[],
  options: AnalysisOptions,
  dbPath: string,
  nowMs = clockFromEnvironment()(),
): CommandOutput {
  const service = new SparkLanguageService(store, () => nowMs);
  const lines: string[] = [];
  const json: object[] = [];
  let n = 0;
  for (const file of files) {
    const analysis = analyseFile(service, file, options);
    const findings = documentFindings(analysis);
    n += findings.length;
    for (const f of findings) {
      const rec = f.recommendation;
      json.push({
        file,
        line: f.range.start.line + 1,
        column: f.range.start.character + 1,
        severity: f.severity,
        code: f.code,
        message: f.message,
        recommendation: rec ?? null,
      });
      // One line per finding (Spark's own error texts can hold newlines).
      lines.push(
        `${file}:${f.range.start.line + 1}:${f.range.start.character + 1} ${f.severity} ${f.message.replace(/\s*\n\s*/g, ' ')}`,
      );
      for (const e of rec?.evidence ?? []) lines.push(`    ${describeEvidence(e)}`);
    }
    for (const s of analysis.sites) {
      const at = `${file}:${s.site.range.start.line + 1}:${s.site.range.start.character + 1}`;
      if (!s.workload)
        lines.push(`${at} info no runs of this workload in ${dbPath} (run "spark-optimizer collect" first)`);
      else if (s.recommendations.length === 0) {
        const d = s.runs.map((r) => r.durationMs).sort((a, b) => a - b);
        const why = s.plan?.keptBecause ? `; ${s.plan.keptBecause}` : '';
        const dismissed = s.dismissed.map(
          (x) =>
            `${x.recommendation.key}=${x.recommendation.recommendedValue} (${x.feedback.reason ?? 'no reason given'})`,
        );
        lines.push(
          `${at} info ${s.workload.appName}: ${s.runs.length} run(s), median ${formatDurationMs(d[Math.floor((d.length - 1) / 2)])}; nothing to change (objective ${s.plan?.objective ?? options.objective})${why}${dismissed.length > 0 ? `; dismissed: ${dismissed.join(', ')}` : ''}`,
        );
      }
    }
  }
  return { lines, json, code: n > 0 ? 1 : 0 };
}

function estimateText(e: PlanEstimate | null, currency: string | null): string {
  if (e === null || e.durationMs === null || e.cost === null) return 'unknown (nothing to replay)';
  return `${formatDurationMs(e.durationMs)}, ${e.cost.coreHours.toFixed(4)} core-hours, ${e.cost.memoryGiBHours.toFixed(4)} memory-GiB-hours${e.cost.money !== null ? `, ${formatMoney(e.cost.money, currency ?? '')}` : `, ${e.cost.dcu.toFixed(5)} DCU`}`;
}

function estimateJson(e: PlanEstimate | null): unknown {
  return e === null
    ? null
    : {
        configuration: e.choice,
        durationMs: e.durationMs,
        coreHours: e.cost?.coreHours ?? null,
        memoryGiBHours: e.cost?.memoryGiBHours ?? null,
        dcu: e.cost?.dcu ?? null,
        money: e.cost?.money ?? null,
        basedOn: e.basedOn,
        measured: e.measured,
      };
}

/** The plan as JSON (settings with effects, trade-off table, findings). */
export function planJson(plan: WorkloadPlan): unknown {
  return {
    objective: plan.objective,
    maxSlowdown: plan.maxSlowdown,
    manager: plan.manager,
    cluster: describeLimits(plan.limits),
    current: estimateJson(plan.current),
    chosen: estimateJson(plan.chosen),
    keptBecause: plan.keptBecause,
    doesNotFit: plan.doesNotFit,
    confidence: plan.confidence,
    modelError: plan.modelError,
    noise: plan.noise,
    settings: plan.settings.map((s) => ({
      key: s.key,
      current: s.currentValue,
      effective: s.effectiveValue,
      recommended: s.recommendedValue,
      change: s.change,
      reason: s.reason,
      message: s.message,
      rule: s.rule,
      effectAlone:
        s.effectAlone === null ? null : { from: estimateJson(s.effectAlone.from), to: estimateJson(s.effectAlone.to) },
      evidence: s.evidence,
      confidence: s.confidence,
    })),
    pareto: plan.pareto.map((r) => ({ ...(estimateJson(r) as object), chosen: r.chosen, current: r.current })),
    findings: plan.findings,
    notes: plan.notes,
  };
}

/**
 * `spark-optimizer recommend FILE`: for each Spark application in the file that matches a workload in the store, the
 * engine's plan: objective, now → plan with predicted duration and cost, every planned setting (value, effect alone,
 * evidence, confidence), the trade-off table, findings and notes.
 * @returns code 2 when no application of the file matches a workload with runs.
 */
export function recommendCommand(
  store: HistoryStore,
  file: string,
  options: AnalysisOptions,
  dbPath: string,
  nowMs = clockFromEnvironment()(),
): CommandOutput {
  const service = new SparkLanguageService(store, () => nowMs);
  const text = fs.readFileSync(file, 'utf8');
  return recommendText(
    service,
    { uri: pathToFileURL(path.resolve(file)).toString(), text, languageId: languageIdForPath(file, text), label: file },
    options,
    dbPath,
  );
}

/** What `recommendText` gives: the command's output, and the applications of the text that matched no workload with runs. */
export interface RecommendOutput extends CommandOutput {
  /** 1-based line and `spark.app.name` (null when not written) of each application without a plan. */
  unmatched: { line: number; appName: string | null }[];
}

/** A job file's text as `recommendText` takes it. */
export interface RecommendSource {
  /** The document's URI: its file name is a job-matching key (never read: the text is given). */
  uri: string;
  text: string;
  /** LSP language id of the text (`python`, `shellscript`, ... as `fileKind` reads them). */
  languageId: string;
  /** How lines name the file (the CLI's path, the service's file name). */
  label: string;
}

/**
 * The plan per application of a job file's text (`recommend FILE`, and `POST /api/v1/recommend` of the service, which
 * therefore give the same plan as the editor: both go through `SparkLanguageService.analyse`, like the hovers). An
 * application without runs of its own gets the editor's first plan from the workloads run on its literal `spark.master`
 * (`coldStart: true`, `runs: 0`) when there are any.
 * @returns lines, the JSON array of plans (one per planned application) and code 2 when no application got a plan.
 */
export function recommendText(
  service: SparkLanguageService,
  source: RecommendSource,
  options: AnalysisOptions,
  dbPath: string,
): RecommendOutput {
  const file = source.label;
  const analysis = service.analyse(source.uri, source.text, source.languageId, 0, options);
  const lines: string[] = [];
  const json: unknown[] = [];
  const unmatched: RecommendOutput['unmatched'] = [];
  let matched = 0;
  for (const sa of analysis.sites) {
    const where = `${file}:${sa.site.range.start.line + 1}`;
    // A workload without runs of its own that the engine planned from the workloads on the same spark.master (the
    // editor's cold start) is planned here too, marked coldStart, so the CLI, the service and the editor agree.
    const coldStart = sa.workload === null && sa.plan !== null;
    if (sa.plan === null || (!coldStart && (sa.workload === null || sa.runs.length === 0))) {
      unmatched.push({ line: sa.site.range.start.line + 1, appName: sa.site.appName });
      lines.push(`${where} no runs of this workload in ${dbPath} (run "spark-optimizer collect" first)`);
      continue;
    }
    matched++;
    const plan = sa.plan;
    const workload = sa.workload?.appName ?? plan.appName;
    lines.push(
      `${where} ${workload}: ${sa.workload ? `${sa.runs.length} run(s) (matched by ${sa.workload.matchedBy})` : 'no runs of its own: a first plan from the workloads run on the same spark.master'}; objective ${plan.objective}${plan.objective === 'balanced' ? ` (within ${Math.round(plan.maxSlowdown * 100)} % of the fastest)` : ''}; ${plan.manager}; cluster: ${describeLimits(plan.limits)}`,
    );
    lines.push(
      `  now:  ${plan.current ? describeChoice(plan.current.choice) : '?'}: ${estimateText(plan.current, plan.currency)}`,
    );
    lines.push(
      `  plan: ${plan.chosen ? describeChoice(plan.chosen.choice) : '?'}: ${estimateText(plan.chosen, plan.currency)}  [confidence ${confidenceLabel(plan.confidence)} ${plan.confidence.toFixed(2)}]`,
    );
    if (plan.doesNotFit) lines.push(`  does not fit: ${plan.doesNotFit}`);
    if (plan.keptBecause) lines.push(`  kept: ${plan.keptBecause}`);
    const changes = plan.settings.filter((s) => s.change);
    if (changes.length === 0) lines.push('  nothing to change');
    for (const s of plan.settings) {
      const now =
        s.currentValue ??
        `${s.effectiveValue} (not set here: ${s.effectiveFrom === 'runs' ? 'as in the runs' : "Spark's default"})`;
      if (!s.change) {
        lines.push(`  ${s.key}: ${now}: kept`);
        continue;
      }
      lines.push(
        `  ${s.key}: ${now} → ${s.recommendedValue}  [${s.reason}; confidence ${confidenceLabel(s.confidence)} ${s.confidence.toFixed(2)}]`,
      );
      lines.push(`      ${s.message}`);
      if (s.effectAlone !== null)
        lines.push(
          `      expected effect alone: ${estimateText(s.effectAlone.from, plan.currency)} → ${estimateText(s.effectAlone.to, plan.currency)}`,
        );
      for (const e of s.evidence.slice(0, 8)) lines.push(`      evidence: ${describeEvidence(e)}`);
    }
    if (plan.pareto.length > 1) {
      lines.push('  trade-off (duration vs cost):');
      for (const r of plan.pareto)
        lines.push(
          `    ${describeChoice(r.choice).padEnd(36)} ${estimateText(r, plan.currency)}${r.chosen ? '  <- plan' : ''}${r.current ? '  (now)' : ''}`,
        );
    }
    for (const f of plan.findings) lines.push(`  finding: ${f.message}`);
    for (const n of plan.notes) lines.push(`  note: ${n}`);
    for (const s of sa.similar)
      lines.push(`  similar workload: ${s.appName} at distance ${s.distance.toFixed(2)} (${s.differences})`);
    json.push({
      line: sa.site.range.start.line + 1,
      workload,
      runs: sa.runs.length,
      coldStart,
      ...(planJson(plan) as object),
      similar: sa.similar,
    });
  }
  return { lines, json, code: matched > 0 ? 0 : 2, unmatched };
}

function whatIfLines(rows: WhatIfRow[], by: 'instances' | 'cores', currency: string | null): string[] {
  const money = rows.some((r) => r.cost?.money !== null && r.cost?.money !== undefined);
  const out = [
    `  ${(by === 'instances' ? 'executors' : 'cores').padStart(9)}  ${'duration'.padStart(9)}  ${'core-hours'.padStart(10)}${money ? `  ${(currency ?? '').padStart(10)}` : ''}`,
  ];
  for (const r of rows) {
    const v = by === 'instances' ? r.choice.executorInstances : r.choice.executorCores;
    out.push(
      `  ${`${v}${r.current ? '*' : ''}`.padStart(9)}  ${(r.durationMs === null ? '–' : formatDurationMs(r.durationMs)).padStart(9)}  ${(r.cost?.coreHours ?? 0).toFixed(4).padStart(10)}${money ? `  ${formatMoney(r.cost?.money ?? 0, '').padStart(10)}` : ''}`,
    );
  }
  return out;
}

function whatIfJson(rows: WhatIfRow[]): unknown {
  return rows.map((r) => ({
    executorInstances: r.choice.executorInstances,
    executorCores: r.choice.executorCores,
    durationMs: r.durationMs,
    executorCoreHours: r.cost?.coreHours ?? null,
    memoryGiBHours: r.cost?.memoryGiBHours ?? null,
    money: r.cost?.money ?? null,
    current: r.current,
  }));
}

/**
 * `spark-optimizer analyze APP_ID [--attempt N]`: the run's configuration, its findings (severity, message, numbers,
 * source) and the engine's what-if tables (model.ts, from this run, with its cluster's facts taken from the store's
 * runs of the jobs on the same `spark.master` as the editor takes them) over executor count and cores, the run's own
 * shape marked `*`, with the model's error on the run.
 * @param attemptId the attempt to analyse; undefined: the newest attempt of `appId`.
 * @returns code 2 when the application (or that attempt) is not in the store.
 */
export function analyzeCommand(
  store: HistoryReader,
  appId: string,
  options: AnalysisOptions,
  dbPath: string,
  attemptId?: string,
): CommandOutput {
  const r = store.runById(appId, attemptId);
  if (r === null) {
    const attempts = store.attemptsOf(appId).map((a) => a.attemptId ?? '(none)');
    const what = attemptId !== undefined ? `attempt ${attemptId} of ${appId}` : `application ${appId}`;
    const known =
      attempts.length > 0
        ? ` (stored attempts: ${attempts.join(', ')})`
        : ' (see "spark-optimizer workloads"; collect it first)';
    return { lines: [`spark-optimizer: no ${what} in ${dbPath}${known}`], json: null, code: 2 };
  }
  const others = store.attemptsOf(appId).filter((a) => a.attemptId !== r.attemptId);
  const findings = runFindings(r, { prices: options.prices });
  const plan = planWorkload({
    appName: r.appName,
    runs: [r],
    current: new Map(Object.entries(r.sparkProperties)),
    clusterRuns: clusterRunsOf(store, r.appName, [r]),
    options: { ...options, nowMs: r.startTimeMs },
  });
  const c = runChoice(r);
  const err = simulationError(r);
  const json = {
    appId: r.appId,
    attemptId: r.attemptId,
    appName: r.appName,
    durationMs: r.durationMs,
    configuration: c,
    findings,
    whatIf: {
      modelError: err,
      byExecutorInstances: whatIfJson(plan.whatIf.byInstances),
      byExecutorCores: whatIfJson(plan.whatIf.byCores),
    },
  };
  const lines = [
    `${r.appId}${r.attemptId ? ` attempt ${r.attemptId}` : ''} ${r.appName}: ${formatDurationMs(r.durationMs)}${c ? `, ${c.executorInstances} executors × ${c.executorCores} cores, ${formatSparkSizeMiB(c.executorMemoryMiB)}, ${c.shufflePartitions} shuffle partitions` : ''}, ${r.totalTasks} tasks in ${r.totalStages} stages${r.completed ? '' : `; incomplete${r.incompleteReason ? ` (${r.incompleteReason})` : ''}`}`,
    ...(others.length > 0
      ? [
          `Other attempts stored: ${others.map((a) => `${a.attemptId ?? '(none)'}${a.completed ? '' : ' (incomplete)'}`).join(', ')} (--attempt N)`,
        ]
      : []),
    '',
    'Findings:',
  ];
  for (const f of findings) {
    lines.push(
      `  [${f.severity}] ${f.id}${f.stageId !== undefined ? ` (stage ${f.stageId})` : ''}: ${f.message.replace(/\s*\n\s*/g, ' ')}`,
    );
    lines.push(`      source: ${f.source}`);
  }
  if (plan.whatIf.byInstances.length > 0 && plan.whatIf.byInstances.some((x) => x.durationMs !== null)) {
    lines.push(
      '',
      `What if (replaying its task durations; model error on this run ${err !== null ? `${(err.relativeError * 100).toFixed(1)} %: ${formatDurationMs(err.estimatedMs)} estimated vs ${formatDurationMs(err.actualMs)} measured` : 'unknown'}):`,
    );
    lines.push(...whatIfLines(plan.whatIf.byInstances, 'instances', plan.currency));
    lines.push('', ...whatIfLines(plan.whatIf.byCores, 'cores', plan.currency));
    lines.push(`  (* = the run's own shape; driver-only time kept as measured)`);
  } else lines.push('', 'What if: no per-task durations or quantiles to replay in this run.');
  return { lines, json, code: 0 };
}
