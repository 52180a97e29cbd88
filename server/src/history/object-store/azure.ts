/**
 * Azure Blob Storage and ADLS Gen2 (`abfss://`, `wasbs://`) through `@azure/storage-blob` and `@azure/identity`: the
 * only module that imports them. ADLS Gen2 accounts (hierarchical namespace) answer the Blob API too (Azure's
 * multi-protocol access), so an `abfss://container@account.dfs.core.windows.net` location is read at
 * `https://account.blob.core.windows.net`. Credentials, in order, from the environment variables Azure's own tools read
 * (never from settings): `AZURE_STORAGE_CONNECTION_STRING`; `AZURE_STORAGE_KEY` (shared key of the location's account);
 * `AZURE_STORAGE_SAS_TOKEN`; else `DefaultAzureCredential` (environment service principal, workload identity, managed
 * identity, Azure CLI, Azure PowerShell, Azure Developer CLI). Retries: the storage SDK's exponential policy.
 */

import { DefaultAzureCredential } from '@azure/identity';
import {
  BlobServiceClient,
  StorageRetryPolicyType,
  StorageSharedKeyCredential,
  type ContainerClient,
  type StoragePipelineOptions,
} from '@azure/storage-blob';
import type { Readable } from 'node:stream';
import { ObjectStoreError, type ObjectStore, type StoredObject } from './object-store';

/** Options of {@link AzureBlobStore}. */
export interface AzureOptions {
  /**
   * Blob service URL (`http://127.0.0.1:10000/devstoreaccount1` for Azurite, a private endpoint, a sovereign cloud);
   * default `https://<account>.blob.<suffix of the location's host>`, or the connection string's `BlobEndpoint`.
   */
  endpointUrl?: string;
  /** The environment the credentials are read from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Attempts per request, the first included (default 5). */
  maxTries?: number;
}

/** The credential sources tried, in order, for messages (see the module comment; DefaultAzureCredential's list from @azure/identity). */
export const AZURE_CREDENTIAL_CHAIN =
  'AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_KEY (shared key), AZURE_STORAGE_SAS_TOKEN, then DefaultAzureCredential: ' +
  'environment service principal (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH), ' +
  'workload identity (AZURE_FEDERATED_TOKEN_FILE), managed identity, Azure CLI (az login), Azure PowerShell, Azure Developer CLI';

/** One Azure Blob container as an {@link ObjectStore}. */
export class AzureBlobStore implements ObjectStore {
  readonly base: string;
  private readonly container: ContainerClient;
  private readonly where: string;

  /**
   * @param base the location's base URL (`abfss://container@account.dfs.core.windows.net`): what paths start with.
   * @param containerName the container.
   * @param account the storage account.
   * @param host the location's host (`account.dfs.core.windows.net`), for the default endpoint.
   */
  constructor(base: string, containerName: string, account: string, host: string, options: AzureOptions = {}) {
    const env = options.env ?? process.env;
    this.base = base;
    const pipeline: StoragePipelineOptions = {
      retryOptions: {
        maxTries: options.maxTries ?? 5,
        retryPolicyType: StorageRetryPolicyType.EXPONENTIAL,
        tryTimeoutInMs: 60_000,
      },
    };
    const endpoint =
      options.endpointUrl ?? `https://${account}.blob.${host.split('.').slice(2).join('.') || 'core.windows.net'}`;
    let service: BlobServiceClient;
    if (env.AZURE_STORAGE_CONNECTION_STRING) {
      service = BlobServiceClient.fromConnectionString(env.AZURE_STORAGE_CONNECTION_STRING, pipeline);
      if (options.endpointUrl) service = new BlobServiceClient(options.endpointUrl, service.credential, pipeline);
    } else if (env.AZURE_STORAGE_KEY) {
      service = new BlobServiceClient(
        endpoint,
        new StorageSharedKeyCredential(account, env.AZURE_STORAGE_KEY),
        pipeline,
      );
    } else if (env.AZURE_STORAGE_SAS_TOKEN) {
      service = new BlobServiceClient(
        `${endpoint}?${env.AZURE_STORAGE_SAS_TOKEN.replace(/^\?/, '')}`,
        undefined,
        pipeline,
      );
    } else {
      service = new BlobServiceClient(endpoint, new DefaultAzureCredential(), pipeline);
    }
    this.where = `${base} at ${service.url.split('?')[0]}`;
    this.container = service.getContainerClient(containerName);
  }

  /** Every blob below `prefix`, page after page (List Blobs, 5,000 a page). */
  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<StoredObject> {
    try {
      for await (const page of this.container
        .listBlobsFlat({ prefix, abortSignal: signal })
        .byPage({ maxPageSize: 5000 })) {
        for (const b of page.segment.blobItems) {
          yield {
            key: b.name,
            sizeBytes: b.properties.contentLength ?? 0,
            mtimeMs: b.properties.lastModified.getTime(),
            version: b.properties.etag ? b.properties.etag.replace(/"/g, '') : null,
          };
        }
      }
    } catch (err) {
      if (signal?.aborted) throw err;
      throw this.failure(err, `listing ${this.base}/${prefix}`);
    }
  }

  /** Get Blob from `offset` (`end − offset` bytes when given) with `If-Match`; cuts are resumed by the collector. */
  async read(
    key: string,
    offset: number,
    end: number | null,
    version: string | null,
    signal?: AbortSignal,
  ): Promise<Readable> {
    try {
      const got = await this.container.getBlobClient(key).download(offset, end !== null ? end - offset : undefined, {
        abortSignal: signal,
        conditions: version ? { ifMatch: `"${version}"` } : undefined,
        maxRetryRequests: 0,
      });
      return got.readableStreamBody as Readable;
    } catch (err) {
      if (signal?.aborted) throw err;
      throw this.failure(err, `reading ${this.base}/${key}`);
    }
  }

  /** Nothing to free: the pipeline keeps no pool of its own beyond Node's agent. */
  close(): void {}

  /** An SDK error as an {@link ObjectStoreError}. */
  private failure(err: unknown, doing: string): ObjectStoreError {
    const e = err as { name?: string; message?: string; statusCode?: number; code?: string };
    const said = `${e?.code ?? e?.name ?? 'Error'}: ${(e?.message ?? String(err)).split('\n')[0]}`;
    if (
      e?.name === 'CredentialUnavailableError' ||
      e?.name === 'AggregateAuthenticationError' ||
      e?.name === 'AuthenticationError'
    ) {
      return new ObjectStoreError(
        'credentials',
        `${doing} (${this.where}): no Azure credentials found; tried ${AZURE_CREDENTIAL_CHAIN} (${said})`,
      );
    }
    // Azure answers a bad signature 403 AuthenticationFailed (Azurite: AuthorizationFailure "Server failed to authenticate").
    if (
      e?.statusCode === 403 &&
      (e.code === 'AuthenticationFailed' ||
        e.code === 'InvalidAuthenticationInfo' ||
        /failed to authenticate/i.test(e.message ?? ''))
    ) {
      return new ObjectStoreError('credentials', `${doing} (${this.where}): the credentials were refused (${said})`);
    }
    if (e?.statusCode === 403) {
      return new ObjectStoreError(
        'access-denied',
        `${doing} (${this.where}): access denied; the collector needs the Storage Blob Data Reader role on the container (${said})`,
      );
    }
    if (e?.statusCode === 404)
      return new ObjectStoreError('not-found', `${doing} (${this.where}): not found (${said})`);
    if (e?.statusCode === 412)
      return new ObjectStoreError('changed', `${doing} (${this.where}): the blob changed while it was read (${said})`);
    if (e?.statusCode === undefined || e.statusCode >= 500) {
      return new ObjectStoreError(
        'network',
        `${doing} (${this.where}): ${e?.statusCode ? `HTTP ${e.statusCode} after retries` : 'unreachable or cut'} (${said})`,
      );
    }
    return new ObjectStoreError('other', `${doing} (${this.where}): ${said}`);
  }
}
