import type { FileSettings, SettingsBlock } from './setting';
import { extractAirflowSettings } from './airflow-settings';
import { extractDatabricksEmrSettings } from './databricks-emr-settings';
import { extractIniSettings } from './ini-settings';
import { extractK8sSettings } from './k8s-settings';
import { extractPythonSettings } from './python-settings';
import { pythonParser } from './python-syntax';
import { extractShellSettings } from './shell-settings';
import { extractSparkDefaultsSettings } from './spark-defaults-settings';
import type { FileKind } from '../../../shared/src/languages';

/**
 * Reads the Spark settings of one document, by LSP language id.
 * @param text the document text.
 * @param languageId `python` (PySpark: builder, SparkConf, runtime conf, spark-submit argv lists; and Airflow
 *   DAGs: SparkSubmitOperator, EMR / EMR Serverless / Dataproc payloads, PySpark scripts in string literals),
 *   `shellscript` (spark-submit / pyspark commands, REST submissions), `spark-defaults` (spark-defaults.conf),
 *   `yaml` (Kubernetes Spark operator manifests), `json` / `jsonc` (Databricks cluster and job specs, EMR
 *   configurations, steps and EMR Serverless job runs), `ini` / `properties` (INI sections read by Python's
 *   configparser, or a Java properties file of `spark.*` keys); any other id gives no blocks.
 * @returns the file's settings blocks in source order, positions 0-based in UTF-16 code units; never throws.
 */
export function extractSettings(text: string, languageId: string): FileSettings {
  try {
    if (languageId === 'python') return mergePython(text);
    if (languageId === 'shellscript') return extractShellSettings(text);
    if (languageId === 'spark-defaults') return extractSparkDefaultsSettings(text);
    if (languageId === 'yaml') return extractK8sSettings(text);
    if (languageId === 'json' || languageId === 'jsonc') return { ...extractDatabricksEmrSettings(text), languageId };
    if (languageId === 'ini' || languageId === 'properties') return extractIniSettings(text, languageId);
  } catch {
    // Every reader already degrades on broken input; this is the last guard of the promise above.
  }
  return { languageId, blocks: [] };
}

/**
 * A Python file read by both Python readers over one parse: the PySpark reader (sessions, SparkConf, dicts of settings,
 * argv lists) and the Airflow reader (operators and job payloads). A setting both read (a `conf={...}` dict of a
 * SparkSubmitOperator, an EMR `properties` dict) is kept once, as the Airflow reader names it.
 */
function mergePython(text: string): FileSettings {
  const tree = /Spark|conf|spark/.test(text) ? pythonParser().parse(text) : undefined;
  const py = extractPythonSettings(text, tree);
  const airflow = extractAirflowSettings(text, tree);
  if (airflow.blocks.length === 0) return py;
  const taken = new Set<string>();
  for (const b of airflow.blocks)
    for (const s of b.settings) taken.add(`${s.key}@${s.range.start.line}:${s.range.start.character}`);
  const kept: SettingsBlock[] = [];
  for (const b of py.blocks) {
    const settings = b.settings.filter((s) => !taken.has(`${s.key}@${s.range.start.line}:${s.range.start.character}`));
    if (settings.length === b.settings.length) kept.push(b);
    else if (settings.length > 0) kept.push({ ...b, settings });
  }
  const blocks = [...kept, ...airflow.blocks].sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
  return { languageId: 'python', blocks };
}

/** First line of a bash/sh script: `#!/bin/bash`, `#!/usr/bin/env bash`, `#!/bin/sh -e`, `#!/usr/bin/env -S bash -x`, zsh/ksh/dash too. */
const SHELL_SHEBANG = /^#!\s*\S*?(?:\/env(?:\s+-\S+)*\s+)?(?:\S*\/)?(?:ba|z|k|da)?sh(?:\s|$)/;

/** First line of a Python script: `#!/usr/bin/env python3`, `#!/usr/bin/python3.11`. */
const PYTHON_SHEBANG = /^#!.*\bpython[0-9.]*(?:\s|$)/;

/**
 * `spark-defaults.conf`, `spark-defaults-prod.conf`, Spark's own `spark-defaults.conf.template`, magpie's
 * `spark-defaults.conf-yarn`. The VS Code client contributes the `spark-defaults` language for the same names
 * (package.json `contributes.languages`; test/lsp-file-kind.test.ts checks the two agree).
 */
export const SPARK_DEFAULTS_NAME = /^spark-defaults[^/\\]*\.conf(?:[.-][\w.-]*)?$/;

/**
 * The kinds of file whose Spark settings the product reads: one reader each in `extractSettings`. The names are
 * the VS Code language ids of those files (shared/src/languages.ts, the list the client's document selector uses).
 */
export type { FileKind };

/**
 * Language ids that name a kind, as editors send them in `textDocument/didOpen` (lower-cased, with Emacs' `-ts`
 * suffix removed). Sources: VS Code's own ids; Neovim sends the buffer's 'filetype' (`sh`, `bash`, `zsh`, `python`,
 * `yaml`, `json`, `jsonc`: runtime/filetype.vim, `vim.lsp` default `get_language_id`); Helix the `name` of its
 * languages.toml entry (`bash`, `python`, `yaml`, `json`, `jsonc`: no `language-id` set for these); Zed the
 * lower-cased language name (`LanguageName::lsp_id`: `shell script`, `python`, `yaml`, `json`, `jsonc`); Emacs eglot
 * the major mode without `-ts-mode`/`-mode` (`sh`, `bash`, `python`, `yaml`, `json`, `js-json`), lsp-mode
 * `shellscript`/`python`/`yaml`/`json` (`lsp-language-id-configuration`).
 */
const KIND_BY_LANGUAGE_ID: Record<string, FileKind> = {
  python: 'python',
  python3: 'python',
  shellscript: 'shellscript',
  'shell script': 'shellscript',
  shell: 'shellscript',
  sh: 'shellscript',
  bash: 'shellscript',
  zsh: 'shellscript',
  ksh: 'shellscript',
  dash: 'shellscript',
  'spark-defaults': 'spark-defaults',
  yaml: 'yaml',
  yml: 'yaml',
  json: 'json',
  'js-json': 'json',
  jsonc: 'jsonc',
};

/** How many characters of a document `fileKind` looks at (shebang, first settings lines). */
export const FILE_KIND_HEAD_CHARS = 4096;

/**
 * The product's kind of a document, decided the same way whatever the editor: by language id when it names a
 * kind (any editor's spelling, see KIND_BY_LANGUAGE_ID), else by file name, else by content. A generic id (Neovim
 * and Emacs `conf`/`conf-space`, `properties`, `ini`, `plaintext`, `text`, empty) never hides what the name or the
 * content says, so Neovim's `conf` for `spark-defaults.conf` and a shebang script without extension are read as
 * VS Code reads them.
 * - name: `.py`/`.pyw` → python; `.sh`/`.bash`/`.zsh`/`.ksh` → shellscript; `spark-defaults*.conf*` (SPARK_DEFAULTS_NAME)
 *   → spark-defaults; `.yaml`/`.yml` → yaml; `.json` → json; `.jsonc` → jsonc; `.ini` → ini;
 * - content: a bash/sh/zsh shebang → shellscript, a python shebang → python; a `.conf`/`.cfg`/`.properties` file whose
 *   first line that is not blank or a comment is `spark.<key> <value>` (`=`/`:` also) → spark-defaults, any other
 *   such file → properties (INI sections or `spark.*` properties, read by ini-settings.ts);
 * - else the generic ids `ini` and `properties` themselves (an INI file under another name).
 * @param uri document URI or file path (only the file name is looked at).
 * @param languageId the id the editor sent, or undefined (the CLI, files on disk).
 * @param head the document's first characters (FILE_KIND_HEAD_CHARS are enough; more are ignored).
 * @returns the kind, or null when the document is none of them (it is then not analysed).
 */
export function fileKind(uri: string, languageId: string | undefined, head = ''): FileKind | null {
  const id = (languageId ?? '').toLowerCase().replace(/-ts$/, '');
  const byId = Object.prototype.hasOwnProperty.call(KIND_BY_LANGUAGE_ID, id) ? KIND_BY_LANGUAGE_ID[id] : undefined;
  if (byId) return byId;
  const name = fileNameOf(uri).toLowerCase();
  if (/\.pyw?$/.test(name)) return 'python';
  if (/\.(?:sh|bash|zsh|ksh)$/.test(name)) return 'shellscript';
  if (SPARK_DEFAULTS_NAME.test(name)) return 'spark-defaults';
  if (/\.ya?ml$/.test(name)) return 'yaml';
  if (/\.json$/.test(name)) return 'json';
  if (/\.jsonc$/.test(name)) return 'jsonc';
  if (/\.ini$/.test(name)) return 'ini';
  const text = head.length > FILE_KIND_HEAD_CHARS ? head.slice(0, FILE_KIND_HEAD_CHARS) : head;
  const firstLine = text.split(/\r\n|\n|\r/, 1)[0];
  if (SHELL_SHEBANG.test(firstLine)) return 'shellscript';
  if (PYTHON_SHEBANG.test(firstLine)) return 'python';
  if (/\.(?:conf|cfg|properties)$/.test(name)) {
    const first = text.split(/\r\n|\n|\r/).find((l) => l.trim().length > 0 && !/^\s*[#!;]/.test(l));
    if (first !== undefined && /^\s*spark\.[\w.-]+(?:\s*[=:]\s*|\s+)\S/.test(first)) return 'spark-defaults';
    return 'properties';
  }
  if (id === 'ini' || id === 'properties') return id;
  return null;
}

/** The last path segment of a URI or a file path (`/` or `\\` separated), percent-decoded when it is a URI. */
function fileNameOf(uri: string): string {
  let name = uri.slice(Math.max(uri.lastIndexOf('/'), uri.lastIndexOf('\\')) + 1);
  if (/^[a-z][\w+.-]*:/i.test(uri)) {
    name = name.replace(/[?#].*$/, '');
    try {
      name = decodeURIComponent(name);
    } catch {
      // keep the raw segment
    }
  }
  return name;
}

/**
 * The kind of a file on disk, as an LSP language id (`fileKind` with no editor id), or `plaintext` when it is
 * none of the kinds. For the CLI and the workspace's related files.
 * @param path file path (only its name is looked at).
 * @param text the file's text, when known, for the content tests.
 */
export function languageIdForPath(path: string, text?: string): string {
  return fileKind(path, undefined, text ?? '') ?? 'plaintext';
}
