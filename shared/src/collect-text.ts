/**
 * The counts of one collection as one clause, written alike by the editor (client/src/ctx.ts, its summary message)
 * and the CLI (server/src/cli/collect-commands.ts, `collect`'s last line), so both say the same of the same collection.
 */

/** The counts a collection reports (server/src/history/ingest.ts IngestSummary; CollectSummary over LSP). */
export interface CollectCounts {
  /** Application attempts stored for the first time, stored again because their source changed, found unchanged. */
  inserted: number;
  updated: number;
  unchanged: number;
  /** Sources (logs, or History Server attempts) that could not be read or stored. */
  failed: number;
  /** Of inserted + updated: attempts stored incomplete because their log could be decoded only in part. */
  incomplete: number;
  /** Event-log lines skipped as malformed. */
  malformedLines: number;
  /** Impossible values (beyond what Spark can produce) dropped or clipped. */
  correctedValues: number;
  cancelled: boolean;
}

/**
 * "9 new, 0 updated, 0 unchanged, 0 failed", then only the counts that are not zero (", 1 stored incomplete (log only
 * partly readable)", ", 2 malformed line(s) skipped", ", 8 impossible value(s) dropped or clipped") and " (cancelled)".
 * No final full stop.
 * @param fetched text put right after the unchanged count (the CLI's " (12 downloaded)" for a History Server).
 */
export function collectCountsText(c: CollectCounts, fetched = ''): string {
  return (
    `${c.inserted} new, ${c.updated} updated, ${c.unchanged} unchanged${fetched}, ${c.failed} failed` +
    (c.incomplete ? `, ${c.incomplete} stored incomplete (log only partly readable)` : '') +
    (c.malformedLines ? `, ${c.malformedLines} malformed line(s) skipped` : '') +
    (c.correctedValues ? `, ${c.correctedValues} impossible value(s) dropped or clipped` : '') +
    (c.cancelled ? ' (cancelled)' : '')
  );
}
