/**
 * The Spark resource model: the one place that knows how Spark turns settings into executors and memory.
 *
 * - conf.ts: reading a job's properties, with Spark's defaults from the configuration catalogue;
 * - cluster-manager.ts: the manager of a master URL, the key that sets the executor count, the keys a manager ignores;
 * - container.ts: executor and driver container sizes (heap + overhead + off-heap + PySpark memory), what the manager
 *   sets aside, the unified memory region per task;
 * - executors.ts: executors × cores and task slots a job's settings give it, and the settings that ask for a shape;
 * - cluster.ts: the cluster's limits (declared or seen in the runs) and whether a shape fits;
 * - cost.ts: core-hours, memory-GiB-hours, DataFlint Compute Units and money of held capacity.
 *
 * Every figure of the product (checks, analysis, the engine, hovers, the CLI, the evaluation) asks these modules.
 * Plain data and pure functions: no LSP, no I/O.
 */
export * from './conf';
export * from './cluster-manager';
export * from './container';
export * from './executors';
export * from './cluster';
export * from './cost';
export * from './run';
