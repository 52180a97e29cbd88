/**
 * The example runs (examples/history, real Spark 4 logs) collected into an in-memory store, with the language service
 * the editor runs on it. Its clock is fixed at 2026-11-25 (EXAMPLE_NOW_MS): a plan's confidence falls with the age of
 * the newest run, so every test sees the same plans whatever day it runs.
 */
import { collectEventLogs } from '../../server/src/history/collect';
import { SparkLanguageService } from '../../server/src/language-service';
import { HistoryStore } from '../../server/src/store/history-store';
import { EXAMPLE_HISTORY } from './fixtures';

/** "Now" of the example service: 2026-11-25 00:00 UTC, days after the example runs (2026-11-21). */
export const EXAMPLE_NOW_MS = Date.UTC(2026, 10, 25);

/** A new in-memory store holding examples/history and a language service on it; close the store when done. */
export async function exampleHistoryService(): Promise<{ store: HistoryStore; service: SparkLanguageService }> {
  const store = HistoryStore.open(':memory:');
  await collectEventLogs(EXAMPLE_HISTORY, store);
  return { store, service: new SparkLanguageService(store, () => EXAMPLE_NOW_MS) };
}
