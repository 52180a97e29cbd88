/**
 * The workload-analysis webview's HTML, built from the server's `WorkloadAnalysis` data. No `vscode` import, so plain mocha
 * tests the page it produces (escaping, CSP). Every string that came from the store (app names, stage names,
 * failure reasons, recommendation texts) goes through `escapeHtml` (shared/src/escape.ts, the one HTML escaper); the chart data travels as JSON in a
 * `<script type="application/json">` block whose `<` are written as `\u003c`, so no store text can close it.
 *
 * Content Security Policy (VS Code webview guide, "Content security policy"): `default-src 'none'`; scripts only
 * with this page's nonce; styles from the extension's own files (`cspSource`) or the nonce'd `<style>`; images
 * only from the extension or `data:`; no `connect-src`, so the page cannot reach the network.
 */
import { escapeHtml } from '../../../shared/src/escape';
import type { WorkloadAnalysis, WorkloadAnalysisEstimate, WorkloadAnalysisRun } from '../../../shared/src/protocol';
import { runLabel } from '../../../shared/src/run-label';

/** What the page needs besides the data. */
export interface WorkloadAnalysisPage {
  /** `webview.cspSource`: the origin of the extension's local resources. */
  cspSource: string;
  /** A fresh random nonce (base64/hex, no quotes) for the script and style elements. */
  nonce: string;
  /** `webview.asWebviewUri(client/out/webview/workload-analysis.js)` as a string. */
  scriptUri: string;
  data: WorkloadAnalysis;
}

/** JSON for a `<script type="application/json">` block: `<`, `>`, `&` and U+2028/9 escaped so no text can end the block. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The page's CSP `content` attribute. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** `55.0 s`, `4.2 min`, `1.3 h`. */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** `72.5 MiB`. */
function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** ` · failed (exit 1)`, ` · incomplete` (with the reason as a tooltip) or nothing for a run that finished with exit 0. */
function runState(r: WorkloadAnalysisRun): string {
  if (r.exitCode !== null && r.exitCode !== 0) return ` <span class="muted">· failed (exit ${r.exitCode})</span>`;
  if (!r.completed)
    return ` <span class="muted"${r.incompleteReason ? ` title="${escapeHtml(r.incompleteReason)}"` : ''}>· incomplete</span>`;
  return '';
}

function pct(x: number | null): string {
  return x === null ? '–' : `${Math.round(x * 100)} %`;
}

/**
 * The engine's plan: objective, now → plan with predicted duration and cost, and the trade-off table (Pareto front),
 * escaped. Empty text when there is no plan.
 */
function planSection(p: WorkloadAnalysis['plan'], e: (s: string) => string): string {
  if (p === null) return '<p>No plan: no run of this workload could be modelled.</p>';
  const money = p.pareto.some((r) => r.money !== null) || p.current?.money != null;
  const cells = (x: WorkloadAnalysisEstimate | null) =>
    x === null
      ? '<td>–</td><td>–</td><td>–</td>'
      : `<td>${x.durationMs === null ? '–' : e(duration(x.durationMs))}</td><td>${x.coreHours === null ? '–' : x.coreHours.toFixed(4)}</td><td>${x.memoryGiBHours === null ? '–' : x.memoryGiBHours.toFixed(4)}</td>${money ? `<td>${x.money === null ? '–' : `${x.money.toPrecision(3)} ${e(p.currency ?? '')}`}</td>` : ''}`;
  const rows = p.pareto
    .map(
      (r) =>
        `<tr class="${r.chosen ? 'selected' : ''}"><td>${e(r.configuration)}</td>${cells(r)}<td>${[r.chosen ? 'plan' : '', r.current ? 'now' : ''].filter(Boolean).join(', ')}</td></tr>`,
    )
    .join('\n');
  const objective =
    p.objective === 'balanced'
      ? `balanced (least cost within ${Math.round(p.maxSlowdown * 100)} % of the fastest)`
      : p.objective;
  return (
    `<p>Objective <strong>${e(objective)}</strong> · confidence ${p.confidence.toFixed(2)}</p>` +
    `<table class="plan"><thead><tr><th></th><th>configuration</th><th>est. duration</th><th>core-hours</th><th>memory-GiB-hours</th>${money ? '<th>money</th>' : ''}</tr></thead><tbody>` +
    `<tr><td>now</td><td>${e(p.current?.configuration ?? '–')}</td>${cells(p.current)}</tr><tr><td>plan</td><td>${e(p.chosen?.configuration ?? '–')}</td>${cells(p.chosen)}</tr></tbody></table>` +
    (p.doesNotFit ? `<p>⚠ ${e(p.doesNotFit)}</p>` : '') +
    (p.keptBecause ? `<p class="muted">Kept: ${e(p.keptBecause)}.</p>` : '') +
    (rows
      ? `<h3>Trade-off: duration vs cost</h3><table class="pareto"><thead><tr><th>configuration</th><th>est. duration</th><th>core-hours</th><th>memory-GiB-hours</th>${money ? '<th>money</th>' : ''}<th></th></tr></thead><tbody>${rows}</tbody></table>`
      : '') +
    p.notes.map((n) => `<p class="muted">${e(n)}</p>`).join('')
  );
}

/**
 * The full page.
 * @returns an HTML document (string) for `webview.html`.
 */
export function workloadAnalysisHtml(page: WorkloadAnalysisPage): string {
  const d = page.data;
  const e = escapeHtml;
  const isSelected = (r: WorkloadAnalysisRun) => r.appId === d.selectedAppId && r.attemptId === d.selectedAttemptId;
  const selected = d.runs.find(isSelected);
  const selectedLabel = runLabel(d.selectedAppId, d.selectedAttemptId);
  const worst = d.stages.find((s) => s.stageId === d.worstStageId);
  const money = d.runs.some((r) => r.money !== null);
  const runRows = [...d.runs]
    .reverse()
    .map(
      (r) =>
        `<tr class="${isSelected(r) ? 'selected' : ''}"><td><button class="run" data-app-id="${e(r.appId)}" data-attempt-id="${e(r.attemptId ?? '')}">${e(runLabel(r.appId, r.attemptId))}</button>${runState(r)}</td>` +
        `<td>${e(new Date(r.startTimeMs).toISOString().slice(0, 16).replace('T', ' '))}</td><td>${e(duration(r.durationMs))}</td>` +
        `<td>${r.executors} × ${r.executorCores ?? '?'} · ${r.executorMemoryMiB} MiB</td><td>${r.coreHours.toFixed(3)}</td><td>${r.dcu.toFixed(4)}</td>${money ? `<td>${r.money ? `${r.money.amount.toPrecision(3)} ${e(r.money.currency)}` : '–'}</td>` : ''}` +
        `<td>${e(bytes(r.diskBytesSpilled))}${r.spilled ? ' ⚠' : ''}</td><td>${pct(r.utilisation)}</td><td>${r.failedTasks}</td></tr>`,
    )
    .join('\n');
  const recs =
    d.recommendations.length === 0
      ? `<p>No setting to change${d.plan?.keptBecause ? `: ${e(d.plan.keptBecause)}` : ': the plan keeps the current settings'}.</p>`
      : d.recommendations
          .map(
            (r) =>
              `<section class="rec"><h3><code>${e(r.key)}</code> = <code>${e(r.recommendedValue)}</code> <span class="muted">(now ${r.currentValue === null ? 'not set' : `<code>${e(r.currentValue)}</code>`}) · ${r.reason === 'safety' ? 'safety' : 'objective'} · confidence ${e(r.confidenceLabel)} (${r.confidence.toFixed(2)})</span></h3>` +
              `<p>${e(r.message)}</p><p class="muted">Rule: ${e(r.rule)}</p><ul>${r.evidence
                .map(
                  (ev) =>
                    `<li><code>${e(ev.appId)}</code>${ev.stageId !== undefined ? ` stage ${ev.stageId}` : ''}: ${e(ev.metric)} ${e(ev.value)}${ev.under ? ` (${e(ev.under)})` : ''}</li>`,
                )
                .join('')}</ul></section>`,
          )
          .join('\n');
  const plan = planSection(d.plan, e);
  const runFindings = d.runFindings
    .filter((f) => f.severity !== 'info')
    .map(
      (f) =>
        `<li class="sev-${e(f.severity)}"><strong>${e(f.severity)}</strong> ${e(f.message)} <span class="muted">(${e(f.source)})</span></li>`,
    )
    .join('');
  const findings = d.findings
    .map((f) => `<section class="finding"><h3>${e(f.rule)}</h3><p>${e(f.message)}</p></section>`)
    .join('\n');
  const failures = d.stages
    .filter((s) => s.failureReason)
    .map((s) => `<li>Stage ${s.stageId}.${s.attemptId} ${e(s.name)}: ${e(s.failureReason ?? '')}</li>`)
    .join('');
  const removed = d.executors
    .filter((x) => x.removedReason)
    .map((x) => `<li>Executor ${e(x.executorId)} on ${e(x.host)}: ${e(x.removedReason ?? '')}</li>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(contentSecurityPolicy(page.cspSource, page.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Spark workload ${e(d.appName)}</title>
<style nonce="${e(page.nonce)}">
  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 1.5em 2em; }
  h1 { font-size: 1.5em; font-weight: 600; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid var(--vscode-panel-border); padding-bottom: .2em; } h3 { font-size: 1em; }
  .muted { color: var(--vscode-descriptionForeground); font-weight: normal; }
  code { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); padding: 0 .2em; }
  table { border-collapse: collapse; } td, th { padding: .25em .7em; text-align: left; border-bottom: 1px solid var(--vscode-panel-border); }
  tr.selected { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
  button.run { background: none; border: none; color: var(--vscode-textLink-foreground); cursor: pointer; font: inherit; padding: 0; text-decoration: underline; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1.2em; }
  .chart { position: relative; height: 280px; } .chart.tall { height: 360px; }
  .sev-critical strong, .sev-severe strong { color: var(--vscode-errorForeground); } .sev-moderate strong { color: var(--vscode-editorWarning-foreground); }
  .rec, .finding { border-left: 3px solid var(--vscode-charts-orange); padding-left: .8em; margin: .8em 0; }
</style>
</head>
<body>
<h1>Spark workload <span id="app-name">${e(d.appName)}</span></h1>
<p class="muted">${d.runs.length} run(s) in the history store · showing run <code>${e(selectedLabel)}</code>${selected ? ` (${e(duration(selected.durationMs))})` : ''} · current settings from the ${e(d.settingsFrom)}</p>
<h2>Runs over time</h2>
<div class="charts">
  <div class="chart"><canvas id="runs-duration" aria-label="Duration and Spill (Disk) per run"></canvas></div>
  <div class="chart"><canvas id="runs-cost" aria-label="Executor core-hours and DCU per run"></canvas></div>
</div>
<table><thead><tr><th>run</th><th>started (UTC)</th><th>duration</th><th>executors × cores · memory</th><th>core-hours</th><th>DCU</th>${money ? '<th>cost</th>' : ''}<th>Spill (Disk)</th><th>utilisation</th><th>failed tasks</th></tr></thead>
<tbody>
${runRows}
</tbody></table>
<h2>Stage and executor timeline of <code>${e(selectedLabel)}</code></h2>
<div class="chart tall"><canvas id="stage-gantt" aria-label="Stages over time"></canvas></div>
${failures ? `<h3>Failed stages</h3><ul>${failures}</ul>` : ''}
${runFindings ? `<h3>What this run shows</h3><ul class="run-findings">${runFindings}</ul>` : ''}
<div class="charts">
  <section><h2>Executor utilisation</h2><div class="chart"><canvas id="executor-utilisation" aria-label="Executor Run Time over core time per executor"></canvas></div>${removed ? `<h3>Removed executors</h3><ul>${removed}</ul>` : ''}</section>
  <section><h2>Task durations of the longest stage${worst ? `: ${worst.stageId} <span class="muted">${e(worst.name)}</span>` : ''}</h2><div class="chart"><canvas id="task-durations" aria-label="Task duration quantiles"></canvas></div></section>
</div>
<h2>Plan</h2>
${plan}
<h2>Recommendations</h2>
${recs}
${findings ? `<h2>Findings</h2>\n${findings}` : ''}
<script type="application/json" id="workload-analysis-data">${jsonForScript(d)}</script>
<script nonce="${e(page.nonce)}" src="${e(page.scriptUri)}"></script>
</body>
</html>`;
}
