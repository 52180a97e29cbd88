import { applicationSites, ApplicationSite } from './config/application-sites';
import { versionLineOf } from './config/catalogue';
import { checkSite, ClusterShape, ConfigFinding } from './config/checks';
import { RelatedFile, settingSources, SettingSource } from './config/precedence';
import { parseSparkSizeMiB } from './config/spark-units';
import { extractSettings } from './config/file-settings';
import type { FileSettings } from './config/setting';
import type { ApplicationRecord } from './history/application-record';
import { JobMatch, matchJob } from './recommend/job-matcher';
import { type CurrentSettings, type JobFinding, type JobPlan, type Objective, type PlanInput, planJob, type PlannedSetting } from './recommend/engine';
import { type CostPrices, costPrices, type DeclaredCluster } from './resource-model';
import { fixOutcome, type AppliedFix, type FixOutcome } from './recommend/feedback';
import { formatBytes, formatDurationMs } from './config/spark-units';
import type { LearnedScorer } from './recommend/learned-scorer';
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
  /**
   * Names of the jobs whose runs ran on this `spark.master` (the same cluster), most recently run first: the similar
   * jobs a job without runs of its own is first planned from.
   */
  appNamesByMaster?(master: string, limit?: number): string[];
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
  /** The engine's plan for this job with this file's settings (recommend/engine.ts); null without a matched job. */
  plan: JobPlan | null;
  /** The plan's changes, less those on lines marked `# spark-optimizer: ignore`: what diagnostics and quick fixes offer. */
  recommendations: PlannedSetting[];
  /** What the runs show that no setting fixes by itself (skew, failed tasks, settings the cluster manager ignores). */
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

/** Per-document options, from the `sparkOptimizer` settings (or the CLI's flags). */
export interface AnalysisOptions {
  /** The cluster as declared (`sparkOptimizer.cluster.*`); 0 = unknown. Node size also drives SPARK009/SPARK010. */
  cluster: ClusterShape & DeclaredCluster;
  /** Check codes turned off. */
  disabledChecks: ReadonlySet<string>;
  /** Prices for money figures (`sparkOptimizer.cost.*`), absent when not set. */
  prices?: CostPrices;
  /** What the plan optimises (`sparkOptimizer.objective`); balanced by default. */
  objective?: Objective;
  /** For `balanced`: the slowdown allowed against the fastest configuration, fraction (`sparkOptimizer.maxSlowdownPercent` / 100). */
  maxSlowdown?: number;
  /** The learned candidate scorer, when switched on (recommend/engine.ts `LEARNED_SCORER_ON`; the evaluation sets it). */
  learnedScorer?: LearnedScorer;
}

/**
 * The clock the analysis reads "now" from (ms since the epoch): the recency of runs lowers a plan's confidence (it
 * halves per 180 days since the newest run, recommend/engine.ts), so a saved history analysed later gives other
 * confidences. `SPARK_OPTIMIZER_NOW` (an ISO date/time such as `2026-12-01T00:00:00Z`, or ms since the epoch) pins it,
 * for reproducible output on a saved history (the CLI, the language server and its workers read it); else `Date.now`.
 * @throws Error when the variable is set but is not a date.
 */
export function clockFromEnvironment(env: NodeJS.ProcessEnv = process.env): () => number {
  const v = env.SPARK_OPTIMIZER_NOW;
  if (v === undefined || v === '') return Date.now;
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new Error(`SPARK_OPTIMIZER_NOW=${v} is not a date (use e.g. 2026-12-01T00:00:00Z or ms since the epoch).`);
  return () => ms;
}

/** No node size known, every check on, balanced within 10 %. */
export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = { cluster: { nodeMemoryMiB: 0, nodeCores: 0 }, disabledChecks: new Set(), objective: 'balanced', maxSlowdown: 0.1 };

/** The settings {@link analysisOptions} reads (the shape of shared/src/settings.ts `Settings`). */
export interface AnalysisSettings {
  cluster: { nodeMemory: string; nodeCores: number; nodes?: number; totalCores?: number; totalMemory?: string };
  checks: { disabled: string[] };
  cost?: { pricePerCoreHour: number; pricePerGiBHour: number; currency: string };
  objective?: Objective;
  maxSlowdownPercent?: number;
}

/**
 * Analysis options from the extension settings: `sparkOptimizer.cluster.*` (sizes as Spark sizes; an invalid size is
 * treated as unknown), `checks.disabled`, `cost.*` (both prices 0 = not set), `objective`, `maxSlowdownPercent`.
 */
export function analysisOptions(s: AnalysisSettings): AnalysisOptions {
  return {
    cluster: {
      nodeMemoryMiB: parseSparkSizeMiB(s.cluster.nodeMemory || undefined) ?? 0,
      nodeCores: s.cluster.nodeCores,
      nodes: s.cluster.nodes ?? 0,
      totalCores: s.cluster.totalCores ?? 0,
      totalMemoryMiB: parseSparkSizeMiB(s.cluster.totalMemory || undefined) ?? 0,
    },
    disabledChecks: new Set(s.checks.disabled),
    prices: s.cost ? costPrices(s.cost.pricePerCoreHour, s.cost.pricePerGiBHour, s.cost.currency) : undefined,
    objective: s.objective ?? 'balanced',
    maxSlowdown: (s.maxSlowdownPercent ?? 10) / 100,
  };
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

/** A job without runs of its own is planned from at most this many jobs run on the same master, … */
const COLD_START_JOBS = 8;
/** … with at most this many of each one's newest runs. */
const COLD_START_RUNS = 10;

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
  private plans = new Map<string, JobPlan>();

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
    this.similarIndex = null;
    this.renamedCache = new Map();
    this.plans = new Map();
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
    if (!job) {
      // No runs of its own: a first plan from the jobs run on the same cluster (the file's literal spark.master).
      const cold = this.coldStartPlan(site, languageId, options);
      return { site, job: null, runs: [], plan: cold, recommendations: cold?.settings.filter((x) => x.change) ?? [], findings: [], checks, sources, similar: [], renamedFrom: [], feedback: [] };
    }
    const runs = this.runsOf(job.appName);
    const renamedFrom = [...new Set((this.renamedCache.get(job.appName) ?? []).map((r) => r.appName))];
    const similar = runs.length > 0 && runs.length < SIMILAR_BELOW_RUNS ? this.similarJobs(job.appName, runs) : [];
    const { current, context } = planContextOf(site, languageId);
    const plan = this.planFor(job.appName, runs, current, options, context);
    // Feedback: the newest applied fix per setting of this job (or, for fixes made before any match, of this file).
    const fixes = this.history.appliedFixes?.(job.appName, uri) ?? [];
    const newest = new Map<string, AppliedFix>();
    for (const f of fixes) if (f.appName === job.appName || f.appName === null) newest.set(f.key, f);
    const feedback = [...newest.values()].map((f) => fixOutcome(f, runs, { ms: formatDurationMs, bytes: formatBytes }));
    return { site, job, runs, plan, recommendations: plan.settings.filter((x) => x.change), findings: plan.findings, checks, sources, similar, renamedFrom, feedback };
  }

  /**
   * A first plan for an application with no runs of its own, from the jobs run on the same cluster: those the store
   * lists for the file's literal `spark.master` (at most 8, the 10 newest runs of each). Null when the file sets no
   * literal master, the store cannot list jobs by master, or none ran there.
   */
  private coldStartPlan(site: ApplicationSite, languageId: string, options: AnalysisOptions): JobPlan | null {
    const master = site.effective.get('spark.master');
    if (this.history.appNamesByMaster === undefined || master === undefined || !master.literal || master.value === null) return null;
    const names = this.history.appNamesByMaster(master.value, COLD_START_JOBS);
    if (names.length === 0) return null;
    const similarJobs = names.map((appName) => ({ appName, runs: this.history.runsByAppName(appName, COLD_START_RUNS) })).filter((j) => j.runs.length > 0);
    if (similarJobs.length === 0) return null;
    const { current, context } = planContextOf(site, languageId);
    return this.planFor(site.appName ?? site.fileStems[0] ?? 'this job', [], current, options, context, similarJobs);
  }

  /**
   * The engine's plan for a job with these settings, cached until the next collection (a hover or an edit elsewhere in
   * the file asks again with the same settings). `similarJobs` is used only when `runs` is empty (a cold start).
   */
  planFor(appName: string, runs: ApplicationRecord[], current: CurrentSettings, options: AnalysisOptions, context: PlanInput['context'] = {}, similarJobs?: PlanInput['similarJobs']): JobPlan {
    const key = JSON.stringify([appName, [...current.entries()].sort(), options.cluster, options.objective, options.maxSlowdown, options.prices ?? null, context, runs.length === 0 ? (similarJobs ?? []).map((j) => j.appName) : null, options.learnedScorer?.description ?? null]);
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = planJob({
        appName,
        runs,
        current,
        context,
        similarJobs: runs.length === 0 ? similarJobs : undefined,
        options: { objective: options.objective, maxSlowdown: options.maxSlowdown, cluster: options.cluster, prices: options.prices, nowMs: this.clock(), learnedScorer: options.learnedScorer },
      });
      if (this.plans.size > 200) this.plans.clear();
      this.plans.set(key, plan);
    }
    return plan;
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

/**
 * What the plan of an application site is given besides its runs: the file's current values (a value written elsewhere
 * in the file, a variable assigned once, counts when a quick fix can edit it there) and the context its file kind gives.
 */
function planContextOf(site: ApplicationSite, languageId: string): { current: Map<string, string | null>; context: NonNullable<PlanInput['context']> } {
  const current = new Map<string, string | null>();
  for (const [key, s] of site.effective) current.set(key, s.literal || s.resolvedFrom?.safeToEdit ? s.value : null);
  // A PySpark builder's spark.driver.memory has no effect in client mode (SPARK006): the plan does not write it there.
  const inCode = site.primary.kind !== 'spark-submit';
  const deployMode = site.effective.get('spark.submit.deployMode');
  const driverMemoryWritable = !(languageId === 'python' && inCode && !(deployMode?.literal && deployMode.value === 'cluster'));
  const isPython = languageId === 'python' || /\.py$/i.test(site.primary.applicationFile ?? '') ? true : undefined;
  // A Databricks cluster sizes its executors from the node type and num_workers, not from Spark keys.
  const executorsFixedBy = site.primary.format === 'databricks-cluster' ? 'a Databricks cluster sizes executors from its node type and num_workers' : undefined;
  const format = site.primary.format;
  const manager = format === 'spark-application' ? 'kubernetes' : format === 'emr-configuration' || format === 'emr-step' || format === 'emr-serverless' || format === 'dataproc' ? 'yarn' : undefined;
  return { current, context: { isPython, driverMemoryWritable, executorsFixedBy, manager } };
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
