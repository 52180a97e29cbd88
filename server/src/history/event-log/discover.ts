/**
 * Finding Spark event logs on disk: which files make up one application attempt's log, in which
 * order they are read, how each is compressed, and whether the application had finished.
 *
 * Layouts (apache/spark
 * core/src/main/scala/org/apache/spark/deploy/history/EventLogFileReaders.scala / EventLogFileWriters.scala):
 * - single file `<appId>[_<attemptId>][.<codec>][.inprogress]` (`SingleEventLogFileWriter`);
 * - rolling directory `eventlog_v2_<appId>[_<attemptId>]/` holding `events_<N>_<appId>…[.<codec>][.compact]`
 *   and a zero-byte `appstatus_<appId>…[.inprogress]` (`RollingEventLogFilesWriter`, Spark 3.0+, default in 4.0);
 * - legacy directory (Spark ≤ 1.2, `FileLogger`): `EVENT_LOG_<n>` + marker files `SPARK_VERSION_<v>`,
 *   `COMPRESSION_CODEC_<codec>`, `APPLICATION_COMPLETE`;
 * - Databricks cluster-log directory: the current part `eventlog` (plain text) plus the parts already
 *   rolled away, `eventlog-YYYY-MM-DD--HH-MM[.gz]` (gzip), all one application; read oldest part first,
 *   the current `eventlog` last (as NVIDIA spark-rapids-tools' `DatabricksRollingEventLogFilesFileReader`
 *   does; fixture: nvidia-spark-rapids-tools `db_sim_eventlog/`).
 */

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../../../../shared/src/errors';

/**
 * How one event-log file is compressed; all are read (`lines.ts`). `zstd`, `lz4`, `snappy` and `lzf` are
 * Spark's `spark.io.compression.codec` short names; `gzip` is not a Spark codec: Databricks rolls its
 * logs to `.gz`.
 */
export type EventLogCodec = 'none' | 'zstd' | 'gzip' | 'lz4' | 'snappy' | 'lzf';

/** Layout of one application attempt's log on disk (see the module comment). */
export type EventLogKind = 'single' | 'rolling' | 'legacy' | 'databricks';

/** One application attempt's event log, as found on disk. Plain data: safe to serialise. */
export interface EventLogSource {
  /** The file (single) or directory (rolling, legacy, databricks) that holds the log; absolute when discovery got an absolute dir. */
  path: string;
  kind: EventLogKind;
  /**
   * Files to read, in read order (rolling: by index, after dropping everything before the last `.compact`;
   * databricks: rolled parts by the time in their names, then `eventlog`).
   */
  files: string[];
  /** Codec of each file of `files` (same index). */
  codecs: EventLogCodec[];
  /**
   * True while the application may still be writing: single file ending `.inprogress`, rolling dir whose
   * `appstatus_` file ends `.inprogress` (or is missing), legacy dir without `APPLICATION_COMPLETE`.
   * Always false for databricks (its names do not tell; a missing `SparkListenerApplicationEnd` does).
   */
  inProgress: boolean;
  /** Sum of the on-disk (compressed) sizes of `files`, bytes. */
  sizeBytes: number;
  /** Latest modification time of `files` and the status file, epoch ms. */
  mtimeMs: number;
  /**
   * The app id (and maybe `_<attemptId>`) as the file or directory name spells it. Spark sanitises it
   * (`Utils.sanitizeDirName`: lower-cased, `.` → `_`), so use it only when the log itself has no `App ID`.
   */
  nameHint: string;
  /** Spark version from a legacy `SPARK_VERSION_<v>` marker file, else null. */
  sparkVersionHint: string | null;
  /** Problems found while listing (gap in rolling indices, missing `appstatus_`, codec mismatch). */
  warnings: string[];
}

/** Options of {@link discoverEventLogs}. */
export interface DiscoverOptions {
  /**
   * Called for each entry that is not used and needs no action: a file whose name is not an event log's, a
   * rolling folder without `events_` files, a second path (link) to a file or folder already found.
   */
  onWarning?: (message: string) => void;
  /**
   * Called for each file or folder below `dir` that exists but could not be read (permission denied, an I/O
   * error, a broken symbolic link, a file that vanished while listing): it may hold logs, so a caller reports it
   * as a failure. `reason` says what went wrong, without the path. Without this option such entries go to
   * `onWarning`. Discovery goes on either way.
   */
  onUnreadable?: (path: string, reason: string) => void;
  /** How many directory levels below `dir` to search (default 8). */
  maxDepth?: number;
}

const IN_PROGRESS = '.inprogress';
const COMPACT = '.compact';
const ROLLING_DIR_PREFIX = 'eventlog_v2_';
const ROLLING_EVENTS_PREFIX = 'events_';
const ROLLING_STATUS_PREFIX = 'appstatus_';
const LEGACY_LOG_PREFIX = 'EVENT_LOG_';
const LEGACY_VERSION_PREFIX = 'SPARK_VERSION_';
const LEGACY_CODEC_PREFIX = 'COMPRESSION_CODEC_';
const LEGACY_COMPLETE = 'APPLICATION_COMPLETE';
/**
 * The files that describe a log without holding its events, usually empty (rolling `appstatus_`, Spark 1.x markers), as a
 * Hadoop glob on file names: a reader that lists by scanning (Spark skips empty files) lists these apart.
 */
export const MARKER_FILES_GLOB = `{${ROLLING_STATUS_PREFIX}*,${LEGACY_COMPLETE},${LEGACY_VERSION_PREFIX}*,${LEGACY_CODEC_PREFIX}*}`;
/** Databricks' current (still written) part. */
const DATABRICKS_CURRENT = 'eventlog';
/** Databricks' rolled parts: `eventlog-2021-06-15--15-00.gz`; groups = the time in the name. */
const DATABRICKS_ROLLED = /^eventlog-(\d{4})-(\d{2})-(\d{2})--(\d{2})-(\d{2})(?:\.gz)?$/;

/**
 * Finds every application event log below `dir` (recursively, not into rolling or legacy log
 * directories, skipping hidden entries as Spark's `FsHistoryProvider` does). `dir` may itself be a log
 * file, a rolling directory or a legacy directory.
 *
 * Symbolic links are followed, but every file and folder is identified by what it is on disk (device and
 * inode, as `stat` gives them after following links), not by the path that reached it: a folder already
 * searched is not searched again (a link to `.` or to a parent makes no cycle) and a file already found
 * is not listed twice; the second path goes to `onWarning`. Entries are visited in name order, so the same
 * path wins on every run.
 *
 * Every non-hidden regular file outside those directories is taken as a single-file log, as the
 * History Server does; a file that holds no application (a README, say) reads as `record: null`.
 * Exception: in a directory holding a Databricks current part `eventlog`, that file and the rolled
 * `eventlog-YYYY-MM-DD--HH-MM[.gz]` parts next to it are one `databricks` source. (Rolled parts without
 * an `eventlog` beside them are read one by one as single files: nothing says they belong together.)
 *
 * @param dir a directory (or one log) on the local file system.
 * @returns sources sorted by path; each lists its files in read order.
 * @throws when `dir` itself cannot be read (missing, no permission); problems below it go to `onWarning`.
 */
export async function discoverEventLogs(dir: string, options: DiscoverOptions = {}): Promise<EventLogSource[]> {
  return discoverEventLogsIn(LOCAL_FILES, dir, options);
}

/**
 * {@link discoverEventLogs} on any {@link LogTree}: the same layouts, names, order and warnings, whether the tree is the
 * local file system or a listing of object keys ({@link listingTree}).
 * @param tree where the logs lie.
 * @param dir the folder (or one log) in the tree's spelling of paths.
 * @throws when `dir` itself cannot be read; problems below it go to `onWarning` / `onUnreadable`.
 */
export async function discoverEventLogsIn(
  tree: LogTree,
  dir: string,
  options: DiscoverOptions = {},
): Promise<EventLogSource[]> {
  const warn = options.onWarning ?? (() => undefined);
  const unreadable =
    options.onUnreadable ?? ((p: string, reason: string) => warn(`${p}: could not be read (${reason}); skipped`));
  const maxDepth = options.maxDepth ?? 8;
  const out: EventLogSource[] = [];
  const st = await tree.stat(dir);
  if (st.isFile) {
    out.push(await singleSourceIn(tree, dir));
    return out;
  }
  const rootEntries = sortByName(await tree.readdir(dir));
  if (tree.basename(dir).startsWith(ROLLING_DIR_PREFIX)) {
    const src = await rollingSource(tree, dir, rootEntries);
    if (src) out.push(src);
    else warn(`${dir}: rolling event-log directory has no events_ file; skipped`);
    return out;
  }
  if (isLegacyDir(rootEntries)) {
    out.push(await legacySource(tree, dir, rootEntries));
    return out;
  }
  const walker: Walker = { tree, maxDepth, out, warn, unreadable, seen: new Map([[st.identity, dir]]) };
  await walk(walker, dir, rootEntries, 0);
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

/** One entry of a folder as discovery sees it (a `Dirent` is one). */
export interface TreeEntry {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** What a path is, after following links, and its identity (the same file or folder reached twice has the same one). */
export interface TreeStat {
  isFile: boolean;
  isDirectory: boolean;
  identity: string;
}

/** Size, modification time and settled codec of one file (see {@link codecFromNameAndHead}). */
export interface FileFacts {
  /** Stored (compressed) size, bytes. */
  sizeBytes: number;
  /** Modification time, epoch ms. */
  mtimeMs: number;
  codec: EventLogCodec;
  /** Why the codec differs from the name's, or null. */
  warning: string | null;
}

/**
 * Where discovery looks: the local file system ({@link discoverEventLogs}) or a listing of object keys
 * ({@link listingTree}). Paths are the tree's own spelling (`/abs/dir/file`, `s3://bucket/key`).
 */
export interface LogTree {
  /** @throws when the path cannot be read (missing, permission, vanished). */
  stat(p: string): Promise<TreeStat>;
  /** The entries of a folder, any order. @throws when it cannot be read. */
  readdir(dir: string): Promise<TreeEntry[]>;
  /** Facts of a file; `nameCodec` is the codec its name says. @throws when it cannot be read. */
  fileFacts(file: string, nameCodec: EventLogCodec): Promise<FileFacts>;
  join(dir: string, name: string): string;
  basename(p: string): string;
}

/** The local file system: links followed, identity by device and inode, codec checked against the first 8 bytes. */
const LOCAL_FILES: LogTree = {
  async stat(p) {
    const st = await fsp.stat(p);
    return { isFile: st.isFile(), isDirectory: st.isDirectory(), identity: `${st.dev}:${st.ino}` };
  },
  readdir: (dir) => fsp.readdir(dir, { withFileTypes: true }),
  fileFacts: localFileFacts,
  join: (dir, name) => path.join(dir, name),
  basename: (p) => path.basename(p),
};

/** One object of a listing: its key and what the listing says of it. */
export interface ListedObject {
  /** The object's key (`prefix/eventlog_v2_app-1/events_1_app-1.zstd`). */
  key: string;
  sizeBytes: number;
  /** Last-Modified, epoch ms. */
  mtimeMs: number;
}

/**
 * A {@link LogTree} over a listing of object keys, folders being the `/`-separated parts of the keys (as object
 * stores and Spark's Hadoop file systems present them). Paths are `base/key` (`s3://bucket` + `/` + key). Facts come
 * from the listing; the codec is the name's (nothing is downloaded while discovering: check the first bytes with
 * {@link codecFromNameAndHead} before reading).
 * @param base the store and bucket as a URL without a trailing slash (`s3://bucket`).
 * @param objects the listing (keys without a leading slash; keys ending in `/` are folder markers and ignored).
 */
export function listingTree(base: string, objects: Iterable<ListedObject>): LogTree {
  const files = new Map<string, ListedObject>();
  const folders = new Map<string, Map<string, TreeEntry>>();
  const entry = (name: string, file: boolean): TreeEntry => ({
    name,
    isFile: () => file,
    isDirectory: () => !file,
    isSymbolicLink: () => false,
  });
  const folder = (p: string): Map<string, TreeEntry> => {
    let f = folders.get(p);
    if (!f) folders.set(p, (f = new Map<string, TreeEntry>()));
    return f;
  };
  folder(base);
  for (const o of objects) {
    if (o.key.endsWith('/') || o.key.length === 0) continue;
    const parts = o.key.split('/');
    let dir = base;
    for (let i = 0; i < parts.length - 1; i++) {
      if (parts[i] === '') continue;
      const child = `${dir}/${parts[i]}`;
      folder(dir).set(parts[i], entry(parts[i], false));
      folder(child);
      dir = child;
    }
    const name = parts[parts.length - 1];
    folder(dir).set(name, entry(name, true));
    files.set(`${dir}/${name}`, o);
  }
  const missing = (p: string): Error =>
    Object.assign(new Error(`${p}: no such object or prefix`), { code: 'ENOENT', path: p });
  return {
    async stat(p) {
      if (files.has(p)) return { isFile: true, isDirectory: false, identity: p };
      if (folders.has(p)) return { isFile: false, isDirectory: true, identity: p };
      throw missing(p);
    },
    async readdir(dir) {
      const f = folders.get(dir);
      if (!f) throw missing(dir);
      return [...f.values()];
    },
    async fileFacts(file, nameCodec) {
      const o = files.get(file);
      if (!o) throw missing(file);
      return { sizeBytes: o.sizeBytes, mtimeMs: o.mtimeMs, codec: nameCodec, warning: null };
    },
    join: (dir, name) => `${dir}/${name}`,
    basename: (p) => p.slice(p.lastIndexOf('/') + 1),
  };
}

/** State of one {@link discoverEventLogs} walk. */
interface Walker {
  tree: LogTree;
  maxDepth: number;
  out: EventLogSource[];
  warn: (message: string) => void;
  unreadable: (path: string, reason: string) => void;
  /** Files and folders met so far, by {@link identity}, with the path that first reached each. */
  seen: Map<string, string>;
}

function sortByName<E extends TreeEntry>(entries: E[]): E[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Why an entry could not be read, for a person: `permission denied (EACCES)`, `a broken symbolic link`, ...
 * Names the file inside the entry when that is what failed (a part of a rolling folder).
 */
export function unreadableReason(err: unknown, entry: string): string {
  const e = err as NodeJS.ErrnoException;
  const inner = typeof e?.path === 'string' && e.path !== entry ? `${path.relative(entry, e.path) || e.path}: ` : '';
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
      return `${inner}permission denied (${e.code}): the user running this cannot read it`;
    case 'ENOENT':
      return `${inner}a broken symbolic link, or it vanished while the folder was listed (ENOENT)`;
    case 'ELOOP':
      return `${inner}a loop of symbolic links (ELOOP)`;
    default:
      return `${inner}${errorMessage(err)}`;
  }
}

async function walk(w: Walker, dir: string, entries: TreeEntry[], depth: number): Promise<void> {
  const databricks = databricksParts(entries);
  if (databricks !== null) {
    try {
      w.out.push(await databricksSource(w.tree, dir, databricks));
    } catch (err) {
      w.unreadable(dir, `Databricks event-log parts: ${unreadableReason(err, dir)}`);
    }
  }
  const grouped = new Set(databricks ?? []);
  for (const entry of entries) {
    if (entry.name.startsWith('.') || grouped.has(entry.name)) continue;
    const full = w.tree.join(dir, entry.name);
    try {
      // stat follows links: what the entry is, and its identity on disk.
      const st = await w.tree.stat(full);
      if (!st.isFile && !st.isDirectory) continue;
      if (st.isFile && !isEventLogFileName(entry.name)) {
        w.warn(
          `${full}: not a Spark event-log file name (Spark names them <appId>[_<attempt>][.<codec>][.inprogress]); skipped`,
        );
        continue;
      }
      const first = w.seen.get(st.identity);
      if (first !== undefined) {
        w.warn(
          `${full}: the same ${st.isDirectory ? 'folder' : 'file'} as ${first} (reached again through a link); not read twice`,
        );
        continue;
      }
      w.seen.set(st.identity, full);
      if (st.isFile) {
        w.out.push(await singleSourceIn(w.tree, full));
        continue;
      }
      const children = sortByName(await w.tree.readdir(full));
      if (entry.name.startsWith(ROLLING_DIR_PREFIX)) {
        const src = await rollingSource(w.tree, full, children);
        if (src) w.out.push(src);
        else w.warn(`${full}: rolling event-log directory has no events_ file; skipped`);
      } else if (isLegacyDir(children)) {
        w.out.push(await legacySource(w.tree, full, children));
      } else if (depth < w.maxDepth) {
        await walk(w, full, children, depth + 1);
      }
    } catch (err) {
      w.unreadable(full, unreadableReason(err, full));
    }
  }
}

/**
 * Whether a file found while walking a folder can be a Spark event log: Spark sanitises app ids so they
 * hold no `.` (`Utils.sanitizeDirName`), so a name's only extensions are a codec, `.inprogress` and
 * `.compact` (EventLogFileWriters.scala), or `.gz` for Databricks' rolled parts. Anything else
 * (`README.md`, `manifest.json`, `notes.txt`) is not read. A file named explicitly is always read.
 */
export function isEventLogFileName(fileName: string): boolean {
  let name = fileName;
  if (name.endsWith(COMPACT)) name = name.slice(0, -COMPACT.length);
  if (name.endsWith(IN_PROGRESS)) name = name.slice(0, -IN_PROGRESS.length);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return true;
  return ['zstd', 'lz4', 'lzf', 'snappy', 'gz'].includes(name.slice(dot + 1).toLowerCase());
}

/**
 * The codec Spark would pick from a file name (`EventLogFileWriter.codecName`): strip `.compact`, then
 * `.inprogress`, then the text after the last `.` names the codec. Unknown or no extension ⇒ `none`
 * (Spark itself would reject an unknown codec name; we read such files as plain text).
 * @param fileName base name, e.g. `events_3_app-1.zstd.compact`.
 */
export function codecFromFileName(fileName: string): EventLogCodec {
  let name = fileName;
  if (name.endsWith(COMPACT)) name = name.slice(0, -COMPACT.length);
  if (name.endsWith(IN_PROGRESS)) name = name.slice(0, -IN_PROGRESS.length);
  const dot = name.lastIndexOf('.');
  if (dot < 0) return 'none';
  switch (name.slice(dot + 1).toLowerCase()) {
    case 'zstd':
    case 'zst':
      return 'zstd';
    case 'lz4':
      return 'lz4';
    case 'snappy':
      return 'snappy';
    case 'lzf':
      return 'lzf';
    case 'gz':
      return 'gzip';
    default:
      return 'none';
  }
}

/**
 * The codec the first bytes of a file announce, or null when they match none: zstd frame magic
 * `28 B5 2F FD` (RFC 8878), lz4-java `LZ4Block`, xerial snappy-java `0x82 SNAPPY 0x00`, ning LZF `ZV`,
 * gzip `1F 8B`. Used when a file's name and content disagree (SPARK-43991: compacted files could carry
 * the wrong extension). Source: spark-reference.md E3.
 * @param head the first (up to) 8 bytes of the file.
 */
export function codecFromMagic(head: Uint8Array): EventLogCodec | null {
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head.length >= 8 && Buffer.from(head.subarray(0, 8)).toString('latin1') === 'LZ4Block') return 'lz4';
  if (
    head.length >= 8 &&
    head[0] === 0x82 &&
    Buffer.from(head.subarray(1, 7)).toString('latin1') === 'SNAPPY' &&
    head[7] === 0
  ) {
    return 'snappy';
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 2 && head[0] === 0x5a && head[1] === 0x56) return 'lzf'; // "ZV"
  return null;
}

/**
 * The codec to read a file with, from the codec its name says and its first bytes: the bytes win when they announce
 * another codec (SPARK-43991: compacted files could carry the wrong extension), and plain JSON text under a codec name
 * is read uncompressed; each such case has a warning.
 * @param file the file's path, for the warning.
 * @param nameCodec {@link codecFromFileName} of its name.
 * @param head its first (up to) 8 bytes; empty for an empty file.
 */
export function codecFromNameAndHead(
  file: string,
  nameCodec: EventLogCodec,
  head: Uint8Array,
): { codec: EventLogCodec; warning: string | null } {
  if (head.length === 0) return { codec: nameCodec, warning: null };
  const magic = codecFromMagic(head);
  if (magic !== null && magic !== nameCodec) {
    return {
      codec: magic,
      warning: `${file}: name says ${nameCodec} but the content starts like ${magic}; reading it as ${magic}`,
    };
  }
  if (magic === null && nameCodec !== 'none' && head[0] === 0x7b /* '{' */) {
    return {
      codec: 'none',
      warning: `${file}: name says ${nameCodec} but the content is plain JSON text; reading it uncompressed`,
    };
  }
  return { codec: nameCodec, warning: null };
}

/** Stats a local file and settles its codec from its name and first bytes. */
async function localFileFacts(file: string, nameCodec: EventLogCodec): Promise<FileFacts> {
  const st = await fsp.stat(file);
  let n = 0;
  const head = Buffer.alloc(8);
  if (st.size > 0) {
    const fh = await fsp.open(file, 'r');
    try {
      n = (await fh.read(head, 0, 8, 0)).bytesRead;
    } finally {
      await fh.close();
    }
  }
  return { sizeBytes: st.size, mtimeMs: st.mtimeMs, ...codecFromNameAndHead(file, nameCodec, head.subarray(0, n)) };
}

/** Builds the source of one single-file log (any name; `.inprogress` marks it unfinished). */
export async function singleSource(file: string): Promise<EventLogSource> {
  return singleSourceIn(LOCAL_FILES, file);
}

/** {@link singleSource} in any {@link LogTree}. */
export async function singleSourceIn(tree: LogTree, file: string): Promise<EventLogSource> {
  const name = tree.basename(file);
  const facts = await tree.fileFacts(file, codecFromFileName(name));
  let hint = name;
  if (hint.endsWith(IN_PROGRESS)) hint = hint.slice(0, -IN_PROGRESS.length);
  const nameCodec = codecFromFileName(name);
  if (nameCodec !== 'none') hint = hint.slice(0, hint.lastIndexOf('.'));
  return {
    path: file,
    kind: 'single',
    files: [file],
    codecs: [facts.codec],
    inProgress: name.endsWith(IN_PROGRESS),
    sizeBytes: facts.sizeBytes,
    mtimeMs: facts.mtimeMs,
    nameHint: hint,
    sparkVersionHint: null,
    warnings: facts.warning ? [facts.warning] : [],
  };
}

interface RollingFile {
  name: string;
  index: number;
  compact: boolean;
}

/**
 * Orders a rolling directory's `events_` files as Spark's `RollingEventLogFilesFileReader` does: by
 * index, a `.compact` file after a plain file of the same index (Spark sorts by index + 0.1), then
 * drops every file before the last `.compact` one (`dropBeforeLastCompactFile`).
 * @param names base names of the `events_<N>_…` files (others are ignored).
 * @returns kept names in read order, plus the indices that are missing between the first and last kept one.
 */
export function orderRollingFiles(names: string[]): { files: string[]; missingIndices: number[] } {
  const parsed: RollingFile[] = [];
  for (const name of names) {
    const m = /^events_(\d+)_/.exec(name);
    if (!m) continue;
    parsed.push({ name, index: Number(m[1]), compact: name.endsWith(COMPACT) });
  }
  parsed.sort(
    (a, b) => a.index + (a.compact ? 0.1 : 0) - (b.index + (b.compact ? 0.1 : 0)) || (a.name < b.name ? -1 : 1),
  );
  let lastCompact = -1;
  for (let i = 0; i < parsed.length; i++) if (parsed[i].compact) lastCompact = i;
  const kept = lastCompact >= 0 ? parsed.slice(lastCompact) : parsed;
  const missingIndices: number[] = [];
  for (let i = 1; i < kept.length; i++) {
    for (let want = kept[i - 1].index + 1; want < kept[i].index; want++) missingIndices.push(want);
  }
  return { files: kept.map((f) => f.name), missingIndices };
}

/** Builds the source of a rolling `eventlog_v2_…` directory, or null when it holds no `events_` file. */
async function rollingSource(tree: LogTree, dir: string, entries: TreeEntry[]): Promise<EventLogSource | null> {
  const names = entries.filter((e) => !e.name.startsWith('.') && !e.isDirectory()).map((e) => e.name);
  const eventNames = names.filter((n) => n.startsWith(ROLLING_EVENTS_PREFIX));
  const { files, missingIndices } = orderRollingFiles(eventNames);
  if (files.length === 0) return null;
  const warnings: string[] = [];
  if (missingIndices.length > 0) {
    warnings.push(
      `${dir}: missing event log file(s) with index ${missingIndices.join(', ')} (Spark refuses such a directory: "Found missing event log file"); reading the files that exist`,
    );
  }
  const status = names.find((n) => n.startsWith(ROLLING_STATUS_PREFIX));
  if (status === undefined) warnings.push(`${dir}: no appstatus_ file; treating the application as in progress`);
  const { paths, codecs, sizeBytes, mtimeMs: filesMtimeMs } = await partsFacts(tree, dir, files, warnings);
  const mtimeMs =
    status !== undefined
      ? Math.max(filesMtimeMs, (await tree.fileFacts(tree.join(dir, status), 'none')).mtimeMs)
      : filesMtimeMs;
  return {
    path: dir,
    kind: 'rolling',
    files: paths,
    codecs,
    inProgress: status === undefined || status.endsWith(IN_PROGRESS),
    sizeBytes,
    mtimeMs,
    nameHint: tree.basename(dir).slice(ROLLING_DIR_PREFIX.length),
    sparkVersionHint: null,
    warnings,
  };
}

/**
 * Paths, codecs (from the name, checked against the first bytes), total size and newest mtime of the files
 * `names` of `dir`, in order; problems are appended to `warnings`.
 */
async function partsFacts(
  tree: LogTree,
  dir: string,
  names: string[],
  warnings: string[],
): Promise<{ paths: string[]; codecs: EventLogCodec[]; sizeBytes: number; mtimeMs: number }> {
  const out = { paths: [] as string[], codecs: [] as EventLogCodec[], sizeBytes: 0, mtimeMs: 0 };
  for (const name of names) {
    const full = tree.join(dir, name);
    const facts = await tree.fileFacts(full, codecFromFileName(name));
    if (facts.warning) warnings.push(facts.warning);
    out.paths.push(full);
    out.codecs.push(facts.codec);
    out.sizeBytes += facts.sizeBytes;
    out.mtimeMs = Math.max(out.mtimeMs, facts.mtimeMs);
  }
  return out;
}

/**
 * The names of a Databricks log's parts in read order (rolled parts oldest first, then `eventlog`), or
 * null when `entries` holds no regular file named `eventlog`.
 */
export function databricksParts(entries: Pick<TreeEntry, 'name' | 'isFile' | 'isSymbolicLink'>[]): string[] | null {
  const files = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  if (!files.includes(DATABRICKS_CURRENT)) return null;
  const rolled = files
    .map((name) => ({ name, m: DATABRICKS_ROLLED.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .map((x) => ({ name: x.name, key: x.m.slice(1, 6).join('') }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.name < b.name ? -1 : 1));
  return [...rolled.map((x) => x.name), DATABRICKS_CURRENT];
}

/** Builds the source of a Databricks log directory from its part names in read order ({@link databricksParts}). */
async function databricksSource(tree: LogTree, dir: string, parts: string[]): Promise<EventLogSource> {
  const warnings: string[] = [];
  const { paths, codecs, sizeBytes, mtimeMs } = await partsFacts(tree, dir, parts, warnings);
  return {
    path: dir,
    kind: 'databricks',
    files: paths,
    codecs,
    inProgress: false,
    sizeBytes,
    mtimeMs,
    nameHint: tree.basename(dir),
    sparkVersionHint: null,
    warnings,
  };
}

function isLegacyDir(entries: TreeEntry[]): boolean {
  return entries.some((e) => e.name.startsWith(LEGACY_LOG_PREFIX) && !e.isDirectory());
}

/** Maps a legacy `COMPRESSION_CODEC_<x>` marker (short name or class name) to a codec. */
function legacyCodec(marker: string | undefined): EventLogCodec {
  if (marker === undefined) return 'none';
  const c = marker.slice(LEGACY_CODEC_PREFIX.length).toLowerCase();
  if (c.includes('lz4')) return 'lz4';
  if (c.includes('lzf')) return 'lzf';
  if (c.includes('snappy')) return 'snappy';
  if (c.includes('zstd')) return 'zstd';
  return 'none';
}

/** Builds the source of a Spark ≤ 1.2 directory (`EVENT_LOG_<n>` + marker files). */
async function legacySource(tree: LogTree, dir: string, entries: TreeEntry[]): Promise<EventLogSource> {
  const names = entries.filter((e) => !e.isDirectory()).map((e) => e.name);
  const logs = names
    .filter((n) => n.startsWith(LEGACY_LOG_PREFIX))
    .sort(
      (a, b) =>
        Number(a.slice(LEGACY_LOG_PREFIX.length)) - Number(b.slice(LEGACY_LOG_PREFIX.length)) || (a < b ? -1 : 1),
    );
  const version = names.find((n) => n.startsWith(LEGACY_VERSION_PREFIX));
  const codec = legacyCodec(names.find((n) => n.startsWith(LEGACY_CODEC_PREFIX)));
  const warnings: string[] = [];
  let sizeBytes = 0;
  let mtimeMs = 0;
  const paths: string[] = [];
  const codecs: EventLogCodec[] = [];
  for (const name of logs) {
    const full = tree.join(dir, name);
    const facts = await tree.fileFacts(full, codec);
    if (facts.warning) warnings.push(facts.warning);
    paths.push(full);
    codecs.push(facts.codec);
    sizeBytes += facts.sizeBytes;
    mtimeMs = Math.max(mtimeMs, facts.mtimeMs);
  }
  return {
    path: dir,
    kind: 'legacy',
    files: paths,
    codecs,
    inProgress: !names.includes(LEGACY_COMPLETE),
    sizeBytes,
    mtimeMs,
    nameHint: tree.basename(dir),
    sparkVersionHint: version !== undefined ? version.slice(LEGACY_VERSION_PREFIX.length) : null,
    warnings,
  };
}
