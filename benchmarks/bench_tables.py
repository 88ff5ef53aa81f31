"""In-memory polars frames validated two ways: seqprep's polars engine against the pandas path.

``SeriesSchema.validate(polars_frame)`` could check the frame where it is, with the polars
engine (``seqprep._polars.check_frame``: the checks as polars expressions), or convert it
once to pandas (``seqprep._tables.as_pandas``, zero-copy for null-free numeric columns)
and run the pandas path. This script times both on ``bench_validate.make_frame`` (100
groups of hourly times, 8 float features), clean and with the faults of
``bench_engines.broken``, and prints the ratio. It also times the conversion alone and
``make_windows`` on an Arrow table against the same data in pandas, and, for the column
checks alone (not null, finite; 8 float columns), pandera's pandas backend against its
polars backend and plain polars expressions (what the polars engine builds).

Run: ``python benchmarks/bench_tables.py`` (``--rows 200000 2000000``, ``--repeat 3``).
Times are medians of ``--repeat`` runs after a warm-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_engines import broken
from bench_validate import make_frame

import seqprep
from seqprep._engines import Origin
from seqprep._polars import check_frame
from seqprep._tables import as_pandas


def median(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def pandas_path(schema, frame) -> int:
    fails, _, _ = schema.check_chunks([as_pandas(frame)])
    return len(fails)


def polars_path(schema, frame) -> int:
    fails, _, _ = check_frame(schema, frame, Origin([None], np.array([frame.height]), False))
    return len(fails)


def column_checks(rows: int, repeat: int) -> None:
    """Not-null and finite checks on 8 float columns: pandera (pandas, polars), polars."""
    import pandera.pandas as ppd
    import pandera.polars as ppl
    import polars as pl

    rng = np.random.default_rng(0)
    cols = {f"x{i}": rng.normal(size=rows) for i in range(8)}
    cols["x0"][5], cols["x1"][7] = np.nan, np.inf
    pdf = pd.DataFrame(cols)
    plf = pl.from_pandas(pdf)
    finite_pd = ppd.Check(lambda s: np.isfinite(s) | s.isna())
    s_pd = ppd.DataFrameSchema({c: ppd.Column(float, nullable=False, checks=finite_pd)
                                for c in cols})
    finite_pl = ppl.Check(lambda d: d.lazyframe.select(
        pl.col(d.key).is_finite() | pl.col(d.key).is_null()))
    s_pl = ppl.DataFrameSchema({c: ppl.Column(pl.Float64, nullable=False, checks=finite_pl)
                                for c in cols})

    def pandera_run(schema, frame) -> int:
        try:
            schema.validate(frame, lazy=True)
        except Exception as err:  # pandera's SchemaErrors
            return len(err.failure_cases)
        return 0

    def expressions() -> int:
        bad = [e for c in cols for e in (pl.col(c).is_null() | pl.col(c).is_nan(),
                                         pl.col(c).is_infinite())]
        return plf.with_row_index("row").filter(pl.any_horizontal(bad)).height

    t_pd = median(lambda: pandera_run(s_pd, pdf), repeat)
    t_pl = median(lambda: pandera_run(s_pl, plf), repeat)
    t_ex = median(expressions, repeat)
    print(f"{rows:>10,} rows, column checks: pandera-pandas {t_pd:.3f} s, pandera-polars "
          f"{t_pl:.3f} s ({t_pl / t_pd:.2f}), polars expressions {t_ex:.3f} s "
          f"({t_ex / t_pd:.2f}); failures {pandera_run(s_pd, pdf)}, "
          f"{pandera_run(s_pl, plf)}, {expressions()}")


def main() -> None:
    import polars as pl
    import pyarrow as pa

    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[200_000, 2_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    schema = seqprep.SeriesSchema("time", group="store", features=[f"x{i}" for i in range(8)],
                                  freq="h", min_length=600)
    for rows in args.rows:
        for label, df in (("clean", make_frame(rows, 100, 8)), ("faulty", broken(rows))):
            frame = pl.from_pandas(df)
            n_pd, n_pl = pandas_path(schema, frame), polars_path(schema, frame)
            t_pd = median(lambda: pandas_path(schema, frame), args.repeat)
            t_pl = median(lambda: polars_path(schema, frame), args.repeat)
            print(f"{rows:>10,} rows {label:6}: pandas path {t_pd:6.3f} s ({n_pd} failures), "
                  f"polars engine {t_pl:6.3f} s ({n_pl} failures): polars/pandas time "
                  f"{t_pl / t_pd:.2f}")
        df = make_frame(rows, 100, 8)
        table = pa.Table.from_pandas(df, preserve_index=False)
        t_conv = median(lambda: as_pandas(table), args.repeat)
        kw = dict(targets="x0", group="store", time="time", copy=False)
        t_arrow = median(lambda: seqprep.make_windows(table, 24, **kw), args.repeat)
        t_frame = median(lambda: seqprep.make_windows(df, 24, **kw), args.repeat)
        print(f"{rows:>10,} rows: Arrow -> pandas {t_conv:.3f} s; make_windows(copy=False) on "
              f"Arrow {t_arrow:.3f} s, on pandas {t_frame:.3f} s (ratio {t_arrow / t_frame:.2f})")
        column_checks(rows, args.repeat)


if __name__ == "__main__":
    main()
