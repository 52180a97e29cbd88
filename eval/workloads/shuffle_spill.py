"""shuffle_spill: wide aggregation whose buffers spill when executor memory is small.

groupBy over ~40k keys with collect_list of long strings and countDistinct,
then a global sort. With a 512m executor heap the unified memory region is
about (512 - 300) MiB x 0.6 ~ 127 MiB and the aggregation and sort spill to
disk; with 2g they fit. AQE stays on (Spark's default).
"""
from pyspark.sql import functions as F

NAME = "shuffle_spill"
ROWS = 120_000
PARTITIONS = 4
KEYS = 40_000
PAYLOAD_REPEAT = 8  # ~530-byte strings: few rows, but enough bytes to spill at 512m


def job(spark, workdir, scale=1.0):
    rows = int(ROWS * scale)
    df = spark.range(0, rows, 1, PARTITIONS).select(
        (F.abs(F.xxhash64("id")) % KEYS).alias("k"),
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
