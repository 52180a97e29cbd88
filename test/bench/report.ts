/**
 * How benchmarks publish their figures: each bench writes its own section as a JSON fragment to
 * `build/bench/<id>.json` (`writeBenchSection`), with the load average and time it ran under; `render.ts` then turns
 * every fragment present into `docs/benchmarks.md`, with the machine it ran on. A bench that did not run leaves the
 * section of its last run out (the page says which sections it has), so sections never mix runs silently.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../helpers/fixtures';

/** Folder of the fragments (build/bench/ at the repository root). */
export const BENCH_FRAGMENT_DIR = path.join(REPO_ROOT, 'build', 'bench');

/** One bench's section of docs/benchmarks.md. */
export interface BenchSection {
  /** File name of the fragment and anchor: kebab-case, e.g. "spark-connect". */
  id: string;
  /** Heading, e.g. "Spark Connect". */
  title: string;
  /** Sections are rendered by this number, then by id (e.g. codecs 10, ingestion 20, editor 30, Spark Connect 40). */
  order: number;
  /** The section's Markdown body (tables and sentences, no heading). */
  markdown: string;
  /** Figures for machines: name → number, with the unit in the name (e.g. `roundTripRatio`, `ourMedianMs`). */
  figures: Record<string, number>;
}

/** A fragment as written: the section plus when and under what load it was measured. */
export interface BenchFragment extends BenchSection {
  /** ISO time the bench finished. */
  measuredAt: string;
  /** os.loadavg() at the start and at the end of the bench (1, 5, 15 minutes). */
  loadAverageStart: number[];
  loadAverageEnd: number[];
}

/**
 * Writes the section's fragment. `loadAverageStart` is what `os.loadavg()` gave when the bench began.
 * @throws Error when the id is not kebab-case or the folder cannot be written.
 */
export function writeBenchSection(section: BenchSection, loadAverageStart: number[]): string {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(section.id))
    throw new Error(`bench section id "${section.id}" must be kebab-case`);
  fs.mkdirSync(BENCH_FRAGMENT_DIR, { recursive: true });
  const fragment: BenchFragment = {
    ...section,
    measuredAt: new Date().toISOString(),
    loadAverageStart,
    loadAverageEnd: os.loadavg(),
  };
  const file = path.join(BENCH_FRAGMENT_DIR, `${section.id}.json`);
  fs.writeFileSync(file, JSON.stringify(fragment, null, 2) + '\n');
  return file;
}

/** "1.23 / 2.34 / 3.45" */
export function formatLoad(load: readonly number[]): string {
  return load.map((x) => x.toFixed(2)).join(' / ');
}

/**
 * A GitHub-flavoured Markdown table. Cells are text this bench laid out (figures and fixed labels), written as they are.
 * @param header column headings.
 * @param rows one array of cells per row, as many as `header`.
 */
export function markdownTable(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}
