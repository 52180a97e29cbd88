/**
 * The Spark session `collect --engine spark` needs (history/spark-engine/collect.ts `SparkSql`), over the Spark Connect
 * client: views of files read by Spark's data sources, views of rows sent from here as Arrow, and queries whose Arrow
 * batches are read into rows as they arrive (never held whole).
 */
import { Int32, Table, tableToIPC, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { ipcRows } from '../../../shared/src/arrow-values';
import type { RowsColumn, SparkQueryProgress, SparkSql } from '../history/spark-engine/collect';
import type { SparkConnectClient } from './client';

/** Rows per Arrow message when rows are sent to Spark (a few MiB each, below gRPC's message limits). */
const ROWS_PER_MESSAGE = 100_000;

/** {@link SparkSql} over one Spark Connect session. */
export class SparkConnectSql implements SparkSql {
  /** @param client an open client (its session holds the views). */
  constructor(private readonly client: SparkConnectClient) {}

  async createFileView(
    name: string,
    source: { format: string; paths: string[]; options: Record<string, string> },
    expressions: string[],
  ): Promise<void> {
    await this.client.createDataSourceView(name, source, expressions);
  }

  async configure(settings: Readonly<Record<string, string>>): Promise<void> {
    await this.client.setConfig({ ...settings });
  }

  async inputFiles(source: { format: string; paths: string[]; options: Record<string, string> }): Promise<string[]> {
    return this.client.inputFiles(source);
  }

  /** Sends the rows as Arrow (`LocalRelation`), in messages of {@link ROWS_PER_MESSAGE} rows joined by `UNION ALL`. */
  async createRowsView(name: string, columns: RowsColumn[]): Promise<void> {
    const n = columns[0]?.values.length ?? 0;
    const parts: string[] = [];
    for (let start = 0, part = 0; start < n || part === 0; start += ROWS_PER_MESSAGE, part++) {
      const vectors: Record<string, Vector> = {};
      for (const c of columns) {
        const values = c.values.slice(start, start + ROWS_PER_MESSAGE);
        vectors[c.name] =
          c.type === 'string'
            ? vectorFromArray(values as string[], new Utf8())
            : vectorFromArray(values as number[], new Int32());
      }
      const partName = `${name}_${part}`;
      await this.client.createLocalView(partName, tableToIPC(new Table(vectors), 'stream'));
      parts.push(partName);
    }
    await this.client.executeSql(
      `CREATE OR REPLACE TEMPORARY VIEW ${name} AS ${parts.map((p) => `SELECT * FROM ${p}`).join(' UNION ALL ')}`,
      { maxRows: 0 },
    );
  }

  async query(
    sql: string,
    options: {
      onRows: (rows: Record<string, unknown>[]) => void;
      signal?: AbortSignal;
      onProgress?: (p: SparkQueryProgress) => void;
    },
  ): Promise<void> {
    await this.client.executeSql(sql, {
      maxRows: Infinity,
      maxBytes: Infinity,
      keepBatches: false,
      signal: options.signal,
      onProgress: options.onProgress
        ? (p) => options.onProgress!({ tasksDone: p.tasksDone, tasksTotal: p.tasksTotal })
        : undefined,
      onBatch: (ipc, rowCount, columns) => {
        if (rowCount === 0) return;
        const names = columns.map((c) => c.name);
        options.onRows(
          ipcRows([ipc], columns).map((values) => Object.fromEntries(names.map((k, i) => [k, values[i]]))),
        );
      },
    });
  }
}
