import * as fs from 'fs';
import * as path from 'path';
import { extractSettings, languageIdForPath } from '../config/file-settings';
import type { RelatedFile } from '../config/precedence';
import type { FileSettings } from '../config/setting';

/** Largest file read as a related file (bytes); bigger ones are skipped. */
const MAX_FILE_BYTES = 512 * 1024;
/** Most related files read for one document. */
const MAX_FILES = 50;

/**
 * Other files that may configure the same job as the document at `docPath`: `spark-defaults*.conf` in the
 * document's folder, the workspace roots and their `conf/` folders, and the scripts (`*.sh`) and PySpark files
 * (`*.py`) beside the document and at the roots (a spark-submit there may run it, or it may be what a
 * spark-submit here runs). Folders are listed on each call; a candidate is parsed again only when it changed.
 * @param docPath absolute path of the document.
 * @param roots absolute paths of the workspace folders.
 * @param openText text of a file open in the editor (newer than the disk), or undefined.
 * @returns the related files with their settings; unreadable files are skipped (never throws).
 */
export function findRelatedFiles(docPath: string, roots: string[], openText: (file: string) => string | undefined): RelatedFile[] {
  const dirs = [...new Set([path.dirname(docPath), ...roots, ...roots.map((r) => path.join(r, 'conf'))])];
  const candidates: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      if (/^spark-defaults.*\.conf/.test(n) || n.endsWith('.sh') || n.endsWith('.py')) candidates.push(path.join(dir, n));
    }
  }
  const out: RelatedFile[] = [];
  for (const file of [...new Set(candidates)]) {
    if (file === docPath || out.length >= MAX_FILES) continue;
    const settings = settingsOf(file, openText(file));
    if (settings && settings.blocks.length > 0) out.push({ uri: file, settings });
  }
  return out;
}

/**
 * Parsed settings per file, reused while the file is unchanged: diagnostics re-run on every edit of the
 * document, and re-parsing every neighbour each time would put tree-sitter parses of whole folders on that path.
 * Keyed by path; valid while (size, mtime) on disk, or the open editor text, stay the same.
 */
const parsed = new Map<string, { stamp: string; settings: FileSettings }>();

function settingsOf(file: string, open: string | undefined): FileSettings | null {
  let stamp: string;
  let text = open;
  if (text !== undefined) {
    stamp = `open:${text.length}:${text}`;
  } else {
    try {
      const st = fs.statSync(file);
      if (st.size > MAX_FILE_BYTES) return null;
      stamp = `disk:${st.size}:${st.mtimeMs}`;
    } catch {
      return null;
    }
  }
  const hit = parsed.get(file);
  if (hit && hit.stamp === stamp) return hit.settings;
  try {
    text ??= fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const settings = extractSettings(text, languageIdForPath(file, text));
  parsed.set(file, { stamp, settings });
  return settings;
}
