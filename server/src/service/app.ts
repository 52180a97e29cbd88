/**
 * The optimizer as an HTTP service (`spark-optimizer serve`): Fastify routes over a {@link ServiceStore}, each a thin
 * front end of the core the editor and the CLI use (the language service and recommend/engine.ts through
 * cli/engine-commands.ts, so `/recommend` gives the plan `spark-optimizer recommend` and the editor give). Requests and
 * responses are checked against service/schemas.ts; `/openapi.json` is generated from the same schemas. Errors are RFC
 * 9457 problem documents (service/problems.ts). Every `/api/v1` route needs a bearer token of a scope that allows it:
 * one of the service's own `spo_` tokens (service/tokens.ts), or, when an issuer is configured, an OIDC/OAuth2 JWT
 * access token (service/oidc.ts); `/health`, `/metrics` and `/openapi.json` answer without one (no history in them).
 * Given a certificate and key, the service speaks only HTTPS (Node's TLS server: a plain-HTTP request on its port gets
 * no HTTP answer, the connection is closed).
 *
 * No route reads a file: a job file is sent as text, and its name is only a matching key.
 */
import { pathToFileURL } from 'url';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { z } from 'zod';
import { analyzeCommand, recommendText } from '../cli/engine-commands';
import { fileKind } from '../config/file-settings';
import type { ApplicationRecord } from '../history/application-record';
import { analysisOptions, type AnalysisOptions, clockFromEnvironment, SparkLanguageService } from '../language-service';
import { AnswerCache } from './answer-cache';
import { collectionRoutes } from './collection-routes';
import type { Collections } from './collections';
import { FreshLookup } from './fresh-lookup';
import { PROBLEM_MEDIA_TYPE, ProblemError, problemType, type Problem } from './problems';
import * as S from './schemas';
import { looksLikeJwt, type AccessTokenVerifier } from './oidc';
import { LoadedHistory } from '../history/loaded-history';
import { HISTORY_READ_PATH } from '../history/team-service';
import type { ServiceStore, TokenScope } from '../history/service-store';
import { bearerToken, scopeAllows, TOKEN_PREFIX, tokenSha256 } from './tokens';

/** What {@link buildService} needs. */
export interface ServiceOptions {
  store: ServiceStore;
  /** Largest request body accepted, bytes (default {@link DEFAULT_BODY_LIMIT_BYTES}); larger: 413 problem. */
  bodyLimitBytes?: number;
  /** Fastify's logger: false (none), or pino options (level; the destination is stdout). Authorization headers are never logged. */
  logger?: boolean | { level: string };
  /** The clock (epoch ms) of feedback timestamps (default Date.now). */
  now?: () => number;
  /** The clock (epoch ms) plans read "now" from (default `clockFromEnvironment()`: SPARK_OPTIMIZER_NOW, else Date.now). */
  planClock?: () => number;
  /** Checks bearer tokens that are JWTs (OIDC/OAuth2 access tokens, service/oidc.ts); absent: only `spo_` tokens are accepted. */
  accessTokens?: AccessTokenVerifier;
  /** PEM certificate (chain) and private key: serve HTTPS only. Absent: plain HTTP. */
  tls?: { cert: Buffer; key: Buffer };
  /**
   * How long what the service loaded from the store is trusted before the store's history version is read again, ms
   * (default 1000): another process's collection shows within this time; this service's own writes show at once.
   */
  recheckMs?: number;
  /**
   * The configured collection sources (service/collections.ts) that `POST /api/v1/collect` may start; absent: none (the
   * collection routes still list what the store recorded).
   */
  collections?: Collections;
}

/** Default request body limit: 9 MiB, enough for the editor's largest analysed document (8 MiB) as JSON text. */
export const DEFAULT_BODY_LIMIT_BYTES = 9 * 1024 * 1024;

/** The service's version in the OpenAPI document (`info.version`); bump on a breaking change of /api/v1. */
export const API_VERSION = '2.0.0';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The token scope a route needs; absent: no token needed. */
    scope?: TokenScope;
  }
  interface FastifyRequest {
    /** The id of the `spo_` token that authorised the request, when one did (null for an OIDC access token). */
    tokenId?: number;
  }
}

const SECURED = [{ bearerAuth: [] }];
const PROBLEM_RESPONSES = {
  400: S.ProblemSchema,
  401: S.ProblemSchema,
  403: S.ProblemSchema,
  404: S.ProblemSchema,
  409: S.ProblemSchema,
  413: S.ProblemSchema,
  500: S.ProblemSchema,
  503: S.ProblemSchema,
};

/** The scalar fields of a run, as {@link S.RunSchema} (no stages, executors or Spark properties). */
function runSummary(r: ApplicationRecord): z.infer<typeof S.RunSchema> {
  return {
    appId: r.appId,
    attemptId: r.attemptId,
    appName: r.appName,
    user: r.user,
    sparkVersion: r.sparkVersion,
    master: r.master,
    startTimeMs: r.startTimeMs,
    endTimeMs: r.endTimeMs,
    durationMs: r.durationMs,
    completed: r.completed,
    incompleteReason: r.incompleteReason ?? null,
    executorCores: r.executorCores,
    executorMemoryMiB: r.executorMemoryMiB,
    executorInstances: r.executorInstances,
    maxExecutors: r.maxExecutors,
    shufflePartitions: r.shufflePartitions,
    totalTasks: r.totalTasks,
    failedTasks: r.failedTasks,
    totalStages: r.totalStages,
    failedStages: r.failedStages,
    executorRunTimeMs: r.executorRunTimeMs,
    executorCpuTimeMs: r.executorCpuTimeMs,
    jvmGcTimeMs: r.jvmGcTimeMs,
    inputBytes: r.inputBytes,
    outputBytes: r.outputBytes,
    shuffleReadBytes: r.shuffleReadBytes,
    shuffleWriteBytes: r.shuffleWriteBytes,
    memoryBytesSpilled: r.memoryBytesSpilled,
    diskBytesSpilled: r.diskBytesSpilled,
  };
}

/** Analysis options from the request's engine options, read as the editor reads its `sparkOptimizer.*` settings. */
function requestOptions(o: z.infer<typeof S.EngineOptionsSchema> | undefined): AnalysisOptions {
  // An option left out takes the setting's default (the schema in shared/src/settings.ts).
  return analysisOptions({
    cluster: {
      nodeMemory: o?.nodeMemory,
      nodeCores: o?.nodeCores,
      nodes: o?.nodes,
      totalCores: o?.totalCores,
      totalMemory: o?.totalMemory,
    },
    cost: { pricePerCoreHour: o?.pricePerCoreHour, pricePerGiBHour: o?.pricePerGiBHour, currency: o?.currency },
    objective: o?.objective,
    maxSlowdownPercent: o?.maxSlowdownPercent,
  });
}

/** A POSIX shell word that reads back as `s` (single quotes; a quote inside as `'\''`). */
function shellWord(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Settings given as key/value pairs, written as the one `spark-submit` command that sets them, so they go through the
 * same reading, matching and planning as a job file (never a second recommender).
 */
export function settingsAsSubmitScript(appName: string, settings: Record<string, string>): string {
  const confs = Object.entries(settings)
    .filter(([k]) => k !== 'spark.app.name')
    .map(([k, v]) => ` \\\n  --conf ${shellWord(`${k}=${v}`)}`)
    .join('');
  return `#!/bin/sh\nspark-submit --name ${shellWord(appName)}${confs}\n`;
}

function problemOf(e: FastifyError | ProblemError | Error, url: string): Problem {
  if (e instanceof ProblemError) return e.problem(url);
  if (hasZodFastifySchemaValidationErrors(e)) {
    const where = (e as { validationContext?: string }).validationContext ?? 'request';
    const errors = e.validation.map((v) => ({
      path: `${where}${v.instancePath.replace(/\//g, '.')}`,
      message: v.message ?? 'invalid',
    }));
    return new ProblemError(
      'invalid-request',
      `The ${where} does not match the schema: ${errors.map((x) => `${x.path}: ${x.message}`).join('; ')}.`,
      errors,
    ).problem(url);
  }
  const code = (e as FastifyError).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new ProblemError(
      'payload-too-large',
      `The request body is larger than this service accepts; send a smaller job file or raise the service's bodyLimitBytes.`,
    ).problem(url);
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new ProblemError('unsupported-media-type', 'Send the body as application/json.').problem(url);
  const status = (e as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return new ProblemError('invalid-request', `The request is not valid: ${e.message}`).problem(url);
  return new ProblemError('internal', 'The service failed to answer this request; its log has the cause.').problem(url);
}

function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  // RFC 6750 section 3: a 401 or 403 of a bearer-token resource names the scheme (and the error) in WWW-Authenticate.
  if (p.type === problemType('unauthorized'))
    reply.header('www-authenticate', 'Bearer realm="spark-optimizer", error="invalid_token"');
  if (p.type === problemType('insufficient-scope'))
    reply.header('www-authenticate', 'Bearer realm="spark-optimizer", error="insufficient_scope"');
  return reply.code(p.status).header('content-type', PROBLEM_MEDIA_TYPE).send(JSON.stringify(p));
}

/**
 * The JSON text of a route's 200 answer as Fastify would send it: checked against the route's response schema and
 * serialised by the zod type provider's own serializer (for answers serialised once and sent many times).
 */
function serializerOf<T>(schema: z.ZodType<T>, method: string, url: string): (value: T) => string {
  return serializerCompiler({ schema, method, url, httpStatus: '200' });
}

/** Sends an answer already serialised (service/answer-cache.ts) as JSON, as it is: no schema check, no serialisation. */
function sendSerialized(reply: FastifyReply, body: Buffer): FastifyReply {
  return reply.header('content-type', 'application/json; charset=utf-8').send(body);
}

/**
 * The service: routes, schemas, authentication, problem documents, metrics and the OpenAPI document. Call `listen`
 * (or `inject` in a test) on the result; `close` it to stop (the store stays open: the caller owns it).
 */
export async function buildService(opts: ServiceOptions): Promise<FastifyInstance> {
  const { store } = opts;
  const now = opts.now ?? Date.now;
  const fastifyOptions = {
    bodyLimit: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    // App ids and job names are path parameters (Fastify's default cuts them at 100 characters).
    routerOptions: { maxParamLength: 1024 },
    logger: opts.logger ?? false,
  };
  // An HTTPS instance has the https.Server type; the routes and hooks below are the same for both.
  const app: FastifyInstance = opts.tls
    ? Fastify({ ...fastifyOptions, https: { cert: opts.tls.cert, key: opts.tls.key } })
    : Fastify(fastifyOptions);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // The engine runs on records loaded from the store (history/loaded-history.ts): one language service for the process,
  // its caches dropped whenever the store's history changed (another process collected, or this service wrote).
  const history = new LoadedHistory(store, { recheckMs: opts.recheckMs });
  const language = new SparkLanguageService(history, opts.planClock ?? clockFromEnvironment());
  history.onChange(() => language.historyChanged());
  /** Runs a request's synchronous reads and engine work on the loaded history (loading what it asks for). */
  const read = async <T>(fn: () => T): Promise<T> => {
    await history.fresh();
    return history.run(fn);
  };
  // The answers of /recommend and /workloads, serialised once per history change (service/answer-cache.ts).
  const answers = new AnswerCache(history);
  const workloadsAnswer = serializerOf(S.WorkloadsResponseSchema, 'GET', '/api/v1/workloads');
  const jobsAnswer = serializerOf(S.JobsResponseSchema, 'GET', '/api/v1/jobs');
  const recommendAnswer = serializerOf(S.RecommendResponseSchema, 'POST', '/api/v1/recommend');

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'spark_optimizer_' });
  const requests = new Counter({
    name: 'spark_optimizer_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'spark_optimizer_http_request_duration_seconds',
    help: 'Time from request to response, seconds, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  // Authentication before the body is read: a request without a valid token never has its body parsed. Concurrent
  // requests with one token share a lookup started after each arrived (service/fresh-lookup.ts).
  const storedTokens = new FreshLookup((sha256) => store.tokenBySha256(sha256));
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const need = req.routeOptions.config.scope;
    if (need === undefined) return;
    const token = bearerToken(req.headers.authorization);
    if (token === null)
      throw new ProblemError(
        'unauthorized',
        'Send a token as "Authorization: Bearer <token>" (create one with "spark-optimizer token create --scope read").',
      );
    let have: TokenScope;
    if (opts.accessTokens !== undefined && !token.startsWith(TOKEN_PREFIX) && looksLikeJwt(token)) {
      have = (await opts.accessTokens.verify(token)).scope;
    } else {
      const stored = await storedTokens.get(tokenSha256(token));
      if (stored === null || stored.revokedAtMs !== null)
        throw new ProblemError(
          'unauthorized',
          'The bearer token is not known to this service or was revoked; create a new one with "spark-optimizer token create".',
        );
      have = stored.scope;
      req.tokenId = stored.id;
    }
    if (!scopeAllows(have, need))
      throw new ProblemError(
        'insufficient-scope',
        `This request needs a token of scope ${need}; this token has scope ${have}.`,
      );
  });

  app.setErrorHandler((e: FastifyError, req, reply) => {
    const p = problemOf(e, req.url);
    if (p.status >= 500) req.log.error({ err: e }, 'request failed');
    return sendProblem(reply, p);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      new ProblemError('not-found', `No route ${req.method} ${req.url.split('?')[0]}; see /openapi.json.`).problem(
        req.url,
      ),
    ),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Spark Resource Optimizer',
        description: "A team's Spark run history, run analysis and resource recommendations.",
        version: API_VERSION,
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: opts.accessTokens
              ? 'A token from "spark-optimizer token create", or a JWT access token of the OIDC issuer this service trusts, for its audience'
              : 'A token from "spark-optimizer token create"',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  r.get(
    '/health',
    { schema: { summary: 'Liveness and the store size', response: { 200: S.HealthResponseSchema } } },
    async () => ({ status: 'ok' as const, applications: await read(() => history.countApplications()) }),
  );

  r.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (text exposition format)', produces: ['text/plain'] } },
    async (_req, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    },
  );

  r.get(
    '/api/v1/workloads',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Workloads (the runs of one Spark App Name) with their run counts, newest first',
        security: SECURED,
        response: { 200: S.WorkloadsResponseSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (_req, reply) =>
      sendSerialized(
        reply,
        await answers.answer('GET /api/v1/workloads', () => ({ workloads: history.listWorkloads() }), workloadsAnswer),
      ),
  );
  // The former name of /api/v1/workloads (the recurring job is called a workload now), kept for clients written against it.
  r.get(
    '/api/v1/jobs',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Deprecated: /api/v1/workloads under its former name (key `jobs`)',
        deprecated: true,
        security: SECURED,
        response: { 200: S.JobsResponseSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (_req, reply) =>
      sendSerialized(
        reply,
        await answers.answer('GET /api/v1/jobs', () => ({ jobs: history.listWorkloads() }), jobsAnswer),
      ),
  );

  for (const [path, deprecated] of [
    ['/api/v1/workloads/:name/runs', false],
    ['/api/v1/jobs/:name/runs', true],
  ] as const) {
    r.get(
      path,
      {
        config: { scope: 'read' },
        schema: {
          summary: deprecated
            ? 'Deprecated: /api/v1/workloads/{name}/runs under its former name'
            : "A workload's runs (application attempts), newest first",
          ...(deprecated ? { deprecated: true } : {}),
          security: SECURED,
          params: S.WorkloadPathSchema,
          querystring: S.RunsQuerySchema,
          response: { 200: S.RunsResponseSchema, ...PROBLEM_RESPONSES },
        },
      },
      async (req) => {
        const runs = await read(() => history.runsByAppName(req.params.name, req.query.limit));
        if (runs.length === 0)
          throw new ProblemError(
            'unknown-workload',
            `No run of a workload named "${req.params.name}" is in the history store; GET /api/v1/workloads lists the workloads.`,
          );
        return { appName: req.params.name, runs: runs.map(runSummary) };
      },
    );
  }

  r.get(
    '/api/v1/applications/:appId',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'One application with every stored attempt, oldest first',
        security: SECURED,
        params: S.ApplicationPathSchema,
        response: { 200: S.ApplicationResponseSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (req) => {
      const attempts = await read(() =>
        history
          .attemptsOf(req.params.appId)
          .map((a) => history.runById(a.appId, a.attemptId))
          .filter((x): x is ApplicationRecord => x !== null),
      );
      if (attempts.length === 0)
        throw new ProblemError(
          'unknown-application',
          `Application ${req.params.appId} is not in the history store; collect its event log or History Server first.`,
        );
      return { appId: req.params.appId, attempts: attempts.map(runSummary) };
    },
  );

  r.post(
    HISTORY_READ_PATH,
    {
      config: { scope: 'read' },
      schema: {
        summary:
          "One read of the history as the engine makes it (full records): the editor's history source in service mode, so its engine plans on the team's runs",
        security: SECURED,
        body: S.HistoryReadRequestSchema,
        response: { 200: S.HistoryReadResponseSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (req) => {
      const { read, args } = req.body;
      // Straight from the store (the request names one of its reads; the schema allows no other): what the editor's
      // own LoadedHistory loads, as this service's LoadedHistory would.
      const call = (store[read] as (...a: unknown[]) => Promise<unknown>).bind(store);
      return { value: (await call(...args)) as z.infer<typeof S.HistoryReadResponseSchema>['value'] };
    },
  );

  r.post(
    '/api/v1/analyze',
    {
      config: { scope: 'read' },
      schema: {
        summary: "One run's findings and what-if tables (as spark-optimizer analyze)",
        security: SECURED,
        body: S.AnalyzeRequestSchema,
        response: { 200: S.AnalyzeResponseSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (req) => {
      const { appId, attemptId } = req.body;
      const out = await read(() =>
        analyzeCommand(history, appId, requestOptions(req.body.options), 'the history store', attemptId),
      );
      if (out.code !== 0 || out.json === null) {
        const stored = (await read(() => history.attemptsOf(appId))).map((a) => a.attemptId ?? '(none)');
        const what =
          attemptId !== undefined ? `Attempt ${attemptId} of application ${appId} is` : `Application ${appId} is`;
        throw new ProblemError(
          'unknown-application',
          `${what} not in the history store${stored.length > 0 ? ` (stored attempts: ${stored.join(', ')})` : '; collect it first'}.`,
        );
      }
      return JSON.parse(JSON.stringify(out.json)) as z.infer<typeof S.AnalyzeResponseSchema>;
    },
  );

  r.post(
    '/api/v1/recommend',
    {
      config: { scope: 'read' },
      schema: {
        summary:
          'The plan per application of a job file (or of settings): the plan the editor and spark-optimizer recommend show',
        security: SECURED,
        body: S.RecommendRequestSchema,
        response: { 200: S.RecommendResponseSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const options = requestOptions(body.options);
      let source;
      if ('text' in body) {
        const name = body.fileName ?? 'job';
        const uri = pathToFileURL(`/request/${name}`).toString();
        if (fileKind(uri, body.kind, body.text.slice(0, 4096)) === null) {
          throw new ProblemError(
            'invalid-request',
            `Cannot tell what kind of job file this is${body.kind !== undefined ? ` (kind "${body.kind}" is not one the optimizer reads)` : ''}; give kind (python, shellscript, spark-defaults, yaml, json, ini) or fileName with its extension.`,
          );
        }
        source = {
          uri,
          text: body.text,
          languageId: body.kind ?? fileKind(uri, undefined, body.text.slice(0, 4096)) ?? 'plaintext',
          label: name,
        };
      } else {
        source = {
          uri: pathToFileURL('/request/settings.sh').toString(),
          text: settingsAsSubmitScript(body.appName, body.settings),
          languageId: 'shellscript',
          label: 'settings',
        };
      }
      // The plan depends on the history and on everything in the (validated) body; the same body on an unchanged
      // history is answered with the same bytes.
      const answer = await answers.answer(
        `POST /api/v1/recommend ${JSON.stringify(body)}`,
        () => {
          try {
            const out = recommendText(language, source, options, 'the history store');
            const plans = JSON.parse(JSON.stringify(out.json)) as z.infer<typeof S.PlanSchema>[];
            if (plans.length === 0) {
              const apps = out.unmatched.length;
              throw new ProblemError(
                'no-matching-workload',
                apps === 0
                  ? `No Spark application settings found in ${source.label}; send a PySpark file, a spark-submit script or a job definition.`
                  : `None of the ${apps} application(s) in ${source.label} matches a workload with runs in the history store (by spark.app.name, file name or submitted file), and none names a spark.master other workloads ran on; collect its runs first.`,
              );
            }
            return { plans, unmatched: out.unmatched };
          } finally {
            language.forget(source.uri);
          }
        },
        recommendAnswer,
      );
      return sendSerialized(reply, answer);
    },
  );

  r.post(
    '/api/v1/feedback',
    {
      config: { scope: 'read' },
      schema: {
        summary:
          'A recommendation applied, accepted or rejected (with a reason); applied ones feed the editor before/after feedback loop',
        security: SECURED,
        body: S.FeedbackRequestSchema,
        response: { 201: S.FeedbackResponseSchema, ...PROBLEM_RESPONSES },
      },
    },
    async (req, reply) => {
      const f = req.body;
      const at = now();
      const appliedFixId =
        f.verdict === 'applied'
          ? await store.recordAppliedFix({
              fileUri: f.fileUri ?? '',
              appName: f.appName,
              key: f.key,
              oldValue: f.previousValue ?? null,
              newValue: f.recommendedValue ?? '',
              appliedAtMs: at,
            })
          : null;
      const id = await store.recordFeedback({
        verdict: f.verdict,
        appName: f.appName,
        key: f.key,
        recommendedValue: f.recommendedValue ?? null,
        previousValue: f.previousValue ?? null,
        reason: f.reason ?? null,
        fileUri: f.fileUri ?? null,
        appliedFixId,
        tokenId: req.tokenId ?? null,
        receivedAtMs: at,
      });
      // The editor's feedback loop reads applied fixes, and a rejected recommendation is no longer shown: the next
      // answer must see this feedback.
      history.invalidate();
      return reply.code(201).send({ id, appliedFixId });
    },
  );

  r.get(
    '/api/v1/tokens',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'The service tokens (never the tokens or their hashes)',
        security: SECURED,
        response: { 200: S.TokensResponseSchema, ...PROBLEM_RESPONSES },
      },
    },
    async () => ({
      tokens: (await store.listTokens()).map((t) => ({
        id: t.id,
        name: t.name,
        scope: t.scope,
        createdAtMs: t.createdAtMs,
        revokedAtMs: t.revokedAtMs,
      })),
    }),
  );

  // Collections (service/collection-routes.ts): defined there, registered here with the same schemas, scopes and problems.
  for (const route of collectionRoutes(opts.collections, store)) {
    r.route({
      method: route.method,
      url: route.url,
      config: { scope: route.scope },
      schema: {
        summary: route.summary,
        security: SECURED,
        ...(route.body ? { body: route.body } : {}),
        ...(route.params ? { params: route.params } : {}),
        ...(route.querystring ? { querystring: route.querystring } : {}),
        response: { ...route.responses, ...PROBLEM_RESPONSES },
      },
      handler: async (req, reply) => {
        const answer = await route.handle({
          body: req.body,
          params: req.params,
          query: req.query,
          tokenId: req.tokenId ?? null,
        });
        for (const [k, v] of Object.entries(answer.headers ?? {})) reply.header(k, v);
        // The serializer checks the body against the status's schema (route.responses); the route's types are its own.
        return reply.code(answer.status).send(answer.body as never);
      },
    });
  }

  await app.ready();
  return app;
}
