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

/** The command a quick fix of this server carries: the client forwards its argument (`RecordAppliedFixRequest.Params[]`) to the server. */
export const RECORD_APPLIED_FIX_COMMAND = 'sparkOptimizer.recordAppliedFix';

/**
 * client → server: quick fixes of this server were applied (sent by the `sparkOptimizer.recordAppliedFix` command the
 * code action carries, after VS Code applied its edit). The server stores each with the time it receives it (table
 * `applied_fixes`), so the hover can compare the job's runs before and after and a diagnostic can flag a change that
 * made things worse. Answers the ids of the stored fixes; a ResponseError when the store is not open.
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
    /** `App Name` of the job the file was matched to, null when none. */
    appName: string | null;
  }
  export interface Params {
    fixes: Fix[];
  }
  export const type = new RequestType<Params, { ids: number[] }, void>(method);
}
