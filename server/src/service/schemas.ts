/**
 * The zod schemas of every request and response of the REST service: fastify validates requests and serialises
 * responses with them (fastify-type-provider-zod), and `/openapi.json` is generated from them (@fastify/swagger), so
 * the document cannot drift from the code. Field names are the store's and History Server REST names, units in the
 * names (`durationMs`, `inputBytes`, `executorMemoryMiB`). The plan and analysis bodies are exactly the JSON of
 * `spark-optimizer recommend|analyze --format json` (cli/engine-commands.ts): their main fields are typed here and the
 * rest passes through (`looseObject`).
 */
import { z } from 'zod';
import { OBJECTIVES } from '../recommend/engine';
import { settingsSchema } from '../../../shared/src/settings';
import { TOKEN_SCOPES } from '../history/service-store';

/** `POST /api/v1/history/read` and its answer: declared with the editor's client of the route (history/team-service.ts). */
export { HistoryReadRequestSchema, HistoryReadResponseSchema } from '../history/team-service';

/**
 * `GET /api/v1/sources` and one collection: declared with the language server's client of the collection routes
 * (history/team-service-collections.ts), which checks the service's answers against them.
 */
export { CollectionSchema, SourceSchema, SourcesResponseSchema } from '../history/team-service-collections';

/** RFC 9457 problem document (service/problems.ts). */
export const ProblemSchema = z
  .object({
    type: z
      .string()
      .describe('Stable URI of the kind of problem, e.g. urn:spark-optimizer:problem:unknown-application'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    collectionId: z
      .number()
      .int()
      .optional()
      .describe('collection-running: the collection that runs (GET /api/v1/collections/{id} follows it)'),
  })
  .meta({ id: 'Problem' });

/** One workload (the runs of one Spark `App Name`) in the store (shared/src/protocol.ts `StoredWorkload`). */
export const WorkloadSchema = z
  .object({
    appName: z.string(),
    runs: z.number().int().describe('Application attempts stored under this name'),
    lastStartTimeMs: z.number().describe('Start of the newest run, epoch ms'),
    medianDurationMs: z.number(),
  })
  .meta({ id: 'Workload' });

/** `GET /api/v1/workloads`. */
export const WorkloadsResponseSchema = z.object({ workloads: z.array(WorkloadSchema) });

/** `GET /api/v1/jobs`: the former name of `/api/v1/workloads`, kept for clients written against it (same list, key `jobs`). */
export const JobsResponseSchema = z.object({ jobs: z.array(WorkloadSchema) });

/** One run (application attempt) without its stages, executors and properties: the scalar fields of ApplicationRecord. */
export const RunSchema = z
  .object({
    appId: z.string(),
    attemptId: z.string().nullable(),
    appName: z.string(),
    user: z.string().nullable(),
    sparkVersion: z.string().nullable(),
    master: z.string().nullable(),
    startTimeMs: z.number(),
    endTimeMs: z.number().nullable(),
    durationMs: z.number(),
    completed: z.boolean(),
    incompleteReason: z.string().nullable(),
    executorCores: z.number().nullable(),
    executorMemoryMiB: z.number().nullable(),
    executorInstances: z.number().nullable(),
    maxExecutors: z.number(),
    shufflePartitions: z.number().nullable(),
    totalTasks: z.number(),
    failedTasks: z.number(),
    totalStages: z.number(),
    failedStages: z.number(),
    executorRunTimeMs: z.number(),
    executorCpuTimeMs: z.number(),
    jvmGcTimeMs: z.number(),
    inputBytes: z.number(),
    outputBytes: z.number(),
    shuffleReadBytes: z.number(),
    shuffleWriteBytes: z.number(),
    memoryBytesSpilled: z.number(),
    diskBytesSpilled: z.number(),
  })
  .meta({ id: 'Run' });

/** Path of `GET /api/v1/workloads/{name}/runs` (and its former name `/api/v1/jobs/{name}/runs`). */
export const WorkloadPathSchema = z.object({ name: z.string().min(1).max(1024) });

/** Query of `GET /api/v1/workloads/{name}/runs`. */
export const RunsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50).describe('Newest runs to return'),
});

/** `GET /api/v1/workloads/{name}/runs`: newest first. */
export const RunsResponseSchema = z.object({ appName: z.string(), runs: z.array(RunSchema) });

/** Path of `GET /api/v1/applications/{appId}`. */
export const ApplicationPathSchema = z.object({ appId: z.string().min(1).max(256) });

/** `GET /api/v1/applications/{appId}`: every stored attempt, oldest first. */
export const ApplicationResponseSchema = z.object({ appId: z.string(), attempts: z.array(RunSchema) });

/** The settings schema's `cluster.*` and `cost.*` leaves (their types and bounds; the service adds length limits). */
const CLUSTER = settingsSchema.shape.cluster.unwrap().shape;
const COST = settingsSchema.shape.cost.unwrap().shape;

/**
 * The engine's options, named as the `sparkOptimizer.*` settings and typed by their schema (shared/src/settings.ts,
 * without its defaults); omitted: the setting's default.
 */
export const EngineOptionsSchema = z
  .object({
    objective: settingsSchema.shape.objective.unwrap().optional(),
    maxSlowdownPercent: settingsSchema.shape.maxSlowdownPercent.unwrap().optional(),
    nodeMemory: CLUSTER.nodeMemory.unwrap().max(32).optional().describe('Memory of one node as a Spark size, e.g. 64g'),
    nodeCores: CLUSTER.nodeCores.unwrap().optional(),
    nodes: CLUSTER.nodes.unwrap().optional(),
    totalCores: CLUSTER.totalCores.unwrap().optional(),
    totalMemory: CLUSTER.totalMemory.unwrap().max(32).optional(),
    pricePerCoreHour: COST.pricePerCoreHour.unwrap().optional(),
    pricePerGiBHour: COST.pricePerGiBHour.unwrap().optional(),
    currency: COST.currency.unwrap().max(16).optional(),
  })
  .meta({ id: 'EngineOptions' });

/** `POST /api/v1/analyze`. */
export const AnalyzeRequestSchema = z.object({
  appId: z.string().min(1).max(256),
  attemptId: z.string().min(1).max(64).optional().describe('Omitted: the newest attempt'),
  options: EngineOptionsSchema.optional(),
});

const FindingSchema = z.looseObject({
  id: z.string(),
  severity: z.string(),
  message: z.string(),
  numbers: z.record(z.string(), z.number()),
  source: z.string(),
  stageId: z.number().optional(),
});

/** `POST /api/v1/analyze`: the JSON of `spark-optimizer analyze APP_ID --format json`. */
export const AnalyzeResponseSchema = z
  .looseObject({
    appId: z.string(),
    attemptId: z.string().nullable(),
    appName: z.string(),
    durationMs: z.number(),
    configuration: z.looseObject({}).nullable(),
    findings: z.array(FindingSchema),
    whatIf: z.looseObject({
      byExecutorInstances: z.array(z.looseObject({})),
      byExecutorCores: z.array(z.looseObject({})),
    }),
  })
  .meta({ id: 'Analysis' });

/* eslint-disable no-control-regex -- matching control characters is the point: they are refused in job text and names. */
/** Text without control characters (C0 and DEL). */
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;
/** A file name: no folders, no C0 control characters. */
const FILE_NAME = /^[^/\\\u0000-\u001f]+$/;
/* eslint-enable no-control-regex */

/** A line of text, no control characters (a setting's key or value written into the job text the engine reads). */
const settingText = z.string().max(4096).regex(NO_CONTROL_CHARACTERS, 'no control characters');

/** `POST /api/v1/recommend` with a job file's text. */
export const RecommendFileRequestSchema = z
  .strictObject({
    text: z
      .string()
      .max(8 * 1024 * 1024)
      .describe("The job file's text (PySpark, spark-submit script, spark-defaults, job definition)"),
    kind: z
      .string()
      .max(64)
      .optional()
      .describe(
        'Its LSP language id (python, shellscript, spark-defaults, yaml, json, ini, ...); omitted: from fileName and the text',
      ),
    fileName: z
      .string()
      .max(255)
      .regex(FILE_NAME, 'a file name without folders')
      .optional()
      .describe('Its file name (a job-matching key, like the editor uses the document name); never read'),
    options: EngineOptionsSchema.optional(),
  })
  .meta({ id: 'RecommendFile' });

/** `POST /api/v1/recommend` with settings instead of a file. */
export const RecommendSettingsRequestSchema = z
  .strictObject({
    appName: settingText.min(1).describe('The job (spark.app.name)'),
    settings: z
      .record(z.string().regex(/^spark\.[\w.-]+$/, 'a Spark configuration key'), settingText)
      .describe('Spark configuration keys and values as the job sets them'),
    options: EngineOptionsSchema.optional(),
  })
  .meta({ id: 'RecommendSettings' });

/** `POST /api/v1/recommend`. */
export const RecommendRequestSchema = z.union([RecommendFileRequestSchema, RecommendSettingsRequestSchema]);

const EvidenceSchema = z.looseObject({ appId: z.string(), metric: z.string(), value: z.string() });

/** One setting of a plan. */
export const PlannedSettingSchema = z
  .looseObject({
    key: z.string(),
    current: z.string().nullable(),
    effective: z.string(),
    recommended: z.string(),
    change: z.boolean(),
    reason: z.string(),
    message: z.string(),
    evidence: z.array(EvidenceSchema),
    confidence: z.number(),
  })
  .meta({ id: 'PlannedSetting' });

/** One application's plan: the JSON of `spark-optimizer recommend FILE --format json`. */
export const PlanSchema = z
  .looseObject({
    line: z.number().int().describe('1-based line of the application in the text'),
    workload: z
      .string()
      .describe(
        'App Name of the workload the application matched; for a cold start, the application (its spark.app.name or file name)',
      ),
    runs: z.number().int().describe('Runs of the workload the plan read (0 for a cold start)'),
    coldStart: z
      .boolean()
      .describe(
        'No runs of its own: a first plan from the workloads run on the same spark.master (its notes name them), as the editor shows it',
      ),
    objective: z.enum(OBJECTIVES),
    manager: z.string(),
    confidence: z.number(),
    settings: z.array(PlannedSettingSchema),
    pareto: z.array(z.looseObject({})),
    findings: z.array(z.looseObject({ id: z.string(), message: z.string() })),
    notes: z.array(z.string()),
  })
  .meta({ id: 'Plan' });

/** `POST /api/v1/recommend`: a plan per application that matched a workload with runs, or got a cold-start plan. */
export const RecommendResponseSchema = z.object({
  plans: z.array(PlanSchema),
  unmatched: z
    .array(z.object({ line: z.number().int(), appName: z.string().nullable() }))
    .describe('Applications of the text without a plan: no runs of their own and none on their spark.master'),
});

/** `POST /api/v1/feedback`. */
export const FeedbackRequestSchema = z
  .strictObject({
    verdict: z.enum(['applied', 'accepted', 'rejected']),
    appName: settingText.min(1),
    key: z.string().regex(/^spark\.[\w.-]+$/, 'a Spark configuration key'),
    recommendedValue: settingText.optional(),
    previousValue: settingText.optional(),
    reason: z.string().max(4096).optional(),
    fileUri: z.string().max(2048).optional().describe('The job file as the client names it (stored, never read)'),
  })
  .refine((f) => f.verdict !== 'applied' || f.recommendedValue !== undefined, {
    message: 'applied feedback needs recommendedValue (the value written)',
    path: ['recommendedValue'],
  })
  .meta({ id: 'Feedback' });

/** `POST /api/v1/feedback`: 201. */
export const FeedbackResponseSchema = z.object({ id: z.number().int(), appliedFixId: z.number().int().nullable() });

/** `GET /api/v1/tokens` (admin): tokens without their hashes. */
export const TokensResponseSchema = z.object({
  tokens: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      scope: z.enum(TOKEN_SCOPES),
      createdAtMs: z.number(),
      revokedAtMs: z.number().nullable(),
    }),
  ),
});

/** `GET /health`. */
export const HealthResponseSchema = z.object({
  status: z.literal('ok'),
  applications: z.number().int(),
  schemaVersion: z.number().int().optional(),
});
