/**
 * The folder on hand-written events: missing and mistyped fields (version drift), failure
 * classification, Spark's quantile rule, executor bookkeeping. These events are stubs named as
 * such; the real-log behaviour is covered by event-log-reader.test.ts.
 */

import * as assert from 'node:assert/strict';
import type { ReadStats } from '../server/src/history/application-record';
import {
  ApplicationFolder,
  classifyTaskFailure,
  durationQuantiles,
  sparkQuantile,
} from '../server/src/history/event-log';

function emptyStats(): ReadStats {
  return {
    lines: 0,
    malformedLines: 0,
    malformedLineNumbers: [],
    ignoredEvents: 0,
    bytes: 0,
    files: [],
    warnings: [],
    decodeErrors: [],
    corrections: [],
  };
}

function taskEnd(
  stageId: number,
  launch: number,
  finish: number,
  reason: Record<string, unknown> = { Reason: 'Success' },
  extra: Record<string, unknown> = {},
): unknown {
  return {
    Event: 'SparkListenerTaskEnd',
    'Stage ID': stageId,
    'Stage Attempt ID': 0,
    'Task End Reason': reason,
    'Task Info': { 'Launch Time': launch, 'Finish Time': finish, 'Executor ID': '1' },
    ...extra,
  };
}

describe('event-log folder', () => {
  it('never throws on missing, null or mistyped fields (stub events)', () => {
    const f = new ApplicationFolder({ inProgress: false, fallbackAppId: 'from-file-name' });
    const odd: unknown[] = [
      null,
      42,
      [],
      {},
      { Event: 7 },
      { Event: 'SparkListenerApplicationStart' },
      { Event: 'SparkListenerEnvironmentUpdate', 'Spark Properties': 'nope' },
      {
        Event: 'SparkListenerEnvironmentUpdate',
        'Spark Properties': { 'spark.executor.memory': 4, 'spark.master': 'yarn' },
      },
      { Event: 'SparkListenerExecutorAdded' },
      { Event: 'SparkListenerExecutorAdded', 'Executor ID': 3, 'Executor Info': null },
      { Event: 'SparkListenerExecutorRemoved', 'Executor ID': '9' },
      { Event: 'SparkListenerBlockManagerAdded', 'Block Manager ID': 'x' },
      { Event: 'SparkListenerStageSubmitted' },
      { Event: 'SparkListenerStageCompleted', 'Stage Info': { 'Stage ID': '1' } },
      { Event: 'SparkListenerTaskEnd' },
      { Event: 'SparkListenerTaskEnd', 'Task Metrics': null, 'Task Info': null, 'Task End Reason': null },
      {
        Event: 'SparkListenerTaskEnd',
        'Stage ID': 1,
        'Task Metrics': { 'Executor Run Time': '5', 'Shuffle Read Metrics': 3 },
      },
      { Event: 'SparkListenerJobEnd', 'Job Result': 'JobFailed' },
      { Event: 'SparkListenerStageExecutorMetrics', 'Executor ID': '1', 'Executor Metrics': { JVMHeapMemory: 'big' } },
      { Event: 'SparkListenerApplicationEnd', Timestamp: null },
      { Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart', executionId: 0 },
    ];
    odd.forEach((e, i) => f.add(e, i + 1));
    const stats = emptyStats();
    const r = f.finish(stats);
    assert.equal(r.appId, 'from-file-name');
    assert.equal(r.master, 'yarn');
    assert.equal(r.executorMemoryMiB, null);
    // The two task ends without a Stage ID cannot be placed: skipped and counted, never a phantom stage −1.
    assert.equal(r.totalTasks, 1);
    assert.deepStrictEqual(
      r.stages.map((s) => s.stageId),
      [1],
    );
    assert.equal(r.executorRunTimeMs, 0);
    assert.equal(r.totalExecutorsAdded, 1); // only the one with an Executor ID
    assert.equal(r.completed, false); // no end timestamp
    assert.ok(stats.ignoredEvents >= 6);
    assert.deepStrictEqual(
      stats.corrections.map((c) => [c.field, c.problem, c.action, c.count, c.example]),
      [
        ['SparkListenerTaskEnd Stage ID', 'absent', 'event-skipped', 2, 'absent'],
        [
          'SparkListenerTaskEnd Task Metrics Executor Run Time',
          'not a non-negative integer within 2^53',
          'dropped',
          1,
          '"5"',
        ],
      ],
    );
  });

  it('folds a stub application: settings, executors, stages, quantiles, failures', () => {
    const f = new ApplicationFolder({ inProgress: false });
    const events: unknown[] = [
      { Event: 'SparkListenerLogStart', 'Spark Version': '4.0.0' },
      {
        Event: 'SparkListenerEnvironmentUpdate',
        'Spark Properties': {
          'spark.master': 'yarn',
          'spark.executor.memory': '4g',
          'spark.yarn.executor.memoryOverhead': '1024',
          'spark.driver.memory': '512k',
          'spark.executor.instances': ' 3 ',
          'spark.sql.shuffle.partitions': '400',
          'spark.dynamicAllocation.enabled': 'TRUE',
          'spark.dynamicAllocation.maxExecutors': '10',
          'spark.app.submitTime': '999',
        },
      },
      {
        Event: 'SparkListenerApplicationStart',
        'App Name': 'stub',
        'App ID': 'application_1_0001',
        'App Attempt ID': '2',
        Timestamp: 1000,
        User: 'u',
      },
      {
        Event: 'SparkListenerExecutorAdded',
        Timestamp: 1100,
        'Executor ID': '1',
        'Executor Info': { Host: 'h1', 'Total Cores': 4 },
      },
      {
        Event: 'SparkListenerExecutorAdded',
        Timestamp: 1200,
        'Executor ID': '2',
        'Executor Info': { Host: 'h2', 'Total Cores': 4 },
      },
      {
        Event: 'SparkListenerExecutorRemoved',
        Timestamp: 2200,
        'Executor ID': '2',
        'Removed Reason': 'Container killed by YARN for exceeding memory limits',
      },
      {
        Event: 'SparkListenerExecutorAdded',
        Timestamp: 2300,
        'Executor ID': '3',
        'Executor Info': { Host: 'h2', 'Total Cores': 2 },
      },
      { Event: 'SparkListenerJobStart', 'Job ID': 0, 'Submission Time': 1300 },
      {
        Event: 'SparkListenerStageSubmitted',
        'Stage Info': {
          'Stage ID': 0,
          'Stage Attempt ID': 0,
          'Stage Name': 'map',
          'Number of Tasks': 5,
          'Parent IDs': [],
          'Submission Time': 1300,
        },
      },
      taskEnd(0, 1400, 1410, undefined, {
        'Task Metrics': {
          'Executor Run Time': 10,
          'Executor CPU Time': 5_000_000,
          'Memory Bytes Spilled': 100,
          'Disk Bytes Spilled': 10,
          'Peak Execution Memory': 7,
        },
      }),
      taskEnd(0, 1400, 1420),
      taskEnd(0, 1400, 1430),
      taskEnd(0, 1400, 1500, undefined, { 'Task Executor Metrics': { JVMHeapMemory: 1234 } }),
      taskEnd(0, 1400, 1450, {
        Reason: 'ExceptionFailure',
        'Class Name': 'java.lang.OutOfMemoryError',
        Description: 'Java heap space',
      }),
      taskEnd(0, 1400, 1450, {
        Reason: 'ExceptionFailure',
        'Class Name': 'org.apache.spark.SparkException',
        Description: 'boom',
        'Full Stack Trace': 'x\nCaused by: java.lang.OutOfMemoryError: GC overhead limit exceeded',
      }),
      taskEnd(0, 1400, 1450, {
        Reason: 'ExecutorLostFailure',
        'Executor ID': '2',
        'Exit Caused By App': true,
        'Loss Reason':
          'Container killed by YARN for exceeding physical memory limits. 5.5 GB of 5.5 GB physical memory used.',
      }),
      taskEnd(0, 1400, 1450, {
        Reason: 'ExecutorLostFailure',
        'Executor ID': '2',
        'Exit Caused By App': true,
        'Loss Reason': 'Heartbeat timed out',
      }),
      taskEnd(0, 1400, 1450, { Reason: 'FetchFailed', 'Shuffle ID': 0, Message: 'Failed to connect to h2' }),
      taskEnd(0, 1400, 1450, { Reason: 'TaskKilled', 'Kill Reason': 'another attempt succeeded' }),
      {
        Event: 'SparkListenerStageExecutorMetrics',
        'Executor ID': '3',
        'Stage ID': 0,
        'Stage Attempt ID': 0,
        'Executor Metrics': { JVMHeapMemory: 5678 },
      },
      {
        Event: 'SparkListenerStageExecutorMetrics',
        'Executor ID': 'driver',
        'Stage ID': 0,
        'Stage Attempt ID': 0,
        'Executor Metrics': { JVMHeapMemory: 99999 },
      },
      {
        Event: 'SparkListenerStageCompleted',
        'Stage Info': {
          'Stage ID': 0,
          'Stage Attempt ID': 0,
          'Stage Name': 'map',
          'Number of Tasks': 5,
          'Submission Time': 1300,
          'Completion Time': 1600,
          'Failure Reason': 'Job aborted',
        },
      },
      taskEnd(0, 1400, 1700), // late speculative success after completion
      { Event: 'SparkListenerJobEnd', 'Job ID': 0, 'Completion Time': 1700, 'Job Result': { Result: 'JobFailed' } },
      { Event: 'SparkListenerApplicationEnd', Timestamp: 3000, ExitCode: 1 },
    ];
    events.forEach((e, i) => f.add(e, i + 1));
    const stats = emptyStats();
    const r = f.finish(stats);

    assert.equal(r.sparkVersion, '4.0.0');
    assert.equal(r.attemptId, '2');
    assert.equal(r.submitTimeMs, 999);
    assert.equal(r.durationMs, 2000);
    assert.equal(r.completed, true);
    assert.equal(r.exitCode, 1);
    assert.equal(r.executorMemoryMiB, 4096);
    assert.equal(r.memoryOverheadMiB, 1024); // from the pre-2.3 alias
    assert.equal(r.driverMemoryMiB, 0); // 512k = 0 MiB, truncated as Spark's ByteUnit.convertTo does
    assert.equal(r.executorInstances, 3);
    assert.equal(r.shufflePartitions, 400);
    assert.equal(r.dynamicAllocationEnabled, true);
    assert.equal(r.dynamicAllocationMinExecutors, null);
    assert.equal(r.dynamicAllocationMaxExecutors, 10);
    assert.equal(r.executorCores, 4); // most common Total Cores (4, 4, 2)
    assert.equal(r.totalExecutorsAdded, 3);
    assert.equal(r.maxExecutors, 2);
    // (3000−1100)·4 + (2200−1200)·4 + (3000−2300)·2
    assert.equal(r.executorCoreTimeMs, 7600 + 4000 + 1400);
    assert.equal(r.peakJvmHeapMemoryBytes, 5678); // the driver's 99,999 does not count outside local mode
    assert.equal(r.executors.find((e) => e.executorId === 'driver')?.isDriver, true);
    assert.equal(
      r.executors.find((e) => e.executorId === '2')?.removedReason,
      'Container killed by YARN for exceeding memory limits',
    );

    assert.equal(r.totalTasks, 11);
    assert.equal(r.failedTasks, 6);
    assert.equal(r.memoryBytesSpilled, 100);
    assert.equal(r.diskBytesSpilled, 10);
    assert.equal(r.executorCpuTimeMs, 5);
    assert.equal(r.failedStages, 1);
    assert.equal(r.failedJobs, 1);
    const s = r.stages[0];
    assert.equal(s.succeededTasks, 5);
    assert.equal(s.failedTasks, 6);
    assert.equal(s.failureReason, 'Job aborted');
    // durations 10, 20, 30, 100 at completion; the late 300 widens max only.
    assert.deepEqual(s.taskDurationMs, { min: 10, p25: 20, median: 30, p75: 100, p95: 100, max: 300 });
    assert.equal(s.skewRatio, 10);
    assert.ok(stats.warnings.some((w) => /came after their stage completed/.test(w)));

    assert.deepEqual(r.taskFailures.map((g) => [g.reason, g.kind, g.count]).sort(), [
      ['ExceptionFailure', 'oom', 2],
      ['ExecutorLostFailure', 'container-killed', 1],
      ['ExecutorLostFailure', 'executor-lost', 1],
      ['FetchFailed', 'fetch-failed', 1],
      ['TaskKilled', 'killed', 1],
    ]);
    assert.equal(r.taskFailures.find((g) => g.kind === 'oom')?.example, 'java.lang.OutOfMemoryError: Java heap space');
  });

  it('classifies failure messages', () => {
    assert.equal(
      classifyTaskFailure('ExecutorLostFailure', 'Container killed on request. Exit code is 137'),
      'container-killed',
    );
    assert.equal(
      classifyTaskFailure('ExecutorLostFailure', 'The executor with id 3 exited with exit code 143(SIGTERM).'),
      'container-killed',
    );
    assert.equal(classifyTaskFailure('ExecutorLostFailure', 'Pod reason: OOMKilled'), 'container-killed');
    assert.equal(
      classifyTaskFailure('ExecutorLostFailure', 'Container marked as failed. Exit status: 56.'),
      'executor-lost',
    );
    assert.equal(classifyTaskFailure('ExceptionFailure', 'java.io.IOException: 1430 bytes'), 'other');
    assert.equal(classifyTaskFailure('TaskCommitDenied', 'TaskCommitDenied'), 'other');
  });

  it("takes quantiles by Spark's Distribution rule (no interpolation)", () => {
    const sorted = [1, 2, 3, 4];
    assert.equal(sparkQuantile(sorted, 0.5), 3); // index floor(0.5·4) = 2
    assert.equal(sparkQuantile(sorted, 1), 4);
    assert.deepEqual(durationQuantiles([5]), { min: 5, p25: 5, median: 5, p75: 5, p95: 5, max: 5 });
  });

  it('keeps the first ApplicationStart and warns about a second', () => {
    const f = new ApplicationFolder({ inProgress: true });
    f.add({ Event: 'SparkListenerApplicationStart', 'App ID': 'a', Timestamp: 1 }, 1);
    f.add({ Event: 'SparkListenerApplicationStart', 'App ID': 'b', Timestamp: 2 }, 7);
    f.add({ Event: 'SparkListenerApplicationEnd', Timestamp: 5 }, 8);
    const stats = emptyStats();
    const r = f.finish(stats);
    assert.equal(r.appId, 'a');
    assert.equal(r.completed, false); // in-progress source
    assert.deepEqual(stats.warnings, ['a second SparkListenerApplicationStart at line 7 was ignored']);
  });
  it('reads an empty App Attempt ID as no attempt id (the store keys both as one attempt; fuzz seed 1090060872)', () => {
    const attemptOf = (attempt: string | undefined): string | null => {
      const f = new ApplicationFolder({ inProgress: false });
      f.add({ Event: 'SparkListenerApplicationStart', 'App ID': 'app-1', 'App Attempt ID': attempt, Timestamp: 1 }, 1);
      f.add({ Event: 'SparkListenerApplicationEnd', Timestamp: 5 }, 2);
      return f.finish(emptyStats()).attemptId;
    };
    assert.equal(attemptOf(''), null);
    assert.equal(attemptOf(undefined), null);
    assert.equal(attemptOf('1'), '1');
  });
});
