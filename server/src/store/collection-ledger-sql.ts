/**
 * The SQL of the service's collection ledger (history/collection-ledger.ts: leases per source, the record of each
 * collection), written once in SQLite's dialect with `?` parameters. The SQLite store runs it as written
 * (history-store.ts), the PostgreSQL store rendered by sql-dialect.ts (postgres-store.ts), so both keep one rule.
 *
 * Taking a lease is one statement: an INSERT of the source's row that, when the row exists, updates it only where the
 * lease expired and was not released too recently (`ON CONFLICT ... DO UPDATE ... WHERE`). SQLite runs it under its
 * database write lock; PostgreSQL's ON CONFLICT locks the conflicting row and evaluates the WHERE on its newest version
 * ("INSERT", section "ON CONFLICT Clause": "atomic ... outcome of either insert or update"). Either way, of two
 * instances racing for an expired lease exactly one changes the row: the changed-rows count says who won.
 */
import type { CollectionRun } from '../history/collection-ledger';
import { COLLECTIONS, columnsOf, toColumns, type SqlValue } from './record-columns';

/** Parameters: source, holder, now, expiry, now (expired at), released-before. One row changed: the lease is taken. */
export const ACQUIRE_LEASE_SQL = `INSERT INTO collection_leases (source_name, holder, collection_id, acquired_at_ms, expires_at_ms, released_at_ms)
VALUES (?, ?, NULL, ?, ?, NULL)
ON CONFLICT (source_name) DO UPDATE SET holder = excluded.holder, collection_id = NULL,
  acquired_at_ms = excluded.acquired_at_ms, expires_at_ms = excluded.expires_at_ms, released_at_ms = NULL
WHERE collection_leases.expires_at_ms <= ? AND coalesce(collection_leases.released_at_ms, 0) <= ?`;

/** Parameters: expiry, collection id, source, holder. One row changed: still held. */
export const RENEW_LEASE_SQL = `UPDATE collection_leases SET expires_at_ms = ?, collection_id = coalesce(?, collection_id)
WHERE source_name = ? AND holder = ? AND released_at_ms IS NULL`;

/** Parameters: now (expiry), now (released), source, holder. */
export const RELEASE_LEASE_SQL = `UPDATE collection_leases SET expires_at_ms = ?, released_at_ms = ?
WHERE source_name = ? AND holder = ? AND released_at_ms IS NULL`;

/** Parameter: source. */
export const LEASE_OF_SQL = 'SELECT * FROM collection_leases WHERE source_name = ?';

const WRITTEN = COLLECTIONS.columns.filter((c) => !c.codec.generated).map((c) => c.column);

/** Parameters: {@link collectionValues}. The new row's id comes back (RETURNING: SQLite 3.35+, PostgreSQL). */
export const INSERT_COLLECTION_SQL = `INSERT INTO collections (${WRITTEN.join(', ')}) VALUES (${WRITTEN.map(() => '?').join(', ')}) RETURNING id`;

const UPDATED = columnsOf(COLLECTIONS, [
  'state',
  'holder',
  'startedAtMs',
  'finishedAtMs',
  'logsFound',
  'logsRead',
  'logsStored',
  'logsSkipped',
  'logsFailed',
  'applicationsStored',
  'errors',
  'errorsTotal',
]);

/** Parameters: {@link collectionUpdateValues}. */
export const UPDATE_COLLECTION_SQL = `UPDATE collections SET ${UPDATED.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`;

/** Parameter: id. */
export const COLLECTION_SQL = 'SELECT * FROM collections WHERE id = ?';

/** Parameters: source (or null for all), source again, limit. */
export const RECENT_COLLECTIONS_SQL =
  'SELECT * FROM collections WHERE (CAST(? AS TEXT) IS NULL OR source_name = ?) ORDER BY id DESC LIMIT ?';

/** The values of {@link INSERT_COLLECTION_SQL}, in order (booleans never occur in this table). */
export function collectionValues(run: Omit<CollectionRun, 'id'>): SqlValue[] {
  const values = toColumns(COLLECTIONS, { id: 0, ...run });
  return WRITTEN.map((c) => values[c]);
}

/** The values of {@link UPDATE_COLLECTION_SQL}, in order. */
export function collectionUpdateValues(run: CollectionRun): SqlValue[] {
  const values = toColumns(COLLECTIONS, run);
  return [...UPDATED.map((c) => values[c]), run.id];
}
