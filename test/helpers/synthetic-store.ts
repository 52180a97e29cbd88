/**
 * SYNTHETIC application records for the benchmarks that need more history than the real example runs hold: log-normal
 * copies of real runs (examples/history, written by real PySpark), seeded so a run is repeatable. Only benchmarks use
 * them (test/bench/similar-workloads.ts, test/bench/editor-latency.ts); tests use the real runs.
 */
import type { ApplicationRecord } from '../../server/src/history/application-record';
import type { HistoryStore } from '../../server/src/store/history-store';

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box–Muller, from two draws of `u`. */
export function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** What a synthetic copy changes besides the volumes. */
export interface SyntheticOptions {
  /** appId of the copy. */
  appId: string;
  /** appName of the copy (the workload it belongs to). */
  appName: string;
  /** Moves every timestamp this many ms earlier (0: keep them). */
  shiftMs?: number;
  /** Draws a new durationMs (×exp(0.2·N)) before the volumes. */
  varyDurationMs?: boolean;
  /** Draws a new totalTasks (×exp(0.5·N), at least 1) after the volumes. */
  varyTotalTasks?: boolean;
  /** Caps executorRunTimeMs at the base's executorCoreTimeMs (run time cannot exceed the cores held). */
  capRunTimeAtCoreTime?: boolean;
}

/**
 * A log-normal copy of `base`: one shared factor exp(N) for the run's size and an own factor exp(0.3·N) per volume
 * (input, shuffle read/write, output, disk spill, CPU and run time, in that order of draws).
 */
export function syntheticRecord(base: ApplicationRecord, u: () => number, o: SyntheticOptions): ApplicationRecord {
  const shared = Math.exp(normal(u));
  const vol = (x: number) => Math.round(x * shared * Math.exp(0.3 * normal(u)));
  const shift = o.shiftMs ?? 0;
  const durationMs = o.varyDurationMs ? Math.round(base.durationMs * Math.exp(0.2 * normal(u))) : base.durationMs;
  const inputBytes = vol(base.inputBytes);
  const shuffleReadBytes = vol(base.shuffleReadBytes);
  const shuffleWriteBytes = vol(base.shuffleWriteBytes);
  const outputBytes = vol(base.outputBytes);
  const diskBytesSpilled = vol(base.diskBytesSpilled);
  const executorCpuTimeMs = vol(base.executorCpuTimeMs);
  const runTimeMs = vol(base.executorRunTimeMs);
  const totalTasks = o.varyTotalTasks
    ? Math.max(1, Math.round(base.totalTasks * Math.exp(0.5 * normal(u))))
    : base.totalTasks;
  const record: ApplicationRecord = {
    ...base,
    appId: o.appId,
    appName: o.appName,
    durationMs,
    inputBytes,
    shuffleReadBytes,
    shuffleWriteBytes,
    outputBytes,
    diskBytesSpilled,
    executorCpuTimeMs,
    executorRunTimeMs: o.capRunTimeAtCoreTime ? Math.min(runTimeMs, base.executorCoreTimeMs) : runTimeMs,
    totalTasks,
  };
  if (shift === 0) return record;
  return {
    ...record,
    startTimeMs: base.startTimeMs - shift,
    endTimeMs: base.endTimeMs === null ? null : base.endTimeMs - shift,
    stages: base.stages.map((s) => ({
      ...s,
      submissionTimeMs: s.submissionTimeMs === null ? null : s.submissionTimeMs - shift,
      completionTimeMs: s.completionTimeMs === null ? null : s.completionTimeMs - shift,
    })),
    executors: base.executors.map((e) => ({
      ...e,
      addTimeMs: e.addTimeMs - shift,
      removeTimeMs: e.removeTimeMs === null ? null : e.removeTimeMs - shift,
    })),
  };
}

/** The source a synthetic record is stored with (no file behind it). */
export function syntheticSource(i: number): {
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  malformedLines: number;
} {
  return { path: `/synthetic/${i}`, sizeBytes: 1, mtimeMs: 1, malformedLines: 0 };
}

/**
 * Fills `store` with `real` and then `apps - real.length` synthetic copies of them (round robin), as the editor
 * latency benchmark's big store: copy i is `synthetic-<i>`, named after its base except every 100th
 * (`<name>_v<i mod 20000>`, so the store holds many jobs), moved (i+1) minutes earlier, duration and volumes drawn.
 */
export function fillSyntheticStore(store: HistoryStore, real: ApplicationRecord[], apps: number, seed: number): void {
  const u = rng(seed);
  for (const r of real) store.upsert(r, { path: `/real/${r.appId}`, sizeBytes: 1, mtimeMs: 1, malformedLines: 0 });
  for (let i = 0; i < apps - real.length; i++) {
    const base = real[i % real.length];
    const appName = i % 100 === 0 ? base.appName : `${base.appName}_v${i % 20_000}`;
    store.upsert(
      syntheticRecord(base, u, {
        appId: `synthetic-${i}`,
        appName,
        shiftMs: (i + 1) * 60_000,
        varyDurationMs: true,
        capRunTimeAtCoreTime: true,
      }),
      syntheticSource(i),
    );
  }
}

/** Runs per workload in the service load benchmark's store: the engine's window (language-service.ts MAX_RUNS). */
export const RUNS_PER_WORKLOAD = 50;

/**
 * Application `i` of the service load benchmark (test/bench/service-load.ts): SYNTHETIC, a log-normal copy of a real
 * run (`syntheticRecord`) seeded by `i` alone, so every process makes the same record `i`. Workload w = ⌊i / 50⌋ holds
 * applications 50w … 50w + 49, all copies of `real[w mod real.length]`, named `<its app name>_w<w>`, one hour apart
 * (run k of a workload started k + 1 hours before the real run); app id `bench-<i>`.
 */
export function workloadRecord(real: ApplicationRecord[], i: number): ApplicationRecord {
  const w = Math.floor(i / RUNS_PER_WORKLOAD);
  const base = real[w % real.length];
  return syntheticRecord(base, rng(0x5eed + i), {
    appId: `bench-${i}`,
    appName: workloadName(real, w),
    shiftMs: ((i % RUNS_PER_WORKLOAD) + 1) * 3_600_000,
    varyDurationMs: true,
    capRunTimeAtCoreTime: true,
  });
}

/** The app name of workload `w` of the load benchmark (`nightly_etl_w0`, ...). */
export function workloadName(real: ApplicationRecord[], w: number): string {
  return `${real[w % real.length].appName}_w${w}`;
}

/** The source a load-benchmark application is stored with (no file behind it). */
export function workloadSource(i: number): {
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  malformedLines: number;
} {
  return { path: `/bench/${i}`, sizeBytes: 1, mtimeMs: 1, malformedLines: 0 };
}
