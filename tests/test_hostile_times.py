"""Issue 15, class 6: the command line and the library disagree on times.

One time parser (``seqprep._time.parse_column``) serves the schema checks of the API and
the CLI; one time axis (``seqprep._time``) serves the window functions. So: mixed UTC
offsets are reported alike, a daylight-saving change is no 23-hour gap, and times beyond
pandas' nanosecond range (a ``9999-12-31`` "open end") are refused or reported as they
are written, never as other times.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import seqprep
from seqprep._cli import cli
from seqprep._time import parse_column


def cli_json(tmp_path, frame, schema):
    frame.to_csv(tmp_path / "d.csv", index=False)
    schema.to_yaml(tmp_path / "s.yaml")
    r = CliRunner().invoke(cli, ["validate", str(tmp_path / "d.csv"), "--schema",
                                 str(tmp_path / "s.yaml"), "--format", "json"])
    return r.exit_code, json.loads(r.stdout)


def api_cases(frame, schema):
    try:
        schema.validate(frame)
    except seqprep.ValidationError as err:
        return sorted(err.failures["check"].tolist())
    return []


BERLIN_DAYS = pd.DataFrame({
    "t": pd.date_range("2024-03-28", periods=8, freq="D", tz="Europe/Berlin").astype(str),
    "x": np.arange(8.0),
})


@pytest.mark.parametrize("freq", ["D", None])
def test_mixed_offsets_across_dst_no_false_23_hour_gap(tmp_path, freq):
    schema = seqprep.SeriesSchema("t", features="x", freq=freq)
    assert len(set(BERLIN_DAYS["t"].str[-6:])) == 2  # +01:00 and +02:00
    code, report = cli_json(tmp_path, BERLIN_DAYS, schema)
    api = api_cases(BERLIN_DAYS, schema)
    assert api == ["timezone"] and sorted(report["counts"]) == api and code == 1
    zoned = seqprep.SeriesSchema("t", features="x", freq=freq, timezone="Europe/Berlin")
    assert api_cases(BERLIN_DAYS, zoned) == []
    assert cli_json(tmp_path, BERLIN_DAYS, zoned)[0] == 0


def test_mixed_offsets_still_find_a_real_gap_on_the_wall_clock(tmp_path):
    frame = BERLIN_DAYS.drop(index=5).reset_index(drop=True)
    schema = seqprep.SeriesSchema("t", features="x", freq="D")
    code, report = cli_json(tmp_path, frame, schema)
    assert api_cases(frame, schema) == ["regular_freq", "timezone"]
    assert sorted(report["counts"]) == ["regular_freq", "timezone"] and code == 1
    p = parse_column(frame["t"], time_type=None, timezone=None)
    assert p.wall is not None and np.diff(p.wall).max() == 2 * 86_400 * 10**9


def test_the_parser_reports_mixed_offsets_once():
    s = pd.Series(["2024-01-01T00:00+01:00", "2024-01-01T01:00+02:00", None])
    p = parse_column(s, time_type=None, timezone=None)
    assert p.kind == "datetime" and p.valid.tolist() == [True, True, False]
    assert [c for c, _, _ in p.problems] == ["timezone"]
    assert parse_column(s, time_type=None, timezone="UTC").problems == []


SENTINEL = ["2024-01-01", "2024-01-02", "9999-12-31"]


def test_a_far_future_sentinel_is_reported_as_written(tmp_path):
    frame = pd.DataFrame({"t": SENTINEL, "x": [1.0, 2.0, 3.0]})
    schema = seqprep.SeriesSchema("t", features="x")
    with pytest.raises(seqprep.ValidationError) as info:
        schema.validate(frame)
    assert info.value.failures[["check", "row", "value"]].values.tolist() == [
        ["time_parses", 2, "9999-12-31"]]
    code, report = cli_json(tmp_path, frame, schema)
    assert code == 1 and [(f["check"], f["row"], f["value"]) for f in report["failures"]] == [
        ("time_parses", 2, "9999-12-31")]
    assert "1816" not in json.dumps(report)


def test_a_far_future_sentinel_in_a_datetime_column():
    col = pd.Series(np.array(SENTINEL, dtype="datetime64[us]"))
    p = parse_column(col, time_type=None, timezone=None)
    assert p.valid.tolist() == [True, True, False]
    assert [(c, list(r), list(v)) for c, r, v in p.problems] == [
        ("time_parses", [2], ["9999-12-31"])]
    frame = pd.DataFrame({"t": col, "x": [1.0, 2.0, 3.0]})
    with pytest.raises(seqprep.ValidationError) as info:
        seqprep.SeriesSchema("t", features="x").validate(frame)
    assert info.value.failures["check"].tolist() == ["time_parses"]
    with pytest.raises(seqprep.DataError, match=r"^`time` must lie between 1677-09-21 .* "
                                               r"Received: times from 2024-01-01 .* to 9999-12-31"):
        seqprep.make_windows(frame, 1, time="t")


def test_out_of_range_times_everywhere_else(tmp_path):
    frame = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=10), "x": np.arange(10.0)})
    for cut in ("9999-12-31", "1500-01-01"):
        with pytest.raises(seqprep.ArgumentError, match=r"^`test` must be .* beyond the times "
                                                        r"pandas can compare"):
            seqprep.split_by_time(frame, test=cut, time="t")
    far = pd.DataFrame({"t": np.array(SENTINEL, dtype="datetime64[us]"), "x": [1.0, 2.0, 3.0]})
    far.to_parquet(tmp_path / "far.parquet")
    with pytest.raises(seqprep.DataError, match=r"`time` must lie between"):
        seqprep.open_windows(tmp_path / "far.parquet", 1, time="t")


def test_infer_refuses_mixed_offsets_the_same_in_python_and_on_the_command_line(tmp_path):
    """D19: daily Europe/Berlin times written with their offsets, across the spring change:
    both front ends say the offsets are mixed and how to name the zone (never a false
    23-hour regular_freq), and the fix they name gives a schema the data passes."""
    from click.testing import CliRunner

    from seqprep._cli import cli

    tt = pd.date_range("2024-03-25", periods=14, freq="D", tz="Europe/Berlin")
    df = pd.DataFrame({"t": [v.isoformat() for v in tt], "x": np.arange(14.0)})
    df.to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(seqprep.ValidationError) as err:
        seqprep.infer_schema(pd.read_csv(tmp_path / "d.csv"), time="t")
    assert err.value.failures["check"].tolist() == ["timezone"]
    assert any("several UTC offsets" in n and "tz_convert" in n for n in err.value.notes)
    r = CliRunner().invoke(cli, ["infer", str(tmp_path / "d.csv"), "--time", "t"])
    assert r.exit_code == 1 and "fails timezone: mixed UTC offsets" in r.stderr
    assert "several UTC offsets" in r.stderr and "`timezone:` in a schema file" in r.stderr
    fixed = df.assign(t=pd.to_datetime(df["t"], utc=True).dt.tz_convert("Europe/Berlin"))
    schema = seqprep.infer_schema(fixed, time="t")
    assert (schema.timezone, schema.freq) == ("Europe/Berlin", "D")
    schema.to_yaml(tmp_path / "s.yaml")
    r = CliRunner().invoke(cli, ["validate", str(tmp_path / "d.csv"), "--schema",
                                 str(tmp_path / "s.yaml")])
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("times, back", [
    (["2200-01-01", "1700-01-01"], True),                 # 500 years back: the int64 ns wrap
    (["1700-01-01", "2000-01-01", "2200-01-01"], False),  # 300 years forward: no false back
])
def test_order_over_centuries_is_compared_not_subtracted(tmp_path, times, back):
    """D24 (false pass): the order of two times is judged by comparing them, so a step of
    more than ~292 years (beyond int64 nanoseconds) is never read the wrong way round."""
    df = pd.DataFrame({"t": pd.to_datetime(times), "x": np.arange(len(times), dtype=float)})
    schema = seqprep.SeriesSchema("t", regular=False)

    def checks() -> set:
        try:
            schema.validate(df)
        except seqprep.ValidationError as err:
            return set(err.failures["check"])
        return set()

    assert checks() == ({"increasing_time"} if back else set())
    df.to_csv(tmp_path / "d.csv", index=False)
    df.to_parquet(tmp_path / "d.parquet")
    schema.to_yaml(tmp_path / "s.yaml")
    for data, extra in ((tmp_path / "d.csv", []), (tmp_path / "d.csv", ["--chunk-rows", "1"]),
                        (tmp_path / "d.parquet", ["--engine", "pandas"])):
        r = CliRunner().invoke(cli, ["validate", str(data), "--schema", str(tmp_path / "s.yaml"),
                                     "--format", "json", *extra])
        assert r.exit_code == (1 if back else 0), (data, extra, r.output)
        if back:
            assert json.loads(r.stdout)["counts"] == {"increasing_time": 1}
    if back:
        with pytest.raises(seqprep.OrderError):
            seqprep.make_windows(df, 1, time="t", sort=False, on_gap="ignore")
    else:
        assert len(seqprep.make_windows(df, 1, time="t", sort=False, on_gap="ignore")) == 3
    ints = pd.DataFrame({"t": np.array([9 * 10**18, -9 * 10**18] if back else
                                       [-9 * 10**18, 9 * 10**18]), "x": [1.0, 2.0]})
    if back:
        with pytest.raises(seqprep.ValidationError) as err:
            seqprep.SeriesSchema("t", regular=False).validate(ints)
        assert set(err.value.failures["check"]) == {"increasing_time"}
    else:
        seqprep.SeriesSchema("t", regular=False).validate(ints)


@given(st.lists(st.tuples(st.integers(-(2**63), 2**63 - 1), st.integers(-(2**63), 2**63 - 1)),
                min_size=1, max_size=20))
def test_steps_between_saturates_like_exact_integers(pairs):
    """D24: the step's sign always says which time is later; exact where it fits int64."""
    from seqprep._time import steps_between
    a = np.array([p[0] for p in pairs], np.int64)
    b = np.array([p[1] for p in pairs], np.int64)
    got = steps_between(a, b)
    for (x, y), d in zip(pairs, got.tolist()):
        assert d == max(-(2**63), min(2**63 - 1, x - y))
