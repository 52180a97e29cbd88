"""Waiting workloads: tasks that mostly wait, as reads from object stores and JDBC sources and per-row calls to
external services do. On a 2-core machine these are the workloads where 16 task slots really run in parallel.

THE WAIT. Inside a task, the expression

    CASE WHEN <row> % CHUNK_ROWS = 0 THEN length(reflect('java.lang.Thread', 'sleep', CAST(WAIT_MS AS BIGINT))) ELSE 0 END

makes the task thread sleep WAIT_MS milliseconds once per CHUNK_ROWS rows (Spark SQL's `reflect` calls the static
java.lang.Thread.sleep(long) in the executor's task thread; it is non-deterministic, so it is neither folded nor
pruned, and its result is summed into the job's output so it cannot be dropped). One chunk stands for one request
to a remote store: a ranged GET of an object-store file, a fetch of CHUNK_ROWS rows from a JDBC cursor, one call
to a lookup service. The waiting task holds its slot (a thread) but no CPU, like a task blocked on a socket.
Every number below is part of the workload's definition; the waits add up to WAIT_SLOT_SECONDS per run, the run
time is about WAIT_SLOT_SECONDS / usable slots plus start-up, shuffle and CPU work.
"""
from pyspark.sql import functions as F

CHUNK_ROWS = 1000


def wait_expr(row_col, wait_ms):
    """Column: sleeps wait_ms once every CHUNK_ROWS values of row_col, returns a small int (to be summed)."""
    return F.expr(f"CASE WHEN {row_col} % {CHUNK_ROWS} = 0 "
                  f"THEN length(reflect('java.lang.Thread', 'sleep', CAST({wait_ms} AS BIGINT))) ELSE 0 END")


def objectstore_scan(spark, workdir, files=64, chunks_per_file=25, wait_ms=60, groups=2000):
    """wait_objectstore: a scan of `files` equal input splits (one task each), every split `chunks_per_file`
    ranged GETs of `wait_ms` ms each (64 x 25 x 60 ms = 96 slot-seconds of waiting), then a groupBy over
    `groups` keys (a shuffle with spark.sql.shuffle.partitions tasks) and a global aggregate. Evenly sized
    splits: run time falls with the number of slots until they exceed `files`."""
    rows = files * chunks_per_file * CHUNK_ROWS
    df = spark.range(0, rows, 1, files).select(
        (F.col("id") % groups).alias("k"), (F.col("id") * 7 % 1000).alias("v"),
        wait_expr("id", wait_ms).alias("w"))
    per_key = df.groupBy("k").agg(F.sum("v").alias("s"), F.count(F.lit(1)).alias("n"), F.sum("w").alias("w"))
    return per_key.agg(F.sum("s"), F.sum("n"), F.sum("w")).collect()


# Rows per JDBC partition, in units of chunks: a partitioned JDBC read on a column whose values are unevenly
# spread (numPartitions = 16 equal strides of the partition column, most rows in the first strides), as
# happens with ids that grew faster in some years. Sum 640 chunks x 125 ms = 80 slot-seconds of waiting; the
# largest partition alone waits 160 x 125 ms = 20 s.
JDBC_PARTITION_CHUNKS = [160, 96, 64, 48, 40, 32, 28, 24, 24, 20, 20, 20, 16, 16, 16, 16]


def jdbc_skewed_read(spark, workdir, wait_ms=125, customers=5000):
    """wait_jdbc: a partitioned JDBC-style read of 16 partitions of uneven size (JDBC_PARTITION_CHUNKS; one task
    each, rows fetched in chunks of CHUNK_ROWS with a `wait_ms` round trip per chunk), joined to a small
    customer dimension and aggregated per segment. The largest partition is a straggler: beyond a few slots,
    more slots do not shorten the read stage."""
    # One row per input partition (spark.range with as many splits as rows), holding that partition's size.
    sizes = F.array(*[F.lit(c) for c in JDBC_PARTITION_CHUNKS])
    parts = spark.range(0, len(JDBC_PARTITION_CHUNKS), 1, len(JDBC_PARTITION_CHUNKS)).select(
        F.col("id").cast("int").alias("p"), F.element_at(sizes, F.col("id").cast("int") + 1).alias("chunks"))
    rows = parts.select("p", F.explode(F.sequence(F.lit(0), F.col("chunks") * CHUNK_ROWS - 1)).alias("r")).select(
        "p", "r", ((F.col("p") * 7919 + F.col("r")) % customers).alias("customer"),
        (F.col("r") % 97).alias("amount"), wait_expr("r", wait_ms).alias("w"))
    dim = spark.range(0, customers, 1, 4).select(F.col("id").alias("customer"), (F.col("id") % 12).alias("segment"))
    joined = rows.join(dim, "customer")
    return joined.groupBy("segment").agg(F.sum("amount"), F.count(F.lit(1)), F.sum("w")).collect()


def enrich_after_shuffle(spark, workdir, keys=3200, rows_per_key=50, wait_ms=25):
    """wait_enrich: rows are aggregated per key (a shuffle), then each key is enriched by one call to a lookup
    service (`wait_ms` per key: 3200 x 25 ms = 80 slot-seconds of waiting) in the post-shuffle stage, whose task
    count is spark.sql.shuffle.partitions. AQE's partition coalescing is switched off in the job, as jobs that call
    external services per partition do so that their calls stay spread: with fewer shuffle partitions than slots,
    slots stay idle; with many, each task waits a little."""
    spark.conf.set("spark.sql.adaptive.coalescePartitions.enabled", "false")
    df = spark.range(0, keys * rows_per_key, 1, 8).select(
        (F.col("id") % keys).alias("k"), (F.col("id") % 13).alias("v"))
    per_key = df.groupBy("k").agg(F.sum("v").alias("s"))
    # One lookup per key: a chunk of one row (the call is per key, not per CHUNK_ROWS rows).
    enriched = per_key.select("k", "s", F.expr(
        f"length(reflect('java.lang.Thread', 'sleep', CAST({wait_ms} AS BIGINT)))").alias("w"))
    return enriched.agg(F.sum("s"), F.count(F.lit(1)), F.sum("w")).collect()
