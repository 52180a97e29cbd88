/**
 * Similar workloads by what they do: when a file's workload has no runs of its own in the history, the runs of the
 * workloads that do the most similar work (same data volumes, same task and stage counts, same CPU share,
 * same amount of shuffling and spilling) are the next best evidence.
 *
 * Features describe what the workload does, read from the totals of an `ApplicationRecord`
 * (../history/application-record.ts), never its configured resources. Two of them still move with the
 * configuration and say so in their docs: the task count (`spark.sql.shuffle.partitions` sets the
 * reduce side) and the spill ratio (executor memory decides whether a shuffle spills).
 *
 * Distance is Euclidean over features each divided by its spread (standard deviation across the
 * index's workloads, floored by `MIN_SPREAD`), so every feature counts in units of "how much workloads in this
 * history usually differ in it". A distance of 1 means the two workloads differ by one spread in one
 * feature (or by less in several, summed in squares): e.g. a shuffle-read volume off by a factor of
 * 10^spread. Features missing in a record (CPU time before Spark 2.1) are skipped and the squared sum
 * scaled up by (all features / features present), as scikit-learn's `nan_euclidean_distances` does.
 */
import { formatBytes } from '../config/spark-units';
import type { ApplicationRecord } from '../history/application-record';
import type { ApplicationTotals } from '../store/history-store';

/**
 * Normalised workload features of one application (or the median over a workload's runs). Volumes and
 * counts are log10 so a factor matters the same at any size; shares are 0..1.
 */
export interface WorkloadFeatures {
  /** log10(1 + `inputBytes`): bytes read from sources (`Input Metrics`.`Bytes Read`, summed over tasks). */
  logInputBytes: number;
  /** log10(1 + `shuffleReadBytes`): remote + local shuffle bytes read. */
  logShuffleReadBytes: number;
  /** log10(1 + `shuffleWriteBytes`): `Shuffle Bytes Written`. */
  logShuffleWriteBytes: number;
  /** log10(1 + `outputBytes`): `Output Metrics`.`Bytes Written`. */
  logOutputBytes: number;
  /** log10(1 + `totalTasks`): `SparkListenerTaskEnd` count. Moves with `spark.sql.shuffle.partitions` too. */
  logTasks: number;
  /** log10(1 + `totalStages`): stage attempts seen. */
  logStages: number;
  /**
   * `executorCpuTimeMs / executorRunTimeMs`, clamped to 0..1: the share of task run time spent on CPU (the rest
   * is I/O, shuffle fetch waits, GC pauses counted in run time). Null when the log has no
   * `Executor CPU Time` (Spark before 2.1, SPARK-12221: executorCpuTimeMs 0 while run time > 0) or no run time.
   */
  cpuShare: number | null;
  /** Share (0..1) of the record's stages that read or write shuffle data (0 when the record has no stages). */
  shuffleStageShare: number;
  /**
   * log10(1 + `diskBytesSpilled` / (`inputBytes` + `shuffleReadBytes`)): serialized bytes spilled to
   * disk per byte read; 0 = no spill, 0.3 = as many spilled as read. Moves with executor memory.
   */
  logSpillRatio: number;
}

/** The features in vector order. */
export const FEATURE_KEYS = [
  'logInputBytes',
  'logShuffleReadBytes',
  'logShuffleWriteBytes',
  'logOutputBytes',
  'logTasks',
  'logStages',
  'cpuShare',
  'shuffleStageShare',
  'logSpillRatio',
] as const satisfies readonly (keyof WorkloadFeatures)[];

/** Number of features (length of one vector). */
export const FEATURE_COUNT = FEATURE_KEYS.length;

/**
 * Smallest spread a feature is divided by, so an index of a few workloads that happen to agree on a feature
 * (all without input, say) does not turn a small difference in it into a huge distance. Judgement, not
 * measured: 0.5 in log10 volumes (a factor ~3), 0.3 in log10 counts (a factor 2), 0.1 in shares
 * (10 points), 0.1 in the log spill ratio (≈ 26% of the bytes read spilled).
 */
export const MIN_SPREAD: Readonly<Record<(typeof FEATURE_KEYS)[number], number>> = {
  logInputBytes: 0.5,
  logShuffleReadBytes: 0.5,
  logShuffleWriteBytes: 0.5,
  logOutputBytes: 0.5,
  logTasks: 0.3,
  logStages: 0.3,
  cpuShare: 0.1,
  shuffleStageShare: 0.1,
  logSpillRatio: 0.1,
};

/**
 * Workload features of one application record.
 * @param r a record (only its totals and `stages` are read).
 * @returns finite numbers, except `cpuShare` null when the log has no CPU time.
 */
export function workloadFeatures(r: ApplicationRecord): WorkloadFeatures {
  return workloadFeaturesFromTotals({
    ...r,
    stageRows: r.stages.length,
    shufflingStages: r.stages.filter((s) => s.shuffleReadBytes > 0 || s.shuffleWriteBytes > 0).length,
  });
}

/**
 * The totals features are computed from: a record's sums, and how many of its stages there are and shuffle
 * (the store's totals-only read, `HistoryStore.applicationTotals`, without the app name).
 */
export type WorkloadTotals = Omit<ApplicationTotals, 'appName'>;

/**
 * Workload features from totals only (a `HistoryStore.applicationTotals` row, no stages loaded); equal to
 * {@link workloadFeatures} of the full record.
 */
export function workloadFeaturesFromTotals(r: WorkloadTotals): WorkloadFeatures {
  const read = r.inputBytes + r.shuffleReadBytes;
  const shuffling = r.shufflingStages;
  return {
    logInputBytes: log1p10(r.inputBytes),
    logShuffleReadBytes: log1p10(r.shuffleReadBytes),
    logShuffleWriteBytes: log1p10(r.shuffleWriteBytes),
    logOutputBytes: log1p10(r.outputBytes),
    logTasks: log1p10(r.totalTasks),
    logStages: log1p10(r.totalStages),
    cpuShare:
      r.executorRunTimeMs > 0 && r.executorCpuTimeMs > 0
        ? Math.min(1, r.executorCpuTimeMs / r.executorRunTimeMs)
        : null,
    shuffleStageShare: r.stageRows > 0 ? shuffling / r.stageRows : 0,
    logSpillRatio: read > 0 ? log1p10(r.diskBytesSpilled / read) : 0,
  };
}

/** log10(1 + x) for x ≥ 0; negative or non-finite input (never in a valid record) counts as 0. */
function log1p10(x: number): number {
  return Number.isFinite(x) && x > 0 ? Math.log10(1 + x) : 0;
}

/** Features as a vector in `FEATURE_KEYS` order, NaN for a missing feature. */
export function featureVector(f: WorkloadFeatures): Float64Array {
  const v = new Float64Array(FEATURE_COUNT);
  for (let j = 0; j < FEATURE_COUNT; j++) v[j] = f[FEATURE_KEYS[j]] ?? NaN;
  return v;
}

/**
 * Feature-wise median over several runs (of one workload); a feature missing in every run stays null.
 * With an even count the median is the mean of the two middle values (in feature space, i.e. the
 * geometric mean of volume + 1).
 * @throws Error when `runs` is empty.
 */
export function medianFeatures(runs: readonly WorkloadFeatures[]): WorkloadFeatures {
  if (runs.length === 0) throw new Error('medianFeatures: no runs');
  const out = {} as Record<(typeof FEATURE_KEYS)[number], number | null>;
  for (const k of FEATURE_KEYS) {
    const xs = runs
      .map((f) => f[k])
      .filter((x): x is number => x !== null)
      .sort((a, b) => a - b);
    out[k] =
      xs.length === 0
        ? null
        : xs.length % 2 === 1
          ? xs[(xs.length - 1) / 2]
          : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
  }
  // Only cpuShare can be null in the inputs, so only it can be null here.
  return out as unknown as WorkloadFeatures;
}

/** One answer of `SimilarWorkloadIndex.nearest`. */
export interface SimilarWorkload {
  /** `App Name` of the indexed workload. */
  appName: string;
  /** Distance in spreads (see the module doc): 0 = same workload, 1 = one feature off by one spread. */
  distance: number;
  /** The workload's indexed features (median over its runs). */
  features: WorkloadFeatures;
}

/** Options of `SimilarWorkloadIndex.nearest`. */
export interface NearestOptions {
  /** Leave out the workload of this `App Name` (the query's own workload). */
  excludeAppName?: string;
}

/**
 * Nearest workloads by what they do among many: one feature vector per app name (the median over its runs),
 * each feature divided by its spread across the index. Vectors are precomputed in one Float64Array and
 * `nearest` scans all of them (O(workloads × features), no allocation per workload); on 100,000 workloads that is a
 * few milliseconds: median 1.2 ms, p99 2.3 ms for k = 5 on 100,000 synthetic workloads in test/bench/similar-workloads.ts.
 */
export class SimilarWorkloadIndex {
  /** Spread (divisor) of each feature, in `FEATURE_KEYS` order. */
  readonly spreads: Float64Array;
  private readonly byName: Map<string, number>;

  private constructor(
    private readonly names: string[],
    private readonly features: WorkloadFeatures[],
    /** names.length × FEATURE_COUNT scaled values, row-major; NaN where a feature is missing. */
    private readonly scaled: Float64Array,
    spreads: Float64Array,
  ) {
    this.spreads = spreads;
    this.byName = new Map(names.map((n, i) => [n, i]));
  }

  /**
   * Index of the records' workloads: their features grouped by `appName`, one median vector per name.
   * @param records runs of any number of workloads (e.g. `HistoryStore.allRuns()`); none gives an empty index.
   */
  static fromRecords(records: Iterable<ApplicationRecord>): SimilarWorkloadIndex {
    const groups = new Map<string, WorkloadFeatures[]>();
    for (const r of records) {
      const g = groups.get(r.appName);
      if (g) g.push(workloadFeatures(r));
      else groups.set(r.appName, [workloadFeatures(r)]);
    }
    return SimilarWorkloadIndex.fromFeatures(
      [...groups].map(([appName, runs]) => ({ appName, features: runs.length === 1 ? runs[0] : medianFeatures(runs) })),
    );
  }

  /** Index from per-application totals (`HistoryStore.applicationTotals`), grouped by `appName` as {@link fromRecords}. */
  static fromTotals(rows: Iterable<WorkloadTotals & { appName: string }>): SimilarWorkloadIndex {
    const groups = new Map<string, WorkloadFeatures[]>();
    for (const r of rows) {
      const f = workloadFeaturesFromTotals(r);
      const g = groups.get(r.appName);
      if (g) g.push(f);
      else groups.set(r.appName, [f]);
    }
    return SimilarWorkloadIndex.fromFeatures(
      [...groups].map(([appName, runs]) => ({ appName, features: runs.length === 1 ? runs[0] : medianFeatures(runs) })),
    );
  }

  /**
   * Index of already computed per-workload features (one entry per workload; a repeated name keeps the last).
   * Spread of a feature = population standard deviation of the workloads' values, at least `MIN_SPREAD`.
   */
  static fromFeatures(workloads: readonly { appName: string; features: WorkloadFeatures }[]): SimilarWorkloadIndex {
    const last = new Map<string, WorkloadFeatures>();
    for (const w of workloads) last.set(w.appName, w.features);
    const names = [...last.keys()];
    const feats = [...last.values()];
    const n = names.length;
    const raw = new Float64Array(n * FEATURE_COUNT);
    for (let i = 0, off = 0; i < n; i++) for (const k of FEATURE_KEYS) raw[off++] = feats[i][k] ?? NaN;
    const spreads = new Float64Array(FEATURE_COUNT);
    for (let j = 0; j < FEATURE_COUNT; j++) {
      let count = 0;
      let mean = 0;
      let m2 = 0;
      for (let i = 0; i < n; i++) {
        const x = raw[i * FEATURE_COUNT + j];
        if (x !== x) continue; // NaN: missing
        count++;
        const d = x - mean;
        mean += d / count;
        m2 += d * (x - mean); // Welford
      }
      const sd = count > 0 ? Math.sqrt(m2 / count) : 0;
      spreads[j] = Math.max(sd, MIN_SPREAD[FEATURE_KEYS[j]]);
    }
    for (let i = 0; i < raw.length; i++) raw[i] /= spreads[i % FEATURE_COUNT];
    return new SimilarWorkloadIndex(names, feats, raw, spreads);
  }

  /** Number of workloads (distinct app names) indexed. */
  get size(): number {
    return this.names.length;
  }

  /** The indexed (median) features of `appName`, or undefined when it is not indexed. */
  featuresOf(appName: string): WorkloadFeatures | undefined {
    const i = this.byName.get(appName);
    return i === undefined ? undefined : this.features[i];
  }

  /**
   * Distance between two feature sets with this index's spreads (see the module doc).
   * @returns NaN only when the two share no present feature (cannot happen: only `cpuShare` can be missing).
   */
  distance(a: WorkloadFeatures, b: WorkloadFeatures): number {
    const va = this.scale(a);
    const vb = this.scale(b);
    let sum = 0;
    let present = 0;
    for (let j = 0; j < FEATURE_COUNT; j++) {
      const d = va[j] - vb[j];
      if (d !== d) continue;
      sum += d * d;
      present++;
    }
    return present === 0 ? NaN : Math.sqrt((sum * FEATURE_COUNT) / present);
  }

  /**
   * The `k` indexed workloads nearest to `features`, nearest first (ties in index order).
   * @param k how many (fewer when the index is smaller).
   */
  nearest(features: WorkloadFeatures, k: number, opts: NearestOptions = {}): SimilarWorkload[] {
    const q = this.scale(features);
    const skip = opts.excludeAppName === undefined ? -1 : (this.byName.get(opts.excludeAppName) ?? -1);
    const want = Math.max(0, Math.min(Math.floor(k), this.names.length - (skip >= 0 ? 1 : 0)));
    if (want === 0) return [];
    // Top-k by squared (missing-scaled) distance, kept sorted ascending in two small typed arrays.
    const bestD = new Float64Array(want).fill(Infinity);
    const bestI = new Int32Array(want).fill(-1);
    const v = this.scaled;
    const n = this.names.length;
    const D = FEATURE_COUNT;
    for (let i = 0, off = 0; i < n; i++, off += D) {
      if (i === skip) continue;
      // The partial sum only grows, and the missing-feature scaling (D / present ≥ 1) only enlarges
      // it, so a workload whose partial sum already passes the k-th best is out.
      const worst = bestD[want - 1];
      let sum = 0;
      let present = 0;
      let j = 0;
      for (; j < D && sum < worst; j++) {
        const d = q[j] - v[off + j];
        if (d === d) {
          sum += d * d;
          present++;
        }
      }
      if (j < D) continue;
      const s = present === D ? sum : present === 0 ? Infinity : (sum * D) / present;
      if (s >= worst) continue;
      let p = want - 1;
      while (p > 0 && bestD[p - 1] > s) {
        bestD[p] = bestD[p - 1];
        bestI[p] = bestI[p - 1];
        p--;
      }
      bestD[p] = s;
      bestI[p] = i;
    }
    const out: SimilarWorkload[] = [];
    for (let p = 0; p < want && bestI[p] >= 0; p++)
      out.push({ appName: this.names[bestI[p]], distance: Math.sqrt(bestD[p]), features: this.features[bestI[p]] });
    return out;
  }

  private scale(f: WorkloadFeatures): Float64Array {
    const v = featureVector(f);
    for (let j = 0; j < FEATURE_COUNT; j++) v[j] /= this.spreads[j];
    return v;
  }
}

/** What `similarWorkloadIndexFromStore` needs of the history store (`HistoryStore` has both). */
export interface RunSource {
  /** Number of applications stored. */
  countApplications(): number;
  /** Full records, newest first, at most `limit`. */
  allRuns(limit?: number): ApplicationRecord[];
  /** Totals of every application without stages (`HistoryStore.applicationTotals`); used when present. */
  applicationTotals?(): (WorkloadTotals & { appName: string })[];
}

/**
 * Index of every workload in the store: from `applicationTotals()` (one query over the applications and a grouped count of
 * their stages) when the store has it, else from full records (`allRuns(countApplications())`, which reads every
 * stage and executor row too and costs far more). Build it once per collection and reuse it for hovers
 * (the language service caches it); test/bench/similar-workloads.ts measures both reads.
 */
export function similarWorkloadIndexFromStore(store: RunSource): SimilarWorkloadIndex {
  if (store.applicationTotals !== undefined) return SimilarWorkloadIndex.fromTotals(store.applicationTotals());
  return SimilarWorkloadIndex.fromRecords(store.allRuns(Math.max(1, store.countApplications())));
}

/** Spreads used by `describeSimilarity` without an index: `MIN_SPREAD` in `FEATURE_KEYS` order. */
const DEFAULT_SPREADS = Float64Array.from(FEATURE_KEYS, (k) => MIN_SPREAD[k]);

/** One feature's difference, as `describeSimilarity` ranks them. */
export interface FeatureDifference {
  feature: (typeof FEATURE_KEYS)[number];
  /** |a − b| / spread. */
  spreads: number;
  /** e.g. "shuffle read 3.1 GiB vs 2.4 GiB". */
  text: string;
}

/**
 * Evidence text: the (at most) `top` features in which `a` and `b` differ most, in spreads, largest
 * first, joined with "; ", e.g. "shuffle read 3.1 GiB vs 2.4 GiB; tasks 20 vs 412". Differences under
 * 0.05 spreads are left out; when none is left the text is "same workload".
 * @param spreads divisors per feature (`SimilarWorkloadIndex.spreads` for the index's scale); default `MIN_SPREAD`.
 */
export function describeSimilarity(
  a: WorkloadFeatures,
  b: WorkloadFeatures,
  spreads: ArrayLike<number> = DEFAULT_SPREADS,
  top = 3,
): string {
  const parts = featureDifferences(a, b, spreads).slice(0, top);
  return parts.length === 0 ? 'same workload' : parts.map((p) => p.text).join('; ');
}

/** Every feature's difference between `a` and `b` above 0.05 spreads, largest first (for `describeSimilarity`). */
export function featureDifferences(
  a: WorkloadFeatures,
  b: WorkloadFeatures,
  spreads: ArrayLike<number> = DEFAULT_SPREADS,
): FeatureDifference[] {
  const out: FeatureDifference[] = [];
  FEATURE_KEYS.forEach((k, j) => {
    const x = a[k];
    const y = b[k];
    if (x === null || y === null) return;
    const s = Math.abs(x - y) / spreads[j];
    if (s < 0.05) return;
    out.push({ feature: k, spreads: s, text: `${LABEL[k]} ${formatFeature(k, x)} vs ${formatFeature(k, y)}` });
  });
  return out.sort((p, q) => q.spreads - p.spreads);
}

const LABEL: Record<(typeof FEATURE_KEYS)[number], string> = {
  logInputBytes: 'input',
  logShuffleReadBytes: 'shuffle read',
  logShuffleWriteBytes: 'shuffle write',
  logOutputBytes: 'output',
  logTasks: 'tasks',
  logStages: 'stages',
  cpuShare: 'CPU share of run time',
  shuffleStageShare: 'stages shuffling',
  logSpillRatio: 'spilled to disk per byte read',
};

/** A feature value back in its own units: bytes (`formatBytes` of ../config/spark-units), a count, or a percentage. */
function formatFeature(k: (typeof FEATURE_KEYS)[number], x: number): string {
  switch (k) {
    case 'logInputBytes':
    case 'logShuffleReadBytes':
    case 'logShuffleWriteBytes':
    case 'logOutputBytes':
      return formatBytes(Math.round(10 ** x - 1));
    case 'logTasks':
    case 'logStages':
      return String(Math.round(10 ** x - 1));
    case 'logSpillRatio':
      return `${Math.round((10 ** x - 1) * 100)}%`;
    default:
      return `${Math.round(x * 100)}%`;
  }
}
