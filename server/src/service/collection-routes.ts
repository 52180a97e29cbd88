/**
 * The collection routes of the REST service, as plain route definitions that service/app.ts registers (it alone owns
 * the HTTP listener): `POST /api/v1/collect` (scope `collect`) starts a collection of a source named in the service's
 * configuration, `GET /api/v1/collections/{id}` and `GET /api/v1/collections` (scope `read`) say how collections went.
 * The request names a configured source only: it never carries a path, URL or credential (the body schema is strict,
 * so `{"source": "x", "path": "/etc"}` is a 400).
 */
import { z } from 'zod';
import type { CollectionRun } from '../history/collection-ledger';
import { CollectionSchema, SourcesResponseSchema, type ServiceSource } from '../history/team-service-collections';
import type { CollectionSource } from './collection-sources';
import type { Collections } from './collections';
import { ProblemError } from './problems';
import { ProblemSchema } from './schemas';
import type { ServiceStore, TokenScope } from '../history/service-store';

/** `POST /api/v1/collect`. */
export const CollectRequestSchema = z
  .strictObject({
    source: z.string().min(1).max(100).describe("The name of a source in the service's configuration (`sources`)"),
  })
  .meta({ id: 'CollectRequest' });

/** One collection (declared with the language server's client of these routes, history/team-service-collections.ts). */
export { CollectionSchema };

/** `GET /api/v1/collections` query. */
export const CollectionsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(20),
  source: z.string().min(1).max(100).optional(),
});

/** `GET /api/v1/collections`: the configured sources and the newest collections. */
export const CollectionsResponseSchema = z.object({
  sources: z.array(
    z.object({
      name: z.string(),
      kind: z.string(),
      intervalMs: z.number().nullable().describe('Collected on this interval; null: on request only'),
    }),
  ),
  collections: z.array(CollectionSchema).describe('Newest first'),
});

/** `GET /api/v1/collections/{id}` path. */
export const CollectionPathSchema = z.object({ id: z.coerce.number().int().min(1) });

/** What a route handler is given. */
export interface RouteRequest {
  body: unknown;
  params: unknown;
  query: unknown;
  /** The `spo_` token that authorised the request, or null. */
  tokenId: number | null;
}

/** What a route handler answers: status, headers and a body matching the status's schema. */
export interface RouteAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** A route, for service/app.ts to register (schemas in the OpenAPI document, scope checked before the body is read). */
export interface ServiceRoute {
  method: 'GET' | 'POST';
  /** Fastify path syntax (`/api/v1/collections/:id`). */
  url: string;
  scope: TokenScope;
  summary: string;
  body?: z.ZodType;
  params?: z.ZodType;
  querystring?: z.ZodType;
  /** Success responses by status (the problem responses are added by app.ts). */
  responses: Record<number, z.ZodType>;
  /** @throws ProblemError for a problem answer. */
  handle(req: RouteRequest): Promise<RouteAnswer>;
}

/**
 * A configured source as `GET /api/v1/sources` shows it: its location as configured and nothing of its credentials
 * (a History Server's `auth` and `tls` are left out; an object store's come from its SDK's chain, never the config).
 */
export function sourceView(s: CollectionSource, last: CollectionRun | null): ServiceSource {
  const location = s.kind === 'event-logs' ? { location: s.path } : { location: s.url };
  return {
    name: s.name,
    kind: s.kind,
    ...location,
    ...(s.kind === 'object-store' && s.endpointUrl !== undefined ? { endpointUrl: s.endpointUrl } : {}),
    intervalMs: s.interval ?? null,
    lastCollection: last === null ? null : view(last),
  };
}

function view(r: CollectionRun): z.infer<typeof CollectionSchema> {
  return {
    id: r.id,
    source: r.sourceName,
    sourceKind: r.sourceKind,
    trigger: r.trigger,
    state: r.state,
    holder: r.holder,
    requestedAtMs: r.requestedAtMs,
    startedAtMs: r.startedAtMs,
    finishedAtMs: r.finishedAtMs,
    progress: {
      logsFound: r.logsFound,
      logsRead: r.logsRead,
      logsStored: r.logsStored,
      logsSkipped: r.logsSkipped,
      logsFailed: r.logsFailed,
      applicationsStored: r.applicationsStored,
    },
    errors: r.errors,
    errorsTotal: r.errorsTotal,
  };
}

/**
 * The collection routes over `collections` (the configured sources; absent: none configured, POST answers
 * unknown-source) and `store` (where every instance's collections are recorded).
 */
export function collectionRoutes(collections: Collections | undefined, store: ServiceStore): ServiceRoute[] {
  const names = () => (collections?.sources ?? []).map((s) => s.name);
  return [
    {
      method: 'POST',
      url: '/api/v1/collect',
      scope: 'collect',
      summary:
        "Starts a collection of a source named in the service's configuration; 202 with the collection, Location: /api/v1/collections/{id}",
      body: CollectRequestSchema,
      responses: { 202: CollectionSchema, 409: ProblemSchema },
      async handle(req) {
        const { source } = req.body as z.infer<typeof CollectRequestSchema>;
        const r = collections
          ? await collections.start(source, 'request', req.tokenId)
          : { kind: 'unknown-source' as const };
        if (r.kind === 'unknown-source')
          throw new ProblemError(
            'unknown-source',
            names().length === 0
              ? `No source named "${source}": this service's configuration lists no sources (see "sources" in docs/service.md).`
              : `No source named "${source}" in this service's configuration; configured: ${names().join(', ')}.`,
          );
        if (r.kind !== 'started') {
          const lease = r.kind === 'running' ? r.lease : null;
          const id = r.kind === 'running' ? (r.run?.id ?? lease?.collectionId ?? null) : null;
          throw new ProblemError(
            'collection-running',
            `A collection of "${source}" is already running${id !== null ? ` (collection ${id}, GET /api/v1/collections/${id})` : ''}${lease ? ` on instance ${lease.holder}, its lease held until ${new Date(lease.expiresAtMs).toISOString()}` : ''}; wait for it to finish.`,
            undefined,
            id !== null ? { collectionId: id } : undefined,
          );
        }
        return {
          status: 202,
          headers: { location: `/api/v1/collections/${r.run.id}` },
          body: view(r.run),
        };
      },
    },
    {
      method: 'GET',
      url: '/api/v1/collections/:id',
      scope: 'read',
      summary: "One collection's state, progress and errors (from any service instance on the same store)",
      params: CollectionPathSchema,
      responses: { 200: CollectionSchema },
      async handle(req) {
        const { id } = req.params as z.infer<typeof CollectionPathSchema>;
        const run = await store.collection(id);
        if (run === null)
          throw new ProblemError(
            'unknown-collection',
            `No collection ${id} is recorded in this service's store; GET /api/v1/collections lists the recent ones.`,
          );
        return { status: 200, body: view(run) };
      },
    },
    {
      method: 'GET',
      url: '/api/v1/sources',
      scope: 'read',
      summary:
        "The service's configured collection sources in config order: name, kind, location as configured (never a credential), interval, newest collection",
      responses: { 200: SourcesResponseSchema },
      async handle() {
        const sources = collections?.sources ?? [];
        const last = await Promise.all(sources.map((s) => store.recentCollections(1, s.name)));
        return { status: 200, body: { sources: sources.map((s, i) => sourceView(s, last[i][0] ?? null)) } };
      },
    },
    {
      method: 'GET',
      url: '/api/v1/collections',
      scope: 'read',
      summary: 'The configured sources and the newest collections (of every instance on the same store), newest first',
      querystring: CollectionsQuerySchema,
      responses: { 200: CollectionsResponseSchema },
      async handle(req) {
        const q = req.query as z.infer<typeof CollectionsQuerySchema>;
        return {
          status: 200,
          body: {
            sources: (collections?.sources ?? []).map((s) => ({
              name: s.name,
              kind: s.kind,
              intervalMs: s.interval ?? null,
            })),
            collections: (await store.recentCollections(q.limit, q.source)).map(view),
          },
        };
      },
    },
  ];
}
