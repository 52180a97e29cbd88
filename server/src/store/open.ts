/**
 * Opens the service's store from what the user named: a `postgres://` (or `postgresql://`) URL gives the PostgreSQL
 * store (store/postgres-store.ts), anything else is a SQLite file (store/sqlite-service-store.ts), SQLite being the
 * default for one user. The service (`spark-optimizer serve`) and the token commands open their store here.
 */
import type { ServiceStore } from '../history/service-store';
import { isPostgresUrl, PostgresStore } from './postgres-store';
import { SqliteServiceStore } from './sqlite-service-store';

/** How to open a PostgreSQL store (ignored for a SQLite file). */
export interface OpenStoreOptions {
  /** The database password (from the environment or a file, never from the URL). */
  password?: string;
  /** Most connections of the pool. */
  poolSize?: number;
}

/**
 * The store at `target`: a PostgreSQL URL or a SQLite file path (created and migrated if needed).
 * @throws Error when the database cannot be reached, logged into or migrated, or the file is not a store.
 */
export async function openServiceStore(target: string, options: OpenStoreOptions = {}): Promise<ServiceStore> {
  if (isPostgresUrl(target))
    return PostgresStore.open({ url: target, password: options.password, poolSize: options.poolSize });
  return SqliteServiceStore.open(target);
}
