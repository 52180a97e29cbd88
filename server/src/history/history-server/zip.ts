/**
 * Safe extraction of the zip the History Server's `/logs` endpoint answers (spark-reference.md B:
 * one entry per event-log file, a rolling log as `eventlog_v2_<appId>/` plus its files; the files
 * still compressed as Spark stored them).
 *
 * The zip comes from the network, so every entry is checked before anything is written: a name that
 * is absolute or whose resolved path leaves the target folder (`../x`, `a/../../x`) rejects the whole
 * archive (yauzl already refuses such names; the resolved-path check here does not depend on it).
 * Only folders and regular files are created (a symlink entry is written as a plain file holding the
 * link text, never as a link).
 *
 * Zip bombs are refused before anything is written, from the sizes in the central directory: the total
 * uncompressed size is capped ({@link DEFAULT_MAX_EXTRACT_BYTES}, and never more than the free space of the
 * target's file system), and so is each entry's compression ratio ({@link DEFAULT_MAX_COMPRESSION_RATIO}). While
 * writing, yauzl checks every entry against its declared size (`validateEntrySizes`) and the bytes written are
 * counted against the cap again, so an archive that lies about its sizes stops at the first byte too many.
 */

import { createWriteStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';
import { formatBytes } from '../../config/spark-units';
import { errorMessage } from '../../../../shared/src/errors';

/**
 * Default cap on what one `/logs` zip may extract to, bytes: 8 GiB. The zip holds the attempt's event-log
 * files as Spark wrote them (zstd-compressed by default since Spark 4.0, `spark.eventLog.compress`), so
 * this is far above the logs of very large applications; the download is capped at the same size.
 */
export const DEFAULT_MAX_EXTRACT_BYTES = 8 * 1024 ** 3;

/**
 * Default cap on one entry's uncompressed ÷ compressed size: 200. Deflate can reach about 1032:1 on
 * repeated bytes (the zip bombs of the issue: 1.2 MB → 1.26 GB, 1050:1); Spark's JSON event lines deflate
 * 10–20:1 (the fixtures under test/fixtures/spark/event-logs, `gzip -9`), already-compressed logs 1:1.
 * The same order as Apache POI's `ZipSecureFile` minimum inflate ratio of 0.01 (100:1).
 */
export const DEFAULT_MAX_COMPRESSION_RATIO = 200;

/** Entries smaller than this (uncompressed, bytes) are not ratio-checked: a tiny file cannot be a bomb. */
const RATIO_CHECK_MIN_BYTES = 1024 * 1024;

/** Options of {@link extractZip}. */
export interface ExtractOptions {
  /**
   * Largest total uncompressed size, bytes (default {@link DEFAULT_MAX_EXTRACT_BYTES}); a bigger archive, or
   * one bigger than the free space where it would be written, is rejected before anything is written.
   */
  maxTotalBytes?: number;
  /** Largest uncompressed ÷ compressed size of one entry of 1 MiB or more (default {@link DEFAULT_MAX_COMPRESSION_RATIO}). */
  maxCompressionRatio?: number;
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
    throw new UnsafeZipError(
      `zip entry "${entryName}" points outside the extraction folder; refusing to extract the archive`,
    );
  }
  return target;
}

/**
 * Extracts `zipFile` below `destDir` (which must exist and should be private, e.g. from `fs.mkdtemp`).
 * All entry names are checked first, so an unsafe archive writes nothing.
 * @returns the relative paths of the files written.
 * @throws UnsafeZipError for unsafe or oversized archives (too big in total, for the free disk space, or an
 *   entry's compression ratio too high: nothing written); yauzl's errors for corrupt ones ("end of central
 *   directory record signature not found" for a truncated download, "too many bytes in the stream" for an
 *   entry bigger than it declared).
 */
export async function extractZip(zipFile: string, destDir: string, opts: ExtractOptions = {}): Promise<string[]> {
  const maxTotal = opts.maxTotalBytes ?? DEFAULT_MAX_EXTRACT_BYTES;
  const maxRatio = opts.maxCompressionRatio ?? DEFAULT_MAX_COMPRESSION_RATIO;
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
        if (entries.length >= maxEntries)
          throw new UnsafeZipError(`zip holds more than ${maxEntries} entries; refusing to extract it`);
        const target = entryTarget(root, entry.fileName);
        total += entry.uncompressedSize;
        if (total > maxTotal)
          throw new UnsafeZipError(
            `zip would extract to more than ${formatBytes(maxTotal)} (the limit); refusing to extract it`,
          );
        const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
        if (entry.uncompressedSize >= RATIO_CHECK_MIN_BYTES && ratio > maxRatio) {
          throw new UnsafeZipError(
            `zip entry "${entry.fileName}" would expand ${Math.round(ratio)}× (${formatBytes(entry.compressedSize)} → ${formatBytes(entry.uncompressedSize)}), over the ${maxRatio}× limit for one entry: a zip bomb, not Spark event logs; refusing to extract the archive`,
          );
        }
        entries.push({ entry, target, dir: entry.fileName.endsWith('/') });
      }
    } catch (e) {
      throw wrap(e);
    }
    zip.close();
    const free = await freeBytes(root);
    if (free !== null && total > free) {
      throw new UnsafeZipError(
        `zip would extract to ${formatBytes(total)} but only ${formatBytes(free)} are free in ${root}; refusing to extract it`,
      );
    }
    // Pass 2: write. A fresh handle, since eachEntry() consumed the cursor.
    zip = await yauzl.openPromise(zipFile, { lazyEntries: true, validateEntrySizes: true });
    const written: string[] = [];
    let i = 0;
    let writtenBytes = 0;
    // Counts what is really written, whatever the central directory said.
    const counter = () =>
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          writtenBytes += chunk.length;
          if (writtenBytes > total || writtenBytes > maxTotal)
            cb(
              new UnsafeZipError(
                `zip extracted to more than the ${formatBytes(total)} its directory declares; stopped`,
              ),
            );
          else cb(null, chunk);
        },
      });
    for await (const entry of zip.eachEntry()) {
      opts.signal?.throwIfAborted();
      const planned = entries[i++];
      if (!planned || planned.entry.fileName !== entry.fileName)
        throw new UnsafeZipError('zip changed while being extracted');
      if (planned.dir) {
        await fsp.mkdir(planned.target, { recursive: true });
        continue;
      }
      await fsp.mkdir(path.dirname(planned.target), { recursive: true });
      const stream = await zip.openReadStreamPromise(entry);
      // 'wx': never follow or overwrite something already there (a second entry of the same name).
      await pipeline(stream, counter(), createWriteStream(planned.target, { flags: 'wx', mode: 0o600 }), {
        signal: opts.signal,
      });
      written.push(path.relative(root, planned.target));
    }
    return written;
  } finally {
    zip.close();
  }
}

/** Bytes free for an unprivileged user on the file system of `dir`, or null when the platform cannot tell. */
async function freeBytes(dir: string): Promise<number | null> {
  try {
    const st = await fsp.statfs(dir);
    return st.bavail * st.bsize;
  } catch {
    return null;
  }
}

function wrap(e: unknown): Error {
  if (e instanceof UnsafeZipError) return e;
  const message = errorMessage(e);
  // yauzl's own name checks ("invalid relative path: ../x", "absolute path: /x").
  if (/invalid relative path|absolute path|invalid characters in fileName/.test(message)) {
    return new UnsafeZipError(`zip entry rejected (${message}); refusing to extract the archive`);
  }
  return e instanceof Error ? e : new Error(message);
}
