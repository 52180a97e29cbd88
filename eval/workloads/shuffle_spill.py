"""shuffle_spill: wide aggregation whose buffers spill when executor memory is small.

groupBy over ~75k keys with collect_list of long strings and countDistinct,
then a global sort. With a 512m executor heap the unified memory region is
about (512 - 300) MiB x 0.6 ~ 127 MiB and the aggregation and sort spill to
disk; with 2g they fit. AQE stays on (Spark's default).

hot_rows > 0 (used by the benchmark grid, eval/benchmark/grid.json; 0 in eval/grid.json) adds that many rows of
one extra key (-1): its collect_list becomes a single row of hot_rows x ~530 bytes that one task must hold in memory
at once (it cannot be spilled in pieces), so below some executor heap per task the job fails for memory.
"""
from pyspark.sql import functions as F

NAME = "shuffle_spill"
ROWS = 250_000
PARTITIONS = 4
KEYS = 75_000
PAYLOAD_REPEAT = 8  # ~530-byte strings: few rows, but enough bytes to spill at 512m


def job(spark, workdir, scale=1.0, hot_rows=0):
    rows = int(ROWS * scale)
    key = F.abs(F.xxhash64("id")) % KEYS
    if hot_rows:
        key = F.when(F.col("id") >= rows, F.lit(-1)).otherwise(key)
    df = spark.range(0, rows + hot_rows, 1, PARTITIONS).select(
        key.alias("k"),
        (F.rand(3) * 1000).cast("int").alias("v"),
        F.repeat(F.concat(F.lit("EVENT-2026-11-21-REGION-EU-WEST-1-PAYLOAD-"),
                          F.lpad(F.col("id").cast("string"), 24, "0")), PAYLOAD_REPEAT).alias("payload"),
    )
    agg = df.groupBy("k").agg(
        F.count(F.lit(1)).alias("n"),
        F.sum("v").alias("total"),
        F.countDistinct("v").alias("distinct_v"),
        F.collect_list("payload").alias("payloads"),
    )
    agg.orderBy(F.desc("total"), "k").write.format("noop").mode("overwrite").save()


if __name__ == "__main__":
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.appName(NAME).getOrCreate()
    job(spark, None)
    spark.stop()
