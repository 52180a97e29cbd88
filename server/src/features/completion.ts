import { CompletionItem, CompletionItemKind, InsertTextFormat, MarkupKind } from 'vscode-languageserver';
import { allKeys, CatalogueEntry, deprecation, lookupKey, NEWEST_VERSION_LINE } from '../config/catalogue';
import type { Position } from '../config/setting';

/** Where in a line the cursor is, as far as Spark settings go. */
type CompletionContext =
  | { kind: 'key'; partial: string; /** text after the key, e.g. `=` for `--conf k=v`, `: ` in YAML */ suffix: string }
  | { kind: 'value'; key: string; partial: string };

/**
 * Recognises the places a Spark key or value is typed, from the text of the line before the cursor:
 * PySpark `.config("`, `.set("`, `.setIfMissing("`, `spark.conf.set("` (keys) and their second string
 * argument (values); spark-submit `--conf ` (keys) and `--conf key=` (values); a `spark-defaults.conf` line;
 * a YAML line under `sparkConf:`; a JSON string starting with `spark.`; a `key = value` line of an INI / properties file.
 * @param languageId LSP language id of the document.
 * @param linePrefix the line's text up to the cursor.
 * @param previousLines the lines above (nearest last), for YAML's `sparkConf:` parent.
 */
export function completionContext(
  languageId: string,
  linePrefix: string,
  previousLines: string[] = [],
): CompletionContext | null {
  let m: RegExpExecArray | null;
  switch (languageId) {
    case 'python':
      if (
        (m =
          /\.(?:config|set|setIfMissing)\(\s*(?:key\s*=\s*)?["']([\w.-]+)["']\s*,\s*(?:value\s*=\s*)?["']([^"']*)$/.exec(
            linePrefix,
          ))
      )
        return { kind: 'value', key: m[1], partial: m[2] };
      if ((m = /\.(?:config|set|setIfMissing)\(\s*(?:key\s*=\s*)?["']([\w.-]*)$/.exec(linePrefix)))
        return { kind: 'key', partial: m[1], suffix: '' };
      // SparkSubmitOperator(conf={"spark.x": ...}) and other dicts of settings.
      if ((m = /[{,]\s*["'](spark\.[\w.-]*)$/.exec(linePrefix))) return { kind: 'key', partial: m[1], suffix: '' };
      return null;
    case 'shellscript':
      if ((m = /(?:--conf|-c)(?:\s+|=)["']?([\w.-]+)=([^\s"']*)$/.exec(linePrefix)))
        return { kind: 'value', key: m[1], partial: m[2] };
      if ((m = /(?:--conf|-c)(?:\s+|=)["']?([\w.-]*)$/.exec(linePrefix)))
        return { kind: 'key', partial: m[1], suffix: '=' };
      return null;
    case 'ini':
    case 'properties':
      // `key = value` lines of an INI section (configparser) or a Java properties file.
      if (/^\s*[#;![]/.test(linePrefix)) return null;
      if ((m = /^\s*([\w.-]+)\s*[=:]\s*(\S*)$/.exec(linePrefix))) return { kind: 'value', key: m[1], partial: m[2] };
      if ((m = /^\s*([\w.-]*)$/.exec(linePrefix))) return { kind: 'key', partial: m[1], suffix: ' = ' };
      return null;
    case 'spark-defaults':
      if (/^\s*[#!]/.test(linePrefix)) return null;
      if ((m = /^\s*([\w.-]+)(?:\s*[=:]\s*|\s+)(\S*)$/.exec(linePrefix)))
        return { kind: 'value', key: m[1], partial: m[2] };
      if ((m = /^\s*([\w.-]*)$/.exec(linePrefix))) return { kind: 'key', partial: m[1], suffix: ' ' };
      return null;
    case 'yaml': {
      const indent = /^(\s*)/.exec(linePrefix)![1].length;
      const parent = previousLines
        .slice()
        .reverse()
        .find((l) => l.trim().length > 0 && /^(\s*)/.exec(l)![1].length < indent);
      if (!parent || !/^\s*sparkConf:\s*$/.test(parent)) return null;
      if ((m = /^\s*["']?([\w.-]+)["']?\s*:\s*["']?([^"']*)$/.exec(linePrefix)))
        return { kind: 'value', key: m[1], partial: m[2] };
      if ((m = /^\s*["']?([\w.-]*)$/.exec(linePrefix))) return { kind: 'key', partial: m[1], suffix: ': ' };
      return null;
    }
    case 'json':
    case 'jsonc':
      if ((m = /"(spark\.[\w.-]+)"\s*:\s*"([^"]*)$/.exec(linePrefix)))
        return { kind: 'value', key: m[1], partial: m[2] };
      if ((m = /"(spark\.[\w.-]*)$/.exec(linePrefix))) return { kind: 'key', partial: m[1], suffix: '' };
      return null;
    default:
      return null;
  }
}

/**
 * Completion items for a position: Spark keys from the configuration catalogue (with type, default and
 * description; deprecated keys are not offered), or the allowed values of an enumerated key (and
 * `true`/`false` for booleans, suggested values for free-form keys).
 * @param linePrefix the line up to the cursor; `pos` is the cursor.
 */
export function onCompletion(
  languageId: string,
  linePrefix: string,
  pos: Position,
  previousLines: string[] = [],
): CompletionItem[] {
  const ctx = completionContext(languageId, linePrefix, previousLines);
  if (!ctx) return [];
  const range = { start: { line: pos.line, character: pos.character - ctx.partial.length }, end: pos };
  if (ctx.kind === 'key') {
    return allKeys()
      .filter((k) => !deprecation(k))
      .map((k) => {
        const e = lookupKey(k)!;
        return {
          label: k,
          kind: CompletionItemKind.Property,
          detail: detail(e),
          documentation: { kind: MarkupKind.Markdown, value: entryMarkdown(e) },
          textEdit: { range, newText: k + ctx.suffix },
          insertTextFormat: InsertTextFormat.PlainText,
          filterText: k,
        };
      });
  }
  const e = lookupKey(ctx.key);
  if (!e) return [];
  const values = e.allowedValues ?? (e.type === 'boolean' ? ['true', 'false'] : (e.suggestedValues ?? []));
  const dflt = e.defaults[NEWEST_VERSION_LINE];
  return values.map((v) => ({
    label: v,
    kind: CompletionItemKind.EnumMember,
    detail: v === dflt ? `default (Spark ${NEWEST_VERSION_LINE})` : undefined,
    textEdit: { range, newText: v },
  }));
}

/** `size (MiB) · default 1g` for a completion's detail line. */
function detail(e: CatalogueEntry): string {
  const d = e.defaults[NEWEST_VERSION_LINE];
  return `${e.type}${e.unit ? ` (bare number: ${e.unit})` : ''} · default ${d === null || d === undefined ? 'none' : d}`;
}

/**
 * The catalogue entry as Markdown for hovers and completion documentation: description, type and unit,
 * default per Spark line, allowed values, deprecation, and the link to Spark's documentation.
 */
export function entryMarkdown(e: CatalogueEntry): string {
  const lines = [
    e.description,
    '',
    `Type: ${e.type}${e.unit ? `, a bare number is in ${e.unit}` : ''} · since Spark ${e.since}`,
  ];
  const defaults = Object.entries(e.defaults).map(([line, d]) => `${line}: \`${d ?? 'none'}\``);
  if (defaults.length > 0)
    lines.push('', `Default: ${defaults.join(', ')}${e.defaultNote ? ` (${e.defaultNote})` : ''}`);
  if (e.allowedValues) lines.push('', `Values: ${e.allowedValues.map((v) => `\`${v}\``).join(', ')}`);
  lines.push('', `[Spark documentation](${e.docUrl}) · declared in \`${e.source}\``);
  return lines.join('\n');
}
