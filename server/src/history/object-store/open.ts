/**
 * The {@link ObjectStore} of a location: one class per cloud, picked by the URL's scheme (location.ts).
 */

import type { ObjectStoreLocation } from './location';
import type { ObjectStore } from './object-store';
import { AzureBlobStore } from './azure';
import { GcsObjectStore } from './gcs';
import { S3ObjectStore } from './s3';

/** Connection options that are not secrets (credentials come from each SDK's own chain, never from here). */
export interface ObjectStoreConnection {
  /** Custom endpoint (S3-compatible stores such as MinIO; Azurite; fake-gcs-server). */
  endpointUrl?: string;
  /** S3 region. */
  region?: string;
}

/**
 * Opens the bucket or container of `location`.
 * @returns the store and a `close` that frees its connections.
 */
export function openObjectStore(
  location: ObjectStoreLocation,
  connection: ObjectStoreConnection = {},
): { store: ObjectStore; close: () => void } {
  switch (location.kind) {
    case 's3': {
      const store = new S3ObjectStore(location.bucket, {
        endpointUrl: connection.endpointUrl,
        region: connection.region,
      });
      return { store, close: () => store.close() };
    }
    case 'azure': {
      const store = new AzureBlobStore(location.base, location.bucket, location.account ?? '', location.host ?? '', {
        endpointUrl: connection.endpointUrl,
      });
      return { store, close: () => store.close() };
    }
    case 'gcs': {
      const store = new GcsObjectStore(location.bucket, { endpointUrl: connection.endpointUrl });
      return { store, close: () => store.close() };
    }
  }
}
