import * as path from 'path';
import type { CollectSummary } from '../../../shared/src/protocol';
import type { HistoryStore, UpsertOutcome } from '../store/history-store';
import { discoverEventLogs, EventLogSource } from './event-log/discover';
import { readEventLog } from './event-log/reader';
import { validateRecord } from './validate';

/**
 * Result of one collection: the protocol's summary (counts per outcome, every failure with its reason)
 * plus the applications read.
 */
export interface CollectionSummary extends Omit<CollectSummary, 'storedApplications'> {
  /** Records read: appId, app name, attempt, what the store did with it (or `dry-run`). */
  applications: { appId: string; attemptId: string | null; appName: string; path: string; outcome: UpsertOutcome | 'dry-run' }[];
}

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
 * Reads every event log below `dir` into `store`. Logs whose path, size and mtime are already stored are
 * skipped without reading; each application is written in its own transaction, so cancelling or killing
 * the process leaves a consistent store and the next run resumes where this one stopped.
 * A file or folder below `dir` that cannot be read (no permission, a broken link) counts as found and failed,
 * with the reason; a folder or file reached again through a symbolic link is read once (see discoverEventLogs).
 * @param dir folder holding event logs (single files, `.inprogress`, `eventlog_v2_*` rolling folders, zstd).
 * @throws Error only when `dir` cannot be listed; per-log errors land in `failed`.
 */
export async function collectEventLogs(dir: string, store: HistoryStore, opts: CollectOptions = {}): Promise<CollectionSummary> {
  // Sources are keyed by path in the store: always absolute, so `logs` and `/abs/logs` are the same source.
  dir = path.resolve(dir);
  // Files and folders that exist but cannot be read may hold logs: each is a failure, never a silent skip.
  const unreadable: { path: string; reason: string }[] = [];
  const sources: EventLogSource[] = await discoverEventLogs(dir, { maxDepth: opts.maxDepth, onUnreadable: (p, reason) => unreadable.push({ path: p, reason: `could not be read: ${reason}` }) });
  const summary: CollectionSummary = { found: sources.length + unreadable.length, inserted: 0, updated: 0, unchanged: 0, failed: [...unreadable], malformedLines: 0, cancelled: false, applications: [] };
  let done = 0;
  for (const src of sources) {
    if (opts.signal?.aborted) {
      summary.cancelled = true;
      break;
    }
    try {
      if (!opts.dryRun && store.hasSource(src)) {
        summary.unchanged++;
      } else {
        const { record, stats } = await readEventLog(src, { signal: opts.signal });
        const problems = record ? validateRecord(record) : [];
        summary.malformedLines += stats.malformedLines;
        if (!record) {
          summary.failed.push({ path: src.path, reason: withoutPath(stats.warnings[0] ?? 'no SparkListenerApplicationStart event in the log', src.path) });
        } else if (problems.length > 0) {
          summary.failed.push({ path: src.path, reason: `not stored, the record read from it is invalid: ${problems.join('; ')}` });
        } else if (opts.dryRun) {
          summary.applications.push({ appId: record.appId, attemptId: record.attemptId, appName: record.appName, path: src.path, outcome: 'dry-run' });
        } else {
          const outcome = store.upsert(record, { path: src.path, sizeBytes: src.sizeBytes, mtimeMs: src.mtimeMs, malformedLines: stats.malformedLines });
          if (outcome === 'inserted') summary.inserted++;
          else if (outcome === 'updated') summary.updated++;
          else summary.unchanged++;
          summary.applications.push({ appId: record.appId, attemptId: record.attemptId, appName: record.appName, path: src.path, outcome });
        }
      }
    } catch (e) {
      if (opts.signal?.aborted) {
        summary.cancelled = true;
        break;
      }
      summary.failed.push({ path: src.path, reason: withoutPath(e instanceof Error ? e.message : String(e), src.path) });
    }
    done++;
    opts.onProgress?.(done, sources.length, src.path);
  }
  return summary;
}

/** Reasons are shown after the path; drop a leading copy of it. */
function withoutPath(reason: string, p: string): string {
  return reason.startsWith(`${p}: `) ? reason.slice(p.length + 2) : reason;
}
