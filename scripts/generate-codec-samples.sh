#!/usr/bin/env bash
# Writes real Spark event logs in every codec Spark offers for event logs (lz4, lzf, snappy, zstd),
# for the reader's codec tests: test/fixtures/spark/event-logs/spark-codecs/.
#
#   bash scripts/generate-codec-samples.sh [OUTPUT_DIR]
#
# For each codec it runs one small PySpark job in local[2] (200 tasks over 5 stages, a shuffle,
# a sort forced to spill with spark.shuffle.spill.numElementsForceSpillThreshold) with
#   spark.eventLog.enabled=true, spark.eventLog.compress=true, spark.eventLog.compression.codec=<codec>
# and
#   - spark.eventLog.rolling.enabled=false            → single/<appId>.<codec>
#   - spark.eventLog.rolling.enabled=true, maxFileSize=10m (zstd and lz4 only)
#                                                      → rolling/eventlog_v2_<appId>/events_1_<appId>.<codec>
#   - the same job looped and the driver JVM killed with SIGKILL once its log has > 60 kB on disk, at a
#     moment its last line is cut (zstd: inside an open frame; lz4, snappy and lzf write each block in
#     one write(), so their killed files end on a block boundary, lz4 without its end block)
#                                                     → inprogress/<appId>.<codec>.inprogress
# Then it decodes every file with Spark's own CompressionCodec (the JVM classes Spark's History
# Server uses, through py4j) and writes OUTPUT_DIR/expected.json: per file the number of lines, of
# SparkListenerTaskEnd events, spill bytes, app id/name and Spark version, and where the file ends
# (inside a block / on a boundary / after an lz4 end block, from a Python walk of the container
# format). The tests compare the TypeScript reader with these numbers, so the expected values never
# come from the code under test. OUTPUT_DIR/databricks/ (copied by hand, see the fixtures README) is
# left alone.
#
# Needs Java 17+; installs the pinned PySpark through scripts/install-pyspark.sh. Took 13 minutes on a
# busy 2-core machine (each JVM start ~15 s; killed runs may be repeated).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-${REPO}/test/fixtures/spark/event-logs/spark-codecs}"
mkdir -p "${OUT}"
OUT="$(cd "${OUT}" && pwd)"
CODECS=(lz4 lzf snappy zstd)
ROLLING_CODECS=(zstd lz4)

log() { echo "[generate-codec-samples] $*" >&2; }

SPARK_HOME="$(bash "${REPO}/scripts/install-pyspark.sh" | tail -n1)"
export SPARK_HOME
export SPARK_LOCAL_IP=127.0.0.1
export PYSPARK_PYTHON="${PYSPARK_PYTHON:-python3}"
PYTHON="${PYTHON:-python3}"
WORK="$(mktemp -d -t spark-codec-samples.XXXXXX)"
trap 'rm -rf "${WORK}"' EXIT

cat > "${WORK}/job.py" <<'PY'
"""One small job: 200 tasks, a shuffle (groupBy), a sort that spills. Args: codec rolling out_dir loop pid_file."""
import sys
from pyspark.sql import SparkSession, functions as F

codec, rolling, out_dir, loop, pid_file = sys.argv[1:6]
spark = (
    SparkSession.builder.master("local[2]")
    .appName(f"codec-sample-{codec}")
    .config("spark.ui.enabled", "false")
    .config("spark.eventLog.enabled", "true")
    .config("spark.eventLog.dir", "file://" + out_dir)
    .config("spark.eventLog.compress", "true")
    .config("spark.eventLog.compression.codec", codec)
    .config("spark.eventLog.rolling.enabled", rolling)
    .config("spark.eventLog.rolling.maxFileSize", "10m")
    .config("spark.sql.shuffle.partitions", "60")
    .config("spark.sql.adaptive.enabled", "false")
    # Spill after 1000 records per sorter, so a 120k-row sort spills even with a large heap.
    .config("spark.shuffle.spill.numElementsForceSpillThreshold", "1000")
    .getOrCreate()
)
with open(pid_file, "w") as f:
    f.write(str(spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()))


def job(i):
    df = spark.range(0, 400_000, numPartitions=40).withColumn("k", (F.col("id") * 7919 + i) % 5000)
    df.groupBy("k").agg(F.count("*").alias("n"), F.sum("id").alias("s")).collect()
    spark.range(0, 120_000, numPartitions=20).orderBy(F.rand(42 + i)).write.mode("overwrite").format("noop").save()


if loop == "loop":
    for i in range(10_000):
        job(i)
else:
    job(0)
    spark.stop()
PY

cat > "${WORK}/decode.py" <<'PY'
"""Decodes every event-log file under a folder with Spark's own CompressionCodec; prints expected.json."""
import datetime, json, os, sys
from pyspark.sql import SparkSession
sys.path.insert(0, os.path.dirname(__file__))
from cut import walk

root = sys.argv[1]
spark = SparkSession.builder.master("local[1]").appName("decode").config("spark.ui.enabled", "false").getOrCreate()
jvm = spark.sparkContext._jvm
conf = spark.sparkContext._jsc.sc().getConf()
out = {}
subs = [s for s in ("single", "rolling", "inprogress") if os.path.isdir(os.path.join(root, s))] or ["."]
walked = [w for sub in subs for w in sorted(os.walk(os.path.join(root, sub)))]
for dirpath, dirnames, filenames in walked:
    dirnames.sort()
    for name in sorted(filenames):
        if name.startswith(".") or name.startswith("appstatus_") or name.endswith(".json") or name.endswith(".md") or "." not in name:
            continue
        path = os.path.join(dirpath, name)
        base = name[: -len(".inprogress")] if name.endswith(".inprogress") else name
        codec = base.rsplit(".", 1)[1]
        c = jvm.org.apache.spark.io.CompressionCodec.createCodec(conf, codec)
        ins = c.compressedContinuousInputStream(jvm.java.io.BufferedInputStream(jvm.java.io.FileInputStream(path)))
        reader = jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(ins, "UTF-8"))
        lines, error = [], None
        while True:
            try:
                line = reader.readLine()
            except Exception as e:  # py4j error: the stream ends inside a block
                error = str(e).splitlines()[0][:200]
                break
            if line is None:
                break
            lines.append(line)
        reader.close()
        parsed = []
        unparsable = 0
        for line in lines:
            try:
                parsed.append(json.loads(line))
            except ValueError:
                unparsable += 1
        ev = lambda n: [e for e in parsed if e.get("Event") == n]
        task_ends = ev("SparkListenerTaskEnd")
        start = ev("SparkListenerApplicationStart")
        log_start = ev("SparkListenerLogStart")
        metrics = [t.get("Task Metrics") or {} for t in task_ends]
        out[os.path.relpath(path, root)] = {
            "codec": codec,
            "compressedBytes": os.path.getsize(path),
            "lines": len(lines),
            "unparsableLines": unparsable,
            "decodedBytes": sum(len(l.encode("utf-8")) + 1 for l in lines),
            "taskEnds": len(task_ends),
            "stagesCompleted": len(ev("SparkListenerStageCompleted")),
            "jobsEnded": len(ev("SparkListenerJobEnd")),
            "applicationEnd": len(ev("SparkListenerApplicationEnd")) > 0,
            "appId": start[0].get("App ID") if start else None,
            "appName": start[0].get("App Name") if start else None,
            "sparkVersion": log_start[0].get("Spark Version") if log_start else None,
            "memoryBytesSpilled": sum(m.get("Memory Bytes Spilled", 0) for m in metrics),
            "diskBytesSpilled": sum(m.get("Disk Bytes Spilled", 0) for m in metrics),
            "sparkDecoderError": error,
            "fileEnds": walk(codec, open(path, "rb").read()),
        }
spark.stop()
generated = {
    "by": "scripts/generate-codec-samples.sh",
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "pyspark": sys.argv[2] if len(sys.argv) > 2 else None,
    "java": sys.argv[3] if len(sys.argv) > 3 else None,
    "decodedWith": "org.apache.spark.io.CompressionCodec.createCodec(conf, codec).compressedContinuousInputStream + BufferedReader.readLine (JVM, py4j); counts by Python json",
}
json.dump({"generated": generated, "files": out}, sys.stdout, indent=2, sort_keys=True)
print()
PY

cat > "${WORK}/cut.py" <<'PY'
"""Where a compressed event-log file ends, found by walking its container format (no decompression).

  python3 cut.py <codec> <file>   → prints "inside" (the file ends inside a block/frame), "end" (it
                                    ends after an lz4 end block) or "boundary" (after a whole block).
Formats: lz4-java LZ4BlockOutputStream, snappy-java SnappyOutputStream, ning LZF chunks, zstd frames
(RFC 8878 frame and block headers). Written independently of the TypeScript reader.
"""
import sys


def walk(codec, b):
    i, n = 0, len(b)
    if codec == "lz4":
        ended = False
        while i < n:
            if n - i < 21:
                return "inside"
            clen = int.from_bytes(b[i + 9:i + 13], "little")
            ulen = int.from_bytes(b[i + 13:i + 17], "little")
            ended = ulen == 0
            i += 21 + clen
        return "inside" if i > n else ("end" if ended else "boundary")
    if codec == "snappy":
        i = 16
        while i < n:
            if n - i < 4:
                return "inside"
            if b[i:i + 4] == b"\x82SNA":
                i += 16
                continue
            i += 4 + int.from_bytes(b[i:i + 4], "big")
        return "inside" if i > n or n < 16 else "boundary"
    if codec == "lzf":
        while i < n:
            if n - i < 5 or (b[i + 2] == 1 and n - i < 7):
                return "inside"
            i += 5 + int.from_bytes(b[i + 3:i + 5], "big") if b[i + 2] == 0 else 7 + int.from_bytes(b[i + 3:i + 5], "big")
        return "inside" if i > n else "boundary"
    if codec == "zstd":
        while i < n:
            if n - i < 6:
                return "inside"
            fhd = b[i + 4]
            single, checksum, did, fcs = (fhd >> 5) & 1, (fhd >> 2) & 1, fhd & 3, fhd >> 6
            i += 5 + (0 if single else 1) + [0, 1, 2, 4][did] + [1 if single else 0, 2, 4, 8][fcs]
            while True:
                if n - i < 3:
                    return "inside"
                h = int.from_bytes(b[i:i + 3], "little")
                i += 3 + (1 if (h >> 1) & 3 == 1 else h >> 3)
                if i > n:
                    return "inside"
                if h & 1:
                    break
            i += 4 * checksum
        return "inside" if i > n else "boundary"
    raise SystemExit(f"unknown codec {codec}")


if __name__ == "__main__":
    print(walk(sys.argv[1], open(sys.argv[2], "rb").read()))
PY

cat > "${WORK}/kill_when.py" <<'PY'
"""Polls a growing log and SIGKILLs the driver JVM at a chosen moment.

  python3 kill_when.py <codec> <dir> <pid_file> <min_bytes>
Waits until <dir>/*.inprogress is larger than min_bytes, then kills the JVM (pid from pid_file):
zstd as soon as the file ends inside a frame (cut.py says "inside"; checked every few ms), the others
at once. lz4-java, snappy-java and ning LZF hand each block to the file system in one write(), so on a
local disk a killed file ends on a block boundary (lz4: without its end block); what is cut is the
last line. Prints where the file ends after the kill. Gives up after 10 minutes.
"""
import glob, os, signal, sys, time
sys.path.insert(0, os.path.dirname(__file__))
from cut import walk

codec, d, pid_file, min_bytes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
deadline = time.time() + 600
while time.time() < deadline:
    files = glob.glob(os.path.join(d, "*.inprogress"))
    if files and os.path.exists(pid_file) and os.path.getsize(pid_file) > 0 and os.path.getsize(files[0]) > min_bytes:
        if codec != "zstd" or walk(codec, open(files[0], "rb").read()) == "inside":
            os.kill(int(open(pid_file).read()), signal.SIGKILL)
            time.sleep(1)
            print(walk(codec, open(files[0], "rb").read()))
            sys.exit(0)
    time.sleep(0.003)
os.kill(int(open(pid_file).read()), signal.SIGKILL)
raise SystemExit("no kill point found in 10 minutes")
PY

run_job() { # codec rolling out_dir loop
  "${PYTHON}" "${WORK}/job.py" "$1" "$2" "$3" "$4" "${WORK}/pid" >"${WORK}/job.log" 2>&1
}

rm -rf "${OUT}/single" "${OUT}/rolling" "${OUT}/inprogress"
mkdir -p "${OUT}/single" "${OUT}/rolling" "${OUT}/inprogress"

for codec in "${CODECS[@]}"; do
  log "single file, ${codec}"
  run_job "${codec}" false "${OUT}/single" once || { cat "${WORK}/job.log" >&2; exit 1; }
done
for codec in "${ROLLING_CODECS[@]}"; do
  log "rolling, ${codec}"
  run_job "${codec}" true "${OUT}/rolling" once || { cat "${WORK}/job.log" >&2; exit 1; }
done

# Killed mid-job: loop the job and SIGKILL the driver JVM once its log has more than MIN_BYTES on
# disk (zstd: at a moment its last frame is open). A kill right after one of Spark's flushes leaves a
# log that ends with a whole line; such a run is repeated (up to 5 times) so that every sample ends
# with a cut line, as Spark's own decoder shows (an unparsable last line).
MIN_BYTES=60000
for codec in "${CODECS[@]}"; do
  for attempt in 1 2 3 4 5; do
    log "killed mid-job, ${codec} (attempt ${attempt})"
    tmp="${WORK}/inprogress-${codec}"
    rm -rf "${tmp}" && mkdir -p "${tmp}" && rm -f "${WORK}/pid"
    run_job "${codec}" false "${tmp}" loop &
    runner=$!
    state="$("${PYTHON}" "${WORK}/kill_when.py" "${codec}" "${tmp}" "${WORK}/pid" "${MIN_BYTES}" || true)"
    wait "${runner}" || true
    find "${tmp}" -name '.*.crc' -delete
    "${PYTHON}" "${WORK}/decode.py" "${tmp}" >"${WORK}/probe.json" 2>"${WORK}/decode.log" || { cat "${WORK}/decode.log" >&2; exit 1; }
    cut_line="$("${PYTHON}" -c 'import json,sys; v=list(json.load(open(sys.argv[1]))["files"].values())[0]; print("yes" if v["unparsableLines"] else "no")' "${WORK}/probe.json")"
    log "  killed; the file ends: ${state:-?}; last line cut: ${cut_line}"
    if [[ "${cut_line}" == yes || "${attempt}" == 5 ]]; then
      mv "${tmp}"/*.inprogress "${OUT}/inprogress/"
      break
    fi
  done
done

# Hadoop's local file system writes hidden .crc files next to each log; they are not part of the samples.
find "${OUT}" -name '.*.crc' -delete
log "decoding every sample with Spark's CompressionCodec"
"${PYTHON}" "${WORK}/decode.py" "${OUT}" "$("${PYTHON}" -c 'import pyspark; print(pyspark.__version__)')" \
  "$(java -version 2>&1 | head -n1)" >"${OUT}/expected.json" 2>"${WORK}/decode.log" || { cat "${WORK}/decode.log" >&2; exit 1; }
log "done: $(du -sh "${OUT}" | cut -f1) in ${OUT}"
