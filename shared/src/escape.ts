/**
 * Escaping of outside text (app ids and names, stage names, failure reasons, file names, values read from
 * logs, files and servers) for each place it is shown. One helper per target, used everywhere that target
 * shows such text:
 *
 * - {@link escapeTerminal}: CLI output. A newline in an app name must not forge an output line, and ANSI
 *   CSI/OSC sequences (ECMA-48: ESC `[` …, ESC `]` … BEL/ST, or the 8-bit C1 forms U+009B/U+009D) must not reach
 *   the terminal.
 * - {@link escapeMarkdown} and {@link markdownCode}: hovers and other LSP `MarkupContent` (CommonMark + GFM
 *   tables, as VS Code renders it): no link, image, emphasis, table cell break or HTML from outside text.
 * - {@link escapeHtml}: the webviews' HTML text and attributes.
 * - {@link escapeMessageLinks}: VS Code notifications, whose `[label](command:…)` links run commands.
 *
 * Control characters are never dropped silently: they are shown as `\uXXXX` (`\n`, `\r`, `\t` for the usual
 * ones), the notation JSON uses, so the escaped form of a JSON document is still the same JSON document.
 */

/**
 * Characters that must not reach a terminal or a rendered text raw: C0 controls (U+0000–U+001F, ESC among
 * them), DEL and the C1 controls (U+007F–U+009F, where U+009B is CSI and U+009D OSC), the Unicode line and
 * paragraph separators (U+2028/9), and the bidirectional controls that reorder what is shown (U+061C,
 * U+200E/F, U+202A–U+202E, U+2066–U+2069; CVE-2021-42574 "Trojan Source").
 */
/* eslint-disable no-control-regex -- matching control characters is the point: they are escaped before outside text reaches a terminal or a page. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
/** {@link UNSAFE} but for line ends: `\n` and a `\r` right before it (a lone `\r` could overwrite a line). */
const UNSAFE_BUT_LINE_ENDS =
  /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|\r(?!\n)/g;
/* eslint-enable no-control-regex */

/** The visible, JSON-compatible spelling of one unsafe character. */
function visible(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Options of {@link escapeTerminal}. */
export interface TerminalEscapeOptions {
  /**
   * Keep line ends (`\n`, `\r\n`) as they are (default false). For text whose lines the program itself laid
   * out (a JSON document, a query plan, CSV); a single field of outside text never keeps its newlines.
   */
  keepNewlines?: boolean;
}

/**
 * Text safe to write to a terminal: every control character (see the module comment; ESC and CSI among them,
 * so no ANSI/OSC sequence survives) and every bidirectional control is shown as `\uXXXX` (`\n`, `\r`, `\t`).
 * Printable text, including non-ASCII letters, is unchanged. Applied to `JSON.stringify` output it gives the
 * same JSON value (raw control characters can only occur inside its strings, where `\uXXXX` means them).
 * @param text any string.
 * @returns the escaped string; equal to `text` when it holds nothing unsafe.
 */
export function escapeTerminal(text: string, options: TerminalEscapeOptions = {}): string {
  return text.replace(options.keepNewlines ? UNSAFE_BUT_LINE_ENDS : UNSAFE, visible);
}

/** ASCII punctuation: CommonMark lets a backslash escape each of these (spec 0.31, "Backslash escapes"). */
const MARKDOWN_PUNCTUATION = /[!-/:-@[-`{-~]/g;
/** Punctuation that starts or ends an inline construct wherever it stands: escaped everywhere. */
const MARKDOWN_ALWAYS = new Set(['\\', '`', '*', '&', '<', '>', '[', ']', '|', '~', '@']);
/** A letter or digit (Unicode), for "between two word characters". */
const WORD = /[\p{L}\p{N}]/u;

/**
 * Outside text as literal Markdown text (CommonMark with GFM tables, strikethrough and autolinks, as VS Code
 * renders hovers with marked): it renders as exactly its characters, forms no construct, and cannot end the
 * table cell, emphasis or list item it is put in. Rules (CommonMark 0.31 and GFM 0.29 specs):
 * - control characters (newlines among them) are shown as `\uXXXX`/`\n`, so the text never starts a new line
 *   or block;
 * - `\ \` * & < > [ ] | ~ @` are backslash-escaped everywhere (code spans, emphasis, entities, HTML and
 *   `<autolinks>`, links and images, table cells, strikethrough, e-mail autolinks);
 * - `_` unless between two letters/digits (intraword `_` opens no emphasis); `:` before `/` (`https://`
 *   autolinks); `.` right after a word `www` (`www.` autolinks);
 * - at the start of the text, what would open a block there (`#`, `-`, `+`, `=`, `1.`/`1)`), and leading and
 *   trailing spaces as `&#32;` (four would start an indented code block, two at a line end a hard break).
 * Other punctuation (`-` in `app-2026…`, `.` in `72.5 MiB`, `(`, `)`, `=`, ...) is left as it is: nothing it
 * could start is reachable once the above are escaped. The fuzz test renders escaped text with marked and
 * checks it comes back character for character.
 * @param text any string.
 * @returns Markdown source that renders as `text` (with controls shown escaped).
 */
export function escapeMarkdown(text: string): string {
  const t = text.replace(UNSAFE, visible);
  const listMarker = /^\d{1,9}[.)]/.exec(t)?.[0].length ?? 0;
  const escaped = t.replace(MARKDOWN_PUNCTUATION, (c: string, i: number) => {
    const word = (j: number) => j >= 0 && j < t.length && WORD.test(t[j]);
    let escape = MARKDOWN_ALWAYS.has(c);
    if (c === '_') escape = !(word(i - 1) && word(i + 1));
    else if (c === ':') escape = t[i + 1] === '/';
    else if (c === '.') escape = /(?:^|[^\p{L}\p{N}])www$/iu.test(t.slice(Math.max(0, i - 4), i));
    if (i === 0 && '#-+='.includes(c)) escape = true;
    if (listMarker > 0 && i === listMarker - 1) escape = true;
    return escape ? `\\${c}` : c;
  });
  // Leading and trailing white space (any Unicode space: Markdown renderers trim \s, which includes U+00A0 and
  // U+2000-U+200A) would be dropped: written as numeric character references, it is kept.
  const lead = /^\s*/u.exec(escaped)?.[0].length ?? 0;
  const trail = lead === escaped.length ? 0 : (/\s*$/u.exec(escaped)?.[0].length ?? 0);
  const entities = (ws: string) => [...ws].map((c) => `&#${c.codePointAt(0)};`).join('');
  return (
    entities(escaped.slice(0, lead)) +
    escaped.slice(lead, escaped.length - trail) +
    entities(escaped.slice(escaped.length - trail))
  );
}

/**
 * Outside text as a Markdown code span (for values and names shown in `code`): the backtick fence is longer
 * than any run of backticks inside, so the text cannot close it; nothing inside a code span is interpreted.
 * Control characters are shown as `\uXXXX`/`\n`.
 * @param text any string.
 * @returns e.g. `` `4g` ``, ``` `` a`b `` ```.
 */
export function markdownCode(text: string): string {
  const t = text.replace(UNSAFE, visible);
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // CommonMark strips one space on each side when both are there: pad when the text starts or ends with a backtick or space.
  const pad = longest > 0 || t.startsWith(' ') || t.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/**
 * Outside text for an HTML text node or a double- or single-quoted attribute: `& < > " '` as entities.
 * (Control characters are harmless in HTML text and are left as they are.)
 * @param text any string.
 */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/**
 * Outside text for a VS Code notification (`showInformationMessage` and the like). VS Code renders
 * `[label](https:…)`, `(command:…)` and `(file:…)` in a message as a link, and a `command:` link runs that
 * command with the arguments in its query; so a `](` in outside text is written `] (`, which no link syntax
 * matches. Nothing else in a message is interpreted.
 * @param text any string.
 */
export function escapeMessageLinks(text: string): string {
  return text.replace(/\]\(/g, '] (');
}
