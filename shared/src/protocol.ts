/**
 * Custom LSP messages between the extension client and the language server. Each is declared once
 * here and imported by both sides (vscode-eslint's customMessages pattern).
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

export { SETTINGS_SECTION } from './settings';

/**
 * Client → language server, at start: the environment variable that carries the team service's bearer token
 * (`sparkOptimizer.service.url`) into the server process. The client sets it from SecretStorage, so the token is in no
 * LSP message (an LSP trace prints `initializationOptions`) and in no settings file; the server reads it once.
 */
export const SERVICE_TOKEN_ENV = 'SPARK_OPTIMIZER_SERVICE_TOKEN';

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
  'sparkOptimizer.historyServer.oauth2TokenUrl',
  'sparkOptimizer.service.url',
  'sparkOptimizer.service.caFile',
  'sparkOptimizer.objectStore.endpointUrl',
  'sparkOptimizer.sparkConnect.url',
  'sparkOptimizer.sparkConnect.caFile',
  'sparkOptimizer.sparkConnect.jdbcViews',
] as const;

// ---- Errors of the custom requests (the server answers them, the client tells them apart)

/**
 * `ResponseError.code` of each way a custom request fails, declared once for the server that answers them and the
 * client that tells them apart. Small positive numbers: JSON-RPC reserves -32768..-32000 (LSP uses -32899..-32800
 * and its own -32000s), application codes are free outside that range. The message says what happened and to what;
 * the remedy is the client's to word (house style 27), from the code and `data`.
 */
export const RequestErrorCodes = {
  /** The history store could not be opened (`data`: StoreUnavailableData). Collect and record-applied-fix answer it. */
  storeUnavailable: 1,
  /** A collection could not start: the folder cannot be listed, the History Server URL or a TLS file is wrong. */
  collectionFailed: 2,
  /** A Spark Connect request failed (`data`: ConnectErrorData). */
  connectFailed: 3,
  /** A request to the team service failed, or the editor is not in service mode (`data`: TeamServiceErrorData). */
  teamServiceFailed: 4,
} as const;

/** A code of RequestErrorCodes. */
export type RequestErrorCode = (typeof RequestErrorCodes)[keyof typeof RequestErrorCodes];

/** `ResponseError.data` of RequestErrorCodes.storeUnavailable. */
export interface StoreUnavailableData {
  /** The SQLite file the server tried to open. */
  path: string;
  /** Why it could not be opened (SQLite's or the file system's words). */
  reason: string;
}

/**
 * Why a source of history failed, so each front end can word the remedy (the core's message says what happened and
 * to what): `credentials` (none given, or refused: HTTP 401, no cloud credentials found), `access-denied` (accepted
 * but not allowed: HTTP 403), `not-found` (no such URL, bucket or key), `tls` (the certificate could not be
 * verified), `network` (unreachable, timed out, cut), `changed` (an object changed while read), `other`.
 */
export type SourceFailureKind = 'credentials' | 'access-denied' | 'not-found' | 'tls' | 'network' | 'changed' | 'other';

/**
 * Summary of one collection, as the server reports it (the ingest pipeline's counts, server/src/history/ingest.ts).
 * Counts are application attempts (event-log sources, or History Server attempts).
 */
export interface CollectSummary {
  found: number;
  inserted: number;
  updated: number;
  /** Unchanged sources, copies of attempts already stored, and History Server attempts not downloaded because stored. */
  unchanged: number;
  /** Of inserted + updated: attempts stored incomplete because their log could be decoded only in part. */
  incomplete: number;
  /** Sources that failed: where, why (the core's words), and of what kind when known (for the client's remedy). */
  failed: { path: string; reason: string; kind?: SourceFailureKind }[];
  malformedLines: number;
  /** Impossible values (beyond what Spark can produce) dropped or clipped, over all records read. */
  correctedValues: number;
  cancelled: boolean;
  /** Application attempts in the store after the collection. */
  storedApplications: number;
  /**
   * Parts of event-log files that could not be decoded (corrupt block or frame, lz4 checksum mismatch, decoded bytes
   * that are not JSON in bulk): the rest of each such file was not read, and its application, when stored, is marked
   * incomplete. Absent from servers that predate it; empty when every byte decoded.
   */
  decodeErrors?: CollectDecodeError[];
  /** What the reader warned about, per log (a file cut at its end by a live or crashed application, malformed lines skipped, a missing rolling part, ...). Absent from servers that predate it. */
  warnings?: { path: string; message: string }[];
}

/** One decode error of a collection (see `CollectSummary.decodeErrors`). */
export interface CollectDecodeError {
  /** The log (file or folder) as collected. */
  path: string;
  /** The file of the log that did not decode. */
  file: string;
  /** Compressed byte offset in `file` of the damaged block or frame; null when the decoder cannot say. */
  offset: number | null;
  /** The file's codec (`zstd`, `lz4`, `snappy`, `lzf`, `gzip`, `none`), or `json` for decoded bytes that are not JSON lines. */
  codec: string;
  /** What is wrong. */
  message: string;
}

/**
 * client → server: read every event log below `folder` into the history store.
 * Cancelling the request (`$/cancelRequest`) stops between logs; what was written stays consistent.
 * Errors: RequestErrorCodes.storeUnavailable when the store is not open; collectionFailed when the folder cannot be
 * listed (the message names the folder).
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
 * How a History Server collection authenticates: nothing, HTTP Basic, a fixed bearer token, or OAuth 2.0 client
 * credentials (a token fetched from `tokenUrl` with the client id and secret, cached and renewed before it expires;
 * server/src/history/history-server/oauth2.ts). The CLI reads the secrets from the environment or a file, the VS Code
 * client from SecretStorage.
 */
export type HistoryServerAuth =
  | { kind: 'none' }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string; resource?: string };

/**
 * client → server: collect from a Spark History Server's REST API (`/api/v1/applications`, then each
 * attempt's `/logs` zip). Credentials travel only in this request (the client reads them from VS Code
 * SecretStorage); the server never logs or stores them. Cancelling stops between attempts.
 * Errors: RequestErrorCodes.storeUnavailable when the store is not open; collectionFailed for a URL that is not one or
 * a TLS file that cannot be read. A server that refuses or cannot be reached is a failure of the summary (with its
 * `kind`), not an error.
 */
export namespace CollectHistoryServerRequest {
  export const method = 'sparkOptimizer/collectHistoryServer' as const;
  export interface Params {
    /** Base URL, e.g. `https://shs.example.com:18480`. */
    url: string;
    auth: HistoryServerAuth;
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

/**
 * Which cloud's API reads an object-store location: `s3` (`s3://`, `s3a://`, `s3n://`, and S3-compatible stores),
 * `gcs` (`gs://`), `azure` (`abfss://`, `wasbs://`, ...). server/src/history/object-store/location.ts parses the URLs.
 */
export type ObjectStoreKind = 's3' | 'gcs' | 'azure';

/**
 * client → server: collect the event logs under an object-store URL (`s3://bucket/prefix`, `gs://…`,
 * `abfss://container@account.dfs.core.windows.net/prefix`, `wasbs://…`), as `spark-optimizer collect --path URL` does
 * (server/src/history/object-store/collect.ts). No credential travels in this request or lives in a setting: the
 * server process finds them through each cloud SDK's own chain (environment, profile and config files, instance or
 * workload identity). Cancelling stops between logs.
 * Errors: RequestErrorCodes.storeUnavailable when the store is not open; collectionFailed for a URL that is not an
 * object-store URL or an endpoint that is not an http(s) URL. A listing that fails (no credentials, which names the
 * chain tried; access denied; no such bucket; unreachable) is a failure of the summary with its `kind` and the URL as
 * `path`, not an error.
 */
export namespace CollectObjectStoreRequest {
  export const method = 'sparkOptimizer/collectObjectStore' as const;
  export interface Params {
    /** The object-store URL of the logs' prefix. */
    url: string;
    /** Custom endpoint (`http://127.0.0.1:9000` for MinIO and other S3-compatible stores, Azurite, an emulator), or empty for the cloud's own. */
    endpointUrl: string;
  }
  /** The collection's summary, with what the store listed and downloaded. */
  export interface Result extends CollectSummary {
    /** Which cloud's API was used (for the client's remedy). */
    store: ObjectStoreKind;
    /** Objects listed under the prefix (all pages). */
    listedObjects: number;
    /** Object reads made (a log not changed since the last collection is not read). */
    downloadedObjects: number;
  }
  export const type = new RequestType<Params, Result, void>(method);
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

// ---- The team service's collections (service mode: sparkOptimizer.service.url)

/** `ResponseError.data` of RequestErrorCodes.teamServiceFailed. */
export interface TeamServiceErrorData {
  /** The service's URL; empty when not in service mode. */
  url: string;
  /**
   * `not-service-mode` (no usable sparkOptimizer.service.url), `unreachable` (no answer, 5xx), `unauthorized` (401/403),
   * `rejected` (another 4xx, e.g. an unknown source).
   */
  kind: 'not-service-mode' | 'unreachable' | 'unauthorized' | 'rejected';
  /** The HTTP status the service answered, if it answered. */
  status?: number;
  /** The problem's `type` (e.g. `urn:spark-optimizer:problem:insufficient-scope`), if any. */
  problemType?: string;
  /** The token scope the refused request needs (`collect` to start a collection). */
  neededScope?: 'read' | 'collect';
}

/**
 * One collection on the team service, as its routes answer it (`GET /api/v1/collections/{id}`; the wire schema is
 * server/src/history/team-service-collections.ts `CollectionSchema`). Counts are event logs (or History Server attempts).
 */
export interface TeamServiceCollection {
  id: number;
  source: string;
  sourceKind: string;
  trigger: 'request' | 'schedule';
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  /** The service instance that ran it. */
  holder: string;
  requestedAtMs: number;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  progress: {
    logsFound: number;
    logsRead: number;
    logsStored: number;
    logsSkipped: number;
    logsFailed: number;
    applicationsStored: number;
  };
  /** The first 100 errors: where and why. */
  errors: { path: string; reason: string; kind?: string }[];
  errorsTotal: number;
}

/** One source configured on the team service (`GET /api/v1/sources`; never a credential). */
export interface TeamServiceSource {
  name: string;
  kind: 'event-logs' | 'object-store' | 'history-server';
  /** The folder on the service's machine, the object-store URL or the History Server URL, as configured. */
  location: string;
  endpointUrl?: string;
  /** Collected by the service on this interval, ms; null: on request only. */
  intervalMs: number | null;
  lastCollection: TeamServiceCollection | null;
}

/**
 * client → server: the team service's configured collection sources, through the language server's client of the
 * service (server/src/history/team-service.ts: its URL, TLS and token).
 * Errors: RequestErrorCodes.teamServiceFailed (not in service mode, or the service failed).
 */
export namespace TeamServiceSourcesRequest {
  export const method = 'sparkOptimizer/teamServiceSources' as const;
  export interface Result {
    /** The service's URL. */
    url: string;
    sources: TeamServiceSource[];
  }
  export const type = new RequestType0<Result, void>(method);
}

/**
 * client → server: start a collection of a configured source on the team service (`POST /api/v1/collect`) and follow
 * it (`GET /api/v1/collections/{id}`) until it ends, with TeamServiceCollectProgressNotification on each change; when
 * one is already running (409 `collection-running`) that one is followed instead. When it ends the editor's history is
 * read again from the service at once and diagnostics are republished. Cancelling stops following only: the service
 * goes on with the collection.
 * Errors: RequestErrorCodes.teamServiceFailed (not in service mode; 403: the token lacks scope collect, `neededScope`;
 * 404 unknown source; unreachable).
 */
export namespace TeamServiceCollectRequest {
  export const method = 'sparkOptimizer/teamServiceCollect' as const;
  export interface Params {
    /** A source name of TeamServiceSourcesRequest. */
    source: string;
  }
  export interface Result {
    /** The collection as it ended (or as last read, when `stoppedFollowing`). */
    collection: TeamServiceCollection;
    /** Another collection of the source was running: it was followed instead of starting one. */
    alreadyRunning: boolean;
    /** The request was cancelled before the collection ended (it goes on on the service). */
    stoppedFollowing: boolean;
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** server → client: a followed team-service collection's new state (TeamServiceCollectRequest). */
export namespace TeamServiceCollectProgressNotification {
  export const method = 'sparkOptimizer/teamServiceCollectProgress' as const;
  export interface Params {
    collection: TeamServiceCollection;
    alreadyRunning: boolean;
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
    /** Workloads: distinct `App Name`s of the stored runs. */
    workloads: number;
    /** Last collection that wrote something, epoch ms, or null. */
    lastCollectedAtMs: number | null;
    /**
     * The history these figures (and the editor's hovers, diagnostics and quick fixes) come from: the team's service
     * (`sparkOptimizer.service.url`) or the local store at `path`; in service mode `serviceAnswers` is false while the
     * service is unreachable (the local store answers then), and `serviceProblem` says why a configured service is
     * not used at all.
     */
    history: { kind: 'service'; url: string; serviceAnswers: boolean } | { kind: 'local'; serviceProblem?: string };
  }
  export const type = new RequestType0<Result, void>(method);
}

/**
 * One workload in the history store: the runs (application attempts) of one Spark `App Name`, the product's unit of
 * recurring work (a nightly ETL, a report). Not a Spark job (`SparkListenerJobStart`, the store's `jobs` table), of
 * which one run has many. HistoryReader.listWorkloads, for pickers.
 */
export interface StoredWorkload {
  appName: string;
  /** Runs (application attempts) stored under this name. */
  runs: number;
  /** Start of the newest run, epoch ms. */
  lastStartTimeMs: number;
  /** Median `durationMs` (wall time) of its runs, ms. */
  medianDurationMs: number;
}

/** client → server: the workloads in the history store, newest first (the workload-analysis quick pick). */
export namespace ListWorkloadsRequest {
  export const method = 'sparkOptimizer/listWorkloads' as const;
  export const type = new RequestType0<StoredWorkload[], void>(method);
}

/** One run in the workload-analysis view (figures from analysis/run-analysis.ts and analysis/cost.ts). */
export interface WorkloadAnalysisRun {
  appId: string;
  /** `App Attempt ID` (YARN/History Server attempts 1, 2, ...); null for applications without attempts. Each attempt is its own run. */
  attemptId: string | null;
  /** `SparkListenerApplicationStart`.`Timestamp`, epoch ms. */
  startTimeMs: number;
  durationMs: number;
  completed: boolean;
  /** Why the run is stored incomplete although its log ended (only part of it could be decoded), else null. */
  incompleteReason: string | null;
  /** `SparkListenerApplicationEnd` `ExitCode` when logged (non-zero: the attempt failed), else null. */
  exitCode: number | null;
  /** Executor-core hours held (Sparklens core-hours available). */
  coreHours: number;
  /** Executor container memory-GiB-hours. */
  memoryGiBHours: number;
  /** DataFlint Compute Units: memoryGiBHours × 0.005 + coreHours × 0.05. */
  dcu: number;
  diskBytesSpilled: number;
  memoryBytesSpilled: number;
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
  /** Core and memory cost in money when prices are set (`sparkOptimizer.cost.*`), else null. */
  money: { amount: number; currency: string } | null;
}

/** One stage attempt of the selected run (the Gantt rows). Times epoch ms. */
export interface WorkloadAnalysisStage {
  stageId: number;
  attemptId: number;
  name: string;
  numTasks: number;
  submissionTimeMs: number | null;
  completionTimeMs: number | null;
  failureReason: string | null;
  failedTasks: number;
  diskBytesSpilled: number;
  /** Successful task durations (ms): min, p25, median, p75, p95, max; null when no task succeeded. */
  taskDurationMs: { min: number; p25: number; median: number; p75: number; p95: number; max: number } | null;
}

/** One executor of the selected run. Times epoch ms. */
export interface WorkloadAnalysisExecutor {
  executorId: string;
  host: string;
  totalCores: number;
  addTimeMs: number;
  /** Removal time, or null when alive at the end. */
  removeTimeMs: number | null;
  removedReason: string | null;
  /** Σ `Executor Run Time` of its tasks, ms. */
  executorRunTimeMs: number;
  /** executorRunTimeMs / (lifetime × cores), [0, 1]; null when the lifetime is unknown. */
  utilisation: number | null;
  peakJvmHeapMemoryBytes: number | null;
  /** Σ `Disk Bytes Spilled` of its tasks; null when the store does not hold it (REST records, stores before schema 4). */
  diskBytesSpilled: number | null;
}

/** A change of the engine's plan with its evidence, as the view lists it (recommend/engine.ts PlannedSetting). */
export interface WorkloadAnalysisRecommendation {
  key: string;
  currentValue: string | null;
  recommendedValue: string;
  message: string;
  rule: string;
  /** `safety` (memory, fit) or `objective`. */
  reason: 'safety' | 'objective';
  /** [0, 1]. */
  confidence: number;
  confidenceLabel: 'high' | 'medium' | 'low';
  evidence: { appId: string; stageId?: number; metric: string; value: string; under?: string }[];
}

/** One configuration the plan predicted (recommend/engine.ts PlanEstimate), flattened for the view. */
export interface WorkloadAnalysisEstimate {
  /** e.g. `2 × 2 cores, 1g, 200 partitions`. */
  configuration: string;
  /** Predicted wall time, ms; null when unpredictable. */
  durationMs: number | null;
  coreHours: number | null;
  memoryGiBHours: number | null;
  /** With prices set (`sparkOptimizer.cost.*`), else null. */
  money: number | null;
}

/** The engine's plan for the workload, as the view shows it. */
export interface WorkloadAnalysisPlan {
  objective: 'runtime' | 'cost' | 'balanced';
  /** For balanced: slowdown allowed against the fastest configuration (fraction). */
  maxSlowdown: number;
  current: WorkloadAnalysisEstimate | null;
  chosen: WorkloadAnalysisEstimate | null;
  /** The trade-off table (Pareto front of duration vs cost), fastest first. */
  pareto: (WorkloadAnalysisEstimate & { chosen: boolean; current: boolean })[];
  keptBecause: string | null;
  doesNotFit: string | null;
  notes: string[];
  currency: string | null;
  confidence: number;
}

/** Everything the workload-analysis webview shows for one workload. */
export interface WorkloadAnalysis {
  appName: string;
  /** Runs, oldest first (newest 50). */
  runs: WorkloadAnalysisRun[];
  /** appId of the run whose stages and executors are shown. */
  selectedAppId: string;
  /** Its attempt (null: the application has no attempt ids). */
  selectedAttemptId: string | null;
  /** Selected run's start and end (epoch ms): the Gantt's axis. */
  selectedStartMs: number;
  selectedEndMs: number;
  stages: WorkloadAnalysisStage[];
  executors: WorkloadAnalysisExecutor[];
  /** stageId of the worst stage (longest wall time), whose task-duration quantiles are charted; null without stages. */
  worstStageId: number | null;
  /** Every successful task duration (ms) of the worst stage in launch order, when the store holds per-task data; else null (the quantiles of `stages` remain). */
  worstStageTaskDurationsMs: number[] | null;
  /** Findings on the selected run, most severe first (analysis/run-findings.ts). */
  runFindings: {
    id: string;
    severity: 'info' | 'low' | 'moderate' | 'severe' | 'critical';
    message: string;
    source: string;
    stageId?: number;
  }[];
  /** Where `current` values of the recommendations came from: the open document, or the newest run's properties. */
  settingsFrom: 'document' | 'newest run';
  /** The engine's plan (null when no run can be modelled). */
  plan: WorkloadAnalysisPlan | null;
  recommendations: WorkloadAnalysisRecommendation[];
  /** What no setting fixes by itself (skew, failed tasks, ignored settings): recommend/engine.ts. */
  findings: { rule: string; message: string }[];
}

/**
 * client → server: the workload-analysis view's data for one workload, from the history store.
 * `appId` picks the run to detail (and, without `appName`, its workload); `appName` alone picks the newest run.
 * `uri`, when given and open, takes the current settings from that document (as its diagnostics do).
 * Answers null when no such workload or run is stored.
 */
export namespace WorkloadAnalysisRequest {
  export const method = 'sparkOptimizer/workloadAnalysis' as const;
  export interface Params {
    appId?: string;
    /** The attempt of `appId` to detail (null: the application without attempt ids); omitted: its newest attempt. */
    attemptId?: string | null;
    appName?: string;
    uri?: string;
  }
  export const type = new RequestType<Params, WorkloadAnalysis | null, void>(method);
}

/**
 * client → server: quick fixes of this server were applied (sent by the `recordAppliedFix` command (shared/src/commands.ts) the
 * code action carries, after VS Code applied its edit). The server stores each with the time it receives it (table
 * `applied_fixes`), so the hover can compare the workload's runs before and after and a diagnostic can flag a change that
 * made things worse. Answers the ids of the stored fixes; RequestErrorCodes.storeUnavailable when the store is not open.
 */
export namespace RecordAppliedFixRequest {
  export const method = 'sparkOptimizer/recordAppliedFix' as const;
  export interface Fix {
    /** Document URI the fix edited. */
    uri: string;
    /** Spark key, e.g. `spark.executor.memory`. */
    key: string;
    /** Value before the fix as written, null when the file did not set it. */
    oldValue: string | null;
    newValue: string;
    /** `App Name` of the workload the file was matched to, null when none. */
    appName: string | null;
  }
  export interface Params {
    fixes: Fix[];
  }
  export const type = new RequestType<Params, { ids: number[] }, void>(method);
}

/**
 * client → server: the user dismissed a recommendation (the `dismissRecommendation` command (shared/src/commands.ts) a
 * code action carries, after the client asked for a reason). The server records a `rejected` feedback: in service mode
 * on the team service (`POST /api/v1/feedback`), and always in the local store (table `recommendation_feedback`), then
 * re-publishes diagnostics: the recommendation is not shown for that workload and key while the plan recommends the same
 * value. Answers where it was recorded; RequestErrorCodes.storeUnavailable when neither the service nor the local store
 * took it.
 */
export namespace RecordFeedbackRequest {
  export const method = 'sparkOptimizer/recordFeedback' as const;
  /** One recommended setting and what the user said about it. */
  export interface Feedback {
    /**
     * `rejected`: dismissed (not shown while the plan recommends the same value); `accepted`: shown again (the
     * "Spark: Show Dismissed Recommendations" restore: a newer verdict than the dismissal lifts it).
     */
    verdict: 'rejected' | 'accepted';
    /** Document URI the recommendation was shown in. */
    uri: string;
    /** `App Name` of the workload the plan is for. */
    appName: string;
    /** Spark key, e.g. `spark.executor.memory`. */
    key: string;
    /** The value the plan recommends, e.g. `4g`. */
    recommendedValue: string;
    /** The value the file sets now, null when it does not set it. */
    previousValue: string | null;
    /** Why, in the user's words; null when none given. */
    reason: string | null;
  }
  export interface Result {
    /** Id of the feedback row on the team service (service mode, when it answered), else null. */
    serviceId: number | null;
    /** Id of the row in the local store, null when the local store is not open. */
    localId: number | null;
  }
  export const type = new RequestType<Feedback, Result, void>(method);
}

/** A recommendation the user dismissed that the plan still makes (so it is not shown), as ListDismissedRequest lists it. */
export interface DismissedRecommendationInfo {
  /** The open document it was hidden in. */
  uri: string;
  appName: string;
  key: string;
  recommendedValue: string;
  /** The value the file sets now, null when it does not set it. */
  previousValue: string | null;
  /** The reason given, null when none. */
  reason: string | null;
  /** When it was dismissed, epoch ms. */
  dismissedAtMs: number;
}

/**
 * client → server: the recommendations dismissed in the open documents that the plan still makes (the
 * "Spark: Show Dismissed Recommendations" quick pick; restoring one sends RecordFeedbackRequest with `accepted`).
 */
export namespace ListDismissedRequest {
  export const method = 'sparkOptimizer/listDismissed' as const;
  export const type = new RequestType0<DismissedRecommendationInfo[], void>(method);
}

// ---- Spark Connect (server/src/handlers/connect.ts answers; client/src/query/ sends)

/** Which Spark Connect server to use. The token travels only in requests (the client keeps it in SecretStorage). */
export interface SparkConnectTarget {
  /** `sc://host:15002/;use_ssl=true;user_id=...` */
  url: string;
  /** Bearer token, when the URL has none. */
  token?: string;
  /** PEM file of a CA to trust for TLS, or empty. */
  caFile?: string;
}

/** A JDBC view (setting `sparkOptimizer.sparkConnect.jdbcViews`) with its password, which travels only in requests. */
export interface JdbcViewTarget {
  name: string;
  url: string;
  dbtable: string;
  user?: string;
  options?: Record<string, string>;
  password?: string;
}

/** `ResponseError.data` of a failed Spark Connect request (code RequestErrorCodes.connectFailed). */
export interface ConnectErrorData {
  /** 'spark' (Spark rejected the SQL), 'auth', 'unavailable', 'cancelled', 'timeout', 'tls', 'protocol'. */
  kind: string;
  /** For `auth`: whether a token was sent (refused) or not (the server needs one). */
  tokenGiven?: boolean;
  errorClass?: string;
  sqlState?: string;
  /** Where in the SQL text Spark says the error is (0-based UTF-16 offsets, end exclusive). */
  sqlRange?: { start: number; end: number };
}

/**
 * client → server: run one SQL statement on a Spark Connect server (session reused per target).
 * Cancelling the request interrupts the query on Spark. Progress comes as ConnectQueryProgressNotification.
 * Errors: RequestErrorCodes.connectFailed with ConnectErrorData.
 */
export namespace ConnectRunQueryRequest {
  export const method = 'sparkOptimizer/connectRunQuery' as const;
  export interface Params {
    target: SparkConnectTarget;
    /**
     * JDBC tables to register as temporary views of the session before the query (`sparkOptimizer.sparkConnect.jdbcViews`),
     * each with its password from SecretStorage; the server registers those the SQL names, and a view again only when
     * it or the session changed.
     */
    jdbcViews?: JdbcViewTarget[];
    sql: string;
    /** Id the progress notifications carry. */
    queryId: string;
    maxRows: number;
    /** bytes of Arrow data */
    maxBytes: number;
  }
  export const type = new RequestType<Params, import('./spark-query').QueryResultPayload, ConnectErrorData>(method);
}

/** server → client: Spark's execution progress of a running query (ExecutePlanResponse.ExecutionProgress). */
export namespace ConnectQueryProgressNotification {
  export const method = 'sparkOptimizer/connectQueryProgress' as const;
  export interface Params {
    queryId: string;
    stagesDone: number;
    stages: number;
    tasksDone: number;
    tasksTotal: number;
    rowsReceived: number;
  }
  export const type = new NotificationType<Params>(method);
}

/** client → server: Spark's plan of a SQL statement (AnalyzePlan Explain). Errors as ConnectRunQueryRequest. */
export namespace ConnectExplainRequest {
  export const method = 'sparkOptimizer/connectExplain' as const;
  export interface Params {
    target: SparkConnectTarget;
    sql: string;
    mode: 'simple' | 'extended' | 'formatted' | 'cost' | 'codegen';
  }
  export const type = new RequestType<Params, { plan: string }, ConnectErrorData>(method);
}

/** client → server: health check (AnalyzePlan SparkVersion); never fails, answers why not instead. */
export namespace ConnectStatusRequest {
  export const method = 'sparkOptimizer/connectStatus' as const;
  export interface Params {
    target: SparkConnectTarget;
  }
  /** `kind` of a failure as ConnectErrorData's, for the client's remedy. */
  export type Result =
    | { ok: true; sparkVersion: string; appId?: string }
    | { ok: false; reason: string; kind?: string; tokenGiven?: boolean };
  export const type = new RequestType<Params, Result, void>(method);
}

/** One SQL statement found in a document (server/src/connect/sql-statements.ts). Offsets are UTF-16 code units. */
export interface SqlStatement {
  /** The SQL text as Spark will get it (Python escapes decoded, surrounding whitespace trimmed). */
  sql: string;
  /** Document offset where the statement's text starts and ends (end exclusive), without trimmed whitespace. */
  start: number;
  end: number;
  /** Document offset of each character of `sql` (same length as `sql`), for mapping Spark's SQL positions back. */
  offsets: number[];
  /** Offset of the call or statement the code lens goes above. */
  anchor: number;
}

/** client → server: the SQL statements of a `.sql` document or the `spark.sql("...")` strings of a Python one. */
export namespace SqlStatementsRequest {
  export const method = 'sparkOptimizer/sqlStatements' as const;
  export interface Params {
    languageId: string;
    /** The document text (a `.sql` file is not synchronised with the server). */
    text: string;
  }
  export const type = new RequestType<Params, { statements: SqlStatement[] }, void>(method);
}
