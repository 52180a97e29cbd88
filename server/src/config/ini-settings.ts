import type { FileSettings, SettingsBlock, SparkSetting } from './setting';
import { LineIndex } from './source-text';
import { extractSparkDefaultsSettings, isPlaceholderValue } from './spark-defaults-settings';

/**
 * Reads Spark settings from an INI-style file with `[SECTION]` headers, the way Python's `configparser` reads it
 * for a job that copies a section into its SparkConf (`for k, v in config.items("SPARK_APP_CONFIGS"):
 * spark_conf.set(k, v)`). Rules of `configparser.ConfigParser` with its defaults (Python docs, "configparser —
 * Supported INI File Structure"):
 *
 * - a section starts at a `[name]` line; `key = value` and `key: value` lines (the first `=` or `:` separates)
 *   belong to the section above; key and value are stripped of surrounding whitespace;
 * - lines whose first non-blank character is `#` or `;` are comments; a `#` later on the line is part of the value
 *   (no inline comments by default);
 * - a line indented deeper than its entry's key continues the value (joined with a newline).
 *
 * Every entry whose key starts with `spark.` is a setting, recorded with its key as written. (`configparser` lower-cases
 * keys unless the code sets `optionxform`: a key with capitals, e.g. `spark.executor.memoryOverhead`, then reaches
 * Spark in lower case, which Spark does not know. The file alone cannot tell which the code does.)
 *
 * One `spark-conf` block (format `ini-section`) per section with settings: a file usually holds one section per
 * environment (`[LOCAL]`, `[QA]`, `[PROD]`), each a configuration of its own. Settings have origin `spark-conf` (the
 * section is set on a SparkConf or a session builder in code). The insertion appends `key = value` (in the section's
 * separator style) after the section's last entry.
 *
 * A file without any section header is not INI: it is a Java properties file (`spark.conf` given to
 * `--properties-file`), read by {@link extractSparkDefaultsSettings}; it gives a block only when it sets a `spark.*`
 * key.
 *
 * @param text the file.
 * @param languageId the document's language id (`ini`, `properties`), returned as given.
 * @returns blocks in source order, positions 0-based in UTF-16 code units; never throws.
 */
export function extractIniSettings(text: string, languageId: string): FileSettings {
  const blocks: SettingsBlock[] = [];
  try {
    if (!/^[ \t]*\[[^\]\r\n]+\][ \t]*$/m.test(text)) {
      const properties = extractSparkDefaultsSettings(text).blocks.filter((b) => b.settings.length > 0);
      return { languageId, blocks: properties };
    }
    readSections(text, blocks);
  } catch {
    // Keep what was read.
  }
  return { languageId, blocks };
}

/** One `key = value` entry being read. */
interface Entry {
  key: string;
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
  /** The value's lines (continuations appended). */
  parts: string[];
  indent: number;
  separator: string;
  lineEnd: number;
}

function readSections(text: string, blocks: SettingsBlock[]): void {
  const lines = new LineIndex(text);
  let section: { block: SettingsBlock; separator?: string; lastLineEnd: number } | undefined;
  let entry: Entry | undefined;
  const finishEntry = () => {
    if (!entry || !section || !entry.key.startsWith('spark.')) {
      entry = undefined;
      return;
    }
    const value = entry.parts.join('\n').trim();
    const placeholder = isPlaceholderValue(value);
    const setting: SparkSetting = {
      key: entry.key,
      sourceKey: entry.key,
      value: placeholder ? null : value,
      raw: text.slice(entry.valueStart, entry.valueEnd),
      literal: !placeholder,
      range: lines.range(entry.valueStart, entry.valueEnd),
      keyRange: lines.range(entry.keyStart, entry.keyEnd),
      origin: 'spark-conf',
    };
    section.block.settings.push(setting);
    section.separator ??= entry.separator;
    section.lastLineEnd = entry.lineEnd;
    entry = undefined;
  };
  const finishSection = () => {
    finishEntry();
    if (!section || section.block.settings.length === 0) return;
    const eol = lines.eol();
    const sep = section.separator ?? ' = ';
    // After the last entry's line; when that line is the file's last and has no line break, on a new line.
    const atEnd = !/[\r\n]$/.test(text.slice(0, section.lastLineEnd));
    section.block.insertion = {
      position: lines.position(section.lastLineEnd),
      template: atEnd ? `${eol}{key}${sep}{value}` : `{key}${sep}{value}${eol}`,
    };
    blocks.push(section.block);
  };
  const re = /[^\r\n]*(\r\n|\n|\r|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && m[0].length > 0) {
    const start = m.index;
    const content = m[0].slice(0, m[0].length - m[1].length);
    const next = start + m[0].length;
    const stripped = content.trim();
    const indent = content.length - content.trimStart().length;
    if (stripped === '' || stripped.startsWith('#') || stripped.startsWith(';')) {
      // Blank lines may sit inside a continued value; comments end nothing.
      if (stripped !== '' && entry && indent > entry.indent) continue;
      continue;
    }
    if (entry && indent > entry.indent) {
      // A continuation line of the entry's value (which starts here when the key's line had none).
      if (entry.parts.length === 1 && entry.parts[0] === '') entry.valueStart = start + indent;
      entry.parts.push(stripped);
      entry.valueEnd = start + content.trimEnd().length;
      entry.lineEnd = next;
      continue;
    }
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(content);
    if (header) {
      finishSection();
      section = {
        block: {
          kind: 'spark-conf',
          format: 'ini-section',
          range: lines.range(start, start + content.length),
          settings: [],
        },
        lastLineEnd: next,
      };
      continue;
    }
    finishEntry();
    if (section) {
      section.block.range = { start: section.block.range.start, end: lines.position(start + content.length) };
      section.lastLineEnd = next;
    }
    const sep = /[=:]/.exec(content);
    if (!sep) continue;
    const rawKey = content.slice(0, sep.index);
    const key = rawKey.trim();
    const keyStart = start + rawKey.indexOf(key);
    const after = content.slice(sep.index + 1);
    const valueText = after.trim();
    const valueStart = valueText ? start + sep.index + 1 + after.indexOf(valueText) : start + content.length;
    const separatorStart = start + rawKey.trimEnd().length;
    entry = {
      key,
      keyStart,
      keyEnd: keyStart + key.length,
      valueStart,
      valueEnd: valueStart + valueText.length,
      parts: [valueText],
      indent,
      separator: text.slice(separatorStart, valueText ? valueStart : start + sep.index + 1),
      lineEnd: next,
    };
  }
  finishSection();
}
