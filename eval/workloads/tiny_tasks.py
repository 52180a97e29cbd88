"""tiny_tasks: many small files and many tiny tasks.

Writes 40 small JSON files from a 60-partition range into a temporary
directory (60 + 40 tiny tasks), reads them back one split per file
(spark.sql.files.openCostInBytes raised in the job so Spark does not pack the
files together) and aggregates. Most of the time is per-task scheduling and
file overhead rather than work.
"""
import os
import shutil
import tempfile

from pyspark.sql import functions as F

NAME = "tiny_tasks"
ROWS = 100_000
SOURCE_PARTITIONS = 60
FILES = 40


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
