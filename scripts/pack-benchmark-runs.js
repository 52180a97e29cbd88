#!/usr/bin/env node
/**
 * Packs the benchmark's runs (as scripts/generate-benchmark-eval.sh writes them: one rolling event-log folder
 * `eventlog_v2_<appId>/events_<n>_<appId>.zstd` per run, `manifest.json`, `README.md`) into the committed form that
 * `npm run eval` reads: one single-file event log per run, `<appId>.zstd` (Spark's own name for a zstd-compressed
 * single-file log), recompressed at zstd level 19 with Node's zlib, plus the manifest (each run's `eventLog` renamed)
 * and the README. The decompressed bytes are the rolling parts concatenated in order (a rolling log's parts are whole
 * event lines, so their concatenation is the same event stream); every file is decompressed again after writing and
 * compared with the original bytes. A run packed already (its `eventLog` is `<appId>.zstd`: a generation resumed from
 * eval/benchmark-runs-partial) is copied as it is. Marker files (`appstatus_*`, `.crc`) are dropped: a single file without
 * `.inprogress` is a finished log.
 *
 * Usage: node scripts/pack-benchmark-runs.js <from> <to> [--partial] [--only appId,appId,...] [--grid FILE]
 *   <from>     the generator's folder (e.g. /path/to/checkout/eval/benchmark-runs)
 *   <to>       the packed folder (e.g. eval/benchmark-runs in a checkout); created; its old *.zstd and manifest.json
 *              are replaced (it may hold nothing else)
 *   --partial  pack although the grid is not complete (refused otherwise: a partial grid is only committed to
 *              eval/benchmark-runs-partial, which npm run eval does not read, so that a generation resumes on
 *              another machine)
 *   --only     pack only these runs (test fixtures); implies --partial
 *   --grid     the grid the manifest was made from (default eval/benchmark/grid.json next to this script)
 * Exit 1 with a message on bad input (missing manifest or log, round trip differs, incomplete grid, foreign files in <to>).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const LEVEL = 19;

function fail(msg) {
  console.error(`pack-benchmark-runs: ${msg}`);
  process.exit(1);
}

function parseArgs(argv) {
  const out = {
    positional: [],
    partial: false,
    only: null,
    grid: path.join(__dirname, '..', 'eval', 'benchmark', 'grid.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--partial') out.partial = true;
    else if (a === '--only') {
      out.only = new Set((argv[++i] ?? '').split(',').filter(Boolean));
      out.partial = true;
    } else if (a === '--grid') out.grid = argv[++i];
    else out.positional.push(a);
  }
  if (out.positional.length !== 2)
    fail('usage: node scripts/pack-benchmark-runs.js <from> <to> [--partial] [--only appId,...] [--grid FILE]');
  return out;
}

/** Runs the grid plans: workloads × (configurations × 2 + the third-repetition configurations). */
function plannedRuns(grid) {
  return grid.workloads.length * (grid.configurations.length * 2 + (grid.thirdRepetition ?? []).length);
}

/** The event-log parts of one run in order (rolling folder: events_1, events_2, ...; or a single file). */
function logParts(from, eventLog) {
  const p = path.join(from, eventLog);
  if (!fs.existsSync(p)) fail(`${p} (listed in the manifest) does not exist`);
  if (fs.statSync(p).isFile()) return [p];
  const parts = fs
    .readdirSync(p)
    .map((f) => ({ f, m: /^events_(\d+)_.*\.zstd$/.exec(f) }))
    .filter((x) => x.m !== null)
    .sort((a, b) => Number(a.m[1]) - Number(b.m[1]))
    .map((x) => path.join(p, x.f));
  if (parts.length === 0) fail(`${p} holds no events_<n>_*.zstd part`);
  if (fs.readdirSync(p).some((f) => f.endsWith('.inprogress'))) fail(`${p} is still in progress`);
  return parts;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const [from, to] = args.positional.map((p) => path.resolve(p));
  const manifestFile = path.join(from, 'manifest.json');
  if (!fs.existsSync(manifestFile)) fail(`${manifestFile} does not exist`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  if (!Array.isArray(manifest.runs)) fail(`${manifestFile} has no runs`);
  const grid = JSON.parse(fs.readFileSync(args.grid, 'utf8'));
  const planned = plannedRuns(grid);
  if (!args.partial && manifest.runs.length < planned) {
    fail(
      `${manifestFile} lists ${manifest.runs.length} of the ${planned} runs ${args.grid} plans; a partial grid is not committed (pass --partial to pack it elsewhere)`,
    );
  }
  const runs = args.only === null ? manifest.runs : manifest.runs.filter((r) => args.only.has(r.appId));
  if (args.only !== null && runs.length !== args.only.size)
    fail(`--only: ${[...args.only].filter((a) => !runs.some((r) => r.appId === a)).join(', ')} not in the manifest`);

  if (from === to) fail('<from> and <to> are one folder; pack into another one');
  fs.mkdirSync(to, { recursive: true });
  const foreign = fs
    .readdirSync(to)
    .filter((f) => !/\.zstd$/.test(f) && f !== 'manifest.json' && f !== 'README.md' && f !== 'generate.log');
  if (foreign.length > 0)
    fail(`${to} holds other files (${foreign.slice(0, 3).join(', ')}); pack into an empty folder or a previous pack`);
  for (const f of fs.readdirSync(to)) if (f.endsWith('.zstd')) fs.rmSync(path.join(to, f));

  let before = 0;
  let after = 0;
  let raw = 0;
  const packedRuns = [];
  for (const r of runs) {
    const name = `${r.appId}.zstd`;
    if (r.eventLog === name) {
      // Packed already (a generation resumed from an earlier pack): the same bytes, not compressed again.
      const packed = fs.readFileSync(path.join(from, name));
      raw += zlib.zstdDecompressSync(packed).length;
      before += packed.length;
      after += packed.length;
      fs.writeFileSync(path.join(to, name), packed);
      packedRuns.push(r);
      continue;
    }
    const parts = logParts(from, r.eventLog);
    const bytes = Buffer.concat(
      parts.map((p) => {
        const c = fs.readFileSync(p);
        before += c.length;
        return zlib.zstdDecompressSync(c);
      }),
    );
    const packed = zlib.zstdCompressSync(bytes, { params: { [zlib.constants.ZSTD_c_compressionLevel]: LEVEL } });
    if (!zlib.zstdDecompressSync(packed).equals(bytes)) fail(`round trip of ${r.eventLog} changed its bytes`);
    fs.writeFileSync(path.join(to, name), packed);
    raw += bytes.length;
    after += packed.length;
    packedRuns.push({ ...r, eventLog: name });
  }
  // Runs discarded for load or a clock jump (run_benchmark.py --redo-loaded-above) are not measurements: only their
  // count and reasons are kept.
  // A generation resumed from an earlier pack (scripts/generate-benchmark-eval.sh seeds its folder from
  // eval/benchmark-runs-partial) carries that pack's `discardedRuns`; the runs discarded since are added to it.
  const { discarded = [], discardedRuns: earlier = { count: 0, because: {} }, ...kept } = manifest;
  const discardedBecause = { ...earlier.because };
  for (const d of discarded) {
    // Numbers become N, names that end in a digit (othersLoad1) stay: "othersLoad1MeanDuring N >= N".
    const why = String(d.discardedBecause).replace(/\b\d+(\.\d+)?\b/g, 'N');
    discardedBecause[why] = (discardedBecause[why] ?? 0) + 1;
  }
  const out = {
    ...kept,
    discardedRuns: { count: earlier.count + discarded.length, because: discardedBecause },
    packedBy: `scripts/pack-benchmark-runs.js (zstd level ${LEVEL}, Node ${process.version} zlib; rolling parts concatenated into one file per run)`,
    runs: packedRuns,
  };
  fs.writeFileSync(path.join(to, 'manifest.json'), JSON.stringify(out, null, 1) + '\n');
  const readme = path.join(from, 'README.md');
  if (fs.existsSync(readme) && args.only === null) fs.copyFileSync(readme, path.join(to, 'README.md'));
  const mib = (b) => (b / 2 ** 20).toFixed(1);
  console.log(
    `packed ${packedRuns.length} of ${manifest.runs.length} runs (${planned} planned) into ${to}: ${mib(raw)} MiB of events, ${mib(before)} MiB as generated, ${mib(after)} MiB packed`,
  );
}

main();
