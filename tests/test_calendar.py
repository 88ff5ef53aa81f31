"""calendar_features: sine/cosine and one-hot calendar columns, and a holiday flag.

The oracle is pandas' own ``.dt`` accessors (the implementation reads numpy wall-clock
arithmetic instead), on random times in random time zones.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import seqprep
from seqprep import ArgumentError, ArgumentTypeError, DataError, calendar_features

ALL = ["minute", "hour", "dayofweek", "day", "dayofyear", "month", "quarter"]
ZONES = [None, "UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]


def oracle(s: pd.Series) -> dict[str, tuple[pd.Series, int, pd.Series | int]]:
    """name -> (value, first value, period) from pandas' accessors."""
    d = s.dt
    return {
        "minute": (d.minute, 0, 60),
        "hour": (d.hour, 0, 24),
        "dayofweek": (d.day_of_week, 0, 7),
        "day": (d.day, 1, d.days_in_month),
        "dayofyear": (d.day_of_year, 1, 365 + d.is_leap_year.astype(int)),
        "month": (d.month, 1, 12),
        "quarter": (d.quarter, 1, 4),
    }


@st.composite
def times(draw) -> pd.Series:
    zone = draw(st.sampled_from(ZONES))
    moments = draw(st.lists(st.datetimes(min_value=dt.datetime(1901, 1, 1),
                                         max_value=dt.datetime(2199, 12, 31)),
                            min_size=1, max_size=30))
    index = draw(st.permutations(range(100, 100 + len(moments))))
    s = pd.Series(pd.DatetimeIndex(moments).as_unit("ns"), index=index)
    if zone is not None:
        s = s.dt.tz_localize("UTC").dt.tz_convert(zone)
    return s


@given(times())
def test_cyclic_matches_pandas_accessors(s):
    out = calendar_features(s, ALL)
    assert out.index.equals(s.index)
    assert list(out.columns) == [f"{n}_{f}" for n in ALL for f in ("sin", "cos")]
    for name, (value, first, period) in oracle(s).items():
        angle = 2 * np.pi * (value - first) / period
        np.testing.assert_allclose(out[f"{name}_sin"], np.sin(angle), atol=1e-12)
        np.testing.assert_allclose(out[f"{name}_cos"], np.cos(angle), atol=1e-12)
    assert (out.dtypes == np.float64).all()


@given(times())
def test_onehot_matches_pandas_accessors_with_every_category(s):
    out = calendar_features(s, ALL, encoding="onehot")
    assert out.index.equals(s.index)
    for name, (value, first, _) in oracle(s).items():
        first, n, _ = seqprep._calendar.CALENDAR_FEATURES[name]
        cols = [f"{name}_{v}" for v in range(first, first + n)]
        block = out[cols]
        assert (block.sum(axis=1) == 1).all()
        assert (block.to_numpy().argmax(axis=1) + first == value.to_numpy()).all()
    assert (out.dtypes == np.int8).all()


@given(times(), st.lists(st.dates(min_value=dt.date(1901, 1, 1),
                                  max_value=dt.date(2199, 12, 31)), max_size=5))
def test_holiday_is_the_local_date_in_the_list(s, extra):
    holidays = extra + [t.date() for t in s.iloc[::2]]  # some dates that occur
    out = calendar_features(s, [], holidays=holidays)
    expected = s.dt.date.isin(set(holidays)).astype(np.int8)
    assert list(out.columns) == ["holiday"]
    assert out["holiday"].tolist() == expected.tolist()


def test_zone_aware_times_read_their_own_calendar():
    # 23:30 UTC on Tuesday 24 December is 00:30 on Wednesday 25 December in Berlin
    utc = pd.Series(pd.to_datetime(["2024-12-24 23:30"]).tz_localize("UTC"))
    berlin = utc.dt.tz_convert("Europe/Berlin")
    kw = dict(encoding="onehot", holidays=["2024-12-25"])
    at_utc = calendar_features(utc, ["dayofweek", "hour"], **kw).iloc[0]
    at_berlin = calendar_features(berlin, ["dayofweek", "hour"], **kw).iloc[0]
    assert (at_utc["dayofweek_1"], at_utc["hour_23"], at_utc["holiday"]) == (1, 1, 0)
    assert (at_berlin["dayofweek_2"], at_berlin["hour_0"], at_berlin["holiday"]) == (1, 1, 1)


def test_daylight_saving_day_keeps_the_wall_clock_hours():
    # 31 March 2024 in Berlin has no 02:00: hourly times go 01:00 -> 03:00
    t = pd.date_range("2024-03-31 00:00", periods=4, freq="h", tz="Europe/Berlin")
    out = calendar_features(t, "hour", encoding="onehot")
    assert [int(row.to_numpy().argmax()) for _, row in out.iterrows()] == [0, 1, 3, 4]
    assert out.index.equals(t)  # a DatetimeIndex stays the index


def test_dayofyear_period_is_the_year_length():
    t = pd.to_datetime(["2023-12-31", "2024-12-31", "2024-01-01"])
    out = calendar_features(t, "dayofyear")
    angle = np.arctan2(out["dayofyear_sin"], out["dayofyear_cos"]) % (2 * np.pi)
    np.testing.assert_allclose(angle, 2 * np.pi * np.array([364 / 365, 365 / 366, 0]))


def test_arrays_and_lists_get_a_range_index_and_full_onehot_columns():
    days = np.array(["2024-01-01", "2024-01-08"], dtype="datetime64[ns]")  # two Mondays
    out = calendar_features(days, ["dayofweek"], encoding="onehot")
    assert out.index.equals(pd.RangeIndex(2))
    assert list(out.columns) == [f"dayofweek_{d}" for d in range(7)]
    assert out.sum().tolist() == [2, 0, 0, 0, 0, 0, 0]
    assert calendar_features(list(days), "month").shape == (2, 2)


def test_pandas_spellings_are_read_as_the_short_names():
    t = pd.Series(pd.date_range("2024-12-23", periods=3, freq="D"))
    pd.testing.assert_frame_equal(calendar_features(t, ["day_of_week", "day_of_year"]),
                                  calendar_features(t, ["dayofweek", "dayofyear"]))


def test_empty_time_gives_the_columns():
    out = calendar_features(pd.Series([], dtype="datetime64[ns]"), ["month"],
                            encoding="onehot", holidays=[])
    assert out.shape == (0, 13)


def test_zone_aware_holiday_counts_by_its_own_date():
    t = pd.Series(pd.to_datetime(["2024-12-25 12:00"]))
    hol = pd.Timestamp("2024-12-25", tz="America/New_York")
    assert calendar_features(t, [], holidays=[hol])["holiday"].tolist() == [1]
    assert calendar_features(t, [], holidays={dt.date(2024, 12, 25): "Christmas"})[
        "holiday"].tolist() == [1]


def test_known_future_covariates_for_make_windows():
    t = pd.date_range("2024-01-01", periods=30, freq="D")
    df = pd.DataFrame({"time": t, "load": np.arange(30.0)})
    cal = calendar_features(df["time"], ["dayofweek"])
    w = seqprep.make_windows(df.join(cal), 7, time="time", targets=["load"])
    assert w.feature_names == ("load", "dayofweek_sin", "dayofweek_cos")
    np.testing.assert_allclose(w.X[0, :, 1], cal["dayofweek_sin"].iloc[:7], rtol=1e-6)


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(features=["weekday"]), ArgumentError,
     r"^`features` must be one of 'minute', 'hour', 'dayofweek'.* Received: features='weekday'"),
    (dict(features=["month", "month"]), ArgumentError,
     r"^`features` must name each feature once.*repeated: month"),
    (dict(features=[]), ArgumentError, r"^`features` must name at least one feature"),
    (dict(features=3), ArgumentTypeError, r"^`features` must be a list of calendar feature"),
    (dict(encoding="sincos"), ArgumentError,
     r"^`encoding` must be one of 'cyclic', 'onehot'. Received: encoding='sincos'"),
    (dict(holidays="2024-12-25"), ArgumentTypeError,
     r"^`holidays` must be a list of dates. Received: '2024-12-25'"),
    (dict(holidays=["2024-12-25 10:00"]), ArgumentError,
     r"^`holidays` must be dates \(midnight\).*Received: '2024-12-25 10:00'.*'2024-12-25'"),
    (dict(holidays=["not a date"]), ArgumentError,
     r"^`holidays` must hold dates pandas can read.*Received: 'not a date'"),
    (dict(holidays=[None]), ArgumentError, r"^`holidays` must hold dates pandas can read"),
    (dict(holidays=["9999-12-31"]), ArgumentError,
     r"^`holidays` must hold dates pandas can read, between 1677-09-21 and 2262-04-11"),
])
def test_argument_errors(kwargs, error, pattern):
    t = pd.Series(pd.date_range("2024-12-23", periods=3, freq="D"))
    with pytest.raises(error, match=pattern):
        calendar_features(t, **kwargs)


@pytest.mark.parametrize("time, error, pattern", [
    (pd.Series([1, 2, 3]), ArgumentTypeError, r"^`time` must hold datetimes: calendar"),
    (pd.Series(["2024-01-01"]), ArgumentTypeError, r"^`time` must hold datetimes or numbers"),
    (pd.Series(pd.to_datetime(["2024-01-01", None])), DataError,
     r"^`time` must have no missing values.*1 missing time \(first at row 1\)"),
    (pd.DataFrame({"t": pd.to_datetime(["2024-01-01"])}), ArgumentTypeError,
     r"^`time` must be one column of times, not a DataFrame"),
    (np.zeros((2, 2), dtype="datetime64[ns]"), ArgumentTypeError,
     r"^`time` must be one-dimensional"),
])
def test_time_errors(time, error, pattern):
    with pytest.raises(error, match=pattern):
        calendar_features(time, ["month"])
