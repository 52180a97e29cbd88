import type { FileSettings } from './setting';
import { extractPythonSettings } from './python-settings';
import { extractShellSettings } from './shell-settings';

/**
 * Reads the Spark settings of one document, by LSP language id.
 * @param text the document text.
 * @param languageId `python` (PySpark: builder, SparkConf, runtime conf, spark-submit argv lists) or
 *   `shellscript` (spark-submit / pyspark commands, REST submissions); any other id gives no blocks.
 * @returns the file's settings blocks, positions 0-based in UTF-16 code units; never throws.
 */
export function extractSettings(text: string, languageId: string): FileSettings {
  if (languageId === 'python') return extractPythonSettings(text);
  if (languageId === 'shellscript') return extractShellSettings(text);
  return { languageId, blocks: [] };
}

/** First line of a bash/sh script: `#!/bin/bash`, `#!/usr/bin/env bash`, `#!/bin/sh -e`, `#!/usr/bin/env -S bash -x`, zsh/ksh/dash too. */
const SHELL_SHEBANG = /^#!\s*\S*?(?:\/env(?:\s+-\S+)*\s+)?(?:\S*\/)?(?:ba|z|k|da)?sh(?:\s|$)/;

/**
 * The LSP language id for a file: `.py`/`.pyw` → `python`; `.sh`/`.bash` → `shellscript`; otherwise a
 * first line that is a bash/sh shebang → `shellscript`, a python shebang → `python`; else `plaintext`.
 * @param path file path or URI path (only its name is looked at).
 * @param text the file's text, when known, for the shebang test.
 */
export function languageIdForPath(path: string, text?: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();
  if (/\.pyw?$/.test(name)) return 'python';
  if (/\.(sh|bash)$/.test(name)) return 'shellscript';
  const firstLine = text?.split(/\r\n|\n|\r/, 1)[0] ?? '';
  if (SHELL_SHEBANG.test(firstLine)) return 'shellscript';
  if (/^#!.*\bpython[0-9.]*(\s|$)/.test(firstLine)) return 'python';
  return 'plaintext';
}
