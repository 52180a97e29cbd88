# Shell function shared by scripts/install-delta.sh and scripts/install-mariadb.sh. Source it; it defines functions only.

# resolve_spark_packages SPARK_HOME IVY_DIR COORDINATES: resolves Maven coordinates (and their dependencies) from
# Maven Central into IVY_DIR (spark.jars.ivy; the jars land in IVY_DIR/jars) with that Spark's own
# `spark-submit --packages`, which resolves before it runs anything; the script it runs only prints a word.
resolve_spark_packages() {
  local spark_home="$1" ivy="$2" coordinates="$3" probe
  probe="$(mktemp -d)"
  echo 'print("resolved")' > "${probe}/probe.py"
  SPARK_HOME="${spark_home}" "${spark_home}/bin/spark-submit" --master 'local[1]' \
    --conf "spark.jars.ivy=${ivy}" --packages "${coordinates}" "${probe}/probe.py" >&2
  rm -rf "${probe}"
}
