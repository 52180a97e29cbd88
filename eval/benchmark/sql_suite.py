"""TPC-H and TPC-DS on Spark SQL: the tables of one suite as temporary views over the generated Parquet files, and
the query texts exactly as DuckDB's tpch/tpcds extensions print them (eval/benchmark/make_data.py writes both).

The only change made to a query text is dropping its trailing ';' (a statement terminator, not part of the
statement Spark's `spark.sql` parses). Which queries Spark SQL runs unmodified is decided by
eval/benchmark/check_queries.py, not by hand.
"""
import os

SUITES = ("tpch", "tpcds")


def data_dir():
    """The generated data folder: BENCH_DATA (set by scripts/generate-benchmark-eval.sh)."""
    d = os.environ.get("BENCH_DATA")
    if not d or not os.path.isdir(d):
        raise SystemExit(f"BENCH_DATA={d!r} is not a folder: run scripts/generate-benchmark-data.sh first")
    return d


def register_views(spark, data, suite):
    """Creates one temporary view per table folder of DATA/<suite>/ (Parquet), named as the table."""
    root = os.path.join(data, suite)
    for table in sorted(os.listdir(root)):
        spark.read.parquet(os.path.join(root, table)).createOrReplaceTempView(table)


def query_text(data, suite, nr):
    """Query `nr` of `suite` as the extension printed it, without the trailing ';'."""
    with open(os.path.join(data, "queries", suite, f"q{nr:02d}.sql")) as f:
        return f.read().strip().rstrip(";").strip()


def run_queries(spark, suite, numbers, data=None):
    """Registers the suite's views and runs the queries `numbers` one after another (each collected to the
    driver: every TPC query returns an aggregate or a LIMIT 100). Returns {query number: result row count}."""
    data = data or data_dir()
    register_views(spark, data, suite)
    out = {}
    for nr in numbers:
        spark.sparkContext.setJobDescription(f"{suite} q{nr}")
        out[nr] = len(spark.sql(query_text(data, suite, nr)).collect())
    spark.sparkContext.setJobDescription(None)
    return out
