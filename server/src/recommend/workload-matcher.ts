/**
 * Finds which workload in the history a file's application is.
 *
 * Order (first that matches wins): the `spark.app.name` set in the file, equal to a stored `App Name`;
 * then a file stem (the file itself, or the file a spark-submit runs) equal to a stored name after
 * normalising case and separators (`submit_nightly_etl` also tries `nightly_etl`); then a stored run whose
 * submitted file (`ApplicationRecord.mainResource`, spark-submit's primary resource) has that stem; then the
 * stored name sharing the most words with those names (Jaccard ≥ 0.5).
 */
export interface WorkloadMatch {
  /** `App Name` of the matched runs. */
  appName: string;
  matchedBy: 'spark.app.name' | 'file name' | 'submitted file' | 'similar name';
  /** How close a `similar name` match is (Jaccard of name words, 0..1); 1 for exact matches. */
  similarity: number;
}

/**
 * @param appName the app name set in the file, or null.
 * @param fileStems stems of the file and of the file it submits.
 * @param knownNames distinct app names in the store.
 * @param bySubmittedFile app names of stored runs whose submitted file has a stem (`HistoryStore.appNamesBySubmittedFile`).
 */
export function matchWorkload(
  appName: string | null,
  fileStems: string[],
  knownNames: string[],
  bySubmittedFile?: (stem: string) => string[],
): WorkloadMatch | null {
  if (appName !== null && knownNames.includes(appName)) return { appName, matchedBy: 'spark.app.name', similarity: 1 };
  const byNorm = new Map<string, string>();
  for (const n of knownNames) byNorm.set(normalise(n), n);
  const candidates = fileStems.flatMap((s) => [s, s.replace(/^(submit|run|launch|start)[_-]/i, '')]);
  for (const c of candidates) {
    const hit = byNorm.get(normalise(c));
    if (hit !== undefined) return { appName: hit, matchedBy: 'file name', similarity: 1 };
  }
  if (bySubmittedFile !== undefined) {
    for (const s of fileStems) {
      const names = bySubmittedFile(s);
      if (names.length > 0) return { appName: names[0], matchedBy: 'submitted file', similarity: 1 };
    }
  }
  const wanted = [appName ?? '', ...candidates].filter((s) => s.length > 0);
  let best: WorkloadMatch | null = null;
  for (const n of knownNames) {
    for (const w of wanted) {
      const sim = jaccard(words(n), words(w));
      if (sim >= 0.5 && (best === null || sim > best.similarity))
        best = { appName: n, matchedBy: 'similar name', similarity: sim };
    }
  }
  return best;
}

function normalise(s: string): string {
  return s.toLowerCase().replace(/[\s.-]+/g, '_');
}

function words(s: string): Set<string> {
  return new Set(
    normalise(s)
      .split('_')
      .filter((w) => w.length > 0),
  );
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 0 : inter / union;
}
