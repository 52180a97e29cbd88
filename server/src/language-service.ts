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
import type { CostPrices } from './analysis/cost';
import { fixOutcome, type AppliedFix, type FixOutcome } from './recommend/feedback';
import { formatBytes, formatDurationMs } from './config/spark-units';
import { describeSimilarity, SimilarJobIndex, workloadFeatures, medianFeatures, type WorkloadTotals } from './recommend/similar-jobs';

/** What the language service needs from the history store (read side only). */
export interface HistorySource {
  /** Distinct `App Name`s stored. */
  appNames(): string[];
  /** Full runs of one app name, newest first. */
  runsByAppName(appName: string, limit?: number): ApplicationRecord[];
  /** App names of runs whose submitted file has this stem (same-job matching by the file spark-submit ran). */
  appNamesBySubmittedFile?(stem: string): string[];
  /** Runs under other app names with the same stage-DAG signature as `appName`'s newest run (renamed job). */
  runsWithSameSignature?(appName: string, limit?: number): ApplicationRecord[];
  /** Workload totals of every application, for the similar-jobs index (built once per collection). */
  workloadTotals?(): (WorkloadTotals & { appName: string })[];
  /** Quick fixes applied to a job (by app name) or to a file (by URI), oldest first (feedback loop). */
  appliedFixes?(appName: string | null, fileUri?: string): AppliedFix[];
}

/** A job of similar workload, shown as evidence when the job has little history of its own. */
export interface SimilarJobEvidence {
  appName: string;
  /** Distance in spreads (recommend/similar-jobs.ts): 0 = same workload. */
  distance: number;
  /** The features that differ most, e.g. "shuffle read 3.1 GiB vs 2.4 GiB". */
  differences: string;
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
  /** Jobs of the most similar workload (nearest first) when the job has fewer than 3 runs of its own; else empty. */
  similar: SimilarJobEvidence[];
  /** App names other than the job's whose runs were added to `runs` because their stage signature is the same. */
  renamedFrom: string[];
  /** Applied quick fixes of this job with its runs before and after each (newest fix per setting). */
  feedback: FixOutcome[];
}

/** Per-document options, from the `sparkOptimizer` settings. */
export interface AnalysisOptions {
  cluster: ClusterShape;
  /** Check codes turned off. */
  disabledChecks: ReadonlySet<string>;
  /** Prices for money figures (`sparkOptimizer.cost.*`), absent when not set. */
  prices?: CostPrices;
}

/** No node size known, every check on. */
export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = { cluster: { nodeMemoryMiB: 0, nodeCores: 0 }, disabledChecks: new Set() };

/**
 * Analysis options from the extension settings.
 * @param cluster `sparkOptimizer.cluster` (node memory as a Spark size; an invalid size is treated as unknown).
 * @param disabled `sparkOptimizer.checks.disabled`.
 * @param cost `sparkOptimizer.cost` (prices per core-hour and GiB-hour; both 0 = not set).
 */
export function analysisOptions(
  cluster: { nodeMemory: string; nodeCores: number },
  disabled: string[],
  cost?: { pricePerCoreHour: number; pricePerGiBHour: number; currency: string },
): AnalysisOptions {
  const prices = cost && (cost.pricePerCoreHour > 0 || cost.pricePerGiBHour > 0) ? { perCoreHour: cost.pricePerCoreHour, perGiBHour: cost.pricePerGiBHour, currency: cost.currency } : undefined;
  return { cluster: { nodeMemoryMiB: parseSparkSizeMiB(cluster.nodeMemory || undefined) ?? 0, nodeCores: cluster.nodeCores }, disabledChecks: new Set(disabled), prices };
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
  /** Prices for money figures, from the analysis options (absent when not set). */
  prices?: CostPrices;
  /**
   * Why the document was not analysed (over the size limit, the analysis failed or ran out of memory), in words for
   * the user; `sites` is then empty. Absent for an analysed document (documents/document-analyses.ts sets it).
   */
  notAnalysed?: string;
}

/**
 * Marker a user writes in a comment on a setting's line to say its value is intended: no recommendation or
 * check is reported for that line (`# spark-optimizer: ignore`).
 */
export const IGNORE_MARKER = 'spark-optimizer: ignore';

/** Most runs of one job that are analysed (newest first). */
const MAX_RUNS = 50;

/** Similar jobs are looked up when a job has fewer runs than this (too little history of its own). */
const SIMILAR_BELOW_RUNS = 3;

/** How many similar jobs are shown. */
const SIMILAR_JOBS = 3;

/**
 * The facade the LSP handlers and the CLI call: settings → job match → history → recommendations.
 * Knows nothing of LSP transport. Results are cached per (uri, version); `historyChanged()` drops the
 * caches after a collection.
 */
export class SparkLanguageService {
  private readonly docs = new Map<string, { analysis: DocumentAnalysis; options: AnalysisOptions }>();
  private runsCache = new Map<string, ApplicationRecord[]>();
  private namesCache: string[] | null = null;
  private similarIndex: SimilarJobIndex | null = null;
  private renamedCache = new Map<string, ApplicationRecord[]>();

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
    const sites = applicationSites(settings, uriPath(uri)).map((site) => this.analyseSite(uri, site, languageId, options, settingSources(site, uriPath(uri), others)));
    const lines = text.split(/\r\n|\r|\n/);
    const ignored = (line: number) => (lines[line] ?? '').includes(IGNORE_MARKER);
    for (const sa of sites) {
      sa.recommendations = sa.recommendations.filter((r) => {
        const s = sa.site.effective.get(r.key);
        return !(s && ignored(s.range.start.line));
      });
      sa.checks = sa.checks.filter((c) => !ignored(c.range.start.line));
    }
    const analysis: DocumentAnalysis = { uri, version, languageId, settings, sites, lines, prices: options.prices };
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
    this.similarIndex = null;
    this.renamedCache = new Map();
    this.docs.clear();
  }

  /**
   * Runs of one job (newest first, at most 50): its own runs plus runs of the same stage DAG stored under
   * another app name (the same job, renamed), from the cache the analyses use (dropped by `historyChanged`).
   * Empty for a name not in the store.
   */
  runsOf(appName: string): ApplicationRecord[] {
    let runs = this.runsCache.get(appName);
    if (!runs) {
      const own = this.history.runsByAppName(appName, MAX_RUNS);
      const renamed = this.history.runsWithSameSignature?.(appName, MAX_RUNS) ?? [];
      runs = [...own, ...renamed].sort((a, b) => b.startTimeMs - a.startTimeMs).slice(0, MAX_RUNS);
      this.runsCache.set(appName, runs);
      this.renamedCache.set(appName, renamed);
    }
    return runs;
  }

  /** Distinct job names in the store (cached until `historyChanged`). */
  jobNames(): string[] {
    this.namesCache ??= this.history.appNames();
    return this.namesCache;
  }

  private analyseSite(uri: string, site: ApplicationSite, languageId: string, options: AnalysisOptions, sources: Map<string, SettingSource[]>): SiteAnalysis {
    // The file's own Spark version (Kubernetes spec.sparkVersion, Databricks spark_version) picks the catalogue line.
    const version = site.primary.sparkVersion ?? site.primary.cluster?.sparkVersion;
    const checks = checkSite(site, options.cluster, languageId, options.disabledChecks, version ? versionLineOf(version) : undefined);
    const bySubmitted = this.history.appNamesBySubmittedFile?.bind(this.history);
    const job = matchJob(site.appName, site.fileStems, this.jobNames(), bySubmitted);
    if (!job) return { site, job: null, runs: [], recommendations: [], findings: [], checks, sources, similar: [], renamedFrom: [], feedback: [] };
    const runs = this.runsOf(job.appName);
    const renamedFrom = [...new Set((this.renamedCache.get(job.appName) ?? []).map((r) => r.appName))];
    const similar = runs.length > 0 && runs.length < SIMILAR_BELOW_RUNS ? this.similarJobs(job.appName, runs) : [];
    const current = new Map<string, string | null>();
    // A value written elsewhere in the file (a variable assigned once) counts when a quick fix can edit it there.
    for (const [key, s] of site.effective) current.set(key, s.literal || s.resolvedFrom?.safeToEdit ? s.value : null);
    // Never recommend an executor memory whose container the node could not hold (container-size check, SPARK010).
    const recommendations = recommend(job.appName, runs, current, this.clock()).filter((r) => {
      if (r.key !== 'spark.executor.memory' || options.cluster.nodeMemoryMiB <= 0) return true;
      const c = executorContainer(site, languageId, parseSparkSizeMiB(r.recommendedValue) ?? undefined);
      return c === null || c.totalMiB <= options.cluster.nodeMemoryMiB;
    });
    // Feedback: the newest applied fix per setting of this job (or, for fixes made before any match, of this file).
    const fixes = this.history.appliedFixes?.(job.appName, uri) ?? [];
    const newest = new Map<string, AppliedFix>();
    for (const f of fixes) if (f.appName === job.appName || f.appName === null) newest.set(f.key, f);
    const feedback = [...newest.values()].map((f) => fixOutcome(f, runs, { ms: formatDurationMs, bytes: formatBytes }));
    return { site, job, runs, recommendations, findings: jobFindings(job.appName, runs), checks, sources, similar, renamedFrom, feedback };
  }

  /** Nearest jobs by workload to the median features of `runs`, from the index cached until the next collection. */
  private similarJobs(appName: string, runs: ApplicationRecord[]): SimilarJobEvidence[] {
    if (this.history.workloadTotals === undefined) return [];
    this.similarIndex ??= SimilarJobIndex.fromTotals(this.history.workloadTotals());
    const index = this.similarIndex;
    const features = medianFeatures(runs.map(workloadFeatures));
    return index.nearest(features, SIMILAR_JOBS, { excludeAppName: appName }).map((j) => ({
      appName: j.appName,
      distance: j.distance,
      differences: describeSimilarity(features, j.features, index.spreads),
    }));
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
