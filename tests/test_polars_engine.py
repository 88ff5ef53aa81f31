"""The polars engine reports what the pandas path reports (same records, same order)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import seqprep

pytest.importorskip("polars")

from seqprep import _polars  # noqa: E402

from _engine_panels import (SCHEMA, as_set, cli_reports, layouts, pandas_failures,  # noqa: E402
                            panel, same_reports)

COLS = ["check", "column", "group", "row", "time", "value", "first_row", "missing_first",
        "missing_steps"]


@pytest.mark.parametrize("unit", ["ns", "us"])
def test_polars_reports_what_pandas_reports_on_every_layout(tmp_path, unit):
    df = panel(unit)
    expected = pandas_failures(SCHEMA, df)
    for name, path in layouts(df, tmp_path).items():
        got, notes, shape = _polars.validate_path(path, SCHEMA)
        assert shape[0] == len(df), name
        if name == "hive":
            assert as_set(got) == as_set(expected), name
        else:
            assert as_set(got, COLS) == as_set(expected, COLS), name
            assert got["check"].tolist() == expected["check"].tolist(), name


def test_wall_clock_days_calendar_months_and_integer_times(tmp_path):
    days = pd.DataFrame({"t": pd.date_range("2024-03-25", periods=12, freq="D",
                                            tz="Europe/Berlin"), "x": 1.0})
    days = days.drop(index=[7]).reset_index(drop=True)
    months = pd.DataFrame({"t": pd.date_range("2023-01-01", periods=14, freq="MS"), "x": 1.0})
    months = months.drop(index=[5]).reset_index(drop=True)
    ints = pd.DataFrame({"t": [0, 2, 4, 4, 8, 6, 12, 14], "x": [0.0, 1, 2, 3, 4, 5, 6, 7]})
    cases = [(days, "D", None), (months, "MS", None), (months, None, None),
             (ints, None, 10)]
    for k, (df, freq, min_length) in enumerate(cases):
        schema = seqprep.SeriesSchema("t", features="x", freq=freq, min_length=min_length)
        expected = pandas_failures(schema, df)
        df.to_parquet(tmp_path / f"{k}.parquet")
        got, notes, _ = _polars.validate_path(tmp_path / f"{k}.parquet", schema)
        assert as_set(got, COLS) == as_set(expected, COLS), (freq, min_length)
        if freq is None:
            assert any("inferred" in n for n in notes), notes


def test_failures_collected_are_bounded_and_the_total_is_noted(tmp_path):
    pd.DataFrame({"t": np.arange(50), "x": np.nan}).to_parquet(tmp_path / "d.parquet")
    schema = seqprep.SeriesSchema("t", features="x", freq=1)
    got, notes, _ = _polars.validate_path(tmp_path / "d.parquet", schema, max_failures=7)
    assert got["row"].tolist() == list(range(7))
    assert any("50 failures, the first 7 collected" in n for n in notes), notes


def test_the_command_line_reports_the_same_with_polars(tmp_path):
    df = panel("ns")
    df.to_parquet(tmp_path / "d.parquet")
    code_pd, json_pd, text_pd = cli_reports(tmp_path / "d.parquet", SCHEMA, "pandas", tmp_path)
    code_pl, json_pl, text_pl = cli_reports(tmp_path / "d.parquet", SCHEMA, "polars", tmp_path)
    assert code_pd == code_pl == 1
    same_reports(json_pd, json_pl)
    assert "checked by polars" in json_pl["notes"]
    assert text_pl.splitlines()[0] == text_pd.splitlines()[0]
    # auto: polars for one local Parquet file (it is faster), pandas for CSV
    assert "checked by polars" in cli_reports(tmp_path / "d.parquet", SCHEMA, "auto",
                                              tmp_path)[1]["notes"]
    df.to_csv(tmp_path / "d.csv", index=False)
    code, report, _ = cli_reports(tmp_path / "d.csv", SCHEMA, "auto", tmp_path)
    assert code == 1 and "checked by polars" not in report["notes"]


def test_polars_refuses_csv_and_chunk_rows_in_one_line(tmp_path):
    from click.testing import CliRunner

    from seqprep._cli import cli

    panel("ns").to_csv(tmp_path / "d.csv", index=False)
    panel("ns").to_parquet(tmp_path / "d.parquet")
    SCHEMA.to_yaml(tmp_path / "s.yaml")
    runner = CliRunner()
    for data, extra, says in ((tmp_path / "d.csv", [], "must be a Parquet file or folder"),
                              (tmp_path / "d.parquet", ["--chunk-rows", "5"],
                               "--chunk-rows streams with the pandas engine")):
        r = runner.invoke(cli, ["validate", str(data), "--schema", str(tmp_path / "s.yaml"),
                                "--engine", "polars", *extra])
        assert r.exit_code == 2
        err = r.stderr.strip()
        assert len(err.splitlines()) == 1 and says in err and "Traceback" not in err


# ------------------------------------------------ regressions (DEFECTS D5, D6, D11, D12)


def _api_same(path, schema):
    """The polars engine's records equal the pandas path's on the same Parquet file."""
    import pyarrow.parquet as pq

    frame = pq.read_table(path).to_pandas(date_as_object=False)
    try:
        schema.validate(frame)
        expected = frame.iloc[:0]
    except seqprep.ValidationError as err:
        expected = err.value.failures if hasattr(err, "value") else err.failures
    got, _, _ = _polars.validate_path(path, schema)
    cols = [c for c in COLS if c in expected.columns]
    assert as_set(got, cols) == as_set(expected, cols)
    return got


def _cli_same(path, schema, tmp_path):
    code_pd, json_pd, _ = cli_reports(path, schema, "pandas", tmp_path)
    for engine in ("polars", "auto"):
        code, report, _ = cli_reports(path, schema, engine, tmp_path)
        assert code == code_pd, engine
        same_reports(json_pd, report)
    return code_pd, json_pd


def _sentinels(tmp_path):
    """Times beyond pandas' nanosecond range (9999-12-31 sentinels, 2300), as timestamps
    of us/ms units, dates and text."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    days = [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 2), dt.datetime(2024, 1, 3),
            dt.datetime(9999, 12, 31), dt.datetime(2024, 1, 5), dt.datetime(2300, 1, 1)]
    columns = {"us": pa.array(days, pa.timestamp("us")), "ms": pa.array(days, pa.timestamp("ms")),
               "date": pa.array([d.date() for d in days], pa.date32()),
               "text": pa.array([d.date().isoformat() for d in days])}
    out = {}
    for name, t in columns.items():
        out[name] = tmp_path / f"sentinel_{name}.parquet"
        pq.write_table(pa.table({"t": t, "x": np.arange(6.0)}), out[name])
    return out


def test_times_beyond_the_ns_range_fail_time_parses_as_in_pandas(tmp_path):  # D5, D6
    schema = seqprep.SeriesSchema("t", features="x", freq="D")
    for name, path in _sentinels(tmp_path).items():
        got = _api_same(path, schema)
        bad = got[got["check"] == "time_parses"]
        assert bad["row"].tolist() == [3, 5], name
        assert all(str(v).startswith(("9999-12-31", "2300-01-01")) for v in bad["value"]), name
        assert not got["time"].astype(str).str.startswith("18").any(), name  # never wrapped
        code, report = _cli_same(path, schema, tmp_path)
        assert code == 1 and report["counts"].get("time_parses") == 2, name


def test_text_times_parse_as_the_one_time_parser_does(tmp_path):  # D6
    tt = pd.date_range("2024-03-25", periods=14, freq="D", tz="Europe/Berlin")
    berlin = seqprep.SeriesSchema("t", features="x", freq="D", timezone="Europe/Berlin")
    mixed = ["2024-01-01T00:00+01:00", "2024-01-02T00:00+02:00", "2024-01-03T00:00+01:00",
             "2024-01-04T00:00+01:00"]
    cases = [([v.isoformat() for v in tt], berlin),
             (mixed, seqprep.SeriesSchema("t", features="x", freq="D")),
             ([v.isoformat() for v in tt[:5]] + ["soon"], berlin)]
    for k, (texts, schema) in enumerate(cases):
        path = tmp_path / f"text{k}.parquet"
        pd.DataFrame({"t": texts, "x": np.arange(len(texts), dtype=float)}).to_parquet(path)
        _api_same(path, schema)
        _cli_same(path, schema, tmp_path)


def test_repeated_column_names_give_the_pandas_records(tmp_path):  # D11
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pa.array(pd.date_range("2024-01-01", periods=10).values)
    x = pa.array(np.r_[np.arange(9.0), np.nan])
    path = tmp_path / "dup.parquet"
    pq.write_table(pa.Table.from_arrays([t, x, pa.array(np.arange(10.0))], names=["t", "a", "a"]),
                   path)
    schema = seqprep.SeriesSchema("t", features="a", freq="D")
    got, _, shape = _polars.validate_path(path, schema)
    assert shape == (10, 3)
    assert sorted(got["check"]) == ["not_null", "unique_columns"]  # the first 'a' is kept
    code, report = _cli_same(path, schema, tmp_path)
    assert code == 1 and "unique_columns" in report["counts"]
    assert _engines_choose(path) == "pandas"


def _engines_choose(path):
    from seqprep._engines import choose

    return choose("auto", str(path))


def test_auto_judges_memory_by_the_uncompressed_size(tmp_path, monkeypatch):  # D12
    import pyarrow as pa
    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from seqprep import _memory
    from seqprep._cli import cli
    from seqprep._engines import memory_needed

    n = 200_000  # 16 bytes a row in memory, about 1 KB on disk
    path = tmp_path / "packed.parquet"
    pq.write_table(pa.table({"t": np.arange(n), "x": np.zeros(n)}), path, compression="zstd",
                   use_dictionary=["x"], column_encoding={"t": "DELTA_BINARY_PACKED"})
    size = path.stat().st_size
    need = memory_needed([pq.ParquetFile(path).metadata])
    assert need >= 2 * 16 * n > 100 * size
    schema = seqprep.SeriesSchema("t", features="x", freq=1, time_type="integer")
    monkeypatch.setattr(_memory, "available_memory", lambda: need + 1)
    assert _engines_choose(path) == "polars"
    monkeypatch.setattr(_memory, "available_memory", lambda: need // 2)  # > 10x on disk
    assert _engines_choose(path) == "pandas"
    code, report, _ = cli_reports(path, schema, "auto", tmp_path)
    assert code == 0 and "checked by polars" not in report["notes"]
    with pytest.raises(seqprep.MemoryBudgetError, match="--engine pandas"):
        _polars.validate_path(path, schema)  # polars itself refuses, never aborts
    schema.to_yaml(tmp_path / "s.yaml")
    r = CliRunner().invoke(cli, ["validate", str(path), "--schema", str(tmp_path / "s.yaml"),
                                 "--engine", "polars"])
    assert r.exit_code == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "uncompressed" in r.stderr


def test_a_polars_panic_is_a_library_error(tmp_path, monkeypatch):  # D12
    import polars as pl

    pd.DataFrame({"t": np.arange(5), "x": 1.0}).to_parquet(tmp_path / "d.parquet")

    def panic(*args, **kwargs):
        raise pl.exceptions.PanicException("index out of bounds")

    monkeypatch.setattr(_polars, "check_frame", panic)
    with pytest.raises(seqprep.DataError, match="PanicException.*--engine pandas"):
        _polars.validate_path(tmp_path / "d.parquet", seqprep.SeriesSchema("t", features="x"))


@pytest.mark.parametrize("times, freq", [
    (pd.date_range("2024-01-01", periods=9, freq="D"), 1),        # a number for datetimes
    (pd.Index(np.arange(9) * 2), "D"),                             # a string for integers
])
def test_a_freq_that_does_not_fit_the_times_is_a_schema_error(tmp_path, times, freq):
    """Issue 15 class 2 on the polars engine: never a skipped check, as on the pandas path."""
    pd.DataFrame({"t": times, "x": np.arange(9.0)}).to_parquet(tmp_path / "d.parquet")
    schema = seqprep.SeriesSchema("t", features="x", freq=freq)
    with pytest.raises(seqprep.SchemaError, match="freq"):
        _polars.validate_path(tmp_path / "d.parquet", schema)
