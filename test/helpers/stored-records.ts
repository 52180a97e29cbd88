/**
 * Records read from real event logs as the history store keeps them, for the store's tests (test/history-store.test.ts,
 * test/store-columns.test.ts): one log read with the current reader, and a record normalised to what its columns hold.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import type { ApplicationRecord } from '../../server/src/history/application-record';
import { discoverEventLogs, singleSource } from '../../server/src/history/event-log/discover';
import { readEventLog } from '../../server/src/history/event-log/reader';

/** The record (and its source and read statistics) of the one log at `p`: a file or a rolling `eventlog_v2_*` folder. */
export async function readOne(p: string) {
  const src = fs.statSync(p).isFile() ? await singleSource(p) : (await discoverEventLogs(p))[0];
  assert.ok(src, `no source for ${p}`);
  const { record, stats } = await readEventLog(src);
  assert.ok(record, `no record from ${p}`);
  return { src, record, stats };
}

/** A record as the store keeps it: times rounded to whole ms as the columns hold them, executors by id. */
export function normalised(r: ApplicationRecord): ApplicationRecord {
  return {
    ...r,
    executorCpuTimeMs: Math.round(r.executorCpuTimeMs),
    executorCoreTimeMs: Math.round(r.executorCoreTimeMs),
    stages: r.stages.map((s) => ({ ...s, executorCpuTimeMs: Math.round(s.executorCpuTimeMs) })),
    executors: [...r.executors]
      .sort((a, b) => a.executorId.localeCompare(b.executorId))
      .map((e) => ({ ...e, executorRunTimeMs: Math.round(e.executorRunTimeMs) })),
  };
}
