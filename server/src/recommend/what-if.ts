/**
 * What-if simulation of a past run under other executor shapes, in the manner of Sparklens
 * (qubole/sparklens `CompletionEstimator`, explained in docs/heuristics.md): the run's measured task durations are replayed
 * over `executorInstances × executorCores` task slots, respecting stage and job dependencies, and the time in which no
 * stage ran (driver-only time) is added as measured.
 *
 * The model, precisely:
 * - **Driver-only time** = application wall time (`durationMs`) minus the union of the stages' real
 *   [`Submission Time`, `Completion Time`] intervals: executor start-up, planning, driver-side collects, gaps between
 *   jobs. It is kept as measured at every shape (Sparklens does the same: executors do not speed up the driver).
 * - **Stage time** is simulated by discrete events over `instances × floor(cores / spark.task.cpus)` slots. Each
 *   stage attempt's successful task durations (`StageRecord.taskDurationsMs`, finish − launch time) are started in
 *   **launch order** on the earliest free slot (greedy list scheduling). Launch order, not longest-first, because that
 *   is what Spark's TaskSetManager does: it offers tasks in partition order and knows nothing of their durations, so
 *   longest-first would simulate a better scheduler than Spark has and under-estimate skewed stages.
 * - **Dependencies**: a stage attempt starts when its parent stages (`Parent IDs`, those present in the record;
 *   skipped stages are absent) and its previous attempt have finished, and when its job may start. A stage belongs to
 *   the earliest job whose `Stage IDs` list it. Jobs run in their recorded (submission) order, except that jobs of
 *   one SQL execution (`spark.sql.execution.id`) may overlap: such a job waits only for the jobs of its execution that
 *   had completed before it was submitted in the real run (AQE submits independent query stages as concurrent jobs).
 *   Without job data (stores before schema 3) a stage waits for every stage that completed before it was submitted.
 * - When several stages are ready, free slots go to the lowest (job id, stage id) first: Spark's default FIFO pool.
 * - Records without per-task durations (History Server REST fallback, stores before schema 3) are replayed from the
 *   stage's stored quantiles instead: `succeededTasks` durations interpolated linearly between min, p25, median, p75,
 *   p95 and max (both ends included, so the slowest task is kept), in a fixed pseudo-random order (launch order is
 *   unknown). Such estimates are coarser; `simulateRun` returns null only when no stage has either.
 *
 * Not modelled (so part of the model's own error, see {@link simulationError}): task durations changing with the
 * shape (fewer cores per executor → less contention; less memory per task → spill), scheduler delay and locality
 * waits, executors arriving late, dynamic allocation.
 */

import type { ApplicationRecord, StageRecord } from '../history/application-record';
import { type ExecutorShape, lookupOf, runShape, taskCpusOf, taskSlots } from '../resource-model';

export type { ExecutorShape } from '../resource-model';

/** The simulated run at one shape. */
export interface WhatIfEstimate extends ExecutorShape {
  /** Estimated application wall time, ms. */
  durationMs: number;
  /** Part of `durationMs` with no stage running (driver-only, as measured), ms. */
  driverOnlyMs: number;
  /** executorInstances × durationMs / 3.6e6. */
  executorHours: number;
  /** executorInstances × executorCores × durationMs / 3.6e6. */
  executorCoreHours: number;
}

/** The model's error on the run as it happened (estimate at the run's own shape vs its measured duration). */
export interface SimulationError {
  /** The run's own shape (see {@link runShape}). */
  shape: ExecutorShape;
  /** Simulated duration at that shape, ms. */
  estimatedMs: number;
  /** Measured `durationMs`, ms. */
  actualMs: number;
  /** (estimatedMs − actualMs) / actualMs; negative when the model is optimistic. */
  relativeError: number;
}

/**
 * Application wall time (ms) during which no stage ran: `durationMs` minus the union of the stages' real
 * [submission, completion] intervals, clipped to [startTimeMs, startTimeMs + durationMs]. A stage without a
 * completion time (still running at the end of the log) counts until the end. Stages without a submission time are
 * ignored. @returns ms, ≥ 0.
 */
export function driverOnlyTimeMs(run: ApplicationRecord): number {
  const start = run.startTimeMs;
  const end = start + run.durationMs;
  const iv: [number, number][] = [];
  for (const s of run.stages) {
    if (s.submissionTimeMs === null) continue;
    const a = Math.max(start, s.submissionTimeMs);
    const b = Math.min(end, s.completionTimeMs ?? end);
    if (b > a) iv.push([a, b]);
  }
  iv.sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let curA = -Infinity;
  let curB = -Infinity;
  for (const [a, b] of iv) {
    if (a > curB) {
      if (curB > curA) covered += curB - curA;
      curA = a;
      curB = b;
    } else if (b > curB) curB = b;
  }
  if (curB > curA) covered += curB - curA;
  return Math.max(0, run.durationMs - covered);
}

/**
 * The task durations (ms) the simulation replays for one stage attempt: `taskDurationsMs` when present, else
 * `succeededTasks` durations synthesised from the stored quantiles (see the module comment), else null.
 */
export function stageDurations(s: StageRecord): number[] | null {
  if (s.taskDurationsMs !== undefined) return s.taskDurationsMs;
  const q = s.taskDurationMs;
  const n = s.succeededTasks;
  if (q === null || n <= 0) return null;
  const xs = [0, 0.25, 0.5, 0.75, 0.95, 1];
  const ys = [q.min, q.p25, q.median, q.p75, q.p95, q.max];
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const p = n === 1 ? 1 : i / (n - 1);
    let k = 1;
    while (k < xs.length - 1 && p > xs[k]) k++;
    const t = (p - xs[k - 1]) / (xs[k] - xs[k - 1]);
    out[i] = ys[k - 1] + t * (ys[k] - ys[k - 1]);
  }
  // Fixed pseudo-random order (Fisher–Yates with a 32-bit LCG, seed 1): deterministic, not sorted.
  let seed = 1;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const j = seed % (i + 1);
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}

/** A node of the dependency graph: a stage attempt (with tasks) or a zero-time gate (job start, job end, barrier). */
interface SimNode {
  tasks: readonly number[];
  next: number;
  running: number;
  /** Unfinished dependencies. */
  waiting: number;
  dependents: SimNode[];
  /** FIFO priority: job id, then stage id, then attempt. */
  prio: [number, number, number];
  done: boolean;
  /** The stage attempt this node replays (absent for gates). */
  stage?: StageRecord;
}

function node(prio: [number, number, number], tasks: readonly number[] = [], stage?: StageRecord): SimNode {
  return { tasks, next: 0, running: 0, waiting: 0, dependents: [], prio, done: false, stage };
}

function edge(from: SimNode, to: SimNode): void {
  from.dependents.push(to);
  to.waiting++;
}

/** A binary min-heap. */
class Heap<T> {
  private readonly a: T[] = [];
  constructor(private readonly less: (x: T, y: T) => boolean) {}
  get size(): number {
    return this.a.length;
  }
  peek(): T | undefined {
    return this.a[0];
  }
  push(v: T): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop() as T;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

function prioLess(x: SimNode, y: SimNode): boolean {
  for (let i = 0; i < 3; i++) if (x.prio[i] !== y.prio[i]) return x.prio[i] < y.prio[i];
  return false;
}

/** Builds the dependency graph of a run; null when no stage has durations to replay. */
function buildGraph(run: ApplicationRecord): SimNode[] | null {
  const stageNodes = new Map<string, SimNode>();
  const byStage = new Map<number, { attempt: number; node: SimNode; rec: StageRecord }[]>();
  const jobOfStage = new Map<number, number>();
  const jobs = [...(run.jobs ?? [])].sort(
    (a, b) => (a.submissionTimeMs ?? Infinity) - (b.submissionTimeMs ?? Infinity) || a.jobId - b.jobId,
  );
  for (const j of [...jobs].sort((a, b) => a.jobId - b.jobId))
    for (const sid of j.stageIds) if (!jobOfStage.has(sid)) jobOfStage.set(sid, j.jobId);

  let anyDurations = false;
  for (const s of run.stages) {
    const d = stageDurations(s);
    if (d !== null) anyDurations = true;
    const n = node([jobOfStage.get(s.stageId) ?? -1, s.stageId, s.attemptId], d ?? [], s);
    stageNodes.set(`${s.stageId}.${s.attemptId}`, n);
    const list = byStage.get(s.stageId) ?? [];
    list.push({ attempt: s.attemptId, node: n, rec: s });
    byStage.set(s.stageId, list);
  }
  if (!anyDurations) return null;
  const nodes: SimNode[] = [...stageNodes.values()];

  // Parent stages and previous attempts.
  for (const list of byStage.values()) list.sort((a, b) => a.attempt - b.attempt);
  for (const list of byStage.values()) {
    for (let i = 0; i < list.length; i++) {
      const { node: n, rec } = list[i];
      if (i > 0) edge(list[i - 1].node, n);
      for (const p of rec.parentIds) {
        const parents = byStage.get(p);
        if (parents !== undefined) edge(parents[parents.length - 1].node, n);
      }
    }
  }

  const jobStageNodes = new Map<number, SimNode[]>();
  const unassigned: { node: SimNode; rec: StageRecord }[] = [];
  for (const list of byStage.values()) {
    for (const x of list) {
      const jid = jobOfStage.get(x.rec.stageId);
      if (jid === undefined) unassigned.push(x);
      else {
        const l = jobStageNodes.get(jid) ?? [];
        l.push(x.node);
        jobStageNodes.set(jid, l);
      }
    }
  }

  // Jobs: groups of consecutive jobs of one SQL execution may overlap; groups run in recorded order.
  let barrier: SimNode | null = null;
  let i = 0;
  while (i < jobs.length) {
    let k = i + 1;
    const exec = jobs[i].sqlExecutionId;
    if (exec !== null) while (k < jobs.length && jobs[k].sqlExecutionId === exec) k++;
    const group = jobs.slice(i, k);
    const ends: SimNode[] = [];
    for (const [gi, j] of group.entries()) {
      const gate = node([j.jobId, -1, 0]);
      const end = node([j.jobId, Infinity, 0]);
      nodes.push(gate, end);
      if (barrier !== null) edge(barrier, gate);
      for (let gj = 0; gj < gi; gj++) {
        const a = group[gj];
        const sequential =
          a.completionTimeMs === null || j.submissionTimeMs === null || a.completionTimeMs <= j.submissionTimeMs;
        if (sequential) edge(ends[gj], gate);
      }
      edge(gate, end);
      for (const sn of jobStageNodes.get(j.jobId) ?? []) {
        edge(gate, sn);
        edge(sn, end);
      }
      ends.push(end);
    }
    const next = node([group[group.length - 1].jobId, Infinity, 1]);
    nodes.push(next);
    for (const e of ends) edge(e, next);
    barrier = next;
    i = k;
  }

  // Stages no job lists (no job data): wait for every stage that completed before they were submitted.
  if (unassigned.length > 0) {
    const byEnd = [...unassigned]
      .filter((x) => x.rec.completionTimeMs !== null)
      .sort((a, b) => (a.rec.completionTimeMs as number) - (b.rec.completionTimeMs as number));
    for (const x of unassigned) {
      const sub = x.rec.submissionTimeMs;
      if (sub === null) continue;
      for (const y of byEnd) {
        if ((y.rec.completionTimeMs as number) > sub) break;
        if (y !== x) edge(y.node, x.node);
      }
    }
  }
  return nodes;
}

/** Makespan (ms) of the graph over `slots` task slots; `spans`, when given, receives each stage node's first task start and end. */
function makespan(nodes: SimNode[], slots: number, spans?: Map<SimNode, { startMs: number; endMs: number }>): number {
  for (const n of nodes) {
    n.next = 0;
    n.running = 0;
    n.done = false;
  }
  const waiting = new Map<SimNode, number>();
  for (const n of nodes) waiting.set(n, n.waiting);
  const ready = new Heap<SimNode>(prioLess);
  const events = new Heap<{ t: number; n: SimNode }>((x, y) => x.t < y.t);
  let end = 0;
  let free = slots;

  const complete = (n: SimNode, t: number): void => {
    const stack: SimNode[] = [n];
    while (stack.length > 0) {
      const m = stack.pop() as SimNode;
      m.done = true;
      if (t > end) end = t;
      if (spans !== undefined && m.stage !== undefined) {
        const sp = spans.get(m);
        if (sp !== undefined) sp.endMs = t;
        else spans.set(m, { startMs: t, endMs: t });
      }
      for (const d of m.dependents) {
        const w = (waiting.get(d) as number) - 1;
        waiting.set(d, w);
        if (w === 0) {
          if (d.tasks.length === 0) stack.push(d);
          else ready.push(d);
        }
      }
    }
  };
  for (const n of nodes) {
    if (n.waiting !== 0) continue;
    if (n.tasks.length === 0) complete(n, 0);
    else ready.push(n);
  }
  let t = 0;
  for (;;) {
    while (free > 0 && ready.size > 0) {
      const n = ready.peek() as SimNode;
      if (spans !== undefined && n.next === 0) spans.set(n, { startMs: t, endMs: t });
      events.push({ t: t + n.tasks[n.next++], n });
      n.running++;
      free--;
      if (n.next === n.tasks.length) ready.pop();
    }
    const ev = events.pop();
    if (ev === undefined) break;
    t = ev.t;
    free++;
    ev.n.running--;
    if (ev.n.next === ev.n.tasks.length && ev.n.running === 0) complete(ev.n, t);
  }
  return end;
}

/**
 * A run prepared for replay: its dependency graph built once, replayed at any number of task slots (memoised).
 * Task durations and dependencies as in the module comment; the caller adds nothing but the slot count.
 */
export interface Replay {
  /** The run's driver-only time (ms), kept as measured at every shape. */
  driverOnlyMs: number;
  /** `spark.task.cpus` of the run. */
  taskCpus: number;
  /** Time (ms) during which stages run when the run's tasks are replayed over `slots` task slots. */
  stagesMs(slots: number): number;
}

const replays = new WeakMap<ApplicationRecord, Replay | null>();

/**
 * The run prepared for replay (cached per record object, so repeated what-ifs of one run build its graph once).
 * @returns null when no stage has per-task durations or quantiles (nothing to replay).
 */
export function replayOf(run: ApplicationRecord): Replay | null {
  if (replays.has(run)) return replays.get(run) ?? null;
  const nodes = buildGraph(run);
  let out: Replay | null = null;
  if (nodes !== null) {
    const memo = new Map<number, number>();
    out = {
      driverOnlyMs: driverOnlyTimeMs(run),
      taskCpus: taskCpusOf(lookupOf(run.sparkProperties)),
      stagesMs(slots: number): number {
        const n = Math.max(1, Math.floor(slots));
        let v = memo.get(n);
        if (v === undefined) {
          v = makespan(nodes, n);
          memo.set(n, v);
        }
        return v;
      },
    };
  }
  replays.set(run, out);
  return out;
}

/** The estimate of a prepared run at one shape. @throws RangeError when the shape is not two positive integers. */
function estimateAt(replay: Replay, shape: ExecutorShape): WhatIfEstimate {
  const { executorInstances, executorCores } = shape;
  if (
    !Number.isInteger(executorInstances) ||
    executorInstances < 1 ||
    !Number.isInteger(executorCores) ||
    executorCores < 1
  ) {
    throw new RangeError(`executor shape must be positive integers, got ${executorInstances} × ${executorCores}`);
  }
  const durationMs =
    replay.driverOnlyMs + replay.stagesMs(executorInstances * taskSlots(executorCores, replay.taskCpus));
  return {
    executorInstances,
    executorCores,
    durationMs,
    driverOnlyMs: replay.driverOnlyMs,
    executorHours: (executorInstances * durationMs) / 3.6e6,
    executorCoreHours: (executorInstances * executorCores * durationMs) / 3.6e6,
  };
}

/**
 * Replays the run's measured task durations over `shape` (Sparklens-style; the model is described in the module
 * comment) and adds the measured driver-only time.
 * @param run an application record; per-task durations come from `StageRecord.taskDurationsMs`, or, when absent
 *   (History Server REST fallback, stores before schema 3), are synthesised from the stage's stored quantiles.
 * @param shape executors × cores per executor; task slots = instances × floor(cores / `spark.task.cpus`), at least 1.
 * @returns null when no stage has per-task durations or quantiles (nothing to replay).
 * @throws RangeError when the shape is not two positive integers.
 */
export function simulateRun(run: ApplicationRecord, shape: ExecutorShape): WhatIfEstimate | null {
  const replay = replayOf(run);
  return replay === null ? null : estimateAt(replay, shape);
}

/**
 * Simulates several shapes of one run, building the dependency graph once (for tables and curves).
 * @returns one estimate per shape, in order; null when the run has nothing to replay.
 * @throws RangeError as {@link simulateRun}.
 */
export function simulateShapes(run: ApplicationRecord, shapes: readonly ExecutorShape[]): WhatIfEstimate[] | null {
  const replay = replayOf(run);
  return replay === null ? null : shapes.map((shape) => estimateAt(replay, shape));
}

/** One stage attempt in a simulated timeline: when the replay started its first task and finished its last, ms from the first stage. */
export interface SimulatedStage {
  stageId: number;
  attemptId: number;
  name: string;
  startMs: number;
  endMs: number;
}

/**
 * The replay's timeline at one shape: the driver-only time kept as measured, the stage time, and every stage attempt's
 * simulated span (for comparing the model with measured stage times stage by stage).
 * @returns null when the run has nothing to replay. @throws RangeError as {@link simulateRun}.
 */
export function simulateTimeline(
  run: ApplicationRecord,
  shape: ExecutorShape,
): { driverOnlyMs: number; stagesMs: number; stages: SimulatedStage[] } | null {
  const replay = replayOf(run);
  if (replay === null) return null;
  const est = estimateAt(replay, shape);
  const nodes = buildGraph(run);
  if (nodes === null) return null;
  const spans = new Map<SimNode, { startMs: number; endMs: number }>();
  const stagesMs = makespan(nodes, est.executorInstances * taskSlots(est.executorCores, replay.taskCpus), spans);
  const stages = [...spans.entries()].map(([n, sp]) => ({
    stageId: n.stage!.stageId,
    attemptId: n.stage!.attemptId,
    name: n.stage!.name,
    ...sp,
  }));
  return {
    driverOnlyMs: replay.driverOnlyMs,
    stagesMs,
    stages: stages.sort((a, b) => a.startMs - b.startMs || a.stageId - b.stageId),
  };
}

/**
 * The model's own error on the run: the estimate at the run's own shape ({@link runShape}) against its measured
 * `durationMs`. @returns null when the shape is unknown, the run has nothing to replay, or its duration is 0.
 */
export function simulationError(run: ApplicationRecord): SimulationError | null {
  const shape = runShape(run);
  if (shape === null || run.durationMs <= 0) return null;
  const est = simulateRun(run, shape);
  if (est === null) return null;
  return {
    shape,
    estimatedMs: est.durationMs,
    actualMs: run.durationMs,
    relativeError: (est.durationMs - run.durationMs) / run.durationMs,
  };
}
