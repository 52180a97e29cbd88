/**
 * Inlay hints after a resource setting's value with what the workload's history says about that value, e.g.
 * `1g ‹peak heap 412 MiB in 2 runs · spilled in 2›` after `spark.executor.memory`. Only runs made with the
 * written value are counted; without such runs the hint says so and how many runs used other values.
 */
import { InlayHint, InlayHintKind } from 'vscode-languageserver';
import { analyseRun } from '../analysis/run-analysis';
import { DEFAULT_DRIVER_MEMORY_MIB, DEFAULT_EXECUTOR_MEMORY_MIB, DEFAULT_SHUFFLE_PARTITIONS } from '../resource-model';
import type { Range, SparkSetting } from '../config/setting';
import { formatBytes, parseSparkSizeMiB } from '../config/spark-units';
import { compactDuration } from './code-lens';
import type { ApplicationRecord } from '../history/application-record';
import type { DocumentAnalysis, SiteAnalysis } from '../language-service';

/** How one key's value is read off a run, and the hint for runs made with it. */
interface HintRule {
  /** The run's value in the setting's unit, or null when the run does not say. */
  runValue(r: ApplicationRecord): number | null;
  /** The written value in the same unit, or null when it cannot be read. */
  parse(value: string): number | null;
  /** Label for the runs with this value (non-empty). */
  label(runs: ApplicationRecord[]): string;
}

const int = (v: string): number | null => (/^\s*\d+\s*$/.test(v) ? Number(v) : null);
const runsWord = (n: number) => `${n} ${n === 1 ? 'run' : 'runs'}`;
const pct = (x: number) => `${Math.round(x * 100)} %`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * The keys with hints. Memory: max `JVMHeapMemory` (SparkListenerStageExecutorMetrics) over the runs' executors,
 * and how many spilled; driver memory: the driver entry's peak heap; cores: median executor-core utilisation
 * (task run time / core time available); instances: the most executors alive at once; shuffle partitions: the
 * largest stage shuffle read divided by the partitions (Spark's tuning guide sizes partitions by shuffle data).
 */
export const HINT_RULES: Readonly<Record<string, HintRule>> = {
  'spark.executor.memory': {
    runValue: (r) => r.executorMemoryMiB ?? DEFAULT_EXECUTOR_MEMORY_MIB,
    parse: parseSparkSizeMiB,
    label: (runs) => {
      const heaps = runs.map((r) => r.peakJvmHeapMemoryBytes).filter((h): h is number => h !== null);
      const spilled = runs.filter((r) => analyseRun(r).spilled).length;
      const parts = [
        heaps.length > 0
          ? `peak heap ${formatBytes(Math.max(...heaps))} in ${runsWord(heaps.length)}`
          : `${runsWord(runs.length)}, no heap metrics`,
      ];
      if (spilled > 0) parts.push(`spilled in ${spilled}`);
      return parts.join(' · ');
    },
  },
  'spark.driver.memory': {
    runValue: (r) => r.driverMemoryMiB ?? DEFAULT_DRIVER_MEMORY_MIB,
    parse: parseSparkSizeMiB,
    label: (runs) => {
      const heaps = runs.flatMap((r) =>
        r.executors
          .filter((e) => e.isDriver && e.peakJvmHeapMemoryBytes !== null)
          .map((e) => e.peakJvmHeapMemoryBytes as number),
      );
      return heaps.length > 0
        ? `driver peak heap ${formatBytes(Math.max(...heaps))} in ${runsWord(runs.length)}`
        : `${runsWord(runs.length)}, no driver heap metrics`;
    },
  },
  'spark.executor.cores': {
    runValue: (r) => analyseRun(r).executorCores,
    parse: int,
    label: (runs) => {
      const u = runs.map((r) => analyseRun(r).utilisation).filter((x): x is number => x !== null);
      return u.length > 0
        ? `cores busy ${pct(median(u))} (median of ${runsWord(u.length)})`
        : `${runsWord(runs.length)}, no executor time`;
    },
  },
  'spark.executor.instances': {
    runValue: (r) => r.executorInstances,
    parse: int,
    label: (runs) =>
      `at most ${Math.max(...runs.map((r) => r.maxExecutors))} executors alive in ${runsWord(runs.length)}`,
  },
  'spark.sql.shuffle.partitions': {
    runValue: (r) => r.shufflePartitions ?? DEFAULT_SHUFFLE_PARTITIONS,
    parse: int,
    label: (runs) => {
      const perPartition = Math.max(
        ...runs.map(
          (r) => analyseRun(r).maxStageShuffleReadBytes / (r.shufflePartitions ?? DEFAULT_SHUFFLE_PARTITIONS),
        ),
      );
      return `≤ ${formatBytes(Math.round(perPartition))} shuffle read per partition in ${runsWord(runs.length)}`;
    },
  },
};

/**
 * Hints for the settings of every application in `range` whose workload has runs.
 * @param doc the document's analysis.
 * @param range the visible range the client asks about (LSP `textDocument/inlayHint`).
 * @param extra optional further text per setting (e.g. a what-if estimate), appended after ` · `.
 */
export function onInlayHints(
  doc: DocumentAnalysis,
  range: Range,
  extra?: (sa: SiteAnalysis, s: SparkSetting) => string | null,
): InlayHint[] {
  const out: InlayHint[] = [];
  for (const sa of doc.sites) {
    if (!sa.workload || sa.runs.length === 0) continue;
    for (const s of sa.site.effective.values()) {
      const rule = HINT_RULES[s.key];
      if (!rule || s.value === null) continue;
      if (s.range.end.line < range.start.line || s.range.start.line > range.end.line) continue;
      const text = hintText(rule, s.value, sa.runs);
      if (text === null) continue;
      const more = extra?.(sa, s);
      out.push({
        position: afterValue(doc.lines, s),
        label: `‹${more ? `${text} · ${more}` : text}›`,
        kind: InlayHintKind.Parameter,
        paddingLeft: true,
        tooltip: `What the history store says about runs of ${sa.workload.appName} with ${s.key}=${s.value}.`,
      });
    }
  }
  return out;
}

/** The hint for one value, or null when the value cannot be read. */
export function hintText(rule: HintRule, value: string, runs: ApplicationRecord[]): string | null {
  const v = rule.parse(value);
  if (v === null) return null;
  const same = runs.filter((r) => rule.runValue(r) === v);
  if (same.length === 0) {
    // Runs that did not set the key at all (spark.executor.instances on standalone) still say what happened.
    if (runs.every((r) => rule.runValue(r) === null)) return `not set in the runs: ${rule.label(runs)}`;
    return `no run with ${value} yet (${runsWord(runs.length)} with other values)`;
  }
  return rule.label(same);
}

/** Just past the value, and past its closing quote when the value is a quoted string. */
function afterValue(lines: string[], s: SparkSetting) {
  const end = s.range.end;
  const next = (lines[end.line] ?? '')[end.character];
  return next === '"' || next === "'" ? { line: end.line, character: end.character + 1 } : end;
}

/**
 * The engine's estimate at the file's current configuration (recommend/engine.ts `WorkloadPlan.current`, the model's replay
 * of the workload's runs), after the key that sets the executor count (`spark.executor.instances`, `spark.cores.max` on
 * standalone), e.g. `what-if ≈ 24s at 4 × 2 cores (model error 1 %)`, with the money when prices are set. Null for other
 * keys, for a key the cluster manager ignores, and when nothing can be replayed.
 * @param sa the application with its plan.
 * @param s the setting.
 */
export function instancesWhatIf(sa: SiteAnalysis, s: SparkSetting): string | null {
  if ((s.key !== 'spark.executor.instances' && s.key !== 'spark.cores.max') || s.value === null || sa.plan === null)
    return null;
  // A key the cluster manager ignores gets no estimate: its diagnostic says so.
  if (sa.findings.some((f) => f.id === 'ignored-setting' && f.key === s.key)) return null;
  const w = sa.plan.current;
  if (w === null || w.durationMs === null) return null;
  const err = sa.plan.modelError !== null ? ` (model error ${Math.round(sa.plan.modelError * 100)} %)` : '';
  const money = w.cost?.money != null ? `, ${w.cost.money.toPrecision(3)} ${sa.plan.currency ?? ''}`.trimEnd() : '';
  return `what-if ≈ ${compactDuration(w.durationMs)}${money} at ${w.choice.executorInstances} × ${w.choice.executorCores} cores${err}`;
}
