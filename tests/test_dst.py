"""One time axis across a daylight-saving change (issue 10; rule D2 of the session).

Daily and hourly Europe/Berlin data across the spring (23-hour day) and autumn (25-hour
day) changes: ``SeriesSchema.validate``, ``make_windows``, ``open_windows`` and
``split_by_time`` agree on which steps are gaps. Days are calendar steps on the wall
clock (midnight to midnight is one day, 23 or 25 hours long); hours are elapsed time (the
hour that the clock skips or repeats is no gap and no repeat).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import seqprep

TZ = "Europe/Berlin"
CASES = {  # name: (freq, first time, periods), each across a change
    "daily-spring": ("D", "2024-03-26", 10),     # 31 March 2024 has 23 hours
    "daily-autumn": ("D", "2024-10-23", 10),     # 27 October 2024 has 25 hours
    "24h-spring": ("24h", "2024-03-26", 10),     # a step of a day is a day, however written
    "2D-autumn": ("2D", "2024-10-21", 8),
    "hourly-spring": ("h", "2024-03-30 20:00", 12),
    "hourly-autumn": ("h", "2024-10-26 22:00", 12),
}


def series(name: str, drop: int | None) -> pd.DataFrame:
    freq, start, n = CASES[name]
    t = pd.date_range(start, periods=n, freq=freq.replace("24h", "D"), tz=TZ)  # midnights
    frame = pd.DataFrame({"id": "a", "t": t, "x": np.arange(n, dtype=float)})
    return frame if drop is None else frame.drop(index=drop).reset_index(drop=True)


def expected_gaps(frame: pd.DataFrame, drop: int | None) -> list[pd.Timestamp]:
    """Times right after a missing step (the oracle: the row that was dropped)."""
    return [] if drop is None else [frame["t"].iloc[drop + 1]]


def by_validate(frame: pd.DataFrame, freq: str | None) -> list:
    try:
        seqprep.SeriesSchema("t", "id", features="x", freq=freq).validate(frame)
    except seqprep.ValidationError as err:
        f = err.failures
        assert set(f["check"]) == {"regular_freq"}, f
        return [pd.Timestamp(t).tz_convert(TZ) for t in f["time"]]
    return []


def by_make_windows(frame: pd.DataFrame, freq: str | None) -> list:
    try:
        seqprep.make_windows(frame, 2, targets="x", group="id", time="t", freq=freq)
    except seqprep.GapError as err:
        return [pd.Timestamp(t) for t in err.gaps["before"]]
    return []


def by_open_windows(frame: pd.DataFrame, freq: str | None, folder) -> list:
    # two files, cut just before the change: the boundary is checked too
    cut = len(frame) // 2
    frame.iloc[:cut].to_parquet(folder / "1.parquet")
    frame.iloc[cut:].to_parquet(folder / "2.parquet")
    try:
        seqprep.open_windows(folder, 2, targets="x", group="id", time="t", freq=freq)
    except seqprep.GapError as err:
        return [pd.Timestamp(t) for t in err.gaps["before"]]
    return []


def by_split(frame: pd.DataFrame, freq: str | None) -> list:
    """The windows split_by_time parts carry: segments start right after each gap."""
    w = seqprep.make_windows(frame, 1, targets="x", group="id", time="t", freq=freq,
                             on_gap="split")
    mid = frame["t"].iloc[len(frame) // 2]
    parts = seqprep.split_by_time(w, test=mid)
    index = pd.concat([parts.train.index, parts.test.index])
    index = index[index["segment"].diff().fillna(0) != 0]
    return [pd.Timestamp(t) for t in index["first_time"]]


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("drop", [None, 4, 5])
@pytest.mark.parametrize("given", [True, False], ids=["freq", "inferred"])
def test_every_front_end_sees_the_same_gaps(tmp_path, name, drop, given):
    frame = series(name, drop)
    freq = CASES[name][0] if given else None
    want = expected_gaps(series(name, None), drop)
    assert by_validate(frame, freq) == want
    assert by_make_windows(frame, freq) == want
    assert by_open_windows(frame, freq, tmp_path) == want
    assert by_split(frame, freq) == want


@pytest.mark.parametrize("name", ["daily-spring", "daily-autumn"])
def test_a_day_is_midnight_to_midnight(name):
    frame = series(name, None)
    steps = frame["t"].diff().dropna().dt.total_seconds() / 3600
    assert {23.0, 25.0} & set(steps)  # the data does cross a change
    w = seqprep.make_windows(frame, 2, targets="x", group="id", time="t")
    assert w.freq == "D" and len(w) == len(frame) - 2
    # target times extrapolated for windows without targets stay at midnight
    out = seqprep.make_windows(frame, 2, group="id", time="t").to_frame(
        np.zeros((len(frame) - 1, 1)))
    assert (out["time"].dt.hour == 0).all()


def test_a_cut_off_is_a_wall_clock_time():
    frame = series("hourly-autumn", None)  # 02:00 happens twice on 27 October
    parts = seqprep.split_by_time(frame, test=pd.Timestamp("2024-10-27 03:00", tz=TZ), time="t")
    assert parts.test["t"].min() == pd.Timestamp("2024-10-27 03:00", tz=TZ)
    assert len(parts.train) + len(parts.test) == len(frame)


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("drop", [[3, 4], [4, 5], [5], [6]])
def test_the_missing_times_reported_are_the_rows_dropped(name, drop):
    """D13: ``missing_first``/``missing_last``/``missing_steps`` of each gap name exactly the
    rows taken out (the oracle), as instants of the zone: across the change an hourly
    series misses elapsed hours (01:00+01 then 03:00+02), never a row that exists."""
    whole = series(name, None)
    frame = whole.drop(index=drop).reset_index(drop=True)
    with pytest.raises(seqprep.ValidationError) as err:
        seqprep.SeriesSchema("t", "id", features="x", freq=CASES[name][0]).validate(frame)
    [case] = err.value.failures.to_dict("records")
    gone = whole["t"].iloc[drop]
    assert case["missing_steps"] == len(drop)
    assert pd.Timestamp(case["missing_first"]) == gone.iloc[0]
    assert pd.Timestamp(case["missing_last"]) == gone.iloc[-1]
    assert str(case["missing_first"].tz) == TZ
    assert not frame["t"].isin([gone.iloc[0], gone.iloc[-1]]).any()


@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_the_command_line_reports_the_same_missing_times(tmp_path, engine):
    if engine == "polars":
        pytest.importorskip("polars")
    from click.testing import CliRunner

    from seqprep._cli import cli

    whole = series("hourly-autumn", None)
    whole.drop(index=[3, 4]).to_parquet(tmp_path / "d.parquet")
    seqprep.SeriesSchema("t", "id", features="x", freq="h", timezone=TZ).to_yaml(
        tmp_path / "s.yaml")
    r = CliRunner().invoke(cli, ["validate", str(tmp_path / "d.parquet"), "--schema",
                                 str(tmp_path / "s.yaml"), "--format", "json", "--engine",
                                 engine], catch_exceptions=False)
    import json

    [case] = json.loads(r.stdout)["failures"]
    assert case["missing_steps"] == 2
    assert pd.Timestamp(case["missing_first"]) == whole["t"].iloc[3]
    assert pd.Timestamp(case["missing_last"]) == whole["t"].iloc[4]
