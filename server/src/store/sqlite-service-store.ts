/**
 * The SQLite store behind the service's asynchronous {@link ServiceStore} interface: every method calls the synchronous
 * `HistoryStore` the editor and the CLI use (so they keep their synchronous, unchanged path) and answers with a promise.
 * The service's default store, for one user or a small team on one machine.
 */
import type { ApplicationRecord } from '../history/application-record';
import type { ApplicationTotals } from '../history/history-reader';
import type {
  CollectionSourceState,
  RecordSource,
  SourceVersion,
  StoredAttempt,
  UpsertOutcome,
} from '../history/ingest';
import type { AppliedFix } from '../recommend/feedback';
import type { CollectionLease, CollectionRun } from '../history/collection-ledger';
import type { RecommendationFeedback, ServiceStore, ServiceToken } from '../history/service-store';
import type { StoredWorkload } from '../../../shared/src/protocol';
import { HistoryStore, type StoreLockOptions } from './history-store';

/** {@link ServiceStore} over a {@link HistoryStore} (better-sqlite3). */
export class SqliteServiceStore implements ServiceStore {
  readonly description: string;

  /** @param store the open SQLite store; {@link close} closes it. @param file its path, for {@link description}. */
  constructor(
    readonly store: HistoryStore,
    file: string,
  ) {
    this.description = `SQLite ${file}`;
  }

  /**
   * Opens (creating and migrating if needed) the SQLite store at `file`.
   * @throws Error as {@link HistoryStore.open}.
   */
  static open(file: string, lock?: StoreLockOptions): SqliteServiceStore {
    return new SqliteServiceStore(HistoryStore.open(file, lock), file);
  }

  async historyVersion(): Promise<string> {
    return this.store.historyVersion();
  }
  async countApplications(): Promise<number> {
    return this.store.countApplications();
  }
  async lastCollectedAtMs(): Promise<number | null> {
    return this.store.lastCollectedAtMs();
  }
  async listWorkloads(): Promise<StoredWorkload[]> {
    return this.store.listWorkloads();
  }
  async appNames(): Promise<string[]> {
    return this.store.appNames();
  }
  async runsByAppName(appName: string, limit?: number): Promise<ApplicationRecord[]> {
    return this.store.runsByAppName(appName, limit);
  }
  async runById(appId: string, attemptId?: string | null): Promise<ApplicationRecord | null> {
    return this.store.runById(appId, attemptId);
  }
  async attemptsOf(appId: string): Promise<StoredAttempt[]> {
    return this.store.attemptsOf(appId);
  }
  async allRuns(limit?: number): Promise<ApplicationRecord[]> {
    return this.store.allRuns(limit);
  }
  async applicationTotals(): Promise<ApplicationTotals[]> {
    return this.store.applicationTotals();
  }
  async appNamesByMaster(master: string, limit?: number): Promise<string[]> {
    return this.store.appNamesByMaster(master, limit);
  }
  async appNamesBySubmittedFile(stem: string): Promise<string[]> {
    return this.store.appNamesBySubmittedFile(stem);
  }
  async runsWithSameSignature(appName: string, limit?: number): Promise<ApplicationRecord[]> {
    return this.store.runsWithSameSignature(appName, limit);
  }
  async hasSource(source: SourceVersion): Promise<boolean> {
    return this.store.hasSource(source);
  }
  async upsert(record: ApplicationRecord, source: RecordSource): Promise<UpsertOutcome> {
    return this.store.upsert(record, source);
  }
  async storedAttempt(appId: string, attemptId: string | null): Promise<StoredAttempt | null> {
    return this.store.storedAttempt(appId, attemptId);
  }
  async incompleteAttempts(sourcePrefix: string): Promise<{ appId: string; attemptId: string | null }[]> {
    return this.store.incompleteAttempts(sourcePrefix);
  }
  async collectionSource(sourceUrl: string): Promise<CollectionSourceState | null> {
    return this.store.collectionSource(sourceUrl);
  }
  async recordCollectionRun(sourceUrl: string, completedEndTimeMs: number | null, runTimeMs: number): Promise<void> {
    this.store.recordCollectionRun(sourceUrl, completedEndTimeMs, runTimeMs);
  }
  async recordAppliedFix(fix: Omit<AppliedFix, 'id'>): Promise<number> {
    return this.store.recordAppliedFix(fix);
  }
  async appliedFixes(appName: string | null, fileUri?: string): Promise<AppliedFix[]> {
    return this.store.appliedFixes(appName, fileUri);
  }
  async recordFeedback(f: Omit<RecommendationFeedback, 'id'>): Promise<number> {
    return this.store.recordFeedback(f);
  }
  async feedbackOf(appName: string): Promise<RecommendationFeedback[]> {
    return this.store.feedbackOf(appName);
  }
  async createToken(t: Omit<ServiceToken, 'id' | 'revokedAtMs'>): Promise<number> {
    return this.store.createToken(t);
  }
  async tokenBySha256(tokenSha256: string): Promise<ServiceToken | null> {
    return this.store.tokenBySha256(tokenSha256);
  }
  async listTokens(): Promise<ServiceToken[]> {
    return this.store.listTokens();
  }
  async revokeToken(id: number, atMs: number): Promise<boolean> {
    return this.store.revokeToken(id, atMs);
  }
  async acquireLease(
    sourceName: string,
    holder: string,
    nowMs: number,
    ttlMs: number,
    releasedBeforeMs: number,
  ): Promise<boolean> {
    return this.store.acquireLease(sourceName, holder, nowMs, ttlMs, releasedBeforeMs);
  }
  async renewLease(
    sourceName: string,
    holder: string,
    nowMs: number,
    ttlMs: number,
    collectionId: number | null,
  ): Promise<boolean> {
    return this.store.renewLease(sourceName, holder, nowMs, ttlMs, collectionId);
  }
  async releaseLease(sourceName: string, holder: string, nowMs: number): Promise<void> {
    this.store.releaseLease(sourceName, holder, nowMs);
  }
  async leaseOf(sourceName: string): Promise<CollectionLease | null> {
    return this.store.leaseOf(sourceName);
  }
  async createCollection(run: Omit<CollectionRun, 'id'>): Promise<number> {
    return this.store.createCollection(run);
  }
  async updateCollection(run: CollectionRun): Promise<void> {
    this.store.updateCollection(run);
  }
  async collection(id: number): Promise<CollectionRun | null> {
    return this.store.collection(id);
  }
  async recentCollections(limit: number, sourceName?: string): Promise<CollectionRun[]> {
    return this.store.recentCollections(limit, sourceName);
  }
  async close(): Promise<void> {
    this.store.close();
  }
}
