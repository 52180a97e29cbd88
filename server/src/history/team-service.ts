/**
 * The team's history service (`spark-optimizer serve`, service/) as a history source of the language server: the wire
 * format of its history-read route (`POST /api/v1/history/read`, declared here once: the service's route
 * (service/app.ts) and this client use the same zod schemas), and {@link TeamServiceClient}, which answers the
 * {@link LoadableStore} reads over HTTP. The editor runs its own engine on what it loads (history/loaded-history.ts), so
 * hovers, diagnostics and quick fixes are the ones the local store would give on the same runs.
 *
 * It is also the language server's one client of the service's collection routes (`GET /api/v1/sources`,
 * `POST /api/v1/collect`, `GET /api/v1/collections/{id}`; history/team-service-collect.ts follows a collection).
 *
 * HTTP goes through Node's own `http`/`https` (no library: one JSON request per read). Every request has a timeout, the
 * status is checked before the body is read, the body is capped in bytes and checked against the schema, and each record
 * is checked again as ingest checks it (history/validate.ts). TLS is verified (Node's roots, or the CA file given); a
 * plain `http://` URL is accepted only for a loopback host, because the bearer token would cross the network in clear.
 * The token is sent only to the service's origin (no redirect is followed) and never appears in a message.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { z } from 'zod';
import type { ApplicationRecord } from './application-record';
import type { ApplicationTotals } from './history-reader';
import type { StoredAttempt } from './ingest';
import type { LoadableStore } from './loaded-history';
import { checkRecord } from './validate';
import {
  CollectionSchema,
  SourcesResponseSchema,
  type ServiceCollection,
  type ServiceSource,
} from './team-service-collections';
import type { AppliedFix } from '../recommend/feedback';
import type { RecommendationFeedback } from './service-store';
import type { StoredWorkload } from '../../../shared/src/protocol';
import { errorMessage } from '../../../shared/src/errors';

/** Path of the history-read route below the service's base URL. */
export const HISTORY_READ_PATH = '/api/v1/history/read';

/**
 * The stable `type` URI of a kind of the service's problems (service/problems.ts lists the kinds and answers with
 * them; this client tells some apart): a URN, so it never needs to resolve.
 */
export function problemTypeUri(kind: string): string {
  return `urn:spark-optimizer:problem:${kind}`;
}

/** Path of the feedback route below the service's base URL. */
export const FEEDBACK_PATH = '/api/v1/feedback';

/** Paths of the collection routes (service/collection-routes.ts) below the service's base URL. */
export const SOURCES_PATH = '/api/v1/sources';
/** `POST` starts a collection of a configured source. */
export const COLLECT_PATH = '/api/v1/collect';
/** `GET {COLLECTIONS_PATH}/{id}`: one collection. */
export const COLLECTIONS_PATH = '/api/v1/collections';

const appName = z.string().min(1).max(1024);
const limit = z.number().int().min(1).max(1000);

/**
 * `POST /api/v1/history/read`: one read of the history reader (history/history-reader.ts) by name with its arguments,
 * as the engine makes it. `allRuns` is not offered (unbounded; the editor never makes it).
 */
export const HistoryReadRequestSchema = z
  .discriminatedUnion('read', [
    z.strictObject({ read: z.literal('historyVersion'), args: z.tuple([]) }),
    z.strictObject({ read: z.literal('countApplications'), args: z.tuple([]) }),
    z.strictObject({ read: z.literal('lastCollectedAtMs'), args: z.tuple([]) }),
    z.strictObject({ read: z.literal('listWorkloads'), args: z.tuple([]) }),
    z.strictObject({ read: z.literal('appNames'), args: z.tuple([]) }),
    z.strictObject({ read: z.literal('applicationTotals'), args: z.tuple([]) }),
    z.strictObject({
      read: z.literal('runsByAppName'),
      args: z.union([z.tuple([appName]), z.tuple([appName, limit])]),
    }),
    z.strictObject({
      read: z.literal('runsWithSameSignature'),
      args: z.union([z.tuple([appName]), z.tuple([appName, limit])]),
    }),
    z.strictObject({ read: z.literal('appNamesBySubmittedFile'), args: z.tuple([z.string().min(1).max(1024)]) }),
    z.strictObject({
      read: z.literal('appNamesByMaster'),
      args: z.union([z.tuple([z.string().min(1).max(1024)]), z.tuple([z.string().min(1).max(1024), limit])]),
    }),
    z.strictObject({
      read: z.literal('runById'),
      args: z.union([
        z.tuple([z.string().min(1).max(256)]),
        z.tuple([z.string().min(1).max(256), z.string().nullable()]),
      ]),
    }),
    z.strictObject({ read: z.literal('attemptsOf'), args: z.tuple([z.string().min(1).max(256)]) }),
    z.strictObject({
      read: z.literal('appliedFixes'),
      args: z.union([z.tuple([appName.nullable()]), z.tuple([appName.nullable(), z.string().max(2048)])]),
    }),
    z.strictObject({ read: z.literal('feedbackOf'), args: z.tuple([appName]) }),
  ])
  .meta({ id: 'HistoryRead' });

/** A read of {@link HistoryReadRequestSchema}. */
export type HistoryRead = z.infer<typeof HistoryReadRequestSchema>;

/** The reads the route answers. */
export type HistoryReadName = HistoryRead['read'];

/**
 * A full ApplicationRecord (history/application-record.ts) as stored: its identifying fields typed, the rest (every
 * figure, stage, executor, job and Spark property) passed through as stored; the client checks each record as ingest
 * does (history/validate.ts `checkRecord`) before the engine reads it.
 */
export const ApplicationRecordSchema = z
  .looseObject({
    appId: z.string(),
    attemptId: z.string().nullable(),
    appName: z.string(),
    startTimeMs: z.number(),
    durationMs: z.number(),
    completed: z.boolean(),
    sparkProperties: z.record(z.string(), z.string()),
    stages: z.array(z.looseObject({ stageId: z.number() })),
    executors: z.array(z.looseObject({})),
  })
  .meta({ id: 'ApplicationRecord' });

/** The answer of one read: its value, of the read's type. */
export const HistoryReadResponseSchema = z.object({
  value: z.union([
    z.string().describe('historyVersion'),
    z.number().describe('countApplications, lastCollectedAtMs'),
    z.null().describe('lastCollectedAtMs of an empty store, runById of an attempt not stored'),
    ApplicationRecordSchema.describe('runById'),
    z
      .array(z.union([z.string(), ApplicationRecordSchema, z.looseObject({})]))
      .describe(
        'appNames, appNamesBySubmittedFile, appNamesByMaster (names); runsByAppName, runsWithSameSignature (records); listWorkloads, applicationTotals, attemptsOf, appliedFixes, feedbackOf (rows)',
      ),
  ]),
});

/** The members of a problem document (service/problems.ts) the client reads; anything else in the body is ignored. */
const ProblemFieldsSchema = z.looseObject({
  type: z.string().optional(),
  detail: z.string().optional(),
  collectionId: z.number().int().optional(),
});

/** What went wrong talking to the team service: the kind decides whether the editor falls back and what it says. */
export type TeamServiceFailure = 'unreachable' | 'unauthorized' | 'rejected';

/** What the service answered with a failure status: for a caller that tells problems apart (history/team-service-collect.ts). */
export interface TeamServiceAnswer {
  /** The HTTP status. */
  status: number;
  /** The problem's `detail` (what happened, in the service's words), or the start of the body. */
  detail: string;
  /** The problem document's `type` (service/problems.ts, e.g. `urn:spark-optimizer:problem:insufficient-scope`), if any. */
  problemType?: string;
  /** The problem's `collectionId` extension (a `collection-running` problem: the collection that runs). */
  collectionId?: number;
}

/** A failed call to the team service; the message names the service's URL and what to do, never the token. */
export class TeamServiceError extends Error {
  constructor(
    readonly kind: TeamServiceFailure,
    message: string,
    /** The service's answer when it answered with a failure status; absent when it did not answer. */
    readonly answer?: TeamServiceAnswer,
  ) {
    super(message);
  }
}

/** Options of {@link TeamServiceClient}. */
export interface TeamServiceOptions {
  /** The service's base URL, `https://host:port` (`http://` only on a loopback host). */
  url: string;
  /** The bearer token (`spark-optimizer token create --scope read`); empty: none sent. */
  token: string;
  /** PEM CA certificate(s) to trust instead of Node's roots (a company CA); verification is never turned off. */
  ca?: string | Buffer;
  /** Timeout of one request, ms, from sending it to the end of the answer (default 10 000). */
  timeoutMs?: number;
  /** Largest answer read, bytes (default 64 MiB). */
  maxResponseBytes?: number;
}

/**
 * Whether `host` is this machine's loopback (`localhost`, `127.x.x.x`, `::1`; a URL's bracketed `[::1]` too): where
 * plain HTTP keeps a token on this machine, and where `serve` may listen without TLS (service/config.ts).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/**
 * The service's base URL, checked: `https://`, or `http://` on a loopback host; no user info, query or fragment.
 * @returns the URL without a trailing slash.
 * @throws TeamServiceError (`rejected`) saying what is wrong with it.
 */
export function teamServiceUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new TeamServiceError('rejected', `"${raw}" is not a URL; give the team service like https://host:8080.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TeamServiceError('rejected', `The team service URL must start with https://, got ${url.protocol}//.`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    throw new TeamServiceError(
      'rejected',
      `The team service URL ${url.origin} is plain HTTP on another machine: the token would cross the network unencrypted. Use https:// (serve --tls-cert/--tls-key).`,
    );
  if (url.username || url.password || url.search || url.hash)
    throw new TeamServiceError(
      'rejected',
      'The team service URL carries user info, a query or a fragment; give only https://host:port (the token is kept in SecretStorage).',
    );
  return url.toString().replace(/\/+$/, '');
}

/** Network errors that mean "not reachable now" (the editor falls back to the local store and tries again later). */
function unreachable(base: string, e: unknown): TeamServiceError {
  const code = (e as NodeJS.ErrnoException).code;
  const tls = /certificate|self.signed|unable to verify/i.test(errorMessage(e));
  return new TeamServiceError(
    'unreachable',
    tls
      ? `The team service at ${base} presented a certificate that is not trusted (${errorMessage(e)}); set sparkOptimizer.service.caFile to the CA that signed it.`
      : `The team service at ${base} is not reachable (${code ?? errorMessage(e)}).`,
  );
}

/**
 * The team service's history reads over HTTP, as a {@link LoadableStore} (see the module comment), and its feedback
 * route.
 */
export class TeamServiceClient implements LoadableStore {
  /** The checked base URL (teamServiceUrl). */
  readonly url: string;
  private readonly token: string;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;

  /** @throws TeamServiceError (`rejected`) when the URL is not one to send a token to (teamServiceUrl). */
  constructor(opts: TeamServiceOptions) {
    this.url = teamServiceUrl(opts.url);
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxResponseBytes = opts.maxResponseBytes ?? 64 * 1024 * 1024;
    this.agent = this.url.startsWith('https:')
      ? new https.Agent({ keepAlive: true, rejectUnauthorized: true, ca: opts.ca })
      : new http.Agent({ keepAlive: true });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  /**
   * One JSON POST to the service.
   * @param scope the token scope the route needs (named in the message of a 401/403).
   * @returns the parsed answer of a 2xx status.
   * @throws TeamServiceError: `unreachable` (connection, timeout, 5xx, a body that is not the expected JSON),
   *   `unauthorized` (401/403), `rejected` (another 4xx: its problem detail); with the service's `answer` when it answered.
   */
  post(path: string, body: unknown, scope: 'read' | 'collect' = 'read'): Promise<unknown> {
    return this.send('POST', path, body, scope);
  }

  /**
   * One GET of a JSON resource of the service (scope read).
   * @throws TeamServiceError as {@link post}.
   */
  get(path: string): Promise<unknown> {
    return this.send('GET', path, undefined, 'read');
  }

  private async send(method: 'GET' | 'POST', path: string, body: unknown, scope: 'read' | 'collect'): Promise<unknown> {
    const target = new URL(path, `${this.url}/`);
    const payload = method === 'POST' ? Buffer.from(JSON.stringify(body), 'utf8') : null;
    const lib = target.protocol === 'https:' ? https : http;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = lib.request(
        target,
        {
          method,
          agent: this.agent,
          headers: {
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
            accept: 'application/json',
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (d: Buffer) => {
            size += d.length;
            if (size > this.maxResponseBytes) {
              req.destroy(new Error(`answer larger than ${this.maxResponseBytes} bytes`));
              return;
            }
            chunks.push(d);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      const timer = setTimeout(
        () => req.destroy(Object.assign(new Error(`no answer in ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
        this.timeoutMs,
      );
      req.on('close', () => clearTimeout(timer));
      req.on('error', reject);
      if (payload) req.end(payload);
      else req.end();
    }).catch((e: unknown) => {
      throw unreachable(this.url, e);
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (status >= 200 && status < 300) {
      if (json === undefined)
        throw new TeamServiceError('unreachable', `The team service at ${this.url} answered ${path} with no JSON.`);
      return json;
    }
    const problem = ProblemFieldsSchema.safeParse(json);
    const detail = problem.success && problem.data.detail !== undefined ? problem.data.detail : text.slice(0, 200);
    const answer: TeamServiceAnswer = {
      status,
      detail,
      ...(problem.success && problem.data.type !== undefined ? { problemType: problem.data.type } : {}),
      ...(problem.success && problem.data.collectionId !== undefined
        ? { collectionId: problem.data.collectionId }
        : {}),
    };
    if (status === 401 || status === 403)
      throw new TeamServiceError(
        'unauthorized',
        `The team service at ${this.url} answered ${status}: ${detail} Run "Spark: Set Team Service Token" with a token of scope ${scope}.`,
        answer,
      );
    throw new TeamServiceError(
      status >= 500 || status === 429 ? 'unreachable' : 'rejected',
      `The team service at ${this.url} answered ${path} with ${status}: ${detail}`,
      answer,
    );
  }

  /**
   * One history read.
   * @throws TeamServiceError as {@link post}; `unreachable` when the answer does not match the schema or a record fails
   *   ingest's checks (a service of another version, or a broken proxy).
   */
  async read(read: HistoryRead): Promise<unknown> {
    const answer = HistoryReadResponseSchema.safeParse(await this.post(HISTORY_READ_PATH, read));
    if (!answer.success)
      throw new TeamServiceError(
        'unreachable',
        `The team service at ${this.url} answered ${read.read} with a body that does not match its schema: ${answer.error.issues[0]?.message ?? ''}`,
      );
    const value = answer.data.value;
    const records = Array.isArray(value) ? value : [value];
    if (read.read === 'runsByAppName' || read.read === 'runsWithSameSignature' || read.read === 'runById') {
      for (const r of records) {
        if (r === null) continue;
        const problems = checkRecord(r as unknown as ApplicationRecord).problems;
        if (problems.length > 0)
          throw new TeamServiceError(
            'unreachable',
            `The team service at ${this.url} sent a record that fails the store's checks: ${problems[0]}`,
          );
      }
    }
    return value;
  }

  /** The arguments as JSON carries them: trailing undefined ones left out. */
  private args(...args: unknown[]): never {
    let n = args.length;
    while (n > 0 && args[n - 1] === undefined) n--;
    return args.slice(0, n) as never;
  }

  async historyVersion(): Promise<string> {
    return (await this.read({ read: 'historyVersion', args: [] })) as string;
  }
  async countApplications(): Promise<number> {
    return (await this.read({ read: 'countApplications', args: [] })) as number;
  }
  async lastCollectedAtMs(): Promise<number | null> {
    return (await this.read({ read: 'lastCollectedAtMs', args: [] })) as number | null;
  }
  async listWorkloads(): Promise<StoredWorkload[]> {
    return (await this.read({ read: 'listWorkloads', args: [] })) as StoredWorkload[];
  }
  async appNames(): Promise<string[]> {
    return (await this.read({ read: 'appNames', args: [] })) as string[];
  }
  async applicationTotals(): Promise<ApplicationTotals[]> {
    return (await this.read({ read: 'applicationTotals', args: [] })) as ApplicationTotals[];
  }
  async runsByAppName(name: string, max?: number): Promise<ApplicationRecord[]> {
    return (await this.read({ read: 'runsByAppName', args: this.args(name, max) })) as ApplicationRecord[];
  }
  async runsWithSameSignature(name: string, max?: number): Promise<ApplicationRecord[]> {
    return (await this.read({ read: 'runsWithSameSignature', args: this.args(name, max) })) as ApplicationRecord[];
  }
  async appNamesBySubmittedFile(stem: string): Promise<string[]> {
    return (await this.read({ read: 'appNamesBySubmittedFile', args: [stem] })) as string[];
  }
  async appNamesByMaster(master: string, max?: number): Promise<string[]> {
    return (await this.read({ read: 'appNamesByMaster', args: this.args(master, max) })) as string[];
  }
  async runById(appId: string, attemptId?: string | null): Promise<ApplicationRecord | null> {
    return (await this.read({ read: 'runById', args: this.args(appId, attemptId) })) as ApplicationRecord | null;
  }
  async attemptsOf(appId: string): Promise<StoredAttempt[]> {
    return (await this.read({ read: 'attemptsOf', args: [appId] })) as StoredAttempt[];
  }
  async appliedFixes(name: string | null, fileUri?: string): Promise<AppliedFix[]> {
    return (await this.read({ read: 'appliedFixes', args: this.args(name, fileUri) })) as AppliedFix[];
  }
  async feedbackOf(name: string): Promise<RecommendationFeedback[]> {
    return (await this.read({ read: 'feedbackOf', args: [name] })) as RecommendationFeedback[];
  }
  /** Not offered by the service (unbounded); the editor never makes this read. @throws TeamServiceError always. */
  allRuns(): Promise<ApplicationRecord[]> {
    return Promise.reject(new TeamServiceError('rejected', 'allRuns is not a read the team service offers.'));
  }

  /**
   * The service's configured collection sources (`GET /api/v1/sources`, scope read).
   * @throws TeamServiceError as {@link post}; `unreachable` for an answer that does not match the schema.
   */
  async sources(): Promise<ServiceSource[]> {
    return this.checked(SourcesResponseSchema, await this.get(SOURCES_PATH), 'GET /api/v1/sources').sources;
  }

  /**
   * Starts a collection of a configured source (`POST /api/v1/collect`, scope collect).
   * @returns the collection (state `queued`).
   * @throws TeamServiceError as {@link post}: a 409 `collection-running` carries the running collection's id in
   *   `answer.collectionId`; a 403 is a token without scope collect.
   */
  async startCollection(source: string): Promise<ServiceCollection> {
    return this.checked(CollectionSchema, await this.post(COLLECT_PATH, { source }, 'collect'), 'POST /api/v1/collect');
  }

  /**
   * One collection's state and counts (`GET /api/v1/collections/{id}`, scope read).
   * @throws TeamServiceError as {@link post}.
   */
  async collection(id: number): Promise<ServiceCollection> {
    return this.checked(CollectionSchema, await this.get(`${COLLECTIONS_PATH}/${id}`), `GET ${COLLECTIONS_PATH}/${id}`);
  }

  private checked<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const r = schema.safeParse(body);
    if (!r.success)
      throw new TeamServiceError(
        'unreachable',
        `The team service at ${this.url} answered ${what} with a body that does not match its schema: ${r.error.issues[0]?.message ?? ''}`,
      );
    return r.data;
  }

  /**
   * Sends feedback on one recommended setting (`POST /api/v1/feedback`): `applied` also records an applied fix there,
   * which the feedback loop reads back.
   * @returns the feedback id and, for `applied`, the applied fix's id.
   * @throws TeamServiceError as {@link post}.
   */
  async sendFeedback(f: {
    verdict: 'applied' | 'accepted' | 'rejected';
    appName: string;
    key: string;
    recommendedValue?: string;
    previousValue?: string;
    reason?: string;
    fileUri?: string;
  }): Promise<{ id: number; appliedFixId: number | null }> {
    const r = z
      .object({ id: z.number().int(), appliedFixId: z.number().int().nullable() })
      .safeParse(await this.post(FEEDBACK_PATH, f));
    if (!r.success)
      throw new TeamServiceError('unreachable', `The team service at ${this.url} answered feedback with another body.`);
    return r.data;
  }
}
