/**
 * The event-log reader: find Spark event logs on disk and fold each into an `ApplicationRecord`.
 *
 * Data flow: `discoverEventLogs(dir)` → `EventLogSource[]` → `readEventLog(source)` streams the files
 * (`eventLogLines`), parses each line and folds it (`ApplicationFolder`) → `{ record, stats }`.
 * No LSP, no store: plain data in, plain data out.
 */

export { codecFromFileName, codecFromMagic, discoverEventLogs, orderRollingFiles, singleSource } from './discover';
export type { DiscoverOptions, EventLogCodec, EventLogKind, EventLogSource } from './discover';
export { decodedFileChunks, eventLogLineBatches, eventLogLines, newLineProgress } from './lines';
export type { LineBatch, LineOptions, LineProgress } from './lines';
export { ApplicationFolder, FOLDED_EVENTS } from './fold';
export type { FolderOptions } from './fold';
export { classifyTaskFailure, failureMessage } from './failure';
export type { TaskFailureKind } from './failure';
export { durationQuantiles, sparkQuantile } from './quantiles';
export { JSON_FAILURE_MIN_LINES, JSON_FAILURE_RUN, JSON_FAILURE_SHARE, readEventLog } from './reader';
export type { ReadOptions, ReadResult } from './reader';
