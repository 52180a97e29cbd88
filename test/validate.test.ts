/** Record validation before storing, on real logs (all must pass) and on real records with one field broken. */
import * as assert from 'assert';
import * as path from 'path';
import { discoverEventLogs } from '../server/src/history/event-log/discover';
import { readEventLog } from '../server/src/history/event-log/reader';
import { checkRecord, validateRecord } from '../server/src/history/validate';
import { EXAMPLE_HISTORY, EVENT_LOG_FIXTURES, EVAL_DIR } from './helpers/fixtures';

describe('validateRecord', () => {
  it('accepts every real application record in the fixtures and examples', async () => {
    let n = 0;
    for (const dir of [EVENT_LOG_FIXTURES, EXAMPLE_HISTORY, path.join(EVAL_DIR, 'runs')]) {
      for (const src of await discoverEventLogs(dir)) {
        let record;
        let stats;
        try {
          ({ record, stats } = await readEventLog(src));
        } catch {
          continue; // codecs not supported by the reader yet are not records
        }
        if (!record) continue;
        assert.deepStrictEqual(validateRecord(record), [], src.path);
        // Real Spark output stays inside every bound: nothing dropped while reading, nothing clipped by the check.
        assert.deepStrictEqual(stats.corrections, [], src.path);
        assert.deepStrictEqual(checkRecord(record).corrections, [], src.path);
        n++;
      }
    }
    assert.ok(n >= 170, `validated ${n} records`);
  });

  it('rejects a record whose counts or times are out of range, saying which field', async () => {
    const [src] = await discoverEventLogs(path.join(EVENT_LOG_FIXTURES, 'apache-spark'));
    const { record } = await readEventLog(src);
    assert.ok(record);
    assert.deepStrictEqual(validateRecord({ ...record, failedTasks: record.totalTasks + 1 }), [
      `failedTasks ${record.totalTasks + 1} exceeds totalTasks ${record.totalTasks}`,
    ]);
    assert.deepStrictEqual(validateRecord({ ...record, endTimeMs: record.startTimeMs - 1 }), [
      `endTimeMs ${record.startTimeMs - 1} is before startTimeMs ${record.startTimeMs}`,
    ]);
    assert.deepStrictEqual(validateRecord({ ...record, diskBytesSpilled: -5 }), [
      'diskBytesSpilled -5 is not a non-negative number',
    ]);
    const [s0, ...rest] = record.stages;
    const n = s0.succeededTasks;
    assert.deepStrictEqual(
      validateRecord({ ...record, stages: [{ ...s0, taskDurationsMs: new Array(n + 1).fill(1) }, ...rest] }),
      [`stage ${s0.stageId}.0 has ${n + 1} task durations for ${n} successful tasks`],
    );
    assert.deepStrictEqual(validateRecord({ ...record, stages: [{ ...s0, taskDurationsMs: [-1] }, ...rest] }), [
      `stage ${s0.stageId}.0 has a task duration -1 that is not a non-negative number of ms`,
    ]);
    const [j0, ...jobs] = record.jobs ?? [];
    assert.deepStrictEqual(
      validateRecord({ ...record, jobs: [{ ...j0, completionTimeMs: (j0.submissionTimeMs ?? 0) - 1 }, ...jobs] }),
      [
        `job ${j0.jobId} completed (${(j0.submissionTimeMs ?? 0) - 1}) before it was submitted (${j0.submissionTimeMs})`,
      ],
    );
  });
});
