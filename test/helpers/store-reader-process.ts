/**
 * A reader process for the store concurrency test (test/live/store-concurrency.test.ts): opens the history store as the
 * editor and the CLI do and reads it in a loop until STOP_FILE exists (or MAX_MS passed), checking every record it
 * reads is whole (all its stage rows, as many as `totalStages`) and that stored attempts never vanish. Prints one JSON
 * line: `{ reads, records, maxApplications, errors: string[] }`.
 *
 * Usage: node store-reader-process.js DB_FILE STOP_FILE MAX_MS
 */
import * as fs from 'fs';
import { HistoryStore } from '../../server/src/store/history-store';

async function main(): Promise<void> {
  const [db, stopFile, maxMs] = process.argv.slice(2);
  const deadline = Date.now() + Number(maxMs);
  const errors: string[] = [];
  let reads = 0;
  let records = 0;
  let maxApplications = 0;
  let store: HistoryStore | null = null;
  try {
    store = HistoryStore.open(db);
    while (Date.now() < deadline && !fs.existsSync(stopFile)) {
      const n = store.countApplications();
      if (n < maxApplications) errors.push(`application count went back from ${maxApplications} to ${n}`);
      maxApplications = Math.max(maxApplications, n);
      const jobs = store.listWorkloads();
      for (const job of jobs.slice(0, 4)) {
        for (const r of store.runsByAppName(job.appName, 20)) {
          records++;
          if (r.stages.length !== r.totalStages)
            errors.push(`${r.appId}/${r.attemptId}: ${r.stages.length} stage rows for totalStages ${r.totalStages}`);
          const again = store.runById(r.appId, r.attemptId);
          if (again === null) errors.push(`${r.appId}/${r.attemptId} vanished between two reads`);
        }
      }
      for (const r of store.allRuns(10))
        if (r.stages.length !== r.totalStages) errors.push(`${r.appId}/${r.attemptId}: partial record`);
      reads++;
      await new Promise((res) => setTimeout(res, 20));
    }
  } catch (e) {
    errors.push(e instanceof Error ? e.message : String(e));
  } finally {
    store?.close();
  }
  process.stdout.write(JSON.stringify({ reads, records, maxApplications, errors: errors.slice(0, 20) }) + '\n');
}

void main();
