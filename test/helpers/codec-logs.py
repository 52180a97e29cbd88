"""Writes a large event log as JSON lines and compresses it with independent encoders, for the codec checks
(test/live/codecs-large.test.ts) and the codec benchmark (test/bench/codecs.ts). Called by test/helpers/codec-logs.ts.

  python3 codec-logs.py OUT_DIR TARGET_BYTES EXAMPLES_DIR

- plain.jsonl: the lines of the repository's example event logs (EXAMPLES_DIR/*/events_*.zstd, decoded here with
  python `zstandard`) repeated until TARGET_BYTES, every digit run replaced by other digits of the same length (a
  multi-digit number never starts with 0), so the JSON stays valid and the data is not one long repeat.
- recipe.zstd: issue 11's recipe, python `zstandard` with ZstdCompressionParameters.from_level(3, window_log=27),
  one frame (the file on which fzstd 0.1.1 returned wrong bytes after ~120 MB).
- spark.{lz4,snappy,lzf,zstd}: Spark's own codecs in the JVM (pyspark's jars, through py4j):
  CompressionCodec.createCodec(conf, codec).compressedContinuousOutputStream(FileOutputStream) under a
  BufferedOutputStream of spark.eventLog.buffer.kb (100 KiB), as EventLogFileWriter.initLogFile stacks them, with a
  flush() after every piece of 16 KiB to 1 MiB of whole lines (Spark flushes after events when flushLogger is set):
  many lz4/snappy blocks (32 KiB, Spark's default), lzf chunks and zstd frames (closeFrameOnFlush).
- gzip.gz: python `gzip` (level 6), as Databricks rolls its parts.
- manifest.json, written last: bytes, lines and sha256 of plain.jsonl, and each compressed file's codec and size.
"""
import gzip
import hashlib
import json
import os
import random
import re
import sys
import time

import zstandard

out_dir, target, examples = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out_dir, exist_ok=True)
started = time.time()

# Templates: every line of every example log, split around its digit runs.
templates = []
for app in sorted(os.listdir(examples)):
    folder = os.path.join(examples, app)
    if not os.path.isdir(folder):
        continue
    for name in sorted(os.listdir(folder)):
        if name.startswith("events_") and name.endswith(".zstd"):
            with open(os.path.join(folder, name), "rb") as f:
                data = zstandard.ZstdDecompressor().stream_reader(f, read_across_frames=True).read()
            for line in data.decode("utf-8").split("\n"):
                if line:
                    templates.append(re.split(r"(\d+)", line))
if not templates:
    sys.exit(f"no events_*.zstd under {examples}")

# Pools of digit strings per length; a line takes pool entries from a random offset.
rng = random.Random(20261203)
POOL = 4096
pools = {}


def pool(n):
    p = pools.get(n)
    if p is None:
        lo = 0 if n == 1 else 10 ** (n - 1)
        p = [str(rng.randrange(lo, 10 ** n)) for _ in range(POOL)]
        pools[n] = p
    return p


plain = os.path.join(out_dir, "plain.jsonl")
sha = hashlib.sha256()
written = 0
lines = 0
# Piece ends (byte offsets after whole lines) at which the JVM writers flush.
piece_ends = []
next_piece = rng.randrange(16 << 10, 1 << 20)
with open(plain, "wb") as out:
    buf = []
    buffered = 0
    i = 0
    while written < target:
        parts = templates[i % len(templates)]
        i += 1
        o = rng.randrange(POOL)
        pieces = []
        for j, part in enumerate(parts):
            if j % 2 == 1:
                pieces.append(pool(len(part))[(o + j * 131) % POOL])
            else:
                pieces.append(part)
        line = ("".join(pieces) + "\n").encode("utf-8")
        buf.append(line)
        buffered += len(line)
        written += len(line)
        lines += 1
        if written >= next_piece:
            piece_ends.append(written)
            next_piece = written + rng.randrange(16 << 10, 1 << 20)
        if buffered >= 4 << 20:
            chunk = b"".join(buf)
            sha.update(chunk)
            out.write(chunk)
            buf, buffered = [], 0
    chunk = b"".join(buf)
    sha.update(chunk)
    out.write(chunk)
if not piece_ends or piece_ends[-1] != written:
    piece_ends.append(written)
print(f"plain: {written} bytes, {lines} lines in {time.time() - started:.0f} s", file=sys.stderr)

files = {}

# Issue 11's recipe: python zstandard, level 3, window_log 27, one frame.
t = time.time()
params = zstandard.ZstdCompressionParameters.from_level(3, window_log=27)
with open(plain, "rb") as src, open(os.path.join(out_dir, "recipe.zstd"), "wb") as dst:
    zstandard.ZstdCompressor(compression_params=params).copy_stream(src, dst, size=written)
files["recipe.zstd"] = "zstd"
print(f"recipe.zstd in {time.time() - t:.0f} s", file=sys.stderr)

# Databricks-style gzip.
t = time.time()
with open(plain, "rb") as src, gzip.open(os.path.join(out_dir, "gzip.gz"), "wb", compresslevel=6) as dst:
    while True:
        block = src.read(1 << 20)
        if not block:
            break
        dst.write(block)
files["gzip.gz"] = "gzip"
print(f"gzip.gz in {time.time() - t:.0f} s", file=sys.stderr)

# Spark's codecs in the JVM, stacked as EventLogFileWriter.initLogFile does.
from pyspark.java_gateway import launch_gateway  # noqa: E402

gateway = launch_gateway()
try:
    jvm = gateway.jvm
    conf = jvm.org.apache.spark.SparkConf(False)
    # The bytes are copied inside the JVM (commons-io, in Spark's jars): py4j passes byte arrays by value.
    copy = jvm.org.apache.commons.io.IOUtils.copyLarge
    for codec in ("lz4", "snappy", "lzf", "zstd"):
        t = time.time()
        name = f"spark.{codec}"
        c = jvm.org.apache.spark.io.CompressionCodec.createCodec(conf, codec)
        fos = jvm.java.io.FileOutputStream(os.path.join(out_dir, name))
        stream = jvm.java.io.BufferedOutputStream(c.compressedContinuousOutputStream(fos), 100 * 1024)
        src = jvm.java.io.BufferedInputStream(jvm.java.io.FileInputStream(plain), 1 << 20)
        at = 0
        for end in piece_ends:
            if copy(src, stream, 0, end - at) != end - at:
                sys.exit(f"{name}: short copy at byte {at}")
            at = end
            stream.flush()
        src.close()
        stream.close()
        files[name] = codec
        print(f"{name} in {time.time() - t:.0f} s", file=sys.stderr)
finally:
    gateway.shutdown()
    proc = getattr(gateway, "proc", None)
    if proc is not None:
        proc.stdin.close()
        proc.wait(timeout=60)

manifest = {
    "plainBytes": written,
    "lines": lines,
    "sha256": sha.hexdigest(),
    "flushes": len(piece_ends),
    "files": {n: {"codec": c, "bytes": os.path.getsize(os.path.join(out_dir, n))} for n, c in files.items()},
}
with open(os.path.join(out_dir, "manifest.json.tmp"), "w") as f:
    json.dump(manifest, f, indent=2)
os.replace(os.path.join(out_dir, "manifest.json.tmp"), os.path.join(out_dir, "manifest.json"))
print(f"done in {time.time() - started:.0f} s", file=sys.stderr)
