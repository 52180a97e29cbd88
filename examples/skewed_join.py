"""Skewed join: enrich click events with merchant attributes.

One merchant (merchant_id 0, a marketplace's own storefront) owns most of the
clicks, so after the shuffle for the sort-merge join one task receives most
of the rows and runs far longer than the others in its stage.

AQE is switched off on purpose: with spark.sql.adaptive.enabled=true Spark 4
would split the skewed partition (skew-join optimisation) and hide the
problem this example exists to show. Broadcast joins are switched off too, so
the join really shuffles both sides.
"""
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

CLICKS = 4_000_000
HOT_SHARE = 0.9          # share of clicks that belong to merchant 0
MERCHANTS = 50_000

spark = (
    SparkSession.builder.appName("skewed_join")
    .config("spark.executor.memory", "2g")
    .config("spark.executor.cores", "2")
    .config("spark.sql.shuffle.partitions", "200")
    # AQE off: it would split the skewed partition and hide the straggler.
    .config("spark.sql.adaptive.enabled", "false")
    # No broadcast join: shuffle both sides so the skew lands in one task.
    .config("spark.sql.autoBroadcastJoinThreshold", "-1")
    .getOrCreate()
)

clicks = spark.range(0, CLICKS, 1, 8).select(
    F.col("id").alias("click_id"),
    F.when(F.rand(3) < HOT_SHARE, F.lit(0))
    .otherwise((F.rand(5) * MERCHANTS).cast("long"))
    .alias("merchant_id"),
    (F.rand(9) * 100).alias("price"),
)

merchants = spark.range(0, MERCHANTS, 1, 4).select(
    F.col("id").alias("merchant_id"),
    (F.col("id") % 40).alias("category_id"),
    F.concat(F.lit("merchant-"), F.col("id").cast("string")).alias("merchant_name"),
)

revenue_by_category = (
    clicks.join(merchants, "merchant_id")
    .groupBy("category_id")
    .agg(F.count(F.lit(1)).alias("clicks"), F.sum("price").alias("revenue"))
)

revenue_by_category.write.format("noop").mode("overwrite").save()

spark.stop()
