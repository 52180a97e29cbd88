"""skewed_join: sort-merge join where one hot key holds most of the rows.

80 % of the fact rows carry key 0; the dimension side has 4 rows for key 0,
so after the join shuffle one task receives (and multiplies) most of the data
and runs far longer than the others: more executors or cores barely help.
Broadcast joins are switched off in the job (the dimension table is small) and
AQE's skew-join split is switched off too, as many production jobs do, so the
straggler stays visible in the logs.
"""
from pyspark.sql import functions as F

NAME = "skewed_join"
FACTS = 400_000
HOT_SHARE = 0.8
KEYS = 100_000


def job(spark, workdir, scale=1.0):
    spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")
    spark.conf.set("spark.sql.adaptive.skewJoin.enabled", "false")
    facts = int(FACTS * scale)
    fact = spark.range(0, facts, 1, 8).select(
        F.when(F.rand(5) < HOT_SHARE, F.lit(0)).otherwise(F.abs(F.xxhash64("id")) % KEYS).alias("k"),
        (F.rand(9) * 100).alias("amount"),
    )
    dim = spark.range(0, KEYS * 4, 1, 4).select(
        (F.col("id") % KEYS).alias("k"),
        F.concat(F.lit("merchant-"), F.col("id").cast("string")).alias("attr"),
    )
    joined = fact.join(dim, "k")
    return joined.groupBy((F.length("attr") % 7).alias("b")).agg(F.sum("amount"), F.count(F.lit(1))).collect()


if __name__ == "__main__":
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.appName(NAME).getOrCreate()
    print(job(spark, None))
    spark.stop()
