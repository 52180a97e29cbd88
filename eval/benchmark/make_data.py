"""Generates the benchmark data and query texts (not committed: hundreds of MiB) into one folder:

    DATA/tpch/<table>/*.parquet         tpchgen-cli parquet -s TPCH_SF --parts PARTS (deterministic: dbgen's seeds)
    DATA/tpcds/<table>/*.parquet        DuckDB tpcds extension: CALL dsdgen(sf=TPCDS_SF), then COPY ... TO parquet
    DATA/queries/tpch/qNN.sql           tpch_queries() of DuckDB's tpch extension, as the tool prints them
    DATA/queries/tpcds/qNN.sql          tpcds_queries() of DuckDB's tpcds extension, as the tool prints them
    DATA/provenance.json                generators, versions, scale factors, seeds, row counts, bytes

The extensions are loaded from the PyPI packages' folders by path (their .duckdb_extension files are not signed by
DuckDB's key for this build, hence allow_unsigned_extensions). Idempotent: when DATA/provenance.json already records
the same scale factors and tool versions, nothing is generated again.

Usage (normally via scripts/generate-benchmark-data.sh, which installs the tools first):
    python3 eval/benchmark/make_data.py --out DATA --tpch-sf 1 --tpcds-sf 1
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time
from importlib.metadata import version

# Both generators are deterministic: dbgen and dsdgen seed their random streams with fixed constants (dbgen's
# per-column seeds in its dss.h / dsdgen's RNGSEED default 19620718), and neither tool here exposes a seed option.
SEEDS = {
    "tpch": "dbgen's fixed per-column seeds (tpchgen-cli reproduces dbgen's output; it has no seed option)",
    "tpcds": "dsdgen's default RNGSEED 19620718 (DuckDB's dsdgen() has no seed parameter)",
}


def extension_file(package):
    """Path of the .duckdb_extension file shipped in the PyPI package `package` (e.g. duckdb_extension_tpcds)."""
    mod = __import__(package)
    files = glob.glob(os.path.join(os.path.dirname(mod.__file__), "extensions", "*", "*.duckdb_extension"))
    if len(files) != 1:
        raise SystemExit(f"make_data.py: expected one .duckdb_extension in {package}, found {files}")
    return files[0]


def duckdb_with_extensions():
    import duckdb
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    for pkg in ("duckdb_extension_tpch", "duckdb_extension_tpcds"):
        con.execute(f"LOAD '{extension_file(pkg)}'")
    return con


def folder_bytes(path):
    return sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(path) for f in fs)


def write_queries(con, out):
    """Writes every query of tpch_queries() and tpcds_queries() to out/queries/<suite>/qNN.sql, unchanged."""
    counts = {}
    for suite in ("tpch", "tpcds"):
        qdir = os.path.join(out, "queries", suite)
        os.makedirs(qdir, exist_ok=True)
        rows = con.execute(f"SELECT query_nr, query FROM {suite}_queries() ORDER BY query_nr").fetchall()
        for nr, text in rows:
            with open(os.path.join(qdir, f"q{nr:02d}.sql"), "w") as f:
                f.write(text)
        counts[suite] = len(rows)
    return counts


def make_tpch(out, sf, parts):
    dest = os.path.join(out, "tpch")
    shutil.rmtree(dest, ignore_errors=True)
    cmd = ["tpchgen-cli", "parquet", "-s", str(sf), "--parts", str(parts), "--output-dir", dest, "--no-progress"]
    t0 = time.time()
    subprocess.run(cmd, check=True)
    return {"command": " ".join(cmd), "seconds": round(time.time() - t0, 1)}


def make_tpcds(con, out, sf, row_group):
    dest = os.path.join(out, "tpcds")
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    t0 = time.time()
    con.execute(f"CALL dsdgen(sf={sf})")
    tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
    for t in tables:
        os.makedirs(os.path.join(dest, t))
        # One file per table, split into row groups of ROW_GROUP_ROWS rows so that Spark can split the big fact
        # tables into several input partitions (it splits Parquet at row-group boundaries).
        con.execute(f"COPY {t} TO '{os.path.join(dest, t, t + '.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE {row_group})")
    return {"command": f"duckdb: CALL dsdgen(sf={sf}); COPY <table> TO '<table>/<table>.parquet' (FORMAT parquet, ROW_GROUP_SIZE {row_group})",
            "seconds": round(time.time() - t0, 1), "tables": tables}


def row_counts(con, folder):
    out = {}
    for t in sorted(os.listdir(folder)):
        path = os.path.join(folder, t)
        pattern = os.path.join(path, "*.parquet")
        out[t] = con.execute(f"SELECT count(*) FROM read_parquet('{pattern}')").fetchone()[0]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--tpch-sf", type=float, required=True)
    ap.add_argument("--tpcds-sf", type=float, required=True)
    ap.add_argument("--tpch-parts", type=int, default=8, help="files per TPC-H table (tpchgen-cli --parts)")
    ap.add_argument("--tpcds-row-group", type=int, default=122880, help="rows per Parquet row group of TPC-DS tables")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    tools = {p: version(p) for p in ("tpchgen-cli", "duckdb", "duckdb-extension-tpcds", "duckdb-extension-tpch")}
    want = {"tpch": {"scaleFactor": args.tpch_sf, "parts": args.tpch_parts},
            "tpcds": {"scaleFactor": args.tpcds_sf, "rowGroupRows": args.tpcds_row_group}, "tools": tools}
    prov_path = os.path.join(out, "provenance.json")
    if os.path.exists(prov_path):
        with open(prov_path) as f:
            have = json.load(f)
        same = have.get("tools") == tools and all(
            {k: have.get(suite, {}).get(k) for k in want[suite]} == want[suite] for suite in ("tpch", "tpcds"))
        if same:
            print(f"[make_data] {out} already holds this data ({prov_path})", file=sys.stderr)
            return
        os.remove(prov_path)

    con = duckdb_with_extensions()
    queries = write_queries(con, out)
    tpch = make_tpch(out, args.tpch_sf, args.tpch_parts)
    print(f"[make_data] TPC-H sf={args.tpch_sf} in {tpch['seconds']} s", file=sys.stderr)
    tpcds = make_tpcds(con, out, args.tpcds_sf, args.tpcds_row_group)
    print(f"[make_data] TPC-DS sf={args.tpcds_sf} in {tpcds['seconds']} s", file=sys.stderr)
    con.close()
    import duckdb
    reader = duckdb.connect()
    prov = json.loads(json.dumps(want))
    prov["tpch"].update(generator=f"tpchgen-cli {tools['tpchgen-cli']} (PyPI)", seed=SEEDS["tpch"],
                        rows=row_counts(reader, os.path.join(out, "tpch")),
                        bytes=folder_bytes(os.path.join(out, "tpch")), **tpch)
    prov["tpcds"].update(generator=f"DuckDB {tools['duckdb']} with duckdb-extension-tpcds {tools['duckdb-extension-tpcds']} (PyPI)",
                         seed=SEEDS["tpcds"], rows=row_counts(reader, os.path.join(out, "tpcds")),
                         bytes=folder_bytes(os.path.join(out, "tpcds")), **tpcds)
    prov["queries"] = {"tpch": f"tpch_queries() of duckdb-extension-tpch {tools['duckdb-extension-tpch']}: {queries['tpch']} queries",
                       "tpcds": f"tpcds_queries() of duckdb-extension-tpcds {tools['duckdb-extension-tpcds']}: {queries['tpcds']} queries"}
    prov["generatedAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with open(prov_path, "w") as f:
        json.dump(prov, f, indent=1)
        f.write("\n")
    print(f"[make_data] done: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
