/**
 * Custom LSP messages between the extension client and the language server. Each is declared once
 * here and imported by both sides (vscode-eslint's customMessages pattern).
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

/** Settings section name (`sparkOptimizer.*`). Here rather than in settings.ts so the client bundle needs no zod. */
export const SETTINGS_SECTION = 'sparkOptimizer';

/**
 * Settings that name a server or a file to read or run (package.json `capabilities.untrustedWorkspaces.
 * restrictedConfigurations`): in a restricted (untrusted) workspace VS Code and the extension ignore their
 * workspace values, so opening a folder cannot make the extension connect anywhere or read a file it names.
 */
export const RESTRICTED_SETTINGS = [
  'sparkOptimizer.historyDatabase',
  'sparkOptimizer.eventLogFolder',
  'sparkOptimizer.historyServer.url',
  'sparkOptimizer.historyServer.verifyTls',
  'sparkOptimizer.historyServer.caFile',
  'sparkOptimizer.historyServer.certFile',
  'sparkOptimizer.historyServer.keyFile',
] as const;

/** Summary of one collection, as the server reports it. Counts are applications (event-log sources). */
export interface CollectSummary {
  found: number;
  inserted: number;
  updated: number;
  unchanged: number;
  failed: { path: string; reason: string }[];
  malformedLines: number;
  cancelled: boolean;
  /** Applications in the store after the collection. */
  storedApplications: number;
}

/**
 * client → server: read every event log below `folder` into the history store.
 * Cancelling the request (`$/cancelRequest`) stops between logs; what was written stays consistent.
 * Errors: a folder that cannot be listed answers a ResponseError whose message names the folder.
 */
export namespace CollectEventLogsRequest {
  export const method = 'sparkOptimizer/collectEventLogs' as const;
  export interface Params {
    /** Absolute path of a folder of Spark event logs. */
    folder: string;
  }
  export const type = new RequestType<Params, CollectSummary, void>(method);
}

/**
 * client → server: collect from a Spark History Server's REST API (`/api/v1/applications`, then each
 * attempt's `/logs` zip). Credentials travel only in this request (the client reads them from VS Code
 * SecretStorage); the server never logs or stores them. Cancelling stops between attempts.
 */
export namespace CollectHistoryServerRequest {
  export const method = 'sparkOptimizer/collectHistoryServer' as const;
  export interface Params {
    /** Base URL, e.g. `https://shs.example.com:18480`. */
    url: string;
    auth: { kind: 'none' } | { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: string };
    /** Verify the server's TLS certificate (default true). */
    verifyTls: boolean;
    /** PEM file of a CA to trust (company CA), or empty. */
    caFile: string;
    /** PEM client certificate and key files for mutual TLS, or empty. */
    certFile: string;
    keyFile: string;
  }
  export const type = new RequestType<Params, CollectSummary, void>(method);
}

/** server → client: progress of a running collection (one per event-log source read). */
export namespace CollectProgressNotification {
  export const method = 'sparkOptimizer/collectProgress' as const;
  export interface Params {
    /** Sources done. */
    done: number;
    /** Sources found. */
    total: number;
    /** Path of the source just read. */
    path: string;
  }
  export const type = new NotificationType<Params>(method);
}

/** client → server: facts about the history store for the status bar. */
export namespace StoreInfoRequest {
  export const method = 'sparkOptimizer/storeInfo' as const;
  export interface Result {
    /** Path of the SQLite file. */
    path: string;
    applications: number;
    jobs: number;
    /** Last collection that wrote something, epoch ms, or null. */
    lastCollectedAtMs: number | null;
  }
  export const type = new RequestType0<Result, void>(method);
}

/** One job (Spark `App Name`) in the history store, for pickers. */
export interface StoredJob {
  appName: string;
  /** Runs (application attempts) stored. */
  runs: number;
  /** Start of the newest run, epoch ms. */
  lastStartTimeMs: number;
  /** Median wall time of its runs, ms. */
  medianDurationMs: number;
}

/** client → server: the jobs in the history store, newest first (the job-analysis quick pick). */
export namespace ListJobsRequest {
  export const method = 'sparkOptimizer/listJobs' as const;
  export const type = new RequestType0<StoredJob[], void>(method);
}

/** One run in the job-analysis view (figures from analysis/run-analysis.ts and analysis/cost.ts). */
export interface JobAnalysisRun {
  appId: string;
  attemptId: string | null;
  /** `SparkListenerApplicationStart`.`Timestamp`, epoch ms. */
  startTimeMs: number;
  durationMs: number;
  completed: boolean;
  /** Executor-core hours held (Sparklens core-hours available). */
  coreHours: number;
  /** Executor container memory-GiB-hours. */
  memoryGiBHours: number;
  /** DataFlint Compute Units: memoryGiBHours × 0.005 + coreHours × 0.05. */
  dcu: number;
  diskSpilledBytes: number;
  memorySpilledBytes: number;
  /** Spill past THRESHOLDS.spillMinBytes and spillRatioLow (analysis/run-analysis.ts). */
  spilled: boolean;
  /** Max executors alive at once. */
  executors: number;
  executorCores: number | null;
  executorMemoryMiB: number;
  /** Task run time / executor-core time available, [0, 1], null when unknown. */
  utilisation: number | null;
  failedTasks: number;
  totalTasks: number;
}

/** One stage attempt of the selected run (the Gantt rows). Times epoch ms. */
export interface JobAnalysisStage {
  stageId: number;
  attemptId: number;
  name: string;
  numTasks: number;
  submissionTimeMs: number | null;
  completionTimeMs: number | null;
  failureReason: string | null;
  failedTasks: number;
  diskSpilledBytes: number;
  /** Successful task durations (ms): min, p25, median, p75, p95, max; null when no task succeeded. */
  taskDurationMs: { min: number; p25: number; median: number; p75: number; p95: number; max: number } | null;
}

/** One executor of the selected run. Times epoch ms. */
export interface JobAnalysisExecutor {
  executorId: string;
  host: string;
  totalCores: number;
  addTimeMs: number;
  /** Removal time, or null when alive at the end. */
  removeTimeMs: number | null;
  removedReason: string | null;
  /** Σ `Executor Run Time` of its tasks, ms. */
  taskTimeMs: number;
  /** taskTimeMs / (lifetime × cores), [0, 1]; null when the lifetime is unknown. */
  utilisation: number | null;
  peakJvmHeapBytes: number | null;
}

/** A recommendation with its evidence, as the view lists it (recommend/recommender.ts Recommendation). */
export interface JobAnalysisRecommendation {
  key: string;
  currentValue: string | null;
  recommendedValue: string;
  message: string;
  rule: string;
  /** [0, 1]. */
  confidence: number;
  confidenceLabel: 'high' | 'medium' | 'low';
  evidence: { appId: string; metric: string; value: string; under?: string }[];
}

/** Everything the job-analysis webview shows for one job. */
export interface JobAnalysis {
  appName: string;
  /** Runs, oldest first (newest 50). */
  runs: JobAnalysisRun[];
  /** appId of the run whose stages and executors are shown. */
  selectedAppId: string;
  /** Selected run's start and end (epoch ms): the Gantt's axis. */
  selectedStartMs: number;
  selectedEndMs: number;
  stages: JobAnalysisStage[];
  executors: JobAnalysisExecutor[];
  /** stageId of the worst stage (longest wall time), whose task-duration quantiles are charted; null without stages. */
  worstStageId: number | null;
  /** Where `current` values of the recommendations came from: the open document, or the newest run's properties. */
  settingsFrom: 'document' | 'newest run';
  recommendations: JobAnalysisRecommendation[];
  /** What no setting fixes by itself (skew, failed tasks): recommend/findings.ts. */
  findings: { rule: string; message: string }[];
}

/**
 * client → server: the job-analysis view's data for one job, from the history store.
 * `appId` picks the run to detail (and, without `appName`, its job); `appName` alone picks the newest run.
 * `uri`, when given and open, takes the current settings from that document (as its diagnostics do).
 * Answers null when no such job or run is stored.
 */
export namespace JobAnalysisRequest {
  export const method = 'sparkOptimizer/jobAnalysis' as const;
  export interface Params {
    appId?: string;
    appName?: string;
    uri?: string;
  }
  export const type = new RequestType<Params, JobAnalysis | null, void>(method);
}
