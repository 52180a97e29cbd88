/**
 * Reading one event log into an application record: lines → JSON → {@link ApplicationFolder}.
 *
 * Tolerance follows Spark's `ReplayListenerBus` but goes further (spark-reference E1): a malformed
 * line anywhere is counted and skipped (Spark aborts unless it is the last line of an unfinished
 * log), a truncated compressed stream keeps what was decoded, and a missing `ApplicationEnd` only
 * makes the record incomplete.
 */

import type { ApplicationRecord, ReadStats } from '../application-record';
import type { EventLogSource } from './discover';
import { ApplicationFolder, FOLDED_EVENTS } from './fold';
import { eventLogLineBatches, newLineProgress } from './lines';

/** Options of {@link readEventLog}. */
export interface ReadOptions {
  /** Cancels the read; `readEventLog` then rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Parse every line, also those of events the folder ignores (default false). By default a line that
   * starts `{"Event":"<name>"`, ends with `}` and names an event the folder does not read is counted as
   * ignored without `JSON.parse` (the shortcut SPARK-18010 used for listing), so it is not checked for
   * being well-formed: big SQL-plan and task-start events cost nothing.
   */
  validateAllLines?: boolean;
  /** Longest line parsed, bytes (default 256 MiB); longer lines count as malformed. */
  maxLineBytes?: number;
}

/** What {@link readEventLog} returns. */
export interface ReadResult {
  /** The application, or null when the log has no `SparkListenerApplicationStart` (see `stats.warnings[0]`). */
  record: ApplicationRecord | null;
  stats: ReadStats;
}

/** At most this many malformed lines are listed by number and described in warnings. */
const MAX_MALFORMED_LISTED = 10;
const EVENT_PREFIX = '{"Event":"';
const CLOSE_BRACE = 0x7d;
const BACKSLASH = '\\';

/** The event name of a line written by Spark's JsonProtocol (`{"Event":"Name",…`), or null when the line does not start so. */
function eventNameOf(line: string): string | null {
  if (!line.startsWith(EVENT_PREFIX)) return null;
  const end = line.indexOf('"', EVENT_PREFIX.length);
  if (end < 0) return null;
  const name = line.slice(EVENT_PREFIX.length, end);
  return name.includes(BACKSLASH) ? null : name;
}

function isBlank(line: string): boolean {
  return line.length === 0 || line.trim().length === 0;
}

/**
 * Reads one application attempt's event log (streaming; memory does not grow with the log size).
 *
 * @param source from `discoverEventLogs`.
 * @param opts cancellation and parsing options.
 * @returns the record (null with a first warning when the log holds no `SparkListenerApplicationStart`)
 *   and the read statistics: lines, malformed lines with their numbers (1-based over the whole source,
 *   across its files), ignored events, uncompressed bytes, files, warnings.
 * @throws the abort reason when `opts.signal` fires; file-system errors (a file vanished). Content
 *   problems (corrupt or truncated zstd/lz4/snappy/lzf/gzip data, bad lines) never throw: they are warnings.
 */
export async function readEventLog(source: EventLogSource, opts: ReadOptions = {}): Promise<ReadResult> {
  opts.signal?.throwIfAborted();

  const stats: ReadStats = {
    lines: 0,
    malformedLines: 0,
    malformedLineNumbers: [],
    ignoredEvents: 0,
    bytes: 0,
    files: [],
    warnings: [],
    decodeErrors: [],
    corrections: [],
  };
  const malformedWarnings: string[] = [];
  const progress = newLineProgress();
  const folder = new ApplicationFolder({
    inProgress: source.inProgress,
    fallbackAppId: source.nameHint,
    sparkVersionHint: source.sparkVersionHint,
  });
  const validateAll = opts.validateAllLines === true;
  let lineNo = 0;
  let skipped = 0;

  const malformed = (file: string, fileLine: number, why: string): void => {
    stats.malformedLines++;
    if (stats.malformedLineNumbers.length < MAX_MALFORMED_LISTED) {
      stats.malformedLineNumbers.push(lineNo);
      malformedWarnings.push(`${file}:${fileLine}: malformed line skipped (${why})`);
    }
  };

  for await (const batch of eventLogLineBatches(source, progress, { signal: opts.signal, maxLineBytes: opts.maxLineBytes })) {
    const lines = batch.lines;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      lineNo++;
      if (line === null) {
        malformed(batch.file, batch.firstLine + i, 'longer than the line limit');
        continue;
      }
      if (isBlank(line)) continue;
      if (!validateAll) {
        const name = eventNameOf(line);
        if (name !== null && !FOLDED_EVENTS.has(name) && line.charCodeAt(line.length - 1) === CLOSE_BRACE) {
          skipped++;
          continue;
        }
      }
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch (err) {
        malformed(batch.file, batch.firstLine + i, `invalid JSON: ${(err as Error).message.slice(0, 120)}`);
        continue;
      }
      if (typeof event !== 'object' || event === null || Array.isArray(event) || typeof (event as { Event?: unknown }).Event !== 'string') {
        malformed(batch.file, batch.firstLine + i, 'not a JSON object with an "Event" field');
        continue;
      }
      folder.add(event, lineNo);
    }
  }

  stats.lines = lineNo;
  stats.bytes = progress.bytes;
  stats.files = progress.files;
  stats.ignoredEvents = skipped;
  stats.warnings.push(...source.warnings, ...progress.warnings, ...malformedWarnings);
  if (stats.malformedLines > malformedWarnings.length) {
    stats.warnings.push(`${stats.malformedLines - malformedWarnings.length} more malformed line(s) skipped`);
  }
  const record = folder.finish(stats);
  if (!folder.sawApplicationStart) {
    stats.warnings.unshift(
      `${source.path}: no SparkListenerApplicationStart event in ${lineNo} line(s); not an application event log, or its start was lost`,
    );
    return { record: null, stats };
  }
  return { record, stats };
}
