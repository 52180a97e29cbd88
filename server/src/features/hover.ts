import { Hover, MarkupKind } from 'vscode-languageserver';
import { utilisationAndCost } from '../analysis/cost';
import type { ApplicationRecord } from '../history/application-record';
import { analyseRun } from '../analysis/run-analysis';
import { deprecation, lookupKey } from '../config/catalogue';
import { RANK_NAME } from '../config/precedence';
import { entryMarkdown } from './completion';
import type { Position, SparkSetting } from '../config/setting';
import { formatBytes, formatDurationMs, formatSparkSizeMiB } from '../config/spark-units';
import type { DocumentAnalysis, SiteAnalysis } from '../language-service';
import {
  confidenceLabel,
  describeChoice,
  describeEvidence,
  type WorkloadPlan,
  type PlanEstimate,
  type PlannedSetting,
  type WhatIfRow,
} from '../recommend/engine';
import { runFindings, SEVERITY_ORDER } from '../analysis/run-findings';
import { costFigure, formatMoney } from '../resource-model';

/** Keys whose hover shows the what-if tables and the trade-off table (the executor shape). */
const SHAPE_KEYS = new Set([
  'spark.executor.instances',
  'spark.executor.cores',
  'spark.cores.max',
  'spark.dynamicAllocation.maxExecutors',
]);
import { runLabel } from '../../../shared/src/run-label';
import { escapeMarkdown as md, markdownCode as code } from '../../../shared/src/escape';
import { commandLink } from '../../../shared/src/commands';

/** Runs listed in a hover table (newest first). */
const HOVER_RUNS = 8;

/**
 * Hover for a position: on a setting's line, that setting and its recommendation with evidence; on the first
 * line of a session/spark-submit call, the workload's runs (duration percentiles, spill, GC, utilisation) and
 * every recommendation. Null elsewhere.
 *
 * Every text that came from outside (app ids and names, property values from the logs, values and file names
 * from the workspace, messages that quote them) goes through `escapeMarkdown` or, in code spans,
 * `markdownCode` (shared/src/escape.ts), so a log cannot put a link, image, table break or HTML in a hover.
 */
export function onHover(doc: DocumentAnalysis, pos: Position): Hover | null {
  for (const sa of doc.sites) {
    const setting = settingAt(sa, pos);
    if (setting)
      return { contents: { kind: MarkupKind.Markdown, value: settingHover(sa, setting) }, range: setting.range };
  }
  for (const sa of doc.sites) {
    if (pos.line === sa.site.range.start.line) return { contents: { kind: MarkupKind.Markdown, value: siteHover(sa) } };
  }
  return null;
}

function settingAt(sa: SiteAnalysis, pos: Position): SparkSetting | null {
  // On the call's first line (`SparkSession.builder.appName(...)`, `spark-submit --name x`), only a hover right on
  // a value is about that setting; the rest of the line is about the workload.
  if (pos.line === sa.site.range.start.line) {
    return (
      sa.site.all.find(
        (s) =>
          s.range.start.line === pos.line &&
          s.range.start.character <= pos.character &&
          pos.character <= s.range.end.character,
      ) ?? null
    );
  }
  const onLine = sa.site.all.filter((s) => s.range.start.line <= pos.line && s.range.end.line >= pos.line);
  if (onLine.length === 0) return null;
  // Several settings can share a line (--conf pairs in one string): take the nearest one.
  const dist = (s: SparkSetting) =>
    pos.character < s.range.start.character
      ? s.range.start.character - pos.character
      : Math.max(0, pos.character - s.range.end.character);
  return onLine.sort((a, b) => dist(a) - dist(b))[0];
}

/** What the hover says of a value not written at the site: where the file defines it, and whether a fix edits it. */
function resolvedNote(s: SparkSetting): string {
  const from = s.resolvedFrom;
  if (s.value === null) return ' (not a literal: never rewritten)';
  if (!from) return ` = ${code(s.value)} (written in several places: never rewritten)`;
  const where = `${md(from.name)}, line ${from.range.start.line + 1}`;
  return from.safeToEdit
    ? ` = ${code(s.value)} (from ${where}; a fix edits it there)`
    : ` = ${code(s.value)} (from ${where}; never rewritten: the environment may override it or it is used elsewhere)`;
}

function settingHover(sa: SiteAnalysis, s: SparkSetting): string {
  const lines = [`**${md(s.key)}** = ${code(String(s.literal ? s.value : s.raw))}${s.literal ? '' : resolvedNote(s)}`];
  if (s.ineffective) lines.push('', `⚠ ${md(s.ineffective)}`);
  const dep = deprecation(s.key);
  if (dep)
    lines.push(
      '',
      `⚠ Deprecated since Spark ${dep.since}${dep.replacement ? `: use \`${dep.replacement}\`` : ''}. ${dep.note}`,
    );
  const where = sa.sources.get(s.key) ?? [];
  if (where.length > 1) {
    lines.push(
      '',
      `**Set in ${where.length} places for this application** (Spark uses SparkConf in code, then spark-submit, then spark-defaults.conf):`,
      '',
    );
    where.forEach((w, i) => {
      const value = w.setting.literal ? w.setting.value : w.setting.raw;
      lines.push(
        `- ${i === 0 ? '**wins**: ' : 'overridden: '}${code(String(value))} in ${md(fileName(w.uri))}:${w.setting.range.start.line + 1} (${RANK_NAME[w.rank]}, ${md(w.setting.sourceKey)})`,
      );
    });
  }
  const entry = lookupKey(s.key);
  if (entry) lines.push('', entryMarkdown(entry));
  const rec = sa.recommendations.find((r) => r.key === s.key);
  const planned = sa.plan?.settings.find((r) => r.key === s.key);
  if (rec) lines.push('', ...recommendationLines(rec, sa.plan));
  else if (planned && sa.plan) lines.push('', ...keptLines(planned, sa.plan));
  const ignored = sa.findings.find((f) => f.id === 'ignored-setting' && f.key === s.key);
  if (ignored) lines.push('', `⚠ ${md(ignored.message)}`);
  if (sa.plan && (SHAPE_KEYS.has(s.key) || planned)) lines.push(...paretoLines(sa.plan));
  if (sa.plan && SHAPE_KEYS.has(s.key))
    lines.push(...whatIfLines(sa.plan, s.key === 'spark.executor.cores' ? 'cores' : 'instances'));
  lines.push(...feedbackLines(sa, s.key));
  if (sa.workload && sa.runs.length > 0) {
    lines.push(
      '',
      `Runs of **${md(sa.workload.appName)}** with this setting:`,
      '',
      '| run | value | duration | Spill (Disk) | GC |',
      '|---|---|---|---|---|',
    );
    for (const r of sa.runs.slice(0, HOVER_RUNS)) {
      const a = analyseRun(r);
      lines.push(
        `| ${runCell(r)} | ${md(r.sparkProperties[s.key] ?? '(default)')} | ${formatDurationMs(r.durationMs)} | ${formatBytes(r.diskBytesSpilled)} | ${a.gcShare === null ? '–' : pct(a.gcShare)} |`,
      );
    }
  } else if (!sa.workload) {
    lines.push('', noHistoryText(sa));
  }
  return lines.join('\n');
}

function siteHover(sa: SiteAnalysis): string {
  if (!sa.workload && sa.plan) return coldStartHover(sa, sa.plan);
  if (!sa.workload || sa.runs.length === 0) return noHistoryText(sa);
  const runs = sa.runs;
  const d = runs.map((r) => r.durationMs).sort((a, b) => a - b);
  const q = (p: number) => d[Math.min(d.length - 1, Math.floor(p * (d.length - 1) + 0.5))];
  const how =
    sa.workload.matchedBy === 'similar name'
      ? `similar name, ${Math.round(sa.workload.similarity * 100)} % of words shared`
      : sa.workload.matchedBy;
  const renamed =
    sa.renamedFrom.length > 0
      ? `; includes runs stored as ${sa.renamedFrom.map((n) => `**${md(n)}**`).join(', ')} (same stage signature)`
      : '';
  const lines = [
    `**Spark workload ${md(sa.workload.appName)}**: ${runs.length} run(s) in history (matched by ${how}${renamed})`,
    '',
    `Duration p50 ${formatDurationMs(q(0.5))}, p90 ${formatDurationMs(q(0.9))}, max ${formatDurationMs(d[d.length - 1])}`,
    '',
    `[Open workload analysis](${commandLink('openWorkloadAnalysis', { appName: sa.workload.appName })} "Runs over time, stage timeline, executors, recommendations")`,
    '',
    costLine(runs),
    '',
    '| run | started | executors × cores | memory | duration | Spill (Disk) | GC | utilisation | failed tasks |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of runs.slice(0, HOVER_RUNS)) {
    const a = analyseRun(r);
    lines.push(
      `| ${runCell(r)} | ${new Date(r.startTimeMs).toISOString().slice(0, 16).replace('T', ' ')} | ${r.maxExecutors} × ${a.executorCores ?? '?'} | ${formatSparkSizeMiB(a.executorMemoryMiB)} | ${formatDurationMs(r.durationMs)} | ${formatBytes(r.diskBytesSpilled)} | ${a.gcShare === null ? '–' : pct(a.gcShare)} | ${a.utilisation === null ? '–' : pct(a.utilisation)} | ${r.failedTasks} |`,
    );
  }
  if (runs.length > HOVER_RUNS) lines.push('', `…and ${runs.length - HOVER_RUNS} older run(s).`);
  for (const f of sa.findings) lines.push('', `**${md(f.rule)}**: ${md(f.message)}`);
  lines.push(...newestRunFindingLines(sa));
  lines.push(...similarLines(sa));
  if (sa.plan) lines.push('', ...planSummaryLines(sa.plan));
  if (sa.recommendations.length > 0) {
    lines.push('', '**Recommendations**');
    for (const rec of sa.recommendations) lines.push('', ...recommendationLines(rec, sa.plan));
  } else if (sa.plan?.keptBecause) {
    lines.push('', `No setting to change: ${md(sa.plan.keptBecause)}.`);
  } else {
    lines.push(
      '',
      'No setting to change: the plan keeps the current settings (no memory pressure, and no configuration predicted better for the objective).',
    );
  }
  if (sa.plan) lines.push(...paretoLines(sa.plan));
  return lines.join('\n');
}

/** Duration, cost and money of an estimate as table cells. */
function estimateCells(e: PlanEstimate, money: boolean): string {
  if (e.durationMs === null || e.cost === null) return `– | – | –${money ? ' | –' : ''}`;
  return `${formatDurationMs(e.durationMs)} | ${e.cost.coreHours.toFixed(4)} | ${e.cost.memoryGiBHours.toFixed(4)}${money ? ` | ${e.cost.money === null ? '–' : formatMoney(e.cost.money, '')}` : ''}`;
}

/**
 * The what-if table of a shape setting's hover: the model's estimate (model.ts) of the current configuration at other
 * executor counts or cores, with the model's error on the workload's own runs. Empty when nothing can be replayed.
 */
function whatIfLines(plan: WorkloadPlan, by: 'instances' | 'cores'): string[] {
  const rows: WhatIfRow[] = by === 'instances' ? plan.whatIf.byInstances : plan.whatIf.byCores;
  if (rows.length === 0 || rows.every((r) => r.durationMs === null)) return [];
  const money = rows.some((r) => r.cost?.money !== null && r.cost?.money !== undefined);
  const head = by === 'instances' ? 'executors' : 'cores per executor';
  const out = [
    '',
    `**What if** (other settings as now; the workload's runs replayed${plan.modelError !== null ? `, model error on its own runs ${pct(plan.modelError)}` : ''}):`,
    '',
    `| ${head} | est. duration | core-hours | memory-GiB-hours${money ? ' | money' : ''} |`,
    `|---|---|---|---|${money ? '---|' : ''}`,
  ];
  for (const r of rows) {
    const v = by === 'instances' ? r.choice.executorInstances : r.choice.executorCores;
    out.push(`| ${r.current ? `**${v}** (now)` : String(v)} | ${estimateCells(r, money)} |`);
  }
  return out;
}

/** The small trade-off table: the Pareto front of duration vs cost the plan chose from, with the objective it served. */
function paretoLines(plan: WorkloadPlan): string[] {
  if (plan.pareto.length < 2) return [];
  const money = plan.pareto.some((r) => r.cost?.money !== null && r.cost?.money !== undefined);
  const out = [
    '',
    `**Trade-off** (best configurations by duration and cost; the plan serves **${plan.objective}**${plan.objective === 'balanced' ? `: least cost within ${pct(plan.maxSlowdown)} of the fastest` : ''}):`,
    '',
    `| configuration | est. duration | core-hours | memory-GiB-hours${money ? ' | money' : ''} | |`,
    `|---|---|---|---|${money ? '---|' : ''}---|`,
  ];
  for (const r of plan.pareto) {
    const mark = [r.chosen ? '**plan**' : '', r.current ? 'now' : ''].filter(Boolean).join(', ');
    out.push(`| ${describeChoice(r.choice)} | ${estimateCells(r, money)} | ${mark} |`);
  }
  return out;
}

/** The plan in a few lines: objective, now → plan, confidence, limits, notes. */
function planSummaryLines(plan: WorkloadPlan): string[] {
  const out: string[] = [];
  const now = plan.current;
  const to = plan.chosen;
  if (
    now !== null &&
    to !== null &&
    now.durationMs !== null &&
    to.durationMs !== null &&
    now.cost !== null &&
    to.cost !== null
  ) {
    out.push(
      `**Plan** (objective **${plan.objective}**, confidence ${confidenceLabel(plan.confidence)} ${plan.confidence.toFixed(2)}): ${describeChoice(now.choice)} → ${describeChoice(to.choice)}; duration ${formatDurationMs(now.durationMs)} → ${formatDurationMs(to.durationMs)}, cost ${costFigure(now.cost).toPrecision(3)} → ${costFigure(to.cost).toPrecision(3)} ${now.cost.money !== null ? 'money' : 'DCU'} per run.`,
    );
  }
  if (plan.doesNotFit) out.push('', `⚠ ${md(plan.doesNotFit)}`);
  for (const n of plan.notes) out.push('', `_${md(n)}_`);
  return out;
}

/** Before/after table of the applied quick fix of `key`, if any (feedback loop). */
function feedbackLines(sa: SiteAnalysis, key: string): string[] {
  const o = sa.feedback.find((f) => f.fix.key === key);
  if (o === undefined) return [];
  const when = new Date(o.fix.appliedAtMs).toISOString().slice(0, 16).replace('T', ' ');
  const head = `**Applied fix** ${key}: ${md(o.fix.oldValue ?? '(not set)')} → ${md(o.fix.newValue)} on ${when} UTC`;
  if (o.after === null)
    return [
      '',
      `${head}. No run of the workload since; before: median ${o.before ? formatDurationMs(o.before.medianDurationMs) : '–'}.`,
    ];
  const cell = (s: typeof o.before) =>
    s === null
      ? ['–', '–', '–', '–']
      : [
          formatDurationMs(s.medianDurationMs),
          formatBytes(s.medianDiskBytesSpilled),
          s.medianGcShare === null ? '–' : pct(s.medianGcShare),
          s.medianCoreHours.toFixed(3),
        ];
  const b = cell(o.before);
  const a = cell(o.after);
  return [
    '',
    `${head}:`,
    '',
    '| | runs | median duration | Spill (Disk) | GC | core-hours |',
    '|---|---|---|---|---|---|',
    `| before | ${o.before?.appIds.length ?? 0} | ${b.join(' | ')} |`,
    `| after | ${o.after.appIds.length} | ${a.join(' | ')} |`,
    '',
    o.worse.length > 0
      ? `⚠ Worse since the change: ${o.worse.join('; ')}.`
      : o.better.length > 0
        ? `Better since the change: ${o.better.join('; ')}.`
        : 'No change beyond run-to-run noise (10 %).',
  ];
}

/** Findings of moderate severity or worse of the newest finished run (analysis/run-findings.ts), at most 6. */
function newestRunFindingLines(sa: SiteAnalysis): string[] {
  const newest = sa.runs.find((r) => r.completed);
  if (newest === undefined) return [];
  const moderate = SEVERITY_ORDER.indexOf('moderate');
  const fs = runFindings(newest).filter((f) => SEVERITY_ORDER.indexOf(f.severity) >= moderate);
  if (fs.length === 0) return [];
  return [
    '',
    `**Findings of the newest run** (${md(runLabel(newest.appId, newest.attemptId))}; ${code(`spark-optimizer analyze ${newest.appId}${newest.attemptId ? ` --attempt ${newest.attemptId}` : ''}`)} lists all):`,
    '',
    ...fs.slice(0, 6).map((f) => `- ${f.severity}: ${md(f.message)} _(${md(f.source)})_`),
  ];
}

/** Similar workloads (by data volumes and CPU), with their distance, when the workload has little history of its own. */
function similarLines(sa: SiteAnalysis): string[] {
  if (sa.similar.length === 0) return [];
  return [
    '',
    `**Similar workloads** (only ${sa.runs.length} run(s) of its own; nearest by data volumes and CPU, distance in spreads, 0 = same):`,
    '',
    ...sa.similar.map((j) => `- **${md(j.appName)}**: distance ${j.distance.toFixed(2)} (${md(j.differences)})`),
  ];
}

function recommendationLines(rec: PlannedSetting, plan: WorkloadPlan | null): string[] {
  const ev = rec.evidence.slice(0, 6).map((e) => `- ${describeEvidence(e, md)}`);
  const alone = rec.effectAlone;
  const effect =
    alone !== null && alone.from.durationMs !== null && alone.to.durationMs !== null
      ? [
          `Expected effect of this change alone: duration ${formatDurationMs(alone.from.durationMs)} → ${formatDurationMs(alone.to.durationMs)}, core-hours ${(alone.from.cost?.coreHours ?? 0).toFixed(4)} → ${(alone.to.cost?.coreHours ?? 0).toFixed(4)}, memory-GiB-hours ${(alone.from.cost?.memoryGiBHours ?? 0).toFixed(4)} → ${(alone.to.cost?.memoryGiBHours ?? 0).toFixed(4)}.`,
          '',
        ]
      : [];
  return [
    `→ **${rec.key} = ${md(rec.recommendedValue)}**${rec.currentValue !== null ? ` (now ${md(rec.currentValue)})` : ` (not set; ${md(rec.effectiveValue)} now)`} · ${rec.reason === 'safety' ? 'safety' : `objective ${plan?.objective ?? 'balanced'}`} · confidence ${confidenceLabel(rec.confidence)} (${rec.confidence.toFixed(2)})`,
    '',
    md(rec.message),
    '',
    ...effect,
    `_Rule: ${md(rec.rule)}_`,
    '',
    ...ev,
  ];
}

/** A planned key the plan keeps: why. */
function keptLines(rec: PlannedSetting, plan: WorkloadPlan): string[] {
  return [
    `✓ **${rec.key} = ${md(rec.effectiveValue)}** is kept by the plan (objective ${plan.objective})${plan.keptBecause ? `: ${md(plan.keptBecause)}` : ''}.`,
  ];
}

/**
 * The application hover of a workload without runs of its own that the engine planned from the workloads run on the same
 * `spark.master` (language-service.ts, cold start): the plan, its notes (which name those workloads) and its
 * recommendations, under the sentence that no run of its own was found.
 */
function coldStartHover(sa: SiteAnalysis, plan: WorkloadPlan): string {
  const lines = [noHistoryText(sa), '', '**A first plan from similar workloads on the same cluster**', ''];
  lines.push(...planSummaryLines(plan));
  if (sa.recommendations.length > 0) {
    lines.push('', '**Recommendations**');
    for (const rec of sa.recommendations) lines.push('', ...recommendationLines(rec, plan));
  }
  return lines.join('\n');
}

function noHistoryText(sa: SiteAnalysis): string {
  const names = [...new Set([sa.site.appName, ...sa.site.fileStems].filter((n): n is string => !!n))];
  return `No runs of this workload in the history store yet (looked for ${names.map(code).join(', ')}). Run **Spark: Collect History from Event Logs** to read past runs.`;
}

/**
 * A run in a hover table: its id with the attempt (each attempt of an application is a run of its own), and what became
 * of it when it did not finish cleanly: `failed (exit 1)` or `incomplete`.
 */
function runCell(r: ApplicationRecord): string {
  const state =
    r.exitCode !== null && r.exitCode !== 0 ? ` · failed (exit ${r.exitCode})` : !r.completed ? ' · incomplete' : '';
  return `${md(runLabel(r.appId, r.attemptId))}${state}`;
}

function pct(x: number): string {
  return `${Math.round(x * 100)} %`;
}

function fileName(uriOrPath: string): string {
  const p = uriOrPath.startsWith('file://') ? decodeURIComponent(new URL(uriOrPath).pathname) : uriOrPath;
  return p.split('/').pop() ?? p;
}

/**
 * Median cost of a run: core-hours and memory-GiB-hours held by executors (with overhead), idle share of the
 * executor cores (DataFlint idle cores) and the share of time only the driver worked (Sparklens).
 */
function costLine(runs: ApplicationRecord[]): string {
  const costs = runs.filter((r) => r.completed).map((r) => utilisationAndCost(r));
  if (costs.length === 0) return 'No finished run yet: cost unknown.';
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const idle = costs.filter((c) => c.idleShare !== null).map((c) => c.idleShare as number);
  const driver = costs.filter((c) => c.driverOnlyShare !== null).map((c) => c.driverOnlyShare as number);
  return (
    `Per run (median of ${costs.length}): ${med(costs.map((c) => c.coreHours)).toFixed(3)} executor core-hours, ` +
    `${med(costs.map((c) => c.memoryGiBHours)).toFixed(3)} memory-GiB-hours` +
    `${idle.length ? `, executor cores idle ${pct(med(idle))}` : ''}${driver.length ? `, driver alone ${pct(med(driver))} of the time` : ''}`
  );
}
