"""Panels with every kind of fault, and their layouts on disk, for the engine tests
(tests/test_spark.py, tests/test_polars_engine.py): the pandas path is the oracle."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import seqprep

KEY = ["check", "column", "group", "time", "value"]


def panel(unit: str = "ns", tz: str | None = None) -> pd.DataFrame:
    """Five hourly groups with one of each fault; group e is short."""
    parts = []
    for k, g in enumerate("abcde"):
        n = 3 if g == "e" else 12
        t = pd.date_range("2024-03-30 20:00", periods=n, freq="h", tz=tz) \
            + pd.Timedelta(minutes=k)
        parts.append(pd.DataFrame({"store": g, "t": t, "x": np.arange(n, dtype=float)}))
    df = pd.concat(parts, ignore_index=True)
    df.loc[3, "t"] = df.loc[2, "t"]  # a: a repeated time
    df = df.drop(index=[15]).reset_index(drop=True)  # b: a gap
    i = df.index[df.store == "c"][4]  # c: two rows out of order
    df.loc[[i, i + 1], "t"] = df.loc[[i + 1, i], "t"].to_numpy()
    j = df.index[df.store == "d"][5]  # d: NaN, inf, out of range, a missing time
    df.loc[j, "x"] = np.nan
    df.loc[j + 2, "x"] = np.inf
    df.loc[j + 3, "x"] = 1e6
    df.loc[j + 4, "t"] = pd.NaT
    df["t"] = df["t"].dt.as_unit(unit)
    return df


SCHEMA = seqprep.SeriesSchema("t", group="store", features="x", freq="h", min_length=5,
                              ranges={"x": (-100, 100)}, allowed={"store": list("abcd")})


def pandas_failures(schema, df) -> pd.DataFrame:
    with pytest.raises(seqprep.ValidationError) as err:
        schema.validate(df)
    return err.value.failures


def as_set(failures: pd.DataFrame, cols=KEY) -> list:
    return sorted(map(str, failures[cols].astype(object).where(failures[cols].notna(), None)
                      .to_numpy().tolist()))


def layouts(df: pd.DataFrame, root) -> dict:
    """The same rows as one file, a hive folder per group, and files that split groups."""
    one = root / "one.parquet"
    df.to_parquet(one)
    hive = root / "hive"
    df.to_parquet(hive, partition_cols=["store"])
    split = root / "split"
    split.mkdir()
    for k, part in enumerate(np.array_split(np.arange(len(df)), 3)):
        df.iloc[part].to_parquet(split / f"part-{k}.parquet")
    return {"one": one, "hive": hive, "split": split}


def cli_reports(path, schema, engine: str, tmp_path, *extra) -> tuple[int, dict, str]:
    """``(exit code, JSON report, text report)`` of ``seqprep validate`` with ``engine``."""
    import json

    from click.testing import CliRunner

    from seqprep._cli import cli

    yaml = tmp_path / "schema.yaml"
    schema.to_yaml(yaml)
    text = tmp_path / f"report-{engine}.txt"
    args = ["validate", str(path), "--schema", str(yaml), "--engine", engine, *extra,
            "--format", "json", "--report", f"text={text}"]  # one run, both reports
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout), text.read_text(encoding="utf-8")


def same_reports(a: dict, b: dict) -> None:
    """Two JSON reports with the same verdict, counts and failure records."""
    for key in ("valid", "n_failures", "counts", "columns", "rows"):
        if key in a or key in b:
            assert a.get(key) == b.get(key), key
    keep = [k for k in a["failures"][0] if k != "message"] if a["failures"] else []
    assert [{k: r[k] for k in keep} for r in a["failures"]] == \
        [{k: r[k] for k in keep} for r in b["failures"]]
