import type { ApplicationRecord, ValueCorrection } from './application-record';
import { Corrections, MAX_STORED_LONG } from './bounds';

/** What {@link checkRecord} found. */
export interface RecordCheck {
  /**
   * Problems that make the record unusable (no application id, no start time, counts that contradict each other, a
   * negative or non-finite figure): such a record is reported and not stored. Each a sentence naming the field and value.
   */
  problems: string[];
  /** Figures beyond what the run could produce that were clipped to their bound (the record was changed in place). */
  corrections: ValueCorrection[];
}

/** The problem text of an application-level time sum above duration × cores. */
const ABOVE_CORE_TIME = "above the run's duration × cores";

/**
 * Checks a record before it is stored, and bounds its figures by what Spark can produce (history/bounds.ts):
 * - rejects (returns `problems`) a record without `appId`, with a start that is not a time, an end before its start, a
 *   figure that is negative or not a finite number, counts that contradict each other (more failed tasks than tasks),
 *   unordered quantiles or jobs that completed before they were submitted;
 * - clips (modifies `r`, returns `corrections`) a figure above 2^53 − 1 to that bound, and summed task times
 *   (`executorRunTimeMs`, `executorCpuTimeMs`, `jvmGcTimeMs`, the same per stage, and each executor's `executorRunTimeMs`) above the
 *   time the run's cores existed: duration × the cores of every executor (`local[N]`: N), or duration × tasks when the
 *   cores are unknown (each task lies inside the run).
 * The event-log reader already drops or clips each impossible value of a line (fold.ts), so a clip here means many
 * lines disagree with the run's shape; a record from the History Server REST views is checked only here.
 * @param r the record; clipped in place.
 * @returns the problems (empty when the record may be stored) and the clips made.
 */
export function checkRecord(r: ApplicationRecord): RecordCheck {
  const problems: string[] = [];
  const clips = new Corrections();
  const figure = (name: string, v: number, set: (x: number) => void): void => {
    if (!Number.isFinite(v) || v < 0) problems.push(`${name} ${v} is not a non-negative number`);
    else if (v > MAX_STORED_LONG) {
      clips.note(name, 'above 2^53 − 1', 'clipped', v);
      set(MAX_STORED_LONG);
    }
  };
  const app: [keyof ApplicationRecord, number][] = [
    ['durationMs', r.durationMs],
    ['totalTasks', r.totalTasks],
    ['failedTasks', r.failedTasks],
    ['totalStages', r.totalStages],
    ['failedStages', r.failedStages],
    ['totalJobs', r.totalJobs],
    ['failedJobs', r.failedJobs],
    ['executorRunTimeMs', r.executorRunTimeMs],
    ['executorCpuTimeMs', r.executorCpuTimeMs],
    ['jvmGcTimeMs', r.jvmGcTimeMs],
    ['inputBytes', r.inputBytes],
    ['outputBytes', r.outputBytes],
    ['shuffleReadBytes', r.shuffleReadBytes],
    ['shuffleWriteBytes', r.shuffleWriteBytes],
    ['memoryBytesSpilled', r.memoryBytesSpilled],
    ['diskBytesSpilled', r.diskBytesSpilled],
    ['peakExecutionMemoryBytes', r.peakExecutionMemoryBytes],
    ['executorCoreTimeMs', r.executorCoreTimeMs],
    ['maxExecutors', r.maxExecutors],
    ['totalExecutorsAdded', r.totalExecutorsAdded],
  ];
  const rec = r as unknown as Record<string, number>;
  if (!r.appId) problems.push('appId is empty (SparkListenerApplicationStart has no App ID)');
  if (typeof r.appName !== 'string') problems.push('appName is missing');
  if (!Number.isFinite(r.startTimeMs) || r.startTimeMs <= 0 || r.startTimeMs > MAX_STORED_LONG)
    problems.push(`startTimeMs ${r.startTimeMs} is not a time`);
  if (r.endTimeMs !== null && r.endTimeMs < r.startTimeMs)
    problems.push(`endTimeMs ${r.endTimeMs} is before startTimeMs ${r.startTimeMs}`);
  for (const [name, v] of app) figure(name, v, (x) => (rec[name] = x));
  if (r.peakJvmHeapMemoryBytes !== null)
    figure('peakJvmHeapMemoryBytes', r.peakJvmHeapMemoryBytes, (x) => (r.peakJvmHeapMemoryBytes = x));
  for (const [name, v] of [
    ['executorCores', r.executorCores],
    ['executorMemoryMiB', r.executorMemoryMiB],
    ['memoryOverheadMiB', r.memoryOverheadMiB],
    ['executorInstances', r.executorInstances],
    ['driverMemoryMiB', r.driverMemoryMiB],
    ['driverCores', r.driverCores],
    ['shufflePartitions', r.shufflePartitions],
  ] as const) {
    // Settings as written: a value Spark would reject (negative, absurd) is not a figure of the run; read it as unset.
    if (v !== null && (!Number.isFinite(v) || v < 0 || v > MAX_STORED_LONG)) {
      clips.note(name, 'not a setting value Spark accepts', 'dropped', v);
      rec[name] = null as unknown as number;
    }
  }
  if (r.failedTasks > r.totalTasks) problems.push(`failedTasks ${r.failedTasks} exceeds totalTasks ${r.totalTasks}`);
  if (r.failedStages > r.totalStages)
    problems.push(`failedStages ${r.failedStages} exceeds totalStages ${r.totalStages}`);
  if (r.failedJobs > r.totalJobs) problems.push(`failedJobs ${r.failedJobs} exceeds totalJobs ${r.totalJobs}`);
  if (r.maxExecutors > r.totalExecutorsAdded)
    problems.push(`maxExecutors ${r.maxExecutors} exceeds totalExecutorsAdded ${r.totalExecutorsAdded}`);

  for (const s of r.stages) {
    const at = `stage ${s.stageId}.${s.attemptId}`;
    if (!Number.isInteger(s.stageId) || s.stageId < 0 || !Number.isInteger(s.attemptId) || s.attemptId < 0)
      problems.push(`${at} has an id that is not a non-negative integer`);
    const q = s.taskDurationMs;
    if (q && !(q.min <= q.median && q.median <= q.max && q.min >= 0)) {
      problems.push(`${at} task-duration quantiles are not ordered (min ${q.min}, median ${q.median}, max ${q.max})`);
    }
    if (s.succeededTasks < 0 || s.failedTasks < 0 || s.numTasks < 0) problems.push(`${at} has negative task counts`);
    const stageFigures: [string, number, (x: number) => void][] = [
      ['executorRunTimeMs', s.executorRunTimeMs, (x) => (s.executorRunTimeMs = x)],
      ['executorCpuTimeMs', s.executorCpuTimeMs, (x) => (s.executorCpuTimeMs = x)],
      ['jvmGcTimeMs', s.jvmGcTimeMs, (x) => (s.jvmGcTimeMs = x)],
      ['inputBytes', s.inputBytes, (x) => (s.inputBytes = x)],
      ['outputBytes', s.outputBytes, (x) => (s.outputBytes = x)],
      ['shuffleReadBytes', s.shuffleReadBytes, (x) => (s.shuffleReadBytes = x)],
      ['shuffleWriteBytes', s.shuffleWriteBytes, (x) => (s.shuffleWriteBytes = x)],
      ['memoryBytesSpilled', s.memoryBytesSpilled, (x) => (s.memoryBytesSpilled = x)],
      ['diskBytesSpilled', s.diskBytesSpilled, (x) => (s.diskBytesSpilled = x)],
      ['peakExecutionMemoryBytes', s.peakExecutionMemoryBytes, (x) => (s.peakExecutionMemoryBytes = x)],
    ];
    for (const [name, v, set] of stageFigures) figure(`stages.${name}`, v, set);
    const d = s.taskDurationsMs;
    if (d !== undefined) {
      if (d.length > s.succeededTasks)
        problems.push(`${at} has ${d.length} task durations for ${s.succeededTasks} successful tasks`);
      const bad = d.find((x) => !Number.isFinite(x) || x < 0);
      if (bad !== undefined) problems.push(`${at} has a task duration ${bad} that is not a non-negative number of ms`);
    }
  }
  for (const e of r.executors) {
    figure('executors.executorRunTimeMs', e.executorRunTimeMs, (x) => (e.executorRunTimeMs = x));
    if (!Number.isInteger(e.totalCores) || e.totalCores < 0)
      problems.push(`executor ${e.executorId} has ${e.totalCores} cores`);
  }
  for (const j of r.jobs ?? []) {
    if (j.submissionTimeMs !== null && j.completionTimeMs !== null && j.completionTimeMs < j.submissionTimeMs) {
      problems.push(`job ${j.jobId} completed (${j.completionTimeMs}) before it was submitted (${j.submissionTimeMs})`);
    }
  }
  if (problems.length === 0) boundTaskTimes(r, clips);
  return { problems, corrections: clips.list() };
}

/**
 * Checks a record without changing it: the problems {@link checkRecord} would report (clips are not problems).
 * @returns the problems found, each a sentence naming the field and value; empty when the record may be stored.
 */
export function validateRecord(r: ApplicationRecord): string[] {
  return checkRecord(structuredClone(r)).problems;
}

/**
 * Most task time the run could have spent (ms): its duration × the cores its executors held — every executor ever added,
 * an upper bound of those alive at once; in local mode `local[N]`, N — or, when any task ran where the cores are not
 * known, duration × tasks (each task lies inside the run).
 */
export function coreTimeBoundMs(r: ApplicationRecord): number {
  const master = r.master ?? '';
  const local = /^local\[(\d+)(?:,\d+)?\]$/.exec(master);
  let cores: number | null = null;
  if (local) cores = Number(local[1]);
  else if (master !== 'local' && !master.startsWith('local[')) {
    const workers = r.executors.filter((e) => !e.isDriver);
    const unknown =
      workers.some((e) => e.totalCores <= 0 && e.executorRunTimeMs > 0) ||
      r.executors.some((e) => e.isDriver && e.executorRunTimeMs > 0);
    const sum = workers.reduce((acc, e) => acc + Math.max(0, e.totalCores), 0);
    if (!unknown && sum > 0) cores = sum;
  }
  return r.durationMs * (cores ?? Math.max(1, r.totalTasks));
}

/** Clips summed task times to {@link coreTimeBoundMs} (and each executor's to its own life × cores). */
function boundTaskTimes(r: ApplicationRecord, clips: Corrections): void {
  const bound = coreTimeBoundMs(r);
  const clip = (name: string, v: number, max: number, set: (x: number) => void): void => {
    if (v > max) {
      clips.note(name, ABOVE_CORE_TIME, 'clipped', v);
      set(max);
    }
  };
  clip('executorRunTimeMs', r.executorRunTimeMs, bound, (x) => (r.executorRunTimeMs = x));
  clip('executorCpuTimeMs', r.executorCpuTimeMs, bound, (x) => (r.executorCpuTimeMs = x));
  clip('jvmGcTimeMs', r.jvmGcTimeMs, bound, (x) => (r.jvmGcTimeMs = x));
  for (const s of r.stages) {
    clip('stages.executorRunTimeMs', s.executorRunTimeMs, bound, (x) => (s.executorRunTimeMs = x));
    clip('stages.executorCpuTimeMs', s.executorCpuTimeMs, bound, (x) => (s.executorCpuTimeMs = x));
    clip('stages.jvmGcTimeMs', s.jvmGcTimeMs, bound, (x) => (s.jvmGcTimeMs = x));
  }
  const endMs = r.startTimeMs + r.durationMs;
  for (const e of r.executors) {
    const lifeMs = (e.removeTimeMs ?? endMs) - e.addTimeMs;
    const max = !e.isDriver && e.totalCores > 0 && e.addTimeMs > 0 && lifeMs >= 0 ? lifeMs * e.totalCores : bound;
    if (e.executorRunTimeMs > max) {
      clips.note('executors.executorRunTimeMs', "above the executor's life × cores", 'clipped', e.executorRunTimeMs);
      e.executorRunTimeMs = max;
    }
  }
}
