/**
 * Fuzz tests (fast-check), bounded in time, seeded, the seed printed: issue 12's "a fuzz test over event-log lines
 * and config files runs in CI".
 *
 * - Event-log lines: real lines of real Spark logs (test/fixtures/spark/event-logs, Spark 1.6–4.3), mutated (a value
 *   anywhere in the event replaced by a hostile one — huge, negative, fractional, NaN-like text, wrong type,
 *   null, deep nesting —, a field removed, the line cut or spliced), mixed with random JSON and random text, are
 *   written to a log file and read by readEventLog (lines → JSON → ApplicationFolder), checked (and bounded) by checkRecord
 *   and, when valid, stored in a real SQLite store and read back. None of these may throw, and what is stored
 *   holds no impossible value (see `impossibleValues`).
 * - Config files of each kind: the real files of test/fixtures/configs (PySpark, spark-submit scripts,
 *   spark-defaults.conf, Spark operator YAML, Databricks/EMR JSON, Airflow DAGs), mutated by inserting syntax-
 *   relevant fragments (quotes, brackets, backslashes, line ends, astral characters that take two UTF-16 units,
 *   `--conf`, `${`, `"""`, ...), deleting, duplicating and truncating, and random text: each kind's reader must not
 *   throw, and every range it returns must lie inside the text (lines and UTF-16 columns), start before end.
 * - The Markdown escaper (shared/src/escape.ts) against marked, the renderer VS Code uses for hovers: any text,
 *   escaped and put in a paragraph, a table cell, a list item or bold, renders as exactly its characters.
 *
 * Each property runs FUZZ_MIN_RUNS (default 30) cases, then more until FUZZ_MS (default 3000) ms have passed or
 * FUZZ_RUNS cases; the seed is FUZZ_SEED or random, printed before the run and in any failure report (fast-check
 * prints the seed and the shrunk counterexample; `FUZZ_SEED=<seed>` replays it).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { extractAirflowSettings } from '../server/src/config/airflow-settings';
import { extractDatabricksEmrSettings } from '../server/src/config/databricks-emr-settings';
import { extractK8sSettings } from '../server/src/config/k8s-settings';
import { extractPythonSettings } from '../server/src/config/python-settings';
import type { FileSettings, Range } from '../server/src/config/setting';
import { extractShellSettings } from '../server/src/config/shell-settings';
import { extractSparkDefaultsSettings } from '../server/src/config/spark-defaults-settings';
import type { ApplicationRecord } from '../server/src/history/application-record';
import { singleSource } from '../server/src/history/event-log/discover';
import { readEventLog } from '../server/src/history/event-log/reader';
import { checkRecord } from '../server/src/history/validate';
import { HistoryStore } from '../server/src/store/history-store';
import { escapeMarkdown, escapeTerminal } from '../shared/src/escape';
import { EVENT_LOG_FIXTURES, CONFIG_FIXTURES } from './helpers/fixtures';

const EVENT_LOGS = EVENT_LOG_FIXTURES;
const CONFIGS = CONFIG_FIXTURES;

const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const TIME_MS = Number(process.env.FUZZ_MS ?? 3000);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1_000_000);

/** Cases every property runs whatever the time limit (a loaded machine may give a property little CPU in 3 s). */
const MIN_RUNS = Number(process.env.FUZZ_MIN_RUNS ?? 30);

/**
 * Checks a property: first MIN_RUNS cases from SEED, then from SEED + 1 until TIME_MS have passed (or RUNS cases);
 * fast-check reports the failing seed and case. Both runs are fixed by FUZZ_SEED.
 */
function runProperty<T>(property: fc.IProperty<T>): void {
  fc.assert(property, { seed: SEED, numRuns: MIN_RUNS });
  fc.assert(property, {
    seed: SEED + 1,
    numRuns: RUNS,
    interruptAfterTimeLimit: TIME_MS,
    markInterruptAsFailure: false,
  });
}

/** {@link runProperty} for an asynchronous property. */
async function runAsyncProperty<T>(property: fc.IAsyncProperty<T>): Promise<void> {
  await fc.assert(property, { seed: SEED, numRuns: MIN_RUNS });
  await fc.assert(property, {
    seed: SEED + 1,
    numRuns: RUNS,
    interruptAfterTimeLimit: TIME_MS,
    markInterruptAsFailure: false,
  });
}

/** Cases a property ran, for the closing report. */
const ran: Record<string, number> = {};

// ---------------------------------------------------------------------------------------------------------------
// Event-log lines

/** Plain-text (uncompressed) fixture logs whose lines seed the mutations: Spark 1.6 to 4.x, local, YARN, standalone. */
const LINE_SOURCES = [
  'qubole-sparklens/local-1532512550423',
  'apache-spark/app-20161115172038-0000',
  'apache-spark-26d03b62/application_1536831636016_59384_1',
  'kubeflow-mcp-apache-spark-history-server/eventlog_v2_spark-bcec39f6201b42b9925124595baad260/events_1_spark-bcec39f6201b42b9925124595baad260',
  'ucesys-sparkscope/app-20231025121456-0004-eventLog-running',
];

/** Values no Spark writes where a number, string or object is expected. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    1e308,
    -1e308,
    1e300,
    -1,
    -0,
    0.5,
    2 ** 53 + 2,
    2 ** 63,
    -(2 ** 31),
    Number.MAX_SAFE_INTEGER,
    '1e308',
    'NaN',
    'Infinity',
    '-1',
    '',
    null,
    true,
    false,
    [],
    {},
  ),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/**
 * Replaces (or removes) one value inside a parsed event, found by a random walk: at each level `walk[d]` picks a
 * child, until the walk ends or reaches a leaf. The top-level `Event` name is left alone.
 */
function replaceAt(event: Record<string, unknown>, walk: number[], value: unknown, remove: boolean): void {
  let o: Record<string, unknown> | unknown[] = event;
  for (let d = 0; d < walk.length; d++) {
    const keys = Object.keys(o).filter((k) => !(o === event && k === 'Event'));
    if (keys.length === 0) return;
    const k = keys[walk[d] % keys.length];
    const child = o[k];
    if (d === walk.length - 1 || child === null || typeof child !== 'object') {
      if (remove && !Array.isArray(o)) delete o[k];
      else o[k] = value;
      return;
    }
    o = child as Record<string, unknown>;
  }
}

type LineEdit =
  | { kind: 'keep' }
  | { kind: 'value'; walk: number[]; value: unknown; remove: boolean }
  | { kind: 'cut'; at: number }
  | { kind: 'splice'; at: number; text: string };

function mutateLine(line: string, edit: LineEdit): string {
  if (edit.kind === 'keep') return line;
  if (edit.kind === 'cut') return line.slice(0, Math.floor(edit.at * line.length));
  if (edit.kind === 'splice') {
    const at = Math.floor(edit.at * line.length);
    return line.slice(0, at) + edit.text + line.slice(at);
  }
  const event = JSON.parse(line) as Record<string, unknown>;
  replaceAt(event, edit.walk, edit.value, edit.remove);
  return JSON.stringify(event);
}

const lineEdit: fc.Arbitrary<LineEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<LineEdit>({ kind: 'keep' }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('value' as const),
      walk: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
      value: hostileValue,
      remove: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('splice' as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      text: fc.string({ maxLength: 8 }),
    }),
  },
);

/**
 * A log: lines of one real log in order (so the events make an application), each maybe mutated, with random
 * JSON and random text lines mixed in.
 */
function logArbitrary(corpus: string[][]): fc.Arbitrary<string[]> {
  const line = (source: string[]) =>
    fc.oneof(
      {
        weight: 12,
        arbitrary: fc
          .tuple(fc.nat({ max: source.length - 1 }), lineEdit)
          .map(([i, e]) => ({ i, text: mutateLine(source[i], e) })),
      },
      { weight: 1, arbitrary: fc.json({ maxDepth: 2 }).map((text) => ({ i: -1, text })) },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((text) => ({ i: -1, text })) },
    );
  return (
    fc
      .nat({ max: corpus.length - 1 })
      .chain((s) => fc.array(line(corpus[s]), { minLength: 1, maxLength: 80 }))
      // Keep the source's order (events refer to earlier ones), random lines where they fell.
      .map((ls) => ls.sort((a, b) => (a.i < 0 || b.i < 0 ? 0 : a.i - b.i)).map((l) => l.text))
  );
}

/**
 * What a stored record must never hold, by the validation's own contract (history/validate.ts): a figure or count
 * that is not a finite non-negative number, more failed tasks, stages or jobs than there are, a negative stage task
 * count or task duration, unordered task-duration quantiles.
 * (Issue 12 item 4 tightens what validation accepts — every figure within 2^53, ids non-negative integers, task
 * time within duration × cores; the bounds it adds belong here too, so this property checks them on every case.)
 * @returns one sentence per impossible value.
 */
function impossibleValues(r: ApplicationRecord): string[] {
  const bad: string[] = [];
  const check = (name: string, v: unknown) => {
    if (typeof v === 'number' && (!Number.isFinite(v) || v < 0 || v > Number.MAX_SAFE_INTEGER))
      bad.push(`${name} = ${v}`);
  };
  const id = (name: string, v: unknown) => {
    if (typeof v === 'number' && !(Number.isInteger(v) && v >= 0 && v <= 2 ** 31 - 1))
      bad.push(`${name} = ${v} is not an id`);
  };
  id('executorCores', r.executorCores);
  const figures = [
    'durationMs',
    'totalTasks',
    'failedTasks',
    'totalStages',
    'failedStages',
    'totalJobs',
    'failedJobs',
    'maxExecutors',
    'totalExecutorsAdded',
    'executorRunTimeMs',
    'executorCpuTimeMs',
    'jvmGcTimeMs',
    'inputBytes',
    'outputBytes',
    'shuffleReadBytes',
    'shuffleWriteBytes',
    'memoryBytesSpilled',
    'diskBytesSpilled',
    'peakExecutionMemoryBytes',
    'executorCoreTimeMs',
  ] as const;
  for (const k of figures) check(k, r[k]);
  if (r.failedTasks > r.totalTasks) bad.push(`failedTasks ${r.failedTasks} > totalTasks ${r.totalTasks}`);
  if (r.failedStages > r.totalStages) bad.push(`failedStages ${r.failedStages} > totalStages ${r.totalStages}`);
  if (r.failedJobs > r.totalJobs) bad.push(`failedJobs ${r.failedJobs} > totalJobs ${r.totalJobs}`);
  for (const s of r.stages) {
    id(`stage ${s.stageId}.${s.attemptId} stageId`, s.stageId);
    id(`stage ${s.stageId}.${s.attemptId} attemptId`, s.attemptId);
    id(`stage ${s.stageId}.${s.attemptId} numTasks`, s.numTasks);
    check(`stage ${s.stageId}.${s.attemptId} succeededTasks`, s.succeededTasks);
    check(`stage ${s.stageId}.${s.attemptId} failedTasks`, s.failedTasks);
    for (const d of s.taskDurationsMs ?? []) check(`stage ${s.stageId}.${s.attemptId} task duration`, d);
    const q = s.taskDurationMs;
    if (q && !(q.min >= 0 && q.min <= q.median && q.median <= q.max))
      bad.push(`stage ${s.stageId}.${s.attemptId} quantiles ${JSON.stringify(q)}`);
  }
  return bad;
}

/** A record with its executors and stages in one order, for comparing what was stored with what came back. */
function canonical(r: ApplicationRecord): ApplicationRecord {
  const by = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    ...r,
    executors: [...r.executors].sort((a, b) => by(a.executorId, b.executorId)),
    stages: [...r.stages].sort((a, b) => a.stageId - b.stageId || a.attemptId - b.attemptId),
  };
}

/**
 * Where the record read back from the store differs from the one stored, beyond the store's rounding of figures to
 * whole numbers (its INTEGER columns; per-task durations are an Int32 array, compared by count): every field, stage,
 * executor, job and setting must come back.
 * @returns one line per difference, with its path.
 */
function lostInStore(stored: unknown, back: unknown, at = 'record'): string[] {
  if (typeof stored === 'number' && typeof back === 'number') {
    return Math.abs(stored - back) <= 0.5 || Math.abs(stored - back) <= 1e-9 * Math.abs(stored)
      ? []
      : [`${at}: ${stored} came back as ${back}`];
  }
  if (stored === null || back === null || typeof stored !== 'object' || typeof back !== 'object') {
    return Object.is(stored, back) ? [] : [`${at}: ${JSON.stringify(stored)} came back as ${JSON.stringify(back)}`];
  }
  if (Array.isArray(stored) !== Array.isArray(back)) return [`${at}: an array and a non-array`];
  if (at.endsWith('.taskDurationsMs')) {
    return (stored as unknown[]).length === (back as unknown[]).length
      ? []
      : [`${at}: ${(stored as unknown[]).length} durations came back as ${(back as unknown[]).length}`];
  }
  const keys = new Set([...Object.keys(stored), ...Object.keys(back)]);
  return [...keys].flatMap((k) =>
    lostInStore((stored as Record<string, unknown>)[k], (back as Record<string, unknown>)[k], `${at}.${k}`),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Config files

const READERS: Record<string, { dir: string; read: (text: string) => FileSettings }> = {
  python: { dir: 'python', read: extractPythonSettings },
  airflow: { dir: 'airflow', read: extractAirflowSettings },
  shell: { dir: 'shell', read: extractShellSettings },
  'spark-defaults': { dir: 'spark-defaults', read: extractSparkDefaultsSettings },
  'k8s-yaml': { dir: 'k8s-yaml', read: extractK8sSettings },
  'databricks-emr-json': { dir: 'databricks-emr-json', read: extractDatabricksEmrSettings },
};

/** Fragments that matter to one reader or another. */
const FRAGMENTS = [
  '"',
  "'",
  '"""',
  '`',
  '\\',
  '\\\n',
  '\n',
  '\r\n',
  '\r',
  '\t',
  ' ',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '=',
  '#',
  '$',
  '${',
  '$(',
  '--conf ',
  '--conf=',
  'spark.executor.memory',
  '=4g',
  ' 4g',
  '.config("spark.executor.cores", "2")',
  'SparkSession.builder',
  'spark-submit ',
  '&&',
  '|',
  ';',
  '- ',
  '  ',
  '---\n',
  'sparkConf:\n  "spark.x": "1"\n',
  '"spark_conf": {',
  '😀',
  '\u0000',
  '\ufeff',
  'é',
];

type TextEdit = { at: number; del: number; insert: string; dup: boolean };

const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  del: fc.nat({ max: 20 }),
  insert: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6, unit: 'binary' })),
  dup: fc.boolean(),
});

function applyEdits(text: string, edits: TextEdit[]): string {
  let t = text;
  for (const e of edits) {
    const at = Math.floor(e.at * t.length);
    if (e.dup) t = t.slice(0, at) + t.slice(at, at + e.del) + t.slice(at);
    else t = t.slice(0, at) + e.insert + t.slice(at + e.del);
  }
  return t;
}

/** Problems with the ranges of `fs` over `text`: each range inside the text (lines, UTF-16 columns) and start ≤ end. */
function rangeProblems(text: string, fs: FileSettings): string[] {
  // LSP lines end at \n, \r\n or \r.
  const lines = text.split(/\r\n|\r|\n/);
  const bad: string[] = [];
  const inside = (what: string, r: Range | undefined) => {
    if (r === undefined) return;
    for (const [end, p] of [
      ['start', r.start],
      ['end', r.end],
    ] as const) {
      if (
        !Number.isInteger(p.line) ||
        !Number.isInteger(p.character) ||
        p.line < 0 ||
        p.line >= lines.length ||
        p.character < 0 ||
        p.character > lines[p.line].length
      ) {
        bad.push(
          `${what} ${end} ${JSON.stringify(p)} is outside the text (${lines.length} lines${p.line >= 0 && p.line < lines.length ? `, line ${p.line} has ${lines[p.line].length} units` : ''})`,
        );
      }
    }
    if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character))
      bad.push(`${what} ends before it starts: ${JSON.stringify(r)}`);
  };
  for (const b of fs.blocks) {
    inside(`block ${b.kind}`, b.range);
    if (b.insertion) inside('insertion point', { start: b.insertion.position, end: b.insertion.position });
    for (const s of b.settings) {
      inside(`${s.key} value`, s.range);
      inside(`${s.key} key`, s.keyRange);
      inside(`${s.key} resolved constant`, s.resolvedFrom?.range);
    }
  }
  return bad;
}

describe(`fuzz (fast-check, seed ${SEED}, ${TIME_MS} ms per property; FUZZ_SEED=${SEED} replays)`, function () {
  this.timeout(TIME_MS * 4 + 60_000);

  after(() => {
    console.log(
      `      (fuzz seed ${SEED}: ${Object.entries(ran)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')} cases)`,
    );
  });

  it('event-log lines: reading, folding, validating and storing never throw, and nothing impossible is stored', async () => {
    const corpus = LINE_SOURCES.map((rel) =>
      fs
        .readFileSync(path.join(EVENT_LOGS, rel), 'utf8')
        .split('\n')
        .filter((l) => l.trim()),
    );
    // `wc -l` of the five logs: 30 + 75 + 214 + 16 + 15.
    assert.strictEqual(corpus.flat().length, 350);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-fuzz-'));
    let n = 0;
    let records = 0;
    let stored = 0;
    try {
      await runAsyncProperty(
        fc.asyncProperty(logArbitrary(corpus), async (lines) => {
          const file = path.join(tmp, `app-${n++}`);
          fs.writeFileSync(file, lines.join('\n') + '\n');
          try {
            const { record } = await readEventLog(await singleSource(file));
            if (record === null) return;
            records++;
            // As the ingest pipeline does: checkRecord rejects contradictory records and clips impossible sums.
            if (checkRecord(record).problems.length > 0) return;
            // A fresh store per case: one application id means one stored application.
            const store = HistoryStore.open(':memory:');
            try {
              store.upsert(record, { path: file, sizeBytes: 0, mtimeMs: 0, malformedLines: 0 });
              stored++;
              const back = store.runById(record.appId);
              assert.ok(back, 'stored record reads back');
              assert.deepStrictEqual(
                lostInStore(canonical(record), canonical(back)),
                [],
                'the store gives back what it was given',
              );
              assert.deepStrictEqual(impossibleValues(back), []);
            } finally {
              store.close();
            }
          } finally {
            fs.rmSync(file, { force: true });
          }
        }),
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    ran['event-log'] = n;
    // The generator must make applications, and validation must keep some: else the property checked nothing.
    assert.ok(records > 0 && stored > 0, `${n} logs: ${records} records, ${stored} stored`);
  });

  for (const [kind, { dir, read }] of Object.entries(READERS)) {
    it(`config files (${kind}): the reader never throws and every range lies inside the text`, () => {
      const files = fs
        .readdirSync(path.join(CONFIGS, dir))
        .map((f) => fs.readFileSync(path.join(CONFIGS, dir, f), 'utf8'));
      let n = 0;
      // A whole real file, or (for more cases per second) a window of up to 40 of its lines, then edited.
      const base = fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom(...files) },
        {
          weight: 3,
          arbitrary: fc
            .tuple(
              fc.constantFrom(...files),
              fc.double({ min: 0, max: 1, noNaN: true }),
              fc.integer({ min: 1, max: 40 }),
            )
            .map(([f, at, count]) => {
              const lines = f.split('\n');
              const start = Math.floor(at * lines.length);
              return lines.slice(start, start + count).join('\n');
            }),
        },
      );
      const text = fc.oneof(
        {
          weight: 8,
          arbitrary: fc
            .tuple(base, fc.array(textEdit, { minLength: 1, maxLength: 8 }))
            .map(([f, edits]) => applyEdits(f, edits)),
        },
        { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }) },
        { weight: 1, arbitrary: fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((xs) => xs.join('')) },
      );
      runProperty(
        fc.property(text, (t) => {
          n++;
          const settings = read(t);
          assert.deepStrictEqual(rangeProblems(t, settings), []);
        }),
      );
      ran[kind] = n;
    });
  }

  it('escapeMarkdown: any text renders as exactly its characters in a paragraph, a table cell, a list item and bold', async () => {
    const { marked } = await import('marked');
    const decode = (h: string) =>
      h
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    const contexts: [string, string, RegExp][] = [
      ['', '', /^<p>([\s\S]*)<\/p>\n$/],
      ['x ', ' y', /^<p>x ([\s\S]*) y<\/p>\n$/],
      ['- ', '', /^<ul>\n<li>([\s\S]*)<\/li>\n<\/ul>\n$/],
      ['**', '**', /^<p><strong>([\s\S]*)<\/strong><\/p>\n$/],
      ['| h |\n|---|\n| ', ' |', /<td>([\s\S]*)<\/td>/],
    ];
    const pieces = fc.constantFrom(
      'a',
      '1',
      ' ',
      '_',
      '-',
      '*',
      '`',
      '[',
      ']',
      '(',
      ')',
      '<',
      '>',
      '!',
      '#',
      '+',
      '=',
      '.',
      ':',
      '/',
      '@',
      '|',
      '~',
      '\\',
      '&',
      'www.',
      'http://',
      '1.',
      '\n',
      '\u001b',
    );
    const text = fc.oneof(
      fc.array(pieces, { maxLength: 24 }).map((xs) => xs.join('')),
      fc.string({ maxLength: 30, unit: 'binary' }),
    );
    let n = 0;
    runProperty(
      fc.property(text, (s) => {
        n++;
        const want = escapeTerminal(s);
        if (want === '') return;
        for (const [pre, post, re] of contexts) {
          const html = marked.parse(pre + escapeMarkdown(s) + post, { gfm: true, async: false });
          const m = re.exec(html);
          assert.ok(m, `${JSON.stringify(pre + escapeMarkdown(s) + post)} rendered as ${JSON.stringify(html)}`);
          assert.strictEqual(decode(m[1]), want, `rendered ${JSON.stringify(html)}`);
        }
      }),
    );
    ran.markdown = n;
  });
});
