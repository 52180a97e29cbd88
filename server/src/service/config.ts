/**
 * The service's settings: a YAML config file (`--config FILE`), environment variables over it, command-line flags over
 * both. Pure: the caller reads the file and passes its text.
 *
 *   host: 127.0.0.1          # SPARK_OPTIMIZER_SERVICE_HOST, --host
 *   port: 8080               # SPARK_OPTIMIZER_SERVICE_PORT, --port (0: any free port)
 *   db: /var/lib/spark-optimizer/history.db   # SPARK_OPTIMIZER_DB, --db
 *   bodyLimitBytes: 9437184  # SPARK_OPTIMIZER_SERVICE_BODY_LIMIT_BYTES
 *   logLevel: info           # SPARK_OPTIMIZER_SERVICE_LOG_LEVEL (fatal, error, warn, info, debug, trace, silent)
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
  bodyLimitBytes: z.number().int().min(1024).optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
});

/** The settings `serve` runs with. */
export interface ServiceConfig {
  host: string;
  port: number;
  /** SQLite file of the store; undefined: the CLI's default store. */
  db: string | undefined;
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
  if (env.SPARK_OPTIMIZER_DB) out.db = env.SPARK_OPTIMIZER_DB;
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
  const merged = { ...fromFile, ...fromVars, ...check('flags', fromFlags) };
  return {
    host: merged.host ?? DEFAULT_HOST,
    port: merged.port ?? DEFAULT_PORT,
    db: merged.db,
    bodyLimitBytes: merged.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    logLevel: merged.logLevel ?? 'info',
  };
}

/** True for a host name or address that only this machine reaches (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
