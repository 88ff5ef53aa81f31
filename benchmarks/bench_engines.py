"""Validation engines compared: rows per second of pandas, polars and Spark (local).

The data: ``bench_validate.make_frame`` (100 groups of hourly times, 8 float features) at
2,000,000 and 8,000,000 rows, written as one Parquet file with nanosecond times (as pandas
writes them), with the faults the issue measured: 5 repeated times, 7 gaps, 1 NaN and one
short group. Every engine must find exactly those (the script checks the counts).

Each engine reads the file and checks it, every check of the schema:

- ``pandas``: the command line's path in process (Parquet read in chunks by pyarrow,
  ``SeriesSchema.check_chunks``), and, for reference, one ``pq.read_table`` + ``validate``;
- ``polars``: ``seqprep._polars.validate_path`` (read with polars, checks as expressions);
- ``spark``: ``seqprep._spark.validate_path`` on a warm local session (``local[*]``); the
  session's start is timed apart.

Then the command line, as CI runs it (new processes): ``seqprep validate DATA --engine
pandas`` against ``--engine polars`` on the 2M-row file: the ``--engine auto`` rule rests on
that comparison.

Run: ``python benchmarks/bench_engines.py`` (``--rows 2000000 8000000``, ``--repeat 3``;
``--no-spark`` without Java). Times are medians of ``--repeat`` runs after a warm-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_validate import make_frame  # noqa: E402

import seqprep  # noqa: E402

# a repeated time replaces the hour it stood for, so the step after it is a gap too: 7 + 5
FAULTS = {"unique_time": 5, "regular_freq": 12, "not_null": 1, "min_length": 1}


def broken(rows: int) -> pd.DataFrame:
    df = make_frame(rows, 100, 8)
    per = rows // 100
    repeat = [per * g + 10 for g in range(5)]  # a time equal to the one before it
    df.loc[repeat, "time"] = df.loc[[r - 1 for r in repeat], "time"].to_numpy()
    df = df.drop(index=[per * g + 20 for g in range(10, 17)])  # one missing hour each
    df.loc[df.index[3], "x0"] = np.nan
    df = df[~((df["store"] == "s099") & (df.index % per >= 500))]  # a short group
    df["time"] = df["time"].astype("datetime64[ns]")
    return df.reset_index(drop=True)


def median(fn, repeat: int) -> tuple[float, object]:
    out = fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def counts(failures: pd.DataFrame) -> dict:
    return {k: int(v) for k, v in failures["check"].value_counts().items()}


def engines(schema, spark) -> dict:
    import pyarrow.parquet as pq

    from seqprep import _polars, _spark
    from seqprep._parquet import chunks, list_files

    def pandas_cli(path):
        return schema.check_chunks(frame for _, frame in chunks(list_files(path)))[0]

    def pandas_whole(path):
        try:
            schema.validate(pq.read_table(path).to_pandas())
        except seqprep.ValidationError as err:
            return err.failures
        return None

    out = {"pandas (chunks, as the CLI)": pandas_cli, "pandas (whole frame)": pandas_whole,
           "polars": lambda path: _polars.validate_path(path, schema)[0]}
    if spark is not None:
        out["spark local"] = lambda path: _spark.validate_path(path, schema, spark=spark)[0]
    return out


def cli_times(path: str, yaml: str, repeat: int) -> dict:
    """Median wall time of ``seqprep validate`` per engine, run in turn."""
    times: dict = {"pandas": [], "polars": []}
    for i in range(repeat + 1):
        for engine in times:
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "seqprep", "validate", path, "--schema",
                            yaml, "--engine", engine, "-q"], capture_output=True)
            if i:
                times[engine].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[2_000_000, 8_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-spark", action="store_true")
    args = ap.parse_args()
    schema = seqprep.SeriesSchema("time", "store", [f"x{j}" for j in range(8)], freq="h",
                                  min_length=1000, ranges={"x0": (-100, 100)})
    spark = None
    if not args.no_spark:
        from seqprep import _spark

        t = time.perf_counter()
        spark = _spark.spark_session()
        print(f"spark session start: {time.perf_counter() - t:.1f} s")
    per_engine: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            path = os.path.join(tmp, f"d{rows}.parquet")
            df = broken(rows)
            df.to_parquet(path)
            n = len(df)
            del df
            print(f"\n{n:,} rows ({os.path.getsize(path) / 2**20:.0f} MiB of Parquet):")
            for name, fn in engines(schema, spark).items():
                secs, failures = median(lambda: fn(path), args.repeat)
                found = counts(failures)
                assert found == FAULTS, (name, found)
                per_engine.setdefault(name, {})[rows] = secs
                print(f"  {name:<28} {secs:7.2f} s  {n / secs / 1e6:6.2f} M rows/s")
            if rows == args.rows[0]:
                yaml = os.path.join(tmp, "schema.yaml")
                schema.to_yaml(yaml)
                cli = cli_times(path, yaml, args.repeat)
                print("  seqprep validate, new process: " + ", ".join(
                    f"--engine {k} {v:.2f} s" for k, v in cli.items()))
    if len(args.rows) > 1:
        a, b = args.rows[0], args.rows[-1]
        for name, t in per_engine.items():
            print(f"{name}: {b / a:.0f}x the rows took {t[b] / t[a]:.2f}x the time")


if __name__ == "__main__":
    main()
