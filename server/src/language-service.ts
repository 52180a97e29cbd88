import { applicationSites, ApplicationSite } from './config/application-sites';
import { versionLineOf } from './config/catalogue';
import { checkSite, ClusterShape, ConfigFinding } from './config/checks';
import { RelatedFile, settingSources, SettingSource } from './config/precedence';
import { parseSparkSizeMiB } from './config/spark-units';
import { extractSettings } from './config/file-settings';
import type { FileSettings } from './config/setting';
import type { ApplicationRecord } from './history/application-record';
import { WorkloadMatch, matchWorkload } from './recommend/workload-matcher';
import {
  type CurrentSettings,
  type WorkloadFinding,
  type WorkloadPlan,
  type Objective,
  type PlanInput,
  planWorkload,
  type PlannedSetting,
} from './recommend/engine';
import { type CostPrices, costPrices, type DeclaredCluster } from './resource-model';
import {
  dismissedRecommendations,
  fixOutcome,
  type AppliedFix,
  type DismissedRecommendation,
  type FixOutcome,
} from './recommend/feedback';
import type { RecommendationFeedback } from './history/service-store';
import { formatBytes, formatDurationMs } from './config/spark-units';
import type { LearnedScorer } from './recommend/learned-scorer';
import { parseSettings, type Settings } from '../../shared/src/settings';
import {
  describeSimilarity,
  SimilarWorkloadIndex,
  workloadFeatures,
  medianFeatures,
  type WorkloadTotals,
} from './recommend/similar-workloads';

/** What the language service needs from the history store (read side only). */
export interface HistorySource {
  /** Distinct `App Name`s stored. */
  appNames(): string[];
  /** Full runs of one app name, newest first. */
  runsByAppName(appName: string, limit?: number): ApplicationRecord[];
  /** App names of runs whose submitted file has this stem (same-workload matching by the file spark-submit ran). */
  appNamesBySubmittedFile?(stem: string): string[];
  /** Runs under other app names with the same stage-DAG signature as `appName`'s newest run (renamed workload). */
  runsWithSameSignature?(appName: string, limit?: number): ApplicationRecord[];
  /** Workload totals of every application, for the similar-workloads index (built once per collection). */
  applicationTotals?(): (WorkloadTotals & { appName: string })[];
  /**
   * Names of the workloads whose runs ran on this `spark.master` (the same cluster), most recently run first: the
   * similar workloads a workload without runs of its own is first planned from.
   */
  appNamesByMaster?(master: string, limit?: number): string[];
  /** Quick fixes applied to a workload (by app name) or to a file (by URI), oldest first (feedback loop). */
  appliedFixes?(appName: string | null, fileUri?: string): AppliedFix[];
  /** Feedback on a workload's recommendations (applied, accepted, rejected), oldest first: dismissed ones are not shown. */
  feedbackOf?(appName: string): RecommendationFeedback[];
}

/** A workload that does similar work, shown as evidence when the workload has little history of its own. */
export interface SimilarWorkloadEvidence {
  appName: string;
  /** Distance in spreads (recommend/similar-workloads.ts): 0 = same workload. */
  distance: number;
  /** The features that differ most, e.g. "shuffle read 3.1 GiB vs 2.4 GiB". */
  differences: string;
}

/** One application in a document, with its history and recommendations. */
export interface SiteAnalysis {
  site: ApplicationSite;
  /** The workload in the history this application is, or null when none matched. */
  workload: WorkloadMatch | null;
  /** Runs of that workload, newest first (empty without a match). */
  runs: ApplicationRecord[];
  /** The engine's plan for this workload with this file's settings (recommend/engine.ts); null without a matched workload. */
  plan: WorkloadPlan | null;
  /**
   * The plan's changes, less those on lines marked `# spark-optimizer: ignore` and those the user dismissed: what
   * diagnostics and quick fixes offer.
   */
  recommendations: PlannedSetting[];
  /**
   * The plan's changes the user dismissed (feedback `rejected` with the value the plan still recommends,
   * recommend/feedback.ts `dismissedRecommendations`): not in `recommendations`, shown only in hovers with the reason.
   */
  dismissed: DismissedRecommendation<PlannedSetting>[];
  /** What the runs show that no setting fixes by itself (skew, failed tasks, settings the cluster manager ignores). */
  findings: WorkloadFinding[];
  /** Checks that need no history (SPARK0xx codes). */
  checks: ConfigFinding[];
  /** Every place each key is set for this workload across the related files, winner first (Spark's precedence). */
  sources: Map<string, SettingSource[]>;
  /** Workloads most similar (nearest first) when the workload has fewer than 3 runs of its own; else empty. */
  similar: SimilarWorkloadEvidence[];
  /** App names other than the workload's whose runs were added to `runs` because their stage signature is the same. */
  renamedFrom: string[];
  /** Applied quick fixes of this workload with its runs before and after each (newest fix per setting). */
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
  if (!Number.isFinite(ms))
    throw new Error(`SPARK_OPTIMIZER_NOW=${v} is not a date (use e.g. 2026-12-01T00:00:00Z or ms since the epoch).`);
  return () => ms;
}

/**
 * The settings {@link analysisOptions} reads, any of them left out (shared/src/settings.ts `Settings`: the schema
 * gives each one left out its default).
 */
export interface AnalysisSettings {
  cluster?: Partial<Settings['cluster']>;
  checks?: Partial<Settings['checks']>;
  cost?: Partial<Settings['cost']>;
  objective?: Settings['objective'];
  maxSlowdownPercent?: Settings['maxSlowdownPercent'];
}

/**
 * Analysis options from the extension settings: `sparkOptimizer.cluster.*` (sizes as Spark sizes; an invalid size is
 * treated as unknown), `checks.disabled`, `cost.*` (both prices 0 = not set), `objective`, `maxSlowdownPercent`. A
 * setting left out, or an object setting with an invalid value, takes the schema's default (`parseSettings`).
 */
export function analysisOptions(settings: AnalysisSettings): AnalysisOptions {
  const s = parseSettings(settings);
  return {
    cluster: {
      nodeMemoryMiB: parseSparkSizeMiB(s.cluster.nodeMemory || undefined) ?? 0,
      nodeCores: s.cluster.nodeCores,
      nodes: s.cluster.nodes,
      totalCores: s.cluster.totalCores,
      totalMemoryMiB: parseSparkSizeMiB(s.cluster.totalMemory || undefined) ?? 0,
    },
    disabledChecks: new Set(s.checks.disabled),
    prices: costPrices(s.cost.pricePerCoreHour, s.cost.pricePerGiBHour, s.cost.currency),
    objective: s.objective,
    maxSlowdown: s.maxSlowdownPercent / 100,
  };
}

/** The options of the settings' defaults: no cluster size known, every check on, no prices, balanced within 10 %. */
export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = analysisOptions({});

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

/** Most runs of one workload that are analysed (newest first). */
const MAX_RUNS = 50;

/** Similar workloads are looked up when a workload has fewer runs than this (too little history of its own). */
const SIMILAR_BELOW_RUNS = 3;

/** How many similar workloads are shown. */
const SIMILAR_JOBS = 3;

/** A job without runs of its own is planned from at most this many jobs run on the same master, … */
const COLD_START_WORKLOADS = 8;
/** … with at most this many of each one's newest runs. */
const COLD_START_RUNS = 10;

/**
 * A job's model takes its cluster's facts (recommend/capacity.ts `clusterFacts`) from at most this many jobs run on the
 * same `spark.master`, with at most {@link MAX_RUNS} newest runs of each.
 */
const CLUSTER_WORKLOADS = 8;

/**
 * Runs of the other jobs run on the cluster `runs` ran on (the newest run's `spark.master`): the newest
 * {@link MAX_RUNS} runs of each of the {@link CLUSTER_WORKLOADS} jobs most recently run there, `appName`'s own runs
 * left out. The engine takes the cluster's facts from them (recommend/engine.ts `PlanInput.clusterRuns`).
 * @param cache the store's runs per master, filled here (callers keep it until the store changes).
 * @returns empty when the store cannot list jobs by master or the runs name no master.
 */
export function clusterRunsOf(
  history: Pick<HistorySource, 'appNamesByMaster' | 'runsByAppName'>,
  appName: string,
  runs: readonly ApplicationRecord[],
  cache = new Map<string, { appName: string; runs: ApplicationRecord[] }[]>(),
): ApplicationRecord[] {
  let newest: ApplicationRecord | null = null;
  for (const r of runs) if (newest === null || r.startTimeMs > newest.startTimeMs) newest = r;
  const master = newest?.master ?? newest?.sparkProperties['spark.master'];
  if (master === undefined || master === null || history.appNamesByMaster === undefined) return [];
  let jobs = cache.get(master);
  if (jobs === undefined) {
    // One more job than kept: the job itself is usually among those most recently run there.
    jobs = history
      .appNamesByMaster(master, CLUSTER_WORKLOADS + 1)
      .map((name) => ({ appName: name, runs: history.runsByAppName(name, MAX_RUNS) }));
    cache.set(master, jobs);
  }
  const own = new Set(runs.map((r) => r.appId));
  return jobs
    .filter((j) => j.appName !== appName)
    .slice(0, CLUSTER_WORKLOADS)
    .flatMap((j) => j.runs.filter((r) => !own.has(r.appId)));
}

/**
 * The facade the LSP handlers and the CLI call: settings → workload match → history → recommendations.
 * Knows nothing of LSP transport. Results are cached per (uri, version); `historyChanged()` drops the
 * caches after a collection.
 */
export class SparkLanguageService {
  private readonly docs = new Map<string, { analysis: DocumentAnalysis; options: AnalysisOptions }>();
  private runsCache = new Map<string, ApplicationRecord[]>();
  private namesCache: string[] | null = null;
  private similarIndex: SimilarWorkloadIndex | null = null;
  private renamedCache = new Map<string, ApplicationRecord[]>();
  private clusterCache = new Map<string, { appName: string; runs: ApplicationRecord[] }[]>();
  private plans = new Map<string, WorkloadPlan>();

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
   * @param related other files of the workspace that may configure the same workload (read only when the document has settings).
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
    if (cached && cached.analysis.version === version && version !== 0 && cached.options === options)
      return cached.analysis;
    const settings = extractSettings(text, languageId);
    const others = settings.blocks.length > 0 ? related() : [];
    const sites = applicationSites(settings, uriPath(uri)).map((site) =>
      this.analyseSite(uri, site, languageId, options, settingSources(site, uriPath(uri), others)),
    );
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
    this.clusterCache = new Map();
    this.plans = new Map();
    this.docs.clear();
  }

  /**
   * Runs of one workload (newest first, at most 50): its own runs plus runs of the same stage DAG stored under
   * another app name (the same workload, renamed), from the cache the analyses use (dropped by `historyChanged`).
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

  /** {@link clusterRunsOf} with the store's runs per master cached until `historyChanged`. */
  clusterRunsOf(appName: string, runs: readonly ApplicationRecord[]): ApplicationRecord[] {
    return clusterRunsOf(this.history, appName, runs, this.clusterCache);
  }

  /** Distinct workload names in the store (cached until `historyChanged`). */
  workloadNames(): string[] {
    this.namesCache ??= this.history.appNames();
    return this.namesCache;
  }

  private analyseSite(
    uri: string,
    site: ApplicationSite,
    languageId: string,
    options: AnalysisOptions,
    sources: Map<string, SettingSource[]>,
  ): SiteAnalysis {
    // The file's own Spark version (Kubernetes spec.sparkVersion, Databricks spark_version) picks the catalogue line.
    const version = site.primary.sparkVersion ?? site.primary.cluster?.sparkVersion;
    const checks = checkSite(
      site,
      options.cluster,
      languageId,
      options.disabledChecks,
      version ? versionLineOf(version) : undefined,
    );
    const bySubmitted = this.history.appNamesBySubmittedFile?.bind(this.history);
    const workload = matchWorkload(site.appName, site.fileStems, this.workloadNames(), bySubmitted);
    if (!workload) {
      // No runs of its own: a first plan from the workloads run on the same cluster (the file's literal spark.master).
      const cold = this.coldStartPlan(site, languageId, options);
      const { shown, dismissed } = this.presented(cold);
      return {
        site,
        workload: null,
        runs: [],
        plan: cold,
        recommendations: shown,
        dismissed,
        findings: [],
        checks,
        sources,
        similar: [],
        renamedFrom: [],
        feedback: [],
      };
    }
    const runs = this.runsOf(workload.appName);
    const renamedFrom = [...new Set((this.renamedCache.get(workload.appName) ?? []).map((r) => r.appName))];
    const similar =
      runs.length > 0 && runs.length < SIMILAR_BELOW_RUNS ? this.similarWorkloads(workload.appName, runs) : [];
    const { current, context } = planContextOf(site, languageId);
    const plan = this.planFor(workload.appName, runs, current, options, context);
    // Feedback: the newest applied fix per setting of this workload (or, for fixes made before any match, of this file).
    const fixes = this.history.appliedFixes?.(workload.appName, uri) ?? [];
    const newest = new Map<string, AppliedFix>();
    for (const f of fixes) if (f.appName === workload.appName || f.appName === null) newest.set(f.key, f);
    const feedback = [...newest.values()].map((f) => fixOutcome(f, runs, { ms: formatDurationMs, bytes: formatBytes }));
    const { shown, dismissed } = this.presented(plan);
    return {
      site,
      workload,
      runs,
      plan,
      recommendations: shown,
      dismissed,
      findings: plan.findings,
      checks,
      sources,
      similar,
      renamedFrom,
      feedback,
    };
  }

  /**
   * The plan's changes to show and those the user dismissed for the plan's workload (by its app name: the matched
   * workload's, or the name a cold-start plan is made under), read from the stored feedback.
   */
  presented(plan: WorkloadPlan | null): {
    shown: PlannedSetting[];
    dismissed: DismissedRecommendation<PlannedSetting>[];
  } {
    const changes = plan?.settings.filter((x) => x.change) ?? [];
    if (plan === null || changes.length === 0 || this.history.feedbackOf === undefined)
      return { shown: changes, dismissed: [] };
    return dismissedRecommendations(changes, this.history.feedbackOf(plan.appName));
  }

  /**
   * A first plan for an application with no runs of its own, from the workloads run on the same cluster: those the
   * store lists for the file's literal `spark.master` (at most 8, the 10 newest runs of each). Null when the file sets
   * no literal master, the store cannot list workloads by master, or none ran there.
   */
  private coldStartPlan(site: ApplicationSite, languageId: string, options: AnalysisOptions): WorkloadPlan | null {
    const master = site.effective.get('spark.master');
    if (this.history.appNamesByMaster === undefined || master === undefined || !master.literal || master.value === null)
      return null;
    const names = this.history.appNamesByMaster(master.value, COLD_START_WORKLOADS);
    if (names.length === 0) return null;
    const similarWorkloads = names
      .map((appName) => ({ appName, runs: this.history.runsByAppName(appName, COLD_START_RUNS) }))
      .filter((j) => j.runs.length > 0);
    if (similarWorkloads.length === 0) return null;
    const { current, context } = planContextOf(site, languageId);
    return this.planFor(
      site.appName ?? site.fileStems[0] ?? 'this workload',
      [],
      current,
      options,
      context,
      similarWorkloads,
    );
  }

  /**
   * The engine's plan for a workload with these settings, cached until the next collection (a hover or an edit
   * elsewhere in the file asks again with the same settings). `similarWorkloads` is used only when `runs` is empty (a
   * cold start). A job with runs is planned with the other jobs' runs on its cluster ({@link clusterRunsOf}).
   */
  planFor(
    appName: string,
    runs: ApplicationRecord[],
    current: CurrentSettings,
    options: AnalysisOptions,
    context: PlanInput['context'] = {},
    similarWorkloads?: PlanInput['similarWorkloads'],
  ): WorkloadPlan {
    const key = JSON.stringify([
      appName,
      [...current.entries()].sort(),
      options.cluster,
      options.objective,
      options.maxSlowdown,
      options.prices ?? null,
      context,
      runs.length === 0 ? (similarWorkloads ?? []).map((j) => j.appName) : null,
      options.learnedScorer?.description ?? null,
    ]);
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = planWorkload({
        appName,
        runs,
        current,
        context,
        similarWorkloads: runs.length === 0 ? similarWorkloads : undefined,
        clusterRuns: runs.length > 0 ? this.clusterRunsOf(appName, runs) : undefined,
        options: {
          objective: options.objective,
          maxSlowdown: options.maxSlowdown,
          cluster: options.cluster,
          prices: options.prices,
          nowMs: this.clock(),
          learnedScorer: options.learnedScorer,
        },
      });
      if (this.plans.size > 200) this.plans.clear();
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** Nearest workloads by what they do to the median features of `runs`, from the index cached until the next collection. */
  private similarWorkloads(appName: string, runs: ApplicationRecord[]): SimilarWorkloadEvidence[] {
    if (this.history.applicationTotals === undefined) return [];
    this.similarIndex ??= SimilarWorkloadIndex.fromTotals(this.history.applicationTotals());
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
function planContextOf(
  site: ApplicationSite,
  languageId: string,
): { current: Map<string, string | null>; context: NonNullable<PlanInput['context']> } {
  const current = new Map<string, string | null>();
  for (const [key, s] of site.effective) current.set(key, s.literal || s.resolvedFrom?.safeToEdit ? s.value : null);
  // A PySpark builder's spark.driver.memory has no effect in client mode (SPARK006): the plan does not write it there.
  const inCode = site.primary.kind !== 'spark-submit';
  const deployMode = site.effective.get('spark.submit.deployMode');
  const driverMemoryWritable = !(
    languageId === 'python' &&
    inCode &&
    !(deployMode?.literal && deployMode.value === 'cluster')
  );
  const isPython = languageId === 'python' || /\.py$/i.test(site.primary.applicationFile ?? '') ? true : undefined;
  // A Databricks cluster sizes its executors from the node type and num_workers, not from Spark keys.
  const executorsFixedBy =
    site.primary.format === 'databricks-cluster'
      ? 'a Databricks cluster sizes executors from its node type and num_workers'
      : undefined;
  const format = site.primary.format;
  const manager =
    format === 'spark-application'
      ? 'kubernetes'
      : format === 'emr-configuration' || format === 'emr-step' || format === 'emr-serverless' || format === 'dataproc'
        ? 'yarn'
        : undefined;
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
