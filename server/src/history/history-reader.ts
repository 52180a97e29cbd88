/**
 * The read side of the history: what the editor features, the CLI and the evaluation ask of a store. Implemented by
 * `HistoryStore` (store/history-store.ts, SQLite); a second implementation serves the same reads. Every application
 * attempt is its own {@link ApplicationRecord} (with `attemptId`), so a failed first attempt is a run like any other.
 *
 * The reads are synchronous: the language service and the engine answer hovers, diagnostics and plans from caches filled
 * by them. A store behind a network (PostgreSQL) answers the same reads as promises ({@link HistoryQueries}); the REST
 * service loads what the engine asks for from it and runs the engine on those records in memory
 * (history/loaded-history.ts), so the engine has one synchronous code path whatever the store.
 */

import type { ApplicationRecord } from './application-record';
import type { StoredAttempt } from './ingest';
import type { StoredWorkload } from '../../../shared/src/protocol';

/**
 * Totals of one application attempt (its figures as in ApplicationRecord, plus counts over its stages), as
 * {@link HistoryReader.applicationTotals} returns them.
 */
export interface ApplicationTotals {
  appName: string;
  inputBytes: number;
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
  outputBytes: number;
  totalTasks: number;
  totalStages: number;
  executorCpuTimeMs: number;
  executorRunTimeMs: number;
  diskBytesSpilled: number;
  /** Stage rows stored for it. */
  stageRows: number;
  /** Of those, stages that read or wrote shuffle data. */
  shufflingStages: number;
}

/** Reads of the stored history. Records come back as they were stored (ingest.ts: checked and bounded). */
export interface HistoryReader {
  /** Application attempts stored. */
  countApplications(): number;
  /** When history was last collected (epoch ms): the newest write or History Server run; null for an empty store. */
  lastCollectedAtMs(): number | null;
  /** The workloads (runs grouped by `App Name`) with their run counts and median duration, newest first. */
  listWorkloads(): StoredWorkload[];
  /** Distinct application names. */
  appNames(): string[];
  /**
   * Full records of the runs named `appName`, newest first; each attempt of an application is its own record.
   * @param limit at most this many (newest).
   */
  runsByAppName(appName: string, limit?: number): ApplicationRecord[];
  /**
   * One attempt's full record: `attemptId` given (null = the attempt without an id), that attempt; omitted, the newest
   * attempt of `appId`. Null when not stored.
   */
  runById(appId: string, attemptId?: string | null): ApplicationRecord | null;
  /** The stored attempts of one application, oldest first (empty when none). */
  attemptsOf(appId: string): StoredAttempt[];
  /** Every record, newest first, at most `limit` (CLI and tests; not for the hover path). */
  allRuns(limit?: number): ApplicationRecord[];
  /** Totals of every attempt without stages or executors (one query), newest first. */
  applicationTotals(): ApplicationTotals[];
  /** App names of runs whose submitted file has this stem, most runs first. */
  appNamesBySubmittedFile(stem: string): string[];
  /**
   * Names of the workloads with runs on this `spark.master` (the same cluster, as the application's `spark.master` was
   * stored), most recently started first (ties by name in byte order), at most `limit` (default 8): what a workload
   * without runs of its own is first planned from (language-service.ts, cold start), and the jobs a workload's model
   * takes its cluster's facts from (language-service.ts `clusterRunsOf`).
   */
  appNamesByMaster(master: string, limit?: number): string[];
  /** Runs under other app names with the same stage-DAG signature as `appName`'s newest run, newest first. */
  runsWithSameSignature(appName: string, limit?: number): ApplicationRecord[];
}

/**
 * The {@link HistoryReader} reads answered as promises: what a store behind a network offers (store/postgres-store.ts),
 * and the SQLite store through its asynchronous adapter (store/sqlite-service-store.ts). Same arguments, same results.
 */
export type HistoryQueries = {
  [K in keyof HistoryReader]: (...args: Parameters<HistoryReader[K]>) => Promise<ReturnType<HistoryReader[K]>>;
};
