/**
 * Classifying why a task failed, from `SparkListenerTaskEnd`.`Task End Reason`.
 *
 * The `Reason` values are the `TaskEndReason` case classes of apache/spark
 * core/src/main/scala/org/apache/spark/TaskEndReason.scala as JsonProtocol writes them
 * (`Success`, `Resubmitted`, `FetchFailed`, `ExceptionFailure`, `TaskResultLost`, `TaskKilled`,
 * `TaskCommitDenied`, `ExecutorLostFailure`, `UnknownReason`).
 */

import type { TaskFailureGroup } from '../application-record';

/** The classification of a failed task (see {@link TaskFailureGroup.kind}). */
export type TaskFailureKind = TaskFailureGroup['kind'];

/**
 * The `Task End Reason` fields {@link failureMessage} and {@link classifyTaskFailure} read besides `Reason` (JsonProtocol
 * `taskEndReasonToJson`): what a reader that is not the fold (Spark SQL, history/spark-engine/) must hand them.
 */
export const TASK_END_REASON_FIELDS = [
  'Class Name',
  'Description',
  'Loss Reason',
  'Executor ID',
  'Message',
  'Kill Reason',
  'Full Stack Trace',
] as const;

/** Longest example message kept per group, characters. */
export const FAILURE_EXAMPLE_MAX_CHARS = 300;

const OOM = /java\.lang\.OutOfMemoryError/;
/**
 * Memory kills by the resource manager: YARN's "Container killed by YARN for exceeding memory limits" /
 * "…exceeding physical memory", Kubernetes' `OOMKilled`, and exit codes 137 (SIGKILL, what the kernel OOM
 * killer and the K8s/YARN memory enforcers send) and 143 (SIGTERM, YARN's kill of an over-limit container).
 */
const CONTAINER_KILLED =
  /Container killed by YARN for exceeding memory limits|exceeding physical memory|OOMKilled|\bexit(?:ed)?(?:\s+with)?\s+(?:code|status)\b[\s:=]*(?:is\s+)?(?:137|143)\b/i;

/**
 * Picks a failed task's human-readable message from its `Task End Reason` object.
 * `ExceptionFailure` → `<Class Name>: <Description>`; `ExecutorLostFailure` → `Loss Reason`;
 * `FetchFailed` → `Message`; `TaskKilled` → `Kill Reason`; else the `Reason` itself.
 * @param reason the `Task End Reason` object (already checked to be an object).
 */
export function failureMessage(reason: Record<string, unknown>): string {
  const r = typeof reason.Reason === 'string' ? reason.Reason : 'UnknownReason';
  const s = (k: string): string | null => (typeof reason[k] === 'string' ? reason[k] : null);
  switch (r) {
    case 'ExceptionFailure': {
      const cls = s('Class Name');
      const desc = s('Description');
      if (cls && desc) return `${cls}: ${desc}`;
      return cls ?? desc ?? r;
    }
    case 'ExecutorLostFailure': {
      const loss = s('Loss Reason');
      if (loss) return loss;
      const id = reason['Executor ID'];
      return typeof id === 'string' || typeof id === 'number' ? `executor ${id} lost` : r;
    }
    case 'FetchFailed':
      return s('Message') ?? r;
    case 'TaskKilled':
      return s('Kill Reason') ?? r;
    default:
      return r;
  }
}

/**
 * Classifies a failed task. Order matters: the message tests win over the reason
 * (an `ExecutorLostFailure` whose loss reason says YARN killed the container is `container-killed`).
 * @param reason `Task End Reason`.`Reason`.
 * @param message from {@link failureMessage}; for `ExceptionFailure` pass also the `Full Stack Trace`
 *   in `extraText` so a wrapped `Caused by: java.lang.OutOfMemoryError` is found.
 */
export function classifyTaskFailure(reason: string, message: string, extraText?: string): TaskFailureKind {
  if (OOM.test(message) || (extraText !== undefined && OOM.test(extraText))) return 'oom';
  if (CONTAINER_KILLED.test(message)) return 'container-killed';
  switch (reason) {
    case 'FetchFailed':
      return 'fetch-failed';
    case 'ExecutorLostFailure':
      return 'executor-lost';
    case 'TaskKilled':
      return 'killed';
    default:
      return 'other';
  }
}
