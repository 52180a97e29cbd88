/**
 * Big PySpark documents made on the fly for the responsiveness test and benchmark (never committed). Both are valid
 * Python whose settings the server reads in full.
 */
import * as fs from 'fs';
import { NIGHTLY_ETL_PY } from './fixtures';

/** A PySpark file of about `bytes` bytes: one SparkSession and a big literal table (as generated-data modules are). */
export function bigPySparkFile(bytes: number): string {
  const head =
    'from pyspark.sql import SparkSession\n\nspark = SparkSession.builder.appName("nightly_etl").config("spark.executor.memory", "1g").getOrCreate()\n\nROWS = [\n';
  const rows: string[] = [];
  let size = head.length;
  for (let i = 0; size < bytes - 2; i++) {
    const row = `    (${i}, "customer-${i % 750_000}", ${(i * 3.25).toFixed(2)}, "2026-11-21"),\n`;
    rows.push(row);
    size += row.length;
  }
  return `${head}${rows.join('')}]\n`;
}

/** About `bytes` bytes of examples/nightly_etl.py repeated: thousands of SparkSession builders, each with its settings. */
export function repeatedJobFile(bytes: number): string {
  const job = fs.readFileSync(NIGHTLY_ETL_PY, 'utf8');
  return job.repeat(Math.max(1, Math.round(bytes / job.length)));
}
