import type { ApplicationRecord } from './application-record';

/**
 * Checks a record before it is stored: required fields present, counts and sums in range, times ordered.
 * A record that fails is reported by the collector and not stored (a bad record would bias every
 * recommendation resting on it).
 * @returns the problems found, each a sentence naming the field and value; empty when the record is valid.
 */
export function validateRecord(r: ApplicationRecord): string[] {
  const problems: string[] = [];
  const nonNegative: [string, number][] = [
    ['durationMs', r.durationMs],
    ['totalTasks', r.totalTasks],
    ['failedTasks', r.failedTasks],
    ['totalStages', r.totalStages],
    ['failedStages', r.failedStages],
    ['totalJobs', r.totalJobs],
    ['failedJobs', r.failedJobs],
    ['executorRunTimeMs', r.executorRunTimeMs],
    ['cpuTimeMs', r.cpuTimeMs],
    ['jvmGcTimeMs', r.jvmGcTimeMs],
    ['inputBytes', r.inputBytes],
    ['outputBytes', r.outputBytes],
    ['shuffleReadBytes', r.shuffleReadBytes],
    ['shuffleWriteBytes', r.shuffleWriteBytes],
    ['memorySpilledBytes', r.memorySpilledBytes],
    ['diskSpilledBytes', r.diskSpilledBytes],
    ['peakExecutionMemoryBytes', r.peakExecutionMemoryBytes],
    ['executorCoreTimeMs', r.executorCoreTimeMs],
    ['maxExecutors', r.maxExecutors],
    ['totalExecutorsAdded', r.totalExecutorsAdded],
  ];
  if (!r.appId) problems.push('appId is empty (SparkListenerApplicationStart has no App ID)');
  if (typeof r.appName !== 'string') problems.push('appName is missing');
  if (!Number.isFinite(r.startTimeMs) || r.startTimeMs <= 0) problems.push(`startTimeMs ${r.startTimeMs} is not a time`);
  if (r.endTimeMs !== null && r.endTimeMs < r.startTimeMs) problems.push(`endTimeMs ${r.endTimeMs} is before startTimeMs ${r.startTimeMs}`);
  for (const [name, v] of nonNegative) if (!Number.isFinite(v) || v < 0) problems.push(`${name} ${v} is not a non-negative number`);
  if (r.failedTasks > r.totalTasks) problems.push(`failedTasks ${r.failedTasks} exceeds totalTasks ${r.totalTasks}`);
  if (r.failedStages > r.totalStages) problems.push(`failedStages ${r.failedStages} exceeds totalStages ${r.totalStages}`);
  if (r.failedJobs > r.totalJobs) problems.push(`failedJobs ${r.failedJobs} exceeds totalJobs ${r.totalJobs}`);
  if (r.maxExecutors > r.totalExecutorsAdded) problems.push(`maxExecutors ${r.maxExecutors} exceeds totalExecutorsAdded ${r.totalExecutorsAdded}`);
  for (const s of r.stages) {
    const q = s.taskDurationMs;
    if (q && !(q.min <= q.median && q.median <= q.max && q.min >= 0)) {
      problems.push(`stage ${s.stageId}.${s.attemptId} task-duration quantiles are not ordered (min ${q.min}, median ${q.median}, max ${q.max})`);
    }
    if (s.succeededTasks < 0 || s.failedTasks < 0) problems.push(`stage ${s.stageId}.${s.attemptId} has negative task counts`);
    const d = s.taskDurationsMs;
    if (d !== undefined) {
      if (d.length > s.succeededTasks) problems.push(`stage ${s.stageId}.${s.attemptId} has ${d.length} task durations for ${s.succeededTasks} successful tasks`);
      const bad = d.find((x) => !Number.isFinite(x) || x < 0);
      if (bad !== undefined) problems.push(`stage ${s.stageId}.${s.attemptId} has a task duration ${bad} that is not a non-negative number of ms`);
    }
  }
  for (const j of r.jobs ?? []) {
    if (j.submissionTimeMs !== null && j.completionTimeMs !== null && j.completionTimeMs < j.submissionTimeMs) {
      problems.push(`job ${j.jobId} completed (${j.completionTimeMs}) before it was submitted (${j.submissionTimeMs})`);
    }
  }
  return problems;
}
