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
import { extractSettings, languageIdForPath } from '../config/file-settings';
import { HistoryStore } from '../store/history-store';
import { defaultStorePath, StoreUnavailableError } from '../store/store-path';
import { STORE_REMEDY } from './remedies';
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
import { escapeTerminal } from '../../../shared/src/escape';
import { errorMessage } from '../../../shared/src/errors';
import { type Output, output, parse, str, UsageError } from './args';
import { collectCommand } from './collect-commands';

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
        return await collectCommand(rest, out, err);
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
