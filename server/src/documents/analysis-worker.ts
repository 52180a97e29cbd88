/**
 * Entry point of an analysis worker thread (bundled as server/out/analysis-worker.js): parses and analyses documents
 * off the language server's main thread, so a big file never blocks a request. It reads the history store through
 * its own read connection (SQLite WAL lets the main thread write meanwhile) and keeps its own caches of runs, dropped
 * on `historyChanged`. Messages: documents/analysis-messages.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import { parentPort, workerData } from 'worker_threads';
import { clockFromEnvironment, SparkLanguageService, type HistorySource } from '../language-service';
import { HistoryStore } from '../store/history-store';
import { filePathOf, findRelatedFiles } from '../workspace/related-files';
import type {
  AnalyseMessage,
  AnalysedMessage,
  AnalysisWorkerData,
  HistoryChangedMessage,
  WorkerLogMessage,
} from './analysis-messages';
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

const { storePath, niceness } = workerData as AnalysisWorkerData;
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
const service = new SparkLanguageService(history, clock);

port.on('message', (m: AnalyseMessage | HistoryChangedMessage) => {
  if (m.type === 'historyChanged') {
    service.historyChanged();
    return;
  }
  let answer: AnalysedMessage;
  try {
    const related = () => {
      const docPath = filePathOf(m.uri);
      return docPath !== null ? findRelatedFiles(docPath, m.roots, (file) => m.openTexts[file]) : [];
    };
    const analysis = service.analyse(m.uri, m.text, m.kind, m.version, m.options, related);
    // The main thread keeps the analysis; this thread need not hold the document.
    service.forget(m.uri);
    answer = { type: 'analysed', id: m.id, analysis };
  } catch (e) {
    answer = { type: 'failed', id: m.id, reason: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  port.postMessage(answer);
});
