import type { FileSettings, SettingsBlock, SparkSetting } from './setting';
import { LineIndex } from './source-text';

/**
 * Reads a `spark-defaults.conf` file the way Spark loads it: `Utils.getPropertiesFromFile` hands the file to
 * `java.util.Properties.load(Reader)` and trims each value (Apache Spark
 * `core/src/main/scala/org/apache/spark/util/Utils.scala`). The Properties rules (JDK `Properties.load` doc):
 *
 * - a natural line ends at `\n`, `\r` or `\r\n`; leading spaces, tabs and form feeds are skipped;
 * - a line whose first non-blank character is `#` or `!` is a comment, and a blank line is nothing;
 * - a line ending in an odd number of backslashes continues on the next line, whose leading blanks are dropped
 *   (a comment line never continues);
 * - the key runs to the first unescaped `=`, `:`, space, tab or form feed; blanks, then at most one `=` or `:`,
 *   then blanks separate it from the value; the rest of the logical line is the value;
 * - `\t`, `\n`, `\r`, `\f`, `\uXXXX` are escapes, and a backslash before any other character stands for it.
 *
 * Only keys starting with `spark.` are recorded (SparkSubmitArguments ignores the others with a warning). Every
 * occurrence is recorded, duplicates too (Properties keeps the last one). A value is non-literal when it is a
 * placeholder another tool substitutes before Spark reads the file ({@link isPlaceholderValue}).
 *
 * One `spark-conf` block (format `spark-defaults`) covers the whole file; its insertion appends a line at the end
 * of the file with the separator the file's first setting uses (`{key} {value}`, `{key}={value}`, ...).
 *
 * @param text the file (any line endings).
 * @returns one block, also for a file without settings (so a quick fix can add the first line); positions 0-based
 *   in UTF-16 code units; never throws.
 */
export function extractSparkDefaultsSettings(text: string): FileSettings {
  const lines = new LineIndex(text);
  const settings: SparkSetting[] = [];
  let separator: string | undefined;
  try {
    for (const entry of readProperties(text)) {
      if (!entry.key.startsWith('spark.')) continue;
      separator ??= entry.separator;
      const placeholder = isPlaceholderValue(entry.value);
      const setting: SparkSetting = {
        key: entry.key,
        sourceKey: entry.key,
        value: placeholder ? null : entry.value,
        raw: text.slice(entry.valueStart, entry.valueEnd),
        literal: !placeholder,
        range: lines.range(entry.valueStart, entry.valueEnd),
        origin: 'spark-defaults',
      };
      // Only a key written without escapes or continuations can be renamed by replacing its text.
      if (text.slice(entry.keyStart, entry.keyEnd) === entry.key)
        setting.keyRange = lines.range(entry.keyStart, entry.keyEnd);
      settings.push(setting);
    }
  } catch {
    // Nothing in the rules can throw; keep what was read if something does.
  }
  const eol = lines.eol();
  const endsWithEol = text.length === 0 || /[\r\n]$/.test(text);
  const pair = `{key}${separator ?? ' '}{value}`;
  const block: SettingsBlock = {
    kind: 'spark-conf',
    format: 'spark-defaults',
    range: lines.range(0, text.length),
    settings,
    insertion: { position: lines.position(text.length), template: endsWithEol ? `${pair}${eol}` : `${eol}${pair}` },
  };
  return { languageId: 'spark-defaults', blocks: [block] };
}

/** One `key value` entry of a properties file, with offsets into the text. */
export interface PropertyEntry {
  /** The key after escape processing. */
  key: string;
  /** The value after escape processing, line continuations joined, trailing blanks trimmed (as Spark trims it). */
  value: string;
  /** `[valueStart, valueEnd)`: the value's source text (may span continued lines); empty at the key's end when there is no value. */
  valueStart: number;
  valueEnd: number;
  /** Offset of the key's first character. */
  keyStart: number;
  /** Offset after the key's last character (escapes and continuations inside it included). */
  keyEnd: number;
  /** The separator as written between key and value (`=`, ` `, `\t`, ` = `, ...); empty when the value is empty. */
  separator: string;
}

const BLANK = new Set([' ', '\t', '\f']);

/**
 * Splits a properties text into entries, following `java.util.Properties.load` (see
 * {@link extractSparkDefaultsSettings}).
 * @param text the file.
 * @returns the entries in file order; never throws.
 */
export function readProperties(text: string): PropertyEntry[] {
  const entries: PropertyEntry[] = [];
  const n = text.length;
  let i = 0;
  const isEol = (k: number) => text[k] === '\n' || text[k] === '\r';
  /** Skips a line break at `k`, and then the next line's leading blanks (a continuation). */
  const skipContinuation = (k: number): number => {
    if (text[k] === '\r' && text[k + 1] === '\n') k += 2;
    else k += 1;
    while (k < n && BLANK.has(text[k])) k++;
    return k;
  };
  while (i < n) {
    // Start of a natural line: skip leading blanks.
    while (i < n && BLANK.has(text[i])) i++;
    if (i >= n) break;
    if (isEol(i)) {
      i = text[i] === '\r' && text[i + 1] === '\n' ? i + 2 : i + 1;
      continue;
    }
    if (text[i] === '#' || text[i] === '!') {
      while (i < n && !isEol(i)) i++;
      continue;
    }
    // Key.
    const keyStart = i;
    let key = '';
    let keyEnd = i;
    while (i < n && !isEol(i)) {
      const c = text[i];
      if (c === '\\') {
        if (i + 1 >= n) {
          i++;
          break;
        }
        if (isEol(i + 1)) {
          i = skipContinuation(i + 1);
          continue;
        }
        const [decoded, next] = unescape(text, i);
        key += decoded;
        i = next;
        keyEnd = i;
        continue;
      }
      if (c === '=' || c === ':' || BLANK.has(c)) break;
      key += c;
      i++;
      keyEnd = i;
    }
    // Separator: blanks, at most one '=' or ':', blanks (continuations count as blanks here too).
    const sepStart = keyEnd;
    let sawSep = false;
    while (i < n && !isEol(i)) {
      const c = text[i];
      if (BLANK.has(c)) i++;
      else if (!sawSep && (c === '=' || c === ':')) {
        sawSep = true;
        i++;
      } else if (c === '\\' && isEol(i + 1)) i = skipContinuation(i + 1);
      else break;
    }
    const separator = text.slice(sepStart, i);
    // Value: to the end of the logical line.
    const valueStart = i;
    let value = '';
    let trimmedEnd = i;
    let trimmedLength = 0;
    while (i < n && !isEol(i)) {
      const c = text[i];
      if (c === '\\') {
        if (i + 1 >= n) {
          i++;
          break;
        }
        if (isEol(i + 1)) {
          i = skipContinuation(i + 1);
          continue;
        }
        const [decoded, next] = unescape(text, i);
        value += decoded;
        i = next;
        trimmedEnd = i;
        trimmedLength = value.length;
        continue;
      }
      value += c;
      i++;
      if (c.trim() !== '') {
        trimmedEnd = i;
        trimmedLength = value.length;
      }
    }
    entries.push({
      key,
      value: value.slice(0, trimmedLength),
      valueStart,
      valueEnd: Math.max(valueStart, trimmedEnd),
      keyStart,
      keyEnd,
      separator: trimmedLength > 0 ? separator : '',
    });
  }
  return entries;
}

/** Decodes the escape at `text[at] === '\\'`; returns the character(s) and the offset after the escape. */
function unescape(text: string, at: number): [string, number] {
  const c = text[at + 1];
  switch (c) {
    case 't':
      return ['\t', at + 2];
    case 'n':
      return ['\n', at + 2];
    case 'r':
      return ['\r', at + 2];
    case 'f':
      return ['\f', at + 2];
    case 'u': {
      const hex = text.slice(at + 2, at + 6);
      if (/^[0-9a-fA-F]{4}$/.test(hex)) return [String.fromCharCode(parseInt(hex, 16)), at + 6];
      return ['u', at + 2];
    }
    default:
      return [c, at + 2];
  }
}

/** Upper-case values Spark itself accepts (log levels, storage levels, SQL policies, scheduler modes, zones). */
const SPARK_UPPER_CASE_VALUES = new Set([
  'ALL',
  'DEBUG',
  'ERROR',
  'FATAL',
  'INFO',
  'OFF',
  'TRACE',
  'WARN',
  'NONE',
  'DISK_ONLY',
  'DISK_ONLY_2',
  'DISK_ONLY_3',
  'MEMORY_ONLY',
  'MEMORY_ONLY_2',
  'MEMORY_ONLY_SER',
  'MEMORY_ONLY_SER_2',
  'MEMORY_AND_DISK',
  'MEMORY_AND_DISK_2',
  'MEMORY_AND_DISK_SER',
  'MEMORY_AND_DISK_SER_2',
  'OFF_HEAP',
  'LEGACY',
  'CORRECTED',
  'EXCEPTION',
  'ANSI',
  'STRICT',
  'STATIC',
  'DYNAMIC',
  'FAIR',
  'FIFO',
  'LAST_WIN',
  'INT96',
  'TIMESTAMP_MICROS',
  'TIMESTAMP_MILLIS',
  'TIMESTAMP_NTZ',
  'TIMESTAMP_LTZ',
  'UTC',
  'GMT',
  'SNAPPY',
  'GZIP',
  'LZ4',
  'ZSTD',
  'UNCOMPRESSED',
  'CORRELATED',
  'REPEATABLE',
  'SERIALIZABLE',
]);

/**
 * True when a configuration value is a placeholder that some tool replaces before Spark reads it, so the file
 * does not say the value: a template (`${var}`, `{{ var }}`, `<%= var %>`, `@var@`, and an upper-case `$VAR` as
 * `envsubst` replaces it, e.g. `s3a://$S3_BUCKET/logs`) anywhere in it, or the whole
 * value being an upper-case token of 6 or more characters that is not a value Spark knows (magpie's
 * `SPARKYARNEXECUTORCORES`, `NUM_EXECUTORS`). The token rule is a heuristic from real files (LLNL/magpie
 * `conf/spark/spark-defaults.conf-yarn`); `INFO`, `MEMORY_AND_DISK`, `LEGACY` and the like stay literal.
 * @param value the value as written, without quotes.
 */
export function isPlaceholderValue(value: string): boolean {
  if (/\$\{[^}]*\}|\{\{.*?\}\}|<%.*?%>|^@[\w.-]+@$|\$[A-Z][A-Z0-9_]*(?![a-z0-9_])/.test(value)) return true;
  return /^[A-Z][A-Z0-9_]{5,}$/.test(value) && !SPARK_UPPER_CASE_VALUES.has(value);
}
