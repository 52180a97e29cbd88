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
import { confidenceLabel, Recommendation } from '../recommend/recommender';

/** Runs listed in a hover table (newest first). */
const HOVER_RUNS = 8;

/**
 * Hover for a position: on a setting's line, that setting and its recommendation with evidence; on the first
 * line of a session/spark-submit call, the job's runs (duration percentiles, spill, GC, utilisation) and
 * every recommendation. Null elsewhere.
 */
export function onHover(doc: DocumentAnalysis, pos: Position): Hover | null {
  for (const sa of doc.sites) {
    const setting = settingAt(sa, pos);
    if (setting) return { contents: { kind: MarkupKind.Markdown, value: settingHover(sa, setting) }, range: setting.range };
  }
  for (const sa of doc.sites) {
    if (pos.line === sa.site.range.start.line) return { contents: { kind: MarkupKind.Markdown, value: siteHover(sa) } };
  }
  return null;
}

function settingAt(sa: SiteAnalysis, pos: Position): SparkSetting | null {
  // On the call's first line (`SparkSession.builder.appName(...)`, `spark-submit --name x`), only a hover right on
  // a value is about that setting; the rest of the line is about the job.
  if (pos.line === sa.site.range.start.line) {
    return sa.site.all.find((s) => s.range.start.line === pos.line && s.range.start.character <= pos.character && pos.character <= s.range.end.character) ?? null;
  }
  const onLine = sa.site.all.filter((s) => s.range.start.line <= pos.line && s.range.end.line >= pos.line);
  if (onLine.length === 0) return null;
  // Several settings can share a line (--conf pairs in one string): take the nearest one.
  const dist = (s: SparkSetting) => (pos.character < s.range.start.character ? s.range.start.character - pos.character : Math.max(0, pos.character - s.range.end.character));
  return onLine.sort((a, b) => dist(a) - dist(b))[0];
}

function settingHover(sa: SiteAnalysis, s: SparkSetting): string {
  const lines = [`**${s.key}** = \`${s.literal ? s.value : s.raw}\`${s.literal ? '' : ' (not a literal: never rewritten)'}`];
  if (s.ineffective) lines.push('', `⚠ ${s.ineffective}`);
  const dep = deprecation(s.key);
  if (dep) lines.push('', `⚠ Deprecated since Spark ${dep.since}${dep.replacement ? `: use \`${dep.replacement}\`` : ''}. ${dep.note}`);
  const where = sa.sources.get(s.key) ?? [];
  if (where.length > 1) {
    lines.push('', `**Set in ${where.length} places for this job** (Spark uses SparkConf in code, then spark-submit, then spark-defaults.conf):`, '');
    where.forEach((w, i) => {
      const value = w.setting.literal ? w.setting.value : w.setting.raw;
      lines.push(`- ${i === 0 ? '**wins**: ' : 'overridden: '}\`${value}\` in ${fileName(w.uri)}:${w.setting.range.start.line + 1} (${RANK_NAME[w.rank]}, ${w.setting.sourceKey})`);
    });
  }
  const entry = lookupKey(s.key);
  if (entry) lines.push('', entryMarkdown(entry));
  const rec = sa.recommendations.find((r) => r.key === s.key);
  if (rec) lines.push('', ...recommendationLines(rec));
  if (sa.job && sa.runs.length > 0) {
    lines.push('', `Runs of **${sa.job.appName}** with this setting:`, '', '| run | value | duration | disk spill | GC |', '|---|---|---|---|---|');
    for (const r of sa.runs.slice(0, HOVER_RUNS)) {
      const a = analyseRun(r);
      lines.push(`| ${r.appId} | ${r.sparkProperties[s.key] ?? '(default)'} | ${formatDurationMs(r.durationMs)} | ${formatBytes(r.diskSpilledBytes)} | ${a.gcShare === null ? '–' : pct(a.gcShare)} |`);
    }
  } else if (!sa.job) {
    lines.push('', noHistoryText(sa));
  }
  return lines.join('\n');
}

function siteHover(sa: SiteAnalysis): string {
  if (!sa.job || sa.runs.length === 0) return noHistoryText(sa);
  const runs = sa.runs;
  const d = runs.map((r) => r.durationMs).sort((a, b) => a - b);
  const q = (p: number) => d[Math.min(d.length - 1, Math.floor(p * (d.length - 1) + 0.5))];
  const how = sa.job.matchedBy === 'similar name' ? `similar name, ${Math.round(sa.job.similarity * 100)} % of words shared` : sa.job.matchedBy;
  const lines = [
    `**Spark job ${sa.job.appName}**: ${runs.length} run(s) in history (matched by ${how})`,
    '',
    `Duration p50 ${formatDurationMs(q(0.5))}, p90 ${formatDurationMs(q(0.9))}, max ${formatDurationMs(d[d.length - 1])}`,
    '',
    `[Open job analysis](command:sparkOptimizer.openJobAnalysis?${encodeURIComponent(JSON.stringify([{ appName: sa.job.appName }]))} "Runs over time, stage timeline, executors, recommendations")`,
    '',
    costLine(runs),
    '',
    '| run | started | executors × cores | memory | duration | disk spill | GC | utilisation | failed tasks |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of runs.slice(0, HOVER_RUNS)) {
    const a = analyseRun(r);
    lines.push(
      `| ${r.appId} | ${new Date(r.startTimeMs).toISOString().slice(0, 16).replace('T', ' ')} | ${r.maxExecutors} × ${a.executorCores ?? '?'} | ${formatSparkSizeMiB(a.executorMemoryMiB)} | ${formatDurationMs(r.durationMs)} | ${formatBytes(r.diskSpilledBytes)} | ${a.gcShare === null ? '–' : pct(a.gcShare)} | ${a.utilisation === null ? '–' : pct(a.utilisation)} | ${r.failedTasks} |`,
    );
  }
  if (runs.length > HOVER_RUNS) lines.push('', `…and ${runs.length - HOVER_RUNS} older run(s).`);
  for (const f of sa.findings) lines.push('', `**${f.rule}**: ${f.message}`);
  if (sa.recommendations.length > 0) {
    lines.push('', '**Recommendations**');
    for (const rec of sa.recommendations) lines.push('', ...recommendationLines(rec));
  } else {
    lines.push('', 'No setting to change: the runs show no spill, GC pressure, idle executors, container kills or tiny tasks at these settings.');
  }
  return lines.join('\n');
}

function recommendationLines(rec: Recommendation): string[] {
  const ev = rec.evidence.slice(0, 6).map((e) => `- ${e.appId}: ${e.metric} ${e.value}${e.under ? ` (${e.under})` : ''}`);
  return [
    `→ **${rec.key} = ${rec.recommendedValue}**${rec.currentValue !== null ? ` (now ${rec.currentValue})` : ' (not set)'} · confidence ${confidenceLabel(rec.confidence)} (${rec.confidence.toFixed(2)})`,
    '',
    rec.message,
    '',
    `_Rule: ${rec.rule}_`,
    '',
    ...ev,
  ];
}

function noHistoryText(sa: SiteAnalysis): string {
  const names = [sa.site.appName, ...sa.site.fileStems].filter((n): n is string => !!n);
  return `No runs of this job in the history store yet (looked for ${names.map((n) => `\`${n}\``).join(', ')}). Run **Spark: Collect History from Event Logs** to read past runs.`;
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
