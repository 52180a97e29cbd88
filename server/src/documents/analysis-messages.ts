/**
 * Messages between the language server's main thread and its analysis workers (documents/analysis-worker.ts),
 * declared once here. Everything in them is structured-clone data.
 */
import type { FileKind } from '../config/file-settings';
import type { AnalysisOptions, DocumentAnalysis } from '../language-service';
import type { TeamServiceConfig } from './history-sources';

/** Main thread → worker: analyse one document version. */
export interface AnalyseMessage {
  type: 'analyse';
  /** Job id, echoed in the answer. */
  id: number;
  uri: string;
  version: number;
  text: string;
  kind: FileKind;
  options: AnalysisOptions;
  /** Workspace folders (absolute paths), for the job's related files. */
  roots: string[];
  /** Unsaved texts of open related documents by absolute path (workspace/related-files.ts `relatedOpenTexts`). */
  openTexts: Record<string, string>;
}

/** Main thread → worker: the history store changed (a collection, an applied fix): drop cached runs. */
export interface HistoryChangedMessage {
  type: 'historyChanged';
}

/** Worker → main thread: the analysis of job `id`, or why there is none. */
export type AnalysedMessage =
  { type: 'analysed'; id: number; analysis: DocumentAnalysis } | { type: 'failed'; id: number; reason: string };

/** Worker → main thread: a line for the server's log (a promise rejected in the worker with nobody to catch it). */
export interface WorkerLogMessage {
  type: 'log';
  level: 'error' | 'warn';
  message: string;
}

/** Worker → main thread: the team's service became unreachable, or answers again (documents/history-sources.ts). */
export interface ServiceStateMessage {
  type: 'serviceState';
  reachable: boolean;
  /** What happened, naming the service's URL (never the token). */
  message: string;
}

/** `workerData` of an analysis worker. */
export interface AnalysisWorkerData {
  /** The team's service to read in service mode (with its token: workerData stays in this process), else null. */
  team: TeamServiceConfig | null;
  /** The history store to read (null: none could be opened, analyse without history). */
  storePath: string | null;
  /**
   * Nice value (0-19) the worker thread gives itself, so the main thread and the small-document worker win the CPU
   * over a long analysis on a busy machine. Linux only, where the nice value is per thread (setpriority(2), NOTES);
   * 0 or elsewhere: unchanged.
   */
  niceness: number;
}
