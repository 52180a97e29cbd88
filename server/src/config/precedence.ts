import { applicationSites, ApplicationSite, stemOf } from './application-sites';
import type { FileSettings, SparkSetting } from './setting';

/**
 * Where a job's settings come from when several files configure it, and which value Spark uses.
 *
 * Spark's order (docs/configuration.md, "Dynamically Loading Spark Properties"): "Properties set directly
 * on the SparkConf take highest precedence, then flags passed to spark-submit or spark-shell, then options in
 * the spark-defaults.conf file." A Spark operator manifest and an Airflow SparkSubmitOperator become
 * spark-submit arguments; Databricks `spark_conf` and EMR `spark-defaults` classifications are cluster
 * defaults, like spark-defaults.conf.
 */

/** Precedence ranks, highest wins. */
export const RANK = { defaults: 1, submit: 2, code: 3 } as const;

/** Words for a rank, as shown in hovers. */
export const RANK_NAME: Record<number, string> = {
  1: 'cluster defaults (spark-defaults.conf)',
  2: 'spark-submit',
  3: 'SparkConf in code',
};

/** One place a key is set for a job. */
export interface SettingSource {
  uri: string;
  setting: SparkSetting;
  rank: number;
}

/** Another file of the workspace that may configure the same job. */
export interface RelatedFile {
  uri: string;
  settings: FileSettings;
}

/** The precedence rank of a setting, from the syntax it was written in. */
export function rankOf(s: SparkSetting): number {
  switch (s.origin) {
    case 'spark-session-builder':
    case 'spark-conf':
    case 'runtime-conf':
      return RANK.code;
    case 'spark-defaults':
    case 'databricks':
    case 'emr-configuration':
    case 'dataproc':
      return RANK.defaults;
    default:
      return RANK.submit;
  }
}

/**
 * Every place each key of `site` (in the file `uri`) is set for the same job across `related` files,
 * winner first (higher rank; within a rank, the later one in its file, as Spark applies them in order).
 * Related sites count when they are the same job: a spark-submit that runs this file (or the file a
 * spark-submit here runs), and every spark-defaults-like file given.
 * @returns key → sources; keys set in one place only are included too (one element).
 */
export function settingSources(
  site: ApplicationSite,
  uri: string,
  related: RelatedFile[],
): Map<string, SettingSource[]> {
  const mine = stemOf(uri);
  const submitted = site.primary.applicationFile ? stemOf(site.primary.applicationFile) : null;
  const sources: SettingSource[] = site.all
    .filter((s) => !s.ineffective)
    .map((setting) => ({ uri, setting, rank: rankOf(setting) }));
  for (const r of related) {
    if (r.uri === uri) continue;
    for (const other of applicationSites(r.settings, r.uri)) {
      const defaults = other.all.length > 0 && other.all.every((s) => rankOf(s) === RANK.defaults);
      const runsMe = other.primary.applicationFile !== undefined && stemOf(other.primary.applicationFile) === mine;
      const isSubmitted = submitted !== null && stemOf(r.uri) === submitted;
      if (!defaults && !runsMe && !isSubmitted) continue;
      for (const setting of other.all)
        if (!setting.ineffective) sources.push({ uri: r.uri, setting, rank: rankOf(setting) });
    }
  }
  const byKey = new Map<string, SettingSource[]>();
  for (const s of sources) {
    const list = byKey.get(s.setting.key) ?? [];
    list.push(s);
    byKey.set(s.setting.key, list);
  }
  for (const list of byKey.values()) {
    list.sort(
      (a, b) => b.rank - a.rank || (a.uri === b.uri ? b.setting.range.start.line - a.setting.range.start.line : 0),
    );
  }
  return byKey;
}
