/**
 * Google Cloud Storage through `@google-cloud/storage`: the only module that imports it. Credentials come from Google's
 * Application Default Credentials only (never from settings): `GOOGLE_APPLICATION_CREDENTIALS` (a service-account or
 * external-account key file), the gcloud ADC file (`gcloud auth application-default login`), then the metadata server
 * (Compute Engine, GKE workload identity, Dataproc, Cloud Run). A custom endpoint (`--endpoint-url`: an emulator or a
 * private endpoint) is used without authentication, as the library does for custom endpoints. (The library's own
 * `STORAGE_EMULATOR_HOST`, which it calls experimental, is taken by it as the whole JSON API base URL,
 * `http://host:port/storage/v1`.) Retries: the library's (exponential backoff on 408/429/5xx and connection errors).
 */

import { Storage, type Bucket } from '@google-cloud/storage';
import { Readable } from 'node:stream';
import { ObjectStoreError, type ObjectStore, type StoredObject } from './object-store';

/** Options of {@link GcsObjectStore}. */
export interface GcsOptions {
  /** A custom endpoint (`http://127.0.0.1:4443` for fake-gcs-server); default Google's. */
  endpointUrl?: string;
  /** Attempts per request, the first included (default 5). */
  maxAttempts?: number;
}

/** What Application Default Credentials try, in order, for messages (google-auth-library `GoogleAuth.getClient`). */
export const GOOGLE_CREDENTIAL_CHAIN =
  'GOOGLE_APPLICATION_CREDENTIALS (a key file), the gcloud application-default credentials file ' +
  '(gcloud auth application-default login), and the metadata server (Compute Engine, GKE workload identity, Dataproc)';

/** One GCS bucket as an {@link ObjectStore}. */
export class GcsObjectStore implements ObjectStore {
  readonly base: string;
  private readonly bucket: Bucket;
  private readonly where: string;

  /**
   * @param bucketName the bucket.
   * @param options endpoint and retries.
   */
  constructor(bucketName: string, options: GcsOptions = {}) {
    this.base = `gs://${bucketName}`;
    const endpoint = options.endpointUrl;
    this.where = endpoint ? `${this.base} at ${endpoint}` : this.base;
    const storage = new Storage({
      ...(endpoint ? { apiEndpoint: endpoint } : {}),
      retryOptions: { autoRetry: true, maxRetries: (options.maxAttempts ?? 5) - 1, totalTimeout: 600 },
    });
    this.bucket = storage.bucket(bucketName);
  }

  /** Every object below `prefix`, page after page (objects.list, 1,000 a page). */
  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<StoredObject> {
    let pageToken: string | undefined;
    try {
      do {
        signal?.throwIfAborted();
        const [files, next] = await this.bucket.getFiles({ prefix, autoPaginate: false, maxResults: 1000, pageToken });
        for (const f of files) {
          const m = f.metadata;
          yield {
            key: f.name,
            sizeBytes: Number(m.size ?? 0),
            mtimeMs: m.updated ? Date.parse(m.updated) : 0,
            version: m.generation !== undefined ? String(m.generation) : null,
          };
        }
        pageToken = (next as { pageToken?: string } | null)?.pageToken;
      } while (pageToken);
    } catch (err) {
      if (signal?.aborted) throw err;
      throw this.failure(err, `listing ${this.base}/${prefix}`);
    }
  }

  /** objects.get `alt=media` of the listed generation, from `offset` (to `end`, exclusive). */
  async read(
    key: string,
    offset: number,
    end: number | null,
    version: string | null,
    signal?: AbortSignal,
  ): Promise<Readable> {
    const file = this.bucket.file(key, version !== null ? { generation: Number(version) } : {});
    // No range at all for a whole object (the library sends `Range: bytes=0-` for start 0).
    const range = offset > 0 || end !== null ? { start: offset, ...(end !== null ? { end: end - 1 } : {}) } : {};
    const stream = file.createReadStream({ ...range, validation: false, decompress: false });
    const onAbort = () => stream.destroy(signal?.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => signal?.removeEventListener('abort', onAbort));
    // The library sends the request when the stream is first read: read the first chunk here, so a refused or missing
    // object fails now with its kind instead of looking like a connection cut mid-body.
    const chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    let first: IteratorResult<Buffer>;
    try {
      first = await chunks.next();
    } catch (err) {
      stream.destroy();
      if (signal?.aborted) throw err;
      throw this.failure(err, `reading ${this.base}/${key}`);
    }
    async function* body(): AsyncGenerator<Buffer> {
      try {
        for (let step = first; !step.done; step = await chunks.next()) yield step.value;
      } finally {
        stream.destroy();
      }
    }
    return Readable.from(body(), { objectMode: false });
  }

  /** Nothing to free. */
  close(): void {}

  /** A library error as an {@link ObjectStoreError}. */
  private failure(err: unknown, doing: string): ObjectStoreError {
    const e = err as { code?: number | string; message?: string };
    const status = typeof e?.code === 'number' ? e.code : undefined;
    const said = (e?.message ?? String(err)).split('\n')[0];
    if (/could not load the default credentials|unable to detect a project id/i.test(said)) {
      return new ObjectStoreError(
        'credentials',
        `${doing} (${this.where}): no Google credentials found; Application Default Credentials tried ${GOOGLE_CREDENTIAL_CHAIN} (${said})`,
      );
    }
    if (status === 401)
      return new ObjectStoreError('credentials', `${doing} (${this.where}): the credentials were refused (${said})`);
    if (status === 403) {
      return new ObjectStoreError(
        'access-denied',
        `${doing} (${this.where}): access denied; the collector needs storage.objects.list and storage.objects.get (roles/storage.objectViewer) (${said})`,
      );
    }
    if (status === 404) return new ObjectStoreError('not-found', `${doing} (${this.where}): not found (${said})`);
    if (status === 412)
      return new ObjectStoreError(
        'changed',
        `${doing} (${this.where}): the object changed while it was read (${said})`,
      );
    if (status === undefined || status >= 500) {
      return new ObjectStoreError(
        'network',
        `${doing} (${this.where}): ${status ? `HTTP ${status} after retries` : 'unreachable or cut'} (${said})`,
      );
    }
    return new ObjectStoreError('other', `${doing} (${this.where}): ${said}`);
  }
}
