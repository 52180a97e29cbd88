import * as path from 'path';
import { discoverEventLogs, EventLogSource } from './event-log/discover';
import { readEventLog } from './event-log/reader';
import { Ingest, withoutPath, type HistorySink, type IngestSummary } from './ingest';
import { errorMessage } from '../../../shared/src/errors';

/** Result of one collection from a folder of event logs: the ingest pipeline's counts and reports. */
export type CollectionSummary = IngestSummary;

/** Options of `collectEventLogs`. */
export interface CollectOptions {
  /** Read and report, but write nothing. */
  dryRun?: boolean;
  /** Cancels between (and inside) logs. */
  signal?: AbortSignal;
  /** Folder levels below `dir` searched for logs (default 8; 0 = only `dir`'s own entries). */
  maxDepth?: number;
  /** Called after each source with (done, total, path). */
  onProgress?: (done: number, total: number, path: string) => void;
}

/**
 * Reads every event log below `dir` into `sink` through the ingest pipeline (ingest.ts: validate, upsert, count).
 * Source versions (path, size, mtime) already ingested are skipped without reading; each application attempt is written
 * in its own transaction, so cancelling or killing the process leaves a consistent store and the next run resumes
 * where this one stopped.
 * @param dir folder holding event logs (single files, `.inprogress`, `eventlog_v2_*` rolling folders, zstd, ...).
 * A file or folder below `dir` that cannot be read (no permission, a broken link) counts as found and failed,
 * with the reason; a folder or file reached again through a symbolic link is read once (see discoverEventLogs).
 * @throws Error only when `dir` cannot be listed; per-log errors (unreadable, invalid, store locked) land in `failed`.
 */
export async function collectEventLogs(
  dir: string,
  sink: HistorySink,
  opts: CollectOptions = {},
): Promise<CollectionSummary> {
  // Sources are keyed by path in the store: always absolute, so `logs` and `/abs/logs` are the same source.
  dir = path.resolve(dir);
  // Files and folders that exist but cannot be read may hold logs: each is a failure, never a silent skip.
  const unreadable: { path: string; reason: string }[] = [];
  const sources: EventLogSource[] = await discoverEventLogs(dir, {
    maxDepth: opts.maxDepth,
    onUnreadable: (p, reason) => unreadable.push({ path: p, reason: `could not be read: ${reason}` }),
  });
  const ingest = new Ingest(sink, { dryRun: opts.dryRun });
  ingest.summary.found = sources.length + unreadable.length;
  for (const u of unreadable) ingest.fail(u.path, u.reason);
  let done = 0;
  for (const src of sources) {
    if (opts.signal?.aborted) {
      ingest.summary.cancelled = true;
      break;
    }
    try {
      if (!(await ingest.alreadyIngested(src))) {
        const read = await readEventLog(src, { signal: opts.signal });
        await ingest.accept(
          read,
          { path: src.path, sizeBytes: src.sizeBytes, mtimeMs: src.mtimeMs, malformedLines: read.stats.malformedLines },
          'event-log',
        );
      }
    } catch (e) {
      if (opts.signal?.aborted) {
        ingest.summary.cancelled = true;
        break;
      }
      ingest.fail(src.path, withoutPath(errorMessage(e), src.path));
    }
    done++;
    opts.onProgress?.(done, sources.length, src.path);
  }
  return ingest.summary;
}
