/**
 * Safe extraction of the zip the History Server's `/logs` endpoint answers (spark-reference.md B:
 * one entry per event-log file, a rolling log as `eventlog_v2_<appId>/` plus its files; the files
 * still compressed as Spark stored them).
 *
 * The zip comes from the network, so every entry is checked before anything is written: a name that
 * is absolute or whose resolved path leaves the target folder (`../x`, `a/../../x`) rejects the whole
 * archive (yauzl already refuses such names; the resolved-path check here does not depend on it).
 * Only folders and regular files are created (a symlink entry is written as a plain file holding the
 * link text, never as a link), and the total uncompressed size is capped.
 */

import { createWriteStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';

/** Options of {@link extractZip}. */
export interface ExtractOptions {
  /** Largest total uncompressed size, bytes (default 16 GiB); a bigger archive is rejected. */
  maxTotalBytes?: number;
  /** Most entries (default 10 000). */
  maxEntries?: number;
  signal?: AbortSignal;
}

/** An archive that must not be extracted (unsafe name, too big). */
export class UnsafeZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeZipError';
  }
}

/**
 * The absolute path an entry name would be written to below `destDir`.
 * @throws UnsafeZipError when the name is absolute (`/x`, `C:\x`, `\\host\x`) or resolves outside `destDir`.
 */
export function entryTarget(destDir: string, entryName: string): string {
  const root = path.resolve(destDir);
  const name = entryName.replace(/\\/g, '/');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\0')) {
    throw new UnsafeZipError(`zip entry "${entryName}" has an absolute path; refusing to extract the archive`);
  }
  const target = path.resolve(root, name);
  const rel = path.relative(root, target);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new UnsafeZipError(`zip entry "${entryName}" points outside the extraction folder; refusing to extract the archive`);
  }
  return target;
}

/**
 * Extracts `zipFile` below `destDir` (which must exist and should be private, e.g. from `fs.mkdtemp`).
 * All entry names are checked first, so an unsafe archive writes nothing.
 * @returns the relative paths of the files written.
 * @throws UnsafeZipError for unsafe or oversized archives; yauzl's errors for corrupt ones
 *   ("end of central directory record signature not found" for a truncated download).
 */
export async function extractZip(zipFile: string, destDir: string, opts: ExtractOptions = {}): Promise<string[]> {
  const maxTotal = opts.maxTotalBytes ?? 16 * 1024 ** 3;
  const maxEntries = opts.maxEntries ?? 10_000;
  const root = path.resolve(destDir);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipFile, { lazyEntries: true, strictFileNames: false, validateEntrySizes: true });
  } catch (e) {
    throw wrap(e);
  }
  try {
    // Pass 1: names and sizes from the central directory, nothing written.
    const entries: { entry: yauzl.Entry; target: string; dir: boolean }[] = [];
    let total = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        if (entries.length >= maxEntries) throw new UnsafeZipError(`zip holds more than ${maxEntries} entries; refusing to extract it`);
        const target = entryTarget(root, entry.fileName);
        total += entry.uncompressedSize;
        if (total > maxTotal) throw new UnsafeZipError(`zip would extract to more than ${maxTotal} bytes; refusing to extract it`);
        entries.push({ entry, target, dir: entry.fileName.endsWith('/') });
      }
    } catch (e) {
      throw wrap(e);
    }
    zip.close();
    // Pass 2: write. A fresh handle, since eachEntry() consumed the cursor.
    zip = await yauzl.openPromise(zipFile, { lazyEntries: true, validateEntrySizes: true });
    const written: string[] = [];
    let i = 0;
    for await (const entry of zip.eachEntry()) {
      opts.signal?.throwIfAborted();
      const planned = entries[i++];
      if (!planned || planned.entry.fileName !== entry.fileName) throw new UnsafeZipError('zip changed while being extracted');
      if (planned.dir) {
        await fsp.mkdir(planned.target, { recursive: true });
        continue;
      }
      await fsp.mkdir(path.dirname(planned.target), { recursive: true });
      const stream = await zip.openReadStreamPromise(entry);
      // 'wx': never follow or overwrite something already there (a second entry of the same name).
      await pipeline(stream, createWriteStream(planned.target, { flags: 'wx', mode: 0o600 }), { signal: opts.signal });
      written.push(path.relative(root, planned.target));
    }
    return written;
  } finally {
    zip.close();
  }
}

function wrap(e: unknown): Error {
  if (e instanceof UnsafeZipError) return e;
  const message = e instanceof Error ? e.message : String(e);
  // yauzl's own name checks ("invalid relative path: ../x", "absolute path: /x").
  if (/invalid relative path|absolute path|invalid characters in fileName/.test(message)) {
    return new UnsafeZipError(`zip entry rejected (${message}); refusing to extract the archive`);
  }
  return e instanceof Error ? e : new Error(message);
}
