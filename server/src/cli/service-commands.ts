/**
 * `spark-optimizer serve` (the REST service, service/app.ts, over the SQLite store) and `spark-optimizer token
 * create|list|revoke` (its bearer tokens: printed once, stored as their SHA-256). main.ts parses the arguments and
 * dispatches here.
 */
import * as fs from 'fs';
import { openServiceStore } from '../store/open';
import { databasePassword, isPostgresUrl, postgresTarget } from '../store/postgres-store';
import { buildService } from '../service/app';
import { Collections, defaultInstanceName } from '../service/collections';
import { isLoopbackHost, ServiceConfigError, serviceConfig, type ServiceFlags } from '../service/config';
import { OidcVerifier } from '../service/oidc';
import { TOKEN_SCOPES, type ServiceStore, type TokenScope } from '../history/service-store';
import { newToken } from '../service/tokens';
import { describeFault, handleProcessFaults } from '../process-errors';

/** Where the commands print (main.ts's escaped writers). */
export interface Printer {
  line(s: string): void;
  json(value: unknown): void;
}

/**
 * `serve`: opens the store, starts the service on host:port and answers until SIGINT or SIGTERM, then closes the
 * listener (in-flight requests finish) and the store. Prints `listening on http(s)://HOST:PORT` once it listens.
 * With `tls` configured it serves HTTPS only; with `oidc` configured it reads the issuer's discovery document before
 * listening and accepts the issuer's JWT access tokens besides `spo_` tokens.
 * With collection sources configured it collects them on request (`POST /api/v1/collect`) and on their intervals
 * (unless `--no-schedule`), holding each source's lease in the store while collecting.
 * @param values `--host`, `--port`, `--db`, `--config`, `--tls-cert`, `--tls-key`, `--oidc-issuer`, `--oidc-audience`,
 *   `--instance-name`, `--lease-ttl`, `--no-schedule` as given.
 * @param defaultDb the CLI's default store, used when neither the config, SPARK_OPTIMIZER_DB nor --db names one.
 * @returns 0 after a clean stop (SIGINT, SIGTERM), 1 after a stop for an uncaught exception (logged to `err`).
 * @throws ServiceConfigError for a bad config file, variable or flag, or an unreadable certificate or key; Error when
 *   the port is taken, the store cannot be opened or the OIDC issuer's discovery document cannot be read.
 */
export async function serveCommand(
  values: ServiceFlags & { config?: string },
  defaultDb: string,
  out: Printer,
  err: Printer,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let text: string | null = null;
  if (values.config !== undefined) {
    try {
      text = fs.readFileSync(values.config, 'utf8');
    } catch (e) {
      throw new ServiceConfigError(`cannot read the config file ${values.config}: ${(e as Error).message}`);
    }
  }
  const config = serviceConfig(text, values.config ?? 'config', env, values);
  const dbPath = config.db ?? defaultDb;
  const readPem = (file: string, what: string) => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new ServiceConfigError(`cannot read the TLS ${what} ${file}: ${(e as Error).message}`);
    }
  };
  const tls = config.tls
    ? { cert: readPem(config.tls.certFile, 'certificate'), key: readPem(config.tls.keyFile, 'key') }
    : undefined;
  if (!tls && !isLoopbackHost(config.host))
    err.line(
      `warning: serving plain HTTP on ${config.host}: bearer tokens cross the network unencrypted; give --tls-cert and --tls-key, or put a TLS-terminating proxy in front.`,
    );
  const accessTokens = config.oidc ? await OidcVerifier.open(config.oidc) : undefined;
  if (accessTokens)
    err.line(
      `accepting access tokens of ${config.oidc?.issuer} for audience ${config.oidc?.audience} (keys from ${accessTokens.jwksUri})`,
    );
  const store = await openServiceStore(dbPath, {
    password: isPostgresUrl(dbPath) ? databasePassword(env, config.dbPasswordFile) : undefined,
    poolSize: config.dbPoolSize,
  });
  // The configured sources, collected on request and (unless --no-schedule) on their intervals, one instance at a time
  // per source through a lease in the store (service/collections.ts). Its log lines go to stderr.
  const collections = new Collections({
    store,
    sources: config.sources,
    holder: config.instanceName ?? defaultInstanceName(),
    leaseTtlMs: config.leaseTtlMs,
    env,
    log: (level, message) => {
      if (config.logLevel !== 'silent') err.line(`${level}: ${message}`);
    },
  });
  let app;
  try {
    app = await buildService({
      store,
      tls,
      accessTokens,
      collections,
      bodyLimitBytes: config.bodyLimitBytes,
      logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    });
    const address = await app.listen({ host: config.host, port: config.port });
    out.line(
      `listening on ${address} (store ${store.description}, ${await store.countApplications()} application attempts)`,
    );
    if (config.sources.length > 0)
      err.line(
        `instance ${collections.holder}: ${config.sources.length} collection source(s) (${config.sources.map((s) => s.name).join(', ')}); schedule ${config.schedule ? 'on' : 'off'}, lease ${config.leaseTtlMs / 1000} s`,
      );
    if (config.schedule) collections.startSchedule();
  } catch (e) {
    await collections.stop();
    await app?.close();
    await store.close();
    throw e;
  }
  const service = app;
  // A promise rejected with nobody to catch it is logged and the service keeps answering; after an uncaught exception
  // it is logged and the service stops as after SIGTERM (in-flight requests finish), with exit code 1, for its
  // supervisor to restart it (Node's advice: the process state is unknown after one).
  let code = 0;
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      removeFaultHandlers();
      resolve();
    };
    const removeFaultHandlers = handleProcessFaults(
      (fault, error) => err.line(`spark-optimizer serve: ${describeFault(fault, error)}`),
      () => {
        code = 1;
        stop();
      },
    );
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  // Running collections stop (recorded failed, their leases released) before the store closes.
  await collections.stop();
  await service.close();
  await store.close();
  return code;
}

/** The store of the token commands: a SQLite file or a PostgreSQL URL (password from the environment or a file). */
function tokenStore(db: string, env: NodeJS.ProcessEnv): Promise<ServiceStore> {
  return openServiceStore(db, { password: isPostgresUrl(db) ? databasePassword(env) : undefined });
}

/** How a store is named in messages: the file, or the URL without password or options. */
function storeName(db: string): string {
  return isPostgresUrl(db) ? postgresTarget(db) : db;
}

/**
 * `token create --scope read|collect|admin [--name NAME]`: makes a token, stores its SHA-256 and prints the token (the
 * only time it is shown).
 * @throws ServiceConfigError for an unknown scope.
 */
export async function tokenCreateCommand(
  values: { scope?: string; name?: string; format?: string },
  dbPath: string,
  out: Printer,
  err: Printer,
  nowMs = Date.now(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const scope = values.scope ?? 'read';
  if (!(TOKEN_SCOPES as readonly string[]).includes(scope))
    throw new ServiceConfigError(`--scope must be one of ${TOKEN_SCOPES.join(', ')}, got "${scope}".`);
  const name = values.name ?? `${scope} token`;
  const store = await tokenStore(dbPath, env);
  try {
    const { token, tokenSha256 } = newToken();
    const id = await store.createToken({ name, scope: scope as TokenScope, tokenSha256, createdAtMs: nowMs });
    if (values.format === 'json') out.json({ id, name, scope, token });
    else {
      out.line(token);
      err.line(
        `token ${id} "${name}" (scope ${scope}) stored in ${storeName(dbPath)} as its SHA-256; this is the only time it is shown.`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

/** `token list`: id, scope, name, created and revoked (never the token or its hash). */
export async function tokenListCommand(
  values: { format?: string },
  dbPath: string,
  out: Printer,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const store = await tokenStore(dbPath, env);
  try {
    const tokens = (await store.listTokens()).map((t) => ({
      id: t.id,
      name: t.name,
      scope: t.scope,
      createdAtMs: t.createdAtMs,
      revokedAtMs: t.revokedAtMs,
    }));
    if (values.format === 'json') out.json(tokens);
    else
      for (const t of tokens)
        out.line(
          `${String(t.id).padStart(4)}  ${t.scope.padEnd(7)}  ${new Date(t.createdAtMs).toISOString().slice(0, 16).replace('T', ' ')}  ${t.revokedAtMs !== null ? `revoked ${new Date(t.revokedAtMs).toISOString().slice(0, 16).replace('T', ' ')}` : 'valid'.padEnd(24)}  ${t.name}`,
        );
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * `token revoke ID`: the service refuses the token (401) from its next request on.
 * @returns 0, or 2 when no valid token has that id.
 */
export async function tokenRevokeCommand(
  id: string,
  dbPath: string,
  out: Printer,
  err: Printer,
  nowMs = Date.now(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const n = Number(id);
  if (!Number.isInteger(n) || n < 1)
    throw new ServiceConfigError(`token revoke needs a token id (a whole number from "token list"), got "${id}".`);
  const store = await tokenStore(dbPath, env);
  try {
    if (!(await store.revokeToken(n, nowMs))) {
      err.line(`spark-optimizer: no valid token ${n} in ${storeName(dbPath)} (see "spark-optimizer token list").`);
      return 2;
    }
    out.line(`token ${n} revoked`);
    return 0;
  } finally {
    await store.close();
  }
}
