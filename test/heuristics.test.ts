/**
 * The heuristics catalogue (server/src/analysis/heuristics.ts) on the real runs of examples/history, with the figures
 * read from the logs independently (examples/history/README.md and manifest.json: spill sums, task counts, join skew;
 * the 4g run's peak JVMHeapMemory from a python3 scan of its Task Executor Metrics), and the catalogue's prose in
 * docs/heuristics.md.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  executorSpill,
  gcShare,
  heapUse,
  type Heuristic,
  HEURISTICS,
  memoryFailures,
  runSpilled,
  stageSkew,
  stageSpill,
  stageTinyTasks,
} from '../server/src/analysis/heuristics';
import type { ApplicationRecord } from '../server/src/history/application-record';
import { collectEventLogs } from '../server/src/history/collect';
import { HistoryStore } from '../server/src/store/history-store';
import { REPO_ROOT, EXAMPLE_HISTORY } from './helpers/fixtures';

describe('heuristics catalogue on the real example runs', () => {
  let store: HistoryStore;
  const run = (id: string): ApplicationRecord => store.runById(id)!;
  before(async () => {
    store = HistoryStore.open(':memory:');
    await collectEventLogs(EXAMPLE_HISTORY, store);
  });
  after(() => store.close());

  it('spill: stage 2 of the 512m nightly_etl run spilled 174972919 B against 81345649 B read (215 %, critical)', () => {
    const s = stageSpill(run('app-20261121121550-0000').stages.find((x) => x.stageId === 2)!)!;
    assert.deepStrictEqual([s.diskBytesSpilled, s.processedBytes, s.grade], [174972919, 81345649, 'critical']);
    // README: the 512m and 1g runs spilled, the 2g and 4g runs did not.
    assert.deepStrictEqual(
      ['0000', '0001', '0002', '0003', '0004'].map((n) =>
        runSpilled(
          run(
            `app-2026112112${{ '0000': '1550', '0001': '1652', '0002': '1748', '0003': '1849', '0004': '1947' }[n]}-${n}`,
          ),
        ),
      ),
      [true, true, true, false, false],
    );
  });

  it('skew: the join stage of the 400-partition skewed_join run, 6500 ms against a 149 ms median (43.6×, critical)', () => {
    const s = stageSkew(run('app-20261121122131-0006').stages.find((x) => x.stageId === 2)!)!;
    assert.deepStrictEqual([s.maxTaskMs, s.medianTaskMs, s.grade], [6500, 149, 'critical']);
    // No nightly_etl stage is skewed (its tasks are even: README has no join skew for it).
    assert.ok(run('app-20261121121652-0001').stages.every((x) => stageSkew(x) === null));
  });

  it('tiny tasks: 2000 tasks of a 52 ms median on 4 slots (500 per slot); still 12.5 per slot with 50 partitions', () => {
    const t = stageTinyTasks(
      run('app-20261121122226-0007').stages.find((x) => x.stageId === 1)!,
      4,
    )!;
    assert.deepStrictEqual([t.numTasks, t.medianTaskMs, t.tasksPerSlot, t.grade], [2000, 52, 500, 'low']);
    const fifty = stageTinyTasks(
      run('app-20261121122321-0008').stages.find((x) => x.stageId === 1)!,
      4,
    )!;
    assert.deepStrictEqual([fifty.numTasks, fifty.medianTaskMs, fifty.tasksPerSlot], [50, 145, 12.5]);
    // With 8 slots the same stage has 6.25 tasks per slot: under the rule's 10.
    assert.strictEqual(
      stageTinyTasks(
        run('app-20261121122321-0008').stages.find((x) => x.stageId === 1)!,
        8,
      ),
      null,
    );
  });

  it('heap: the 4g run peaked at 1272416328 B (30 % of its heap: over-provisioned, 1.2 × peak + 300 MiB = 1757 MiB)', () => {
    const h = heapUse(run('app-20261121121947-0004'), 4096)!;
    assert.strictEqual(h.peakBytes, 1272416328);
    assert.strictEqual(h.high, false);
    // 4096 MiB / (1213.5 + 300) MiB = 2.7 → severe (Dr. Elephant grades 1.25/1.5/2/3).
    assert.deepStrictEqual([h.lowGrade, h.suggestedMiB], ['severe', 1757]);
  });

  it('GC: judged only from 1 min of executor run time', () => {
    const r = run('app-20261121122321-0008');
    assert.ok(r.executorRunTimeMs < 60_000, String(r.executorRunTimeMs));
    assert.strictEqual(gcShare(r), null);
  });

  it('executor spill: both executors of the 1g run spilled', () => {
    const e = executorSpill(run('app-20261121121652-0001'), 1024, 2)!;
    assert.deepStrictEqual([e.spilling.length, e.executors], [2, 2]);
  });

  it('memory failures: OOM tasks, executors lost to container kills (hand-edited copies of a real run, named as such)', () => {
    const base = run('app-20261121121652-0001');
    assert.strictEqual(memoryFailures(base).grade, null);
    const stubOom: ApplicationRecord = {
      ...base,
      failedTasks: 1,
      taskFailures: [
        { reason: 'ExceptionFailure', kind: 'oom', count: 1, example: 'java.lang.OutOfMemoryError: Java heap space' },
      ],
    };
    assert.deepStrictEqual([memoryFailures(stubOom).oomTasks, memoryFailures(stubOom).grade], [1, 'severe']); // 1 of 20 tasks = 5 % ≥ 2 %
    const stubKilled: ApplicationRecord = {
      ...base,
      executors: base.executors.map((e, i) =>
        i === 0 && !e.isDriver
          ? {
              ...e,
              removedReason:
                'Container killed by YARN for exceeding memory limits. 2.1 GB of 2 GB physical memory used',
            }
          : e,
      ),
    };
    const killed = memoryFailures(stubKilled);
    assert.strictEqual(killed.executorsLost.length, 1);
    assert.strictEqual(killed.executorsLost[0].kind, 'container-killed');
    assert.notStrictEqual(killed.grade, null);
  });

  it('docs/heuristics.md describes every heuristic with its source', () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'heuristics.md'), 'utf8');
    for (const h of Object.values(HEURISTICS) as Heuristic[]) {
      assert.ok(doc.includes(`\`${h.id}\``), `docs/heuristics.md names ${h.id}`);
      if (h.grades)
        assert.ok(
          doc.includes(h.grades.map((g) => (g >= 60_000 ? `${g / 60_000}` : `${g}`)).join(' / ')) ||
            doc.includes(h.grades.join(' / ')),
          `docs/heuristics.md gives the grades of ${h.id}`,
        );
    }
    assert.ok(!doc.includes('../shared'), 'no link outside the repository');
  });
});
