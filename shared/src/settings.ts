/**
 * The extension's settings: this zod schema is the single source of truth. Each default is written once, at its leaf
 * (an object setting is `.prefault({})`: its leaves' defaults fill it). From it come the `Settings` type, the typed
 * getters ({@link readSetting}, {@link SETTING_DEFAULTS}, by dotted key) the client and the server use, and the
 * engine options of the CLI and the REST service. `package.json` `contributes.configuration` must list exactly these
 * keys with these defaults, types and enums (test/settings-schema.test.ts checks it).
 */
import { z } from 'zod';

/**
 * Settings section name (`sparkOptimizer.*`). Here, not in protocol.ts, so the core (the language service, which the
 * CLI runs too) reads settings without loading the LSP protocol library; protocol.ts re-exports it.
 */
export const SETTINGS_SECTION = 'sparkOptimizer';

/** How the History Server authenticates (`historyServer.auth`); the credentials themselves are in SecretStorage. */
export const HISTORY_SERVER_AUTH_KINDS = ['none', 'basic', 'bearer', 'oauth2'] as const;

/** What the plan optimises (`objective`): the fastest, the cheapest, or the cheapest within `maxSlowdownPercent`. */
export const OBJECTIVES = ['runtime', 'cost', 'balanced'] as const;

/** Settings under the `sparkOptimizer` section. */
export const settingsSchema = z.object({
  /** Folder of Spark event logs last collected from (remembered by "Spark: Collect History from Event Logs"). */
  eventLogFolder: z.string().default(''),
  /** SQLite history store; empty = the extension's global storage folder. Machine scope: never read from workspace settings. */
  historyDatabase: z.string().default(''),
  /** Collect from `eventLogFolder` and `historyServer.url` when VS Code starts (off by default). */
  collectOnStartup: z.boolean().default(false),
  /** Collect from `eventLogFolder` and `historyServer.url` every N minutes; 0 = never (default). */
  collectIntervalMinutes: z.number().int().min(0).default(0),
  /**
   * The cluster the jobs run on: the container-size checks (SPARK009, SPARK010) and the plan's limits (it never asks
   * for more). Empty/0 = unknown: the plan then takes the limit from what the runs themselves got.
   */
  cluster: z
    .object({
      /** Memory of one node as a Spark size (`64g`, `16384m`). */
      nodeMemory: z.string().default(''),
      /** Cores of one node. */
      nodeCores: z.number().int().min(0).default(0),
      /** Number of nodes executors can use. */
      nodes: z.number().int().min(0).default(0),
      /** Total cores a job can get: a standalone master's cores, a Kubernetes namespace's CPU quota. */
      totalCores: z.number().int().min(0).default(0),
      /** Total memory a job can get as a Spark size: a Kubernetes namespace's memory quota. */
      totalMemory: z.string().default(''),
    })
    .prefault({}),
  /**
   * What the plan optimises: `runtime` (fastest), `cost` (cheapest: money with prices, else DataFlint Compute Units) or
   * `balanced` (cheapest within `maxSlowdownPercent` of the fastest).
   */
  objective: z.enum(OBJECTIVES).default('balanced'),
  /** For the `balanced` objective: how much slower than the fastest configuration the plan may be, in percent. */
  maxSlowdownPercent: z.number().min(0).max(1000).default(10),
  /**
   * Prices for the money figures of the analysis, hovers and CLI (executor cores and executor container memory =
   * heap + overhead, per hour); 0 = not set, no money shown.
   */
  cost: z
    .object({
      /** Price of one executor core for one hour. */
      pricePerCoreHour: z.number().min(0).default(0),
      /** Price of one GiB of executor container memory (heap + overhead) for one hour. */
      pricePerGiBHour: z.number().min(0).default(0),
      /** Currency label shown with the amounts. */
      currency: z.string().default('USD'),
    })
    .prefault({}),
  /** Checks turned off by code (`SPARK005`, ...). */
  checks: z.object({ disabled: z.array(z.string()).default([]) }).prefault({}),
  /**
   * The Spark History Server to collect from. Credentials are not settings: "Spark: Set History Server
   * Credentials" keeps them in VS Code's SecretStorage.
   */
  historyServer: z
    .object({
      /** Base URL, e.g. `http://shs:18080`; empty: asked for on first use. */
      url: z.string().default(''),
      /** none, basic (user/password), bearer (a fixed token), oauth2 (client credentials: a token from oauth2TokenUrl). */
      auth: z.enum(HISTORY_SERVER_AUTH_KINDS).default('none'),
      /** Verify the server's TLS certificate. Turn off only for a server you trust. */
      verifyTls: z.boolean().default(true),
      /** PEM file of a CA to trust, e.g. a company CA. */
      caFile: z.string().default(''),
      /** PEM client certificate and key for mutual TLS. */
      certFile: z.string().default(''),
      keyFile: z.string().default(''),
      /** OAuth2 token endpoint for `auth: oauth2` (the client secret is in SecretStorage, sent only to this URL). */
      oauth2TokenUrl: z.string().default(''),
      /** OAuth2 client id for `auth: oauth2`. */
      oauth2ClientId: z.string().default(''),
      /** `scope` of the token request (space-separated), when the authorization server needs one. */
      oauth2Scope: z.string().default(''),
      /** `resource` of the token request (RFC 8707: the audience), when the authorization server needs one. */
      oauth2Resource: z.string().default(''),
    })
    .prefault({}),
  /**
   * Object storage read by "Spark: Collect History from Object Storage". Credentials are never settings: the language
   * server finds them through each cloud SDK's own chain.
   */
  objectStore: z
    .object({
      /**
       * Custom endpoint of the store (`http://minio:9000` for MinIO and other S3-compatible stores, an Azurite or
       * private endpoint); empty: the cloud's own. Not a secret.
       */
      endpointUrl: z.string().default(''),
    })
    .prefault({}),
  /**
   * The Spark Connect server that "Spark: Run Query" runs SQL on. The token is not a setting: "Spark: Set Spark
   * Connect Token" keeps it in VS Code's SecretStorage.
   */
  sparkConnect: z
    .object({
      /** `sc://host:15002/;use_ssl=true` (Spark's connection string); empty: asked for on first use. */
      url: z.string().default(''),
      /** PEM file of a CA to trust for TLS. */
      caFile: z.string().default(''),
      /** Most rows a query brings back to the editor. */
      maxRows: z.number().int().min(1).default(10000),
      /**
       * JDBC tables registered as temporary views of the session before each query (Spark's JDBC source). No
       * password here: "Spark: Set JDBC Password" keeps it in SecretStorage per view name.
       */
      jdbcViews: z
        .array(
          z.object({
            name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
            url: z.string().min(1),
            dbtable: z.string().min(1),
            user: z.string().optional(),
            options: z.record(z.string(), z.string()).optional(),
          }),
        )
        .default([]),
    })
    .prefault({}),
  /**
   * The team's history service (`spark-optimizer serve`): when set, hovers, diagnostics, the workload-analysis view and
   * quick fixes read its history instead of the local store, and applied quick fixes are sent to it as feedback. The
   * token is not a setting: "Spark: Set Team Service Token" keeps it in VS Code's SecretStorage.
   */
  service: z
    .object({
      /** Base URL, e.g. `https://spark-optimizer.example.com:8080` (`http://` only on this machine); empty: the local store. */
      url: z.string().default(''),
      /** PEM file of a CA to trust for the service's TLS certificate, e.g. a company CA; empty: the system's CAs. */
      caFile: z.string().default(''),
    })
    .prefault({}),
  /** Server log level in the "Spark Optimizer Language Server" output channel. */
  logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  /** Inlay hints after resource settings with what the job's runs show (`‹peak heap 412 MiB in 2 runs›`). */
  inlayHints: z.object({ enabled: z.boolean().default(true) }).prefault({}),
  /** LSP message tracing in the "Spark Optimizer Language Server" channel (read by vscode-languageclient itself). */
  trace: z.object({ server: z.enum(['off', 'messages', 'verbose']).default('off') }).prefault({}),
});

/**
 * VS Code scope of each setting (package.json `scope`): `machine` for the store and what collects into it (a
 * workspace cannot point the extension at another database or folder), `window` for the History Server and
 * logging, `resource` for what can differ per folder (cluster shape, checks, inlay hints). Dotted keys below
 * `sparkOptimizer.`.
 */
export const SETTING_SCOPES: Readonly<Record<SettingKey, 'application' | 'machine' | 'window' | 'resource'>> = {
  eventLogFolder: 'machine',
  historyDatabase: 'machine',
  collectOnStartup: 'machine',
  collectIntervalMinutes: 'machine',
  logLevel: 'window',
  'cluster.nodeMemory': 'resource',
  'cluster.nodeCores': 'resource',
  'cluster.nodes': 'resource',
  'cluster.totalCores': 'resource',
  'cluster.totalMemory': 'resource',
  objective: 'resource',
  maxSlowdownPercent: 'resource',
  'checks.disabled': 'resource',
  'cost.pricePerCoreHour': 'resource',
  'cost.pricePerGiBHour': 'resource',
  'cost.currency': 'resource',
  'historyServer.url': 'window',
  'historyServer.auth': 'window',
  'historyServer.verifyTls': 'window',
  'historyServer.caFile': 'window',
  'historyServer.certFile': 'window',
  'historyServer.keyFile': 'window',
  'historyServer.oauth2TokenUrl': 'window',
  'historyServer.oauth2ClientId': 'window',
  'historyServer.oauth2Scope': 'window',
  'historyServer.oauth2Resource': 'window',
  'inlayHints.enabled': 'resource',
  'trace.server': 'window',
  'objectStore.endpointUrl': 'window',
  'sparkConnect.url': 'window',
  'sparkConnect.caFile': 'window',
  'service.url': 'window',
  'service.caFile': 'window',
  'sparkConnect.maxRows': 'resource',
  'sparkConnect.jdbcViews': 'window',
};

/** Settings as the server and client use them. */
export type Settings = z.infer<typeof settingsSchema>;

/** `T`'s leaves as `{ key: 'a.b'; value: … }` (arrays and non-objects are leaves), for {@link SettingKey}. */
type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends readonly unknown[]
    ? { key: `${P}${K}`; value: T[K] }
    : T[K] extends object
      ? Leaves<T[K], `${P}${K}.`>
      : { key: `${P}${K}`; value: T[K] };
}[keyof T & string];

/** Every setting's type by its key below `sparkOptimizer.`, dotted as package.json and `WorkspaceConfiguration.get` spell it (`cluster.nodeMemory`). */
export type SettingValues = { [L in Leaves<Settings> as L['key']]: L['value'] };

/** A setting's dotted key (`cluster.nodeMemory`). */
export type SettingKey = keyof SettingValues;

/** The type of the setting `K`. */
export type SettingValue<K extends SettingKey> = SettingValues[K];

/** The leaf schemas by dotted key (an object setting's `.prefault` unwrapped). */
function leafSchemas(shape: Record<string, z.ZodType>, prefix = ''): Record<string, z.ZodType> {
  const out: Record<string, z.ZodType> = {};
  for (const [k, field] of Object.entries(shape)) {
    const inner = field instanceof z.ZodPrefault ? (field.unwrap() as z.ZodType) : field;
    if (inner instanceof z.ZodObject)
      Object.assign(out, leafSchemas(inner.shape as Record<string, z.ZodType>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = field;
  }
  return out;
}

/** Each setting's schema (with its default), by dotted key. */
export const SETTING_SCHEMAS = leafSchemas(settingsSchema.shape) as {
  readonly [K in SettingKey]: z.ZodType<SettingValue<K>>;
};

/** Each setting's default, by dotted key: the schema's, written nowhere else. */
export const SETTING_DEFAULTS = Object.fromEntries(
  Object.entries(SETTING_SCHEMAS).map(([k, s]) => [k, (s as z.ZodType).parse(undefined)]),
) as {
  readonly [K in SettingKey]: SettingValue<K>;
};

/**
 * The typed getter: one setting read through `get` (VS Code's `WorkspaceConfiguration.get` of the `sparkOptimizer`
 * section, or a lookup in a settings object) and checked against its schema; missing or invalid → its default. Never
 * throws.
 */
export function readSetting<K extends SettingKey>(get: (key: K) => unknown, key: K): SettingValue<K> {
  const r = (SETTING_SCHEMAS[key] as z.ZodType<SettingValue<K>>).safeParse(get(key));
  return r.success ? r.data : SETTING_DEFAULTS[key];
}

/**
 * Parses whatever `workspace/configuration` returned into valid settings; invalid or missing values fall
 * back to their defaults (never throws).
 */
export function parseSettings(raw: unknown): Settings {
  const obj = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(settingsSchema.shape)) {
    const r = (field as z.ZodTypeAny).safeParse(obj[key]);
    out[key] = r.success ? r.data : (field as z.ZodTypeAny).parse(undefined);
  }
  return out as Settings;
}
