/**
 * Entry point of an analysis worker thread (bundled as server/out/analysis-worker.js): parses and analyses documents
 * off the language server's main thread, so a big file never blocks a request. It reads the history store through
 * its own read connection (SQLite WAL lets the main thread write meanwhile) and keeps its own caches of runs, dropped
 * on `historyChanged`. Messages: documents/analysis-messages.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import { parentPort, workerData } from 'worker_threads';
import { clockFromEnvironment, type HistorySource } from '../language-service';
import { HistoryStore } from '../store/history-store';
import { filePathOf, findRelatedFiles } from '../workspace/related-files';
import type {
  AnalyseMessage,
  AnalysedMessage,
  AnalysisWorkerData,
  HistoryChangedMessage,
  ServiceStateMessage,
  WorkerLogMessage,
} from './analysis-messages';
import { HistorySources } from './history-sources';
import { describeFault, handleProcessFaults } from '../process-errors';

const port = parentPort;
if (!port) throw new Error('analysis-worker.js runs only as a worker thread of the language server');

// A promise rejected with nobody to catch it goes to the server's log and the worker keeps analysing (Node would end
// the thread). An uncaught exception keeps Node's default: the thread ends, and the main thread logs it, gives the
// document a notAnalysed reason and starts a new worker (document-analyses.ts).
handleProcessFaults(
  (fault, error) =>
    port.postMessage({ type: 'log', level: 'error', message: describeFault(fault, error) } satisfies WorkerLogMessage),
  'node-default',
);

const { storePath, niceness, team } = workerData as AnalysisWorkerData;
if (niceness > 0 && process.platform === 'linux') {
  try {
    // /proc/thread-self is this thread's /proc/<pid>/task/<tid>; setpriority on a thread id renices that thread only.
    os.setPriority(Number(fs.readlinkSync('/proc/thread-self').split('/').pop()), niceness);
  } catch {
    // Not permitted or no /proc: run at the server's priority.
  }
}
let history: HistorySource = { appNames: () => [], runsByAppName: () => [] };
if (storePath) {
  try {
    history = HistoryStore.open(storePath);
  } catch {
    // The main thread opened it and logged any error; analyse without history.
  }
}
let clock: () => number = Date.now;
try {
  clock = clockFromEnvironment();
} catch {
  // The main thread logged the bad SPARK_OPTIMIZER_NOW and uses the real clock too.
}
// In service mode the worker reads the team's service (its own connection and loaded records) and falls back to the
// store; a change of the service's state goes to the main thread, which tells the user once.
let sources: HistorySources;
try {
  sources = new HistorySources(history, clock, team, (s) =>
    port.postMessage({ type: 'serviceState', ...s } satisfies ServiceStateMessage),
  );
} catch {
  // The main thread checked the URL and said what is wrong with it; analyse on the store.
  sources = new HistorySources(history, clock, null);
}

port.on('message', (m: AnalyseMessage | HistoryChangedMessage) => {
  if (m.type === 'historyChanged') {
    sources.historyChanged();
    return;
  }
  const related = () => {
    const docPath = filePathOf(m.uri);
    return docPath !== null ? findRelatedFiles(docPath, m.roots, (file) => m.openTexts[file]) : [];
  };
  // One analysis at a time per worker (the main thread sends the next after this answer).
  void sources
    .run((service) => {
      try {
        return service.analyse(m.uri, m.text, m.kind, m.version, m.options, related);
      } finally {
        // The main thread keeps the analysis; this thread need not hold the document.
        service.forget(m.uri);
      }
    })
    .then(
      (analysis): AnalysedMessage => ({ type: 'analysed', id: m.id, analysis }),
      (e: unknown): AnalysedMessage => ({
        type: 'failed',
        id: m.id,
        reason: e instanceof Error ? (e.stack ?? e.message) : String(e),
      }),
    )
    .then((answer) => port.postMessage(answer));
});
