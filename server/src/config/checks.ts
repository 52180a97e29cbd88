import { distance } from 'fastest-levenshtein';
import type { ApplicationSite } from './application-sites';
import { allKeys, checkValue, deprecation, lookupKey, NEWEST_VERSION_LINE, VersionLine } from './catalogue';
import type { Range, SparkSetting } from './setting';
import { formatSparkSizeMiB } from './spark-units';
import { clusterManagerOf, type ContainerSize, executorContainer as modelExecutorContainer } from '../resource-model';

/** Stable codes of the checks run before a job runs; users turn them off with `sparkOptimizer.checks.disabled`. */
export const CHECK_CODES = {
  /** A key Spark does not know that is one or two edits from one it does. */
  unknownKey: 'SPARK001',
  /** A value Spark rejects or misreads. */
  invalidValue: 'SPARK002',
  /** A value Spark accepts that makes no sense (out of range). */
  outOfRange: 'SPARK003',
  /** A deprecated, renamed or removed key. */
  deprecatedKey: 'SPARK004',
  /** A setting written where it cannot take effect. */
  ineffective: 'SPARK005',
  /** `spark.driver.memory` set in code: ignored in client mode. */
  driverMemoryInCode: 'SPARK006',
  /** Dynamic allocation on with a fixed `spark.executor.instances`. */
  dynamicAllocationWithInstances: 'SPARK007',
  /** Dynamic allocation without shuffle tracking or an external shuffle service. */
  dynamicAllocationWithoutShuffle: 'SPARK008',
  /** `spark.executor.cores` above the cores of a node. */
  coresAboveNode: 'SPARK009',
  /** Executor container larger than a node. */
  containerAboveNode: 'SPARK010',
} as const;

/** One finding of a check: where, how bad, what, and (when safe) the edit that fixes it. */
export interface ConfigFinding {
  code: string;
  severity: 'error' | 'warning' | 'info';
  range: Range;
  message: string;
  /** A safe fix: replace `range` with `newText`. */
  fix?: { title: string; range: Range; newText: string };
}

/** The cluster the user says the job runs on (`sparkOptimizer.cluster.*`); 0 = unknown, check skipped. */
export interface ClusterShape {
  nodeMemoryMiB: number;
  nodeCores: number;
}

/**
 * Runs the checks that need no history on one application's settings.
 * @param site the application's settings (effective values: last one written wins).
 * @param cluster node size for the container checks (0 = unknown).
 * @param languageId `python` marks a PySpark job (non-JVM: Kubernetes overhead factor 0.4).
 * @param disabled codes left out.
 * @param versionLine Spark release line the values are checked against (newest known when the file does not say).
 * @returns findings, grouped by check.
 */
export function checkSite(
  site: ApplicationSite,
  cluster: ClusterShape,
  languageId: string,
  disabled: ReadonlySet<string> = new Set(),
  versionLine: VersionLine = NEWEST_VERSION_LINE,
): ConfigFinding[] {
  const out: ConfigFinding[] = [];
  const get = (k: string) => site.effective.get(k);
  const val = (k: string) => {
    const s = get(k);
    return s && s.literal ? s.value : undefined;
  };
  const push = (f: ConfigFinding) => {
    if (!disabled.has(f.code)) out.push(f);
  };

  // SPARK001-004: each key and value against the catalogue (Spark's own declarations and error texts).
  for (const s of site.all) out.push(...checkKeyAndValue(s, versionLine).filter((f) => !disabled.has(f.code)));

  // SPARK005: settings written where they cannot take effect (readers set `ineffective` with the reason).
  for (const s of site.all) {
    if (s.ineffective)
      push({
        code: CHECK_CODES.ineffective,
        severity: 'warning',
        range: s.range,
        message: `${s.key}: ${s.ineffective}`,
      });
  }

  // SPARK006: Spark configuration docs, spark.driver.memory: "In client mode, this config must not be set through
  // the SparkConf directly in your application, because the driver JVM has already started at that point."
  const driverMem = get('spark.driver.memory');
  const inCode =
    driverMem &&
    (driverMem.origin === 'spark-session-builder' ||
      driverMem.origin === 'spark-conf' ||
      driverMem.origin === 'runtime-conf');
  if (driverMem && inCode && val('spark.submit.deployMode') !== 'cluster') {
    push({
      code: CHECK_CODES.driverMemoryInCode,
      severity: 'info',
      range: driverMem.range,
      message:
        'spark.driver.memory set in code has no effect when the job is started with spark-submit in client mode: the driver JVM is already running. Pass --driver-memory to spark-submit or set it in spark-defaults.conf (it does apply when the script starts its own JVM with plain `python`).',
    });
  }

  // SPARK007: Utils.getDynamicAllocationInitialExecutors: initial = max(minExecutors, initialExecutors, spark.executor.instances),
  // after which dynamic allocation scales freely; the fixed count is only a starting point.
  const dynamic = val('spark.dynamicAllocation.enabled') === 'true';
  const instances = get('spark.executor.instances');
  if (dynamic && instances) {
    push({
      code: CHECK_CODES.dynamicAllocationWithInstances,
      severity: 'warning',
      range: instances.range,
      message: `spark.executor.instances=${instances.raw} with spark.dynamicAllocation.enabled=true: Spark only starts with max(minExecutors, initialExecutors, instances) executors and then scales between spark.dynamicAllocation.minExecutors and maxExecutors. Set those bounds instead, or turn dynamic allocation off for a fixed size.`,
    });
  }

  // SPARK008: ExecutorAllocationManager.validateSettings throws "Dynamic allocation of executors requires one of the
  // following conditions: 1) enabling external shuffle service through spark.shuffle.service.enabled. 2) enabling shuffle
  // tracking through spark.dynamicAllocation.shuffleTracking.enabled. 3) enabling shuffle blocks decommission ..."
  // (SparkException seen in apache/gluten#7559 with Spark 3.4). The tracking default differs across versions, so only an
  // explicit `false` is flagged.
  const da = get('spark.dynamicAllocation.enabled');
  if (
    dynamic &&
    da &&
    val('spark.shuffle.service.enabled') !== 'true' &&
    val('spark.dynamicAllocation.shuffleTracking.enabled') === 'false'
  ) {
    push({
      code: CHECK_CODES.dynamicAllocationWithoutShuffle,
      severity: 'error',
      range: da.range,
      message:
        'Dynamic allocation needs the external shuffle service or shuffle tracking: with neither, SparkContext fails with "Dynamic allocation of executors requires one of the following conditions". Set spark.dynamicAllocation.shuffleTracking.enabled=true or spark.shuffle.service.enabled=true (or spark.decommission.enabled with spark.storage.decommission.shuffleBlocks.enabled).',
    });
  }

  // SPARK009: an executor cannot have more cores than a node.
  const coresSetting = get('spark.executor.cores');
  const cores = Number(val('spark.executor.cores'));
  if (cluster.nodeCores > 0 && coresSetting && Number.isInteger(cores) && cores > cluster.nodeCores) {
    push({
      code: CHECK_CODES.coresAboveNode,
      severity: 'error',
      range: coresSetting.range,
      message: `spark.executor.cores=${cores} is more than the ${cluster.nodeCores} cores of a node (sparkOptimizer.cluster.nodeCores): no executor can be placed.`,
      fix: coresSetting.literal
        ? {
            title: `Set spark.executor.cores to ${cluster.nodeCores}`,
            range: coresSetting.range,
            newText: String(cluster.nodeCores),
          }
        : undefined,
    });
  }

  // SPARK010: the executor container as Spark computes it (resource-model/container.ts).
  if (cluster.nodeMemoryMiB > 0) {
    const c = executorContainer(site, languageId);
    if (c && c.totalMiB > cluster.nodeMemoryMiB) {
      const at: SparkSetting | undefined = get('spark.executor.memory') ?? get('spark.executor.memoryOverhead');
      push({
        code: CHECK_CODES.containerAboveNode,
        severity: 'error',
        range: at
          ? at.range
          : {
              start: site.range.start,
              end: { line: site.range.start.line, character: site.range.start.character + 1 },
            },
        message: `Executor container ${c.arithmetic} = ${formatSparkSizeMiB(c.totalMiB)} is more than a node's ${formatSparkSizeMiB(cluster.nodeMemoryMiB)} (sparkOptimizer.cluster.nodeMemory): no executor can be placed.`,
      });
    }
  }
  return out;
}

/**
 * The executor container size Spark requests for a site's settings (the resource model's
 * `executorContainer`: heap + overhead + off-heap + PySpark memory); null when a value it needs is not a literal or
 * not a valid size.
 * @param languageId `python` marks a Python application (PySpark memory, Kubernetes' non-JVM factor 0.40).
 */
export function executorContainer(
  site: ApplicationSite,
  languageId: string,
  memoryMiBOverride?: number,
): ContainerSize | null {
  for (const k of CONTAINER_KEYS) {
    const s = site.effective.get(k);
    if (s !== undefined && !s.literal) return null;
  }
  const lookup = (k: string) => {
    const s = site.effective.get(k);
    return s !== undefined && s.literal && s.value !== null ? s.value : undefined;
  };
  return modelExecutorContainer(
    lookup,
    clusterManagerOf(lookup('spark.master')),
    { isPython: languageId === 'python' },
    memoryMiBOverride,
  );
}

/** The keys the container size depends on (a non-literal one makes it unknown). */
const CONTAINER_KEYS = [
  'spark.executor.memory',
  'spark.executor.memoryOverhead',
  'spark.executor.memoryOverheadFactor',
  'spark.kubernetes.memoryOverheadFactor',
  'spark.executor.minMemoryOverhead',
  'spark.memory.offHeap.enabled',
  'spark.memory.offHeap.size',
  'spark.executor.pyspark.memory',
  'spark.master',
];

/**
 * Deprecated keys whose value Spark converts when it reads them in place of their replacement
 * (`SparkConf.configsWithAlternatives` `translation`: `spark.kryoserializer.buffer.mb` 0.064 → `64k`,
 * `spark.yarn.applicationMaster.waitTries` n → `${n * 10}s`). Renaming the key alone would change the value's
 * meaning, so SPARK004 offers no quick fix for them.
 */
const VALUE_TRANSLATED_ON_RENAME: ReadonlySet<string> = new Set([
  'spark.kryoserializer.buffer.mb',
  'spark.yarn.applicationMaster.waitTries',
]);

/**
 * The quick fix that rewrites a setting's key as written to `newKey`, when the reader knows where the key is written
 * (`SparkSetting.keyRange`); undefined for keys implied by a flag, keyword or field.
 */
function renameFix(s: SparkSetting, newKey: string): ConfigFinding['fix'] {
  return s.keyRange ? { title: `Replace with ${newKey}`, range: s.keyRange, newText: newKey } : undefined;
}

/** Largest edit distance at which an unknown key is taken for a misspelling of a known one. */
const MAX_KEY_EDITS = 2;
let knownKeys: string[] | null = null;

/**
 * The catalogue key nearest to `key` within MAX_KEY_EDITS edits (Levenshtein), or null.
 * @param key a key the catalogue does not hold.
 */
export function nearestKnownKey(key: string): string | null {
  knownKeys ??= allKeys();
  let best: string | null = null;
  let bestD = MAX_KEY_EDITS + 1;
  for (const k of knownKeys) {
    if (Math.abs(k.length - key.length) > MAX_KEY_EDITS) continue;
    const d = distance(k, key);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

/**
 * SPARK001-004 for one setting: deprecated key (SPARK004, from Spark's deprecation tables), unknown key close to a
 * known one (SPARK001), a value Spark rejects (SPARK002, Spark's own error text) or accepts but makes no sense
 * (SPARK003). Non-literal values are not checked.
 */
function checkKeyAndValue(s: SparkSetting, versionLine: VersionLine): ConfigFinding[] {
  const dep = deprecation(s.key);
  if (dep) {
    const what = dep.kind === 'removed' || dep.kind === 'ignored' ? 'has no effect' : 'is deprecated';
    const finding: ConfigFinding = {
      code: CHECK_CODES.deprecatedKey,
      severity: 'warning',
      // On the key when it is written literally: the key is what is wrong.
      range: s.keyRange ?? s.range,
      message: `${s.key} ${what} (since Spark ${dep.since})${dep.replacement ? `: use ${dep.replacement}` : ''}. ${dep.note}`,
    };
    if (dep.replacement && !VALUE_TRANSLATED_ON_RENAME.has(s.key)) {
      const fix = renameFix(s, dep.replacement);
      if (fix) finding.fix = fix;
    }
    return [finding];
  }
  const entry = lookupKey(s.key);
  if (!entry) {
    const near = nearestKnownKey(s.key);
    if (!near) return [];
    const finding: ConfigFinding = {
      code: CHECK_CODES.unknownKey,
      severity: 'warning',
      range: s.keyRange ?? s.range,
      message: `Spark has no key ${s.key}: did you mean ${near}? Spark ignores unknown keys, so this value has no effect.`,
    };
    const fix = renameFix(s, near);
    if (fix) finding.fix = fix;
    return [finding];
  }
  if (!s.literal || s.value === null) return [];
  const r = checkValue(s.key, s.value, versionLine);
  if (r.ok) return [];
  return [
    {
      code: r.severity === 'error' ? CHECK_CODES.invalidValue : CHECK_CODES.outOfRange,
      severity: r.severity,
      range: s.range,
      message: `${s.key}=${s.value}: ${r.message}`,
    },
  ];
}
