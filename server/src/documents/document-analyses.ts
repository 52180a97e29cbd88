/**
 * Keeps the language server's main thread free: every document is parsed and analysed in a worker thread, never on
 * the request path. Two workers, so a big document cannot hold up a small one:
 * - documents up to LARGE_DOCUMENT_BYTES go to the "small" worker (a job file of a few KiB takes milliseconds);
 * - bigger ones, up to MAX_ANALYSED_BYTES, go to the "large" worker (at a lower CPU priority on Linux), one at a
 *   time; a newer version or closing the document stops the analysis under way (the worker is terminated and started
 *   again), so typing in a big file does not queue up stale analyses;
 * - documents over MAX_ANALYSED_BYTES are not analysed: their analysis carries only `notAnalysed`, which the
 *   diagnostics feature shows as one informational diagnostic.
 * An analysis is kept per (uri, version, options) until the document changes or the history does; requests of the
 * same version share one promise. A worker that dies (an exception, its heap limit) gives a `notAnalysed` reason
 * for that document and is started again for the next one.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import { FILE_KIND_HEAD_CHARS, fileKind, type FileKind } from '../config/file-settings';
import type { AnalysisOptions, DocumentAnalysis } from '../language-service';
import type { Logger } from '../logger';
import { filePathOf, relatedOpenTexts } from '../workspace/related-files';
import type {
  AnalyseMessage,
  AnalysedMessage,
  AnalysisWorkerData,
  ServiceStateMessage,
  WorkerLogMessage,
} from './analysis-messages';
import type { ServiceState, TeamServiceConfig } from './history-sources';
import { errorMessage } from '../../../shared/src/errors';

/**
 * Documents larger than this (UTF-8 bytes) get one informational diagnostic instead of an analysis: 8 MiB. Job
 * files are KiB; VS Code itself turns its own language features off above 20 MB ("large file optimizations").
 */
export const MAX_ANALYSED_BYTES = 8 * 1024 * 1024;

/** Documents larger than this (UTF-8 bytes) are analysed by the "large" worker: 256 KiB (~0.3 s to parse a PySpark file of that size on this machine). */
export const LARGE_DOCUMENT_BYTES = 256 * 1024;

/**
 * Heap limit of an analysis worker (MiB, V8 old generation). A document whose analysis needs more stops that worker,
 * not the server; the document then gets a `notAnalysed` reason.
 */
export const WORKER_HEAP_LIMIT_MIB = 2048;

/**
 * Nice value of the "large" worker thread (Linux): 10, so on a loaded machine the CPU goes to the main thread and the
 * small-document worker first, and a long analysis takes what is left (test/bench/lsp-responsiveness.ts).
 */
export const LARGE_WORKER_NICENESS = 10;

/** A document as the server holds it (vscode-languageserver's TextDocument has these). */
export interface OpenDocument {
  uri: string;
  version: number;
  languageId: string;
  getText(): string;
}

/** What an analysis needs besides the document: the workspace folders and the unsaved texts of related documents. */
export interface RelatedContext {
  roots: string[];
  openTexts: Record<string, string>;
}

/**
 * The related context of the document at `uri`: the workspace folders and the texts of the open documents its
 * analysis may read as related files (none for a document that is not a local file: workspace/related-files.ts `filePathOf`).
 * @param open the server's open documents.
 */
export function relatedContext(uri: string, roots: string[], open: OpenDocument[]): RelatedContext {
  const docPath = filePathOf(uri);
  if (docPath === null) return { roots, openTexts: {} };
  const files: { path: string; text: () => string }[] = [];
  for (const d of open) {
    const p = filePathOf(d.uri);
    if (p !== null) files.push({ path: p, text: () => d.getText() });
  }
  return { roots, openTexts: relatedOpenTexts(docPath, roots, files) };
}

/** The document's kind: `fileKind` on its URI, the editor's language id and the start of its text. */
export function documentKind(doc: OpenDocument): FileKind | null {
  return fileKind(doc.uri, doc.languageId, doc.getText().slice(0, FILE_KIND_HEAD_CHARS));
}

interface Job {
  id: number;
  message: AnalyseMessage;
  resolve: (a: DocumentAnalysis) => void;
}

/** One worker thread with a queue of jobs, at most one per document (the newest version). */
class AnalysisLane {
  private worker: Worker | null = null;
  private running: Job | null = null;
  private readonly queue = new Map<string, Job>();

  /**
   * @param name "small" or "large", for the log.
   * @param stopSuperseded terminate the worker when the running job's document got a newer version or was closed.
   */
  constructor(
    private readonly name: string,
    private readonly script: string,
    private readonly data: AnalysisWorkerData,
    private readonly stopSuperseded: boolean,
    private readonly log: Logger,
    private readonly heapLimitMiB: number,
    private readonly onServiceState: (s: ServiceState) => void,
  ) {}

  /** Queues an analysis (replacing a queued older version of the same document). */
  submit(job: Job): void {
    const queued = this.queue.get(job.message.uri);
    if (queued) {
      this.queue.delete(job.message.uri);
      queued.resolve(emptyAnalysis(queued.message));
    }
    if (this.running?.message.uri === job.message.uri && this.stopSuperseded) this.stop(`${job.message.uri} changed`);
    this.queue.set(job.message.uri, job);
    this.next();
  }

  /** Drops a closed document's queued job and stops its running one (when this lane stops superseded jobs). */
  cancel(uri: string): void {
    const queued = this.queue.get(uri);
    if (queued) {
      this.queue.delete(uri);
      queued.resolve(emptyAnalysis(queued.message));
    }
    if (this.running?.message.uri === uri && this.stopSuperseded) this.stop(`${uri} was closed`);
  }

  /** Tells the worker the history changed (messages are handled in order, so later jobs see it). */
  historyChanged(): void {
    this.worker?.postMessage({ type: 'historyChanged' });
  }

  /** Terminates the worker (server shutdown). */
  dispose(): void {
    for (const j of this.queue.values()) j.resolve(emptyAnalysis(j.message));
    this.queue.clear();
    const w = this.worker;
    this.worker = null;
    if (this.running) this.running.resolve(emptyAnalysis(this.running.message));
    this.running = null;
    void w?.terminate();
  }

  private next(): void {
    if (this.running || this.queue.size === 0) return;
    const [uri, job] = this.queue.entries().next().value as [string, Job];
    this.queue.delete(uri);
    this.running = job;
    this.ensureWorker().postMessage(job.message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.script, {
      workerData: this.data,
      resourceLimits: { maxOldGenerationSizeMb: this.heapLimitMiB },
    });
    w.unref();
    w.on('message', (m: AnalysedMessage | WorkerLogMessage | ServiceStateMessage) => {
      if (m.type === 'log') {
        this.log[m.level](`The ${this.name} analysis worker: ${m.message}`);
        return;
      }
      if (m.type === 'serviceState') {
        this.onServiceState({ reachable: m.reachable, message: m.message });
        return;
      }
      const job = this.running;
      if (w !== this.worker || !job || job.id !== m.id) return;
      this.running = null;
      if (m.type === 'analysed') job.resolve(m.analysis);
      else {
        this.log.error(`Analysing ${job.message.uri} failed: ${m.reason}`);
        job.resolve(
          emptyAnalysis(
            job.message,
            'Its Spark settings were not analysed: the analysis failed (the Spark Optimizer Language Server log has the error).',
          ),
        );
      }
      this.next();
    });
    const died = (why: string) => {
      if (w !== this.worker) return;
      this.worker = null;
      const job = this.running;
      this.running = null;
      if (job) {
        this.log.error(`The ${this.name} analysis worker stopped while analysing ${job.message.uri}: ${why}`);
        job.resolve(emptyAnalysis(job.message, `Its Spark settings were not analysed: the analysis stopped (${why}).`));
      }
      this.next();
    };
    w.on('error', (e) => died(errorMessage(e)));
    w.on('exit', (code) => died(`the worker exited with code ${code}`));
    this.worker = w;
    return w;
  }

  private stop(why: string): void {
    const w = this.worker;
    const job = this.running;
    this.worker = null;
    this.running = null;
    if (job) job.resolve(emptyAnalysis(job.message));
    this.log.debug(`Stopped the ${this.name} analysis worker: ${why}`);
    void w?.terminate();
  }
}

/**
 * An analysis with no settings, for a document version that was not analysed.
 * @param reason what the user is told (DocumentAnalysis.notAnalysed, shown as an informational diagnostic); absent for
 *   a version that was replaced or closed before its analysis ended (nobody looks at it).
 */
function emptyAnalysis(
  m: Pick<AnalyseMessage, 'uri' | 'version' | 'kind' | 'options'>,
  reason?: string,
): DocumentAnalysis {
  return {
    uri: m.uri,
    version: m.version,
    languageId: m.kind,
    settings: { languageId: m.kind, blocks: [] },
    sites: [],
    lines: [],
    notAnalysed: reason,
  };
}

/** The analyses of the open documents, computed in worker threads (see the module comment). */
export class DocumentAnalyses {
  private readonly small: AnalysisLane;
  private readonly large: AnalysisLane;
  private readonly results = new Map<
    string,
    { version: number; options: AnalysisOptions; analysis: Promise<DocumentAnalysis> }
  >();
  private nextId = 1;

  /**
   * @param storePath the history store the workers read (null when it could not be opened: no history).
   * @param log the server's logger.
   * @param limits `heapLimitMiB` of each worker (default WORKER_HEAP_LIMIT_MIB; tests lower it).
   * @param team in service mode, the team's service the workers read, and where their reports of its state go.
   */
  constructor(
    storePath: string | null,
    log: Logger,
    limits: { heapLimitMiB?: number } = {},
    team: { config: TeamServiceConfig; onState: (s: ServiceState) => void } | null = null,
  ) {
    // analysis-worker.js sits next to this module: in server/out beside the bundle, in build/ beside the tsc output.
    const script = path.join(__dirname, 'analysis-worker.js');
    const heap = limits.heapLimitMiB ?? WORKER_HEAP_LIMIT_MIB;
    const config = team?.config ?? null;
    const onState = team?.onState ?? (() => undefined);
    this.small = new AnalysisLane('small', script, { storePath, niceness: 0, team: config }, false, log, heap, onState);
    this.large = new AnalysisLane(
      'large',
      script,
      { storePath, niceness: LARGE_WORKER_NICENESS, team: config },
      true,
      log,
      heap,
      onState,
    );
  }

  /**
   * The analysis of the document's current version; null when the document is of no kind the product reads.
   * Never throws: a failed or stopped analysis is an analysis without sites whose `notAnalysed` says why.
   * @param options per-document options (the same object while the document's settings are cached).
   * @param related the workspace folders and open related texts; called only when the analysis is started.
   */
  analysis(
    doc: OpenDocument,
    options: AnalysisOptions,
    related: () => RelatedContext,
  ): Promise<DocumentAnalysis> | null {
    const kind = documentKind(doc);
    if (!kind) return null;
    const hit = this.results.get(doc.uri);
    if (hit && hit.version === doc.version && hit.options === options) return hit.analysis;
    const text = doc.getText();
    const bytes = Buffer.byteLength(text, 'utf8');
    const base = { uri: doc.uri, version: doc.version, kind, options };
    let analysis: Promise<DocumentAnalysis>;
    if (bytes > MAX_ANALYSED_BYTES) {
      analysis = Promise.resolve(
        emptyAnalysis(
          base,
          `This file is ${mib(bytes)}, over the ${mib(MAX_ANALYSED_BYTES)} the language server analyses: its Spark settings are not read. ` +
            'Run `spark-optimizer check FILE` to check it from the command line.',
        ),
      );
    } else {
      const { roots, openTexts } = related();
      const message: AnalyseMessage = {
        type: 'analyse',
        id: this.nextId++,
        uri: doc.uri,
        version: doc.version,
        text,
        kind,
        options,
        roots,
        openTexts,
      };
      analysis = new Promise<DocumentAnalysis>((resolve) =>
        (bytes > LARGE_DOCUMENT_BYTES ? this.large : this.small).submit({ id: message.id, message, resolve }),
      );
      // A document that moved between lanes (grew or shrank past the threshold) must not be analysed twice.
      (bytes > LARGE_DOCUMENT_BYTES ? this.small : this.large).cancel(doc.uri);
    }
    this.results.set(doc.uri, { version: doc.version, options, analysis });
    return analysis;
  }

  /** Forgets a closed document and stops its analysis. */
  forget(uri: string): void {
    this.results.delete(uri);
    this.small.cancel(uri);
    this.large.cancel(uri);
  }

  /** After the history store changed: every analysis is recomputed on its next request. */
  historyChanged(): void {
    this.results.clear();
    this.small.historyChanged();
    this.large.historyChanged();
  }

  /** Stops the workers. */
  dispose(): void {
    this.small.dispose();
    this.large.dispose();
  }
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
}
