"""tiny_tasks: many small files and many tiny tasks.

Writes 32 small JSON files from a 48-partition range into a temporary
directory (48 + 32 tiny tasks), reads them back in 64 KiB splits
(spark.sql.files.maxPartitionBytes and openCostInBytes lowered in the job so
Spark does not pack the small files into a few splits) and aggregates over
spark.sql.shuffle.partitions tasks. Most of the time is per-task scheduling
and file overhead rather than work.
"""
import os
import shutil
import tempfile

from pyspark.sql import functions as F

NAME = "tiny_tasks"
ROWS = 32_000
SOURCE_PARTITIONS = 48
FILES = 32


def job(spark, workdir, scale=1.0):
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(64 * 1024))
    spark.conf.set("spark.sql.files.openCostInBytes", str(64 * 1024))
    tmp = tempfile.mkdtemp(prefix="tiny_tasks_", dir=workdir)
    try:
        rows = int(ROWS * scale)
        src = spark.range(0, rows, 1, SOURCE_PARTITIONS).select(
            "id", (F.col("id") % 97).alias("bucket"), F.sha1(F.col("id").cast("string")).alias("h"))
        src.repartition(FILES).write.mode("overwrite").json(os.path.join(tmp, "small"))
        back = spark.read.schema("id long, bucket long, h string").json(os.path.join(tmp, "small"))
        return back.groupBy("bucket").agg(F.count(F.lit(1)), F.max("h")).collect()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.appName(NAME).getOrCreate()
    print(len(job(spark, None)))
    spark.stop()
