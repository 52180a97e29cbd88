import type { Position, Range } from './setting';

/**
 * Where characters of a text that a reader parses are in the document: a {@link LineIndex} when the reader parses
 * the document itself, or an adapter when it parses text taken out of the document (the content of a shell word after
 * quote removal, a string's content) whose characters keep their document offsets.
 */
export interface TextMap {
  /** LSP range in the document of the parsed text's `[start, end)`. */
  range(start: number, end: number): Range;
  /** LSP position in the document of the parsed text's `offset`. */
  position(offset: number): Position;
}

/**
 * Maps offsets of a text to LSP positions, and answers the layout questions insertion templates need
 * (indentation, line ending, "is this the first thing on its line").
 *
 * Offsets are UTF-16 code unit indices into the JavaScript string, which is also what node tree-sitter's
 * `startIndex`/`endIndex` are when it parses a JS string (it reads the string as UTF-16). Positions are
 * computed here from those offsets rather than taken from tree-sitter's `startPosition`, because LSP
 * also ends a line at a lone `\r` (LSP spec, "Text Documents": EOL is `\n`, `\r\n` or `\r`) and
 * tree-sitter does not.
 */
export class LineIndex implements TextMap {
  /** Offset (UTF-16 units) at which each line starts; `lineStarts[0]` is 0. */
  private readonly lineStarts: number[] = [0];

  /** @param text the whole document. */
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.lineStarts.push(i + 1);
      } else if (c === 10 /* \n */) {
        this.lineStarts.push(i + 1);
      }
    }
  }

  /**
   * LSP position (0-based line, UTF-16 character) of a UTF-16 offset; clamped to the text. An offset between the
   * `\r` and the `\n` of a CRLF (a parser's token may end there: tree-sitter-bash reads a `\r` as part of a word)
   * is the end of that line, since LSP has no position inside a line break.
   */
  position(offset: number): Position {
    let o = Math.max(0, Math.min(offset, this.text.length));
    if (o > 0 && this.text.charCodeAt(o - 1) === 13 && this.text.charCodeAt(o) === 10) o--;
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.lineStarts[lo] };
  }

  /** LSP range of the UTF-16 offsets `[start, end)`. */
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  /** Offset of the start of the line that holds `offset`. */
  lineStartOf(offset: number): number {
    return this.lineStarts[this.position(offset).line];
  }

  /** The spaces and tabs at the start of the line that holds `offset`. */
  indentationOf(offset: number): string {
    const start = this.lineStartOf(offset);
    let end = start;
    while (end < this.text.length && (this.text[end] === ' ' || this.text[end] === '\t')) end++;
    return this.text.slice(start, end);
  }

  /** True when only spaces and tabs stand between the start of its line and `offset`. */
  isFirstOnLine(offset: number): boolean {
    return /^[ \t]*$/.test(this.text.slice(this.lineStartOf(offset), offset));
  }

  /** The line ending the file uses (that of its first line break), `\n` when it has none. */
  eol(): string {
    const m = /\r\n|\n|\r/.exec(this.text);
    return m ? m[0] : '\n';
  }
}
