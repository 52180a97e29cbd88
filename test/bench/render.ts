/**
 * Renders docs/benchmarks.md from the section fragments the benches wrote to build/bench/ (report.ts): the machine
 * (CPU model and count, memory, OS, Node), then each section in order with the time and load average it ran under.
 *
 *   node build/test/bench/render.js        (the last step of `npm run bench`)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BENCH_FRAGMENT_DIR, formatLoad, type BenchFragment } from './report';
import { REPO_ROOT } from '../helpers/fixtures';

const OUT = path.join(REPO_ROOT, 'docs', 'benchmarks.md');

/** The published targets (issue 18): which figure of which section, and the bound it must meet. */
const TARGETS: { section: string; figures: string[]; label: string; bound: number; atMost: boolean; unit: string }[] = [
  {
    section: 'spark-connect',
    figures: ['roundTripRatio'],
    label: 'Spark Connect `SELECT 1` round trip ÷ pyspark',
    bound: 1.0,
    atMost: true,
    unit: '×',
  },
  {
    section: 'spark-connect',
    figures: ['throughputRatioVsToArrow'],
    label: '1M-row transfer rate ÷ pyspark `toArrow()`',
    bound: 1.0,
    atMost: false,
    unit: '×',
  },
  {
    section: 'ingestion',
    figures: ['plain200MBRatioToDecodeParse', 'zstd200MBRatioToDecodeParse'],
    label: 'ingestion MB/s ÷ decode + `JSON.parse` (200 MB plain, zstd)',
    bound: 0.8,
    atMost: false,
    unit: '×',
  },
  {
    section: 'editor-latency',
    figures: [
      'nightlyEtlOpenP95Ms',
      'submitNightlyEtlOpenP95Ms',
      'nightlyEtlOpenWarmP95Ms',
      'submitNightlyEtlOpenWarmP95Ms',
    ],
    label: 'first analysis of a newly opened file, p95 on 100,000 applications (cold, running service; .py, .sh)',
    bound: 100,
    atMost: true,
    unit: ' ms',
  },
];

/** The targets table: each figure found in this run's fragments, whether it meets its bound. */
function targetsTable(fragments: BenchFragment[]): string[] {
  const rows = TARGETS.map((t) => {
    const bound = `${t.atMost ? '≤' : '≥'} ${t.unit === '×' ? t.bound.toFixed(2) : t.bound}${t.unit}`;
    const f = fragments.find((x) => x.id === t.section);
    const values = t.figures
      .map((k) => f?.figures[k])
      .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (values.length === 0) return `| ${t.label} | ${bound} | not measured in this run | – |`;
    const ok = values.every((v) => (t.atMost ? v <= t.bound : v >= t.bound));
    const shown = values.map((v) => `${t.unit === '×' ? v.toFixed(2) : v.toFixed(1)}${t.unit}`).join(', ');
    return `| ${t.label} | ${bound} | ${shown} | ${ok ? 'met' : '**not met**'} |`;
  });
  return ['## Targets', '', '| figure | target | this run | |', '|---|---|---|---|', ...rows, ''];
}

function main(): void {
  const fragments = (fs.existsSync(BENCH_FRAGMENT_DIR) ? fs.readdirSync(BENCH_FRAGMENT_DIR) : [])
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(BENCH_FRAGMENT_DIR, f), 'utf8')) as BenchFragment)
    .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  if (fragments.length === 0) throw new Error(`no bench fragments in ${BENCH_FRAGMENT_DIR}: run npm run bench`);
  const cpus = os.cpus();
  const lines = [
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench` (test/bench/render.ts from the fragments in build/bench/); do not edit by hand. -->',
    '',
    "Every figure is a ratio to a baseline measured in the same run on the same machine, so the machine's speed",
    'cancels out; absolute times are given for scale only. Timings on a shared machine are noisy: each section says',
    'the load average (1 / 5 / 15 minutes) it ran under.',
    '',
    `Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB memory, ` +
      `${os.type()} ${os.release()}, Node ${process.version}.`,
    '',
    `Sections: ${fragments.map((f) => `[${f.title}](#${f.id})`).join(', ')}.`,
    '',
    ...targetsTable(fragments),
  ];
  for (const f of fragments) {
    lines.push(`<a id="${f.id}"></a>`, `## ${f.title}`, '');
    lines.push(
      `Measured ${f.measuredAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}; load average ${formatLoad(f.loadAverageStart)} at the start, ${formatLoad(f.loadAverageEnd)} at the end.`,
      '',
    );
    lines.push(f.markdown.trimEnd(), '');
  }
  fs.writeFileSync(OUT, lines.join('\n'));
  process.stdout.write(`wrote ${path.relative(process.cwd(), OUT)} (${fragments.length} section(s))\n`);
}

main();
