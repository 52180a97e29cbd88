/**
 * What the object-store collector needs of a cloud's SDK: list keys under a prefix (all pages), and read one object's
 * bytes from an offset as a stream. One small class per cloud implements it (s3.ts); the collector (collect.ts) knows
 * nothing of the SDKs.
 */

import { Readable } from 'node:stream';
import type { ListedObject } from '../event-log/discover';
import type { SourceFailureKind } from '../../../../shared/src/protocol';

/** One object of a listing, with the version the store gives it. */
export interface StoredObject extends ListedObject {
  /**
   * What identifies this version of the object, or null when the store gave none: the entity tag without quotes (S3,
   * Azure), the generation number (GCS).
   */
  version: string | null;
}

/** A bucket (or container) of one object store, as the collector uses it. */
export interface ObjectStore {
  /** The bucket as a URL without trailing slash (`s3://bucket`): the start of every path reported. */
  readonly base: string;
  /**
   * Every object whose key starts with `prefix`, all pages of the listing, in the store's order.
   * @throws {@link ObjectStoreError} when the listing fails after the SDK's retries.
   */
  list(prefix: string, signal?: AbortSignal): AsyncIterable<StoredObject>;
  /**
   * The object's bytes from `offset` (to `end`, exclusive, when given) as a stream.
   * @param version the {@link StoredObject.version} to read (a changed object fails instead of mixing versions).
   * @throws {@link ObjectStoreError} when the request fails after the SDK's retries.
   */
  read(
    key: string,
    offset: number,
    end: number | null,
    version: string | null,
    signal?: AbortSignal,
  ): Promise<Readable>;
}

/**
 * Why an object-store request failed, for the front ends to word the remedy: `credentials` (no credentials found by the
 * chain, or refused), `access-denied` (credentials accepted, permission missing), `not-found` (bucket or key missing),
 * `changed` (the object changed while read), `network` (unreachable, timed out, cut), `other`. The kinds of every
 * history source (shared/src/protocol.ts SourceFailureKind) but `tls`, which the SDKs report as `network`.
 */
export type ObjectStoreFailure = Exclude<SourceFailureKind, 'tls'>;

/** A failed object-store request: what happened, to what (in the message), and its {@link ObjectStoreFailure} kind. */
export class ObjectStoreError extends Error {
  /**
   * @param kind what kind of failure.
   * @param message what happened and to which bucket or key, without secrets.
   */
  constructor(
    readonly kind: ObjectStoreFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ObjectStoreError';
  }
}

/** Options of {@link resumingRead}. */
export interface ResumeOptions {
  /** Times a cut body is asked for again from where it stopped (default 3). */
  maxResumes?: number;
  /** Wait before the n-th resume: `backoffMs × 2^(n−1)` (default 200 ms). */
  backoffMs?: number;
  signal?: AbortSignal;
}

/**
 * One object's bytes as a single stream that survives a connection cut mid-body: when the body stream fails after
 * some bytes, the rest is asked for again from the byte reached (a range request pinned to the listed version, so a changed object fails rather than mixing versions), after an exponential backoff. The SDKs retry a request
 * only until its response starts; a body cut later would otherwise lose the whole log.
 * @param open opens the object at a byte offset (the store's {@link ObjectStore.read}).
 * @param describe the object, for the error message (`s3://bucket/key`).
 * @returns a readable of the whole object; it errors with {@link ObjectStoreError} `network` after `maxResumes` cuts.
 */
export function resumingRead(
  open: (offset: number) => Promise<Readable>,
  describe: string,
  options: ResumeOptions = {},
): Readable {
  const maxResumes = options.maxResumes ?? 3;
  const backoffMs = options.backoffMs ?? 200;
  async function* bytes(): AsyncGenerator<Buffer> {
    let offset = 0;
    let resumes = 0;
    for (;;) {
      const body = await open(offset);
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          offset += chunk.length;
          yield chunk;
        }
        return;
      } catch (err) {
        if (options.signal?.aborted) throw err;
        if (err instanceof ObjectStoreError && err.kind !== 'network') throw err;
        if (resumes >= maxResumes) {
          throw new ObjectStoreError(
            'network',
            `${describe}: the connection was cut ${resumes + 1} times while reading (last at byte ${offset}: ${(err as Error).message})`,
          );
        }
        resumes++;
        await new Promise((r) => setTimeout(r, backoffMs * 2 ** (resumes - 1)));
      } finally {
        body.destroy();
      }
    }
  }
  return Readable.from(bytes(), { objectMode: false });
}

/** Reads the first `n` bytes of a stream (fewer when it is shorter) and closes it. */
export async function headBytes(stream: Readable, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk);
      got += chunk.length;
      if (got >= n) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(parts).subarray(0, n);
}
