/**
 * How a run (one application attempt) is named wherever it is shown: the application id as Spark and the History
 * Server write it, and the attempt when there is one (`application_1724877841851_0016 (attempt 2)`; YARN and the
 * History Server number attempts 1, 2, ...). One place, so the hover, the CLI and the workload-analysis view agree.
 * @param appId `SparkListenerApplicationStart` `App ID`.
 * @param attemptId `App Attempt ID`, or null for applications without attempts (client mode, local).
 */
export function runLabel(appId: string, attemptId: string | null): string {
  return attemptId ? `${appId} (attempt ${attemptId})` : appId;
}
