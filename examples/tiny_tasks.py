"""Tiny tasks: a small daily lookup table aggregated with far too many partitions.

Only a few hundred thousand rows, but spark.sql.shuffle.partitions is 2000
(copied from a much bigger job), so the aggregation stage runs 2000 tasks
that each do a few milliseconds of work; most of the stage's time goes to
scheduling, task launch and shuffle-fetch overhead.

AQE is switched off on purpose: with spark.sql.adaptive.enabled=true Spark
would coalesce the 2000 tiny shuffle partitions into a handful and hide the
problem this example exists to show.
"""
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

ROWS = 200_000
COUNTRIES = 250

spark = (
    SparkSession.builder.appName("tiny_tasks")
    .config("spark.executor.memory", "1g")
    .config("spark.executor.cores", "2")
    .config("spark.sql.shuffle.partitions", "2000")
    # AQE off: it would coalesce the 2000 tiny partitions into a few.
    .config("spark.sql.adaptive.enabled", "false")
    .getOrCreate()
)

visits = spark.range(0, ROWS, 1, 2).select(
    (F.col("id") % COUNTRIES).alias("country_id"),
    (F.rand(13) * 30).alias("seconds_on_page"),
)

per_country = visits.groupBy("country_id").agg(
    F.count(F.lit(1)).alias("visits"),
    F.avg("seconds_on_page").alias("avg_seconds"),
)

per_country.write.format("noop").mode("overwrite").save()

spark.stop()
