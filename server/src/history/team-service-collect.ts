/**
 * A collection on the team service, started and followed from the editor: `POST /api/v1/collect {source}` (or, when the
 * service answers 409 `collection-running`, the collection that runs), then `GET /api/v1/collections/{id}` every
 * `pollMs` until it succeeded or failed, reporting each new state. All HTTP goes through the language server's one client
 * of the service (history/team-service.ts). Plain data, no LSP: handlers/team-service-collect.ts is the LSP glue.
 */
import type { ServiceCollection } from './team-service-collections';
import type { TeamServiceClient } from './team-service';
import { problemTypeUri, TeamServiceError } from './team-service';

/** Default interval between two reads of a running collection, ms (the service writes its counts every second). */
export const COLLECTION_POLL_MS = 500;

/** The problem type of a 409 answer to `POST /api/v1/collect` (service/problems.ts `collection-running`). */
const COLLECTION_RUNNING = problemTypeUri('collection-running');

/** How a followed collection ended. */
export interface FollowedCollection {
  /** The collection as last read: `succeeded` or `failed`, or still running when `stoppedFollowing`. */
  collection: ServiceCollection;
  /** True when another collection of the source was running (409) and that one was followed instead. */
  alreadyRunning: boolean;
  /** True when the caller stopped following (the collection goes on on the service). */
  stoppedFollowing: boolean;
}

/** Options of {@link collectOnTeamService}. */
export interface FollowOptions {
  /** Stops following (not the collection: the service goes on with it). */
  signal?: AbortSignal;
  /** Called with each state read (the first one included), in order. */
  onProgress?: (c: ServiceCollection, alreadyRunning: boolean) => void;
  /** Interval between reads, ms (default {@link COLLECTION_POLL_MS}). */
  pollMs?: number;
}

/**
 * Starts a collection of the configured source `source` on the team service and follows it until it ends.
 * @returns the collection as it ended (see {@link FollowedCollection}).
 * @throws TeamServiceError from the client: `unauthorized` with `answer.status` 403 for a token without scope collect,
 *   `rejected` for an unknown source (404 `unknown-source`), `unreachable` when the service cannot be reached.
 */
export async function collectOnTeamService(
  client: TeamServiceClient,
  source: string,
  opts: FollowOptions = {},
): Promise<FollowedCollection> {
  let current: ServiceCollection;
  let alreadyRunning = false;
  try {
    current = await client.startCollection(source);
  } catch (e) {
    const id = e instanceof TeamServiceError ? e.answer?.collectionId : undefined;
    if (!(e instanceof TeamServiceError) || e.answer?.problemType !== COLLECTION_RUNNING || id === undefined) throw e;
    alreadyRunning = true;
    current = await client.collection(id);
  }
  const pollMs = opts.pollMs ?? COLLECTION_POLL_MS;
  opts.onProgress?.(current, alreadyRunning);
  let last = JSON.stringify(current);
  while (current.state === 'queued' || current.state === 'running') {
    if (opts.signal?.aborted) return { collection: current, alreadyRunning, stoppedFollowing: true };
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      opts.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    if (opts.signal?.aborted) return { collection: current, alreadyRunning, stoppedFollowing: true };
    current = await client.collection(current.id);
    const now = JSON.stringify(current);
    if (now !== last) opts.onProgress?.(current, alreadyRunning);
    last = now;
  }
  return { collection: current, alreadyRunning, stoppedFollowing: false };
}
