import { applicationSites, ApplicationSite } from './config/application-sites';
import { versionLineOf } from './config/catalogue';
import { checkSite, ClusterShape, ConfigFinding, executorContainer } from './config/checks';
import { RelatedFile, settingSources, SettingSource } from './config/precedence';
import { parseSparkSizeMiB } from './config/spark-units';
import { extractSettings } from './config/file-settings';
import type { FileSettings } from './config/setting';
import type { ApplicationRecord } from './history/application-record';
import { JobMatch, matchJob } from './recommend/job-matcher';
import { jobFindings, JobFinding } from './recommend/findings';
import { recommend, Recommendation } from './recommend/recommender';

/** What the language service needs from the history store (read side only). */
export interface HistorySource {
  /** Distinct `App Name`s stored. */
  appNames(): string[];
  /** Full runs of one app name, newest first. */
  runsByAppName(appName: string, limit?: number): ApplicationRecord[];
}

/** One application in a document, with its history and recommendations. */
export interface SiteAnalysis {
  site: ApplicationSite;
  /** The job in the history this application is, or null when none matched. */
  job: JobMatch | null;
  /** Runs of that job, newest first (empty without a match). */
  runs: ApplicationRecord[];
  recommendations: Recommendation[];
  /** What the runs show that no setting fixes by itself (skew, failed tasks). */
  findings: JobFinding[];
  /** Checks that need no history (SPARK0xx codes). */
  checks: ConfigFinding[];
  /** Every place each key is set for this job across the related files, winner first (Spark's precedence). */
  sources: Map<string, SettingSource[]>;
}

/** Per-document options, from the `sparkOptimizer` settings. */
export interface AnalysisOptions {
  cluster: ClusterShape;
  /** Check codes turned off. */
  disabledChecks: ReadonlySet<string>;
}

/** No node size known, every check on. */
export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = { cluster: { nodeMemoryMiB: 0, nodeCores: 0 }, disabledChecks: new Set() };

/**
 * Analysis options from the extension settings.
 * @param cluster `sparkOptimizer.cluster` (node memory as a Spark size; an invalid size is treated as unknown).
 * @param disabled `sparkOptimizer.checks.disabled`.
 */
export function analysisOptions(cluster: { nodeMemory: string; nodeCores: number }, disabled: string[]): AnalysisOptions {
  return { cluster: { nodeMemoryMiB: parseSparkSizeMiB(cluster.nodeMemory || undefined) ?? 0, nodeCores: cluster.nodeCores }, disabledChecks: new Set(disabled) };
}

/** Everything the LSP features show for one document version. */
export interface DocumentAnalysis {
  uri: string;
  version: number;
  languageId: string;
  settings: FileSettings;
  sites: SiteAnalysis[];
  /** The document's lines (LSP line breaks), for edits at line ends. */
  lines: string[];
}

/**
 * Marker a user writes in a comment on a setting's line to say its value is intended: no recommendation or
 * check is reported for that line (`# spark-optimizer: ignore`).
 */
export const IGNORE_MARKER = 'spark-optimizer: ignore';

/** Most runs of one job that are analysed (newest first). */
const MAX_RUNS = 50;

/**
 * The facade the LSP handlers and the CLI call: settings → job match → history → recommendations.
 * Knows nothing of LSP transport. Results are cached per (uri, version); `historyChanged()` drops the
 * caches after a collection.
 */
export class SparkLanguageService {
  private readonly docs = new Map<string, { analysis: DocumentAnalysis; options: AnalysisOptions }>();
  private runsCache = new Map<string, ApplicationRecord[]>();
  private namesCache: string[] | null = null;

  constructor(
    private readonly history: HistorySource,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Analyses a document.
   * @param uri document URI (its path's file name is used for matching history).
   * @param text full text.
   * @param languageId `python` or `shellscript`; other ids give an analysis with no settings.
   * @param version document version; the same (uri, version) is answered from cache.
   * @param options node size and disabled checks.
   * @param related other files of the workspace that may configure the same job (read only when the document has settings).
   */
  analyse(
    uri: string,
    text: string,
    languageId: string,
    version = 0,
    options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS,
    related: () => RelatedFile[] = () => [],
  ): DocumentAnalysis {
    const cached = this.docs.get(uri);
    if (cached && cached.analysis.version === version && version !== 0 && cached.options === options) return cached.analysis;
    const settings = extractSettings(text, languageId);
    const others = settings.blocks.length > 0 ? related() : [];
    const sites = applicationSites(settings, uriPath(uri)).map((site) => this.analyseSite(site, languageId, options, settingSources(site, uriPath(uri), others)));
    const lines = text.split(/\r\n|\r|\n/);
    const ignored = (line: number) => (lines[line] ?? '').includes(IGNORE_MARKER);
    for (const sa of sites) {
      sa.recommendations = sa.recommendations.filter((r) => {
        const s = sa.site.effective.get(r.key);
        return !(s && ignored(s.range.start.line));
      });
      sa.checks = sa.checks.filter((c) => !ignored(c.range.start.line));
    }
    const analysis: DocumentAnalysis = { uri, version, languageId, settings, sites, lines };
    this.docs.set(uri, { analysis, options });
    return analysis;
  }

  /** Forgets a closed document. */
  forget(uri: string): void {
    this.docs.delete(uri);
  }

  /** Call after the store changed: drops cached runs and analyses. */
  historyChanged(): void {
    this.runsCache = new Map();
    this.namesCache = null;
    this.docs.clear();
  }

  /**
   * Runs of one job (newest first, at most 50), from the same cache the analyses use (dropped by `historyChanged`).
   * Empty for a name not in the store.
   */
  runsOf(appName: string): ApplicationRecord[] {
    let runs = this.runsCache.get(appName);
    if (!runs) {
      runs = this.history.runsByAppName(appName, MAX_RUNS);
      this.runsCache.set(appName, runs);
    }
    return runs;
  }

  /** Distinct job names in the store (cached until `historyChanged`). */
  jobNames(): string[] {
    this.namesCache ??= this.history.appNames();
    return this.namesCache;
  }

  private analyseSite(site: ApplicationSite, languageId: string, options: AnalysisOptions, sources: Map<string, SettingSource[]>): SiteAnalysis {
    // The file's own Spark version (Kubernetes spec.sparkVersion, Databricks spark_version) picks the catalogue line.
    const version = site.primary.sparkVersion ?? site.primary.cluster?.sparkVersion;
    const checks = checkSite(site, options.cluster, languageId, options.disabledChecks, version ? versionLineOf(version) : undefined);
    const job = matchJob(site.appName, site.fileStems, this.jobNames());
    if (!job) return { site, job: null, runs: [], recommendations: [], findings: [], checks, sources };
    const runs = this.runsOf(job.appName);
    const current = new Map<string, string | null>();
    for (const [key, s] of site.effective) current.set(key, s.literal ? s.value : null);
    // Never recommend an executor memory whose container the node could not hold (container-size check, SPARK010).
    const recommendations = recommend(job.appName, runs, current, this.clock()).filter((r) => {
      if (r.key !== 'spark.executor.memory' || options.cluster.nodeMemoryMiB <= 0) return true;
      const c = executorContainer(site, languageId, parseSparkSizeMiB(r.recommendedValue) ?? undefined);
      return c === null || c.totalMiB <= options.cluster.nodeMemoryMiB;
    });
    return { site, job, runs, recommendations, findings: jobFindings(job.appName, runs), checks, sources };
  }
}

function uriPath(uri: string): string {
  if (uri.startsWith('file://')) {
    try {
      return decodeURIComponent(new URL(uri).pathname);
    } catch {
      return uri;
    }
  }
  return uri;
}
