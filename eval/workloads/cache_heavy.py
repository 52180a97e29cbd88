"""cache_heavy: a DataFrame persisted once and read by several actions.

~100k rows with string payloads are cached (DataFrame.cache(), storage level
MEMORY_AND_DISK) and then used by five actions (count, two aggregations, a
filter and a distinct count). With a 512m executor heap the cached blocks do
not fit in the storage region and go to disk or are evicted; with 2g they stay
in memory.
"""
from pyspark.sql import functions as F

NAME = "cache_heavy"
ROWS = 100_000


def job(spark, workdir, scale=1.0):
    rows = int(ROWS * scale)
    df = spark.range(0, rows, 1, 8).select(
        "id",
        (F.col("id") % 1000).alias("k"),
        F.sha2(F.col("id").cast("string"), 256).alias("h"),
        F.concat(F.lit("customer-record-"), F.col("id").cast("string"), F.lit("-EU-WEST")).alias("s"),
    ).cache()
    out = [df.count()]
    out.append(df.groupBy("k").agg(F.count(F.lit(1))).count())
    out.append(df.where(F.col("h").startswith("a")).count())
    out.append(df.agg(F.countDistinct("h")).collect()[0][0])
    out.append(df.groupBy(F.substring("h", 1, 2)).agg(F.max("s")).count())
    df.unpersist()
    return out


if __name__ == "__main__":
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.appName(NAME).getOrCreate()
    print(job(spark, None))
    spark.stop()
