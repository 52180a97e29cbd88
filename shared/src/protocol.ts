/**
 * Custom LSP messages between the extension client and the language server. Each is declared once
 * here and imported by both sides (vscode-eslint's customMessages pattern).
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

/** Settings section name (`sparkOptimizer.*`). Here rather than in settings.ts so the client bundle needs no zod. */
export const SETTINGS_SECTION = 'sparkOptimizer';

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

// ---- Spark Connect (server/src/connect-requests.ts answers; client/src/query/ sends)

/** Which Spark Connect server to use. The token travels only in requests (the client keeps it in SecretStorage). */
export interface SparkConnectTarget {
  /** `sc://host:15002/;use_ssl=true;user_id=...` */
  url: string;
  /** Bearer token, when the URL has none. */
  token?: string;
  /** PEM file of a CA to trust for TLS, or empty. */
  caFile?: string;
}

/** `ResponseError.data` of a failed Spark Connect request. */
export interface ConnectErrorData {
  /** 'spark' (Spark rejected the SQL), 'auth', 'unavailable', 'cancelled', 'timeout', 'tls', 'protocol'. */
  kind: string;
  errorClass?: string;
  sqlState?: string;
  /** Where in the SQL text Spark says the error is (0-based UTF-16 offsets, end exclusive). */
  sqlRange?: { start: number; end: number };
}

/**
 * client → server: run one SQL statement on a Spark Connect server (session reused per target).
 * Cancelling the request interrupts the query on Spark. Progress comes as ConnectQueryProgressNotification.
 * Errors: ResponseError with ConnectErrorData.
 */
export namespace ConnectRunQueryRequest {
  export const method = 'sparkOptimizer/connectRunQuery' as const;
  export interface Params {
    target: SparkConnectTarget;
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
  export type Result = { ok: true; sparkVersion: string; appId?: string } | { ok: false; reason: string };
  export const type = new RequestType<Params, Result, void>(method);
}

/** client → server: the SQL statements of a `.sql` document or the `spark.sql("...")` strings of a Python one. */
export namespace SqlStatementsRequest {
  export const method = 'sparkOptimizer/sqlStatements' as const;
  export interface Params {
    languageId: string;
    /** The document text (a `.sql` file is not synchronised with the server). */
    text: string;
  }
  export interface Statement {
    sql: string;
    /** Document offsets (UTF-16) of the statement text, end exclusive. */
    start: number;
    end: number;
    /** Offset of the call/statement a code lens goes above. */
    anchor: number;
    /** Document offset of each character of `sql`. */
    offsets: number[];
  }
  export const type = new RequestType<Params, { statements: Statement[] }, void>(method);
}
