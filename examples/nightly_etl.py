"""Nightly ETL: roll a day of orders up to one row per customer.

A wide aggregation: groupBy(customer_id) with count / sum / countDistinct /
collect_list over a few million generated orders, then a global sort by
revenue. With small executors (512m-1g heap, 2 cores) the aggregation buffers
do not fit in execution memory and Spark spills them to disk; with 2g-4g they
fit (see examples/history/README.md for measured runs).

The settings below are the job's *current* configuration, which is undersized.
Settings made here in the builder take precedence over spark-submit flags.
Adaptive query execution stays on (Spark's default), so the 200 shuffle
partitions are coalesced into a few larger ones at run time.
"""
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

ROWS = 3_000_000
INPUT_PARTITIONS = 4
CUSTOMERS = 750_000
SKUS = 20_000

spark = (
    SparkSession.builder.appName("nightly_etl")
    .config("spark.executor.memory", "1g")
    .config("spark.executor.cores", "2")
    .config("spark.sql.shuffle.partitions", "200")
    .getOrCreate()
)

orders = spark.range(0, ROWS, 1, INPUT_PARTITIONS).select(
    F.col("id").alias("order_id"),
    (F.abs(F.xxhash64("id")) % CUSTOMERS).alias("customer_id"),
    (F.rand(7) * SKUS).cast("int").alias("sku"),
    F.round(F.rand(11) * 250, 2).alias("amount"),
    F.concat(
        F.lit("ORD-2026-11-21-EU-WEST-1-WAREHOUSE-RTM-"),
        F.lpad(F.col("id").cast("string"), 24, "0"),
    ).alias("order_ref"),
)

per_customer = orders.groupBy("customer_id").agg(
    F.count(F.lit(1)).alias("orders"),
    F.sum("amount").alias("revenue"),
    F.countDistinct("sku").alias("distinct_skus"),
    F.collect_list("order_ref").alias("order_refs"),
)

ranked = per_customer.orderBy(F.desc("revenue"), "customer_id")

# "noop" runs the whole plan (shuffle, aggregation, sort) without writing files.
ranked.write.format("noop").mode("overwrite").save()

spark.stop()
