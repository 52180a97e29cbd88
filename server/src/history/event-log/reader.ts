/**
 * Reading one event log into an application record: lines → JSON → {@link ApplicationFolder}.
 *
 * Tolerance follows Spark's `ReplayListenerBus` but goes further (spark-reference E1): a malformed
 * line anywhere is counted and skipped (Spark aborts unless it is the last line of an unfinished
 * log), a truncated compressed stream keeps what was decoded, and a missing `ApplicationEnd` only
 * makes the record incomplete. What is not tolerated silently: bytes that do not decode (a corrupt
 * block or frame: a decode error from lines.ts) and decoded bytes that are not JSON in bulk
 * ({@link JSON_FAILURE_RUN}, {@link JSON_FAILURE_SHARE}): both are `stats.decodeErrors`, and the record
 * is then marked incomplete with the reason (`completed` false, `incompleteReason`).
 */

import * as path from 'node:path';
import type { ApplicationRecord, DecodeError, ReadStats } from '../application-record';
import type { EventLogSource } from './discover';
import { ApplicationFolder, FOLDED_EVENTS } from './fold';
import { eventLogLineBatches, newLineProgress, type OpenFile } from './lines';

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
  /** Opens each file of the source (default: local files); object stores pass their own (history/object-store/). */
  openFile?: OpenFile;
}

/** What {@link readEventLog} returns. */
export interface ReadResult {
  /** The application, or null when the log has no `SparkListenerApplicationStart` (see `stats.warnings[0]`). */
  record: ApplicationRecord | null;
  stats: ReadStats;
}

/** At most this many malformed lines are listed by number and described in warnings. */
const MAX_MALFORMED_LISTED = 10;

/**
 * This many consecutive non-blank lines of one file that are not JSON events make the file's decoded bytes a
 * decode error (`codec` `json`). Why: Spark's own reader (`ReplayListenerBus.replay`) stops at the first malformed
 * line unless it is the last line of an unfinished log, so a log Spark wrote has at most one bad line per file (its
 * cut last line); a run of them means the bytes are not what Spark wrote (a codec that decoded wrongly, as fzstd
 * 0.1.1 did for large zstd windows, or another format under an event-log name). Our own threshold, not Spark's.
 */
export const JSON_FAILURE_RUN = 5;
/** A file whose malformed lines are at least this share of its non-blank lines (and at least {@link JSON_FAILURE_MIN_LINES}) is a decode error too (scattered damage; the fzstd case was 444 of 10,100 lines, 4.4 %). */
export const JSON_FAILURE_SHARE = 0.01;
/** Fewest malformed lines for {@link JSON_FAILURE_SHARE} to apply (a short log with one cut line is not damaged). */
export const JSON_FAILURE_MIN_LINES = 10;
/** How every line Spark's JsonProtocol writes starts; the event's name follows up to the next `"`. */
export const EVENT_PREFIX = '{"Event":"';
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
 *   across its files), ignored events, uncompressed bytes, files, warnings, decode errors.
 * @throws the abort reason when `opts.signal` fires; file-system errors (a file vanished). Content
 *   problems never throw: a cut file and bad lines are warnings; corrupt data (zstd/lz4/snappy/lzf/gzip) and bytes that
 *   are not JSON in bulk are `stats.decodeErrors`, and the record then has `completed` false and an `incompleteReason`.
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

  const jsonCheck = new JsonFailureCheck();
  const jsonErrors: DecodeError[] = [];
  const malformed = (file: string, fileLine: number, why: string): void => {
    stats.malformedLines++;
    jsonCheck.malformed(fileLine);
    if (stats.malformedLineNumbers.length < MAX_MALFORMED_LISTED) {
      stats.malformedLineNumbers.push(lineNo);
      malformedWarnings.push(`${file}:${fileLine}: malformed line skipped (${why})`);
    }
  };

  for await (const batch of eventLogLineBatches(source, progress, {
    signal: opts.signal,
    maxLineBytes: opts.maxLineBytes,
    openFile: opts.openFile,
  })) {
    if (batch.file !== jsonCheck.file) {
      const failure = jsonCheck.finish();
      if (failure) jsonErrors.push(failure);
      jsonCheck.start(batch.file);
    }
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
          jsonCheck.good();
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
      if (
        typeof event !== 'object' ||
        event === null ||
        Array.isArray(event) ||
        typeof (event as { Event?: unknown }).Event !== 'string'
      ) {
        malformed(batch.file, batch.firstLine + i, 'not a JSON object with an "Event" field');
        continue;
      }
      jsonCheck.good();
      folder.add(event, lineNo);
    }
  }
  const lastFailure = jsonCheck.finish();
  if (lastFailure) jsonErrors.push(lastFailure);

  stats.lines = lineNo;
  stats.bytes = progress.bytes;
  stats.files = progress.files;
  stats.ignoredEvents = skipped;
  stats.warnings.push(...source.warnings, ...progress.warnings, ...malformedWarnings);
  stats.decodeErrors.push(...progress.decodeErrors, ...jsonErrors);
  if (stats.malformedLines > malformedWarnings.length) {
    stats.warnings.push(`${stats.malformedLines - malformedWarnings.length} more malformed line(s) skipped`);
  }
  const record = folder.finish(stats);
  const reason = incompleteReason(source, stats.decodeErrors, progress.cuts);
  if (reason !== null) {
    record.completed = false;
    record.incompleteReason = reason;
  }
  if (!folder.sawApplicationStart) {
    stats.warnings.unshift(noApplicationStart(source.path, lineNo));
    return { record: null, stats };
  }
  return { record, stats };
}

/** The first warning of a log without `SparkListenerApplicationStart` (then the read has no record). */
export function noApplicationStart(logPath: string, lines: number): string {
  return `${logPath}: no SparkListenerApplicationStart event in ${lines} line(s); not an application event log, or its start was lost`;
}

/**
 * Why a record holds only part of its log, or null when every byte on disk was decoded: decode errors always; a file cut
 * inside a block or frame only when the source says the log is complete (a live `.inprogress` log is cut by nature).
 * @param decodeErrors the log's decode errors (codec and `json`), in reading order.
 * @param cuts files cut inside a block or frame.
 */
export function incompleteReason(
  source: Pick<EventLogSource, 'inProgress'>,
  decodeErrors: DecodeError[],
  cuts: DecodeError[],
): string | null {
  const describe = (e: DecodeError): string =>
    `${path.basename(e.file)}${e.offset !== null ? ` at byte ${e.offset}` : ''}: ${e.message}`;
  if (decodeErrors.length > 0) return `part of the log could not be decoded (${decodeErrors.map(describe).join('; ')})`;
  if (!source.inProgress && cuts.length > 0)
    return `the log is named complete but is cut short (${cuts.map(describe).join('; ')})`;
  return null;
}

/** Counts one file's malformed lines against {@link JSON_FAILURE_RUN} and {@link JSON_FAILURE_SHARE}. */
class JsonFailureCheck {
  file: string | null = null;
  private lines = 0;
  private bad = 0;
  private run = 0;
  private runStart = 0;
  private longestRun = 0;
  private longestRunStart = 0;

  start(file: string): void {
    this.file = file;
    this.lines = this.bad = this.run = this.longestRun = 0;
  }

  good(): void {
    this.lines++;
    this.run = 0;
  }

  malformed(fileLine: number): void {
    this.lines++;
    this.bad++;
    if (this.run++ === 0) this.runStart = fileLine;
    if (this.run > this.longestRun) {
      this.longestRun = this.run;
      this.longestRunStart = this.runStart;
    }
  }

  /** The decode error of the file checked so far, or null when it passes. */
  finish(): DecodeError | null {
    if (this.file === null) return null;
    return jsonFailure(this.file, this.lines, this.bad, this.longestRun, this.longestRunStart);
  }
}

/**
 * Whether the decoded lines of one file are not the event log Spark wrote ({@link JSON_FAILURE_RUN},
 * {@link JSON_FAILURE_SHARE}), as a `json` decode error, else null.
 * @param file the file's path.
 * @param lines its non-blank lines.
 * @param bad those that are not JSON events (malformed).
 * @param longestRun the longest run of consecutive malformed non-blank lines.
 * @param longestRunStart the 1-based line number in the file where that run starts (blank lines counted).
 */
export function jsonFailure(
  file: string,
  lines: number,
  bad: number,
  longestRun: number,
  longestRunStart: number,
): DecodeError | null {
  const byRun = longestRun >= JSON_FAILURE_RUN;
  const byShare = bad >= JSON_FAILURE_MIN_LINES && bad >= JSON_FAILURE_SHARE * lines;
  if (!byRun && !byShare) return null;
  return {
    file,
    offset: null,
    codec: 'json',
    message:
      `${bad} of ${lines} lines are not JSON events (the longest run: ${longestRun} from line ${longestRunStart}): ` +
      `the decoded bytes are not the event log Spark wrote (damaged file or wrong decoding); those lines were skipped`,
  };
}
