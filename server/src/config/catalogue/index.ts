/**
 * The Spark configuration catalogue: the resource and tuning keys users set, with their types,
 * units, defaults per release line, allowed values and ranges, `since` versions, deprecations,
 * descriptions, documentation links and the apache/spark source file of each fact.
 *
 * Plain data and pure functions (no LSP, no I/O), for diagnostics, completion, hover and the CLI.
 * Data: `entries.ts` (keys) and `deprecations.ts` (renamed and retired keys); checks: `validate.ts`.
 */
import { DEPRECATIONS } from './deprecations';
import { ENTRIES } from './entries';
import { VERSION_LINES, type CatalogueEntry, type Deprecation, type ValueCheck, type VersionLine } from './types';
import { checkEntryValue } from './validate';

export * from './types';
export { ENTRIES, SPARK_SOURCES } from './entries';
export { DEPRECATIONS } from './deprecations';

const BY_KEY: ReadonlyMap<string, CatalogueEntry> = new Map(ENTRIES.map((e) => [e.key, e]));

/** The newest release line the catalogue knows. */
export const NEWEST_VERSION_LINE: VersionLine = VERSION_LINES[VERSION_LINES.length - 1];

/**
 * The catalogue entry of a key.
 * @param key exactly as Spark writes it (keys are case-sensitive in Spark); deprecated spellings
 *   are not resolved here, see `deprecation`.
 * @returns the entry, or undefined for a key the catalogue does not cover.
 */
export function lookupKey(key: string): CatalogueEntry | undefined {
  return BY_KEY.get(key);
}

/** Every key in the catalogue, sorted. */
export function allKeys(): string[] {
  return [...BY_KEY.keys()].sort();
}

/**
 * What happened to a deprecated, renamed, ignored or removed key.
 * @returns `{ replacement, since, note }` (plus `kind`, `source` and `ignoredFrom`), or undefined
 *   when Spark does not list the key as deprecated.
 */
export function deprecation(key: string): Deprecation | undefined {
  return DEPRECATIONS.get(key);
}

/**
 * Spark's default for a key in a release line, as the string Spark's code gives (`'1g'`, `'0.1'`).
 * @returns the default; null when the key exists but has no constant default (see the entry's
 *   `defaultNote`); undefined when the key is unknown or does not exist in that line.
 */
export function defaultFor(key: string, versionLine: VersionLine): string | null | undefined {
  return BY_KEY.get(key)?.defaults[versionLine];
}

/** Whether a catalogue key exists in a release line (e.g. spark.executor.minMemoryOverhead: 4.0+). */
export function existsIn(key: string, versionLine: VersionLine): boolean {
  const e = BY_KEY.get(key);
  return e !== undefined && versionLine in e.defaults;
}

/**
 * Apache Spark `major.minor` of each Databricks Runtime major version, from Databricks' "Databricks
 * Runtime release notes versions and compatibility" page (docs.databricks.com/release-notes/runtime,
 * read 2026-11): 10.4 LTS → 3.2.1, 11.3 LTS → 3.3.0, 12.2 LTS → 3.3.2, 13.3 LTS → 3.4.1,
 * 14.x → 3.5.0, 15.4 LTS → 3.5.0, 16.4 LTS → 3.5.2, 17.x → 4.0.0, 18.0 → 4.1.0. All minor releases of
 * one runtime major share the Spark minor line.
 */
const DATABRICKS_RUNTIME_SPARK: ReadonlyMap<number, string> = new Map([
  [10, '3.2'],
  [11, '3.3'],
  [12, '3.3'],
  [13, '3.4'],
  [14, '3.5'],
  [15, '3.5'],
  [16, '3.5'],
  [17, '4.0'],
  [18, '4.1'],
]);

/**
 * The Apache Spark version (`major.minor`) of a Databricks Runtime `spark_version` string such as
 * `'13.3.x-scala2.12'`, `'14.3.x-photon-scala2.12'` or `'15.4.x-cpu-ml-scala2.12'`.
 * @returns e.g. `'3.4'`; undefined when the text is not a Databricks Runtime version (Apache Spark
 *   versions never contain `.x-`) or the runtime major is not in the table (older than 10, newer than 18).
 */
export function sparkVersionOfDatabricksRuntime(runtimeVersion: string): string | undefined {
  const m = /^\s*(\d+)\.\d+\.x-/.exec(runtimeVersion);
  return m ? DATABRICKS_RUNTIME_SPARK.get(Number(m[1])) : undefined;
}

/**
 * The release line of a Spark version: `'3.5.1'` → `'3.5'`, `'4.0.0-preview2'` → `'4.0'`.
 * A Databricks Runtime version maps through the Spark version it ships (`'13.3.x-scala2.12'` → `'3.4'`,
 * see {@link sparkVersionOfDatabricksRuntime}); one whose Spark is unknown maps to the newest line.
 * Versions newer than the newest known line map to it (`'4.3.0'` → `'4.1'`), older ones to the
 * oldest (`'3.2.4'` → `'3.3'`), and text without a `major.minor` prefix to the newest line.
 */
export function versionLineOf(sparkVersion: string): VersionLine {
  if (/^\s*\d+\.\d+\.x-/.test(sparkVersion)) {
    const spark = sparkVersionOfDatabricksRuntime(sparkVersion);
    if (spark === undefined) return NEWEST_VERSION_LINE;
    sparkVersion = spark;
  }
  const m = /^\s*v?(\d+)\.(\d+)/.exec(sparkVersion);
  if (!m) return NEWEST_VERSION_LINE;
  const wanted = Number(m[1]) * 1000 + Number(m[2]);
  let best: VersionLine = VERSION_LINES[0];
  for (const line of VERSION_LINES) {
    const [maj, min] = line.split('.').map(Number);
    if (maj * 1000 + min <= wanted) best = line;
  }
  return best;
}

/**
 * Checks a raw value for a key as Spark reads it, giving Spark's own error text.
 * Examples: `checkValue('spark.executor.memory', '4gb')` → ok, normalised 4294967296 (bytes);
 * `'4.5g'` → `Size must be specified as …\nFractional values are not supported. Input was: 4.5`;
 * `checkValue('spark.executor.cores', '0')` → `Executor cores must be a positive number`.
 * @param rawValue the value as written (unquoted), untrimmed.
 * @param versionLine the target release line (matters for master URLs); defaults to the newest.
 * @returns `{ ok: true, normalised? }` (bytes for sizes, ms for times, numbers, 1/0 for booleans),
 *   or `{ ok: false, message, severity }`. Keys outside the catalogue are ok.
 */
export function checkValue(key: string, rawValue: string, versionLine: VersionLine = NEWEST_VERSION_LINE): ValueCheck {
  const entry = BY_KEY.get(key);
  if (!entry) return { ok: true };
  return checkEntryValue(entry, rawValue, versionLine);
}
