import * as path from 'path';
import type { FileSettings, Range, SettingsBlock, SparkSetting } from './setting';

/**
 * One Spark application configured in a file: a PySpark file's builder and SparkConf settings
 * together, or one `spark-submit` command of a script.
 */
export interface ApplicationSite {
  /** The block quick fixes insert into (the builder chain, the SparkConf chain, or the spark-submit command). */
  primary: SettingsBlock;
  /** Range to hang application-wide diagnostics and hovers on (the primary block's range). */
  range: Range;
  /** Settings that take effect, last one written wins per key (Spark's own order within one source). */
  effective: Map<string, SparkSetting>;
  /** Every setting of the application, in source order (including ineffective ones). */
  all: SparkSetting[];
  /** `spark.app.name` as a literal, if set. */
  appName: string | null;
  /** Names to match history by when no app name is set: the file's stem and the submitted file's stem. */
  fileStems: string[];
}

/**
 * Groups a file's settings blocks into applications.
 * @param file output of `extractSettings`.
 * @param filePath path or URI path of the file (its stem is a matching key).
 * @returns one site per spark-submit command and per INI section; one site for all builder/SparkConf blocks of a
 *   Python file.
 */
export function applicationSites(file: FileSettings, filePath: string): ApplicationSite[] {
  const stem = stemOf(filePath);
  const sites: ApplicationSite[] = [];
  const submit = file.blocks.filter((b) => b.kind === 'spark-submit');
  for (const b of submit) {
    const stems = [stem];
    if (b.applicationFile) stems.unshift(stemOf(b.applicationFile));
    sites.push(makeSite(b, b.settings, stems));
  }
  // Each section of an INI file is a configuration of its own (one per environment).
  for (const b of file.blocks) if (b.format === 'ini-section') sites.push(makeSite(b, b.settings, [stem]));
  const session = file.blocks.filter(
    (b) => (b.kind === 'spark-session-builder' || b.kind === 'spark-conf') && b.format !== 'ini-section',
  );
  if (session.length > 0) {
    const primary = session.find((b) => b.kind === 'spark-session-builder') ?? session[0];
    const runtime = file.blocks.filter((b) => b.kind === 'runtime-conf').flatMap((b) => b.settings);
    const all = [...session.flatMap((b) => b.settings), ...runtime].sort(
      (x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character,
    );
    sites.push(makeSite(primary, all, [stem]));
  }
  return sites;
}

function makeSite(primary: SettingsBlock, all: SparkSetting[], fileStems: string[]): ApplicationSite {
  const effective = new Map<string, SparkSetting>();
  for (const s of all) if (!s.ineffective) effective.set(s.key, s);
  const name = effective.get('spark.app.name');
  return {
    primary,
    range: primary.range,
    effective,
    all,
    appName: name && name.literal ? name.value : null,
    fileStems: [...new Set(fileStems.filter((s) => s.length > 0))],
  };
}

/** `examples/submit_nightly_etl.sh` → `submit_nightly_etl`; works on URIs' paths too. */
export function stemOf(p: string): string {
  const base = path.posix.basename(p.replace(/\\/g, '/'));
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
