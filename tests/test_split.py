"""split_by_time: cut-offs, fractions, purging, the summary, and bad input."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import seqprep
from seqprep import (
    ArgumentError,
    ArgumentTypeError,
    ColumnError,
    DataError,
    Split,
    split_by_time,
)


@pytest.fixture
def daily():
    """Two entities of daily rows: a from 2021-01-01 (40 days), b from 2021-01-11 (30 days)."""
    a = pd.DataFrame({"id": "a", "day": pd.date_range("2021-01-01", periods=40, freq="D"),
                      "load": np.arange(40.0)})
    b = pd.DataFrame({"id": "b", "day": pd.date_range("2021-01-11", periods=30, freq="D"),
                      "load": 100 + np.arange(30.0)})
    return pd.concat([a, b], ignore_index=True)


# ------------------------------------------------------------------ DataFrames


def test_frame_split_by_date_keeps_index_and_order(daily):
    s = split_by_time(daily, test="2021-02-01", time="day", group="id")
    assert isinstance(s, Split) and s.validation is None and s.unit == "rows"
    assert (s.train["day"] < "2021-02-01").all() and (s.test["day"] >= "2021-02-01").all()
    assert len(s.train) + len(s.test) == len(daily)
    assert s.train.index.tolist() == sorted(s.train.index)
    assert s.summary["test"].tolist() == [9, 9] and s.summary["purged"].tolist() == [0, 0]
    assert s.summary["test_cut"].tolist() == [pd.Timestamp("2021-02-01")] * 2


def test_frame_fractions_are_of_each_groups_span(daily):
    s = split_by_time(daily, test=0.2, validation=0.1, time="day", group="id")
    # a: 39 days of span -> test from day 39 - 7.8 = 31.2, validation from 31.2 - 3.9 = 27.3
    a = s.summary.set_index("group").loc["a"]
    assert a["test_cut"] == pd.Timestamp("2021-01-01") + pd.Timedelta(days=39 - 7.8)
    assert (a["train"], a["validation"], a["test"]) == (28, 4, 8)
    b = s.summary.set_index("group").loc["b"]  # 29 days: test from 23.2, validation from 20.3
    assert (b["train"], b["validation"], b["test"]) == (21, 3, 6)


def test_frame_purge_drops_rows_before_each_cut(daily):
    s = split_by_time(daily, test=0.2, validation=0.1, time="day", group="id", purge=2)
    a = s.summary.set_index("group").loc["a"]
    assert (a["train"], a["validation"], a["test"], a["purged"]) == (26, 2, 8, 4)
    assert s.n_purged == 8 and s.purge == 2
    assert "purged: 8 rows" in s.report()


def test_frame_auto_purge_is_zero_for_rows(daily):
    s = split_by_time(daily, test=0.2, time="day", group="id")
    assert s.purge == 0 and s.n_purged == 0


def test_frame_datetime_index_and_no_time_axis():
    df = pd.DataFrame({"x": np.arange(10.0)}, index=pd.date_range("2020", periods=10, freq="h"))
    s = split_by_time(df, test="2020-01-01 08:00")
    assert s.test.index.tolist() == list(df.index[8:])
    plain = pd.DataFrame({"g": [1, 2] * 5, "x": np.arange(10.0)})
    s = split_by_time(plain, test=3, group="g")  # row position 3 onwards within each group
    assert s.test.index.tolist() == [6, 7, 8, 9]


def test_frame_time_zones(daily):
    daily = daily.assign(day=daily["day"].dt.tz_localize("Europe/Paris"))
    s = split_by_time(daily, test="2021-02-01", time="day", group="id")
    assert s.summary["test_cut"].iloc[0] == pd.Timestamp("2021-02-01", tz="Europe/Paris")
    with pytest.raises(ArgumentError, match=r"^`test` has a time zone but the data's"):
        split_by_time(daily.assign(day=daily["day"].dt.tz_localize(None)),
                      test=pd.Timestamp("2021-02-01", tz="UTC"), time="day")


# -------------------------------------------------------------------- Windows


def test_windows_split_by_target_time_and_report(daily):
    w = seqprep.make_windows(daily, 5, targets="load", group="id", time="day", horizon=2)
    s = split_by_time(w, test="2021-02-01", validation="2021-01-25")
    assert s.unit == "windows" and s.purge == 5
    assert (s.test.index["target_time"] >= "2021-02-01").all()
    assert (s.validation.index["target_time"] >= "2021-01-25").all()
    last_val_target = s.validation.index["target_time"] + pd.Timedelta(days=1)
    assert (last_val_target < "2021-02-01").all()
    # purged: no training target among the 5 rows before 2021-01-25
    assert (s.train.index["target_time"] + pd.Timedelta(days=1) < "2021-01-20").all()
    assert s.summary.columns.tolist() == ["group", "validation_cut", "test_cut", "train",
                                          "validation", "test", "purged", "straddling"]
    total = sum(len(p) for p in (s.train, s.validation, s.test))
    assert total + s.n_purged + s.n_straddling == len(w)
    text = s.report()
    assert text.startswith(f"{len(w)} windows split in time order: train {len(s.train)}")
    assert "'a': 2021-01-25 00:00:00, 2021-02-01 00:00:00" in text
    assert s.test.notes[-1].startswith("split_by_time: the test part")
    at = pd.Series(np.arange(len(w)), index=w.index["first_row"])[s.test.index["first_row"]]
    np.testing.assert_array_equal(s.test.X, w.X[at.to_numpy()])
    np.testing.assert_array_equal(s.test.y, w.y[at.to_numpy()])


def test_windows_parts_share_the_source(daily):
    w = seqprep.make_windows(daily, 3, targets="load", group="id", time="day")
    s = split_by_time(w, test=0.25)
    assert s.train._source is w._source and s.test._source is w._source
    rows = w.index.set_index("first_row")
    for part in (s.train, s.test):
        pd.testing.assert_frame_equal(
            part.index.set_index("first_row"), rows.loc[part.index["first_row"]])


def test_windows_without_targets_are_split_by_their_rows():
    w = seqprep.make_windows(np.arange(20.0), 4)
    s = split_by_time(w, test=15)
    assert s.purge == 0
    assert s.train.index["last_row"].max() < 15 <= s.test.index["first_row"].min()
    assert s.n_straddling == 3


def test_purge_false_and_int(daily):
    w = seqprep.make_windows(daily, 3, targets="load", group="id", time="day")
    assert split_by_time(w, test=0.25, purge=False).n_purged == 0
    assert split_by_time(w, test=0.25, purge=0).n_purged == 0
    assert split_by_time(w, test=0.25, purge=1).n_purged == 2  # one per group
    assert split_by_time(w, test=0.25).n_purged == 6  # auto: 3 rows per group


def test_no_purge_in_a_group_without_a_later_part():
    days = pd.date_range("2024-01-01", periods=30)
    df = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 10, "t": list(days) + list(days[:10]),
                       "v": np.arange(40.0)})
    w = seqprep.make_windows(df, 3, targets="v", group="g", time="t")
    s = split_by_time(w, test="2024-01-20")
    summary = s.summary.set_index("group")
    # b ends before the cut: no test window of b can read its rows, so it keeps all 7
    assert summary.loc["b", ["train", "test", "purged"]].tolist() == [7, 0, 0]
    assert summary.loc["a", ["train", "test", "purged"]].tolist() == [13, 11, 3]
    assert s.n_purged == 3 and len(s.train) == 20
    # the same for rows of a DataFrame with an explicit purge
    f = split_by_time(df, test="2024-01-20", time="t", group="g", purge=2)
    summary = f.summary.set_index("group")
    assert summary.loc["b", ["train", "test", "purged"]].tolist() == [10, 0, 0]
    assert summary.loc["a", ["train", "test", "purged"]].tolist() == [17, 11, 2]


def test_purge_for_the_validation_cut_needs_a_later_part_of_the_group():
    # b's rows stop inside validation: it is purged before the validation cut (its own
    # validation windows read those rows) but has no test part to purge for
    days = pd.date_range("2024-01-01", periods=40)
    df = pd.DataFrame({"g": ["a"] * 40 + ["b"] * 30, "t": list(days) + list(days[:30]),
                       "v": np.arange(70.0)})
    w = seqprep.make_windows(df, 3, targets="v", group="g", time="t")
    s = split_by_time(w, validation="2024-01-20", test="2024-02-01")
    summary = s.summary.set_index("group")
    assert summary.loc["b", ["train", "validation", "test", "purged"]].tolist() == [13, 11, 0, 3]
    assert summary.loc["a", ["train", "validation", "test", "purged"]].tolist() == [13, 9, 9, 6]


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize("test, match", [
    ("2020-06-01", r"^`test` must fall inside the data: after its first time and at or before"),
    ("2021-03-01", r"^`test` must fall inside the data"),
    ("2021-01-01", r"^`test` must fall inside the data"),
])
def test_cut_off_outside_the_data(daily, test, match):
    with pytest.raises(ArgumentError, match=match):
        split_by_time(daily, test=test, time="day", group="id")


def test_bad_cut_offs(daily):
    kw = dict(time="day", group="id")
    with pytest.raises(ArgumentError, match=r"^`test` must be a fraction strictly between 0 "
                                            r"and 1 or a cut-off time\. Received: test=5, a "
                                            r"number outside \(0, 1\) for data whose time axis "
                                            r"holds datetimes"):
        split_by_time(daily, test=5, **kw)
    with pytest.raises(ArgumentError, match=r"^`test` must be a fraction strictly between 0 "
                                            r"and 1 or a cut-off time pandas can read"):
        split_by_time(daily, test="soon", **kw)
    with pytest.raises(ArgumentTypeError, match=r"^`test` must be a fraction strictly between "
                                                r"0 and 1 or a cut-off time\. Received: "
                                                r"test=None"):
        split_by_time(daily, test=None, **kw)
    with pytest.raises(ArgumentError, match=r"^`validation` \+ `test` must be below 1"):
        split_by_time(daily, test=0.5, validation=0.5, **kw)
    with pytest.raises(ArgumentError, match=r"^`validation` must be earlier than the test "
                                            r"cut-off"):
        split_by_time(daily, test="2021-01-20", validation="2021-01-25", **kw)
    with pytest.raises(ArgumentTypeError, match=r"^`test` must be a fraction strictly between "
                                                r"0 and 1 or a cut-off number"):
        split_by_time(daily.assign(day=np.arange(70)), test="2021-01-20", **kw)
    with pytest.raises(TypeError):
        split_by_time(daily)  # `test` is required


@pytest.mark.parametrize("test", [0, 1, 0.0, 1.0, np.float64(1.0), -0.1, 1.5])
def test_a_number_outside_0_1_on_a_datetime_axis_is_a_value_error(daily, test):
    w = seqprep.make_windows(daily, 3, targets="load", group="id", time="day")
    for data, kw in ((daily, dict(time="day", group="id")), (w, {})):
        with pytest.raises(ArgumentError, match=r"^`test` must be a fraction strictly between "
                                                r"0 and 1 or a cut-off time\. Received: "
                                                + re.escape(f"test={test!r}, a number")) as info:
            split_by_time(data, test=test, **kw)
        assert not isinstance(info.value, TypeError)
        # what a cut-off means is said, with an example of one
        assert "rows at or after it belong to the later part" in str(info.value)
        assert "test='2021-06-01'" in str(info.value)
        with pytest.raises(ArgumentError, match=r"^`validation` must be a fraction strictly"):
            split_by_time(data, test=0.2, validation=test, **kw)


def test_a_cut_off_outside_a_numeric_axis_says_strictly_between(daily):
    with pytest.raises(ArgumentError, match=r"^`test` must fall inside the data.*or a fraction "
                                            r"strictly between 0 and 1\.$"):
        split_by_time(daily.assign(day=np.arange(1, 71)), test=0, time="day", group="id")


def test_empty_part(daily):
    w = seqprep.make_windows(daily, 3, targets="load", group="id", time="day")
    w2 = seqprep.make_windows(daily, 3, targets="load", group="id", time="day", horizon=2)
    # the last 1% of a span holds one row per group: no window has both its targets there
    with pytest.raises(DataError, match=r"^`test` leaves the test part empty: no window falls "
                                        r"in it\. Received: test=0\.01 for Windows of 62 "
                                        r"samples; 2 windows straddling a cut\."):
        split_by_time(w2, test=0.01)
    with pytest.raises(DataError, match=r"^`validation` leaves the train part empty.*"
                                        r"purged \(purge=3 rows\)"):
        split_by_time(w, test=0.5, validation=0.45)
    with pytest.raises(DataError, match=r"^`validation` leaves the validation part empty"):
        split_by_time(daily, test=0.5, validation=0.001, time="day", group="id")


def test_bad_purge_and_arguments(daily):
    w = seqprep.make_windows(daily, 3, targets="load", group="id", time="day")
    with pytest.raises(ArgumentError, match=r"^`purge` must be 'auto', False, or a number of "
                                            r"rows >= 0\. Received: purge=-1"):
        split_by_time(w, test=0.25, purge=-1)
    with pytest.raises(ArgumentTypeError, match=r"^`purge` must be 'auto', False, or a number "
                                                r"of rows >= 0\. Received: purge=True"):
        split_by_time(w, test=0.25, purge=True)
    with pytest.raises(ArgumentError, match=r"^`purge` must be 'auto'.*purge='all'"):
        split_by_time(w, test=0.25, purge="all")
    with pytest.raises(ArgumentError, match=r"^`time` must be None when splitting Windows"):
        split_by_time(w, test=0.25, time="day")
    with pytest.raises(ArgumentError, match=r"^`group` must be None when splitting Windows"):
        split_by_time(w, test=0.25, group="id")
    with pytest.raises(ArgumentTypeError, match=r"^`data` must be a pandas DataFrame or a "
                                                r"Windows"):
        split_by_time(np.arange(10.0), test=0.25)
    with pytest.raises(ColumnError, match=r"^`group` names 1 column not in the data"):
        split_by_time(daily, test=0.25, time="day", group="entity")
    with pytest.raises(ArgumentTypeError, match=r"^`time` must hold datetimes or numbers"):
        split_by_time(daily, test=0.25, time="id")
    with pytest.raises(DataError, match=r"^`time` must have no missing values"):
        split_by_time(daily.assign(day=daily["day"].where(daily.index != 3)), test=0.25,
                      time="day")
    with pytest.raises(DataError, match=r"^`group` must have no missing values"):
        split_by_time(daily.assign(id=daily["id"].where(daily.index != 3)), test=0.25,
                      time="day", group="id")


def test_split_is_frozen(daily):
    s = split_by_time(daily, test=0.25, time="day")
    with pytest.raises(AttributeError):
        s.train = None
