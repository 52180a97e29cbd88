/**
 * The workload-analysis webview's script (bundled by esbuild.js into client/out/webview/workload-analysis.js, an IIFE with
 * chart.js inside: no network, no other files). Reads the `WorkloadAnalysis` JSON the page carries, draws the charts
 * in VS Code's theme colours (CSS variables `--vscode-charts-*`), and posts `{ type: 'selectRun', appId }` when
 * a run is clicked. Chart labels are drawn on canvas and DOM text is set with `textContent`, so store text never
 * becomes markup.
 */
import Chart from 'chart.js/auto';
import type { WorkloadAnalysis, WorkloadAnalysisRun } from '../../../shared/src/protocol';
import { runLabel } from '../../../shared/src/run-label';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const vscode = acquireVsCodeApi();
const data = JSON.parse(
  document.getElementById('workload-analysis-data')?.textContent ?? 'null',
) as WorkloadAnalysis | null;

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v.length > 0 ? v : fallback;
}

const colours = {
  fg: cssVar('--vscode-foreground', '#cccccc'),
  grid: cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)'),
  blue: cssVar('--vscode-charts-blue', '#3794ff'),
  orange: cssVar('--vscode-charts-orange', '#d18616'),
  red: cssVar('--vscode-charts-red', '#f14c4c'),
  green: cssVar('--vscode-charts-green', '#89d185'),
  purple: cssVar('--vscode-charts-purple', '#b180d7'),
  yellow: cssVar('--vscode-charts-yellow', '#cca700'),
};
Chart.defaults.color = colours.fg;
Chart.defaults.borderColor = colours.grid;
Chart.defaults.font.family = cssVar('--vscode-font-family', 'sans-serif');
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;

function canvas(id: string): HTMLCanvasElement | null {
  return document.getElementById(id) as HTMLCanvasElement | null;
}

/** Asks the extension to show one run (application attempt): `attemptId` '' when the application has none. */
function selectRun(r: Pick<WorkloadAnalysisRun, 'appId' | 'attemptId'>): void {
  vscode.postMessage({ type: 'selectRun', appId: r.appId, attemptId: r.attemptId ?? '' });
}

function shortDate(ms: number): string {
  return new Date(ms).toISOString().slice(5, 16).replace('T', ' ');
}

function draw(d: WorkloadAnalysis): void {
  const labels = d.runs.map((r) => shortDate(r.startTimeMs));
  const runsDuration = canvas('runs-duration');
  if (runsDuration) {
    new Chart(runsDuration, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            type: 'line',
            label: 'duration (s)',
            data: d.runs.map((r) => r.durationMs / 1000),
            borderColor: colours.blue,
            backgroundColor: colours.blue,
            yAxisID: 'y',
          },
          {
            type: 'bar',
            label: 'Spill (Disk), MiB',
            data: d.runs.map((r) => r.diskBytesSpilled / 1048576),
            backgroundColor: d.runs.map((r) => (r.spilled ? colours.red : colours.orange)),
            yAxisID: 'spill',
          },
        ],
      },
      options: {
        onClick: (_e, elements) => {
          const i = elements[0]?.index;
          if (i !== undefined) selectRun(d.runs[i]);
        },
        plugins: {
          title: { display: true, text: 'Duration and Spill (Disk) per run (click a run to show it)' },
          tooltip: {
            callbacks: {
              footer: (items) => {
                const r = d.runs[items[0].dataIndex];
                return r ? runLabel(r.appId, r.attemptId) : '';
              },
            },
          },
        },
        scales: {
          y: { title: { display: true, text: 'seconds' }, beginAtZero: true },
          spill: {
            position: 'right',
            title: { display: true, text: 'MiB' },
            beginAtZero: true,
            grid: { drawOnChartArea: false },
          },
        },
      },
    });
  }
  const runsCost = canvas('runs-cost');
  if (runsCost) {
    new Chart(runsCost, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            label: 'executor core-hours',
            data: d.runs.map((r) => r.coreHours),
            backgroundColor: colours.purple,
            yAxisID: 'y',
          },
          {
            type: 'line',
            label: 'DCU',
            data: d.runs.map((r) => r.dcu),
            borderColor: colours.yellow,
            backgroundColor: colours.yellow,
            yAxisID: 'dcu',
          },
        ],
      },
      options: {
        onClick: (_e, elements) => {
          const i = elements[0]?.index;
          if (i !== undefined) selectRun(d.runs[i]);
        },
        plugins: { title: { display: true, text: 'Cost per run: executor core-hours and DataFlint Compute Units' } },
        scales: {
          y: { beginAtZero: true, title: { display: true, text: 'core-hours' } },
          dcu: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } },
        },
      },
    });
  }
  const gantt = canvas('stage-gantt');
  if (gantt) {
    const stages = d.stages.filter((s) => s.submissionTimeMs !== null);
    const t0 = d.selectedStartMs;
    const sec = (ms: number) => Math.max(0, (ms - t0) / 1000);
    // Stage rows, then one row per executor's lifetime on the same axis (when executors came and went).
    new Chart(gantt, {
      type: 'bar',
      data: {
        labels: [
          ...stages.map((s) => `stage ${s.stageId}${s.attemptId ? `.${s.attemptId}` : ''} ${s.name.slice(0, 36)}`),
          ...d.executors.map((x) => `executor ${x.executorId} (${x.totalCores} cores)`),
        ],
        datasets: [
          {
            label: 'running (s since application start)',
            data: [
              ...stages.map((s) => [sec(s.submissionTimeMs as number), sec(s.completionTimeMs ?? d.selectedEndMs)]),
              ...d.executors.map((x) => [sec(x.addTimeMs), sec(x.removeTimeMs ?? d.selectedEndMs)]),
            ],
            backgroundColor: [
              ...stages.map((s) =>
                s.failureReason ? colours.red : s.stageId === d.worstStageId ? colours.orange : colours.blue,
              ),
              ...d.executors.map((x) => (x.removedReason ? colours.yellow : colours.green)),
            ],
            borderSkipped: false,
          },
        ],
      },
      options: {
        indexAxis: 'y',
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              afterLabel: (item) => {
                const s = stages[item.dataIndex];
                if (s) return `${s.numTasks} tasks${s.failedTasks ? `, ${s.failedTasks} failed` : ''}`;
                const x = d.executors[item.dataIndex - stages.length];
                return x ? `${x.host}${x.removedReason ? `; removed: ${x.removedReason}` : ''}` : '';
              },
            },
          },
        },
        scales: {
          x: {
            min: 0,
            max: (d.selectedEndMs - t0) / 1000,
            title: { display: true, text: 'seconds since application start' },
          },
        },
      },
    });
  }
  const util = canvas('executor-utilisation');
  if (util) {
    new Chart(util, {
      type: 'bar',
      data: {
        labels: d.executors.map((x) => `executor ${x.executorId} (${x.totalCores} cores)`),
        datasets: [
          {
            label: 'Executor Run Time / core time (%)',
            data: d.executors.map((x) => (x.utilisation === null ? 0 : x.utilisation * 100)),
            backgroundColor: colours.green,
          },
        ],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { y: { min: 0, max: 100, title: { display: true, text: '% of core time running tasks' } } },
      },
    });
  }
  const tasks = canvas('task-durations');
  const worst = d.stages.find((s) => s.stageId === d.worstStageId);
  const all = d.worstStageTaskDurationsMs;
  if (tasks && worst && all && all.length > 0) {
    // Per-task durations in the store: a histogram of up to 20 equal-width bins from the shortest to the longest task.
    const min = Math.min(...all);
    const max = Math.max(...all);
    const bins = Math.max(1, Math.min(20, all.length));
    const width = Math.max(1, Math.ceil((max - min + 1) / bins));
    const counts = new Array<number>(bins).fill(0);
    for (const ms of all) counts[Math.min(bins - 1, Math.floor((ms - min) / width))]++;
    const nonZero = counts.filter((c) => c > 0);
    const logScale = Math.max(...nonZero) / Math.min(...nonZero) >= 20;
    const q = worst.taskDurationMs;
    const s1 = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
    new Chart(tasks, {
      type: 'bar',
      data: {
        labels: counts.map((_, i) => `${s1(min + i * width)}–${s1(min + (i + 1) * width)} s`),
        datasets: [
          {
            label: 'tasks',
            data: counts,
            backgroundColor: counts.map((_, i) => (i === bins - 1 ? colours.red : colours.blue)),
          },
        ],
      },
      options: {
        plugins: {
          legend: { display: false },
          title: {
            display: true,
            text: `${all.length} tasks${q && q.median > 0 ? `; max / median ${(q.max / q.median).toFixed(1)}×` : ''}`,
          },
        },
        // Logarithmic counts when they span 20× or more, so one straggler beside hundreds of ordinary tasks stays visible.
        scales: {
          y: logScale
            ? { type: 'logarithmic', title: { display: true, text: 'tasks (log scale)' } }
            : { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'tasks' } },
          x: { title: { display: true, text: 'task duration' } },
        },
      },
    });
  } else if (tasks && worst?.taskDurationMs) {
    const q = worst.taskDurationMs;
    new Chart(tasks, {
      type: 'bar',
      data: {
        labels: ['min', 'p25', 'median', 'p75', 'p95', 'max'],
        datasets: [
          {
            label: 'task duration (ms)',
            data: [q.min, q.p25, q.median, q.p75, q.p95, q.max],
            backgroundColor: [colours.blue, colours.blue, colours.green, colours.blue, colours.orange, colours.red],
          },
        ],
      },
      options: {
        plugins: {
          legend: { display: false },
          title: {
            display: true,
            text: `${worst.numTasks} tasks; max / median ${(q.median > 0 ? q.max / q.median : 0).toFixed(1)}×`,
          },
        },
        scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } },
      },
    });
  }
}

for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('button.run'))) {
  b.addEventListener('click', () => {
    const id = b.dataset.appId;
    if (id) selectRun({ appId: id, attemptId: b.dataset.attemptId || null });
  });
}
if (data) draw(data);
