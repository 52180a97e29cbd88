/**
 * The collection sources a service collects (its config file's `sources`, service/config.ts): event-log folders,
 * object-store locations and History Servers, each with a name (the only thing `POST /api/v1/collect` names: no path,
 * URL or credential ever comes from a request) and an optional interval. Collecting one runs the project's own
 * collectors (history/collect.ts, history/object-store/collect.ts, history/history-server/collect.ts) into the service's
 * store: there is no second collection pipeline.
 *
 * No secret is ever a value of the config: a History Server's credentials are named by reference, an environment
 * variable (`bearerTokenEnv`, `passwordEnv`, `clientSecretEnv`) or a file (`bearerTokenFile`, `passwordFile`,
 * `clientSecretFile`, first line), read at each collection (so a rotated secret file is picked up); object stores use
 * their SDK's own credential chain (history/object-store/). A URL with user info (`https://user:pass@host`) is refused.
 */
import * as fs from 'fs';
import { z } from 'zod';
import { collectEventLogs } from '../history/collect';
import { collectFromHistoryServer, type HistoryServerCollectionSummary } from '../history/history-server/collect';
import { HistoryServerClient, tlsFromFiles, type HistoryServerAuth } from '../history/history-server/client';
import type { HistorySink, IngestSummary } from '../history/ingest';
import { collectObjectStore } from '../history/object-store/collect';
import { isObjectStoreUrl, parseObjectStoreUrl } from '../history/object-store/location';
import { openObjectStore } from '../history/object-store/open';
import { errorMessage } from '../../../shared/src/errors';

/**
 * A duration: a number of seconds, or a number with a unit, `ms`, `s`, `m`, `h` or `d` (`30s`, `15m`, `1h`).
 * @returns milliseconds, or null when the text is not one.
 */
export function parseDurationMs(v: number | string): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v * 1000 : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(v);
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 's'] ?? 1000;
  const ms = Number(m[1]) * unit;
  return ms > 0 ? ms : null;
}

/** A duration in the config (see {@link parseDurationMs}), as milliseconds. */
export const DurationSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = parseDurationMs(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (give seconds, or 30s, 15m, 1h, 1d)` });
    return z.NEVER;
  }
  return ms;
});

/** A secret named by reference: an environment variable or a file (never the secret itself). */
const secretRef = (what: string) =>
  z
    .strictObject({
      env: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
        .optional(),
      file: z.string().min(1).optional(),
    })
    .refine((r) => (r.env === undefined) !== (r.file === undefined), {
      message: `give the ${what} as exactly one of env (an environment variable's name) or file (a file whose first line it is)`,
    });

/** A History Server's authentication, by reference. */
const HistoryServerAuthSchema = z.union([
  z.strictObject({ bearerToken: secretRef('bearer token') }),
  z.strictObject({ basic: z.strictObject({ user: z.string().min(1), password: secretRef('password') }) }),
  z.strictObject({
    oauth2: z.strictObject({
      tokenUrl: z.url(),
      clientId: z.string().min(1),
      clientSecret: secretRef('client secret'),
      scope: z.string().min(1).optional(),
      resource: z.string().min(1).optional(),
    }),
  }),
]);

const NAME = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
    'letters, digits, ".", "_" and "-" (at most 100), starting with a letter or digit',
  );

const common = {
  name: NAME,
  /** Collected every so often by the service's scheduler; absent: only on request. */
  interval: DurationSchema.optional(),
};

const noUserInfo = (url: string) => {
  try {
    const u = new URL(url);
    return u.username === '' && u.password === '';
  } catch {
    return false;
  }
};

/** One configured source (the config file's `sources` list). */
export const CollectionSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...common,
    kind: z.literal('event-logs'),
    /** A folder of event logs on the service's machine. */
    path: z
      .string()
      .min(1)
      .refine((p) => !isObjectStoreUrl(p), 'an object-store URL is a source of kind object-store (url:)'),
    /** Search sub-folders (default true, as a service watches a whole `spark.eventLog.dir`). */
    recursive: z.boolean().optional(),
  }),
  z.strictObject({
    ...common,
    kind: z.literal('object-store'),
    /** `s3://bucket/prefix`, `gs://…`, `abfss://container@account.dfs.core.windows.net/…`, `wasbs://…`. */
    url: z.string().refine(isObjectStoreUrl, 'an s3://, gs://, abfss:// or wasbs:// URL'),
    /** A custom endpoint (MinIO and other S3-compatible stores, an emulator). */
    endpointUrl: z.url().optional(),
    /** The S3 region. */
    region: z.string().min(1).optional(),
    recursive: z.boolean().optional(),
    /** Logs read at once (default 4). */
    concurrency: z.number().int().min(1).max(64).optional(),
  }),
  z.strictObject({
    ...common,
    kind: z.literal('history-server'),
    url: z.url().refine(noUserInfo, 'a URL without user:password@ (give credentials through auth:, by reference)'),
    auth: HistoryServerAuthSchema.optional(),
    tls: z
      .strictObject({
        caFile: z.string().min(1).optional(),
        certFile: z.string().min(1).optional(),
        keyFile: z.string().min(1).optional(),
        /** Verify the server's certificate (default true). */
        verify: z.boolean().optional(),
      })
      .optional(),
    /** Attempts downloaded at once (default 4). */
    concurrency: z.number().int().min(1).max(64).optional(),
    /** Idle timeout of one request (default 30s). */
    timeout: DurationSchema.optional(),
  }),
]);

/** A configured source, parsed (durations in ms). */
export type CollectionSource = z.output<typeof CollectionSourceSchema>;

/** The `sources` list: names unique. */
export const CollectionSourcesSchema = z.array(CollectionSourceSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((s, i) => {
    if (seen.has(s.name))
      ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `source name "${s.name}" is given twice` });
    seen.add(s.name);
  });
});

/** A source's credentials could not be resolved (a variable unset, a file unreadable): the collection fails with it. */
export class SourceCredentialsError extends Error {}

function resolveSecret(ref: { env?: string; file?: string }, what: string, env: NodeJS.ProcessEnv): string {
  if (ref.env !== undefined) {
    const v = env[ref.env];
    if (!v) throw new SourceCredentialsError(`the ${what} variable ${ref.env} is not set in the service's environment`);
    return v;
  }
  try {
    const v = fs.readFileSync(ref.file ?? '', 'utf8').split(/\r?\n/)[0];
    if (!v) throw new Error('its first line is empty');
    return v;
  } catch (e) {
    throw new SourceCredentialsError(`cannot read the ${what} file ${ref.file}: ${errorMessage(e)}`);
  }
}

/**
 * The History Server credentials of a source, read from the variables and files it names.
 * @throws SourceCredentialsError naming the variable or file.
 */
export function historyServerAuthOf(
  auth: Extract<CollectionSource, { kind: 'history-server' }>['auth'],
  env: NodeJS.ProcessEnv,
): HistoryServerAuth | undefined {
  if (auth === undefined) return undefined;
  if ('bearerToken' in auth) return { kind: 'bearer', token: resolveSecret(auth.bearerToken, 'bearer token', env) };
  if ('basic' in auth)
    return { kind: 'basic', user: auth.basic.user, password: resolveSecret(auth.basic.password, 'password', env) };
  const o = auth.oauth2;
  return {
    kind: 'oauth2',
    tokenUrl: o.tokenUrl,
    clientId: o.clientId,
    clientSecret: resolveSecret(o.clientSecret, 'OAuth2 client secret', env),
    ...(o.scope !== undefined ? { scope: o.scope } : {}),
    ...(o.resource !== undefined ? { resource: o.resource } : {}),
  };
}

/** What collecting a source needs besides the source. */
export interface SourceCollectOptions {
  signal: AbortSignal;
  /** Called after each log or attempt with (done, total). */
  onProgress: (done: number, total: number) => void;
  /** Where secrets named by environment variable are looked up. */
  env: NodeJS.ProcessEnv;
}

/**
 * Collects one source into `sink` with its collector (the same the CLI's `collect` runs).
 * @returns the ingest summary.
 * @throws SourceCredentialsError, an object-store error (listing, credentials), or Error for a folder that cannot be
 *   listed; per-log failures are in the summary.
 */
export async function collectSource(
  source: CollectionSource,
  sink: HistorySink,
  opts: SourceCollectOptions,
): Promise<IngestSummary> {
  const maxDepth = (s: { recursive?: boolean }) => (s.recursive === false ? 0 : undefined);
  switch (source.kind) {
    case 'event-logs':
      if (!fs.existsSync(source.path)) throw new Error(`no such folder: ${source.path}`);
      return collectEventLogs(source.path, sink, {
        signal: opts.signal,
        maxDepth: maxDepth(source),
        onProgress: opts.onProgress,
      });
    case 'object-store': {
      const location = parseObjectStoreUrl(source.url);
      const { store, close } = openObjectStore(location, { endpointUrl: source.endpointUrl, region: source.region });
      try {
        return await collectObjectStore(store, location.prefix, sink, {
          signal: opts.signal,
          maxDepth: maxDepth(source),
          concurrency: source.concurrency,
          onProgress: opts.onProgress,
        });
      } finally {
        close();
      }
    }
    case 'history-server': {
      const client = new HistoryServerClient({
        baseUrl: source.url,
        auth: historyServerAuthOf(source.auth, opts.env),
        tls: tlsFromFiles(
          { ca: source.tls?.caFile, cert: source.tls?.certFile, key: source.tls?.keyFile },
          source.tls?.verify !== false,
        ),
        timeoutMs: source.timeout,
      });
      try {
        const s: HistoryServerCollectionSummary = await collectFromHistoryServer(client, sink, {
          signal: opts.signal,
          concurrency: source.concurrency,
          onProgress: opts.onProgress,
        });
        return s;
      } finally {
        client.close();
      }
    }
  }
}
