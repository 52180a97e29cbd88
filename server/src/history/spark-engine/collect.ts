/**
 * `collect --engine spark`: event logs read and folded by Spark where they lie, the records stored here.
 *
 * 1. Spark lists the archive (`binaryFile` source, paths and sizes only) and discovery (event-log/discover.ts, on
 *    that listing) finds the logs with the same layouts as a local folder: single files, rolling `eventlog_v2_*`
 *    folders, Spark 1.x folders, Databricks parts; sources already stored (same path, size, mtime) are skipped.
 * 2. The files of the logs to read go to Spark as a small table (file → log, place in the log), and Spark's text source
 *    reads the logs (the compressed ones through Spark's own codecs: jvm/event-log-codecs).
 * 3. One SQL query (fold-sql.ts) folds them per application, stage attempt, executor and job; only those rows come
 *    back, as Arrow batches, and records.ts makes each a record with the fold's own builder.
 * 4. Every record goes through the one ingest pipeline (ingest.ts), as from a local folder.
 *
 * Spark is reached through {@link SparkSql}, which the Spark Connect client implements (connect/spark-sql.ts): this
 * module never imports connect/.
 */
import * as path from 'node:path';
import { z } from 'zod';
import {
  discoverEventLogsIn,
  listingTree,
  MARKER_FILES_GLOB,
  type EventLogSource,
  type ListedObject,
} from '../event-log/discover';
import { Ingest, withoutPath, type HistorySink, type IngestSummary } from '../ingest';
import { errorMessage } from '../../../../shared/src/errors';
import { FILES_VIEW, FOLD_SESSION_CONF, foldStatements, LINES_VIEW, malformedRunsQuery } from './fold-sql';
import { filesNeedingRuns, FoldRowSchema, readOutcomeOf, type FoldRow, type MalformedRun } from './records';

/** A column of rows sent to Spark. */
export interface RowsColumn {
  name: string;
  type: 'string' | 'int';
  values: readonly (string | number)[];
}

/** Progress of a Spark query: its tasks. */
export interface SparkQueryProgress {
  tasksDone: number;
  tasksTotal: number;
}

/** What the collector needs of a Spark session (implemented over Spark Connect by connect/spark-sql.ts). */
export interface SparkSql {
  /** Registers `name` as a temporary view: files read by a data source (`text`, `binaryFile`) with options, projected by SQL expressions. */
  createFileView(
    name: string,
    source: { format: string; paths: string[]; options: Record<string, string> },
    expressions: string[],
  ): Promise<void>;
  /**
   * Every file the data source would read from `paths`, empty files included (a scan skips them), URL-encoded as Spark
   * spells a file's URI; nothing is read.
   */
  inputFiles(source: { format: string; paths: string[]; options: Record<string, string> }): Promise<string[]>;
  /** Sets settings of the session (Spark SQL configuration keys). */
  configure(settings: Readonly<Record<string, string>>): Promise<void>;
  /** Registers rows sent from here as a temporary view (columns of equal length). */
  createRowsView(name: string, columns: RowsColumn[]): Promise<void>;
  /** Runs one query; each batch of rows (values by column name; nested structs as objects, arrays as arrays) goes to `onRows` as it arrives. */
  query(
    sql: string,
    options: {
      onRows: (rows: Record<string, unknown>[]) => void;
      signal?: AbortSignal;
      onProgress?: (p: SparkQueryProgress) => void;
    },
  ): Promise<void>;
}

/**
 * The Hadoop codec classes of jvm/event-log-codecs/SparkEventLogCodecs.java (one per Spark codec and name ending), given
 * to the text source as `io.compression.codecs`; test/spark-engine-sql.test.ts checks this list against the Java source.
 */
export const EVENT_LOG_CODEC_CLASSES: readonly string[] = ['Zstd', 'Lz4', 'Snappy', 'Lzf'].flatMap((codec) =>
  ['', 'InProgress', 'Compact'].map((variant) => `sparkoptimizer.eventlog.SparkEventLogCodecs$${codec}${variant}`),
);

/** The jar built from jvm/event-log-codecs by scripts/build-event-log-codecs.sh (put it on the Spark Connect server with `--jars`). */
export const EVENT_LOG_CODECS_JAR = 'spark-optimizer-event-log-codecs.jar';

/** Options of {@link collectWithSpark}. */
export interface SparkCollectOptions {
  /** Read and report, but write nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** Folder levels below the root searched for logs (default 8; 0 = only the root's own entries), as for a local folder. */
  maxDepth?: number;
  /** Called with what Spark is doing. */
  onProgress?: (phase: 'listing' | 'folding' | 'storing', done: number, total: number) => void;
}

/** What {@link collectWithSpark} reports besides the ingest summary. */
export interface SparkCollectSummary extends IngestSummary {
  /** Files Spark listed below the root. */
  listedFiles: number;
  /** Files of the logs Spark read. */
  readFiles: number;
  /**
   * Milliseconds of each phase: listing (Spark), folding (Spark's queries and the rows coming back), storing (records
   * built and stored through ingest); `rows`: of folding, the part spent here checking the rows as they arrived.
   */
  phasesMs: { listing: number; folding: number; storing: number; rows: number };
}

/**
 * A path as Spark spells the files it lists: `file:/abs/dir` for a local path (as Hadoop's local file system qualifies
 * it), else the URL with its scheme (`s3a://bucket/prefix`), without a trailing slash.
 * @param root the path given by the user (a local path, `file:///…`, `s3a://…`, `gs://…`, `abfss://…`, `hdfs://…`).
 */
export function sparkQualifiedPath(root: string): string {
  const trimmed = root.replace(/\/+$/, '');
  if (/^file:/i.test(trimmed)) return `file:${trimmed.replace(/^file:(\/\/)?/i, '').replace(/^\/*/, '/')}`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return trimmed;
  return `file:${path.resolve(trimmed)}`;
}

/** Splits a qualified path into the store part (`file:`, `s3a://bucket`) and the key below it. */
function splitQualified(p: string): { base: string; key: string } {
  const m = /^([a-z][a-z0-9+.-]*:(?:\/\/[^/]*)?)(.*)$/i.exec(p);
  if (!m) throw new Error(`${p}: not a path Spark lists`);
  return { base: m[1], key: m[2] };
}

/** A row of Spark's listing: `_metadata.file_path` (as the text source spells it), `path`, size and mtime (epoch ms). */
const ListingRowSchema = z.object({
  p: z.string(),
  path: z.string(),
  length: z.number().int().nonnegative(),
  mtime: z.number(),
});

/** A row of the malformed-runs query (fold-sql.ts `malformedRunsQuery`). */
const RunRowSchema = z.object({
  log_id: z.number().int(),
  file_seq: z.number().int(),
  longest: z.object({ n: z.number().int(), start_line: z.number().int() }),
});

/** The files the listing shows, by the path discovery uses (Spark's `path`), with the spelling of `_metadata.file_path`. */
async function listArchive(
  spark: SparkSql,
  root: string,
  signal?: AbortSignal,
): Promise<{ objects: ListedObject[]; metadataPath: Map<string, string> }> {
  await spark.createFileView(
    'spo_listing',
    { format: 'binaryFile', paths: [root], options: { recursiveFileLookup: 'true' } },
    ['_metadata.file_path AS p', 'path', 'length', 'unix_millis(modificationTime) AS mtime'],
  );
  const objects: ListedObject[] = [];
  const metadataPath = new Map<string, string>();
  const qualified = sparkQualifiedPath(root);
  const { base } = splitQualified(qualified);
  await spark.query('SELECT p, path, length, mtime FROM spo_listing', {
    signal,
    onRows: (rows) => {
      for (const raw of rows) {
        const r = ListingRowSchema.parse(raw);
        if (!r.path.startsWith(base)) continue;
        metadataPath.set(r.path, r.p);
        objects.push({ key: r.path.slice(base.length), sizeBytes: r.length, mtimeMs: r.mtime });
      }
    },
  });
  // A scan skips empty files, but discovery needs the empty markers (a rolling log's `appstatus_` file says whether it
  // finished, a Spark 1.x folder's marker files its version and codec): those names are listed without reading.
  const listed = new Set(objects.map((o) => o.key));
  const markers = await spark.inputFiles({
    format: 'binaryFile',
    paths: [root],
    options: { recursiveFileLookup: 'true', pathGlobFilter: MARKER_FILES_GLOB },
  });
  for (const uri of markers) {
    const p = decodeURIComponent(uri);
    if (!p.startsWith(base) || listed.has(p.slice(base.length))) continue;
    objects.push({ key: p.slice(base.length), sizeBytes: 0, mtimeMs: 0 });
  }
  return { objects, metadataPath };
}

/**
 * Reads the event logs below `root` with Spark and stores their records in `sink` through the ingest pipeline.
 * @param spark a Spark session ({@link SparkSql}); its server must have the event-log codecs jar ({@link EVENT_LOG_CODECS_JAR}) to read compressed logs.
 * @param root the archive as Spark sees it: a folder on the Spark side (`/data/spark-events`, `file:///…`), or a
 *   Hadoop file-system URL (`s3a://bucket/prefix`, `gs://…`, `abfss://…`, `hdfs://…`).
 * @returns the ingest summary (as a local collection's), plus what Spark listed and read and how long each phase took.
 * @throws Error from Spark when the root cannot be listed (no such path, no permission) or the query fails; a log Spark
 *   read but that holds no application, or an invalid record, is a failure in the summary, as for a local folder.
 */
export async function collectWithSpark(
  spark: SparkSql,
  root: string,
  sink: HistorySink,
  opts: SparkCollectOptions = {},
): Promise<SparkCollectSummary> {
  const t0 = performance.now();
  opts.onProgress?.('listing', 0, 1);
  const { objects, metadataPath } = await listArchive(spark, root, opts.signal);
  const qualified = sparkQualifiedPath(root);
  const { base } = splitQualified(qualified);
  const unreadable: { path: string; reason: string }[] = [];
  const sources = await discoverEventLogsIn(listingTree(base, objects), qualified, {
    maxDepth: opts.maxDepth,
    onUnreadable: (p, reason) => unreadable.push({ path: p, reason: `could not be read: ${reason}` }),
  });
  const ingest = new Ingest(sink, { dryRun: opts.dryRun });
  ingest.summary.found = sources.length + unreadable.length;
  for (const u of unreadable) ingest.fail(u.path, u.reason);
  const toRead: EventLogSource[] = [];
  for (const src of sources) if (!(await ingest.alreadyIngested(src))) toRead.push(src);
  const tListed = performance.now();
  const summary: SparkCollectSummary = {
    ...ingest.summary,
    listedFiles: objects.length,
    readFiles: 0,
    phasesMs: { listing: tListed - t0, folding: 0, storing: 0, rows: 0 },
  };
  if (toRead.length === 0)
    return Object.assign(ingest.summary, {
      listedFiles: summary.listedFiles,
      readFiles: 0,
      phasesMs: summary.phasesMs,
    });

  // The files to read: the whole folder when most files are to be read (one recursive listing), else each file by name.
  const files = toRead.flatMap((src, logId) => src.files.map((file, fileSeq) => ({ file, logId, fileSeq })));
  await spark.createRowsView(FILES_VIEW, [
    { name: 'file_path', type: 'string', values: files.map((x) => metadataPath.get(x.file) ?? x.file) },
    { name: 'log_id', type: 'int', values: files.map((x) => x.logId) },
    { name: 'file_seq', type: 'int', values: files.map((x) => x.fileSeq) },
  ]);
  const wholeFolder = files.length * 2 >= objects.length;
  await spark.createFileView(
    LINES_VIEW,
    {
      format: 'text',
      paths: wholeFolder ? [root] : files.map((x) => x.file),
      options: {
        ...(wholeFolder ? { recursiveFileLookup: 'true' } : {}),
        // A file that ends inside a compressed block (a live log) keeps the lines before the cut (FileScanRDD goes on
        // with the next file), as the local reader does.
        ignoreCorruptFiles: 'true',
        'io.compression.codecs': EVENT_LOG_CODEC_CLASSES.join(','),
      },
    },
    ['_metadata.file_path AS p', '_metadata.file_block_start AS b', 'monotonically_increasing_id() AS m', 'value'],
  );
  summary.readFiles = files.length;

  // Rows arrive while Spark still sends; they are stored in order as they come (a queue between the stream and ingest).
  const rows: FoldRow[] = [];
  const needRuns: FoldRow[] = [];
  const runsByLog = new Map<number, Map<number, MalformedRun>>();
  const seen = new Set<number>();
  let storingMs = 0;
  let stored = 0;
  let wake: () => void = () => undefined;
  let streamDone = false;
  const store = async (row: FoldRow | null, logId: number, runs?: Map<number, MalformedRun>): Promise<void> => {
    const src = toRead[logId];
    const t = performance.now();
    try {
      const read = readOutcomeOf(src, row, runs);
      await ingest.accept(
        read,
        {
          path: src.path,
          sizeBytes: src.sizeBytes,
          mtimeMs: src.mtimeMs,
          malformedLines: read.stats?.malformedLines ?? 0,
        },
        'event-log',
      );
    } catch (e) {
      ingest.fail(src.path, withoutPath(errorMessage(e), src.path));
    }
    storingMs += performance.now() - t;
    opts.onProgress?.('storing', ++stored, toRead.length);
  };
  const consumer = (async () => {
    for (;;) {
      const row = rows.shift();
      if (row !== undefined) {
        await store(row, row.log_id);
        continue;
      }
      if (streamDone) return;
      await new Promise<void>((r) => (wake = r));
    }
  })();
  const tFold = performance.now();
  const none = (): void => undefined;
  const fold = foldStatements(foldPartitions(toRead.length), files.length <= MAX_BROADCAST_FILES);
  try {
    // Spark reads and parses the archive once (cached), then the task ends (cached), then folds from both.
    await spark.configure(FOLD_SESSION_CONF);
    for (const sql of fold.setup)
      await spark.query(sql, {
        signal: opts.signal,
        onRows: none,
        onProgress: (p) => opts.onProgress?.('folding', p.tasksDone, p.tasksTotal),
      });
    await spark.query(fold.query, {
      signal: opts.signal,
      onProgress: (p) => opts.onProgress?.('folding', p.tasksDone, p.tasksTotal),
      onRows: (batch) => {
        const t = performance.now();
        for (const raw of batch) {
          const row = FoldRowSchema.parse(raw);
          if (row.log_id >= toRead.length || seen.has(row.log_id))
            throw new Error(`Spark's fold gave an unexpected log id ${row.log_id}`);
          seen.add(row.log_id);
          (filesNeedingRuns(row).length > 0 ? needRuns : rows).push(row);
        }
        summary.phasesMs.rows += performance.now() - t;
        wake();
      },
    });
    // Logs with malformed lines enough for a run: their runs, from the cached lines of those files.
    if (needRuns.length > 0) await addRuns(spark, needRuns, runsByLog, opts.signal);
  } finally {
    streamDone = true;
    wake();
    await consumer;
    for (const sql of fold.cleanup) await spark.query(sql, { onRows: none }).catch(() => undefined);
  }
  for (const row of needRuns) await store(row, row.log_id, runsByLog.get(row.log_id));
  // Logs Spark read no line of (empty files): as the local reader, no application in 0 lines.
  for (let logId = 0; logId < toRead.length; logId++) if (!seen.has(logId)) await store(null, logId);
  const tEnd = performance.now();
  summary.phasesMs.folding = tEnd - tFold - storingMs;
  summary.phasesMs.storing = storingMs;
  return Object.assign(ingest.summary, {
    listedFiles: summary.listedFiles,
    readFiles: summary.readFiles,
    phasesMs: summary.phasesMs,
  });
}

/** Adds the longest malformed runs of the files of `rows` that need them (fold-sql.ts `malformedRunsQuery`) to `runs`. */
async function addRuns(
  spark: SparkSql,
  rows: FoldRow[],
  runs: Map<number, Map<number, MalformedRun>>,
  signal?: AbortSignal,
): Promise<void> {
  const keys = rows.flatMap((r) => filesNeedingRuns(r).map((fileSeq) => ({ logId: r.log_id, fileSeq })));
  await spark.query(malformedRunsQuery(keys), {
    signal,
    onRows: (batch) => {
      for (const r of batch.map((x) => RunRowSchema.parse(x))) {
        if (!runs.has(r.log_id)) runs.set(r.log_id, new Map());
        runs.get(r.log_id)!.set(r.file_seq, { length: r.longest.n, startLine: r.longest.start_line });
      }
    },
  });
}

/**
 * Partitions of the cached tables: whole logs per partition, about {@link LOGS_PER_PARTITION} each, at least 2.
 * @param logs the number of logs to read.
 */
export function foldPartitions(logs: number): number {
  return Math.max(2, Math.min(MAX_FOLD_PARTITIONS, Math.ceil(logs / LOGS_PER_PARTITION)));
}

/** Most files whose list is broadcast to the executors (about 150 bytes each: some 30 MB). */
const MAX_BROADCAST_FILES = 200_000;

/** Logs per partition of the fold (a few hundred MB of event logs at the logs' usual sizes of 0.1–2 MB). */
const LOGS_PER_PARTITION = 200;
/** Most partitions of the fold (Spark handles thousands; more only adds task overhead). */
const MAX_FOLD_PARTITIONS = 4000;
