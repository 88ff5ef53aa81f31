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
