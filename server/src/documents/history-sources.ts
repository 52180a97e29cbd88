/**
 * Which history the language server's engine reads: the local SQLite store, or the team's service
 * (`sparkOptimizer.service.url`). In service mode the same engine runs on records loaded from the service
 * (history/loaded-history.ts over history/team-service.ts), so hovers, diagnostics, the workload-analysis view and quick
 * fixes are what the local store would give on the same runs. When the service cannot be reached (or refuses the token)
 * the request is answered from the local store, the state change is reported once (`onState`), and the service is tried
 * again after `retryMs`; its first answer after that reports the way back. The main thread and each analysis worker
 * keep one of these (documents/analysis-worker.ts); all of it is plain data, no LSP.
 */
import type { HistoryReader } from '../history/history-reader';
import { LoadedHistory } from '../history/loaded-history';
import { TeamServiceClient, TeamServiceError } from '../history/team-service';
import { type HistorySource, SparkLanguageService } from '../language-service';

/** How the language server reaches the team's service (initializationOptions `service`, and each worker's data). */
export interface TeamServiceConfig {
  /** Base URL (history/team-service.ts `teamServiceUrl` checks it). */
  url: string;
  /** Bearer token from the client's SecretStorage; empty: none. Never logged. */
  token: string;
  /** PEM CA certificate(s) read from `sparkOptimizer.service.caFile`, or undefined for Node's roots. */
  ca?: string;
  /** After a failure, answer from the local store this long before trying the service again, ms (default {@link SERVICE_RETRY_MS}). */
  retryMs?: number;
}

/** Default wait after the service failed before it is tried again: 30 s, so typing is not slowed by timeouts. */
export const SERVICE_RETRY_MS = 30_000;

/** Where an answer came from. */
export type HistoryOrigin = 'service' | 'local';

/** A change of the service's state: reachable again, or not (with the reason: URL and what failed, no token). */
export interface ServiceState {
  reachable: boolean;
  message: string;
}

/** The local history and, in service mode, the service's (see the module comment). */
export class HistorySources {
  /** The language service on the local store. */
  readonly local: SparkLanguageService;
  private readonly remote: {
    client: TeamServiceClient;
    loaded: LoadedHistory;
    service: SparkLanguageService;
  } | null = null;
  private retryAtMs = 0;
  private reachable: boolean | null = null;
  private readonly retryMs: number;
  private quiet = false;

  /**
   * @param localHistory the local store (a full HistoryReader), or a stand-in without history when it could not be opened.
   * @param clock "now" of the analyses.
   * @param team the service to read, or null (local mode).
   * @param onState called when the service becomes unreachable or reachable again (not on every request).
   * @param onRemoteChange called when the service's history version changed (another collection on the service).
   * @throws TeamServiceError (`rejected`) when the URL is not one to send a token to.
   */
  constructor(
    private readonly localHistory: HistorySource & Partial<HistoryReader>,
    clock: () => number,
    team: TeamServiceConfig | null,
    private readonly onState: (s: ServiceState) => void = () => undefined,
    onRemoteChange: () => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.local = new SparkLanguageService(localHistory, clock);
    this.retryMs = team?.retryMs ?? SERVICE_RETRY_MS;
    if (team) {
      const client = new TeamServiceClient({ url: team.url, token: team.token, ca: team.ca });
      const loaded = new LoadedHistory(client);
      const service = new SparkLanguageService(loaded, clock);
      loaded.onChange(() => {
        service.historyChanged();
        if (!this.quiet) onRemoteChange();
      });
      this.remote = { client, loaded, service };
    }
  }

  /** The service's URL in service mode, else null. */
  get serviceUrl(): string | null {
    return this.remote?.client.url ?? null;
  }

  /** The service's client in service mode (feedback goes to it), else null. */
  get serviceClient(): TeamServiceClient | null {
    return this.remote?.client ?? null;
  }

  /** Whether the last call to the service answered (null before the first). */
  get serviceReachable(): boolean | null {
    return this.reachable;
  }

  /**
   * Runs synchronous work on the history in use: the service's (loading what the work reads) unless it failed less than
   * `retryMs` ago, else the local store's.
   * @param fn the work: the language service and reader of that history (the reader is null when the local store
   *   could not be opened), and where it comes from. Must be synchronous (it may run several times in service mode).
   * @throws what `fn` throws (never a TeamServiceError: those fall back to the local store).
   */
  async run<T>(
    fn: (service: SparkLanguageService, reader: HistoryReader | null, from: HistoryOrigin) => T,
  ): Promise<T> {
    const remote = this.remote;
    if (remote && this.now() >= this.retryAtMs) {
      try {
        await remote.loaded.fresh();
        const value = await remote.loaded.run(() => fn(remote.service, remote.loaded, 'service'));
        this.setReachable(true, `The team service at ${remote.client.url} answers again; its history is used.`);
        return value;
      } catch (e) {
        if (!(e instanceof TeamServiceError)) throw e;
        this.retryAtMs = this.now() + this.retryMs;
        this.setReachable(false, `${e.message} Using the local history store until it answers again.`);
      }
    }
    const reader =
      typeof this.localHistory.countApplications === 'function' ? (this.localHistory as HistoryReader) : null;
    return fn(this.local, reader, 'local');
  }

  /** Marks the service unreachable after a failed call made outside {@link run} (feedback). */
  serviceFailed(e: TeamServiceError): void {
    this.retryAtMs = this.now() + this.retryMs;
    this.setReachable(false, `${e.message} Using the local history store until it answers again.`);
  }

  /** Drops what was read from either history (after a collection or an applied fix). */
  historyChanged(): void {
    this.local.historyChanged();
    if (this.remote) {
      // Our own invalidation: the caller refreshes its views itself.
      this.quiet = true;
      try {
        this.remote.loaded.invalidate();
      } finally {
        this.quiet = false;
      }
    }
  }

  /** Closes the service's connections. */
  dispose(): void {
    this.remote?.client.close();
  }

  private setReachable(reachable: boolean, message: string): void {
    if (this.reachable === reachable || (this.reachable === null && reachable)) {
      this.reachable = reachable;
      return;
    }
    this.reachable = reachable;
    this.onState({ reachable, message });
  }
}
