/**
 * Text helpers for the settings tests. Positions are computed here independently of the server's
 * LineIndex: split on LSP line breaks (`\r\n`, `\n`, `\r`) and count UTF-16 code units (JavaScript
 * string indices).
 */
import * as assert from 'assert';
import type { FileSettings, Position, Range, SettingsBlock, SparkSetting } from '../../server/src/config/setting';

/** Offset in `text` of an LSP position. */
export function offsetAt(text: string, p: Position): number {
  const re = /\r\n|\n|\r/g;
  let start = 0;
  for (let line = 0; line < p.line; line++) {
    const m = re.exec(text);
    if (!m) throw new Error(`no line ${p.line}`);
    start = m.index + m[0].length;
  }
  return start + p.character;
}

/** The text a range covers. */
export function textAt(text: string, r: Range): string {
  return text.slice(offsetAt(text, r.start), offsetAt(text, r.end));
}

/** `text` with `r` replaced by `newText`. */
export function replaceAt(text: string, r: Range, newText: string): string {
  return text.slice(0, offsetAt(text, r.start)) + newText + text.slice(offsetAt(text, r.end));
}

/** Applies a block's insertion template for `key`/`value` (what the quick fix does). */
export function insert(text: string, block: SettingsBlock, key: string, value: string): string {
  assert.ok(block.insertion, 'block has an insertion point');
  const at = offsetAt(text, block.insertion.position);
  return (
    text.slice(0, at) + block.insertion.template.split('{key}').join(key).split('{value}').join(value) + text.slice(at)
  );
}

/**
 * Helpers bound to one extractor: all settings, the single setting of a key, and `text` with that setting's
 * key rewritten through its `keyRange` (asserting the range covers exactly the key).
 */
export function settingsOf(extract: (text: string) => FileSettings) {
  const settings = (text: string): SparkSetting[] => extract(text).blocks.flatMap((b) => b.settings);
  const only = (text: string, key: string): SparkSetting => {
    const found = settings(text).filter((s) => s.key === key);
    assert.strictEqual(found.length, 1, `one ${key} in ${JSON.stringify(found)}`);
    return found[0];
  };
  const rename = (text: string, key: string, newKey: string): string => {
    const s = only(text, key);
    assert.ok(s.keyRange, `${key} has a keyRange`);
    assert.strictEqual(textAt(text, s.keyRange), key);
    return replaceAt(text, s.keyRange, newKey);
  };
  return { settings, only, rename };
}
