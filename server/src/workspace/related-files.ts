import * as fs from 'fs';
import * as path from 'path';
import { extractSettings, languageIdForPath } from '../config/file-settings';
import type { RelatedFile } from '../config/precedence';

/** Largest file read as a related file (bytes); bigger ones are skipped. */
const MAX_FILE_BYTES = 512 * 1024;
/** Most related files read for one document. */
const MAX_FILES = 50;

/**
 * Other files that may configure the same job as the document at `docPath`: `spark-defaults*.conf` in the
 * document's folder, the workspace roots and their `conf/` folders, and the scripts (`*.sh`) and PySpark files
 * (`*.py`) beside the document and at the roots (a spark-submit there may run it, or it may be what a
 * spark-submit here runs). Only file names are listed; each candidate is read and parsed once per call.
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
    let text = openText(file);
    if (text === undefined) {
      try {
        if (fs.statSync(file).size > MAX_FILE_BYTES) continue;
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue;
      }
    }
    const settings = extractSettings(text, languageIdForPath(file, text));
    if (settings.blocks.length > 0) out.push({ uri: file, settings });
  }
  return out;
}
