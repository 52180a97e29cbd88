import type { FileSettings, SettingsBlock } from './setting';
import { extractAirflowSettings } from './airflow-settings';
import { extractDatabricksEmrSettings } from './databricks-emr-settings';
import { extractIniSettings } from './ini-settings';
import { extractK8sSettings } from './k8s-settings';
import { extractPythonSettings } from './python-settings';
import { pythonParser } from './python-syntax';
import { extractShellSettings } from './shell-settings';
import { extractSparkDefaultsSettings } from './spark-defaults-settings';

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
  for (const b of airflow.blocks) for (const s of b.settings) taken.add(`${s.key}@${s.range.start.line}:${s.range.start.character}`);
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

/** `spark-defaults.conf`, `spark-defaults-prod.conf`, Spark's own `spark-defaults.conf.template`, magpie's `spark-defaults.conf-yarn`. */
const SPARK_DEFAULTS_NAME = /^spark-defaults[^/\\]*\.conf(?:[.-][\w.-]*)?$/;

/**
 * The LSP language id for a file: `.py`/`.pyw` → `python`; `.sh`/`.bash` → `shellscript`;
 * `spark-defaults*.conf` (also with a `.template` / `-yarn` style suffix) → `spark-defaults`; `.yaml`/`.yml` →
 * `yaml`; `.json` → `json`; `.ini` → `ini`, other `.conf`/`.cfg`/`.properties` → `properties` (VS Code's own ids
 * for them); otherwise a first line that is a bash/sh shebang → `shellscript`, a python shebang →
 * `python`; else `plaintext`.
 * @param path file path or URI path (only its name is looked at).
 * @param text the file's text, when known, for the shebang test.
 */
export function languageIdForPath(path: string, text?: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();
  if (/\.pyw?$/.test(name)) return 'python';
  if (/\.(sh|bash)$/.test(name)) return 'shellscript';
  if (SPARK_DEFAULTS_NAME.test(name)) return 'spark-defaults';
  if (/\.ya?ml$/.test(name)) return 'yaml';
  if (/\.json$/.test(name)) return 'json';
  if (/\.ini$/.test(name)) return 'ini';
  if (/\.(conf|cfg|properties)$/.test(name)) return 'properties';
  const firstLine = text?.split(/\r\n|\n|\r/, 1)[0] ?? '';
  if (SHELL_SHEBANG.test(firstLine)) return 'shellscript';
  if (/^#!.*\bpython[0-9.]*(\s|$)/.test(firstLine)) return 'python';
  return 'plaintext';
}
