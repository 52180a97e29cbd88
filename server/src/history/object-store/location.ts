/**
 * Where event logs lie in an object store, from the URL a cluster's `spark.eventLog.dir` names:
 * `s3://bucket/prefix` (also `s3a://`, `s3n://`: Hadoop's S3 connectors, same bucket and key), `gs://bucket/prefix`,
 * `abfss://container@account.dfs.core.windows.net/prefix` and `wasbs://container@account.blob.core.windows.net/prefix`
 * (also `abfs://`, `wasb://`).
 */

import type { ObjectStoreKind } from '../../../../shared/src/protocol';

export type { ObjectStoreKind };

/** A parsed object-store location. */
export interface ObjectStoreLocation {
  kind: ObjectStoreKind;
  /** The S3 or GCS bucket, or the Azure container. */
  bucket: string;
  /** The Azure storage account (`account` of `account.dfs.core.windows.net`), else null. */
  account: string | null;
  /** The Azure host (`account.dfs.core.windows.net`), else null. */
  host: string | null;
  /** The key prefix below the bucket, without leading or trailing `/` (`''` for the whole bucket). */
  prefix: string;
  /**
   * The bucket as a URL without a trailing slash, the start of every path collect reports and stores
   * (`s3://bucket`, `gs://bucket`, `abfss://container@account.dfs.core.windows.net`): a log's path is `base/key`.
   */
  base: string;
}

const S3_SCHEMES = new Set(['s3:', 's3a:', 's3n:']);
const AZURE_SCHEMES = new Set(['abfss:', 'abfs:', 'wasbs:', 'wasb:']);

/** True when `text` names an object-store location (by its scheme), so a CLI or setting can tell it from a folder. */
export function isObjectStoreUrl(text: string): boolean {
  const m = /^([a-z0-9]+):\/\//i.exec(text);
  if (!m) return false;
  const scheme = `${m[1].toLowerCase()}:`;
  return S3_SCHEMES.has(scheme) || scheme === 'gs:' || AZURE_SCHEMES.has(scheme);
}

/**
 * Parses an object-store URL.
 * @throws Error naming the expected form when the URL is not one of the forms in the module comment.
 */
export function parseObjectStoreUrl(text: string): ObjectStoreLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(
      `${text} is not an object-store URL (s3://bucket/prefix, gs://bucket/prefix, abfss://container@account.dfs.core.windows.net/prefix)`,
    );
  }
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+/, '').replace(/\/+$/, '');
  const scheme = url.protocol.toLowerCase();
  if (S3_SCHEMES.has(scheme) || scheme === 'gs:') {
    if (!url.hostname) throw new Error(`${text} names no bucket (expected ${scheme}//bucket/prefix)`);
    const kind: ObjectStoreKind = scheme === 'gs:' ? 'gcs' : 's3';
    return {
      kind,
      bucket: url.hostname,
      account: null,
      host: null,
      prefix,
      base: `${kind === 'gcs' ? 'gs' : 's3'}://${url.hostname}`,
    };
  }
  if (AZURE_SCHEMES.has(scheme)) {
    const container = decodeURIComponent(url.username);
    const account = url.hostname.split('.')[0];
    if (!container || !account) {
      throw new Error(
        `${text} names no container or account (expected ${scheme}//container@account.dfs.core.windows.net/prefix)`,
      );
    }
    return {
      kind: 'azure',
      bucket: container,
      account,
      host: url.hostname,
      prefix,
      base: `${scheme}//${container}@${url.hostname}`,
    };
  }
  throw new Error(
    `${text}: scheme ${scheme} is not an object store this collector reads (s3://, gs://, abfss://, wasbs://)`,
  );
}
