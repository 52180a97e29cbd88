/**
 * `spark-optimizer collect`: the CLI's collections, from event-log folders (local or object store, read here or by a
 * Spark Connect server with `--engine spark`) and from a History Server's REST API, with the summary line, the exit
 * code and the History Server credentials from the environment. Split from main.ts, which dispatches to it.
 */
import * as fs from 'fs';
import { z } from 'zod';
import { collectEventLogs } from '../history/collect';
import { describeCorrection } from '../history/bounds';
import { failureLevel, type IngestSummary } from '../history/ingest';
import { HistoryServerClient, tlsFromFiles, type HistoryServerAuth } from '../history/history-server/client';
import { collectFromHistoryServer } from '../history/history-server/collect';
import { collectObjectStore } from '../history/object-store/collect';
import { isObjectStoreUrl, parseObjectStoreUrl } from '../history/object-store/location';
import { ObjectStoreError } from '../history/object-store/object-store';
import { openObjectStore } from '../history/object-store/open';
import { HistoryStore } from '../store/history-store';
import { defaultStorePath } from '../store/store-path';
import { historyServerRemedy, objectStoreRemedy } from './remedies';
import { SparkConnectClient } from '../connect/client';
import { redactToken } from '../connect/connection-string';
import { SparkConnectError } from '../connect/errors';
import { SparkConnectSql } from '../connect/spark-sql';
import { collectWithSpark, EVENT_LOG_CODECS_JAR } from '../history/spark-engine/collect';
import { collectCountsText } from '../../../shared/src/collect-text';
import { escapeTerminal } from '../../../shared/src/escape';
import { errorMessage } from '../../../shared/src/errors';
import { type Output, parse, positiveInt, str, UsageError } from './args';

/**
 * `spark-optimizer collect` (the usage in main.ts): event logs from a folder or an object store, through a Spark
 * Connect server (`--engine spark`), or a History Server's REST API, into the store.
 * @returns the exit code (collectExitCode).
 * @throws UsageError on a wrong combination of flags; StoreUnavailableError when the store cannot be opened.
 */
export async function collectCommand(args: string[], out: Output, err: Output): Promise<number> {
  const { values } = parse(args, {
    source: { type: 'string', default: 'event-logs' },
    path: { type: 'string' },
    url: { type: 'string' },
    since: { type: 'string' },
    user: { type: 'string' },
    limit: { type: 'string' },
    concurrency: { type: 'string' },
    timeout: { type: 'string' },
    insecure: { type: 'boolean', default: false },
    ca: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    db: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    recursive: { type: 'boolean', default: false },
    'endpoint-url': { type: 'string' },
    region: { type: 'string' },
    engine: { type: 'string', default: 'local' },
    remote: { type: 'string' },
    'oauth2-token-url': { type: 'string' },
    'oauth2-client-id': { type: 'string' },
    'oauth2-client-secret-file': { type: 'string' },
    'oauth2-scope': { type: 'string' },
    'oauth2-resource': { type: 'string' },
  });
  if (values.engine === 'spark') return collectWithSparkEngine(values, out);
  if (values.engine !== 'local')
    throw new UsageError(`--engine ${String(values.engine)} is not supported (use local or spark).`);
  if (values.remote !== undefined) throw new UsageError('--remote is for --engine spark.');
  if (values.source === 'history-server') return collectHistoryServer(values, out, err);
  if (values.source === 'event-logs' && typeof values.path === 'string' && isObjectStoreUrl(values.path))
    return collectFromObjectStore(values.path, values, out);
  if (values.source !== 'event-logs')
    throw new UsageError(`--source ${String(values.source)} is not supported (use event-logs or history-server).`);
  if (typeof values.path !== 'string') throw new UsageError('collect needs --path DIR (a folder of Spark event logs).');
  if (!fs.existsSync(values.path)) throw new Error(`No such folder: ${values.path}`);
  const dbPath = typeof values.db === 'string' ? values.db : defaultStorePath();
  const store = HistoryStore.open(dbPath);
  try {
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    const progress = terminalProgress('event logs');
    const s = await collectEventLogs(values.path, store, {
      dryRun: values['dry-run'] === true,
      signal: abort.signal,
      maxDepth: values.recursive === true ? undefined : 0,
      onProgress: progress.update,
    });
    progress.done();
    process.removeListener('SIGINT', onSignal);
    printCollection(s, values, `${s.found} event log(s) in ${values.path}`, dbPath, store.countApplications(), out);
    return collectExitCode(s);
  } finally {
    store.close();
  }
}

/**
 * `collect --engine spark --remote sc://… --path PATH`: Spark reads and folds the logs where they lie
 * (history/spark-engine/collect.ts) and the records are stored here. The token comes from the URL or SPARK_CONNECT_TOKEN.
 */
async function collectWithSparkEngine(
  values: Record<string, string | boolean | undefined>,
  out: Output,
): Promise<number> {
  if (values.source !== 'event-logs')
    throw new UsageError('--engine spark reads event logs: use --source event-logs (the default).');
  const remote = typeof values.remote === 'string' ? values.remote : process.env.SPARK_REMOTE;
  if (!remote)
    throw new UsageError(
      '--engine spark needs --remote sc://HOST:PORT (a Spark Connect server; or SPARK_REMOTE in the environment).',
    );
  if (typeof values.path !== 'string')
    throw new UsageError(
      '--engine spark needs --path: the event-log folder as the Spark cluster sees it (/data/spark-events, s3a://bucket/prefix, hdfs://…).',
    );
  let caPem: Buffer | undefined;
  if (typeof values.ca === 'string') caPem = fs.readFileSync(values.ca);
  let client: SparkConnectClient;
  try {
    client = new SparkConnectClient({
      url: remote,
      token: /;token=/i.test(remote) ? undefined : process.env.SPARK_CONNECT_TOKEN,
      caPem,
    });
  } catch (e) {
    throw new UsageError(`--remote ${redactToken(remote)}: ${errorMessage(e)}`);
  }
  const { dbPath, store, signal, close } = collectTarget(values);
  try {
    const progress = terminalProgress('event logs');
    const s = await collectWithSpark(new SparkConnectSql(client), values.path, store, {
      dryRun: values['dry-run'] === true,
      signal,
      maxDepth: values.recursive === true ? undefined : 0,
      onProgress: (phase, done, total) =>
        progress.update(done, total, phase === 'storing' ? 'stored' : `(Spark: ${phase}, tasks)`),
    });
    progress.done();
    printCollection(
      s,
      values,
      `${s.found} event log(s) in ${values.path} read by Spark at ${client.target} (${s.listedFiles} file(s) listed, ${s.readFiles} read)`,
      dbPath,
      store.countApplications(),
      out,
    );
    return collectExitCode(s);
  } catch (e) {
    if (e instanceof SparkConnectError && signal.aborted) {
      out.line('Stopped by Ctrl-C (what was stored stays stored).');
      return 130;
    }
    if (e instanceof SparkConnectError && /SparkEventLogCodecs/.test(e.message)) {
      throw new Error(
        `Spark at ${client.target} cannot load the event-log codecs (${e.message.split('\n')[0]}). Start the Spark Connect server with --jars ${EVENT_LOG_CODECS_JAR} ` +
          '(built by bash scripts/build-event-log-codecs.sh; see docs/object-storage.md, "Reading an archive on Spark").',
        { cause: e },
      );
    }
    throw e;
  } finally {
    close();
    await client.close();
  }
}

/**
 * The store a collection writes (`--db`, else the default) and Ctrl-C as its cancellation; `close` gives both back.
 */
function collectTarget(values: Record<string, string | boolean | undefined>): {
  dbPath: string;
  store: HistoryStore;
  signal: AbortSignal;
  close: () => void;
} {
  const dbPath = typeof values.db === 'string' ? values.db : defaultStorePath();
  const store = HistoryStore.open(dbPath);
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  return {
    dbPath,
    store,
    signal: abort.signal,
    close: () => {
      process.removeListener('SIGINT', onSignal);
      store.close();
    },
  };
}

/** `collect --source event-logs --path s3://…`: the object-store collector (history/object-store/collect.ts). */
async function collectFromObjectStore(
  url: string,
  values: Record<string, string | boolean | undefined>,
  out: Output,
): Promise<number> {
  const location = parseObjectStoreUrl(url);
  const concurrency = values.concurrency !== undefined ? Number(values.concurrency) : undefined;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1))
    throw new UsageError('--concurrency must be a whole number of at least 1.');
  const { store: bucket, close } = openObjectStore(location, {
    endpointUrl: typeof values['endpoint-url'] === 'string' ? values['endpoint-url'] : undefined,
    region: typeof values.region === 'string' ? values.region : undefined,
  });
  const { dbPath, store, signal, close: closeTarget } = collectTarget(values);
  try {
    const progress = terminalProgress('event logs');
    const s = await collectObjectStore(bucket, location.prefix, store, {
      dryRun: values['dry-run'] === true,
      signal,
      maxDepth: values.recursive === true ? undefined : 0,
      concurrency,
      onProgress: progress.update,
    });
    progress.done();
    printCollection(
      s,
      values,
      `${s.found} event log(s) in ${url} (${s.listedObjects} object(s) listed, ${s.downloadedObjects} read)`,
      dbPath,
      store.countApplications(),
      out,
    );
    return collectExitCode(s);
  } catch (e) {
    const remedy = e instanceof ObjectStoreError ? objectStoreRemedy(e.kind, location.kind) : null;
    if (remedy) throw new Error(`${errorMessage(e)}. ${remedy}`, { cause: e });
    throw e;
  } finally {
    closeTarget();
    close();
  }
}

/**
 * Prints one collection: JSON (the whole summary), or a line per application attempt and per failure, the impossible
 * values corrected, and a summary line.
 * @param what e.g. `12 event log(s) in /logs`.
 * @param oauth2 the History Server collection used OAuth2 client credentials (for the remedy of a refused client).
 */
function printCollection(
  s: IngestSummary & { downloaded?: number; fromRest?: number },
  values: Record<string, string | boolean | undefined>,
  what: string,
  dbPath: string,
  stored: number,
  out: Output,
  oauth2 = false,
): void {
  // A History Server failure gets this CLI's remedy for its kind (the core names the failure only).
  const fromServer = s.downloaded !== undefined;
  const failed = s.failed.map((f) => {
    const remedy = fromServer ? historyServerRemedy(f.kind, oauth2) : null;
    return remedy ? { ...f, reason: `${f.reason}; ${remedy}` } : f;
  });
  if (values.format === 'json') {
    out.json({ db: dbPath, ...s, failed, storedApplications: stored });
    return;
  }
  for (const a of s.applications) {
    const notes = [
      a.via === 'rest' ? 'event logs not available: built from the REST views' : '',
      a.incompleteReason ? `stored incomplete: ${a.incompleteReason}` : '',
      a.correctedValues ? `${a.correctedValues} impossible value(s) dropped or clipped` : '',
    ].filter((n) => n !== '');
    out.line(
      `${a.outcome.padEnd(14)} ${a.appId}${a.attemptId ? ` (attempt ${a.attemptId})` : ''}  ${a.appName}${notes.length ? `  (${notes.join('; ')})` : ''}`,
    );
  }
  // An event log fails under its path; a History Server failure under its application, or `listing` (the one failure
  // without an application: the listing itself).
  for (const f of failed)
    out.line(
      `failed         ${f.appId ? `${f.appId}${f.attemptId ? ` (attempt ${f.attemptId})` : ''}` : fromServer ? 'listing' : f.path}: ${f.reason}`,
    );
  for (const c of s.corrections) out.line(`corrected      ${describeCorrection(c)}`);
  for (const e of s.decodeErrors)
    out.line(`error          ${e.file} (${e.codec}${e.offset !== null ? `, byte ${e.offset}` : ''}): ${e.message}`);
  for (const w of s.warnings)
    out.line(`warning        ${w.message.startsWith(`${w.path}:`) ? w.message : `${w.path}: ${w.message}`}`);
  const fetched =
    s.downloaded !== undefined
      ? ` (${s.downloaded} downloaded${s.fromRest ? `, ${s.fromRest} from REST views` : ''})`
      : '';
  const corrected = s.corrections.reduce((n, c) => n + c.count, 0);
  out.line(
    `${values['dry-run'] ? 'Dry run: ' : ''}${what}: ${collectCountsText({ ...s, failed: s.failed.length, correctedValues: corrected }, fetched)}. Store: ${dbPath} (${stored} application attempts).`,
  );
}

/**
 * Exit code of `collect` (see the module comment): 130 when cancelled by SIGINT (128 + signal 2, as shells report a
 * process ended by Ctrl-C), 2 when something failed and nothing was read (or found already stored), 1 when some sources
 * failed or were stored incomplete, else 0.
 */
export function collectExitCode(s: IngestSummary): number {
  if (s.cancelled) return 130;
  const level = failureLevel(s);
  return level === 'all' ? 2 : level === 'some' ? 1 : 0;
}

/**
 * A one-line progress counter on stderr, redrawn in place, only when stderr is a terminal (so logs and
 * pipes in CI get the summary alone).
 */
function terminalProgress(what: string): {
  update: (done: number, total: number, path: string) => void;
  done: () => void;
} {
  if (!process.stderr.isTTY) return { update: () => undefined, done: () => undefined };
  const width = Math.max(40, (process.stderr.columns ?? 100) - 1);
  let shown = false;
  return {
    update: (done, total, p) => {
      const line = `${done}/${total} ${what}  ${escapeTerminal(p)}`;
      process.stderr.write(`\r${line.length > width ? line.slice(0, width - 1) + '…' : line.padEnd(width)}`);
      shown = true;
    },
    done: () => {
      if (shown) process.stderr.write(`\r${' '.repeat(width)}\r`);
    },
  };
}

/** The OAuth2 client-credentials flags of `collect --source history-server` (none carries a secret). */
export interface OAuth2Flags {
  'oauth2-token-url'?: string;
  'oauth2-client-id'?: string;
  'oauth2-client-secret-file'?: string;
  'oauth2-scope'?: string;
  'oauth2-resource'?: string;
}

/**
 * Credentials of the History Server. Secrets come from the environment or a file, never from a flag's value (so they
 * stay out of shell history and process lists): SPARK_OPTIMIZER_HS_TOKEN (bearer), SPARK_OPTIMIZER_HS_USER +
 * SPARK_OPTIMIZER_HS_PASSWORD (basic), SPARK_OPTIMIZER_HS_HEADERS (a JSON object of extra headers), or OAuth2 client
 * credentials: token URL and client id from --oauth2-token-url/--oauth2-client-id (or SPARK_OPTIMIZER_HS_TOKEN_URL,
 * SPARK_OPTIMIZER_HS_CLIENT_ID), the secret from SPARK_OPTIMIZER_HS_CLIENT_SECRET or the file named by
 * --oauth2-client-secret-file (or SPARK_OPTIMIZER_HS_CLIENT_SECRET_FILE; its first line), optional --oauth2-scope and
 * --oauth2-resource.
 * @throws UsageError for a half-given basic auth or client-credentials set, an unreadable secret file, or headers that
 *   are not a JSON object of strings.
 */
export function historyServerCredentials(
  env: NodeJS.ProcessEnv = process.env,
  flags: OAuth2Flags = {},
): { auth: HistoryServerAuth; headers: Record<string, string> } {
  let headers: Record<string, string> = {};
  if (env.SPARK_OPTIMIZER_HS_HEADERS) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.SPARK_OPTIMIZER_HS_HEADERS);
    } catch {
      throw new UsageError(
        'SPARK_OPTIMIZER_HS_HEADERS is not valid JSON; set it to an object like {"Cookie":"session=..."}.',
      );
    }
    const h = z.record(z.string(), z.string()).safeParse(parsed);
    if (!h.success)
      throw new UsageError(
        'SPARK_OPTIMIZER_HS_HEADERS must be a JSON object whose values are strings, like {"X-Api-Key":"..."}.',
      );
    headers = h.data;
  }
  const tokenUrl = flags['oauth2-token-url'] ?? env.SPARK_OPTIMIZER_HS_TOKEN_URL;
  const clientId = flags['oauth2-client-id'] ?? env.SPARK_OPTIMIZER_HS_CLIENT_ID;
  const secretFile = flags['oauth2-client-secret-file'] ?? env.SPARK_OPTIMIZER_HS_CLIENT_SECRET_FILE;
  if (tokenUrl || clientId || secretFile || env.SPARK_OPTIMIZER_HS_CLIENT_SECRET) {
    if (!tokenUrl || !clientId)
      throw new UsageError(
        'OAuth2 client credentials need --oauth2-token-url and --oauth2-client-id (or SPARK_OPTIMIZER_HS_TOKEN_URL and SPARK_OPTIMIZER_HS_CLIENT_ID).',
      );
    let clientSecret = env.SPARK_OPTIMIZER_HS_CLIENT_SECRET;
    if (secretFile) {
      try {
        clientSecret = fs.readFileSync(secretFile, 'utf8').split(/\r?\n/)[0];
      } catch (e) {
        throw new UsageError(`Cannot read the OAuth2 client secret file ${secretFile}: ${errorMessage(e)}`);
      }
    }
    if (!clientSecret)
      throw new UsageError(
        'OAuth2 client credentials need the client secret in SPARK_OPTIMIZER_HS_CLIENT_SECRET or in a file named by --oauth2-client-secret-file (never as a flag value).',
      );
    const scope = flags['oauth2-scope'];
    const resource = flags['oauth2-resource'];
    return {
      auth: {
        kind: 'oauth2',
        tokenUrl,
        clientId,
        clientSecret,
        ...(scope ? { scope } : {}),
        ...(resource ? { resource } : {}),
      },
      headers,
    };
  }
  if (env.SPARK_OPTIMIZER_HS_TOKEN) return { auth: { kind: 'bearer', token: env.SPARK_OPTIMIZER_HS_TOKEN }, headers };
  if (env.SPARK_OPTIMIZER_HS_USER || env.SPARK_OPTIMIZER_HS_PASSWORD) {
    if (!env.SPARK_OPTIMIZER_HS_USER || env.SPARK_OPTIMIZER_HS_PASSWORD === undefined) {
      throw new UsageError('Set both SPARK_OPTIMIZER_HS_USER and SPARK_OPTIMIZER_HS_PASSWORD for basic auth.');
    }
    return {
      auth: { kind: 'basic', user: env.SPARK_OPTIMIZER_HS_USER, password: env.SPARK_OPTIMIZER_HS_PASSWORD },
      headers,
    };
  }
  return { auth: { kind: 'none' }, headers };
}

/**
 * `--since`: an ISO date or date-time (`2026-11-01`, `2026-11-01T06:00:00Z`; a date alone is UTC
 * midnight) or a span back from now (`36h`, `7d`).
 * @returns epoch ms.
 */
export function parseSince(text: string, nowMs = Date.now()): number {
  const rel = /^(\d+)\s*([hd])$/.exec(text.trim());
  if (rel) return nowMs - Number(rel[1]) * (rel[2] === 'h' ? 3_600_000 : 86_400_000);
  const ms = Date.parse(text);
  if (!Number.isFinite(ms))
    throw new UsageError(`--since "${text}" is not a date; give 2026-11-01, 2026-11-01T06:00:00Z, 36h or 7d.`);
  return ms;
}

async function collectHistoryServer(
  values: Record<string, string | boolean | undefined>,
  out: Output,
  err: Output,
): Promise<number> {
  if (typeof values.url !== 'string')
    throw new UsageError('collect --source history-server needs --url URL (like http://host:18080).');
  const since = typeof values.since === 'string' ? parseSince(values.since) : undefined;
  const limit = positiveInt('limit', values.limit);
  const concurrency = positiveInt('concurrency', values.concurrency);
  const timeoutS = positiveInt('timeout', values.timeout);
  const { auth, headers } = historyServerCredentials(process.env, {
    'oauth2-token-url': str(values['oauth2-token-url']),
    'oauth2-client-id': str(values['oauth2-client-id']),
    'oauth2-client-secret-file': str(values['oauth2-client-secret-file']),
    'oauth2-scope': str(values['oauth2-scope']),
    'oauth2-resource': str(values['oauth2-resource']),
  });
  const client = new HistoryServerClient({
    baseUrl: values.url,
    auth: auth.kind === 'none' ? undefined : auth,
    headers,
    timeoutMs: timeoutS !== undefined ? timeoutS * 1000 : undefined,
    tls: tlsFromFiles({ ca: str(values.ca), cert: str(values.cert), key: str(values.key) }, values.insecure !== true),
    // Retries go to stderr (never with credentials: the client reports URLs without them).
    onRetry: (r) => err.line(`retry ${r.attempt} in ${(r.delayMs / 1000).toFixed(1)} s: ${r.reason}`),
  });
  const dbPath = typeof values.db === 'string' ? values.db : defaultStorePath();
  const store = HistoryStore.open(dbPath);
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  const progress = terminalProgress('applications');
  try {
    const s = await collectFromHistoryServer(client, store, {
      since,
      user: typeof values.user === 'string' ? values.user : undefined,
      limit,
      concurrency,
      dryRun: values['dry-run'] === true,
      signal: abort.signal,
      onProgress: progress.update,
    });
    progress.done();
    const since_ = s.listedSinceMs !== null ? ` ending after ${new Date(s.listedSinceMs).toISOString()}` : '';
    printCollection(
      s,
      values,
      `${s.found} application attempt(s)${since_} at ${s.source}`,
      dbPath,
      store.countApplications(),
      out,
      auth.kind === 'oauth2',
    );
    return collectExitCode(s);
  } finally {
    process.removeListener('SIGINT', onSignal);
    client.close();
    store.close();
  }
}
