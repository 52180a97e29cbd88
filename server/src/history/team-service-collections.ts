/**
 * The wire format of the team service's collection routes (`spark-optimizer serve`, service/collection-routes.ts):
 * `GET /api/v1/sources` (the configured sources), `POST /api/v1/collect` and `GET /api/v1/collections/{id}` (one
 * collection). Declared once here, in the core, because two front ends use the same schemas: the service registers its
 * routes with them (and `/openapi.json` is generated from them, service/schemas.ts re-exports them), and the language
 * server's client of the service (history/team-service.ts) checks the answers against them.
 */
import { z } from 'zod';
import { COLLECTION_STATES, COLLECTION_TRIGGERS } from './collection-ledger';

/** The kinds of configured source (service/collection-sources.ts `kind`). */
export const SOURCE_KINDS = ['event-logs', 'object-store', 'history-server'] as const;

/** A configured source's kind. */
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** One collection, as `POST /api/v1/collect` (202) and `GET /api/v1/collections/{id}` give it. */
export const CollectionSchema = z
  .object({
    id: z.number().int(),
    source: z.string().describe('The configured source'),
    sourceKind: z.string().describe('event-logs, object-store or history-server'),
    trigger: z.enum(COLLECTION_TRIGGERS).describe('request (POST /api/v1/collect) or schedule (the source interval)'),
    state: z.enum(COLLECTION_STATES),
    holder: z.string().describe("The service instance that held the source's lease and ran the collection"),
    requestedAtMs: z.number(),
    startedAtMs: z.number().nullable(),
    finishedAtMs: z.number().nullable(),
    progress: z
      .object({
        logsFound: z.number().int().describe('Event logs (or History Server attempts) the source listed'),
        logsRead: z.number().int().describe('Logs whose content was read, failed ones included'),
        logsStored: z.number().int().describe('Logs stored as a new attempt or a newer version of one'),
        logsSkipped: z.number().int().describe('Logs the store already held (not read, or read and found the same)'),
        logsFailed: z.number().int(),
        applicationsStored: z.number().int().describe('Distinct application ids stored by this collection'),
      })
      .describe('Exact once finished; while running, what was done so far'),
    errors: z.array(z.object({ path: z.string(), reason: z.string(), kind: z.string().optional() })),
    errorsTotal: z.number().int().describe('All errors (errors lists the first 100)'),
  })
  .meta({ id: 'Collection' });

/** A collection as the routes answer it. */
export type ServiceCollection = z.infer<typeof CollectionSchema>;

/**
 * One configured source as `GET /api/v1/sources` lists it: what a user needs to pick one, never a credential (a History
 * Server's `auth` and TLS files, and an object store's credential chain, are not part of it).
 */
export const SourceSchema = z
  .object({
    name: z.string().describe('What POST /api/v1/collect names'),
    kind: z.enum(SOURCE_KINDS),
    location: z
      .string()
      .describe(
        'Where it collects from, as configured: the event-log folder on the service machine, the object-store URL (s3://, gs://, abfss://, wasbs://) or the History Server URL',
      ),
    endpointUrl: z.string().optional().describe('An object-store source: its custom endpoint (MinIO, an emulator)'),
    intervalMs: z.number().nullable().describe('Collected on this interval, ms; null: on request only'),
    lastCollection: CollectionSchema.nullable().describe(
      'Its newest collection (by any instance on the same store, running or finished), or null when never collected',
    ),
  })
  .meta({ id: 'Source' });

/** A configured source as `GET /api/v1/sources` lists it. */
export type ServiceSource = z.infer<typeof SourceSchema>;

/** `GET /api/v1/sources`: the service's configured sources, in config order. */
export const SourcesResponseSchema = z.object({ sources: z.array(SourceSchema) });
