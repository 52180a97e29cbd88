/**
 * "Same workload" keys of an application record besides its `App Name`: the file spark-submit ran
 * (`ApplicationRecord.mainResource`) and a signature of its stage DAG, so runs of one workload stay together when the workload
 * is renamed, and a file can be matched to runs under another name.
 */
import { createHash } from 'crypto';
import type { ApplicationRecord } from './application-record';

/**
 * Signature of a run's work: SHA-1 (hex, first 16 characters) of its first stage attempts in stage-id order, each as
 * `Stage Name` (call site), the offsets to its `Parent IDs` (so stage numbering shifts do not matter) and whether it
 * read input (`Input Metrics`.`Bytes Read` > 0). Data volumes are left out on purpose: a daily workload reads more or less
 * data each day and stays the same workload. Null for a record without stages.
 */
export function workloadSignature(r: ApplicationRecord): string | null {
  const first = r.stages.filter((s) => s.attemptId === 0).sort((a, b) => a.stageId - b.stageId);
  if (first.length === 0) return null;
  const parts = first.map(
    (s) =>
      `${s.name}|${s.parentIds
        .map((p) => s.stageId - p)
        .sort((a, b) => a - b)
        .join(',')}|${s.inputBytes > 0 ? 'in' : ''}`,
  );
  return createHash('sha1').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/** File name without folders and extension (`/tmp/x/jobs/nightly_etl.py` → `nightly_etl`), for matching a file to runs. */
export function resourceStem(resource: string): string {
  const base =
    resource
      .replace(/[?#].*$/, '')
      .split(/[\\/]/)
      .pop() ?? resource;
  return base.replace(/\.(py|jar|r|scala|zip|egg)$/i, '');
}
