/**
 * Thresholds of the first-version rules, each named after the published rule it comes from
 * (../shared/docs/prior-art.md lists them with their sources). Changing one changes what is flagged:
 * keep the citation with the number.
 */
export const THRESHOLDS = {
  /**
   * Disk spill counts when a run spilled at least this share of the bytes it processed
   * (input + shuffle read). Dr. Elephant ConfigurationParametersHeuristic spill ratio, lowest grade 0.01
   * (`ConfigurationHeuristicsConstants.scala`).
   */
  spillRatioLow: 0.01,
  /** Ignore spill below this many bytes (noise: a few KiB of spill is not worth a setting change). */
  spillMinBytes: 16 * 1024 * 1024,
  /**
   * GC share of executor run time above which memory is too small: Dr. Elephant ExecutorGcHeuristic
   * moderate grade 0.10 (its low grade is 0.08), Kubeflow MCP > 10 %.
   */
  gcShareHigh: 0.1,
  /** Dr. Elephant checks GC only when total executor run time ≥ 5 min; we use 1 min so short jobs still count, and say so. */
  gcMinExecutorRunTimeMs: 60_000,
  /**
   * Task skew: max/median task duration above this, DataFlint partitionSkew (> 10 with max > 5 s);
   * Dr. Elephant's grades start at 2 but only for tasks ≥ 150 s.
   */
  skewRatio: 10,
  /** DataFlint partitionSkew: the longest task must run at least 5 s. */
  skewMinMaxTaskMs: 5_000,
  /**
   * Idle executor cores: DataFlint idleCoresTooHigh fires when more than 50 % of executor-core time is
   * idle (`ExecutorsReducer.ts`), i.e. utilisation below 0.5.
   */
  utilisationLow: 0.5,
  /** Utilisation we size executor counts for when cutting idle capacity (leaves head-room above DataFlint's 50 %). */
  utilisationTarget: 0.7,
  /**
   * Small tasks: DataFlint smallTasks uses median task < 500 ms (with > 5000 tasks). We scale the count to
   * the cluster: more than `tinyTasksPerCore` tasks per available core (Spark tuning guide: "2-3 tasks per
   * CPU core", docs/tuning.html#level-of-parallelism).
   */
  tinyTaskMedianMs: 500,
  tinyTasksPerCore: 10,
  /** Spark tuning guide: 2-3 tasks per CPU core; we recommend 3. */
  tasksPerCoreTarget: 3,
  /** Target bytes of shuffle data per partition: DataFlint's ideal 128 MiB per file/partition. */
  targetPartitionBytes: 128 * 1024 * 1024,
  /**
   * Over-provisioned heap: DataFlint executorMemoryTooLow, max heap used < 70 % of executor memory;
   * Dr. Elephant JvmUsedMemoryHeuristic suggests 1.2 × peak JVM used + 300 MiB reserved memory.
   */
  heapUsedLow: 0.7,
  heapHeadroom: 1.2,
  reservedMemoryMiB: 300,
  /** Dr. Elephant only flags over-provisioned memory when executor memory > 2 GiB. */
  heapCheckMinMemoryMiB: 2048,
  /** Dr. Elephant caps executor cores at 4 in its recommender (ConfigurationParametersHeuristic). */
  maxRecommendedCores: 4,
  /** YARN/K8s default overhead: max(384 MiB, 0.10 × executor memory) (Spark configuration docs, spark.executor.memoryOverhead). */
  overheadMinMiB: 384,
  overheadFactor: 0.1,
  /** Dr. Elephant StagesWithFailedTasksHeuristic: raise memoryOverhead by 1 GiB on container kills. */
  overheadStepMiB: 1024,

  // Grades (low / moderate / severe / critical) of the per-run findings (analysis/run-findings.ts).
  /** Stage spill ratio (disk spill / bytes processed) grades: Dr. Elephant ConfigurationParametersHeuristic (`ConfigurationHeuristicsConstants.scala`). */
  spillRatioGrades: [0.01, 0.1, 0.25, 0.5],
  /** Dr. Elephant ExecutorStorageSpillHeuristic: the problem is general when at least 20 % of executors spilled. */
  executorSpillShare: 0.2,
  /** GC share grades: Dr. Elephant ExecutorGcHeuristic high-GC thresholds 0.08/0.10/0.15/0.20. */
  gcShareGrades: [0.08, 0.1, 0.15, 0.2],
  /** Peak JVM heap above 95 % of the heap: DataFlint executorMemoryTooHigh ("usage > 95 %, suggests +20 %"). */
  heapUsedHigh: 0.95,
  /** Skew grades (max/median task duration): Dr. Elephant ConfigurationParametersHeuristic 2/4/8/16; flagged only past DataFlint's guard (skewRatio, skewMinMaxTaskMs). */
  skewGrades: [2, 4, 8, 16],
  /** Median task duration grades (too few, huge tasks): Dr. Elephant ConfigurationParametersHeuristic 2.5/5/10/15 min. */
  medianTaskGradesMs: [150_000, 300_000, 600_000, 900_000],
  /** Input or shuffle-read bytes per task below this is small: spark-advisor-rules 0.1.13 (< 10 MB; critical < 1 MB). */
  smallBytesPerTask: 10 * 1000 * 1000,
  /** A stage counts for partition-size and tasks-per-core findings only when it ran at least this share of the run (own guard against flagging trivial stages). */
  stageMinShareOfRun: 0.1,
  /** Task failure rate grades: Dr. Elephant ConfigurationParametersHeuristic 0.05/0.10/0.15/0.20. */
  taskFailureGrades: [0.05, 0.1, 0.15, 0.2],
  /** Job / stage failure rate grades: Dr. Elephant JobsHeuristic / StagesHeuristic 0.1/0.3/0.5/0.5. */
  jobFailureGrades: [0.1, 0.3, 0.5, 0.5],
  /** Idle core-time share grades: spark-advisor slot use < 40 % (critical < 20 %) and DataFlint idleCoresTooHigh (> 50 % idle), as idle shares 0.5/0.6/0.7/0.8. */
  idleShareGrades: [0.5, 0.6, 0.7, 0.8],
  /** Driver-only share of wall time: Sparklens reports it with no threshold; we flag from 50 % (own choice, said in the finding). */
  driverOnlyShareHigh: 0.5,
  /** `spark.memory.fraction` default: unified region M = 0.6 × (heap − 300 MiB) (Spark tuning guide, "Memory Management Overview"). */
  memoryFraction: 0.6,
  /**
   * A task's peak execution memory at or above this share of its fair share of the unified region (M / cores:
   * Spark's ExecutionMemoryPool lets each of N active tasks take at most 1/N of the pool, `ExecutionMemoryPool.scala`)
   * means tasks ran into the cap.
   */
  executionShareHigh: 0.9,
} as const;

/**
 * DataFlint Compute Unit weights: DCU = memory-GiB-hours × 0.005 + core-hours × 0.05
 * (dataflint/spark@edd3207 `spark-plugin/.../saas/StoreMetadataExtractor.scala`, `totalDCU`; its "GB" is MiB / 1024).
 */
export const DCU_PER_GIB_HOUR = 0.005;
export const DCU_PER_CORE_HOUR = 0.05;
