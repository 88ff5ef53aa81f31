"""The Spark engine reports what the pandas path reports, on a real local Spark.

A differential test: panels with every kind of fault, written as one Parquet file, as a
hive-partitioned folder (one folder per group) and as files that split groups, are
validated by Spark and by ``SeriesSchema.validate`` on the pandas frame; both must give
the same failures (check, column, group, time, value; the rows too where the files keep
the frame's order). One local Spark (``local[2]``, small shuffles, no UI) serves the module;
the tests skip only when pyspark is not installed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import seqprep

pytest.importorskip("pyspark")

from seqprep import _spark  # noqa: E402

from _engine_panels import (SCHEMA, as_set, cli_reports, layouts, pandas_failures,  # noqa: E402
                            panel, same_reports)


@pytest.fixture(scope="session")
def spark():
    session = _spark.spark_session("local[2]")
    session.conf.set("spark.sql.shuffle.partitions", "2")
    yield session


def test_spark_reports_what_pandas_reports_on_every_layout(spark, tmp_path):
    df = panel("ns")  # nanoseconds: Spark refuses them unless read as longs
    expected = pandas_failures(SCHEMA, df)
    assert set(expected["check"]) >= {"not_null", "finite", "in_range", "allowed_values",
                                      "increasing_time", "unique_time", "regular_freq",
                                      "min_length"}
    for name, path in layouts(df, tmp_path).items():
        got, notes, shape = _spark.validate_path(path, SCHEMA, spark=spark)
        assert shape[0] == len(df), name
        assert as_set(got) == as_set(expected), name
        if name != "hive":  # the files keep the frame's row order
            cols = ["check", "column", "group", "row", "time", "value", "first_row"]
            assert as_set(got, cols) == as_set(expected, cols), name
            located = got["row"].notna()
            assert got.loc[located, "file"].notna().all(), name
            assert (got.loc[located, "file_row"] <= got.loc[located, "row"]).all(), name


def test_wall_clock_days_and_calendar_months(spark, tmp_path):
    # daily data across a daylight-saving change: 23- and 25-hour steps are no gaps (D2)
    days = pd.DataFrame({"t": pd.date_range("2024-03-25", periods=12, freq="D",
                                            tz="Europe/Berlin"), "x": 1.0})
    days = days.drop(index=[7]).reset_index(drop=True)
    months = pd.DataFrame({"t": pd.date_range("2023-01-01", periods=14, freq="MS")
                           .as_unit("us"), "x": 1.0})  # microseconds: TIMESTAMP_NTZ
    months = months.drop(index=[5]).reset_index(drop=True)
    for df, freq in ((days, "D"), (months, "MS"), (months, None)):
        schema = seqprep.SeriesSchema("t", features="x", freq=freq)
        expected = pandas_failures(schema, df)
        path = tmp_path / f"{freq}-{len(df)}.parquet"
        df.to_parquet(path)
        got, notes, _ = _spark.validate_path(path, schema, spark=spark)
        cols = ["check", "row", "time", "value", "missing_first", "missing_steps"]
        assert as_set(got, cols) == as_set(expected, cols), freq
        assert len(got) == 1
        if freq is None:
            assert any("step MS inferred" in n for n in notes), notes


def test_integer_times_one_series_and_inferred_step(spark, tmp_path):
    df = pd.DataFrame({"t": [0, 2, 4, 4, 8, 6, 12, 14], "x": [0.0, 1, 2, 3, 4, 5, 6, 7]})
    schema = seqprep.SeriesSchema("t", features="x", min_length=10)
    expected = pandas_failures(schema, df)
    df.to_parquet(tmp_path / "d.parquet")
    got, notes, _ = _spark.validate_path(tmp_path / "d.parquet", schema, spark=spark)
    cols = ["check", "column", "group", "row", "time", "value"]
    assert as_set(got, cols) == as_set(expected, cols)
    assert any("step 2 inferred" in n for n in notes)


def test_a_dataframe_in_memory_and_the_schema_dispatch(spark):
    # a TIMESTAMP column is an instant: the pandas path sees the same times in UTC
    df = panel("us")
    sdf = spark.createDataFrame(df)
    expected = pandas_failures(SCHEMA, df.assign(t=df["t"].dt.tz_localize("UTC")))
    with pytest.raises(seqprep.ValidationError) as err:
        SCHEMA.validate(sdf)
    got = err.value.failures
    cols = ["check", "column", "group", "row", "time", "value"]
    assert as_set(got, cols) == as_set(expected, cols)
    assert "partition order" in " ".join(err.value.notes)
    ok = df.dropna().query("store == 'a'").iloc[:3].assign(x=1.0)
    ok_sdf = spark.createDataFrame(ok)
    assert seqprep.SeriesSchema("t", group="store", features="x").validate(ok_sdf) is ok_sdf


def test_failures_collected_are_bounded_and_the_total_is_noted(spark, tmp_path):
    df = pd.DataFrame({"t": np.arange(50), "x": np.nan})
    df.to_parquet(tmp_path / "d.parquet")
    schema = seqprep.SeriesSchema("t", features="x", freq=1)
    got, notes, _ = _spark.validate_path(tmp_path / "d.parquet", schema, spark=spark,
                                         max_failures=7)
    assert got["row"].tolist() == list(range(7))
    assert any("50 failures, the first 7 collected" in n for n in notes), notes


def test_the_command_line_reports_the_same_with_spark(spark, tmp_path):
    # a hive folder as Spark jobs write it, with a _SUCCESS marker (skipped, and said so)
    hive = layouts(panel("ns"), tmp_path)["hive"]
    (hive / "_SUCCESS").write_text("")
    reports = {engine: cli_reports(hive, SCHEMA, engine, tmp_path, "--allow-skipped")
               for engine in ("pandas", "spark")}
    (code_pd, json_pd, text_pd), (code_sp, json_sp, text_sp) = reports.values()
    assert code_pd == code_sp == 1
    same_reports(json_pd, json_sp)
    assert json_sp["failures"][0]["file"].startswith(str(hive))
    assert "checked by spark" in json_sp["notes"]
    assert text_sp.splitlines()[0] == text_pd.splitlines()[0]
    code, report, _ = cli_reports(hive, SCHEMA, "spark", tmp_path)  # the marker fails it
    assert code == 1 and report["counts"].get("file_skipped") == 1


# ------------------------------------------------ regression (DEFECTS D26)


def _beyond_ns_files(tmp_path):
    """Times beyond pandas' nanosecond range (9999-12-31 sentinels, 2300, 1500) as Parquet
    timestamps of us and ms units (naive and UTC) and dates; one column with a fraction
    of a second (pandas then shows every time with its fraction)."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    days = [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 2), dt.datetime(2024, 1, 3),
            dt.datetime(9999, 12, 31), dt.datetime(2024, 1, 5), dt.datetime(2300, 1, 1)]
    odd = [dt.datetime(1500, 1, 1)] + days[1:2] + [dt.datetime(2024, 1, 2, 12, 0, 0, 500)] \
        + days[3:]
    columns = {"us": pa.array(days, pa.timestamp("us")), "ms": pa.array(days, pa.timestamp("ms")),
               "date": pa.array([d.date() for d in days], pa.date32()),
               "utc": pa.array(days, pa.timestamp("us", tz="UTC")),
               "fraction": pa.array(odd, pa.timestamp("us"))}
    out = {}
    for name, t in columns.items():
        out[name] = tmp_path / f"beyond_{name}.parquet"
        pq.write_table(pa.table({"t": t, "x": np.arange(6.0)}), out[name])
    return out


def test_times_beyond_the_ns_range_fail_time_parses_as_in_pandas(spark, tmp_path):  # D26
    import pyarrow.parquet as pq

    schema = seqprep.SeriesSchema("t", features="x", freq="D")
    cols = ["check", "column", "row", "time", "value"]
    for name, path in _beyond_ns_files(tmp_path).items():
        expected = pandas_failures(schema, pq.read_table(path).to_pandas(date_as_object=False))
        got, _, _ = _spark.validate_path(path, schema, spark=spark)
        assert as_set(got, cols) == as_set(expected, cols), name
        bad = got[got["check"] == "time_parses"]
        assert bad["row"].tolist() == ([0, 3, 5] if name == "fraction" else [3, 5]), name
        assert all(str(v).startswith(("9999-12-31", "2300-01-01", "1500-01-01"))
                   for v in bad["value"]), name
        assert not got["time"].astype(str).str.startswith("18").any(), name  # never wrapped
    path = tmp_path / "beyond_date.parquet"  # the command line and a Spark DataFrame too
    code_pd, json_pd, _ = cli_reports(path, schema, "pandas", tmp_path)
    code_sp, json_sp, _ = cli_reports(path, schema, "spark", tmp_path)
    assert code_pd == code_sp == 1 and json_sp["counts"].get("time_parses") == 2
    same_reports(json_pd, json_sp)
    with pytest.raises(seqprep.ValidationError) as err:
        schema.validate(spark.read.parquet(str(tmp_path / "beyond_us.parquet")))
    assert err.value.failures["check"].tolist() == ["time_parses", "time_parses"]


def test_a_freq_that_does_not_fit_the_times_is_a_schema_error(spark, tmp_path):
    """Issue 15 class 2 on the Spark engine: never a skipped check, as on the pandas path."""
    times = pd.date_range("2024-01-01", periods=9, freq="D")
    pd.DataFrame({"t": times, "x": np.arange(9.0)}).to_parquet(tmp_path / "d.parquet")
    schema = seqprep.SeriesSchema("t", features="x", freq=1)
    with pytest.raises(seqprep.SchemaError, match="freq"):
        _spark.validate_path(tmp_path / "d.parquet", schema, spark=spark)
