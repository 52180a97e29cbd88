"""Which TPC-H / TPC-DS queries Spark SQL runs unmodified, and how long each takes.

Runs every query text written by make_data.py (DuckDB's tpch_queries() / tpcds_queries()) through `spark.sql` with
Spark's default SQL settings (ANSI mode on, as Spark 4 ships) in local mode, one at a time, each cancelled after
--timeout seconds. A query "runs unmodified" when it parses, analyses and completes without error. Writes
{suite: {nr: {ok, seconds, rows | error}}} as JSON; eval/benchmark/grid.json's query groups are drawn from the
queries this marks ok (see eval/benchmark-runs/README.md for the result).

Usage: BENCH_DATA=DATA python3 eval/benchmark/check_queries.py --out queries-check.json [--suites tpch,tpcds]
       python3 eval/benchmark/check_queries.py --groups queries-check.json [--seed 14 --count 2 --budget 29]
           prints the seeded TPC-DS query groups of grid.json (seeded_groups) from a check result
"""
import argparse
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sql_suite  # noqa: E402


def seeded_groups(check, suite="tpcds", seed=14, count=2, budget_s=29.0):
    """Query groups drawn from the queries `check` marks ok: shuffled with random.Random(seed), then each query
    goes to the first group it fits in (group time + its time <= budget_s, times as measured by the check); stops
    once every group holds >= 93 % of budget_s. Returns `count` sorted lists of query numbers."""
    import random
    ok = sorted(int(k) for k, v in check[suite].items() if v["ok"])
    order = list(ok)
    random.Random(seed).shuffle(order)
    groups, times = [[] for _ in range(count)], [0.0] * count
    for q in order:
        t = check[suite][str(q)]["seconds"]
        for g in range(count):
            if times[g] + t <= budget_s:
                groups[g].append(q)
                times[g] += t
                break
        if all(x >= 0.93 * budget_s for x in times):
            break
    return [sorted(g) for g in groups]


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--groups":
        gp = argparse.ArgumentParser()
        gp.add_argument("--groups", required=True)
        gp.add_argument("--seed", type=int, default=14)
        gp.add_argument("--count", type=int, default=2)
        gp.add_argument("--budget", type=float, default=29.0)
        ga = gp.parse_args()
        with open(ga.groups) as f:
            print(json.dumps(seeded_groups(json.load(f), "tpcds", ga.seed, ga.count, ga.budget)))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--suites", default="tpch,tpcds")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--master", default="local[2]")
    args = ap.parse_args()
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master(args.master).appName("check-queries")
             .config("spark.ui.enabled", "false").config("spark.driver.memory", "3g")
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
             .getOrCreate())
    data = sql_suite.data_dir()
    result = {}
    for suite in args.suites.split(","):
        sql_suite.register_views(spark, data, suite)
        result[suite] = {}
        files = sorted(f for f in os.listdir(os.path.join(data, "queries", suite)) if f.endswith(".sql"))
        for f in files:
            nr = int(f[1:3])
            timer = threading.Timer(args.timeout, spark.sparkContext.cancelAllJobs)
            timer.start()
            t0 = time.time()
            try:
                rows = len(spark.sql(sql_suite.query_text(data, suite, nr)).collect())
                entry = {"ok": True, "seconds": round(time.time() - t0, 2), "rows": rows}
            except Exception as e:  # noqa: BLE001 - every failure is recorded, whatever its class
                first = str(e).strip().splitlines()[0][:300] if str(e).strip() else type(e).__name__
                entry = {"ok": False, "seconds": round(time.time() - t0, 2), "error": first}
            finally:
                timer.cancel()
            result[suite][nr] = entry
            print(f"[check_queries] {suite} q{nr}: {entry}", file=sys.stderr, flush=True)
            with open(args.out, "w") as fh:
                json.dump(result, fh, indent=1)
    spark.stop()


if __name__ == "__main__":
    main()
