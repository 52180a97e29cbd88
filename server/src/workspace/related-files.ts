import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { extractSettings, languageIdForPath } from '../config/file-settings';
import type { RelatedFile } from '../config/precedence';
import type { FileSettings } from '../config/setting';

/**
 * The local path of a `file:` URI, or null for another scheme or a file URI with no local path on this system (a
 * host other than localhost on POSIX, an encoded `/` in the path: Node's `fileURLToPath` throws on those). Never throws.
 */
export function filePathOf(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

/** Largest file read as a related file (bytes on disk, UTF-16 units of an open document); bigger ones are skipped. */
export const MAX_RELATED_FILE_BYTES = 512 * 1024;
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
export function findRelatedFiles(
  docPath: string,
  roots: string[],
  openText: (file: string) => string | undefined,
): RelatedFile[] {
  const candidates: string[] = [];
  for (const dir of relatedFolders(docPath, roots)) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) if (isRelatedFileName(n)) candidates.push(path.join(dir, n));
  }
  const out: RelatedFile[] = [];
  for (const file of [...new Set(candidates)]) {
    if (file === docPath || out.length >= MAX_FILES) continue;
    const settings = settingsOf(file, openText(file));
    if (settings && settings.blocks.length > 0) out.push({ uri: file, settings });
  }
  return out;
}

/** The folders whose files may configure the job of the document at `docPath` (see `findRelatedFiles`). */
function relatedFolders(docPath: string, roots: string[]): string[] {
  return [...new Set([path.dirname(docPath), ...roots, ...roots.map((r) => path.join(r, 'conf'))])];
}

/** Whether a file name is one `findRelatedFiles` reads: `spark-defaults*.conf*`, `*.sh`, `*.py`. */
function isRelatedFileName(name: string): boolean {
  return /^spark-defaults.*\.conf/.test(name) || name.endsWith('.sh') || name.endsWith('.py');
}

/**
 * The texts of the open documents `findRelatedFiles` may read for the document at `docPath` (in its related
 * folders, with a related name, at most MAX_RELATED_FILE_BYTES long), keyed by path: what an analysis in another
 * thread needs to see the editor's unsaved text instead of the disk's.
 * @param open the open documents as (absolute path, text) pairs.
 */
export function relatedOpenTexts(
  docPath: string,
  roots: string[],
  open: Iterable<{ path: string; text: () => string }>,
): Record<string, string> {
  const folders = new Set(relatedFolders(docPath, roots));
  const out: Record<string, string> = {};
  for (const d of open) {
    if (d.path === docPath || !folders.has(path.dirname(d.path)) || !isRelatedFileName(path.basename(d.path))) continue;
    const text = d.text();
    if (text.length <= MAX_RELATED_FILE_BYTES) out[d.path] = text;
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
    if (text.length > MAX_RELATED_FILE_BYTES) return null;
    stamp = `open:${text.length}:${text}`;
  } else {
    try {
      const st = fs.statSync(file);
      if (st.size > MAX_RELATED_FILE_BYTES) return null;
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
