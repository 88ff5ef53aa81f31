"""Issue 15, class 2: a check silently skipped.

A ``freq`` that does not fit the kind of the time column (a number for datetimes, a
frequency string for numbers) is a rule of the time axis (``seqprep._time.step``): the
schema checks refuse it with :class:`SchemaError` (exit 2 in the CLI), the window
functions with :class:`ArgumentError`. Never a pass, never a note.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

import seqprep

DAILY_WITH_GAPS = pd.DataFrame({
    "t": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05", "2024-01-09"]),
    "x": [1.0, 2.0, 3.0, 4.0],
})
INTEGER_WITH_GAPS = pd.DataFrame({"t": [0, 1, 5, 9], "x": [1.0, 2.0, 3.0, 4.0]})


@pytest.mark.parametrize("data, freq, match", [
    (DAILY_WITH_GAPS, 1, r"^`freq` must be a pandas frequency .* Received: freq=1\. A number is "
                         r"for numeric time columns"),
    (DAILY_WITH_GAPS, 7, r"^`freq` must be a pandas frequency"),
    (INTEGER_WITH_GAPS, "D", r"^`freq` must be a positive number for a numeric time column\. "
                             r"Received: freq='D'"),
    (INTEGER_WITH_GAPS, "h", r"^`freq` must be a positive number"),
])
def test_validate_refuses_a_freq_of_the_wrong_kind(data, freq, match):
    schema = seqprep.SeriesSchema("t", features="x", freq=freq)
    with pytest.raises(seqprep.SchemaError, match=match):
        schema.validate(data)
    with pytest.raises(seqprep.SchemaError, match=match):  # chunk by chunk too
        schema.validate_chunks([data.iloc[:2], data.iloc[2:]])


def test_a_freq_of_the_right_kind_still_finds_the_gaps():
    with pytest.raises(seqprep.ValidationError) as info:
        seqprep.SeriesSchema("t", features="x", freq="D").validate(DAILY_WITH_GAPS)
    assert info.value.failures["check"].tolist() == ["regular_freq", "regular_freq"]
    with pytest.raises(seqprep.ValidationError) as info:
        seqprep.SeriesSchema("t", features="x", freq=1).validate(INTEGER_WITH_GAPS)
    assert info.value.failures["check"].tolist() == ["regular_freq", "regular_freq"]


def test_validate_parquet_refuses_it_too(tmp_path):
    from seqprep._sources import validate_parquet

    DAILY_WITH_GAPS.to_parquet(tmp_path / "d.parquet")
    with pytest.raises(seqprep.SchemaError, match=r"^`freq` must be a pandas frequency"):
        validate_parquet(tmp_path / "d.parquet", seqprep.SeriesSchema("t", features="x", freq=1),
                         chunk_rows=2)


def test_the_window_functions_refuse_it(tmp_path):
    with pytest.raises(seqprep.ArgumentError, match=r"^`freq` must be a pandas frequency"):
        seqprep.make_windows(DAILY_WITH_GAPS, 1, time="t", freq=1)
    with pytest.raises(seqprep.ArgumentError, match=r"^`freq` must be a positive number"):
        seqprep.make_windows(INTEGER_WITH_GAPS, 1, time="t", freq="D")
    with pytest.raises(seqprep.ArgumentError, match=r"^`freq` must be a positive number"):
        seqprep.to_supervised(INTEGER_WITH_GAPS, 1, 1, time="t", freq="D")
    DAILY_WITH_GAPS.to_parquet(tmp_path / "d.parquet")
    with pytest.raises(seqprep.ArgumentError, match=r"^d.parquet: `freq` must be a pandas "):
        seqprep.open_windows(tmp_path / "d.parquet", 1, time="t", freq=1)


def test_the_cli_exits_2_for_it(tmp_path):
    from click.testing import CliRunner

    from seqprep._cli import cli

    DAILY_WITH_GAPS.to_csv(tmp_path / "d.csv", index=False)
    seqprep.SeriesSchema("t", features="x", freq=1).to_yaml(tmp_path / "s.yaml")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "d.csv"), "--schema",
                                      str(tmp_path / "s.yaml"), "--format", "json"])
    assert result.exit_code == 2, result.output
    report = json.loads(result.stdout)
    assert report["valid"] is False and "regular_freq" not in report["checks"]
    assert report["error"].startswith("`freq` must be a pandas frequency")
