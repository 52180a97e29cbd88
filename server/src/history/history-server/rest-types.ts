/**
 * The Spark History Server REST payloads this project reads, validated with zod, and the date format
 * of the REST filters.
 *
 * Names follow Spark's `org.apache.spark.status.api.v1` classes (`ApplicationInfo`,
 * `ApplicationAttemptInfo`, core/src/main/scala/org/apache/spark/status/api/v1/api.scala). The
 * shapes differ across Spark versions (checked on the recorded responses in
 * test/fixtures/spark/history-server/):
 * - 1.6: `attemptId`?, `startTime`, `endTime`, `sparkUser`, `completed` only (dates as text);
 * - 2.x: adds `lastUpdated`, `duration`, `appSparkVersion` and the `*Epoch` millisecond fields
 *   (`lastUpdated` is `""` / `lastUpdatedEpoch` 0 in Spark's own test expectations);
 * - 3.x/4.x: as 2.x, plus `logSourceName`/`logSourceFullPath` and `exitCode` (4.x); a running
 *   attempt has `endTime` `1969-12-31T23:59:59.999GMT` / `endTimeEpoch` −1.
 * Unknown fields are ignored, so newer servers keep working.
 */

import { z } from 'zod';

/**
 * Parses a History Server date as Spark writes it (`yyyy-MM-dd'T'HH:mm:ss.SSS'GMT'`, e.g.
 * `2015-02-03T16:42:40.000GMT`; Jackson's `JacksonMessageWriter` date format) to epoch ms.
 * @returns epoch ms, or null for an empty or unparsable text.
 */
export function parseSparkDate(text: string | undefined | null): number | null {
  if (!text) return null;
  const iso = text.endsWith('GMT') ? `${text.slice(0, -3)}Z` : text;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Formats epoch ms as the REST filters (`minDate`, `maxDate`, `minEndDate`, `maxEndDate`) accept it:
 * `yyyy-MM-dd'T'HH:mm:ss.SSS'GMT'` (Spark's `SimpleDateParam`; anything else answers
 * 400 "Couldn't parse date").
 */
export function formatSparkDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/Z$/, 'GMT');
}

/** One attempt as listed by `GET /api/v1/applications` (`ApplicationAttemptInfo`). */
export const ApplicationAttemptInfoSchema = z.looseObject({
  /** Absent for apps without attempts (client mode, local). */
  attemptId: z.string().optional(),
  startTime: z.string(),
  endTime: z.string().optional(),
  lastUpdated: z.string().optional(),
  /** ms; absent before Spark 2.0. */
  duration: z.number().optional(),
  sparkUser: z.string().optional(),
  completed: z.boolean(),
  appSparkVersion: z.string().optional(),
  /** Spark 4.x: the driver's exit code. */
  exitCode: z.number().optional(),
  startTimeEpoch: z.number().optional(),
  endTimeEpoch: z.number().optional(),
  lastUpdatedEpoch: z.number().optional(),
});

/** One application as listed by `GET /api/v1/applications` (`ApplicationInfo`). */
export const ApplicationInfoSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  attempts: z.array(ApplicationAttemptInfoSchema),
});

/** The body of `GET /api/v1/applications`. */
export const ApplicationListSchema = z.array(ApplicationInfoSchema);

/** The body of `GET /api/v1/version` (`VersionInfo`). */
export const VersionInfoSchema = z.looseObject({ spark: z.string() });

/** One application attempt as the collector uses it: dates settled to epoch ms across Spark versions. */
export interface ListedAttempt {
  /** `ApplicationInfo.id`. */
  appId: string;
  /** `ApplicationInfo.name`. */
  appName: string;
  /** `attemptId`, null when the app has none. */
  attemptId: string | null;
  /** `startTimeEpoch`, else parsed `startTime`; epoch ms. */
  startTimeMs: number;
  /** `endTimeEpoch` / `endTime` of a completed attempt, epoch ms; null while running (Spark reports −1 then). */
  endTimeMs: number | null;
  /** `lastUpdatedEpoch` / `lastUpdated` (the log's modification time, epoch ms); null when the server reports none (0 or ""). */
  lastUpdatedMs: number | null;
  /** `sparkUser`, null when absent. */
  sparkUser: string | null;
  /** `completed`. */
  completed: boolean;
  /** `appSparkVersion`, null before Spark 2.0. */
  sparkVersion: string | null;
  /** `exitCode` (Spark 4.x), else null. */
  exitCode: number | null;
}

/**
 * Validates a `GET /api/v1/applications` body and flattens it to one entry per attempt.
 * Attempts of one application keep the server's order (newest first).
 * @param body the parsed JSON.
 * @throws Error naming the first offending field ("applications[3].attempts[0].startTime: expected string …")
 *   when the body is not an application list.
 */
export function parseApplicationList(body: unknown): ListedAttempt[] {
  const parsed = ApplicationListSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = ['applications', ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))]
      .join('')
      .replace(/\.\[/g, '[');
    throw new Error(`not a Spark application list: ${where}: ${issue.message}`);
  }
  const out: ListedAttempt[] = [];
  for (const app of parsed.data) {
    for (const a of app.attempts) {
      const start = a.startTimeEpoch ?? parseSparkDate(a.startTime);
      if (start === null)
        throw new Error(`not a Spark application list: ${app.id}: startTime "${a.startTime}" is not a date`);
      const end = a.endTimeEpoch ?? parseSparkDate(a.endTime);
      const updated = a.lastUpdatedEpoch ?? parseSparkDate(a.lastUpdated);
      out.push({
        appId: app.id,
        appName: app.name,
        attemptId: a.attemptId ?? null,
        startTimeMs: start,
        endTimeMs: a.completed && end !== null && end > 0 ? end : null,
        lastUpdatedMs: updated !== null && updated > 0 ? updated : null,
        sparkUser: a.sparkUser ?? null,
        completed: a.completed,
        sparkVersion: a.appSparkVersion ?? null,
        exitCode: a.exitCode ?? null,
      });
    }
  }
  return out;
}
