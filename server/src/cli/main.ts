/**
 * `spark-optimizer`: the same core as the language server, for CI and cron.
 *
 *   spark-optimizer collect --source event-logs --path DIR [--recursive] [--db FILE] [--dry-run] [--format json]
 *   spark-optimizer collect --source event-logs --path s3://BUCKET/PREFIX|gs://…|abfss://…|wasbs://… [--endpoint-url URL] [--region R]
 *       [--concurrency N] [--recursive] [--db FILE] [--dry-run] [--format json]
 *     Object-store credentials come from the cloud SDK's own chain only (history/object-store/).
 *   spark-optimizer collect --engine spark --remote sc://HOST:15002/[;token=T;use_ssl=true] --path PATH
 *        [--recursive] [--ca FILE] [--db FILE] [--dry-run] [--format json]
 *        (Spark reads and folds the event logs where they lie and only the records come back: PATH as the Spark
 *         cluster sees it, a folder on its side or s3a://, gs://, abfss://, hdfs:// with the cluster's own credentials.
 *         The server needs the event-log codecs jar (--jars spark-optimizer-event-log-codecs.jar, built by
 *         scripts/build-event-log-codecs.sh) for compressed logs. Token from the URL or SPARK_CONNECT_TOKEN. Logs already
 *         collected (same path, size and modification time) are not read again.)
 *   spark-optimizer collect --source history-server --url URL [--since DATE] [--user U] [--limit N]
 *       [--concurrency N] [--timeout S] [--insecure] [--ca FILE] [--cert FILE --key FILE] [--db FILE] [--dry-run] [--format json]
 *     History Server credentials come from the environment only: SPARK_OPTIMIZER_HS_TOKEN (bearer),
 *     SPARK_OPTIMIZER_HS_USER + SPARK_OPTIMIZER_HS_PASSWORD (basic), SPARK_OPTIMIZER_HS_HEADERS (JSON object);
 *     OAuth2 client credentials: [--oauth2-token-url URL --oauth2-client-id ID --oauth2-client-secret-file FILE
 *     --oauth2-scope S --oauth2-resource AUD], the secret from SPARK_OPTIMIZER_HS_CLIENT_SECRET or the file.
 *   spark-optimizer settings FILE... [--format json]
 *   spark-optimizer check FILE... [--db FILE] [engine flags] [--format json]
 *   spark-optimizer workloads [--db FILE] [--format json]   (`jobs`: its former name, kept as an alias)
 *   spark-optimizer analyze APP_ID [--attempt N] [--db FILE] [engine flags] [--format json]
 *   spark-optimizer recommend FILE [--db FILE] [engine flags] [--format json]
 *     engine flags (engine-commands.ts): --objective runtime|cost|balanced, --max-slowdown PCT, --node-memory SIZE,
 *     --node-cores N, --nodes N, --total-cores N, --total-memory SIZE, --price-core-hour X, --price-gib-hour Y, --currency C
 *   spark-optimizer serve [--port N] [--host 127.0.0.1] [--db FILE] [--config FILE] [--tls-cert F --tls-key F]
 *     [--instance-name NAME] [--lease-ttl 60s] [--no-schedule]
 *       [--oidc-issuer URL --oidc-audience AUD]   (service-commands.ts, service/)
 *   spark-optimizer token create --scope read|collect|admin [--name NAME] [--db FILE] [--format json]
 *   spark-optimizer token list [--db FILE] [--format json] | token revoke ID [--db FILE]
 *   spark-optimizer query --remote sc://HOST:15002/;token=... [--max-rows N] [--format text|json|csv] [--explain] "SQL"
 *     (connect/cli-query.ts; token also from SPARK_CONNECT_TOKEN)
 *
 * Exit codes: 0 ok; 1 `check` found something, or `collect` stored what it could but failed for some sources (or
 * stored some only in part because a file did not decode: a corrupt block or frame, a checksum mismatch, bytes that
 * are not JSON lines); 2 usage or input error, or `collect` failed for everything it found (nothing read, something
 * failed); 130 `collect` or `query` stopped by Ctrl-C (SIGINT) after a clean stop (what was stored stays
 * stored). Every failure shows in the exit code.
 * Default store: $SPARK_OPTIMIZER_DB, else $XDG_DATA_HOME/spark-optimizer/history.db (~/.local/share/...), as the
 * language server's (store/store-path.ts).
 */
import * as fs from 'fs';
import { parseArgs } from 'util';
import { extractSettings, languageIdForPath } from '../config/file-settings';
import { collectEventLogs } from '../history/collect';
import { describeCorrection } from '../history/bounds';
import { failureLevel, type IngestSummary } from '../history/ingest';
import { HistoryServerClient, tlsFromFiles, type HistoryServerAuth } from '../history/history-server/client';
import { collectFromHistoryServer } from '../history/history-server/collect';
import { collectObjectStore } from '../history/object-store/collect';
import { isObjectStoreUrl, parseObjectStoreUrl } from '../history/object-store/location';
import { ObjectStoreError } from '../history/object-store/object-store';
import { openObjectStore } from '../history/object-store/open';
import { z } from 'zod';
import { HistoryStore } from '../store/history-store';
import { defaultStorePath, StoreUnavailableError } from '../store/store-path';
import { historyServerRemedy, objectStoreRemedy, STORE_REMEDY } from './remedies';
import { formatDurationMs } from '../config/spark-units';
import {
  analyzeCommand,
  checkCommand,
  ENGINE_FLAGS,
  ENGINE_FLAGS_USAGE,
  engineOptions,
  FlagError,
  recommendCommand,
} from './engine-commands';
import { serveCommand, tokenCreateCommand, tokenListCommand, tokenRevokeCommand } from './service-commands';
import { ServiceConfigError } from '../service/config';
import { QUERY_USAGE, QueryUsageError, queryCommand } from '../connect/cli-query';
import { SparkConnectClient } from '../connect/client';
import { redactToken } from '../connect/connection-string';
import { SparkConnectError } from '../connect/errors';
import { SparkConnectSql } from '../connect/spark-sql';
import { collectWithSpark, EVENT_LOG_CODECS_JAR } from '../history/spark-engine/collect';
import { collectCountsText } from '../../../shared/src/collect-text';
import { escapeTerminal } from '../../../shared/src/escape';
import { errorMessage } from '../../../shared/src/errors';

const USAGE = `Usage:
  spark-optimizer collect --source event-logs --path DIR [--recursive] [--db FILE] [--dry-run] [--format json]
      (--recursive: also logs in sub-folders, each file and folder once however many links lead to it;
       rolling eventlog_v2_* folders are always read. Exit code 1 when some logs failed, among them files and
       folders that cannot be read; 2 when nothing could be collected; 130 after Ctrl-C)
  spark-optimizer collect --source event-logs --path s3://BUCKET/PREFIX | gs://BUCKET/PREFIX
      | abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/PREFIX | wasbs://CONTAINER@ACCOUNT.blob.core.windows.net/PREFIX
      [--endpoint-url URL] [--region R]
      [--concurrency N] [--recursive] [--db FILE] [--dry-run] [--format json]
      (the same layouts as a folder, read from the object store. Credentials come only from each cloud's chain:
       S3: the AWS SDK's default chain (environment, profile and config files with AWS_PROFILE, SSO, web identity,
       container and instance metadata); --endpoint-url or AWS_ENDPOINT_URL for MinIO and other S3-compatible stores,
       addressed path-style. Azure: AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN, else
       DefaultAzureCredential (service principal, workload or managed identity, az login); --endpoint-url for the blob
       service URL (Azurite, private endpoints). GCS: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS,
       gcloud auth application-default login, the metadata server); --endpoint-url for an emulator or private
       endpoint (used without authentication). Logs already collected (same size and Last-Modified) are not
       downloaded again. --concurrency default 4.)
  spark-optimizer collect --source history-server --url URL [--since DATE|36h|7d] [--user U] [--limit N]
      [--concurrency N] [--timeout SECONDS] [--insecure] [--ca FILE] [--cert FILE --key FILE]
      [--db FILE] [--dry-run] [--format json]
      (--since: applications that ended at or after; default: since the last run against URL.
       --timeout: seconds without a byte before a request is retried, default 30; also the longest Retry-After
       waited for: a server asking for longer fails that request at once. --concurrency default 4.)
      (exit code 1 when some applications failed, 2 when nothing could be collected, 130 after Ctrl-C)
      (credentials from env: SPARK_OPTIMIZER_HS_TOKEN, SPARK_OPTIMIZER_HS_USER/SPARK_OPTIMIZER_HS_PASSWORD,
       SPARK_OPTIMIZER_HS_HEADERS as a JSON object)
      [--oauth2-token-url URL --oauth2-client-id ID [--oauth2-client-secret-file FILE] [--oauth2-scope S]
       [--oauth2-resource AUD]]
      (OAuth2 client credentials for a History Server behind an OAuth2 proxy: the secret from
       SPARK_OPTIMIZER_HS_CLIENT_SECRET or the file; the token is cached and renewed before it expires)
  spark-optimizer settings FILE... [--format json]
  spark-optimizer check FILE... [--db FILE] [--format json]
${ENGINE_FLAGS_USAGE}
      (the editor's diagnostics: the plan's changes, findings and checks)
  spark-optimizer workloads [--db FILE] [--format json]
      (the workloads: runs grouped by Spark App Name, with run counts; "jobs" is an alias)
  spark-optimizer analyze APP_ID [--attempt N] [--db FILE] [--format json]
${ENGINE_FLAGS_USAGE}
      (one run's findings with numbers and sources, and what-if tables over executors and cores;
       the newest attempt of APP_ID unless --attempt names one)
  spark-optimizer recommend FILE [--db FILE] [--format json]
${ENGINE_FLAGS_USAGE}
      (the plan: per setting the value, expected effect, evidence, confidence; the duration/cost trade-off)
  spark-optimizer serve [--port N] [--host HOST] [--db FILE|postgres://USER@HOST:PORT/DB] [--config FILE]
      [--tls-cert FILE --tls-key FILE] [--oidc-issuer URL --oidc-audience AUD]
      [--instance-name NAME] [--lease-ttl 60s] [--no-schedule]
      (the REST service: /api/v1/workloads, /api/v1/workloads/{name}/runs, /api/v1/applications/{appId},
       /api/v1/analyze, /api/v1/recommend, /api/v1/feedback, /api/v1/collect, /api/v1/collections[/{id}],
       /health, /metrics, /openapi.json; the config file's sources are collected on their intervals (one
       instance per source at a time, by a lease in the store; --no-schedule: only on request);
       default 127.0.0.1:8080; config file YAML, SPARK_OPTIMIZER_SERVICE_* variables over it, flags over both;
       --tls-cert/--tls-key: HTTPS only; --oidc-*: also accept that issuer's JWT access tokens (docs/service.md);
       the store: a SQLite file (default) or a shared PostgreSQL database, whose password comes from
       SPARK_OPTIMIZER_SERVICE_DB_PASSWORD, SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE or PGPASSWORD, never the URL)
  spark-optimizer token create --scope read|collect|admin [--name NAME] [--db FILE|postgres://...] [--format json]
      (a bearer token for the service, printed once; the store keeps only its SHA-256)
  spark-optimizer token list [--db FILE|postgres://...] [--format json]
  spark-optimizer token revoke ID [--db FILE|postgres://...]
      (the service answers 401 to a revoked token from its next request on)
Exit codes of collect: 0 everything stored, 1 some sources failed or were stored incomplete (the rest was
  stored), 2 nothing could be collected, 130 stopped by Ctrl-C (what was stored stays stored).
${QUERY_USAGE}`;

class UsageError extends Error {}

/**
 * Where a command prints (stdout or stderr). Everything goes through `escapeTerminal` (shared/src/escape.ts), so
 * no text from a log, a server or a file name reaches the terminal with its control characters: a `line` is one
 * output line (a newline or ESC inside an app name or path is shown as `\n`/`\u001b`, so it cannot forge a line
 * or send an ANSI/OSC sequence); `text` is text this program laid out over several lines (usage, a query table
 * or plan), which keeps its newlines only; `json` prints a value as indented JSON, escaped the same way (the
 * result parses to the same value).
 */
interface Output {
  line: (s: string) => void;
  text: (s: string) => void;
  json: (value: unknown) => void;
}

function output(write: (s: string) => void): Output {
  return {
    line: (s) => write(escapeTerminal(s)),
    text: (s) => write(escapeTerminal(s, { keepNewlines: true })),
    json: (value) => write(escapeTerminal(JSON.stringify(value, null, 2), { keepNewlines: true })),
  };
}

/**
 * Runs one CLI invocation.
 * @param argv arguments after the program name.
 * @param write writes a line to stdout; writeErr to stderr (both escaped with escapeTerminal first); writeChunk
 *   writes a piece of stdout with no line end added, for output streamed in pieces (`query --format csv|json`;
 *   without it those pieces are gathered and written as one text at the end).
 * @returns the exit code.
 */
export async function main(
  argv: string[],
  write: (s: string) => void,
  writeErr: (s: string) => void,
  writeChunk?: (chunk: string) => void,
): Promise<number> {
  const out = output(write);
  const err = output(writeErr);
  // Query results streamed in pieces keep the lines this program laid out (CSV/JSON rows); outside text in them is escaped.
  const chunk = writeChunk && ((s: string) => writeChunk(escapeTerminal(s, { keepNewlines: true })));
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'collect':
        return await collect(rest, out, err);
      case 'settings':
        return settings(rest, out);
      case 'workloads':
      case 'jobs': // the command's name before the recurring job was called a workload
        return workloads(rest, out);
      case 'check':
      case 'analyze':
      case 'recommend':
        return engine(command, rest, out, err);
      case 'query':
        return await queryCommand(rest, out.text, err.text, process.env, chunk);
      case 'serve':
        return await serve(rest, out, err);
      case 'token':
        return await token(rest, out, err);
      case '--help':
      case '-h':
      case 'help':
        out.text(USAGE);
        return 0;
      default:
        throw new UsageError(command ? `Unknown command "${command}".` : 'No command given.');
    }
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof FlagError ||
      e instanceof ServiceConfigError ||
      e instanceof QueryUsageError ||
      (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
    ) {
      err.line(`spark-optimizer: ${e.message}`);
      err.text(USAGE);
      return 2;
    }
    if (e instanceof StoreUnavailableError) {
      err.line(`spark-optimizer: ${e.message}. ${STORE_REMEDY}`);
      return 2;
    }
    err.line(`spark-optimizer: ${errorMessage(e)}`);
    return 2;
  }
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

function parse(
  args: string[],
  options: OptionSpec,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const r = parseArgs({
    args,
    options: { ...options, format: { type: 'string', default: 'text' } },
    allowPositionals: true,
    strict: true,
  });
  return { values: r.values, positionals: r.positionals };
}

async function collect(args: string[], out: Output, err: Output): Promise<number> {
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

function positiveInt(name: string, v: string | boolean | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a whole number of at least 1, got "${String(v)}".`);
  return n;
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

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function filesOf(positionals: string[]): string[] {
  if (positionals.length === 0) throw new UsageError('Give at least one file.');
  for (const f of positionals) if (!fs.existsSync(f)) throw new Error(`No such file: ${f}`);
  return positionals;
}

function readSettings(file: string) {
  const text = fs.readFileSync(file, 'utf8');
  const languageId = languageIdForPath(file, text);
  return { text, languageId, settings: extractSettings(text, languageId) };
}

function settings(args: string[], out: Output): number {
  const { values, positionals } = parse(args, {});
  const result = filesOf(positionals).map((file) => {
    const { settings: fs_ } = readSettings(file);
    return {
      file,
      settings: fs_.blocks.flatMap((b) =>
        b.settings.map((s) => ({
          key: s.key,
          value: s.value,
          raw: s.raw,
          literal: s.literal,
          sourceKey: s.sourceKey,
          origin: s.origin,
          ineffective: s.ineffective ?? null,
          range: {
            start: { line: s.range.start.line + 1, column: s.range.start.character + 1 },
            end: { line: s.range.end.line + 1, column: s.range.end.character + 1 },
          },
        })),
      ),
    };
  });
  if (values.format === 'json') out.json(result);
  else
    for (const f of result)
      for (const s of f.settings)
        out.line(
          `${f.file}:${s.range.start.line}:${s.range.start.column}-${s.range.end.line}:${s.range.end.column}  ${s.key} = ${s.literal ? s.value : s.raw}${s.literal ? '' : '  (not a literal)'}${s.ineffective ? '  (no effect here)' : ''}`,
        );
  return 0;
}

/** `spark-optimizer workloads`: each workload (the runs of one App Name) with its run count, median duration and newest run. */
function workloads(args: string[], out: Output): number {
  const { values } = parse(args, { db: { type: 'string' } });
  const dbPath = typeof values.db === 'string' ? values.db : defaultStorePath();
  const store = HistoryStore.open(dbPath);
  try {
    const list = store.listWorkloads();
    if (values.format === 'json') out.json(list);
    else {
      out.line(`${'app name'.padEnd(32)} ${'runs'.padStart(5)}  ${'median'.padStart(9)}  last run (UTC)`);
      for (const w of list)
        out.line(
          `${w.appName.padEnd(32)} ${String(w.runs).padStart(5)}  ${formatDurationMs(w.medianDurationMs).padStart(9)}  ${new Date(w.lastStartTimeMs).toISOString().slice(0, 16).replace('T', ' ')}`,
        );
      out.line(`${list.length} workload(s), ${store.countApplications()} application(s) in ${dbPath}`);
    }
    return 0;
  } finally {
    store.close();
  }
}

function engine(command: 'check' | 'analyze' | 'recommend', args: string[], out: Output, err: Output): number {
  const { values, positionals } = parse(
    args,
    command === 'analyze' ? { ...ENGINE_FLAGS, attempt: { type: 'string' } } : ENGINE_FLAGS,
  );
  if (command === 'check' && positionals.length === 0) throw new UsageError('check needs at least one FILE.');
  if (command !== 'check' && positionals.length !== 1)
    throw new UsageError(command === 'analyze' ? 'analyze needs one APP_ID.' : 'recommend needs one FILE.');
  const options = engineOptions(values);
  const dbPath = typeof values.db === 'string' ? values.db : defaultStorePath();
  const files = command === 'check' ? filesOf(positionals) : positionals;
  if (command === 'recommend' && !fs.existsSync(positionals[0])) throw new Error(`No such file: ${positionals[0]}`);
  const store = HistoryStore.open(dbPath);
  try {
    const r =
      command === 'check'
        ? checkCommand(store, files, options, dbPath)
        : command === 'analyze'
          ? analyzeCommand(store, positionals[0], options, dbPath, str(values.attempt))
          : recommendCommand(store, positionals[0], options, dbPath);
    if (r.code === 2 && r.json === null) for (const l of r.lines) err.line(l);
    else if (values.format === 'json') out.json(r.json);
    else for (const l of r.lines) out.line(l);
    return r.code;
  } finally {
    store.close();
  }
}

async function serve(args: string[], out: Output, err: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    db: { type: 'string' },
    config: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'oidc-issuer': { type: 'string' },
    'oidc-audience': { type: 'string' },
    'instance-name': { type: 'string' },
    'lease-ttl': { type: 'string' },
    'no-schedule': { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments, got "${positionals[0]}".`);
  return serveCommand(
    {
      port: str(values.port),
      host: str(values.host),
      db: str(values.db),
      config: str(values.config),
      tlsCert: str(values['tls-cert']),
      tlsKey: str(values['tls-key']),
      oidcIssuer: str(values['oidc-issuer']),
      oidcAudience: str(values['oidc-audience']),
      instanceName: str(values['instance-name']),
      leaseTtl: str(values['lease-ttl']),
      noSchedule: values['no-schedule'] === true,
    },
    defaultStorePath({ ...process.env, SPARK_OPTIMIZER_DB: '' }),
    out,
    err,
  );
}

function token(args: string[], out: Output, err: Output): Promise<number> {
  const { values, positionals } = parse(args, {
    scope: { type: 'string' },
    name: { type: 'string' },
    db: { type: 'string' },
  });
  const dbPath = typeof values.db === 'string' ? values.db : defaultStorePath();
  const [verb, ...rest] = positionals;
  if (verb === 'create' && rest.length === 0) {
    if (values.scope === undefined) throw new UsageError('token create needs --scope read, collect or admin.');
    return tokenCreateCommand(
      { scope: str(values.scope), name: str(values.name), format: str(values.format) },
      dbPath,
      out,
      err,
    );
  }
  if (verb === 'list' && rest.length === 0) return tokenListCommand({ format: str(values.format) }, dbPath, out);
  if (verb === 'revoke' && rest.length === 1) return tokenRevokeCommand(rest[0], dbPath, out, err);
  throw new UsageError(
    'Use "token create --scope read|collect|admin [--name NAME]", "token list" or "token revoke ID".',
  );
}

if (require.main === module) {
  // Exit once stdout has taken everything: process.exit() right after large writes to a pipe cut the output short
  // (`spark-optimizer settings big.py | wc -l` printed 2,979 of 41,070 lines).
  const exit = (code: number) =>
    process.stdout.write('', (e?: NodeJS.ErrnoException | null) => process.exit(e?.code === 'EPIPE' ? 141 : code));
  // The reader of a pipe went away (`spark-optimizer recommend job.py | head`): stop quietly, as Unix tools do, instead
  // of an unhandled EPIPE. The exit code of a cut-short command is the shell's 141 convention (128 + SIGPIPE).
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(141);
    throw e;
  });
  main(
    process.argv.slice(2),
    (s) => process.stdout.write(s + '\n'),
    (s) => process.stderr.write(s + '\n'),
    (s) => process.stdout.write(s),
  ).then(exit, (e) => {
    process.stderr.write(`spark-optimizer: ${escapeTerminal(String(e))}\n`);
    exit(2);
  });
}
