/**
 * Shapes of the Spark configuration catalogue (see `index.ts` for the API and `entries.ts` for the
 * data). Plain data: no LSP, no I/O.
 */
import type { SparkByteUnit, SparkTimeUnit } from '../spark-units';

/** The Spark release lines the catalogue knows defaults for, oldest first. */
export const VERSION_LINES = ['3.3', '3.4', '3.5', '4.0', '4.1'] as const;

/** A Spark release line: `'3.5'` covers 3.5.0 … 3.5.x. */
export type VersionLine = (typeof VERSION_LINES)[number];

/**
 * How a value is typed, following the `ConfigBuilder` call that declares the key:
 * `bytesConf` → size, `timeConf` → time, `intConf`/`longConf` → int, `doubleConf` → double,
 * `booleanConf` → boolean, `stringConf` → string (or enum when Spark checks a fixed set).
 */
export type ConfigType = 'size' | 'time' | 'int' | 'double' | 'boolean' | 'string' | 'enum';

/**
 * Who rejects a value outside a range, which decides whether `message` is Spark's own wording:
 * - `checkValue`: the key's `ConfigBuilder.checkValue`; Spark throws
 *   `'<value>' in <key> is invalid. <message>` (message verbatim from Spark's source);
 * - `spark-submit`: `SparkSubmitArguments.validateSubmitArguments` (message verbatim);
 * - `runtime`: a check where Spark uses the value (message is ours, the source says where);
 * - `advice`: Spark accepts the value but it makes no sense (message is ours; a warning).
 */
export type RangeEnforcement = 'checkValue' | 'spark-submit' | 'runtime' | 'advice';

/**
 * Allowed interval of a numeric value. For sizes and times the bounds are in the key's `unit`
 * (the value Spark's check sees), e.g. bytes for `spark.eventLog.rolling.maxFileSize`.
 */
export interface ValueRange {
  readonly min?: number;
  /** true: the value must be strictly greater than `min`. */
  readonly minExclusive?: boolean;
  readonly max?: number;
  /** true: the value must be strictly less than `max`. */
  readonly maxExclusive?: boolean;
  readonly enforcement: RangeEnforcement;
  /** The error text (see `RangeEnforcement` for whose words these are). */
  readonly message: string;
  /** Path in apache/spark of the check, when it is not the key's declaring file. */
  readonly source?: string;
  /**
   * The key Spark names in a `checkValue` message when it is not the entry's own key (a
   * `fallbackConf` key is checked by the entry it falls back to).
   */
  readonly messageKey?: string;
}

/**
 * Extra syntax a string value must follow:
 * - `k8s-quantity`: a Kubernetes CPU quantity (`0.5`, `500m`, `2`), passed through to the pod spec;
 * - `master`: a master URL (`local[4]`, `yarn`, `k8s://https://…`, `spark://host:7077`);
 * - `codec`: a compression codec short name (lz4, lzf, snappy, zstd) or a class name;
 * - `pyspark-memory`: PySpark's own memory parser (`512m`, `2g`; suffix required).
 */
export type ValueFormat = 'k8s-quantity' | 'master' | 'codec' | 'pyspark-memory';

/**
 * How Spark reads the value, which decides the error wording for a malformed one:
 * - `ConfigEntry`: through a typed `ConfigBuilder` entry (`<key> should be int, but was <v>`, …);
 * - `SparkConf.get`: as a raw string (`conf.getInt(key, …)`; Java's `For input string: "<v>"`).
 */
export type ValueReader = 'ConfigEntry' | 'SparkConf.get';

/** Topic of a key, for grouping in hovers and completions. */
export type ConfigGroup =
  | 'application'
  | 'executor'
  | 'driver'
  | 'memory'
  | 'python'
  | 'dynamic-allocation'
  | 'shuffle'
  | 'sql'
  | 'adaptive'
  | 'serialization'
  | 'event-log'
  | 'speculation'
  | 'scheduling'
  | 'network'
  | 'kubernetes'
  | 'yarn';

/** One Spark configuration key, as Spark's source declares it. */
export interface CatalogueEntry {
  /** The key as Spark writes it, e.g. `spark.executor.memoryOverhead`. */
  readonly key: string;
  readonly type: ConfigType;
  /**
   * Unit of a bare number for sizes (`bytesConf(ByteUnit.X)`: 'b' bytes, 'k' KiB, 'm' MiB, …) and
   * times (`timeConf(TimeUnit.X)`: 'ms', 's', …).
   */
  readonly unit?: SparkByteUnit | SparkTimeUnit;
  /**
   * Default per release line, as the string Spark's code gives (`'1g'`, `'0.1'`, `'true'`).
   * `null`: the key exists but has no default (`createOptional`; Spark computes a value or leaves it
   * unset, see `defaultNote`). A missing line: the key does not exist in that line.
   */
  readonly defaults: Readonly<Partial<Record<VersionLine, string | null>>>;
  /** How the effective default is computed when it is not a constant (fallbacks, formulas). */
  readonly defaultNote?: string;
  /** Spark version that introduced the key (`.version(...)` in the source). */
  readonly since: string;
  /** For enums: the values Spark accepts. */
  readonly allowedValues?: readonly string[];
  /** For enums: whether Spark compares case-sensitively (false when it upper/lower-cases first). */
  readonly caseSensitive?: boolean;
  /** For enums: Spark's message for a value outside `allowedValues`. */
  readonly allowedMessage?: string;
  /** Common values for completion, for free-form strings (class names, codecs). */
  readonly suggestedValues?: readonly string[];
  readonly range?: ValueRange;
  readonly format?: ValueFormat;
  /**
   * true when spark-submit, in client mode, also passes the raw text to the JVM as `-Xmx<text>`
   * (launcher/src/main/java/org/apache/spark/launcher/SparkSubmitCommandBuilder.java), so it must
   * also be a valid JVM size: digits with an optional k, m, g or t (no `gb`; a bare number is bytes).
   */
  readonly jvmHeapFlag?: boolean;
  readonly reader: ValueReader;
  /** One line saying what the key does. */
  readonly description: string;
  /** Spark's documentation page and anchor for the key. */
  readonly docUrl: string;
  /** Path in apache/spark of the file that declares the key (or reads it, for undeclared keys). */
  readonly source: string;
  readonly group: ConfigGroup;
}

/** What happened to a deprecated, renamed, ignored or removed key. */
export interface Deprecation {
  /** The key that replaces it, or null when there is none. */
  readonly replacement: string | null;
  /** Spark version of the deprecation (as Spark's table writes it: `'2.3'`, `'3.1.0'`). */
  readonly since: string;
  /** Spark's deprecation message, or a one-line explanation. */
  readonly note: string;
  /**
   * - `alternative`: still read as a fallback for `replacement` (`configsWithAlternatives`,
   *   `withAlternative`);
   * - `deprecated`: warned about (`deprecatedConfigs`, `deprecatedSQLConfigs`);
   * - `removed`: no longer has an effect (`removedSQLConfigs`);
   * - `ignored`: read but ignored (Spark warns that it has no effect).
   */
  readonly kind: 'alternative' | 'deprecated' | 'removed' | 'ignored';
  /** Path in apache/spark of the table or check that says so. */
  readonly source: string;
  /** Release line from which Spark no longer reads the key at all, when known. */
  readonly ignoredFrom?: VersionLine;
}

/** Result of `checkValue`. */
export type ValueCheck =
  | {
      readonly ok: true;
      /**
       * The value as Spark reads it: sizes in bytes, times in milliseconds (both after Spark's
       * conversion to the key's unit, so truncation is kept), numbers as numbers, booleans 1/0.
       * Absent for strings and enums.
       */
      readonly normalised?: number;
    }
  | {
      readonly ok: false;
      /** Spark's own error text where Spark rejects the value (see `ValueRange`). */
      readonly message: string;
      /** `error`: Spark fails on it; `warning`: Spark accepts it but it makes no sense. */
      readonly severity: 'error' | 'warning';
    };
