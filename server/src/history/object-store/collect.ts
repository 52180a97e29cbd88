/**
 * Collecting event logs from an object store (S3, GCS, Azure Blob): list every key under the prefix (all pages), find
 * the logs in that listing with the local reader's own rules (event-log/discover.ts `discoverEventLogsIn` on a
 * `listingTree`: single files, codecs by extension checked against the first bytes, `.inprogress`, `eventlog_v2_*`
 * rolling folders, legacy folders, Databricks `eventlog` + dated parts), skip each log whose objects all have the versions
 * the store holds for it (their ETags, or GCS generations: a rewrite is read again even when it kept the size and
 * Last-Modified; by total size and newest Last-Modified when the store gives no versions), and stream the others through the same decoders and reader into the
 * one ingest pipeline (ingest.ts). Nothing holds a whole log: each object is read as a stream, resumed from the byte
 * reached when its connection is cut (object-store.ts `resumingRead`).
 */

import { discoverEventLogsIn, codecFromNameAndHead, listingTree, type EventLogSource } from '../event-log/discover';
import { readEventLog } from '../event-log/reader';
import { Ingest, withoutPath, type HistorySink, type IngestSummary } from '../ingest';
import { headBytes, ObjectStoreError, resumingRead, type ObjectStore, type StoredObject } from './object-store';
import { errorMessage } from '../../../../shared/src/errors';

/** Options of {@link collectObjectStore}. */
export interface ObjectStoreCollectOptions {
  /** Read and report, write nothing. */
  dryRun?: boolean;
  /** Cancels the listing and the reads. */
  signal?: AbortSignal;
  /** Folder levels below the prefix searched for logs (default 8; 0 = only the prefix's own entries). */
  maxDepth?: number;
  /** Logs read at once (default 4). */
  concurrency?: number;
  /** Times a body cut mid-object is resumed (default 3). */
  maxResumes?: number;
  /** Backoff before the first resume, ms, doubled each time (default 200). */
  resumeBackoffMs?: number;
  /** Called after each log with (done, total, path). */
  onProgress?: (done: number, total: number, path: string) => void;
}

/** What one object-store collection did: the ingest counts and reports, plus what was listed and downloaded. */
export interface ObjectStoreCollectSummary extends IngestSummary {
  /** Objects the listing returned under the prefix (all pages). */
  listedObjects: number;
  /** Objects whose bytes were requested (a head read of the first bytes counts too). */
  downloadedObjects: number;
}

/**
 * Collects every event log under `prefix` of `store` into `sink` through the ingest pipeline.
 * @param store the bucket (s3.ts, ...).
 * @param prefix key prefix without leading or trailing `/` (`''` for the whole bucket); a key equal to it is one log.
 * @returns the summary; logs that fail (a read that fails after retries and resumes, a corrupt log) land in `failed`.
 * @throws ObjectStoreError when the listing fails (credentials, permission, missing bucket, network after retries), and
 *   Error when nothing lies under the prefix.
 */
export async function collectObjectStore(
  store: ObjectStore,
  prefix: string,
  sink: HistorySink,
  opts: ObjectStoreCollectOptions = {},
): Promise<ObjectStoreCollectSummary> {
  const objects = new Map<string, StoredObject>();
  for await (const o of store.list(prefix, opts.signal)) {
    if (prefix === '' || o.key === prefix || o.key.startsWith(`${prefix}/`)) objects.set(`${store.base}/${o.key}`, o);
  }
  const root = prefix === '' ? store.base : `${store.base}/${prefix}`;
  if (objects.size === 0) throw new Error(`${root}: no objects under this prefix`);
  const unreadable: { path: string; reason: string }[] = [];
  const sources = await discoverEventLogsIn(listingTree(store.base, objects.values()), root, {
    maxDepth: opts.maxDepth,
    onUnreadable: (p, reason) => unreadable.push({ path: p, reason: `could not be read: ${reason}` }),
  });
  const ingest = new Ingest(sink, { dryRun: opts.dryRun });
  const summary: ObjectStoreCollectSummary = Object.assign(ingest.summary, {
    listedObjects: objects.size,
    downloadedObjects: 0,
  });
  summary.found = sources.length + unreadable.length;
  for (const u of unreadable) ingest.fail(u.path, u.reason);

  const keyOf = (file: string): string => file.slice(store.base.length + 1);
  const versionOf = (file: string): string | null => objects.get(file)?.version ?? null;
  /** The versions of a log's objects in reading order (ingest.ts `SourceVersion.objectVersions`), null if one has none. */
  const objectVersionsOf = (src: EventLogSource): string | null => {
    const versions = src.files.map(versionOf);
    return versions.every((v): v is string => v !== null) ? versions.join(' ') : null;
  };
  const read = (file: string, offset: number, end: number | null) => {
    summary.downloadedObjects++;
    return store.read(keyOf(file), offset, end, versionOf(file), opts.signal);
  };

  /** Settles each file's codec from its first bytes, as local discovery does when it stats a file. */
  async function settleCodecs(src: EventLogSource): Promise<void> {
    for (let i = 0; i < src.files.length; i++) {
      const file = src.files[i];
      if ((objects.get(file)?.sizeBytes ?? 0) === 0) continue;
      const head = await headBytes(await read(file, 0, 8), 8);
      const { codec, warning } = codecFromNameAndHead(file, src.codecs[i], head);
      src.codecs[i] = codec;
      if (warning) src.warnings.push(warning);
    }
  }

  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < sources.length) {
      const src = sources[next++];
      if (opts.signal?.aborted) {
        summary.cancelled = true;
        return;
      }
      try {
        const version = {
          path: src.path,
          sizeBytes: src.sizeBytes,
          mtimeMs: src.mtimeMs,
          objectVersions: objectVersionsOf(src),
        };
        if (!(await ingest.alreadyIngested(version))) {
          await settleCodecs(src);
          const result = await readEventLog(src, {
            signal: opts.signal,
            openFile: async (file) =>
              resumingRead((offset) => read(file, offset, null), file, {
                maxResumes: opts.maxResumes,
                backoffMs: opts.resumeBackoffMs,
                signal: opts.signal,
              }),
          });
          await ingest.accept(result, { ...version, malformedLines: result.stats.malformedLines }, 'event-log');
        }
      } catch (e) {
        if (opts.signal?.aborted) {
          summary.cancelled = true;
          return;
        }
        ingest.fail(
          src.path,
          withoutPath(errorMessage(e), src.path),
          null,
          null,
          e instanceof ObjectStoreError ? e.kind : undefined,
        );
      }
      done++;
      opts.onProgress?.(done, sources.length, src.path);
    }
  };
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 4));
  await Promise.all(Array.from({ length: Math.min(concurrency, sources.length) }, worker));
  summary.applications.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return summary;
}
