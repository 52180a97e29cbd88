/**
 * The service's settings: a YAML config file (`--config FILE`), environment variables over it, command-line flags over
 * both. Pure: the caller reads the file and passes its text.
 *
 *   host: 127.0.0.1          # SPARK_OPTIMIZER_SERVICE_HOST, --host
 *   port: 8080               # SPARK_OPTIMIZER_SERVICE_PORT, --port (0: any free port)
 *   db: /var/lib/spark-optimizer/history.db   # SPARK_OPTIMIZER_SERVICE_DB (or SPARK_OPTIMIZER_DB), --db
 *   database:                # instead of db: a shared PostgreSQL store (docs/postgresql.md)
 *     url: postgres://optimizer@db.internal:5432/spark_optimizer   # SPARK_OPTIMIZER_SERVICE_DB, --db
 *     passwordFile: /run/secrets/spark-optimizer-db               # SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE
 *     poolSize: 10                                                # SPARK_OPTIMIZER_SERVICE_DB_POOL_SIZE
 *   bodyLimitBytes: 9437184  # SPARK_OPTIMIZER_SERVICE_BODY_LIMIT_BYTES
 *   logLevel: info           # SPARK_OPTIMIZER_SERVICE_LOG_LEVEL (fatal, error, warn, info, debug, trace, silent)
 *   tls:                     # both or neither: HTTPS only when given
 *     certFile: /etc/spark-optimizer/tls/cert.pem   # SPARK_OPTIMIZER_SERVICE_TLS_CERT_FILE, --tls-cert
 *     keyFile: /etc/spark-optimizer/tls/key.pem     # SPARK_OPTIMIZER_SERVICE_TLS_KEY_FILE, --tls-key
 *   oidc:                    # JWT access tokens of this issuer, besides `spo_` tokens (service/oidc.ts)
 *     issuer: https://idp.example.com/realms/data   # SPARK_OPTIMIZER_SERVICE_OIDC_ISSUER, --oidc-issuer
 *     audience: spark-optimizer                     # SPARK_OPTIMIZER_SERVICE_OIDC_AUDIENCE, --oidc-audience
 *     jwksUri: https://idp.example.com/.../certs    # SPARK_OPTIMIZER_SERVICE_OIDC_JWKS_URI (default: discovered)
 *     scopeClaim: scope                             # SPARK_OPTIMIZER_SERVICE_OIDC_SCOPE_CLAIM (scope or scp)
 *     scopes: { read: spark-optimizer:read, collect: spark-optimizer:collect, admin: spark-optimizer:admin }
 *                               # SPARK_OPTIMIZER_SERVICE_OIDC_SCOPE_READ, ..._COLLECT, ..._ADMIN
 *     clockToleranceSeconds: 30                     # SPARK_OPTIMIZER_SERVICE_OIDC_CLOCK_TOLERANCE_SECONDS
 *
 *   collection:              # the collections of the sources below (service/collections.ts)
 *     instanceName: svc-a    # SPARK_OPTIMIZER_SERVICE_INSTANCE_NAME, --instance-name (default host:pid; names the lease holder)
 *     leaseTtl: 60s          # SPARK_OPTIMIZER_SERVICE_LEASE_TTL, --lease-ttl (a source's lease expires this long after its last renewal)
 *     schedule: true         # SPARK_OPTIMIZER_SERVICE_SCHEDULE (true/false), --no-schedule (collect on the intervals)
 *   sources:                 # SPARK_OPTIMIZER_SERVICE_SOURCES (the whole list, as JSON or YAML text)
 *     - { name: local, kind: event-logs, path: /var/log/spark-events, interval: 5m }
 *     - { name: emr, kind: object-store, url: s3://logs/spark, region: eu-west-1, interval: 15m }
 *     - name: prod-shs
 *       kind: history-server
 *       url: https://shs.internal:18480
 *       auth: { oauth2: { tokenUrl: https://idp/token, clientId: optimizer, clientSecret: { file: /run/secrets/shs } } }
 *       interval: 10m
 *   (service/collection-sources.ts has every key of a source; secrets only by reference: { env: VAR } or { file: F })
 *
 * The store is a SQLite file (the default, for one user) or a `postgres://` URL. A database password is never a setting
 * of its own and never part of the URL (refused): it comes from SPARK_OPTIMIZER_SERVICE_DB_PASSWORD, the password file,
 * or the driver's PGPASSWORD / ~/.pgpass, so it stays out of config files, shell history and logs.
 *
 * Nested keys merge one by one: a variable or flag overrides one key of `tls` or `oidc` and keeps the file's others.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_BODY_LIMIT_BYTES } from './app';
import { CollectionSourcesSchema, DurationSchema, parseDurationMs, type CollectionSource } from './collection-sources';
import { DEFAULT_LEASE_TTL_MS } from './collections';
import { DEFAULT_OIDC_CLOCK_TOLERANCE_SECONDS, DEFAULT_OIDC_SCOPES, type OidcSettings } from './oidc';

/** Default port of `spark-optimizer serve`. */
export const DEFAULT_PORT = 8080;

/** The service binds the loopback interface unless told otherwise. */
export const DEFAULT_HOST = '127.0.0.1';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The config file's schema (every key optional; unknown keys are an error, so a typo is not silently ignored). */
export const ServiceConfigFileSchema = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  db: z.string().min(1).optional(),
  database: z
    .strictObject({
      url: z.string().min(1).optional(),
      passwordFile: z.string().min(1).optional(),
      poolSize: z.number().int().min(1).max(1000).optional(),
    })
    .optional(),
  bodyLimitBytes: z.number().int().min(1024).optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
  tls: z.strictObject({ certFile: z.string().min(1).optional(), keyFile: z.string().min(1).optional() }).optional(),
  oidc: z
    .strictObject({
      issuer: z.url().optional(),
      audience: z.string().min(1).optional(),
      jwksUri: z.url().optional(),
      scopeClaim: z.string().min(1).optional(),
      scopes: z
        .strictObject({
          read: z.string().min(1).optional(),
          collect: z.string().min(1).optional(),
          admin: z.string().min(1).optional(),
        })
        .optional(),
      clockToleranceSeconds: z.number().int().min(0).max(600).optional(),
    })
    .optional(),
  collection: z
    .strictObject({
      instanceName: z.string().min(1).max(200).optional(),
      leaseTtl: DurationSchema.optional(),
      schedule: z.boolean().optional(),
    })
    .optional(),
  sources: CollectionSourcesSchema.optional(),
});

/** The settings `serve` runs with. */
export interface ServiceConfig {
  host: string;
  port: number;
  /** SQLite file of the store; undefined: the CLI's default store. */
  db: string | undefined;
  /** File whose first line is the database password (a PostgreSQL store); absent when not named. */
  dbPasswordFile?: string;
  /** Most connections to a PostgreSQL store; absent: the store's default. */
  dbPoolSize?: number;
  bodyLimitBytes: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** PEM files of the certificate (chain) and its key; absent: plain HTTP. */
  tls?: { certFile: string; keyFile: string };
  /** The OIDC issuer whose JWT access tokens are accepted; absent: only `spo_` tokens. */
  oidc?: OidcSettings;
  /** The configured collection sources (empty: none). */
  sources: CollectionSource[];
  /** This instance's name as lease holder; absent: host:pid. */
  instanceName?: string;
  /** Time to live of a source's lease, ms. */
  leaseTtlMs: number;
  /** Collect the sources that have an interval on it (false: only on request). */
  schedule: boolean;
}

/** A config file, variable or flag with a bad value; the message names which and what is expected. */
export class ServiceConfigError extends Error {}

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const num = (name: string, v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n))
      throw new ServiceConfigError(`${name} must be a whole number, got "${v}".`);
    return n;
  };
  if (env.SPARK_OPTIMIZER_SERVICE_HOST) out.host = env.SPARK_OPTIMIZER_SERVICE_HOST;
  if (env.SPARK_OPTIMIZER_SERVICE_PORT)
    out.port = num('SPARK_OPTIMIZER_SERVICE_PORT', env.SPARK_OPTIMIZER_SERVICE_PORT);
  if (env.SPARK_OPTIMIZER_SERVICE_DB || env.SPARK_OPTIMIZER_DB)
    out.db = env.SPARK_OPTIMIZER_SERVICE_DB || env.SPARK_OPTIMIZER_DB;
  const database: Record<string, unknown> = {};
  if (env.SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE)
    database.passwordFile = env.SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE;
  if (env.SPARK_OPTIMIZER_SERVICE_DB_POOL_SIZE)
    database.poolSize = num('SPARK_OPTIMIZER_SERVICE_DB_POOL_SIZE', env.SPARK_OPTIMIZER_SERVICE_DB_POOL_SIZE);
  if (Object.keys(database).length > 0) out.database = database;
  if (env.SPARK_OPTIMIZER_SERVICE_BODY_LIMIT_BYTES)
    out.bodyLimitBytes = num('SPARK_OPTIMIZER_SERVICE_BODY_LIMIT_BYTES', env.SPARK_OPTIMIZER_SERVICE_BODY_LIMIT_BYTES);
  if (env.SPARK_OPTIMIZER_SERVICE_LOG_LEVEL) out.logLevel = env.SPARK_OPTIMIZER_SERVICE_LOG_LEVEL;
  const tls: Record<string, unknown> = {};
  if (env.SPARK_OPTIMIZER_SERVICE_TLS_CERT_FILE) tls.certFile = env.SPARK_OPTIMIZER_SERVICE_TLS_CERT_FILE;
  if (env.SPARK_OPTIMIZER_SERVICE_TLS_KEY_FILE) tls.keyFile = env.SPARK_OPTIMIZER_SERVICE_TLS_KEY_FILE;
  if (Object.keys(tls).length > 0) out.tls = tls;
  const oidc: Record<string, unknown> = {};
  if (env.SPARK_OPTIMIZER_SERVICE_OIDC_ISSUER) oidc.issuer = env.SPARK_OPTIMIZER_SERVICE_OIDC_ISSUER;
  if (env.SPARK_OPTIMIZER_SERVICE_OIDC_AUDIENCE) oidc.audience = env.SPARK_OPTIMIZER_SERVICE_OIDC_AUDIENCE;
  if (env.SPARK_OPTIMIZER_SERVICE_OIDC_JWKS_URI) oidc.jwksUri = env.SPARK_OPTIMIZER_SERVICE_OIDC_JWKS_URI;
  if (env.SPARK_OPTIMIZER_SERVICE_OIDC_SCOPE_CLAIM) oidc.scopeClaim = env.SPARK_OPTIMIZER_SERVICE_OIDC_SCOPE_CLAIM;
  if (env.SPARK_OPTIMIZER_SERVICE_OIDC_CLOCK_TOLERANCE_SECONDS)
    oidc.clockToleranceSeconds = num(
      'SPARK_OPTIMIZER_SERVICE_OIDC_CLOCK_TOLERANCE_SECONDS',
      env.SPARK_OPTIMIZER_SERVICE_OIDC_CLOCK_TOLERANCE_SECONDS,
    );
  const scopes: Record<string, unknown> = {};
  if (env.SPARK_OPTIMIZER_SERVICE_OIDC_SCOPE_READ) scopes.read = env.SPARK_OPTIMIZER_SERVICE_OIDC_SCOPE_READ;
  if (env.SPARK_OPTIMIZER_SERVICE_OIDC_SCOPE_COLLECT) scopes.collect = env.SPARK_OPTIMIZER_SERVICE_OIDC_SCOPE_COLLECT;
  if (env.SPARK_OPTIMIZER_SERVICE_OIDC_SCOPE_ADMIN) scopes.admin = env.SPARK_OPTIMIZER_SERVICE_OIDC_SCOPE_ADMIN;
  if (Object.keys(scopes).length > 0) oidc.scopes = scopes;
  if (Object.keys(oidc).length > 0) out.oidc = oidc;
  const collection: Record<string, unknown> = {};
  if (env.SPARK_OPTIMIZER_SERVICE_INSTANCE_NAME) collection.instanceName = env.SPARK_OPTIMIZER_SERVICE_INSTANCE_NAME;
  if (env.SPARK_OPTIMIZER_SERVICE_LEASE_TTL) collection.leaseTtl = env.SPARK_OPTIMIZER_SERVICE_LEASE_TTL;
  if (env.SPARK_OPTIMIZER_SERVICE_SCHEDULE) {
    const v = env.SPARK_OPTIMIZER_SERVICE_SCHEDULE.trim().toLowerCase();
    if (v !== 'true' && v !== 'false')
      throw new ServiceConfigError(`SPARK_OPTIMIZER_SERVICE_SCHEDULE must be true or false, got "${v}".`);
    collection.schedule = v === 'true';
  }
  if (Object.keys(collection).length > 0) out.collection = collection;
  if (env.SPARK_OPTIMIZER_SERVICE_SOURCES) {
    try {
      out.sources = parseYaml(env.SPARK_OPTIMIZER_SERVICE_SOURCES) as unknown;
    } catch (e) {
      throw new ServiceConfigError(
        `SPARK_OPTIMIZER_SERVICE_SOURCES is not a JSON or YAML list of sources: ${(e as Error).message}`,
      );
    }
  }
  return out;
}

/** The service flags `serveCommand` takes (as given; undefined: not given). */
export interface ServiceFlags {
  host?: string;
  port?: string;
  db?: string;
  tlsCert?: string;
  tlsKey?: string;
  oidcIssuer?: string;
  oidcAudience?: string;
  instanceName?: string;
  /** A duration (`60s`, `2m`, seconds). */
  leaseTtl?: string;
  /** `--no-schedule`: true turns the schedule off. */
  noSchedule?: boolean;
}

/**
 * The service's settings from the config file's text (null: no file), the environment and the flags, later ones
 * winning.
 * @param flags `--host`, `--port`, `--db`, `--tls-cert`, `--tls-key`, `--oidc-issuer`, `--oidc-audience` as given.
 * @throws ServiceConfigError naming the file, variable or flag with a bad value.
 */
export function serviceConfig(
  fileText: string | null,
  fileName: string,
  env: NodeJS.ProcessEnv,
  flags: ServiceFlags,
): ServiceConfig {
  let file: unknown = {};
  if (fileText !== null) {
    try {
      file = parseYaml(fileText) ?? {};
    } catch (e) {
      throw new ServiceConfigError(`${fileName} is not valid YAML: ${(e as Error).message}`);
    }
  }
  const check = (what: string, v: unknown) => {
    const r = ServiceConfigFileSchema.safeParse(v);
    if (!r.success)
      throw new ServiceConfigError(
        `${what}: ${r.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')}`,
      );
    return r.data;
  };
  const fromFile = check(fileName, file);
  const fromVars = check('environment', fromEnv(env));
  const fromFlags: Record<string, unknown> = {};
  if (flags.host !== undefined) fromFlags.host = flags.host;
  if (flags.port !== undefined) {
    const n = Number(flags.port);
    if (!Number.isInteger(n)) throw new ServiceConfigError(`--port must be a whole number, got "${flags.port}".`);
    fromFlags.port = n;
  }
  if (flags.db !== undefined) fromFlags.db = flags.db;
  if (flags.tlsCert !== undefined || flags.tlsKey !== undefined)
    fromFlags.tls = { certFile: flags.tlsCert, keyFile: flags.tlsKey };
  if (flags.oidcIssuer !== undefined || flags.oidcAudience !== undefined)
    fromFlags.oidc = { issuer: flags.oidcIssuer, audience: flags.oidcAudience };
  const collection: Record<string, unknown> = {};
  if (flags.instanceName !== undefined) collection.instanceName = flags.instanceName;
  if (flags.leaseTtl !== undefined) {
    if (parseDurationMs(flags.leaseTtl) === null)
      throw new ServiceConfigError(`--lease-ttl must be a duration (60s, 2m, or seconds), got "${flags.leaseTtl}".`);
    collection.leaseTtl = flags.leaseTtl;
  }
  if (flags.noSchedule === true) collection.schedule = false;
  if (Object.keys(collection).length > 0) fromFlags.collection = collection;
  const layers = [fromFile, fromVars, check('flags', fromFlags)];
  const merged = Object.assign({}, ...layers) as z.infer<typeof ServiceConfigFileSchema>;
  // Nested objects merge key by key (an undefined key of a later layer does not hide an earlier one).
  const nested = <K extends 'tls' | 'oidc' | 'collection'>(key: K) => {
    const out: Record<string, unknown> = {};
    for (const layer of layers)
      for (const [k, v] of Object.entries(layer[key] ?? {}))
        if (v !== undefined) out[k] = k === 'scopes' ? { ...(out.scopes as object), ...(v as object) } : v;
    return out as NonNullable<z.infer<typeof ServiceConfigFileSchema>[K]>;
  };
  // The store: the last layer that names one (`db` or `database.url`, not both in one layer); its password never in the URL.
  const names = ['file', 'environment', 'flags'].map((w, k) => (k === 0 ? fileName : w));
  let db: string | undefined;
  let dbFrom = '';
  layers.forEach((layer, k) => {
    if (layer.db !== undefined && layer.database?.url !== undefined)
      throw new ServiceConfigError(`${names[k]}: give the store once, as db or as database.url, not both.`);
    const t = layer.db ?? layer.database?.url;
    if (t !== undefined) [db, dbFrom] = [t, names[k]];
  });
  if (db !== undefined && /^postgres(?:ql)?:\/\//i.test(db)) {
    let password: string;
    try {
      password = new URL(db).password;
    } catch {
      throw new ServiceConfigError(
        `${dbFrom}: the store is not a valid postgres:// URL (postgres://user@host:5432/database).`,
      );
    }
    if (password !== '') {
      throw new ServiceConfigError(
        `${dbFrom}: the PostgreSQL URL carries a password; remove it and give the password through SPARK_OPTIMIZER_SERVICE_DB_PASSWORD or a password file (database.passwordFile, SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE).`,
      );
    }
  }
  const database = Object.assign({}, ...layers.map((l) => l.database ?? {})) as NonNullable<
    z.infer<typeof ServiceConfigFileSchema>['database']
  >;
  const config: ServiceConfig = {
    host: merged.host ?? DEFAULT_HOST,
    port: merged.port ?? DEFAULT_PORT,
    db,
    ...(database.passwordFile !== undefined ? { dbPasswordFile: database.passwordFile } : {}),
    ...(database.poolSize !== undefined ? { dbPoolSize: database.poolSize } : {}),
    bodyLimitBytes: merged.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    logLevel: merged.logLevel ?? 'info',
    // The list is replaced whole by a later layer (a source's keys belong together: its URL with its credentials).
    sources: merged.sources ?? [],
    leaseTtlMs: DEFAULT_LEASE_TTL_MS,
    schedule: true,
  };
  const coll = nested('collection');
  if (coll.instanceName !== undefined) config.instanceName = coll.instanceName;
  if (coll.leaseTtl !== undefined) config.leaseTtlMs = coll.leaseTtl;
  if (coll.schedule !== undefined) config.schedule = coll.schedule;
  const tls = nested('tls');
  if (tls.certFile !== undefined || tls.keyFile !== undefined) {
    if (tls.certFile === undefined || tls.keyFile === undefined)
      throw new ServiceConfigError(
        'TLS needs both a certificate and its key: tls.certFile and tls.keyFile (--tls-cert and --tls-key).',
      );
    config.tls = { certFile: tls.certFile, keyFile: tls.keyFile };
  }
  const oidc = nested('oidc');
  if (Object.keys(oidc).length > 0) {
    if (oidc.issuer === undefined || oidc.audience === undefined)
      throw new ServiceConfigError(
        'OIDC access tokens need both oidc.issuer and oidc.audience (--oidc-issuer and --oidc-audience).',
      );
    config.oidc = {
      issuer: oidc.issuer,
      audience: oidc.audience,
      ...(oidc.jwksUri !== undefined ? { jwksUri: oidc.jwksUri } : {}),
      scopeClaim: oidc.scopeClaim ?? 'scope',
      scopes: { ...DEFAULT_OIDC_SCOPES, ...oidc.scopes },
      clockToleranceSeconds: oidc.clockToleranceSeconds ?? DEFAULT_OIDC_CLOCK_TOLERANCE_SECONDS,
    };
  }
  return config;
}

/** Whether a host name is this machine's loopback (history/team-service.ts, where the editor's client checks it too). */
export { isLoopbackHost } from '../history/team-service';
