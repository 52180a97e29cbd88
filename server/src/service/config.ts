/**
 * The service's settings: a YAML config file (`--config FILE`), environment variables over it, command-line flags over
 * both. Pure: the caller reads the file and passes its text.
 *
 *   host: 127.0.0.1          # SPARK_OPTIMIZER_SERVICE_HOST, --host
 *   port: 8080               # SPARK_OPTIMIZER_SERVICE_PORT, --port (0: any free port)
 *   db: /var/lib/spark-optimizer/history.db   # SPARK_OPTIMIZER_SERVICE_DB (or SPARK_OPTIMIZER_DB), --db
 *   database:                # instead of db: a shared PostgreSQL store
 *     url: postgres://optimizer@db.internal:5432/spark_optimizer   # SPARK_OPTIMIZER_SERVICE_DB, --db
 *     passwordFile: /run/secrets/spark-optimizer-db               # SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE
 *     poolSize: 10                                                # SPARK_OPTIMIZER_SERVICE_DB_POOL_SIZE
 *   bodyLimitBytes: 9437184  # SPARK_OPTIMIZER_SERVICE_BODY_LIMIT_BYTES
 *   logLevel: info           # SPARK_OPTIMIZER_SERVICE_LOG_LEVEL (fatal, error, warn, info, debug, trace, silent)
 *
 * The store is a SQLite file (the default, for one user) or a `postgres://` URL. A database password is never a setting
 * of its own and never part of the URL (refused): it comes from SPARK_OPTIMIZER_SERVICE_DB_PASSWORD, the password file,
 * or the driver's PGPASSWORD / ~/.pgpass, so it stays out of config files, shell history and logs.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_BODY_LIMIT_BYTES } from './app';

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
});

/** The settings `serve` runs with. */
export interface ServiceConfig {
  host: string;
  port: number;
  /** The store: a SQLite file or a `postgres://` URL (without a password); undefined: the CLI's default SQLite store. */
  db: string | undefined;
  /** File whose first line is the database password (a PostgreSQL store); undefined: none named in the config. */
  dbPasswordFile: string | undefined;
  /** Most connections to a PostgreSQL store; undefined: the store's default. */
  dbPoolSize: number | undefined;
  bodyLimitBytes: number;
  logLevel: (typeof LOG_LEVELS)[number];
}

/** A config file, variable or flag with a bad value; the message names which and what is expected. */
export class ServiceConfigError extends Error {}

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const num = (name: string, v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n)) throw new ServiceConfigError(`${name} must be a whole number, got "${v}".`);
    return n;
  };
  if (env.SPARK_OPTIMIZER_SERVICE_HOST) out.host = env.SPARK_OPTIMIZER_SERVICE_HOST;
  if (env.SPARK_OPTIMIZER_SERVICE_PORT) out.port = num('SPARK_OPTIMIZER_SERVICE_PORT', env.SPARK_OPTIMIZER_SERVICE_PORT);
  if (env.SPARK_OPTIMIZER_SERVICE_DB || env.SPARK_OPTIMIZER_DB) out.db = env.SPARK_OPTIMIZER_SERVICE_DB || env.SPARK_OPTIMIZER_DB;
  const database: Record<string, unknown> = {};
  if (env.SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE) database.passwordFile = env.SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE;
  if (env.SPARK_OPTIMIZER_SERVICE_DB_POOL_SIZE) database.poolSize = num('SPARK_OPTIMIZER_SERVICE_DB_POOL_SIZE', env.SPARK_OPTIMIZER_SERVICE_DB_POOL_SIZE);
  if (Object.keys(database).length > 0) out.database = database;
  if (env.SPARK_OPTIMIZER_SERVICE_BODY_LIMIT_BYTES) out.bodyLimitBytes = num('SPARK_OPTIMIZER_SERVICE_BODY_LIMIT_BYTES', env.SPARK_OPTIMIZER_SERVICE_BODY_LIMIT_BYTES);
  if (env.SPARK_OPTIMIZER_SERVICE_LOG_LEVEL) out.logLevel = env.SPARK_OPTIMIZER_SERVICE_LOG_LEVEL;
  return out;
}

/**
 * The service's settings from the config file's text (null: no file), the environment and the flags, later ones
 * winning.
 * @param flags `--host`, `--port`, `--db` as given (undefined: not given).
 * @throws ServiceConfigError naming the file, variable or flag with a bad value.
 */
export function serviceConfig(fileText: string | null, fileName: string, env: NodeJS.ProcessEnv, flags: { host?: string; port?: string; db?: string }): ServiceConfig {
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
    if (!r.success) throw new ServiceConfigError(`${what}: ${r.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')}`);
    return r.data;
  };
  /** One layer's store target: `db` or `database.url` (not both). */
  const target = (what: string, layer: z.infer<typeof ServiceConfigFileSchema>) => {
    if (layer.db !== undefined && layer.database?.url !== undefined) throw new ServiceConfigError(`${what}: give the store once, as db or as database.url, not both.`);
    return layer.db ?? layer.database?.url;
  };
  const layers = [
    [fileName, check(fileName, file)],
    ['environment', check('environment', fromEnv(env))],
    ['flags', check('flags', fromFlags(flags))],
  ] as const;
  const merged: z.infer<typeof ServiceConfigFileSchema> = {};
  let db: string | undefined;
  let dbFrom = '';
  for (const [what, layer] of layers) {
    const t = target(what, layer);
    if (t !== undefined) [db, dbFrom] = [t, what];
    Object.assign(merged, layer, { database: { ...merged.database, ...layer.database } });
  }
  if (db !== undefined && /^postgres(?:ql)?:\/\//i.test(db)) {
    let password = '';
    try {
      password = new URL(db).password;
    } catch {
      throw new ServiceConfigError(`${dbFrom}: the store is not a valid postgres:// URL (postgres://user@host:5432/database).`);
    }
    if (password !== '') {
      throw new ServiceConfigError(
        `${dbFrom}: the PostgreSQL URL carries a password; remove it and give the password through SPARK_OPTIMIZER_SERVICE_DB_PASSWORD or a password file (database.passwordFile, SPARK_OPTIMIZER_SERVICE_DB_PASSWORD_FILE).`,
      );
    }
  }
  return {
    host: merged.host ?? DEFAULT_HOST,
    port: merged.port ?? DEFAULT_PORT,
    db,
    dbPasswordFile: merged.database?.passwordFile,
    dbPoolSize: merged.database?.poolSize,
    bodyLimitBytes: merged.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    logLevel: merged.logLevel ?? 'info',
  };
}

function fromFlags(flags: { host?: string; port?: string; db?: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (flags.host !== undefined) out.host = flags.host;
  if (flags.port !== undefined) {
    const n = Number(flags.port);
    if (!Number.isInteger(n)) throw new ServiceConfigError(`--port must be a whole number, got "${flags.port}".`);
    out.port = n;
  }
  if (flags.db !== undefined) out.db = flags.db;
  return out;
}

/** True for a host name or address that only this machine reaches (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
