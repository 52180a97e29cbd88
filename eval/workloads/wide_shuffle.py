"""wide_shuffle: several all-to-all shuffles whose task count is spark.sql.shuffle.partitions.

A groupBy, a join of the aggregate back onto the rows and a window function,
with AQE's partition coalescing switched off in the job (as in jobs tuned
for older Spark versions), so every shuffle stage runs exactly
spark.sql.shuffle.partitions tasks: too many gives a flood of tiny tasks,
too few gives big tasks that spill when executor memory is small.
"""
from pyspark.sql import Window
from pyspark.sql import functions as F

NAME = "wide_shuffle"
ROWS = 100_000
GROUPS = 20_000


def job(spark, workdir, scale=1.0):
    spark.conf.set("spark.sql.adaptive.coalescePartitions.enabled", "false")
    spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")
    rows = int(ROWS * scale)
    df = spark.range(0, rows, 1, 8).select(
        "id",
        (F.abs(F.xxhash64("id")) % GROUPS).alias("g"),
        (F.rand(1) * 1000).alias("x"),
        F.concat(F.lit("row-"), F.col("id").cast("string")).alias("s"),
    )
    per_group = df.groupBy("g").agg(F.avg("x").alias("avg_x"), F.count(F.lit(1)).alias("n"))
    enriched = df.join(per_group, "g")
    w = Window.partitionBy("g").orderBy(F.desc("x"))
    ranked = enriched.withColumn("r", F.row_number().over(w)).where("r <= 3")
    return ranked.agg(F.count(F.lit(1)), F.sum("avg_x"), F.max("s")).collect()


if __name__ == "__main__":
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.appName(NAME).getOrCreate()
    print(job(spark, None))
    spark.stop()
