/**
 * What the editor says at the end of a collection into the local store: one message (the counts, the first two
 * failures with their remedies, the files not fully decoded) and the log lines behind it. No `vscode` import, so plain
 * mocha tests it (test/collection-summary.test.ts); client/src/ctx.ts shows it.
 */
import { collectCountsText } from '../../shared/src/collect-text';
import type { CollectSummary, SourceFailureKind } from '../../shared/src/protocol';
import { failureText } from './remedies';

/** The summary of one collection as the editor shows and logs it. */
export interface CollectionMessage {
  /** The notification's text (also logged at info). */
  text: string;
  /** True when something failed, was stored incomplete or was not fully decoded: shown as a warning with "Show Logs". */
  warn: boolean;
  /** Further log lines, in order: each failure with its remedy, each decode error (warnings), each reader warning (info). */
  log: { level: 'warn' | 'info'; text: string }[];
}

/**
 * The message of collection `s` from `from` (a folder, URL or History Server).
 * @param remedyOf the remedies of the source's failures (client/src/remedies.ts historyServerRemedy or objectStoreRemedy).
 */
export function collectionMessage(
  from: string,
  s: CollectSummary,
  remedyOf: (kind: SourceFailureKind | undefined) => string | null,
): CollectionMessage {
  // The first reasons go into the message itself: "1 failed" alone does not say what to fix.
  const reasons = s.failed
    .slice(0, 2)
    .map((f) => `${f.path}: ${failureText(f, remedyOf)}`)
    .join(' · ');
  const more = s.failed.length > 2 ? ` (and ${s.failed.length - 2} more, see the logs)` : '';
  const decodeErrors = s.decodeErrors ?? [];
  const undecoded = [...new Set(decodeErrors.map((e) => e.file))];
  const damaged =
    undecoded.length > 0
      ? ` Not fully decoded: ${undecoded.slice(0, 2).join(', ')}${undecoded.length > 2 ? ' …' : ''} (see the logs).`
      : '';
  const text = `Spark history from ${from}: ${collectCountsText({ ...s, failed: s.failed.length })}. ${s.storedApplications} applications stored.${reasons ? ` Failed: ${reasons}${more}` : ''}${damaged}`;
  const log: CollectionMessage['log'] = [
    ...s.failed.map((f) => ({ level: 'warn' as const, text: `Skipped ${f.path}: ${failureText(f, remedyOf)}` })),
    ...decodeErrors.map((e) => ({
      level: 'warn' as const,
      text: `Not fully decoded: ${e.file} (${e.codec}${e.offset !== null ? `, byte ${e.offset}` : ''}): ${e.message}`,
    })),
    ...(s.warnings ?? []).map((w) => ({ level: 'info' as const, text: `${w.path}: ${w.message}` })),
  ];
  return { text, warn: s.failed.length > 0 || s.incomplete > 0 || undecoded.length > 0, log };
}
