/**
 * Amazon S3 and S3-compatible stores (MinIO, Ceph, moto, ...) through `@aws-sdk/client-s3`: the only module that
 * imports it. Credentials come from the SDK's default chain only (never from settings); retries are the SDK's
 * `standard` strategy (exponential backoff with jitter, `Retry-After` honoured: @smithy/core retry).
 */

import { GetObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { ObjectStoreError, type ObjectStore, type StoredObject } from './object-store';

/** Options of {@link S3ObjectStore}. */
export interface S3Options {
  /**
   * Endpoint of an S3-compatible store (`http://127.0.0.1:9000`); default: the SDK's (AWS, or `AWS_ENDPOINT_URL_S3` /
   * `AWS_ENDPOINT_URL` from the environment). With a custom endpoint, buckets are addressed path-style.
   */
  endpointUrl?: string;
  /** Region; default `AWS_REGION`, `AWS_DEFAULT_REGION`, else us-east-1 (S3 redirects to the bucket's own region). */
  region?: string;
  /** Attempts per request, the first included (default 5). */
  maxAttempts?: number;
  /** Socket idle timeout per request, ms (default 60,000). */
  requestTimeoutMs?: number;
  /** The environment the SDK's chains read (default `process.env`); only to name the profile in messages. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The providers the AWS SDK's default credential chain (`fromNodeProviderChain`) tries, in order, for messages.
 * Source: AWS SDK for JavaScript v3, packages/credential-provider-node/src/defaultProvider.ts.
 */
export function awsCredentialChain(env: NodeJS.ProcessEnv): string {
  const profile = env.AWS_PROFILE ?? 'default';
  return (
    'environment (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY), SSO, ' +
    `the shared credentials and config files (profile "${profile}" in ${env.AWS_SHARED_CREDENTIALS_FILE ?? '~/.aws/credentials'} and ${env.AWS_CONFIG_FILE ?? '~/.aws/config'}), ` +
    'credential_process, web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, as EKS IRSA sets them), ' +
    'container credentials (ECS, EKS Pod Identity) and EC2 instance metadata'
  );
}

/** One S3 bucket as an {@link ObjectStore}. */
export class S3ObjectStore implements ObjectStore {
  readonly base: string;
  private readonly client: S3Client;
  private readonly env: NodeJS.ProcessEnv;
  private readonly where: string;

  /**
   * @param bucket the bucket name.
   * @param options endpoint, region, retries and timeout.
   */
  constructor(
    private readonly bucket: string,
    options: S3Options = {},
  ) {
    this.env = options.env ?? process.env;
    this.base = `s3://${bucket}`;
    const endpoint = options.endpointUrl ?? this.env.AWS_ENDPOINT_URL_S3 ?? this.env.AWS_ENDPOINT_URL;
    this.where = endpoint ? `${this.base} at ${endpoint}` : this.base;
    const region = options.region ?? this.env.AWS_REGION ?? this.env.AWS_DEFAULT_REGION;
    this.client = new S3Client({
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      // S3 answers a request sent to the wrong region with a redirect the client follows, so any default works.
      region: region ?? 'us-east-1',
      followRegionRedirects: true,
      maxAttempts: options.maxAttempts ?? 5,
      retryMode: 'standard',
      requestHandler: { requestTimeout: options.requestTimeoutMs ?? 60_000, connectionTimeout: 10_000 },
    });
  }

  /** Every object below `prefix`, page after page (ListObjectsV2, 1,000 keys a page). */
  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<StoredObject> {
    try {
      for await (const page of paginateListObjectsV2(
        { client: this.client },
        { Bucket: this.bucket, Prefix: prefix },
      )) {
        signal?.throwIfAborted();
        for (const o of page.Contents ?? []) {
          if (o.Key === undefined) continue;
          yield {
            key: o.Key,
            sizeBytes: o.Size ?? 0,
            mtimeMs: o.LastModified?.getTime() ?? 0,
            version: o.ETag ? o.ETag.replace(/"/g, '') : null,
          };
        }
      }
    } catch (err) {
      if (signal?.aborted) throw err;
      throw this.failure(err, `listing ${this.base}/${prefix}`);
    }
  }

  /** GetObject with `Range: bytes=offset-` (or `offset-(end−1)`) and `If-Match` when given. */
  async read(
    key: string,
    offset: number,
    end: number | null,
    version: string | null,
    signal?: AbortSignal,
  ): Promise<Readable> {
    const range = offset > 0 || end !== null ? `bytes=${offset}-${end !== null ? end - 1 : ''}` : undefined;
    try {
      const got = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range,
          IfMatch: version ? `"${version}"` : undefined,
        }),
        { abortSignal: signal },
      );
      return got.Body as Readable;
    } catch (err) {
      if (signal?.aborted) throw err;
      throw this.failure(err, `reading ${this.base}/${key}`);
    }
  }

  /** Closes the SDK's connections. */
  close(): void {
    this.client.destroy();
  }

  /** An SDK error as an {@link ObjectStoreError}: the kind, what was done, to which bucket or key, and the SDK's words. */
  private failure(err: unknown, doing: string): ObjectStoreError {
    const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
    const name = e?.name ?? '';
    const status = e?.$metadata?.httpStatusCode;
    const said = `${name && name !== 'Error' ? `${name}: ` : ''}${e?.message ?? String(err)}`;
    if (name === 'CredentialsProviderError' || /could not load credentials/i.test(e?.message ?? '')) {
      return new ObjectStoreError(
        'credentials',
        `${doing} (${this.where}): no AWS credentials found; the SDK's default chain tried ${awsCredentialChain(this.env)} (${said})`,
      );
    }
    if (
      ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired'].includes(
        name,
      )
    ) {
      return new ObjectStoreError('credentials', `${doing} (${this.where}): the credentials were refused (${said})`);
    }
    if (name === 'AccessDenied' || status === 403) {
      return new ObjectStoreError(
        'access-denied',
        `${doing} (${this.where}): access denied; the collector needs s3:ListBucket on the bucket and s3:GetObject on the keys (${said})`,
      );
    }
    if (name === 'NoSuchBucket' || name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
      return new ObjectStoreError('not-found', `${doing} (${this.where}): not found (${said})`);
    }
    if (name === 'PreconditionFailed' || status === 412) {
      return new ObjectStoreError(
        'changed',
        `${doing} (${this.where}): the object changed while it was read (${said})`,
      );
    }
    if (status === undefined || status >= 500 || name === 'TimeoutError') {
      return new ObjectStoreError(
        'network',
        `${doing} (${this.where}): ${status ? `HTTP ${status} after retries` : 'unreachable or cut'} (${said}${e?.code ? `, ${e.code}` : ''})`,
      );
    }
    return new ObjectStoreError('other', `${doing} (${this.where}): ${said}`);
  }
}
